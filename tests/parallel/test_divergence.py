"""snippets.parallel.divergence: every mode returns the same bits; the series against np.sin."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.parallel.divergence import MODES, branchy, expensive_mask


def _x(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-np.pi, np.pi, n)


class TestBranchy:
    @pytest.mark.parametrize("fraction", [0, 1 / 8, 1 / 2, 1])
    def test_modes_identical(self, fraction):
        """scalar, where and masked return the same bits for every mix of lanes."""
        x = _x(1003)
        mask = expensive_mask(len(x), fraction)
        outs = [branchy(x, mask, mode) for mode in MODES]
        for out in outs[1:]:
            np.testing.assert_array_equal(out, outs[0])

    @pytest.mark.parametrize("mode", MODES)
    def test_branches_match_twins(self, mode):
        """Expensive lanes equal np.sin on [-pi, pi]; cheap lanes are x itself."""
        x = _x(257)
        mask = expensive_mask(len(x), 0.5, seed=2)
        y = branchy(x, mask, mode)
        np.testing.assert_allclose(y[mask], np.sin(x[mask]), rtol=0, atol=1e-14)
        np.testing.assert_array_equal(y[~mask], x[~mask])

    @pytest.mark.parametrize("mode", MODES)
    def test_known_value(self, mode):
        """x = pi/2 on the expensive branch is 1 to float64 rounding; on the cheap one pi/2."""
        y = branchy(np.array([np.pi / 2, np.pi / 2]), np.array([True, False]), mode)
        assert y[0] == pytest.approx(1.0, abs=1e-15) and y[1] == np.pi / 2

    @settings(max_examples=30, deadline=None)
    @given(n=st.integers(0, 200), seed=st.integers(0, 2**16))
    def test_modes_identical_any_mask(self, n, seed):
        """Property: any length and any mask, every mode gives the same bits."""
        rng = np.random.default_rng(seed)
        x, mask = rng.uniform(-4, 4, n), rng.random(n) < rng.random()
        outs = [branchy(x, mask, mode) for mode in MODES]
        for out in outs[1:]:
            np.testing.assert_array_equal(out, outs[0])

    @pytest.mark.parametrize("mode", MODES)
    def test_does_not_mutate_input(self, mode):
        """x and the mask are left unchanged."""
        x, mask = _x(40), expensive_mask(40, 0.5)
        before = x.copy(), mask.copy()
        branchy(x, mask, mode)
        np.testing.assert_array_equal(x, before[0])
        np.testing.assert_array_equal(mask, before[1])

    def test_bad_mode(self):
        """An unknown mode lists the valid ones."""
        with pytest.raises(ValueError, match=r"mode must be one of \('scalar', 'where', 'masked'\), got 'simd'"):
            branchy(_x(4), np.zeros(4, bool), "simd")

    def test_bad_arrays(self):
        """Wrong dtypes, shapes and types name what was expected."""
        with pytest.raises(TypeError, match="x must have dtype float64, got float32"):
            branchy(_x(4).astype(np.float32), np.zeros(4, bool))
        with pytest.raises(TypeError, match="expensive_mask must have dtype bool, got int64"):
            branchy(_x(4), np.zeros(4, np.int64))
        with pytest.raises(ValueError, match=r"same shape, got \(4,\) and \(3,\)"):
            branchy(_x(4), np.zeros(3, bool))
        with pytest.raises(TypeError, match="must be numpy.ndarray, got list and ndarray"):
            branchy([0.0], np.zeros(1, bool))


class TestExpensiveMask:
    @pytest.mark.parametrize(("fraction", "count"), [(0, 0), (1 / 8, 125), (0.5, 500), (1, 1000)])
    def test_count(self, fraction, count):
        """round(fraction * n) lanes are set."""
        mask = expensive_mask(1000, fraction)
        assert mask.dtype == np.bool_ and mask.shape == (1000,) and mask.sum() == count

    def test_bad_fraction(self):
        with pytest.raises(ValueError, match=r"fraction must lie in \[0, 1\], got 1.5"):
            expensive_mask(10, 1.5)
