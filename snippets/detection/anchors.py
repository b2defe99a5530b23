"""Anchors: jwyang's ``generate_anchors`` (Caffe "+1" boxes) and anchors gridded over a feature map.

Twins: jwyang/faster-rcnn.pytorch ``lib/model/rpn/generate_anchors.py`` (exact output) and
``torchvision.models.detection.anchor_utils.AnchorGenerator`` (zero-centred cell anchors).
"""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
# --8<-- [end:imports]

from snippets._checks import check_tensor

__all__ = [
    "generate_anchors",
    "cell_anchors",
    "grid_anchors",
    "feature_map_size",
    "anchors_figure",
]


# Argument checks live here, outside the shown sections, so each function reads
# as its math.
def _check_generate_anchors(
    base_size: int, ratios: Sequence[float], scales: Sequence[float]
) -> None:
    if (
        base_size <= 0
        or not ratios
        or not scales
        or min(ratios) <= 0
        or min(scales) <= 0
    ):
        raise ValueError(
            f"base_size, ratios and scales must be positive and non-empty, "
            f"got {base_size}, {tuple(ratios)}, {tuple(scales)}"
        )


def _check_grid_anchors(
    base_anchors: object,
    feature_size: tuple[int, int],
    stride: int | tuple[int, int],
) -> None:
    check_tensor("base_anchors", base_anchors)
    if base_anchors.dim() != 2 or base_anchors.shape[1] != 4:
        raise ValueError(
            f"base_anchors must have shape (A, 4), got {tuple(base_anchors.shape)}"
        )
    height, width = feature_size
    stride_y, stride_x = (stride, stride) if isinstance(stride, int) else stride
    if height < 0 or width < 0 or stride_y <= 0 or stride_x <= 0:
        raise ValueError(
            "feature_size must be non-negative and stride positive, "
            f"got {feature_size}, {stride}"
        )


def _check_feature_map_size(backbone: object, image_size: tuple[int, int]) -> None:
    if not isinstance(backbone, nn.Module):
        raise TypeError(
            f"backbone must be a torch.nn.Module, got {type(backbone).__name__}"
        )
    if len(image_size) != 2 or min(image_size) < 1:
        raise ValueError(
            "image_size must be (height, width) with positive entries, "
            f"got {tuple(image_size)}"
        )


# --8<-- [start:generate_anchors]
def generate_anchors(
    base_size: int = 16,
    ratios: Sequence[float] = (0.5, 1, 2),
    scales: Sequence[float] = (8, 16, 32),
) -> Tensor:
    """jwyang's anchors for one cell: Tensor[len(ratios) * len(scales), 4], ratio-major.

    Start from the base box [0, 0, base_size - 1, base_size - 1] (centre 7.5 for 16);
    for each ratio = h / w keep the area: w = round(sqrt(area / ratio)),
    h = round(w * ratio); then multiply w and h by each scale. Widths count pixels
    inclusively (w = x2 - x1 + 1).
    """
    _check_generate_anchors(base_size, ratios, scales)
    ratios_t = torch.tensor(ratios, dtype=torch.float64)
    scales_t = torch.tensor(scales, dtype=torch.float64)
    size = float(base_size * base_size)
    centre = (base_size - 1) / 2  # x1 + 0.5 * (w - 1) for the base box
    # round() is half-to-even, like NumPy's np.round that jwyang uses
    ws = torch.round(torch.sqrt(size / ratios_t))
    hs = torch.round(ws * ratios_t)
    ws = (ws[:, None] * scales_t[None, :]).reshape(-1)  # ratio-major: (R*S,)
    hs = (hs[:, None] * scales_t[None, :]).reshape(-1)
    return torch.stack(
        (
            centre - 0.5 * (ws - 1),
            centre - 0.5 * (hs - 1),
            centre + 0.5 * (ws - 1),
            centre + 0.5 * (hs - 1),
        ),
        dim=1,
    ).float()
# --8<-- [end:generate_anchors]


# --8<-- [start:cell_anchors]
def cell_anchors(
    sizes: Sequence[float] = (128, 256, 512),
    aspect_ratios: Sequence[float] = (0.5, 1.0, 2.0),
) -> Tensor:
    """torchvision's zero-centred cell anchors: Tensor[len(ratios) * len(sizes), 4].

    Ratio-major, as ``generate_anchors``.

    h / w = ratio, area = size^2: w = size / sqrt(ratio), h = size * sqrt(ratio), box
    [-w/2, -h/2, w/2, h/2], rounded (as ``AnchorGenerator.generate_anchors``).
    """
    scales = torch.as_tensor(sizes, dtype=torch.float32)
    ratios = torch.as_tensor(aspect_ratios, dtype=torch.float32)
    h_ratios = torch.sqrt(ratios)
    ws = (scales[None, :] / h_ratios[:, None]).reshape(-1)
    hs = (scales[None, :] * h_ratios[:, None]).reshape(-1)
    return (torch.stack((-ws, -hs, ws, hs), dim=1) / 2).round()
# --8<-- [end:cell_anchors]


# --8<-- [start:grid_anchors]
def grid_anchors(
    base_anchors: Tensor, feature_size: tuple[int, int], stride: int | tuple[int, int]
) -> Tensor:
    """Shift ``base_anchors`` (Tensor[A, 4]) to every cell of a feature map of
    ``feature_size`` (H, W).

    Cell (i, j) shifts by (j * stride_x, i * stride_y). Returns Tensor[H * W * A, 4],
    ordered row by row, then column, then anchor — the order of a conv head's (A, H, W)
    output permuted to (H, W, A).
    """
    _check_grid_anchors(base_anchors, feature_size, stride)
    height, width = feature_size
    stride_y, stride_x = (stride, stride) if isinstance(stride, int) else stride
    shift_x = (
        torch.arange(width, dtype=torch.float32, device=base_anchors.device) * stride_x
    )
    shift_y = (
        torch.arange(height, dtype=torch.float32, device=base_anchors.device) * stride_y
    )
    sy, sx = torch.meshgrid(shift_y, shift_x, indexing="ij")
    shifts = torch.stack((sx, sy, sx, sy), dim=-1).reshape(-1, 1, 4)  # (H*W, 1, 4)
    return (shifts + base_anchors.reshape(1, -1, 4)).reshape(-1, 4)
# --8<-- [end:grid_anchors]


# --8<-- [start:feature_map_size]
def feature_map_size(
    backbone: nn.Module, image_size: tuple[int, int]
) -> tuple[int, int]:
    """(H, W) of the feature map ``backbone`` makes of an ``image_size`` (H, W) image.

    Runs the backbone on a tensor of the device of its parameters: build the backbone
    under ``torch.device("meta")`` and only the shapes are computed, no arithmetic.
    """
    _check_feature_map_size(backbone, image_size)
    first = next(backbone.parameters(), None)
    device = first.device if first is not None else torch.device("meta")
    channels = next(
        (m.in_channels for m in backbone.modules() if isinstance(m, nn.Conv2d)), 3
    )
    with torch.no_grad():
        out = backbone(torch.empty(1, channels, *image_size, device=device))
    return int(out.shape[-2]), int(out.shape[-1])
# --8<-- [end:feature_map_size]
