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
