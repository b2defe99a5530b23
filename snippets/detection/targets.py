"""Training targets: which anchors and which proposals are positive, and what they regress to.

Twins: jwyang's ``anchor_target_layer.py`` and ``proposal_target_layer_cascade.py``;
``torchvision.models.detection._utils.Matcher`` + ``BalancedPositiveNegativeSampler``.
Label convention: 1 positive (or a class id), 0 background, -1 ignored.
"""

# --8<-- [start:imports]
from __future__ import annotations

import torch
from torch import Tensor

from snippets.detection.boxes import box_iou, check_boxes, encode_boxes
# --8<-- [end:imports]

__all__ = ["subsample", "anchor_targets", "proposal_targets"]


# --8<-- [start:subsample]
def subsample(
    labels: Tensor,
    batch_size: int,
    fg_fraction: float,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Keep at most ``fg_fraction * batch_size`` positives (labels > 0) and fill up to
    ``batch_size`` with negatives (labels == 0); the rest become -1. Random choice, as
    in jwyang (npr.choice)."""
    labels = labels.clone()
    fg = torch.nonzero(labels > 0).flatten()
    max_fg = int(fg_fraction * batch_size)
    if fg.numel() > max_fg:
        drop = fg[torch.randperm(fg.numel(), generator=generator)[max_fg:]]
        labels[drop] = -1
    bg = torch.nonzero(labels == 0).flatten()
    max_bg = batch_size - int((labels > 0).sum())
    if bg.numel() > max_bg:
        drop = bg[torch.randperm(bg.numel(), generator=generator)[max_bg:]]
        labels[drop] = -1
    return labels
# --8<-- [end:subsample]


# --8<-- [start:anchor_targets]
def anchor_targets(
    anchors: Tensor,
    gt_boxes: Tensor,
    image_size: tuple[int, int],
    pos_iou: float = 0.7,
    neg_iou: float = 0.3,
    batch_size: int = 256,
    fg_fraction: float = 0.5,
    allowed_border: float = 0.0,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """Labels (Tensor[A], 1 / 0 / -1) and regression targets (Tensor[A, 4]) for the RPN.

    jwyang defaults: anchors that cross the image border by more than ``allowed_border``
    are ignored; IoU < 0.3 with every gt is negative; the best anchor of each gt (all
    ties) and any anchor with IoU >= 0.7 are positive; then 256 are sampled, at most
    half positive.
    """
    check_boxes("anchors", anchors)
    check_boxes("gt_boxes", gt_boxes)
    height, width = image_size
    labels = torch.full((anchors.shape[0],), -1.0)
    targets = torch.zeros_like(anchors)
    inside = (
        (anchors[:, 0] >= -allowed_border)
        & (anchors[:, 1] >= -allowed_border)
        & (anchors[:, 2] < width + allowed_border)
        & (anchors[:, 3] < height + allowed_border)
    )
    if gt_boxes.shape[0] == 0:  # no objects: every inside anchor is a negative
        labels[inside] = 0
        return subsample(labels, batch_size, fg_fraction, generator), targets
    iou = box_iou(anchors, gt_boxes)  # (A, G)
    iou[~inside] = -1.0
    max_iou, argmax = iou.max(dim=1)
    labels[inside & (max_iou < neg_iou)] = 0
    # the best anchor(s) of every gt is positive, even below pos_iou
    # (else a small gt gets none)
    best_per_gt = iou.max(dim=0).values
    is_best = ((iou == best_per_gt[None]) & (best_per_gt[None] > 0)).any(dim=1)
    labels[is_best] = 1
    labels[max_iou >= pos_iou] = 1
    labels = subsample(labels, batch_size, fg_fraction, generator)
    positive = labels == 1
    targets[positive] = encode_boxes(gt_boxes[argmax[positive]], anchors[positive])
    return labels, targets
# --8<-- [end:anchor_targets]


# Argument checks live here, outside the shown sections, so each function reads
# as its math.
def _check_proposal_targets(
    proposals: Tensor, gt_boxes: Tensor, gt_labels: Tensor
) -> None:
    check_boxes("proposals", proposals)
    check_boxes("gt_boxes", gt_boxes)
    if gt_labels.shape != (gt_boxes.shape[0],):
        raise ValueError(
            f"gt_labels must have shape ({gt_boxes.shape[0]},), "
            f"got {tuple(gt_labels.shape)}"
        )


# --8<-- [start:proposal_targets]
def proposal_targets(
    proposals: Tensor,
    gt_boxes: Tensor,
    gt_labels: Tensor,
    batch_size: int = 128,
    fg_fraction: float = 0.25,
    fg_thresh: float = 0.5,
    bg_thresh_hi: float = 0.5,
    bg_thresh_lo: float = 0.0,
    weights: tuple[float, float, float, float] = (10.0, 10.0, 5.0, 5.0),
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """Sample RoIs for the detection head.

    Returns (rois Tensor[R, 4], labels Tensor[R], targets Tensor[R, 4]).

    The gt boxes are appended to the proposals (so every gt has a perfect RoI); RoIs
    with IoU >= ``fg_thresh`` take their gt's class, IoU in [bg_thresh_lo, bg_thresh_hi)
    are background; at most ``fg_fraction`` of ``batch_size`` are foreground. Targets
    use ``weights`` (10, 10, 5, 5), i.e. jwyang's normalising stds (0.1, 0.1, 0.2, 0.2).
    """
    _check_proposal_targets(proposals, gt_boxes, gt_labels)
    rois = torch.cat([proposals, gt_boxes])
    if gt_boxes.shape[0] == 0:
        labels = torch.zeros(rois.shape[0], dtype=torch.int64)
        keep = torch.randperm(rois.shape[0], generator=generator)[:batch_size]
        return rois[keep], labels[keep], torch.zeros(keep.numel(), 4)
    max_iou, argmax = box_iou(rois, gt_boxes).max(dim=1)
    marks = torch.full((rois.shape[0],), -1.0)
    marks[(max_iou >= bg_thresh_lo) & (max_iou < bg_thresh_hi)] = 0
    marks[max_iou >= fg_thresh] = 1
    keep = torch.nonzero(
        subsample(marks, batch_size, fg_fraction, generator) >= 0
    ).flatten()
    rois, argmax, fg = rois[keep], argmax[keep], marks[keep] == 1
    labels = torch.where(fg, gt_labels[argmax], torch.zeros_like(gt_labels[argmax]))
    targets = torch.where(
        fg[:, None], encode_boxes(gt_boxes[argmax], rois, weights), 0.0
    )  # 0 for background
    return rois, labels, targets
# --8<-- [end:proposal_targets]
