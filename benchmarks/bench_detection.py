"""Object detection: our ``nms`` and ``roi_align`` next to ``torchvision.ops`` on the CPU."""

from __future__ import annotations

import torch

from benchmarks._harness import check, measure, ratio_check, skipped, try_import


def _boxes(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` random boxes (x1, y1, x2, y2) in a 1000x1000 image, clustered so NMS has work; distinct scores."""
    centres = torch.rand(n // 10 + 1, 2, generator=generator) * 1000
    picks = torch.randint(0, centres.shape[0], (n,), generator=generator)
    xy = centres[picks] + torch.randn(n, 2, generator=generator) * 20
    wh = 30 + torch.rand(n, 2, generator=generator) * 90
    boxes = torch.cat([xy - wh / 2, xy + wh / 2], dim=1)
    scores = torch.randperm(n, generator=generator).float() / n  # distinct: tie order cannot differ
    return boxes, scores


def run(quick: bool = False) -> dict:
    from torchvision import ops

    generator = torch.Generator().manual_seed(0)
    rows, checks = [], []

    n = 1000
    boxes, scores = _boxes(n, generator)
    nms, missing = try_import("snippets.detection.nms", "nms")
    case, params = "nms", f"{n} boxes, iou_threshold 0.5"
    if nms is None:
        rows.append(skipped(case, missing, params))
    else:
        kept_ours, kept_twin = nms(boxes, scores, 0.5), ops.nms(boxes, scores, 0.5)
        rows.append(measure(case, {
            "ours: nms": lambda: nms(boxes, scores, 0.5),
            "twin: torchvision.ops.nms": lambda: ops.nms(boxes, scores, 0.5),
        }, ours="ours: nms", twin="twin: torchvision.ops.nms", params=params, repeats=7 if quick else 21,
            note=f"kept {kept_twin.numel()} boxes; same indices as torchvision: {torch.equal(kept_ours, kept_twin)}"))
    # same 1,000 boxes in quick mode: the check is judged
    checks.append(ratio_check("nms within 3x of torchvision.ops.nms (CPU, 1,000 boxes)", rows[-1], 3.0,
                              "ours / twin <= 3"))

    channels, side, k = (64, 32, 32) if quick else (256, 50, 128)
    features = torch.randn(2, channels, side, side, generator=generator)
    xy1 = torch.rand(k, 2, generator=generator) * side * 0.7
    wh = 1 + torch.rand(k, 2, generator=generator) * side * 0.3
    rois = torch.cat([torch.randint(0, 2, (k, 1), generator=generator).float(), xy1, xy1 + wh], dim=1)
    roi_align, missing = try_import("snippets.detection.roi", "roi_align")
    case = "roi_align"
    params = f"features (2, {channels}, {side}, {side}), {k} RoIs, 7x7, sampling_ratio 2, aligned"
    if roi_align is None:
        rows.append(skipped(case, missing, params))
    else:
        rows.append(measure(case, {
            "ours: roi_align": lambda: roi_align(features, rois, (7, 7), 1.0, 2, True),
            "twin: torchvision.ops.roi_align": lambda: ops.roi_align(features, rois, (7, 7), 1.0, 2, True),
        }, ours="ours: roi_align", twin="twin: torchvision.ops.roi_align", params=params,
            repeats=3 if quick else 7))
    row = rows[-1]
    checks.append(check("roi_align reported against torchvision.ops.roi_align", "reported (no target)",
                        f"{row['ratio']:.2f}x" if "ratio" in row else None, True if "ratio" in row else None))
    return {"rows": rows, "checks": checks}
