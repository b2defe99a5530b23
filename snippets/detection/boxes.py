"""Boxes: area, IoU, the (dx, dy, dw, dh) encoding and clipping.

Boxes are (x1, y1, x2, y2) in continuous coordinates (torchvision/detectron2:
width = x2 - x1, no "+1"). Twins: ``torchvision.ops.box_area``,
``torchvision.ops.box_iou``, ``torchvision.models.detection._utils.BoxCoder``
(``encode_single`` / ``decode_single``) and ``torchvision.ops.clip_boxes_to_image``.
The jwyang/Caffe "+1" variants (``box_iou_plus1``, ``encode_boxes_plus1``,
``decode_boxes_plus1``) are kept for comparison.
"""

# --8<-- [start:imports]
from __future__ import annotations

import torch
from torch import Tensor

from snippets._checks import check_tensor
# --8<-- [end:imports]

import math

__all__ = [
    "check_boxes",
    "box_area",
    "box_iou",
    "encode_boxes",
    "decode_boxes",
    "clip_boxes",
    "box_iou_plus1",
    "encode_boxes_plus1",
    "decode_boxes_plus1",
    "BBOX_XFORM_CLIP",
]


# --8<-- [start:check_boxes]
def check_boxes(name: str, boxes: object, columns: int = 4) -> Tensor:
    """Raise unless ``boxes`` is a floating Tensor[N, columns] whose last four columns
    have x1 <= x2, y1 <= y2."""
    check_tensor(name, boxes)
    layout = "(x1, y1, x2, y2)" if columns == 4 else "(batch_index, x1, y1, x2, y2)"
    if boxes.dim() != 2 or boxes.shape[1] != columns:
        raise ValueError(
            f"{name} must have shape (N, {columns}) as {layout}, "
            f"got {tuple(boxes.shape)}"
        )
    xyxy = boxes[:, -4:]
    bad = (xyxy[:, 2] < xyxy[:, 0]) | (xyxy[:, 3] < xyxy[:, 1])
    if bool(bad.any()):
        row = int(bad.nonzero()[0, 0])
        raise ValueError(
            f"{name} must satisfy x1 <= x2 and y1 <= y2, "
            f"got row {row}: {xyxy[row].tolist()}"
        )
    return boxes
# --8<-- [end:check_boxes]


# --8<-- [start:box_area]
def box_area(boxes: Tensor) -> Tensor:
    """Area of each box. ``boxes`` (Tensor[N, 4]) as (x1, y1, x2, y2). Returns Tensor[N]."""
    check_boxes("boxes", boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
# --8<-- [end:box_area]


# --8<-- [start:box_iou]
def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """IoU of every pair. ``boxes1`` Tensor[N, 4], ``boxes2`` Tensor[M, 4].

    Returns Tensor[N, M] with IoU = |A ∩ B| / (|A| + |B| - |A ∩ B|).
    """
    check_boxes("boxes1", boxes1)
    check_boxes("boxes2", boxes2)
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    # each pair overlaps from the larger top-left to the smaller bottom-right corner
    top_left = torch.max(boxes1[:, None, :2], boxes2[None, :, :2])  # (N, M, 2)
    bottom_right = torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = (bottom_right - top_left).clamp(min=0)  # width, height; 0 when apart
    inter = wh[..., 0] * wh[..., 1]  # `inter`: (N, M)
    return inter / (area1[:, None] + area2[None, :] - inter)
# --8<-- [end:box_iou]


# --8<-- [start:box_iou_plus1]
def box_iou_plus1(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """IoU with jwyang/Caffe's pixel-index convention: a box covers x1..x2 inclusive,
    width x2 - x1 + 1."""
    check_boxes("boxes1", boxes1)
    check_boxes("boxes2", boxes2)
    area1 = (boxes1[:, 2] - boxes1[:, 0] + 1) * (boxes1[:, 3] - boxes1[:, 1] + 1)
    area2 = (boxes2[:, 2] - boxes2[:, 0] + 1) * (boxes2[:, 3] - boxes2[:, 1] + 1)
    top_left = torch.max(boxes1[:, None, :2], boxes2[None, :, :2])
    bottom_right = torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = (bottom_right - top_left + 1).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area1[:, None] + area2[None, :] - inter)
# --8<-- [end:box_iou_plus1]


BBOX_XFORM_CLIP = math.log(1000.0 / 16)  # torchvision's cap on dw, dh before exp()


def _check_weights(
    weights: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    if len(weights) != 4 or any(w <= 0 for w in weights):
        raise ValueError(
            f"weights must be four positive numbers (wx, wy, ww, wh), got {tuple(weights)}"
        )
    return tuple(float(w) for w in weights)


# Argument checks live here, outside the shown sections, so each function reads
# as its math.
def _check_encode_boxes(reference_boxes: object, proposals: object) -> None:
    check_boxes("reference_boxes", reference_boxes)
    check_boxes("proposals", proposals)
    if reference_boxes.shape[0] != proposals.shape[0]:
        raise ValueError(
            f"reference_boxes and proposals must have the same length, "
            f"got {reference_boxes.shape[0]} and {proposals.shape[0]}"
        )


def _check_decode_boxes(rel_codes: object, boxes: object) -> None:
    check_tensor("rel_codes", rel_codes)
    check_boxes("boxes", boxes)
    if (
        rel_codes.dim() != 2
        or rel_codes.shape[1] % 4 != 0
        or rel_codes.shape[0] != boxes.shape[0]
    ):
        raise ValueError(
            f"rel_codes must have shape ({boxes.shape[0]}, 4k) to match boxes, "
            f"got {tuple(rel_codes.shape)}"
        )


def _check_clip_boxes(boxes: object, size: tuple[int, int]) -> None:
    check_tensor("boxes", boxes)
    if boxes.dim() < 1 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes must have shape (..., 4), got {tuple(boxes.shape)}")
    if len(size) != 2 or min(size) < 0:
        raise ValueError(
            f"size must be (height, width) with non-negative entries, got {tuple(size)}"
        )


# --8<-- [start:encode_boxes]
def encode_boxes(
    reference_boxes: Tensor,
    proposals: Tensor,
    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
) -> Tensor:
    """Regression targets that move ``proposals`` onto ``reference_boxes`` (both
    Tensor[N, 4]).

    dx = wx (gx - px) / pw,  dy = wy (gy - py) / ph,
    dw = ww log(gw / pw),    dh = wh log(gh / ph)
    with (x, y) box centres and (w, h) sizes. Returns Tensor[N, 4].
    """
    _check_encode_boxes(reference_boxes, proposals)
    wx, wy, ww, wh = _check_weights(weights)
    pw = proposals[:, 2] - proposals[:, 0]
    ph = proposals[:, 3] - proposals[:, 1]
    px, py = proposals[:, 0] + 0.5 * pw, proposals[:, 1] + 0.5 * ph
    gw = reference_boxes[:, 2] - reference_boxes[:, 0]
    gh = reference_boxes[:, 3] - reference_boxes[:, 1]
    gx, gy = reference_boxes[:, 0] + 0.5 * gw, reference_boxes[:, 1] + 0.5 * gh
    return torch.stack(
        (
            wx * (gx - px) / pw,
            wy * (gy - py) / ph,
            ww * torch.log(gw / pw),
            wh * torch.log(gh / ph),
        ),
        dim=1,
    )
# --8<-- [end:encode_boxes]


# --8<-- [start:decode_boxes]
def decode_boxes(
    rel_codes: Tensor,
    boxes: Tensor,
    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
) -> Tensor:
    """Apply deltas ``rel_codes`` (Tensor[N, 4k]: k sets of dx, dy, dw, dh) to ``boxes``
    (Tensor[N, 4]).

    The inverse of ``encode_boxes``; dw, dh are clamped at log(1000 / 16) before exp()
    so one wild prediction cannot overflow. Returns Tensor[N, 4k].
    """
    _check_decode_boxes(rel_codes, boxes)
    wx, wy, ww, wh = _check_weights(weights)
    boxes = boxes.to(rel_codes.dtype)
    widths = (boxes[:, 2] - boxes[:, 0])[:, None]
    heights = (boxes[:, 3] - boxes[:, 1])[:, None]
    ctr_x, ctr_y = boxes[:, 0, None] + 0.5 * widths, boxes[:, 1, None] + 0.5 * heights
    dx, dy = rel_codes[:, 0::4] / wx, rel_codes[:, 1::4] / wy
    dw = (rel_codes[:, 2::4] / ww).clamp(max=BBOX_XFORM_CLIP)
    dh = (rel_codes[:, 3::4] / wh).clamp(max=BBOX_XFORM_CLIP)
    cx, cy = dx * widths + ctr_x, dy * heights + ctr_y
    half_w, half_h = 0.5 * torch.exp(dw) * widths, 0.5 * torch.exp(dh) * heights
    # (N, k, 4) -> (N, 4k): x1, y1, x2, y2 of each of the k boxes
    return torch.stack(
        (cx - half_w, cy - half_h, cx + half_w, cy + half_h), dim=2
    ).flatten(1)
# --8<-- [end:decode_boxes]


# --8<-- [start:plus1_coder]
def encode_boxes_plus1(reference_boxes: Tensor, proposals: Tensor) -> Tensor:
    """jwyang's ``bbox_transform``: widths are x2 - x1 + 1, centres x1 + 0.5 w."""
    check_boxes("reference_boxes", reference_boxes)
    check_boxes("proposals", proposals)
    pw, ph = (
        proposals[:, 2] - proposals[:, 0] + 1,
        proposals[:, 3] - proposals[:, 1] + 1,
    )
    px, py = proposals[:, 0] + 0.5 * pw, proposals[:, 1] + 0.5 * ph
    gw, gh = (
        reference_boxes[:, 2] - reference_boxes[:, 0] + 1,
        reference_boxes[:, 3] - reference_boxes[:, 1] + 1,
    )
    gx, gy = reference_boxes[:, 0] + 0.5 * gw, reference_boxes[:, 1] + 0.5 * gh
    return torch.stack(
        ((gx - px) / pw, (gy - py) / ph, torch.log(gw / pw), torch.log(gh / ph)), dim=1
    )


def decode_boxes_plus1(deltas: Tensor, boxes: Tensor) -> Tensor:
    """jwyang's ``bbox_transform_inv``: +1 widths in, x2 = cx + 0.5 w (no -1) out."""
    check_boxes("boxes", boxes)
    w, h = boxes[:, 2] - boxes[:, 0] + 1, boxes[:, 3] - boxes[:, 1] + 1
    cx, cy = boxes[:, 0] + 0.5 * w, boxes[:, 1] + 0.5 * h
    pcx, pcy = deltas[:, 0] * w + cx, deltas[:, 1] * h + cy
    pw, ph = torch.exp(deltas[:, 2]) * w, torch.exp(deltas[:, 3]) * h
    return torch.stack(
        (pcx - 0.5 * pw, pcy - 0.5 * ph, pcx + 0.5 * pw, pcy + 0.5 * ph), dim=1
    )
# --8<-- [end:plus1_coder]


# --8<-- [start:clip_boxes]
def clip_boxes(boxes: Tensor, size: tuple[int, int]) -> Tensor:
    """Clamp x to [0, width] and y to [0, height]; ``size`` is (height, width).

    The order of ``size`` is torchvision's.

    ``boxes`` Tensor[..., 4]. Returns a new tensor of the same shape.
    """
    _check_clip_boxes(boxes, size)
    height, width = size
    x = boxes[..., 0::2].clamp(min=0, max=width)
    y = boxes[..., 1::2].clamp(min=0, max=height)
    return torch.stack((x[..., 0], y[..., 0], x[..., 1], y[..., 1]), dim=-1)
# --8<-- [end:clip_boxes]
