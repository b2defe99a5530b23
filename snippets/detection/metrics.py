"""Mean average precision at an IoU threshold (PASCAL VOC 2010+ "all points" AP).

Twin in spirit: ``torchmetrics.detection.MeanAveragePrecision(iou_thresholds=[0.5])``
(which uses COCO's 101-point interpolation) and py-faster-rcnn's ``voc_eval`` (use_07_metric=False).
"""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from snippets.detection.boxes import box_iou
# --8<-- [end:imports]

__all__ = ["match_detections", "ap_from_matches", "average_precision"]


# --8<-- [start:match_detections]
def match_detections(boxes: Tensor, scores: Tensor, gt_boxes: Tensor, iou_threshold: float = 0.5) -> Tensor:
    """True positive flags (Tensor[D], bool) for detections of one class in one image.

    In order of decreasing score, a detection is a true positive if its best-overlapping gt
    (IoU >= ``iou_threshold``) is not yet taken; a second detection of the same gt is a false positive.
    """
    is_tp = torch.zeros(boxes.shape[0], dtype=torch.bool)
    if boxes.shape[0] == 0 or gt_boxes.shape[0] == 0:
        return is_tp
    iou = box_iou(boxes, gt_boxes)
    taken = torch.zeros(gt_boxes.shape[0], dtype=torch.bool)
    for d in torch.argsort(scores, descending=True).tolist():
        best_iou, g = iou[d].max(dim=0)
        if best_iou >= iou_threshold and not taken[g]:
            is_tp[d] = True
            taken[g] = True
    return is_tp
# --8<-- [end:match_detections]


# --8<-- [start:ap_from_matches]
def ap_from_matches(scores: Tensor, is_tp: Tensor, num_gt: int) -> float:
    """Area under the precision envelope: sort by score, accumulate precision and recall,
    make precision non-increasing from the right, sum precision x recall steps."""
    if num_gt == 0:
        return float("nan")
    order = torch.argsort(scores, descending=True, stable=True)
    tp = is_tp[order].double().cumsum(0)
    fp = (~is_tp[order]).double().cumsum(0)
    recall = torch.cat([torch.zeros(1), tp / num_gt, torch.ones(1)])
    precision = torch.cat([torch.zeros(1), tp / (tp + fp).clamp(min=1), torch.zeros(1)])
    # envelope: precision at recall r = best precision at any recall >= r
    precision = precision.flip(0).cummax(0).values.flip(0)
    steps = recall[1:] != recall[:-1]
    return float(((recall[1:] - recall[:-1])[steps] * precision[1:][steps]).sum())
# --8<-- [end:ap_from_matches]


# --8<-- [start:average_precision]
def average_precision(detections: Sequence[tuple[Tensor, Tensor, Tensor]],
                      ground_truths: Sequence[tuple[Tensor, Tensor]], num_classes: int,
                      iou_threshold: float = 0.5) -> dict[str, object]:
    """mAP over images. ``detections[i]`` = (boxes Tensor[D, 4], scores Tensor[D], labels Tensor[D]),
    ``ground_truths[i]`` = (boxes Tensor[G, 4], labels Tensor[G]); classes are 1..num_classes.

    Returns {"ap": [AP of class 1, ..., num_classes], "map": mean over classes that have gt}.
    """
    if len(detections) != len(ground_truths):
        raise ValueError(f"detections and ground_truths must have the same length, "
                         f"got {len(detections)} and {len(ground_truths)}")
    aps = []
    for c in range(1, num_classes + 1):
        scores, flags, num_gt = [], [], 0
        for (boxes, det_scores, labels), (gt_boxes, gt_labels) in zip(detections, ground_truths):
            mine, gt_mine = labels == c, gt_labels == c
            num_gt += int(gt_mine.sum())
            scores.append(det_scores[mine])
            flags.append(match_detections(boxes[mine], det_scores[mine], gt_boxes[gt_mine], iou_threshold))
        aps.append(ap_from_matches(torch.cat(scores), torch.cat(flags), num_gt))
    valid = [ap for ap in aps if ap == ap]  # drop NaN: classes without gt
    return {"ap": aps, "map": sum(valid) / len(valid) if valid else float("nan")}
# --8<-- [end:average_precision]
