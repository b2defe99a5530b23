"""torchrun entry point: the article's DDP training run, one process per rank.

    python -m torch.distributed.run --standalone --nproc-per-node 2 \\
        -m snippets.distributed.train --backend gloo --batch-size 4 --epochs 2

``torchrun`` (``torch.distributed.run``) starts the processes and sets ``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``; this script
only joins the group (``init_method="env://"``) and calls ``train_ddp``.
Rank 0 compares the result with one process training on ``world_size`` times
the batch and prints the difference.
"""

# --8<-- [start:imports]
from __future__ import annotations

import argparse
import datetime
import os

import torch
import torch.distributed as dist

from snippets.distributed.ddp import (check_backend, make_dataset, train_ddp,
                                      train_single)
# --8<-- [end:imports]

__all__ = ["main", "parse_args"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="gloo", help="gloo (CPU) or nccl (one GPU per rank)")
    parser.add_argument("--num-samples", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=4, help="per-rank batch size")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a collective may wait")
    return parser.parse_args(argv)


# --8<-- [start:main]
def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    world_size = int(os.environ["WORLD_SIZE"])  # set by torchrun
    rank = int(os.environ["RANK"])
    check_backend(args.backend, world_size)
    if args.backend == "nccl":
        # one GPU per process on this node
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    dist.init_process_group(args.backend, init_method="env://",
                            timeout=datetime.timedelta(seconds=args.timeout))
    dataset = make_dataset(args.num_samples)
    result = train_ddp(rank, world_size, dataset, args.batch_size, args.lr, args.epochs)
    if rank == 0:  # print once, from one rank
        single = train_single(
            dataset, args.batch_size * world_size, args.lr, args.epochs
        )
        diff = max((result["params"][k] - single[k]).abs().max().item() for k in single)
        print(
            f"world_size={world_size} backend={args.backend} "
            f"batches/rank={result['batches']} "
            f"max|DDP - single process|={diff:.1e}"
        )
    # Leave together: a rank that tears its group down and exits while another still
    # holds its connections can abort at exit ("terminate called without an active
    # exception", seen under load).
    dist.barrier()
    dist.destroy_process_group()
# --8<-- [end:main]


if __name__ == "__main__":
    main()
