"""snippets.parallel.speedup: Amdahl's and Gustafson's laws, measuring and fitting a speedup curve."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.parallel.speedup import (
    SpeedupCurve,
    amdahl_speedup,
    fit_parallel_fraction,
    gustafson_speedup,
    measure_speedup,
)


class TestAmdahlSpeedup:
    @pytest.mark.parametrize(("f", "p", "expected"), [
        (0.5, 2, 4 / 3), (0.9, 10, 1 / (0.1 + 0.09)), (0.95, 1e12, 20.0), (1.0, 8, 8.0), (0.0, 64, 1.0),
        (0.75, 1, 1.0),
    ])
    def test_known_values(self, f, p, expected):
        """Textbook values: f=0.5, P=2 -> 4/3; f=0.95 caps at 20; f=1 is linear."""
        assert amdahl_speedup(f, p) == pytest.approx(expected, rel=1e-9)

    def test_broadcasts(self):
        """Arrays of P give an array of speedups."""
        np.testing.assert_allclose(amdahl_speedup(0.5, np.array([1, 2, 4])), [1, 4 / 3, 1.6])

    @settings(max_examples=50, deadline=None)
    @given(f=st.floats(0, 1), p=st.floats(1, 1e6))
    def test_bounds(self, f, p):
        """Property: 1 <= S <= min(P, 1/(1-f))."""
        s = amdahl_speedup(f, p)
        assert 1 - 1e-12 <= s <= min(p, 1 / (1 - f) if f < 1 else np.inf) * (1 + 1e-12)

    @pytest.mark.parametrize(("f", "p", "match"), [(1.5, 2, "parallel_fraction"), (-0.1, 2, "parallel_fraction"),
                                                  (0.5, 0, "processors must be >= 1, got 0")])
    def test_bad_input(self, f, p, match):
        with pytest.raises(ValueError, match=match):
            amdahl_speedup(f, p)


class TestGustafsonSpeedup:
    @pytest.mark.parametrize(("f", "p", "expected"), [(0.5, 2, 1.5), (0.9, 10, 9.1), (1.0, 8, 8.0), (0.0, 64, 1.0)])
    def test_known_values(self, f, p, expected):
        """(1 - f) + f P: f=0.9, P=10 -> 9.1."""
        assert gustafson_speedup(f, p) == pytest.approx(expected)

    def test_exceeds_amdahl(self):
        """For 0 < f < 1 and P > 1 the scaled speedup beats the fixed-size one."""
        assert gustafson_speedup(0.9, 16) > amdahl_speedup(0.9, 16)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="processors must be >= 1"):
            gustafson_speedup(0.5, 0.5)


class TestMeasureSpeedup:
    def test_curve_from_a_fake_job(self):
        """A job that ignores p has speedup ~1 and efficiency ~1/P."""
        curve = measure_speedup(lambda p: sum(range(2000)), workers=(1, 2), repeats=3)
        assert curve.workers == (1, 2) and len(curve.seconds) == 2 and curve.speedup[0] == 1.0

    def test_properties(self):
        """speedup = T(1)/T(P), efficiency = S/P."""
        curve = SpeedupCurve((1, 2, 4), (8.0, 5.0, 4.0))
        assert curve.speedup == (1.0, 1.6, 2.0)
        assert curve.efficiency == (1.0, 0.8, 0.5)

    @pytest.mark.parametrize("workers", [(2, 4), (), (1, 0)])
    def test_bad_workers(self, workers):
        with pytest.raises(ValueError, match="workers must start with 1"):
            measure_speedup(lambda p: None, workers=workers)


class TestFitParallelFraction:
    @settings(max_examples=50, deadline=None)
    @given(f=st.floats(0, 1))
    def test_recovers_f(self, f):
        """Property: fitting exact Amdahl speedups returns the f they came from."""
        p = np.array([1, 2, 4, 8])
        assert fit_parallel_fraction(p, amdahl_speedup(f, p)) == pytest.approx(f, abs=1e-9)

    def test_two_points(self):
        """With P = 1, 2 only: f = 2 (1 - 1/S); S = 1.6 -> f = 0.75."""
        assert fit_parallel_fraction([1, 2], [1.0, 1.6]) == pytest.approx(0.75)

    def test_needs_a_parallel_point(self):
        with pytest.raises(ValueError, match="processors > 1"):
            fit_parallel_fraction([1], [1.0])
