"""snippets.detection.losses.smooth_l1_loss against F.smooth_l1_loss(beta=1/sigma^2)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from snippets.detection.losses import smooth_l1_loss


class TestSmoothL1Loss:
    @settings(max_examples=40, deadline=None)
    @given(sigma=st.floats(0.2, 5.0), reduction=st.sampled_from(["none", "mean", "sum"]),
           n=st.integers(1, 40), seed=st.integers(0, 2**16))
    def test_matches_torch(self, sigma, reduction, n, seed):
        """Property: equals F.smooth_l1_loss(beta=1/sigma**2) for any sigma and reduction."""
        gen = torch.Generator().manual_seed(seed)
        x, y = torch.randn(n, 4, generator=gen, dtype=torch.float64), torch.randn(n, 4, generator=gen, dtype=torch.float64)
        assert_close(smooth_l1_loss(x, y, sigma, reduction), F.smooth_l1_loss(x, y, reduction=reduction, beta=1 / sigma**2))

    def test_known_values_sigma3(self):
        """sigma=3: switch at 1/9; x=0.1 -> 0.5*9*0.01 = 0.045; x=1 -> 1 - 1/18."""
        out = smooth_l1_loss(torch.tensor([0.1, 1.0]), torch.zeros(2), sigma=3.0, reduction="none")
        assert_close(out, torch.tensor([0.045, 1 - 1 / 18]))

    def test_gradcheck(self):
        """Differentiable in float64."""
        x = torch.randn(6, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda a: smooth_l1_loss(a, torch.zeros(6, dtype=torch.float64), 2.0), (x,))

    def test_rejects_shape_mismatch(self):
        """input and target must match."""
        with pytest.raises(ValueError, match="same shape"):
            smooth_l1_loss(torch.zeros(3), torch.zeros(4))

    def test_rejects_bad_sigma(self):
        """sigma must be positive."""
        with pytest.raises(ValueError, match="sigma must be > 0"):
            smooth_l1_loss(torch.zeros(3), torch.zeros(3), sigma=-1.0)

    def test_rejects_bad_reduction(self):
        """Unknown reductions are refused."""
        with pytest.raises(ValueError, match="reduction must be"):
            smooth_l1_loss(torch.zeros(3), torch.zeros(3), reduction="avg")
