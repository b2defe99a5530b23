"""Non-maximum suppression. Twins: ``torchvision.ops.nms`` and ``torchvision.ops.batched_nms``."""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from snippets._checks import check_tensor
from snippets.detection.boxes import check_boxes
# --8<-- [end:imports]

__all__ = ["pairwise_iou", "nms", "batched_nms"]


def _check_scores(boxes: Tensor, scores: Tensor, iou_threshold: float) -> None:
    check_boxes("boxes", boxes)
    check_tensor("scores", scores)
    if scores.dim() != 1 or scores.shape[0] != boxes.shape[0]:
        raise ValueError(f"scores must have shape ({boxes.shape[0]},) to match boxes, got {tuple(scores.shape)}")
    if not iou_threshold >= 0:
        raise ValueError(f"iou_threshold must be >= 0, got {iou_threshold}")


# --8<-- [start:pairwise_iou]
def pairwise_iou(boxes: np.ndarray) -> np.ndarray:
    """IoU of every pair of ``boxes`` (ndarray[N, 4]) -> ndarray[N, N]; ``box_iou`` in NumPy.

    NumPy runs this on one thread without per-call dispatch cost: on a small, busy CPU it is
    several times faster than the same torch expression for N ~ 1,000.
    """
    x1, y1, x2, y2 = boxes.T
    area = (x2 - x1) * (y2 - y1)
    # in-place steps: each full (N, N) pass costs, so allocate as few as possible
    tmp = np.maximum(x1[:, None], x1[None, :])
    inter = np.minimum(x2[:, None], x2[None, :])
    inter -= tmp  # intersection width
    np.maximum(inter, 0, out=inter)
    np.maximum(y1[:, None], y1[None, :], out=tmp)
    height = np.minimum(y2[:, None], y2[None, :])
    height -= tmp
    np.maximum(height, 0, out=height)
    inter *= height  # `inter`: (N, N)
    np.add(area[:, None], area[None, :], out=tmp)
    tmp -= inter  # union
    return np.divide(inter, tmp, out=inter)
# --8<-- [end:pairwise_iou]


# --8<-- [start:nms]
def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Greedy NMS: keep the best box, drop every box whose IoU with it is > ``iou_threshold``, repeat.

    ``boxes`` Tensor[N, 4] (x1, y1, x2, y2), ``scores`` Tensor[N]. Returns the kept indices
    (Tensor[K], int64) by decreasing score. A box at exactly the threshold is kept, as in torchvision.
    """
    _check_scores(boxes, scores, iou_threshold)
    order = torch.argsort(scores, descending=True)
    # all pairwise overlaps at once, in score order: suppress[i, j] = box i would remove box j
    suppress = pairwise_iou(boxes[order].detach().cpu().numpy()) > iou_threshold
    removed = np.zeros(len(order), dtype=bool)
    keep = []
    for i in range(len(order)):  # the greedy pass is sequential: box i survives only if no kept box removed it
        if removed[i]:
            continue
        keep.append(i)
        removed |= suppress[i]
    return order[torch.as_tensor(keep, dtype=torch.int64, device=order.device)]
# --8<-- [end:nms]


# --8<-- [start:batched_nms]
def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS within each category ``idxs`` (Tensor[N], int): boxes of different categories never suppress.

    Shift every category's boxes by its own offset, larger than any coordinate, so boxes of two
    categories cannot overlap, then run one ``nms``. Returns kept indices by decreasing score.
    """
    _check_scores(boxes, scores, iou_threshold)
    check_tensor("idxs", idxs, floating=False)
    if idxs.is_floating_point() or idxs.is_complex():
        raise TypeError(f"idxs must be an integer tensor of category ids, got {idxs.dtype}; convert it with .long()")
    if idxs.shape != scores.shape:
        raise ValueError(f"idxs must have shape ({boxes.shape[0]},) to match boxes, got {tuple(idxs.shape)}")
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.int64, device=boxes.device)
    offsets = idxs.to(boxes) * (boxes.max() + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)
# --8<-- [end:batched_nms]
