"""snippets.parallel.ilp: a sum split over independent accumulator chains, against math.fsum and np.sum."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.parallel.ilp import sum_chains

CHAINS = [1, 3, 8]  # 3 leaves a remainder for every length not divisible by 3; each count compiles once


class TestSumChains:
    @pytest.mark.parametrize("chains", CHAINS)
    def test_known_values(self, chains):
        """1 + 2 + ... + 10 = 55 for every chain count (small integers add exactly)."""
        assert sum_chains(np.arange(1, 11, dtype=np.float64), chains) == 55.0

    @pytest.mark.parametrize("chains", CHAINS)
    def test_matches_fsum(self, chains):
        """Positive values: within 1e-9 relative of math.fsum (and of np.sum)."""
        x = np.random.default_rng(chains).random(10_001)
        assert sum_chains(x, chains) == pytest.approx(math.fsum(x), rel=1e-9)
        assert sum_chains(x, chains) == pytest.approx(float(np.sum(x)), rel=1e-9)

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(0, 300), chains=st.sampled_from(CHAINS), sign=st.sampled_from([-1.0, 1.0]),
           seed=st.integers(0, 2**16))
    def test_matches_fsum_any_length(self, n, chains, sign, seed):
        """Property: any length (remainders included), values of one sign: within 1e-9 of fsum."""
        x = sign * np.random.default_rng(seed).uniform(0, 1e3, n)
        assert sum_chains(x, chains) == pytest.approx(math.fsum(x), rel=1e-9, abs=1e-12)

    def test_chains_change_the_order_only(self):
        """The chains add in another order, which changes the rounding (here: all of it)."""
        x = np.array([1e16, 1.0, 1.0, -1e16, 1.0, 1.0])
        assert sum_chains(x, 1) == 2.0  # 1e16 + 1 rounds the 1 away, twice
        assert sum_chains(x, 3) == 4.0  # chain 0 holds 1e16 - 1e16; the ones meet each other

    def test_float32_and_strided(self):
        """float32 input and non-contiguous views are accepted (sums in float64)."""
        x = np.arange(8, dtype=np.float32)
        assert sum_chains(x, 8) == 28.0 and sum_chains(x[::2], 3) == 12.0

    def test_does_not_mutate_input(self):
        """The input is left unchanged."""
        x = np.random.default_rng(0).random(33)
        before = x.copy()
        sum_chains(x, 8)
        np.testing.assert_array_equal(x, before)

    def test_empty(self):
        """An empty array sums to 0."""
        assert sum_chains(np.empty(0), 8) == 0.0

    @pytest.mark.parametrize(("chains", "match"), [(0, "chains must be >= 1, got 0"),
                                                   (-3, "chains must be >= 1, got -3")])
    def test_bad_chains(self, chains, match):
        """chains < 1 names the argument and the value."""
        with pytest.raises(ValueError, match=match):
            sum_chains(np.ones(4), chains)

    def test_not_one_dimensional(self):
        """A 2-D array is refused with its shape."""
        with pytest.raises(ValueError, match=r"x must be 1-D, got shape \(2, 2\)"):
            sum_chains(np.ones((2, 2)), 1)

    @pytest.mark.parametrize("x", [np.arange(4), np.ones(4, dtype=bool), np.ones(4, dtype=np.complex128)])
    def test_non_float_array(self, x):
        """Integer, bool and complex arrays are refused with the conversion to use."""
        with pytest.raises(TypeError, match=r"x must have dtype float32 or float64, got .*astype"):
            sum_chains(x, 1)

    def test_not_an_array_or_int(self):
        """A list, or a float chain count, is refused."""
        with pytest.raises(TypeError, match="x must be a numpy.ndarray, got list"):
            sum_chains([1.0, 2.0], 1)
        with pytest.raises(TypeError, match="chains must be an int, got float"):
            sum_chains(np.ones(3), 2.0)
