"""snippets.detection.targets: anchor and proposal targets."""

from __future__ import annotations

import pytest
import torch
from torch.testing import assert_close

from snippets.detection.boxes import box_iou, encode_boxes
from snippets.detection.targets import anchor_targets, proposal_targets, subsample


def grid(n: int = 8, step: float = 8.0, size: float = 16.0) -> torch.Tensor:
    c = torch.arange(n) * step + step / 2
    cy, cx = torch.meshgrid(c, c, indexing="ij")
    centres = torch.stack([cx.flatten(), cy.flatten()], 1)
    return torch.cat([centres - size / 2, centres + size / 2], 1)


class TestSubsample:
    def test_caps_foreground_and_fills_with_background(self):
        """10 fg, 100 bg, batch 16, fraction 0.25 -> 4 fg + 12 bg, the rest -1."""
        labels = torch.cat([torch.ones(10), torch.zeros(100)])
        out = subsample(labels, 16, 0.25, torch.Generator().manual_seed(0))
        assert int((out == 1).sum()) == 4 and int((out == 0).sum()) == 12 and int((out == -1).sum()) == 94

    def test_few_foreground_gives_more_background(self):
        """With only 2 fg the batch is filled with 14 bg."""
        out = subsample(torch.cat([torch.ones(2), torch.zeros(50)]), 16, 0.5)
        assert int((out == 1).sum()) == 2 and int((out == 0).sum()) == 14


class TestAnchorTargets:
    def test_rules(self):
        """Border anchors ignored, IoU < 0.3 negative, best anchor per gt positive even below 0.7."""
        anchors = torch.tensor([[-4.0, 0, 12, 16], [0, 0, 16, 16], [2, 2, 18, 18], [40, 40, 56, 56], [20, 0, 36, 16]])
        gt = torch.tensor([[3.0, 3.0, 17.0, 17.0]])
        labels, targets = anchor_targets(anchors, gt, (64, 64), batch_size=256)
        # anchor 0 crosses the border; anchor 2 is the best (IoU 0.77); anchor 1 IoU 0.57 -> ignored
        assert labels.tolist() == [-1.0, -1.0, 1.0, 0.0, 0.0]
        assert_close(targets[2], encode_boxes(gt, anchors[2:3])[0])
        assert targets[[0, 1, 3, 4]].abs().sum() == 0

    def test_best_anchor_rescues_small_gt(self):
        """A gt with no anchor at IoU >= 0.7 still gets its best anchor as a positive."""
        anchors = grid()
        gt = torch.tensor([[10.0, 10.0, 16.0, 16.0]])
        labels, _ = anchor_targets(anchors, gt, (64, 64))
        assert box_iou(anchors, gt).max() < 0.7
        assert int((labels == 1).sum()) >= 1

    def test_sample_size(self):
        """At most batch_size sampled, at most half positive."""
        anchors = grid(16, 4.0, 12.0)
        gt = torch.tensor([[4.0, 4.0, 30.0, 30.0], [30.0, 30.0, 60.0, 60.0]])
        labels, _ = anchor_targets(anchors, gt, (64, 64), batch_size=32, generator=torch.Generator().manual_seed(0))
        assert int((labels >= 0).sum()) == 32 and int((labels == 1).sum()) <= 16

    def test_no_gt(self):
        """An image without objects gives only negatives."""
        labels, _ = anchor_targets(grid(), torch.zeros(0, 4), (64, 64), batch_size=16)
        assert int((labels == 0).sum()) == 16 and int((labels == 1).sum()) == 0

    def test_rejects_bad_gt(self):
        """gt_boxes must be (G, 4)."""
        with pytest.raises(ValueError, match=r"gt_boxes must have shape \(N, 4\)"):
            anchor_targets(grid(), torch.zeros(2, 5), (64, 64))


class TestProposalTargets:
    def test_gt_appended_and_labels(self):
        """gt boxes join the RoIs (label = class, zero target); IoU < 0.5 is background."""
        proposals = torch.tensor([[0.0, 0.0, 10.0, 10.0], [30.0, 30.0, 40.0, 40.0]])
        gt, gt_labels = torch.tensor([[1.0, 1.0, 11.0, 11.0]]), torch.tensor([2])
        rois, labels, targets = proposal_targets(proposals, gt, gt_labels, batch_size=8, fg_fraction=0.5)
        order = {tuple(r): (int(label), t) for r, label, t in zip(rois.tolist(), labels, targets)}
        assert order[(1.0, 1.0, 11.0, 11.0)][0] == 2 and order[(1.0, 1.0, 11.0, 11.0)][1].abs().sum() == 0
        assert order[(0.0, 0.0, 10.0, 10.0)][0] == 2  # IoU 81/119 = 0.68
        assert order[(30.0, 30.0, 40.0, 40.0)][0] == 0
        assert_close(order[(0.0, 0.0, 10.0, 10.0)][1], torch.tensor([1.0, 1.0, 0.0, 0.0]))  # 10 * 1 / 10

    def test_fg_fraction(self):
        """At most fg_fraction * batch_size foreground RoIs."""
        gen = torch.Generator().manual_seed(0)
        gt = torch.tensor([[10.0, 10.0, 40.0, 40.0]])
        proposals = gt + torch.randn(50, 4, generator=gen)
        rois, labels, _ = proposal_targets(torch.cat([proposals, torch.tensor([[50.0, 50, 60, 60]] * 50)]), gt,
                                           torch.tensor([1]), batch_size=16, fg_fraction=0.25, generator=gen)
        assert rois.shape[0] == 16 and int((labels > 0).sum()) == 4

    def test_rejects_mismatched_labels(self):
        """One label per gt box."""
        with pytest.raises(ValueError, match=r"gt_labels must have shape \(1,\)"):
            proposal_targets(torch.zeros(0, 4), torch.tensor([[0.0, 0, 1, 1]]), torch.tensor([1, 2]))
