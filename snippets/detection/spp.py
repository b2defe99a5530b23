"""Spatial pyramid pooling (He et al., SPP-Net, arXiv:1406.4729): any H×W map to a fixed-length vector.

Twin: ``torch.nn.functional.adaptive_max_pool2d`` / ``adaptive_avg_pool2d`` per level,
flattened and concatenated. A single level over a region is ``torchvision.ops.roi_pool``.

Run ``python -m snippets.detection.spp --train --out results/spp`` to train the small
multi-size classifier of docs/detection/spp-net.md and record its accuracy per input size.
"""

# --8<-- [start:imports]
from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from snippets._checks import check_int
# --8<-- [end:imports]

from snippets._checks import check_rank, check_tensor

__all__ = [
    "spp_bins",
    "adaptive_bins",
    "spatial_pyramid_pool",
    "SpatialPyramidPooling",
    "SPPNet",
    "make_shapes",
    "train",
    "evaluate",
    "SHAPE_CLASSES",
]


# --8<-- [start:checks]
def _check_positive_int(name: str, value: object) -> int:
    return check_int(name, value, minimum=1)


def _check_levels(levels: object, mode: object) -> tuple[int, ...]:
    if isinstance(levels, (int, str)) or not isinstance(levels, Sequence):
        raise TypeError(
            f"levels must be a sequence of ints such as (4, 2, 1), got {levels!r}"
        )
    if len(levels) == 0:
        raise ValueError("levels must hold at least one level, got an empty sequence")
    for n in levels:
        _check_positive_int("each level", n)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    return tuple(levels)
# --8<-- [end:checks]


def _check_spp_bins(size: object, n: object) -> None:
    _check_positive_int("size", size)
    _check_positive_int("n", n)
    if size < n:
        raise ValueError(
            "size must be >= n (the stride floor(size / n) would be 0), "
            f"got size={size}, n={n}"
        )


def _check_spp_input(x: object, levels: object, mode: object) -> tuple[int, ...]:
    """The checked ``levels`` of ``spatial_pyramid_pool``, as a tuple."""
    check_tensor("x", x)
    check_rank("x", x, (4,), "(N, C, H, W)")
    levels = _check_levels(levels, mode)
    height, width = x.shape[-2:]
    if min(height, width) < max(levels):
        raise ValueError(
            f"x must be at least {max(levels)}x{max(levels)} (the largest level) "
            "to give every bin its own "
            f"cells, got H={height}, W={width}; use smaller levels or a larger input"
        )
    return levels


# --8<-- [start:spp_bins]
def spp_bins(size: int, n: int) -> tuple[int, int, int]:
    """The paper's pooling geometry for one level on a side of ``size`` (a) cells.

    Window ``ceil(a / n)``, stride ``floor(a / n)``, and the number of windows that fit,
    ``floor((a - window) / stride) + 1``. Returns ``(window, stride, bins)``; ``bins``
    equals ``n`` only for some ``a`` (e.g. every level of {6, 3, 2, 1} at a = 13).
    Requires ``size >= n`` (otherwise the stride is 0).
    """
    _check_spp_bins(size, n)
    window = math.ceil(size / n)  # win = ceil(a / n)
    stride = size // n  # str = floor(a / n)
    bins = (size - window) // stride + 1  # windows that fit, no padding
    return window, stride, bins
# --8<-- [end:spp_bins]


# --8<-- [start:adaptive_bins]
def adaptive_bins(size: int, n: int) -> list[tuple[int, int]]:
    """The ``n`` bins adaptive pooling uses on a side of ``size`` cells.

    Returns them as ``[start, end)`` pairs.

    Bin i spans ``[floor(i * size / n), ceil((i + 1) * size / n))``: always exactly
    ``n`` bins, together covering every cell, neighbours sharing at most one cell.
    """
    _check_positive_int("size", size)
    _check_positive_int("n", n)
    # integer floor and ceil: ceil(p / q) == (p + q - 1) // q
    return [((i * size) // n, ((i + 1) * size + n - 1) // n) for i in range(n)]
# --8<-- [end:adaptive_bins]


# --8<-- [start:spatial_pyramid_pool]
def spatial_pyramid_pool(
    x: Tensor, levels: Sequence[int] = (4, 2, 1), mode: str = "max"
) -> Tensor:
    """Pool ``x`` (Tensor[N, C, H, W]) into n×n bins for each level n and concatenate.

    Returns Tensor[N, C * sum(n * n for n in levels)], whatever H and W are.
    Order: level by level in the order of ``levels``; within a level the (C, n, n)
    block is flattened channel-major (channel, then bin row, then bin column) —
    exactly ``torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in levels], 1)``
    (``adaptive_avg_pool2d`` for ``mode="avg"``). Requires H, W >= max(levels).
    """
    levels = _check_spp_input(x, levels, mode)
    height, width = x.shape[-2:]
    reduce = (
        (lambda t, dim: t.amax(dim)) if mode == "max" else (lambda t, dim: t.mean(dim))
    )
    pooled = []
    for n in levels:
        # a rectangle's max (mean) = max (mean) over its columns
        # of the max (mean) over its rows
        # `rows`: (N, C, n, W), each bin row reduced
        rows = torch.stack(
            [reduce(x[:, :, s:e, :], 2) for s, e in adaptive_bins(height, n)], 2
        )
        # `bins`: (N, C, n, n), then each bin column reduced
        bins = torch.stack(
            [reduce(rows[..., s:e], 3) for s, e in adaptive_bins(width, n)], 3
        )
        pooled.append(bins.flatten(1))  # (N, C * n * n), channel-major
    return torch.cat(pooled, 1)
# --8<-- [end:spatial_pyramid_pool]


# --8<-- [start:SpatialPyramidPooling]
class SpatialPyramidPooling(nn.Module):
    """Layer form of ``spatial_pyramid_pool``: (N, C, H, W) -> (N, C * sum(n²)),
    for any H and W."""

    def __init__(self, levels: Sequence[int] = (4, 2, 1), mode: str = "max") -> None:
        super().__init__()
        self.levels, self.mode = _check_levels(levels, mode), mode

    def output_size(self, channels: int) -> int:
        """Length of the output vector for ``channels`` input channels: C * sum(n²)."""
        return channels * sum(n * n for n in self.levels)

    def forward(self, x: Tensor) -> Tensor:
        return spatial_pyramid_pool(x, self.levels, self.mode)

    def extra_repr(self) -> str:
        return f"levels={self.levels}, mode={self.mode!r}"
# --8<-- [end:SpatialPyramidPooling]


# --8<-- [start:SPPNet]
class SPPNet(nn.Module):
    """A small CNN whose classifier sees a fixed-length SPP vector, for any input size.

    Input Tensor[N, 1, H, W] with H, W >= 16; three 3x3 conv blocks (two 2x2 max pools:
    stride 4), spatial pyramid pooling, then two fully connected layers.
    Returns logits Tensor[N, classes].
    """

    def __init__(
        self, classes: int = 4, levels: Sequence[int] = (4, 2, 1), width: int = 32
    ) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, width // 2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width // 2, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
        )
        self.spp = SpatialPyramidPooling(levels, "max")
        self.classifier = nn.Sequential(
            nn.Linear(self.spp.output_size(width), 64),
            nn.ReLU(),
            nn.Linear(64, classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.spp(self.features(x)))
# --8<-- [end:SPPNet]


SHAPE_CLASSES = ("disc", "square", "ring", "cross")


# --8<-- [start:make_shapes]
def make_shapes(
    count: int, height: int, width: int, generator: torch.Generator
) -> tuple[Tensor, Tensor]:
    """``count`` noisy images (Tensor[count, 1, height, width]) of one shape each,
    and their labels (Tensor[count]).

    Classes ``SHAPE_CLASSES``: disc, square, ring, cross; the shape's size is a random
    fraction (0.2-0.4) of min(height, width), its centre random, its brightness random.
    """
    labels = torch.randint(0, len(SHAPE_CLASSES), (count,), generator=generator)
    side = min(height, width)
    r = (
        0.2 + 0.2 * torch.rand(count, 1, 1, generator=generator)
    ) * side  # radius in pixels
    cy = r + torch.rand(count, 1, 1, generator=generator) * (height - 2 * r)
    cx = r + torch.rand(count, 1, 1, generator=generator) * (width - 2 * r)
    yy = torch.arange(height).view(1, height, 1) + 0.5
    xx = torch.arange(width).view(1, 1, width) + 0.5
    dy, dx = (yy - cy).abs(), (xx - cx).abs()
    dist = torch.sqrt(dy**2 + dx**2)
    masks = torch.stack(
        [
            dist <= r,  # disc
            torch.maximum(dy, dx) <= 0.85 * r,  # square of about the disc's area
            (dist <= r) & (dist >= 0.55 * r),  # ring
            ((dy <= r / 3) & (dx <= r)) | ((dx <= r / 3) & (dy <= r)),  # cross
        ],
        1,
    )  # (count, classes, H, W)
    mask = masks[torch.arange(count), labels].float()
    brightness = 0.5 + 0.5 * torch.rand(count, 1, 1, generator=generator)
    images = mask * brightness + 0.15 * torch.randn(
        count, height, width, generator=generator
    )
    return images.unsqueeze(1), labels
# --8<-- [end:make_shapes]


# --8<-- [start:train]
def train(
    model: nn.Module,
    sizes: Sequence[tuple[int, int]],
    steps: int = 400,
    batch_size: int = 32,
    lr: float = 3e-3,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Train ``model`` with Adam on fresh ``make_shapes`` batches, cycling through
    ``sizes``.

    Each batch holds images of one (height, width) — the paper's multi-size training
    switches the input size between epochs; here it switches every step.
    Returns the loss per step.
    """
    from tqdm.auto import tqdm

    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    model.train()
    losses = []
    bar = tqdm(range(steps), desc="training", disable=not progress)
    for step in bar:
        height, width = sizes[step % len(sizes)]
        images, labels = make_shapes(batch_size, height, width, generator)
        loss = nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{loss.item():.3f}", size=f"{height}x{width}")
    return losses
# --8<-- [end:train]


# --8<-- [start:evaluate]
@torch.no_grad()
def evaluate(
    model: nn.Module, height: int, width: int, count: int = 512, seed: int = 1
) -> float:
    """Accuracy of ``model`` on ``count`` fresh height × width images (fixed seed)."""
    generator = torch.Generator().manual_seed(seed * 100_003 + height * 1_000 + width)
    images, labels = make_shapes(count, height, width, generator)
    model.eval()
    return (model(images).argmax(1) == labels).float().mean().item()
# --8<-- [end:evaluate]


TRAIN_SIZES = ((24, 24), (32, 32), (48, 48))
HELD_OUT_SIZES = (
    (16, 16),
    (40, 40),
    (64, 64),
    (96, 96),
    (128, 128),
    (40, 72),
    (72, 40),
    (32, 96),
)


def _run(out: str, steps: int, levels: Sequence[int]) -> dict:
    """Train one SPPNet on TRAIN_SIZES, evaluate on those and HELD_OUT_SIZES, save JSON."""
    import json
    import time
    from pathlib import Path

    from benchmarks._harness import metadata

    torch.set_num_threads(
        1
    )  # small convolutions: one thread is fastest on a shared machine
    torch.manual_seed(0)
    model = SPPNet(levels=levels)
    start = time.perf_counter()
    losses = train(model, TRAIN_SIZES, steps=steps)
    seconds = time.perf_counter() - start
    rows = [
        {
            "height": h,
            "width": w,
            "seen_in_training": (h, w) in TRAIN_SIZES,
            "accuracy": evaluate(model, h, w),
        }
        for h, w in TRAIN_SIZES + HELD_OUT_SIZES
    ]
    result = {
        "topic": "spp_multisize",
        **metadata(),
        "torch_threads": torch.get_num_threads(),
        "command": f"python -m snippets.detection.spp --train --out {out} --steps {steps}",
        "levels": list(levels),
        "steps": steps,
        "batch_size": 32,
        "train_sizes": [list(s) for s in TRAIN_SIZES],
        "train_seconds": round(seconds, 1),
        "loss_first_50": round(sum(losses[:50]) / 50, 4),
        "loss_last_50": round(sum(losses[-50:]) / 50, 4),
        "eval_images_per_size": 512,
        "rows": rows,
    }
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    (path / "multisize.json").write_text(
        json.dumps(result, indent=2) + "\n", encoding="utf-8"
    )
    return result


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--train", action="store_true", help="train the multi-size SPP classifier"
    )
    parser.add_argument(
        "--out", default="results/spp", help="folder for multisize.json"
    )
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args(argv)
    if not args.train:
        parser.error("nothing to do: pass --train")
    result = _run(args.out, args.steps, (4, 2, 1))
    print(f"trained {args.steps} steps in {result['train_seconds']} s")
    for row in result["rows"]:
        seen = "seen" if row["seen_in_training"] else "new "
        print(
            f"{row['height']:>4}x{row['width']:<4} {seen} accuracy {row['accuracy']:.3f}"
        )


if __name__ == "__main__":
    main()
