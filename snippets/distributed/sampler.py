"""Which dataset indices each rank reads: ``DistributedSampler``'s rule, written out.

Twin: ``torch.utils.data.distributed.DistributedSampler``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import math

import torch

from snippets._checks import check_int
# --8<-- [end:imports]

__all__ = ["shard_indices"]


# --8<-- [start:shard_indices]
def shard_indices(num_samples: int, world_size: int, rank: int, drop_last: bool = False,
                  shuffle: bool = False, seed: int = 0, epoch: int = 0) -> list[int]:
    """The indices ``DistributedSampler(dataset of num_samples, world_size, rank, ...)``
    yields.

    1. Order: ``0..N-1``, or ``torch.randperm(N)`` seeded with ``seed + epoch``
       (the same permutation on every rank, so shards never overlap).
    2. Make the length a multiple of ``world_size``: ``drop_last=False`` pads by
       repeating indices from the start; ``drop_last=True`` cuts the tail.
    3. Rank ``r`` takes every ``world_size``-th index starting at ``r``.
    Returns ``list[int]`` of length ``ceil(N / W)`` (pad) or ``floor(N / W)`` (drop).
    """
    check_int("num_samples", num_samples, 0)
    check_int("world_size", world_size, 1)
    check_int("rank", rank, 0)
    if rank >= world_size:
        raise ValueError(
            f"rank must be in [0, world_size - 1] = [0, {world_size - 1}], got {rank}"
        )
    check_int("seed", seed, -(2**63))
    check_int("epoch", epoch, 0)
    if shuffle:
        generator = torch.Generator()
        generator.manual_seed(seed + epoch)  # set_epoch(epoch) changes this permutation
        indices = torch.randperm(num_samples, generator=generator).tolist()
    else:
        indices = list(range(num_samples))
    if drop_last:
        # DistributedSampler: ceil((N - W) / W) when N % W != 0
        per_rank = num_samples // world_size
        indices = indices[: per_rank * world_size]
    else:
        per_rank = math.ceil(num_samples / world_size)
        padding = per_rank * world_size - num_samples
        # repeat the list as often as needed (padding can exceed N when N < W)
        repeats = math.ceil(padding / num_samples) if num_samples else 0
        indices = indices + (indices * repeats)[:padding]
    return indices[rank::world_size]
# --8<-- [end:shard_indices]
