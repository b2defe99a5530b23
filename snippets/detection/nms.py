"""Non-maximum suppression. Twins: ``torchvision.ops.nms`` and ``torchvision.ops.batched_nms``."""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
# --8<-- [end:imports]

from snippets._checks import check_tensor
from snippets.detection.boxes import check_boxes

__all__ = ["pairwise_iou", "nms", "batched_nms"]


def _check_scores(boxes: Tensor, scores: Tensor, iou_threshold: float) -> None:
    check_boxes("boxes", boxes)
    check_tensor("scores", scores)
    if scores.dim() != 1 or scores.shape[0] != boxes.shape[0]:
        raise ValueError(
            f"scores must have shape ({boxes.shape[0]},) to match boxes, got {tuple(scores.shape)}"
        )
    if not iou_threshold >= 0:
        raise ValueError(f"iou_threshold must be >= 0, got {iou_threshold}")


def _check_batched_nms(
    boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float
) -> None:
    _check_scores(boxes, scores, iou_threshold)
    check_tensor("idxs", idxs, floating=False)
    if idxs.is_floating_point() or idxs.is_complex():
        raise TypeError(
            "idxs must be an integer tensor of category ids, "
            f"got {idxs.dtype}; convert it with .long()"
        )
    if idxs.shape != scores.shape:
        raise ValueError(
            f"idxs must have shape ({boxes.shape[0]},) to match boxes, "
            f"got {tuple(idxs.shape)}"
        )


# --8<-- [start:pairwise_iou]
def pairwise_iou(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """IoU of every pair: ``boxes1`` ndarray[N, 4], ``boxes2`` ndarray[M, 4].

    Returns ndarray[N, M].

    ``box_iou`` in NumPy: on one thread, without torch's per-call overhead, it is faster
    for the small blocks that ``nms`` works on.
    """
    # each pair overlaps from the larger top-left to the smaller bottom-right corner
    top_left = np.maximum(boxes1[:, None, :2], boxes2[None, :, :2])  # (N, M, 2)
    bottom_right = np.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = np.clip(bottom_right - top_left, 0, None)  # width, height; 0 when apart
    inter = wh[..., 0] * wh[..., 1]  # `inter`: (N, M)
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    return inter / (area1[:, None] + area2[None, :] - inter)
# --8<-- [end:pairwise_iou]


# --8<-- [start:nms]
def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Greedy NMS: keep the best box, drop every box whose IoU with it is above
    ``iou_threshold``, repeat.

    ``boxes`` Tensor[N, 4] (x1, y1, x2, y2), ``scores`` Tensor[N]. Returns the kept
    indices (Tensor[K], int64) by decreasing score. A box at exactly the threshold is
    kept, as in torchvision.
    """
    _check_scores(boxes, scores, iou_threshold)
    order = torch.argsort(scores, descending=True)
    sorted_boxes = boxes[order].detach().cpu().numpy()
    alive = np.arange(len(order))  # positions (in score order) not suppressed yet
    keep: list[int] = []
    while alive.size:
        # the next block of survivors: greedy pass on their IoU matrix,
        # one row per kept box
        block, rest = alive[:128], alive[128:]
        suppress = (
            pairwise_iou(sorted_boxes[block], sorted_boxes[block]) > iou_threshold
        )
        removed = np.zeros(block.size, dtype=bool)
        kept = []
        for i in range(block.size):
            if not removed[i]:
                kept.append(block[i])
                removed |= suppress[i]
        keep += kept
        # every later box that a kept box overlaps is gone, in one vectorized step
        if rest.size:
            rest = rest[
                ~(
                    pairwise_iou(sorted_boxes[kept], sorted_boxes[rest]) > iou_threshold
                ).any(axis=0)
            ]
        alive = rest
    return order[torch.as_tensor(keep, dtype=torch.int64, device=order.device)]
# --8<-- [end:nms]


# --8<-- [start:batched_nms]
def batched_nms(
    boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float
) -> Tensor:
    """NMS within each category ``idxs`` (Tensor[N], int): categories never suppress
    each other.

    Shift every category's boxes by its own offset, larger than any coordinate, so boxes
    of two categories cannot overlap, then run one ``nms``. Returns kept indices by
    decreasing score.
    """
    _check_batched_nms(boxes, scores, idxs, iou_threshold)
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    offsets = idxs.to(boxes) * (boxes.max() + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)
# --8<-- [end:batched_nms]
