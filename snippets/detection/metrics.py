"""Mean average precision: at one IoU threshold (PASCAL VOC 2010+ "all points" AP) and COCO-style.

Twins: ``pycocotools.cocoeval.COCOeval`` (``coco_map``, equal to within 1e-6, tested);
in spirit ``torchmetrics.detection.MeanAveragePrecision`` and py-faster-rcnn's ``voc_eval``
(use_07_metric=False) for ``average_precision``.
"""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from snippets.detection.boxes import box_iou
# --8<-- [end:imports]

__all__ = [
    "match_detections",
    "ap_from_matches",
    "average_precision",
    "COCO_AREAS",
    "coco_iou",
    "coco_match",
    "coco_precision",
    "coco_map",
]


# --8<-- [start:match_detections]
def match_detections(
    boxes: Tensor, scores: Tensor, gt_boxes: Tensor, iou_threshold: float = 0.5
) -> Tensor:
    """True positive flags (Tensor[D], bool) for detections of one class in one image.

    In order of decreasing score, a detection is a true positive if its best-overlapping
    gt (IoU >= ``iou_threshold``) is not yet taken; a second detection of the same gt is
    a false positive.
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
    """Area under the precision envelope: sort by score, accumulate precision and
    recall, make precision non-increasing from the right, sum precision x recall
    steps."""
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


# Argument checks live here, outside the shown sections, so each function reads
# as its math.
def _check_same_length(detections: Sequence, ground_truths: Sequence) -> None:
    if len(detections) != len(ground_truths):
        raise ValueError(
            f"detections and ground_truths must have the same length, "
            f"got {len(detections)} and {len(ground_truths)}"
        )


# --8<-- [start:average_precision]
def average_precision(
    detections: Sequence[tuple[Tensor, Tensor, Tensor]],
    ground_truths: Sequence[tuple[Tensor, Tensor]],
    num_classes: int,
    iou_threshold: float = 0.5,
) -> dict[str, object]:
    """mAP over images. ``detections[i]`` = (boxes Tensor[D, 4], scores Tensor[D],
    labels Tensor[D]), ``ground_truths[i]`` = (boxes Tensor[G, 4], labels Tensor[G]);
    classes are 1..num_classes.

    Returns {"ap": [AP of class 1, ..., num_classes],
    "map": mean over the classes that have gt}.
    """
    _check_same_length(detections, ground_truths)
    aps = []
    for c in range(1, num_classes + 1):
        scores, flags, num_gt = [], [], 0
        for (boxes, det_scores, labels), (gt_boxes, gt_labels) in zip(
            detections, ground_truths
        ):
            mine, gt_mine = labels == c, gt_labels == c
            num_gt += int(gt_mine.sum())
            scores.append(det_scores[mine])
            flags.append(
                match_detections(
                    boxes[mine], det_scores[mine], gt_boxes[gt_mine], iou_threshold
                )
            )
        aps.append(ap_from_matches(torch.cat(scores), torch.cat(flags), num_gt))
    valid = [ap for ap in aps if ap == ap]  # drop NaN: classes without gt
    return {"ap": aps, "map": sum(valid) / len(valid) if valid else float("nan")}
# --8<-- [end:average_precision]


def _check_eval_inputs(
    detections: Sequence, ground_truths: Sequence, num_classes: int
) -> None:
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    _check_same_length(detections, ground_truths)
    for i, (det, gt) in enumerate(zip(detections, ground_truths)):
        if len(det) != 3 or len(gt) != 2:
            raise ValueError(
                f"image {i}: expected detections (boxes, scores, labels) and ground truth "
                f"(boxes, labels), got {len(det)} and {len(gt)} items"
            )
        (boxes, scores, labels), (gt_boxes, gt_labels) = det, gt
        for name, b, n in (
            ("detection boxes", boxes, labels),
            ("gt boxes", gt_boxes, gt_labels),
        ):
            if not isinstance(b, Tensor) or b.dim() != 2 or b.shape[1] != 4:
                raise ValueError(
                    f"image {i}: {name} must be a Tensor[N, 4] (x1, y1, x2, y2), "
                    f"got {tuple(getattr(b, 'shape', ()))}"
                )
            if not isinstance(n, Tensor) or n.shape != (b.shape[0],):
                raise ValueError(
                    f"image {i}: {name} and their labels disagree: {tuple(b.shape)} boxes, "
                    f"labels of shape {tuple(getattr(n, 'shape', ()))}"
                )
            if n.numel() and (
                n.is_floating_point() or n.min() < 1 or n.max() > num_classes
            ):
                raise ValueError(
                    f"image {i}: labels must be integers in 1..{num_classes}, "
                    f"got {sorted(set(n.tolist()))}"
                )
            if b.numel() and bool(((b[:, 2] < b[:, 0]) | (b[:, 3] < b[:, 1])).any()):
                raise ValueError(
                    f"image {i}: {name} must satisfy x1 <= x2 and y1 <= y2"
                )
        if not isinstance(scores, Tensor) or scores.shape != (boxes.shape[0],):
            raise ValueError(
                f"image {i}: scores must be a Tensor[{boxes.shape[0]}], "
                f"got {tuple(getattr(scores, 'shape', ()))}"
            )
        if scores.numel() and not bool(torch.isfinite(scores).all()):
            raise ValueError(f"image {i}: scores must be finite")


# --8<-- [start:coco_iou]
COCO_AREAS = {
    "all": (0.0, 1e10),
    "small": (0.0, 32.0**2),
    "medium": (32.0**2, 96.0**2),
    "large": (96.0**2, 1e10),
}


def _xywh(boxes: Tensor) -> np.ndarray:
    """(x1, y1, x2, y2) -> (x, y, w, h) in float64, the form COCO stores."""
    b = boxes.detach().double().reshape(-1, 4).numpy()
    return np.stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)


def coco_iou(dt: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """IoU of boxes given as (x, y, w, h): ndarray[D, 4] and ndarray[G, 4], float64.

    Returns ndarray[D, G].

    The arithmetic of pycocotools' ``bbIou`` (continuous boxes, no +1), step for step,
    so that an IoU exactly at a threshold is decided as COCOeval decides it.
    """
    w = np.minimum(
        dt[:, None, 0] + dt[:, None, 2], gt[None, :, 0] + gt[None, :, 2]
    ) - np.maximum(dt[:, None, 0], gt[None, :, 0])
    h = np.minimum(
        dt[:, None, 1] + dt[:, None, 3], gt[None, :, 1] + gt[None, :, 3]
    ) - np.maximum(dt[:, None, 1], gt[None, :, 1])
    inter = np.where((w > 0) & (h > 0), w * h, 0.0)
    union = dt[:, None, 2] * dt[:, None, 3] + gt[None, :, 2] * gt[None, :, 3] - inter
    return np.where(inter > 0, inter / np.where(inter > 0, union, 1.0), 0.0)
# --8<-- [end:coco_iou]


# --8<-- [start:coco_match]
def coco_match(
    dt: np.ndarray,
    gt: np.ndarray,
    area_range: tuple[float, float],
    iou_thresholds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match one image's detections of one class (``dt``: (x, y, w, h) sorted by score,
    at most 100) to its ground truth ``gt``, at every threshold, as
    ``COCOeval.evaluateImg`` does.

    Returns matched (bool[T, D]), ignored detections (bool[T, D]) and ignored gt
    (bool[G]).
    """
    gt_area, dt_area = gt[:, 2] * gt[:, 3], dt[:, 2] * dt[:, 3]
    gt_ignore = (gt_area < area_range[0]) | (gt_area > area_range[1])
    gt = gt[np.argsort(gt_ignore, kind="mergesort")]  # gt in the range first
    gt_ignore = np.sort(gt_ignore, kind="mergesort")
    iou = coco_iou(dt, gt)
    matched = np.zeros((len(iou_thresholds), len(dt)), dtype=bool)
    ignored = np.zeros_like(matched)
    for t, threshold in enumerate(iou_thresholds):
        taken = np.zeros(len(gt), dtype=bool)
        for d in range(len(dt)):  # greedy, by decreasing score
            best, m = min(threshold, 1 - 1e-10), -1
            for g in range(len(gt)):
                if taken[g]:
                    continue
                if m > -1 and not gt_ignore[m] and gt_ignore[g]:
                    break  # a match in the range beats any ignored gt
                if iou[d, g] >= best:
                    best, m = iou[d, g], g
            if m > -1:
                matched[t, d], ignored[t, d], taken[m] = True, gt_ignore[m], True
    # an unmatched detection outside the area range is not counted either
    outside = (dt_area < area_range[0]) | (dt_area > area_range[1])
    ignored |= ~matched & outside[None, :]
    return matched, ignored, gt_ignore
# --8<-- [end:coco_match]


# --8<-- [start:coco_precision]
def coco_precision(
    scores: np.ndarray,
    matched: np.ndarray,
    ignored: np.ndarray,
    num_gt: int,
    recall_points: np.ndarray,
) -> np.ndarray:
    """Precision at each recall point (ndarray[T, R]) for one class over all images, as
    ``COCOeval.accumulate``: sort by score (stable), count TP and FP among the
    detections not ignored, make precision non-increasing from the right, read it at
    each recall."""
    order = np.argsort(-scores, kind="mergesort")
    tp = np.cumsum(matched[:, order] & ~ignored[:, order], axis=1).astype(float)
    fp = np.cumsum(~matched[:, order] & ~ignored[:, order], axis=1).astype(float)
    result = np.zeros((matched.shape[0], len(recall_points)))
    for t in range(matched.shape[0]):
        recall = tp[t] / num_gt
        precision = np.maximum.accumulate(
            (tp[t] / (tp[t] + fp[t] + np.spacing(1)))[::-1]
        )[::-1]
        at = np.searchsorted(recall, recall_points, side="left")
        inside = at < len(recall)  # recall points never reached keep precision 0
        result[t, inside] = precision[at[inside]]
    return result
# --8<-- [end:coco_precision]


# --8<-- [start:coco_map]
def coco_map(
    detections: Sequence[tuple[Tensor, Tensor, Tensor]],
    ground_truths: Sequence[tuple[Tensor, Tensor]],
    num_classes: int,
) -> dict[str, float]:
    """COCO's box AP: arguments as in ``average_precision``. IoU thresholds
    0.50:0.05:0.95, 101 recall points, at most 100 detections per image and class
    (COCOeval's cut), areas judged on the gt box (on the detection's own box when it is
    unmatched).

    Returns {"map", "map_50", "map_75", "map_small", "map_medium", "map_large"}: each
    the mean over classes (and thresholds) that have gt in the range; -1 where none has,
    as COCOeval.
    """
    _check_eval_inputs(detections, ground_truths, num_classes)
    thresholds = np.linspace(0.5, 0.95, 10)  # COCOeval's own np.linspace: 0.75 is exact
    recall_points = np.linspace(0.0, 1.00, 101)
    curves = {}  # (class, area) -> precision ndarray[T, R]
    for c in range(1, num_classes + 1):
        per_image = []
        for (boxes, scores, labels), (gt_boxes, gt_labels) in zip(
            detections, ground_truths
        ):
            s = scores[labels == c].double().numpy()
            order = np.argsort(-s, kind="mergesort")[:100]  # best 100 of this class
            per_image.append(
                (
                    _xywh(boxes[labels == c])[order],
                    s[order],
                    _xywh(gt_boxes[gt_labels == c]),
                )
            )
        for area, rng in COCO_AREAS.items():
            runs = [
                (coco_match(dt, gt, rng, thresholds), s)
                for dt, s, gt in per_image
                if len(dt) or len(gt)
            ]
            num_gt = sum(int((~gt_ignore).sum()) for (_, _, gt_ignore), _ in runs)
            if num_gt == 0:
                continue  # COCO: -1, left out of the mean
            matched = np.concatenate([m for (m, _, _), _ in runs], axis=1)
            ignored = np.concatenate([i for (_, i, _), _ in runs], axis=1)
            scores_all = np.concatenate([s for _, s in runs])
            curves[c, area] = coco_precision(
                scores_all, matched, ignored, num_gt, recall_points
            )

    def mean(area: str, t: slice | int = slice(None)) -> float:
        values = [curve[t].mean() for (_, a), curve in curves.items() if a == area]
        return float(np.mean(values)) if values else -1.0

    return {
        "map": mean("all"),
        "map_50": mean("all", 0),
        "map_75": mean("all", 5),
        "map_small": mean("small"),
        "map_medium": mean("medium"),
        "map_large": mean("large"),
    }
# --8<-- [end:coco_map]
