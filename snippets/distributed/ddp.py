"""Launch real ``torch.distributed`` processes and the DDP training runs the article shows.

Twins: ``torch.multiprocessing.start_processes`` (what ``mp.spawn`` calls),
``torch.distributed.init_process_group``, ``torch.nn.parallel.DistributedDataParallel``,
``torch.utils.data.distributed.DistributedSampler``,
``torch.distributed.algorithms.join.Join``. ``torchrun`` runs the same training
function through ``python -m snippets.distributed.train``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import datetime
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.distributed.algorithms.join import Join
from torch import Tensor, nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from torch.utils.data.distributed import DistributedSampler
# --8<-- [end:imports]

from snippets._checks import check_int

__all__ = [
    "BACKENDS",
    "check_backend",
    "launch",
    "make_dataset",
    "make_model",
    "train_single",
    "train_ddp",
    "sync_batchnorm_on_cpu",
    "failure_summary",
]

BACKENDS = ("gloo", "nccl")
# Modules the fork server imports once, so every launched rank starts warm:
# the DDP constructor imports torch._dynamo (seconds of CPU on first use).
_PRELOAD = ["torch", "torch.distributed", "torch._dynamo", "snippets.distributed.ddp"]


# --8<-- [start:check_backend]
def check_backend(backend: str, world_size: int) -> None:
    """Raise ``ValueError`` unless ``backend`` can run ``world_size`` ranks on this machine."""
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if not dist.is_available():
        raise ValueError("torch.distributed is not available in this PyTorch build")
    if backend == "nccl" and torch.cuda.device_count() < world_size:
        raise ValueError(
            f"backend 'nccl' needs one CUDA GPU per rank: world_size={world_size}, "
            f"GPUs={torch.cuda.device_count()}; use backend='gloo' on CPU"
        )
# --8<-- [end:check_backend]


def _check_world_size(world_size: object) -> int:
    return check_int("world_size", world_size, minimum=1)


def _rank_main(rank: int, fn: Callable[..., Any], world_size: int, backend: str, init_method: str,
               timeout_s: float, args: tuple, result_dir: str) -> None:
    """Body of one launched process: join the group, run ``fn``, save what it returns."""
    if backend == "nccl":
        torch.cuda.set_device(rank)
    dist.init_process_group(backend, init_method=init_method, rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(seconds=timeout_s))
    open(os.path.join(result_dir, f"joined{rank}"), "w").close()  # tells the parent this rank is in the group
    result = fn(rank, world_size, *args)
    # results travel back as files: deterministic, and the parent alone prints
    torch.save(result, os.path.join(result_dir, f"rank{rank}.pt"))
    dist.destroy_process_group()


# --8<-- [start:launch]
def launch(
    fn: Callable[..., Any],
    world_size: int,
    backend: str = "gloo",
    timeout: float = 30.0,
    args: Sequence[Any] = (),
    join_timeout: float | None = None,
    start_method: str = "forkserver",
) -> list[Any]:
    """Run ``fn(rank, world_size, *args)`` in ``world_size`` processes of one process
    group.

    Each process calls ``init_process_group`` (rendezvous through a ``FileStore``
    in a fresh temporary directory: no port to race for) with ``timeout``
    seconds for every collective, so a rank left waiting raises instead of
    hanging. ``fn`` must be a module-level function (it is pickled).
    Hard bounds in the parent: the ranks get ``timeout + 30`` s to start and join
    the group, then ``join_timeout`` s (default ``timeout + 30``) to finish; past
    either, the ranks are killed and ``TimeoutError`` is raised. A rank that
    raises makes ``launch`` raise ``torch.multiprocessing.ProcessRaisedException``.
    Returns what ``fn`` returned on ranks 0..world_size-1.
    """
    world_size = _check_world_size(world_size)
    check_backend(backend, world_size)
    if not callable(fn):
        raise TypeError(f"fn must be a callable, got {type(fn).__name__}")
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    join_timeout = timeout + 30.0 if join_timeout is None else join_timeout
    if start_method == "forkserver":
        multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)
    with tempfile.TemporaryDirectory(prefix="rn-dist-") as tmp:
        init_method = "file://" + os.path.join(tmp, "store")
        context = mp.start_processes(
            _rank_main,
            args=(
                fn,
                world_size,
                backend,
                init_method,
                float(timeout),
                tuple(args),
                tmp,
            ),
            nprocs=world_size,
            join=False,
            start_method=start_method,
        )
        deadline, joined = time.monotonic() + timeout + 30.0, False  # start-up bound
        # join() raises as soon as one rank fails; poll so that a hang cannot outlive
        # the deadline
        while not context.join(
            timeout=max(0.0, min(0.2, deadline - time.monotonic())), grace_period=2.0
        ):
            if not joined and all(
                os.path.exists(os.path.join(tmp, f"joined{r}"))
                for r in range(world_size)
            ):
                # every rank is in the group
                deadline, joined = (time.monotonic() + join_timeout, True)
            if time.monotonic() >= deadline:
                alive = [
                    rank for rank, p in enumerate(context.processes) if p.is_alive()
                ]
                for process in context.processes:
                    process.kill()
                    process.join()
                when = (
                    f"{join_timeout:g} s after joining the group"
                    if joined
                    else "while starting"
                )
                raise TimeoutError(
                    f"ranks {alive} of {world_size} still running {when}; killed them"
                )
        return [
            torch.load(os.path.join(tmp, f"rank{rank}.pt"), weights_only=False)
            for rank in range(world_size)
        ]
# --8<-- [end:launch]


# --8<-- [start:failure_summary]
def failure_summary(error: BaseException) -> str:
    """The last line of a rank's error without source paths and ports (stable to
    print)."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    last = lines[-1] if lines else type(error).__name__
    last = re.sub(r"\[[^\]]*\.(?:cc|cpp|h):\d+\] ", "", last)  # "[.../pair.cc:561] "
    return re.sub(r"\[[\d.]+\]:\d+", "[127.0.0.1]:<port>", last)
# --8<-- [end:failure_summary]


# --8<-- [start:data]
def make_dataset(
    num_samples: int = 16, in_features: int = 4, seed: int = 0
) -> TensorDataset:
    """A regression set: x (Tensor[N, in_features]), y = x @ w + noise (Tensor[N,
    1])."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(num_samples, in_features, generator=generator)
    w = torch.randn(in_features, 1, generator=generator)
    y = x @ w + 0.1 * torch.randn(num_samples, 1, generator=generator)
    return TensorDataset(x, y)


def make_model(in_features: int = 4, seed: int = 0) -> nn.Module:
    """The same small MLP on every rank: the seed fixes the initial weights."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(in_features, 8), nn.Tanh(), nn.Linear(8, 1))
# --8<-- [end:data]


# --8<-- [start:train_single]
def train_single(
    dataset: TensorDataset,
    batch_size: int,
    lr: float = 0.1,
    epochs: int = 1,
    seed: int = 0,
) -> dict[str, Tensor]:
    """One process, plain SGD on consecutive batches of ``batch_size``; returns the
    final parameters."""
    model = make_model(dataset.tensors[0].shape[1], seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        for x, y in DataLoader(dataset, batch_size=batch_size):
            optimizer.zero_grad()
            nn.functional.mse_loss(model(x), y).backward()
            optimizer.step()
    return {name: p.detach().clone() for name, p in model.named_parameters()}
# --8<-- [end:train_single]


# --8<-- [start:train_ddp]
def train_ddp(
    rank: int,
    world_size: int,
    dataset: TensorDataset,
    batch_size: int,
    lr: float = 0.1,
    epochs: int = 1,
    sharding: str = "sampler",
    drop_last: bool = False,
    use_join: bool = False,
    seed: int = 0,
) -> dict[str, Any]:
    """One rank of DDP training (call it inside an initialized process group).

    ``sharding="sampler"``: ``DistributedSampler(drop_last=drop_last)``, every
    rank gets the same number of batches. ``sharding="slice"``: the naive
    ``range(rank, N, world_size)``, which gives ranks different numbers of batches
    when ``N`` is not a multiple of ``world_size * batch_size``.
    ``use_join``: wrap the loop in ``Join([model])`` so ranks that run out of
    data shadow the others' all-reduces. Each epoch ends in ``dist.barrier()``
    (say, before rank 0 saves a checkpoint).
    Returns ``{"rank", "batches", "params"}``.
    """
    if sharding not in ("sampler", "slice"):
        raise ValueError(f"sharding must be 'sampler' or 'slice', got {sharding!r}")
    # nccl works on CUDA tensors: one GPU per rank (launch / torchrun set the device)
    device = (
        torch.device("cuda", torch.cuda.current_device())
        if dist.get_backend() == "nccl"
        else torch.device("cpu")
    )
    model = nn.parallel.DistributedDataParallel(
        make_model(dataset.tensors[0].shape[1], seed).to(device)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    if sharding == "sampler":
        sampler = DistributedSampler(
            dataset, world_size, rank, shuffle=False, drop_last=drop_last
        )
        loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    else:
        sampler = None
        loader = DataLoader(
            Subset(dataset, range(rank, len(dataset), world_size)),
            batch_size=batch_size,
        )
    batches = 0
    for epoch in range(epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)  # reshuffles per epoch when shuffle=True
        with Join([model], enable=use_join):
            for x, y in loader:
                x, y = x.to(device), y.to(device)
                optimizer.zero_grad()
                # DDP all-reduces (averages) the gradients inside backward()
                nn.functional.mse_loss(model(x), y).backward()
                optimizer.step()
                batches += 1
        dist.barrier()
    params = {
        name: p.detach().cpu().clone() for name, p in model.module.named_parameters()
    }
    return {"rank": rank, "batches": batches, "params": params}
# --8<-- [end:train_ddp]


# --8<-- [start:sync_batchnorm_on_cpu]
def sync_batchnorm_on_cpu(rank: int, world_size: int) -> str:
    """Inside a gloo group, run a converted SyncBatchNorm on a CPU batch; return what
    happens."""
    model = nn.SyncBatchNorm.convert_sync_batchnorm(
        nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    )
    try:
        model(torch.randn(2, 3, 8, 8))
    except ValueError as error:
        return f"ValueError: {error}"
    return "ran"
# --8<-- [end:sync_batchnorm_on_cpu]
