"""snippets.detection.roi against torchvision.ops.roi_pool / roi_align."""

from __future__ import annotations

import pytest
import torch
import torchvision.ops as tv
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from snippets.detection.roi import RoIAlign, RoIPool, roi_align, roi_pool


def rois(k: int, n: int, seed: int, extent: float = 40.0, dtype=torch.float32, device="cpu") -> torch.Tensor:
    """k boxes on an image of about ``extent`` pixels; some start before 0 or end past the border."""
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(k, 2, generator=gen) * extent * 1.2 - 0.2 * extent
    wh = torch.rand(k, 2, generator=gen) * extent * 0.6
    batch = torch.randint(0, n, (k, 1), generator=gen).float()
    return torch.cat([batch, xy, xy + wh], dim=1).to(dtype=dtype, device=device)


class TestRoiPool:
    @settings(max_examples=40, deadline=None)
    @given(seed=st.integers(0, 2**16), k=st.integers(0, 12), out=st.sampled_from([1, 2, (3, 4), 7]),
           scale=st.sampled_from([1.0, 0.5, 0.25, 1 / 16]))
    def test_matches_torchvision(self, seed, k, out, scale):
        """Property: equals torchvision.ops.roi_pool, Caffe rounding included."""
        x = torch.randn(2, 3, 11, 13, generator=torch.Generator().manual_seed(seed))
        b = rois(k, 2, seed, extent=13 / scale)
        assert_close(roi_pool(x, b, out, scale), tv.roi_pool(x, b, out, scale))

    def test_known_value(self):
        """A box covering the whole 4x4 map pooled to 2x2 takes the max of each quadrant."""
        x = torch.arange(16.0).reshape(1, 1, 4, 4)
        out = roi_pool(x, torch.tensor([[0.0, 0.0, 0.0, 3.0, 3.0]]), 2)
        assert out.flatten().tolist() == [5.0, 7.0, 13.0, 15.0]

    def test_module(self, torch_device):
        """RoIPool calls roi_pool."""
        x = torch.randn(1, 2, 8, 8, device=torch_device)
        b = rois(3, 1, 0, 8.0, device=torch_device)
        assert_close(RoIPool(2, 1.0)(x, b), tv.roi_pool(x, b, 2, 1.0))


class TestRoiAlign:
    @settings(max_examples=50, deadline=None)
    @given(seed=st.integers(0, 2**16), k=st.integers(0, 12), out=st.sampled_from([1, 2, (3, 4), 7]),
           scale=st.sampled_from([1.0, 0.5, 0.25]), sampling_ratio=st.sampled_from([-1, 0, 1, 2, 3]),
           aligned=st.booleans())
    def test_matches_torchvision(self, seed, k, out, scale, sampling_ratio, aligned):
        """Property: equals torchvision.ops.roi_align for every sampling ratio, both aligned settings,
        boxes partly outside the map (float32, atol 1e-5)."""
        x = torch.randn(2, 3, 9, 12, generator=torch.Generator().manual_seed(seed))
        b = rois(k, 2, seed, extent=12 / scale)
        assert_close(roi_align(x, b, out, scale, sampling_ratio, aligned),
                     tv.roi_align(x, b, out, scale, sampling_ratio, aligned), rtol=1e-5, atol=1e-5)

    @pytest.mark.parametrize("aligned", [False, True])
    def test_gradients_match_torchvision(self, aligned, torch_device):
        """Gradient w.r.t. the input equals torchvision's backward."""
        x = torch.randn(2, 2, 7, 8, dtype=torch.float64, device=torch_device, requires_grad=True)
        b = rois(5, 2, 1, 8.0, dtype=torch.float64, device=torch_device)
        g = torch.randn(5, 2, 3, 3, dtype=torch.float64, device=torch_device)
        (ours,) = torch.autograd.grad((roi_align(x, b, 3, 1.0, 2, aligned) * g).sum(), x)
        (ref,) = torch.autograd.grad((tv.roi_align(x, b, 3, 1.0, 2, aligned) * g).sum(), x)
        assert_close(ours, ref)

    @pytest.mark.parametrize("sampling_ratio", [-1, 2])
    def test_gradcheck(self, sampling_ratio):
        """gradcheck on a tiny float64 input."""
        x = torch.randn(1, 2, 5, 6, dtype=torch.float64, requires_grad=True)
        b = torch.tensor([[0, 0.3, 0.7, 4.2, 3.9], [0, -1.0, 1.5, 2.5, 6.0]], dtype=torch.float64)
        assert torch.autograd.gradcheck(lambda t: roi_align(t, b, 2, 1.0, sampling_ratio, True), (x,))

    def test_constant_map(self):
        """Inside a constant map every bin averages to the constant."""
        x = torch.full((1, 1, 6, 6), 3.0)
        out = roi_align(x, torch.tensor([[0.0, 1.0, 1.0, 4.0, 4.5]]), 3, aligned=True)
        assert_close(out, torch.full((1, 1, 3, 3), 3.0))

    def test_module(self):
        """RoIAlign calls roi_align."""
        x = torch.randn(1, 2, 8, 8)
        b = rois(3, 1, 0, 8.0)
        assert_close(RoIAlign(2, 1.0, 2, True)(x, b), tv.roi_align(x, b, 2, 1.0, 2, True))

    def test_rejects_four_column_boxes(self):
        """Boxes carry the batch index first: (K, 5)."""
        with pytest.raises(ValueError, match=r"boxes must have shape \(N, 5\) as \(batch_index, x1"):
            roi_align(torch.zeros(1, 1, 4, 4), torch.zeros(2, 4), 2)

    def test_rejects_bad_batch_index(self):
        """Batch indices must address an image of the input."""
        with pytest.raises(ValueError, match=r"integer batch indices in \[0, 1\)"):
            roi_align(torch.zeros(1, 1, 4, 4), torch.tensor([[1.0, 0.0, 0.0, 2.0, 2.0]]), 2)

    def test_rejects_inverted_box(self):
        """x2 < x1 is an error."""
        with pytest.raises(ValueError, match="x1 <= x2"):
            roi_pool(torch.zeros(1, 1, 4, 4), torch.tensor([[0.0, 3.0, 0.0, 2.0, 2.0]]), 2)

    def test_rejects_bad_input_rank(self):
        """input is (N, C, H, W)."""
        with pytest.raises(ValueError, match=r"input must be 4-D \(N, C, H, W\)"):
            roi_align(torch.zeros(1, 4, 4), torch.zeros(0, 5), 2)

    def test_rejects_bad_scale(self):
        """spatial_scale must be positive."""
        with pytest.raises(ValueError, match="spatial_scale must be > 0"):
            roi_align(torch.zeros(1, 1, 4, 4), torch.zeros(0, 5), 2, spatial_scale=0.0)
