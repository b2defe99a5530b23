"""snippets.detection.spp against F.adaptive_max_pool2d / adaptive_avg_pool2d and torchvision.ops.roi_pool."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close
from torchvision.ops import roi_pool

from snippets.detection.spp import (
    SPPNet,
    SpatialPyramidPooling,
    adaptive_bins,
    evaluate,
    make_shapes,
    spatial_pyramid_pool,
    spp_bins,
    train,
)

TWINS = {"max": F.adaptive_max_pool2d, "avg": F.adaptive_avg_pool2d}


def _twin(x: torch.Tensor, levels, mode: str) -> torch.Tensor:
    return torch.cat([TWINS[mode](x, n).flatten(1) for n in levels], 1)


class TestSppBins:
    @pytest.mark.parametrize("n", [6, 3, 2, 1])
    def test_thirteen_gives_n_bins(self, n):
        """a = 13 (conv5 of a 224 input) gives exactly n bins at every level of {6, 3, 2, 1}."""
        window, stride, bins = spp_bins(13, n)
        assert bins == n
        assert (bins - 1) * stride + window == 13  # the last window ends on the last cell

    def test_known_values(self):
        """Window ceil(a/n), stride floor(a/n): (13, 6) -> (3, 2, 6); (10, 6) -> (2, 1, 9)."""
        assert spp_bins(13, 6) == (3, 2, 6)
        assert spp_bins(10, 6) == (2, 1, 9)
        assert spp_bins(10, 4) == (3, 2, 4)
        assert spp_bins(12, 4) == (3, 3, 4)
        assert spp_bins(5, 1) == (5, 5, 1)

    @settings(max_examples=50, deadline=None)
    @given(a=st.integers(1, 300), data=st.data())
    def test_never_fewer_than_n(self, a, data):
        """Property: the formula gives n bins or more, never fewer, whenever a >= n."""
        n = data.draw(st.integers(1, a))
        window, stride, bins = spp_bins(a, n)
        assert bins >= n
        assert (bins - 1) * stride + window <= a  # every window fits, no padding

    @settings(max_examples=50, deadline=None)
    @given(a=st.integers(1, 300), data=st.data())
    def test_exact_iff_remainder_zero_or_one(self, a, data):
        """Property: n bins covering all a cells exactly when a mod n is 0 or 1 (as the page derives)."""
        n = data.draw(st.integers(1, a))
        window, stride, bins = spp_bins(a, n)
        exact = bins == n and (bins - 1) * stride + window == a
        assert exact == (a % n in (0, 1))

    @pytest.mark.parametrize("size, n, error, match", [
        (4, 6, ValueError, "size must be >= n"),
        (0, 1, ValueError, "size must be >= 1, got 0"),
        (5, 0, ValueError, "n must be >= 1, got 0"),
        (5.0, 2, TypeError, "size must be an int, got float"),
        (5, True, TypeError, "n must be an int, got bool"),
    ])
    def test_bad_input(self, size, n, error, match):
        """Sizes below n, non-positive or non-int arguments raise with the argument's name."""
        with pytest.raises(error, match=match):
            spp_bins(size, n)


class TestAdaptiveBins:
    def test_known_values(self):
        """a = 10, n = 6: six bins [0,2) [1,4) [3,5) [5,7) [6,9) [8,10)."""
        assert adaptive_bins(10, 6) == [(0, 2), (1, 4), (3, 5), (5, 7), (6, 9), (8, 10)]
        assert adaptive_bins(4, 6) == [(0, 1), (0, 2), (1, 2), (2, 3), (2, 4), (3, 4)]

    @settings(max_examples=50, deadline=None)
    @given(size=st.integers(1, 200), n=st.integers(1, 40))
    def test_cover_every_cell(self, size, n):
        """Property: n non-empty bins, in order, covering 0..size-1, overlaps of at most one cell."""
        bins = adaptive_bins(size, n)
        assert len(bins) == n
        assert bins[0][0] == 0 and bins[-1][1] == size
        for (s0, e0), (s1, e1) in zip(bins, bins[1:]):
            assert s0 <= s1 <= e0 <= e1 and e0 - s1 <= 1
        assert all(e > s for s, e in bins)


class TestSpatialPyramidPool:
    @pytest.mark.parametrize("mode", ["max", "avg"])
    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    def test_matches_adaptive_pooling(self, mode, dtype, torch_device):
        """Equals the concatenation of adaptive pooling per level, flattened channel-major."""
        torch.manual_seed(0)
        x = torch.randn(3, 5, 11, 17, dtype=dtype, device=torch_device)
        levels = (6, 3, 2, 1)
        assert_close(spatial_pyramid_pool(x, levels, mode), _twin(x, levels, mode))

    @settings(max_examples=40, deadline=None)
    @given(levels=st.lists(st.integers(1, 6), min_size=1, max_size=4), c=st.integers(1, 4),
           dh=st.integers(0, 20), dw=st.integers(0, 20), mode=st.sampled_from(["max", "avg"]),
           seed=st.integers(0, 2**16))
    def test_length_and_twin_random_shapes(self, levels, c, dh, dw, mode, seed):
        """Property: any H, W >= max(levels) gives length C * sum(n^2) and the adaptive-pooling values."""
        torch.manual_seed(seed)
        h, w = max(levels) + dh, max(levels) + dw
        x = torch.randn(2, c, h, w, dtype=torch.float64)
        out = spatial_pyramid_pool(x, levels, mode)
        assert out.shape == (2, c * sum(n * n for n in levels))
        assert_close(out, _twin(x, levels, mode))

    def test_documented_order(self):
        """Level by level; within a level channel, then bin row, then bin column."""
        x = torch.arange(2 * 4 * 4, dtype=torch.float32).view(1, 2, 4, 4)
        out = spatial_pyramid_pool(x, (2, 1)).flatten().tolist()
        # level 2, channel 0: maxima of the four 2x2 quadrants; channel 1 likewise (+16); then level 1
        assert out == [5, 7, 13, 15, 21, 23, 29, 31, 15, 31]

    def test_known_values_avg(self):
        """avg level 1 is the channel mean; level 2 the quadrant means."""
        x = torch.arange(16, dtype=torch.float64).view(1, 1, 4, 4)
        assert spatial_pyramid_pool(x, (1, 2), "avg").flatten().tolist() == [7.5, 2.5, 4.5, 10.5, 12.5]

    def test_roi_pool_is_one_level_on_a_region(self):
        """A region's single-level SPP equals torchvision.ops.roi_pool on the whole map (integer boxes)."""
        torch.manual_seed(0)
        fmap = torch.randn(1, 3, 16, 16)
        box = torch.tensor([[0.0, 8.0, 4.0, 40.0, 36.0]])  # scaled by 1/4: cells x 2..10, y 1..9
        region = fmap[:, :, 1:10, 2:11]
        assert_close(spatial_pyramid_pool(region, (3,)), roi_pool(fmap, box, 3, 0.25).flatten(1))

    def test_gradients_flow(self):
        """Max mode routes the gradient to each bin's maximum; gradcheck passes for both modes."""
        torch.manual_seed(0)
        x = torch.randn(2, 3, 7, 9, dtype=torch.float64, requires_grad=True)
        spatial_pyramid_pool(x, (3, 1)).sum().backward()
        ref = x.detach().clone().requires_grad_(True)
        _twin(ref, (3, 1), "max").sum().backward()
        assert_close(x.grad, ref.grad)
        assert x.grad.abs().sum() > 0
        small = torch.randn(1, 2, 5, 6, dtype=torch.float64, requires_grad=True)
        for mode in ("max", "avg"):
            assert torch.autograd.gradcheck(lambda t: spatial_pyramid_pool(t, (3, 2, 1), mode), (small,))

    def test_does_not_mutate_input(self):
        """The input tensor is left unchanged."""
        x = torch.randn(1, 2, 6, 6)
        before = x.clone()
        spatial_pyramid_pool(x)
        assert torch.equal(x, before)

    @pytest.mark.parametrize("kwargs, error, match", [
        ({"levels": ()}, ValueError, "levels must hold at least one level"),
        ({"levels": (4, 0)}, ValueError, "each level must be >= 1, got 0"),
        ({"levels": (4, -2)}, ValueError, "each level must be >= 1, got -2"),
        ({"levels": 4}, TypeError, "levels must be a sequence of ints"),
        ({"levels": (2.0,)}, TypeError, "each level must be an int, got float"),
        ({"mode": "sum"}, ValueError, "mode must be 'max' or 'avg', got 'sum'"),
    ])
    def test_bad_arguments(self, kwargs, error, match):
        """Empty, non-positive or non-int levels and unknown modes raise clear errors."""
        with pytest.raises(error, match=match):
            spatial_pyramid_pool(torch.randn(1, 1, 8, 8), **kwargs)

    @pytest.mark.parametrize("shape", [(8, 8), (1, 8, 8), (1, 1, 1, 8, 8)])
    def test_not_4d(self, shape):
        """Anything but (N, C, H, W) is refused."""
        with pytest.raises(ValueError, match=r"x must be 4-D \(N, C, H, W\)"):
            spatial_pyramid_pool(torch.randn(shape))

    def test_not_a_float_tensor(self):
        """Integer tensors and non-tensors raise TypeError."""
        with pytest.raises(TypeError, match="floating dtype"):
            spatial_pyramid_pool(torch.ones(1, 1, 8, 8, dtype=torch.long))
        with pytest.raises(TypeError, match="torch.Tensor"):
            spatial_pyramid_pool([[1.0]])

    def test_map_smaller_than_largest_level(self):
        """H or W below the largest level raises instead of repeating cells across bins."""
        with pytest.raises(ValueError, match="at least 6x6 .* got H=5, W=9"):
            spatial_pyramid_pool(torch.randn(1, 1, 5, 9), (6, 3, 2, 1))


class TestSpatialPyramidPooling:
    def test_module_calls_function(self):
        """The layer stores levels and mode and returns spatial_pyramid_pool's output."""
        torch.manual_seed(0)
        layer = SpatialPyramidPooling((4, 2, 1), "avg")
        x = torch.randn(2, 3, 9, 13)
        assert_close(layer(x), spatial_pyramid_pool(x, (4, 2, 1), "avg"))
        assert layer.output_size(3) == 63
        assert "levels=(4, 2, 1)" in repr(layer)
        assert not list(layer.parameters())

    def test_bad_arguments(self):
        """Bad levels or mode fail at construction, not at the first forward."""
        with pytest.raises(ValueError, match="levels must hold at least one level"):
            SpatialPyramidPooling(())
        with pytest.raises(ValueError, match="mode must be"):
            SpatialPyramidPooling((2, 1), "median")


class TestSPPNet:
    @pytest.mark.parametrize("size", [(16, 16), (23, 41), (64, 30)])
    def test_any_size_same_logits_shape(self, size):
        """Inputs of any size >= 16 give Tensor[N, classes]."""
        model = SPPNet(classes=5)
        assert model(torch.randn(2, 1, *size)).shape == (2, 5)

    def test_training_smoke(self):
        """A few multi-size steps (about 2 s on one idle core) lower the loss; an unseen size evaluates."""
        torch.manual_seed(0)
        model = SPPNet(width=16)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny convolutions: one thread avoids contention on a shared machine
        try:
            losses = train(model, [(24, 24), (32, 32)], steps=24, batch_size=16, lr=5e-3, progress=False)
        finally:
            torch.set_num_threads(threads)
        assert all(math.isfinite(v) for v in losses)
        assert sum(losses[-6:]) / 6 < sum(losses[:6]) / 6
        assert 0.0 <= evaluate(model, 40, 28, count=32) <= 1.0


class TestMakeShapes:
    def test_shapes_and_determinism(self):
        """Same generator seed, same images; labels in range; values near [0, 1]."""
        a = make_shapes(8, 20, 30, torch.Generator().manual_seed(3))
        b = make_shapes(8, 20, 30, torch.Generator().manual_seed(3))
        assert a[0].shape == (8, 1, 20, 30) and a[1].shape == (8,)
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
        assert a[1].min() >= 0 and a[1].max() <= 3
