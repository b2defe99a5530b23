"""Module-level rank functions for the launch() tests (spawned processes import them by name)."""

from __future__ import annotations

import time

import torch
import torch.distributed as dist


def rank_and_sum(rank: int, world_size: int, offset: int = 0) -> tuple[int, int, float]:
    """All-reduce ``rank + offset`` and return (rank, world size, sum)."""
    value = torch.tensor([float(rank + offset)])
    dist.all_reduce(value)
    return rank, dist.get_world_size(), value.item()


def raise_on_rank_one(rank: int, world_size: int) -> int:
    if rank == 1:
        raise ValueError("rank 1 fails on purpose")
    return rank


def sleep_forever(rank: int, world_size: int) -> None:
    time.sleep(3600)


def sync_bn_on_gpu(rank: int, world_size: int) -> float:
    """Max |SyncBatchNorm - BatchNorm2d| on one GPU (a 1-rank group falls back to BatchNorm)."""
    torch.manual_seed(0)
    x = torch.randn(4, 3, 5, 5, device="cuda")
    plain = torch.nn.BatchNorm2d(3).cuda()
    synced = torch.nn.SyncBatchNorm.convert_sync_batchnorm(torch.nn.BatchNorm2d(3)).cuda()
    return (plain(x) - synced(x)).abs().max().item()
