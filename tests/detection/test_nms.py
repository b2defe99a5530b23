"""snippets.detection.nms against torchvision.ops.nms / batched_nms."""

from __future__ import annotations

import pytest
import torch
import torchvision.ops as tv
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.detection.nms import batched_nms, nms, pairwise_iou


def scene(n: int, seed: int, clustered: bool = False):
    """n boxes (many overlapping) and distinct scores."""
    gen = torch.Generator().manual_seed(seed)
    if clustered:
        centres = torch.rand(max(1, n // 8), 2, generator=gen) * 60
        xy = centres[torch.randint(0, centres.shape[0], (n,), generator=gen)] + torch.randn(n, 2, generator=gen) * 3
    else:
        xy = torch.rand(n, 2, generator=gen) * 60
    boxes = torch.cat([xy, xy + 5 + torch.rand(n, 2, generator=gen) * 20], dim=1)
    scores = torch.randperm(n, generator=gen).float() / max(n, 1)  # distinct
    return boxes, scores


class TestPairwiseIou:
    def test_matches_box_iou(self):
        """The NumPy matrix equals torchvision.ops.box_iou."""
        boxes, _ = scene(40, 0)
        torch.testing.assert_close(torch.from_numpy(pairwise_iou(boxes.numpy(), boxes[:7].numpy())), tv.box_iou(boxes, boxes[:7]))


class TestNms:
    @settings(max_examples=50, deadline=None)
    @given(n=st.integers(0, 400), seed=st.integers(0, 2**16), thr=st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]),
           clustered=st.booleans())
    def test_matches_torchvision(self, n, seed, thr, clustered):
        """Property: same kept indices, in the same order, as torchvision.ops.nms."""
        boxes, scores = scene(n, seed, clustered)
        assert nms(boxes, scores, thr).tolist() == tv.nms(boxes, scores, thr).tolist()

    @pytest.mark.parametrize("clustered", [False, True])
    def test_thousand_boxes(self, clustered):
        """1,000 boxes (several blocks of survivors): same kept indices as torchvision at 0.3, 0.5, 0.7."""
        gen = torch.Generator().manual_seed(3)
        if clustered:
            xy = (torch.rand(100, 2, generator=gen) * 500).repeat_interleave(10, 0) + torch.randn(1000, 2, generator=gen) * 8
        else:
            xy = torch.rand(1000, 2, generator=gen) * 500
        boxes = torch.cat([xy, xy + 20 + torch.rand(1000, 2, generator=gen) * 60], dim=1)
        scores = torch.rand(1000, generator=gen)
        for thr in (0.3, 0.5, 0.7):
            assert nms(boxes, scores, thr).tolist() == tv.nms(boxes, scores, thr).tolist()

    def test_exactly_at_threshold_is_kept(self):
        """IoU == threshold does not suppress (strict >), as in torchvision."""
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 5.0]])  # IoU exactly 0.5
        scores = torch.tensor([0.9, 0.8])
        assert nms(boxes, scores, 0.5).tolist() == [0, 1] == tv.nms(boxes, scores, 0.5).tolist()
        assert nms(boxes, scores, 0.49).tolist() == [0]

    def test_dtype_and_device(self, torch_device):
        """Returns int64 indices on the input's device."""
        boxes, scores = scene(20, 1)
        keep = nms(boxes.to(torch_device), scores.to(torch_device), 0.5)
        assert keep.dtype == torch.int64 and keep.device.type == torch.device(torch_device).type

    def test_does_not_mutate(self):
        """Boxes and scores are left untouched."""
        boxes, scores = scene(30, 2)
        b0, s0 = boxes.clone(), scores.clone()
        nms(boxes, scores, 0.5)
        assert torch.equal(boxes, b0) and torch.equal(scores, s0)

    def test_rejects_negative_threshold(self):
        """A negative IoU threshold is an error, not 'suppress everything'."""
        boxes, scores = scene(3, 0)
        with pytest.raises(ValueError, match="iou_threshold must be >= 0, got -0.5"):
            nms(boxes, scores, -0.5)

    def test_rejects_mismatched_scores(self):
        """One score per box."""
        boxes, scores = scene(3, 0)
        with pytest.raises(ValueError, match=r"scores must have shape \(3,\)"):
            nms(boxes, scores[:2], 0.5)

    def test_rejects_bad_boxes(self):
        """Boxes must be (N, 4) with x1 <= x2."""
        with pytest.raises(ValueError, match=r"boxes must have shape \(N, 4\)"):
            nms(torch.zeros(3, 5), torch.zeros(3), 0.5)
        with pytest.raises(ValueError, match="x1 <= x2"):
            nms(torch.tensor([[5.0, 0.0, 1.0, 1.0]]), torch.zeros(1), 0.5)


class TestBatchedNms:
    @settings(max_examples=50, deadline=None)
    @given(n=st.integers(0, 80), seed=st.integers(0, 2**16), classes=st.integers(1, 5),
           thr=st.sampled_from([0.3, 0.5, 0.7]))
    def test_matches_torchvision(self, n, seed, classes, thr):
        """Property: same kept indices as torchvision.ops.batched_nms."""
        boxes, scores = scene(n, seed, clustered=True)
        idxs = torch.randint(0, classes, (n,), generator=torch.Generator().manual_seed(seed))
        assert batched_nms(boxes, scores, idxs, thr).tolist() == tv.batched_nms(boxes, scores, idxs, thr).tolist()

    def test_categories_do_not_suppress_each_other(self):
        """Two identical boxes of different categories are both kept."""
        boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0]] * 2)
        assert batched_nms(boxes, torch.tensor([0.9, 0.8]), torch.tensor([0, 1]), 0.5).tolist() == [0, 1]
        assert batched_nms(boxes, torch.tensor([0.9, 0.8]), torch.tensor([1, 1]), 0.5).tolist() == [0]

    def test_rejects_mismatched_idxs(self):
        """One category per box."""
        boxes, scores = scene(4, 0)
        with pytest.raises(ValueError, match=r"idxs must have shape \(4,\)"):
            batched_nms(boxes, scores, torch.zeros(3, dtype=torch.int64), 0.5)

    def test_rejects_float_idxs(self):
        """Categories are integers."""
        boxes, scores = scene(4, 0)
        with pytest.raises(TypeError, match="idxs must be"):
            batched_nms(boxes, scores, torch.zeros(4), 0.5)
