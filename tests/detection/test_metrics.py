"""snippets.detection.metrics: AP on hand-computed cases."""

from __future__ import annotations

import pytest
import torch

from snippets.detection.metrics import ap_from_matches, average_precision, match_detections


class TestApFromMatches:
    def test_hand_computed(self):
        """TP, FP, TP with 2 gt: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 -> AP = 0.5 * 1 + 0.5 * 2/3."""
        ap = ap_from_matches(torch.tensor([0.9, 0.8, 0.7]), torch.tensor([True, False, True]), num_gt=2)
        assert ap == pytest.approx(0.5 + 0.5 * 2 / 3)

    def test_envelope(self):
        """TP FP FP TP TP, 3 gt: precision 1, .5, .33, .5, .6 -> the dip at recall 2/3 is lifted to 0.6:
        AP = (1 + 0.6 + 0.6) / 3, not (1 + 0.5 + 0.6) / 3."""
        flags = torch.tensor([True, False, False, True, True])
        ap = ap_from_matches(torch.tensor([0.9, 0.8, 0.7, 0.6, 0.5]), flags, num_gt=3)
        assert ap == pytest.approx((1 + 0.6 + 0.6) / 3)

    def test_missed_gt_caps_recall(self):
        """One perfect detection of 2 gt: AP 0.5."""
        assert ap_from_matches(torch.tensor([0.9]), torch.tensor([True]), 2) == pytest.approx(0.5)

    def test_no_gt_is_nan(self):
        """A class without gt has no AP."""
        assert ap_from_matches(torch.tensor([0.9]), torch.tensor([False]), 0) != ap_from_matches(
            torch.tensor([0.9]), torch.tensor([False]), 0)


class TestMatchDetections:
    def test_duplicate_is_false_positive(self):
        """Two detections of one gt: the higher-scored is TP, the other FP."""
        gt = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
        det = torch.tensor([[0.0, 0.0, 10.0, 9.0], [0.0, 0.0, 10.0, 10.0]])
        assert match_detections(det, torch.tensor([0.5, 0.9]), gt).tolist() == [False, True]


class TestAveragePrecision:
    def test_two_images_two_classes(self):
        """Class 1: AP 0.8333 (as above, split over two images); class 2: perfect, AP 1; mAP = 0.9167."""
        gt = [(torch.tensor([[0.0, 0, 10, 10], [20.0, 20, 30, 30]]), torch.tensor([1, 2])),
              (torch.tensor([[0.0, 0, 10, 10]]), torch.tensor([1]))]
        dets = [(torch.tensor([[0.0, 0, 10, 10], [40.0, 40, 50, 50], [20.0, 20, 30, 30]]),
                 torch.tensor([0.9, 0.8, 0.6]), torch.tensor([1, 1, 2])),
                (torch.tensor([[1.0, 0, 10, 10]]), torch.tensor([0.7]), torch.tensor([1]))]
        result = average_precision(dets, gt, num_classes=2)
        assert result["ap"] == pytest.approx([0.5 + 0.5 * 2 / 3, 1.0])
        assert result["map"] == pytest.approx((0.5 + 0.5 * 2 / 3 + 1.0) / 2)

    def test_rejects_mismatched_lengths(self):
        """One detection list per image."""
        with pytest.raises(ValueError, match="same length, got 1 and 0"):
            average_precision([(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0))], [], 1)


# --- COCO-style AP held to pycocotools ----------------------------------------------------

import contextlib  # noqa: E402
import io  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from snippets.detection.metrics import coco_map  # noqa: E402

KEYS = ("map", "map_50", "map_75", "map_small", "map_medium", "map_large")


def pycocotools_map(detections, ground_truths, num_classes):
    """The same data through pycocotools' COCOeval (bbox); its six headline numbers."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    def xywh(b):
        x1, y1, x2, y2 = (float(v) for v in b)
        return [x1, y1, x2 - x1, y2 - y1]

    images = [{"id": i + 1} for i in range(len(ground_truths))]
    anns = [{"id": len(anns_id) + 1, "image_id": i + 1, "category_id": int(l), "bbox": xywh(b),
             "area": xywh(b)[2] * xywh(b)[3], "iscrowd": 0}
            for anns_id in [[]] for i, (boxes, labels) in enumerate(ground_truths)
            for b, l in zip(boxes.tolist(), labels.tolist()) if anns_id.append(0) is None]
    results = [{"image_id": i + 1, "category_id": int(l), "bbox": xywh(b), "score": float(s)}
               for i, (boxes, scores, labels) in enumerate(detections)
               for b, s, l in zip(boxes.double().tolist(), scores.double().tolist(), labels.tolist())]
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {"images": images, "annotations": anns,
                      "categories": [{"id": c} for c in range(1, num_classes + 1)]}
        gt.createIndex()
        if not results:
            return None
        evaluator = COCOeval(gt, gt.loadRes(results), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return dict(zip(KEYS, (evaluator.stats[k] for k in (0, 1, 2, 3, 4, 5))))


@st.composite
def coco_cases(draw):
    """1-4 images, 1-3 classes; integer-corner boxes from 2 to 130 pixels (all three COCO areas),
    detections near the gt or anywhere, scores from a few values (ties) or any float."""
    num_classes = draw(st.integers(1, 3))
    coarse = draw(st.booleans())
    score = st.sampled_from([0.25, 0.5, 0.75]) if coarse else st.floats(0.01, 1.0)

    def box(x, y, w, h):
        return [float(x), float(y), float(x + w), float(y + h)]

    dets, gts = [], []
    for _ in range(draw(st.integers(1, 4))):
        side = st.integers(2, 130)
        corner = st.integers(0, 60)
        g = [box(draw(corner), draw(corner), draw(side), draw(side)) for _ in range(draw(st.integers(0, 4)))]
        gl = [draw(st.integers(1, num_classes)) for _ in g]
        d, dl, ds = [], [], []
        for b, l in zip(g, gl):
            for _ in range(draw(st.integers(0, 2))):
                jitter = [draw(st.integers(-3, 3)) for _ in range(4)]
                x1, y1 = b[0] + jitter[0], b[1] + jitter[1]
                d.append([x1, y1, max(x1, b[2] + jitter[2]), max(y1, b[3] + jitter[3])])
                dl.append(l if draw(st.integers(0, 4)) else draw(st.integers(1, num_classes)))
                ds.append(draw(score))
        for _ in range(draw(st.integers(0, 3))):
            d.append(box(draw(corner), draw(corner), draw(side), draw(side)))
            dl.append(draw(st.integers(1, num_classes)))
            ds.append(draw(score))
        dets.append((torch.tensor(d).reshape(-1, 4), torch.tensor(ds, dtype=torch.float64),
                     torch.tensor(dl, dtype=torch.int64)))
        gts.append((torch.tensor(g).reshape(-1, 4), torch.tensor(gl, dtype=torch.int64)))
    return dets, gts, num_classes


def assert_matches_pycocotools(dets, gts, num_classes):
    ours = coco_map(dets, gts, num_classes)
    ref = pycocotools_map(dets, gts, num_classes)
    assert set(ours) == set(KEYS)
    if ref is None:  # pycocotools cannot load an empty result list
        return
    for key in KEYS:
        assert ours[key] == pytest.approx(ref[key], abs=1e-6), key


class TestCocoMap:
    @settings(max_examples=25, deadline=None)
    @given(coco_cases())
    def test_matches_pycocotools(self, case):
        """Random images, boxes, classes and scores: the six numbers equal COCOeval's to 1e-6."""
        assert_matches_pycocotools(*case)

    def test_empty_images_and_class_without_gt(self):
        """An image with nothing, an image with only false alarms, class 3 without any gt."""
        gts = [(torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64)),
               (torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64)),
               (torch.tensor([[0.0, 0, 40, 40], [50.0, 50, 60, 60]]), torch.tensor([1, 2]))]
        dets = [(torch.zeros(0, 4), torch.zeros(0), torch.zeros(0, dtype=torch.int64)),
                (torch.tensor([[5.0, 5, 20, 20]]), torch.tensor([0.9]), torch.tensor([3])),
                (torch.tensor([[0.0, 0, 40, 38], [50.0, 50, 60, 61]]), torch.tensor([0.8, 0.7]),
                 torch.tensor([1, 2]))]
        assert_matches_pycocotools(dets, gts, 3)
        assert coco_map(dets, gts, 3)["map_large"] == -1.0  # no gt above 96^2

    def test_ties_in_score(self):
        """Equal scores across images: the stable sort keeps image order, as COCOeval's mergesort."""
        gt = (torch.tensor([[0.0, 0, 10, 10]]), torch.tensor([1]))
        hit = (torch.tensor([[0.0, 0, 10, 10]]), torch.tensor([0.5]), torch.tensor([1]))
        miss = (torch.tensor([[30.0, 30, 40, 40]]), torch.tensor([0.5]), torch.tensor([1]))
        assert_matches_pycocotools([miss, hit], [gt, gt], 1)
        assert_matches_pycocotools([hit, miss], [gt, gt], 1)

    def test_known_values(self):
        """One perfect detection: every AP is 1; a box at IoU 0.6 counts for 3 of the 10 thresholds."""
        gt = [(torch.tensor([[0.0, 0, 100, 100]]), torch.tensor([1]))]
        perfect = [(torch.tensor([[0.0, 0, 100, 100]]), torch.tensor([0.9]), torch.tensor([1]))]
        result = coco_map(perfect, gt, 1)
        assert result == pytest.approx({"map": 1.0, "map_50": 1.0, "map_75": 1.0, "map_small": -1.0,
                                        "map_medium": -1.0, "map_large": 1.0})
        shifted = [(torch.tensor([[0.0, 0, 100, 60]]), torch.tensor([0.9]), torch.tensor([1]))]
        result = coco_map(shifted, gt, 1)  # IoU 0.6: a hit at 0.50, 0.55, 0.60
        assert result["map"] == pytest.approx(0.3) and result["map_75"] == 0.0

    def test_gt_in_range_beats_ignored_gt(self):
        """AP_small: a detection overlapping a small gt (IoU 0.67) and a medium one (IoU 0.83, ignored
        for this range) matches the small one, so it counts as a hit, as in COCOeval."""
        gts = [(torch.tensor([[0.0, 0, 30, 20], [0.0, 0, 30, 36]]), torch.tensor([1, 1]))]
        dets = [(torch.tensor([[0.0, 0, 30, 30]]), torch.tensor([0.9]), torch.tensor([1]))]
        assert coco_map(dets, gts, 1)["map_small"] == pytest.approx(0.4)  # hits at 0.50..0.65
        assert_matches_pycocotools(dets, gts, 1)

    def test_at_most_100_detections_per_image_and_class(self):
        """150 false alarms scored above the one hit: COCO keeps the best 100, so the hit is lost."""
        gt = [(torch.tensor([[0.0, 0, 10, 10]]), torch.tensor([1]))]
        boxes = torch.cat([torch.tensor([[50.0, 50, 60, 60]]).repeat(150, 1), torch.tensor([[0.0, 0, 10, 10]])])
        scores = torch.cat([torch.full((150,), 0.9), torch.tensor([0.1])])
        dets = [(boxes, scores, torch.ones(151, dtype=torch.int64))]
        assert coco_map(dets, gt, 1)["map"] == 0.0
        assert_matches_pycocotools(dets, gt, 1)

    def test_inputs_not_mutated(self):
        """The caller's tensors are left as they were."""
        gts = [(torch.tensor([[0.0, 0, 40, 40]]), torch.tensor([1]))]
        dets = [(torch.tensor([[1.0, 0, 40, 40], [0.0, 0, 5, 5]]), torch.tensor([0.2, 0.9]), torch.tensor([1, 1]))]
        before = [t.clone() for t in (*dets[0], *gts[0])]
        coco_map(dets, gts, 1)
        assert all(torch.equal(a, b) for a, b in zip(before, (*dets[0], *gts[0])))

    @pytest.mark.parametrize("case, message", [
        ("length", "same length, got 1 and 0"),
        ("label", r"labels must be integers in 1..2, got \[3\]"),
        ("box", "must satisfy x1 <= x2"),
        ("scores", r"scores must be a Tensor\[1\]"),
        ("classes", "num_classes must be a positive int"),
    ])
    def test_bad_input(self, case, message):
        """Clear errors for mismatched lists, labels out of range, inverted boxes, wrong scores."""
        gts = [(torch.tensor([[0.0, 0, 10, 10]]), torch.tensor([1]))]
        dets = [(torch.tensor([[0.0, 0, 10, 10]]), torch.tensor([0.5]), torch.tensor([1]))]
        num_classes = 2
        if case == "length":
            gts = []
        elif case == "label":
            dets = [(dets[0][0], dets[0][1], torch.tensor([3]))]
        elif case == "box":
            gts = [(torch.tensor([[10.0, 0, 0, 10]]), torch.tensor([1]))]
        elif case == "scores":
            dets = [(dets[0][0], torch.tensor([0.5, 0.4]), dets[0][2])]
        else:
            num_classes = 0
        with pytest.raises(ValueError, match=message):
            coco_map(dets, gts, num_classes)
