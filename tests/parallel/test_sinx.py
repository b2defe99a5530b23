"""snippets.parallel.sinx: every rung of the ladder against np.sin / torch.sin and each other."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets.parallel.sinx import (
    bytes_per_element,
    flops_per_element,
    reduce_range,
    sinx_compiled,
    sinx_numpy,
    sinx_processes,
    sinx_scalar,
    sinx_threads,
    sinx_torch,
    taylor_denominators,
)

# |x| <= pi, 12 terms: the truncation error pi^27/27! ~ 3e-15 is below float64 rounding.
TERMS = 12
# Tolerances against np.sin: float32 sums terms up to pi^3/3! ~ 5, so a few float32 ulps of 5.
ATOL = {np.float32: 2e-6, np.float64: 1e-12}
NUMPY_RUNGS = {
    "scalar": lambda x, t: sinx_scalar(x, t),
    "numpy": lambda x, t: sinx_numpy(x, t),
    "threads1": lambda x, t: sinx_threads(x, t, 1),
    "threads3": lambda x, t: sinx_threads(x, t, 3),
    "compiled": lambda x, t: sinx_compiled(x, t),
    "torch": lambda x, t: sinx_torch(torch.from_numpy(x), t).numpy(),
}


def _x(n: int, dtype, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).uniform(-np.pi, np.pi, n).astype(dtype)
    x[:3] = [0.0, np.pi, -np.pi][: min(3, n)] if n >= 3 else x[:3]
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rung", list(NUMPY_RUNGS))
class TestRungs:
    def test_matches_np_sin(self, rung, dtype):
        """Each rung equals np.sin on [-pi, pi] to float tolerance, keeping shape and dtype."""
        x = _x(257, dtype)
        y = NUMPY_RUNGS[rung](x, TERMS)
        assert y.shape == x.shape and y.dtype == x.dtype
        np.testing.assert_allclose(y, np.sin(x.astype(np.float64)), rtol=0, atol=ATOL[dtype])

    def test_does_not_mutate_input(self, rung, dtype):
        """The input array is left unchanged."""
        x = _x(33, dtype)
        before = x.copy()
        NUMPY_RUNGS[rung](x, TERMS)
        np.testing.assert_array_equal(x, before)

    def test_terms_zero_is_identity(self, rung, dtype):
        """terms=0 keeps only the first term: sinx(x) = x."""
        x = _x(17, dtype)
        np.testing.assert_allclose(NUMPY_RUNGS[rung](x, 0), x, rtol=1e-6, atol=0)


class TestSinxScalar:
    def test_known_value_two_terms(self):
        """terms=2 at x=1 is 1 - 1/6 + 1/120 exactly the lecture's partial sum."""
        assert sinx_scalar(np.array([1.0]), 2)[0] == pytest.approx(1 - 1 / 6 + 1 / 120, abs=1e-15)

    def test_empty(self):
        """An empty array gives an empty array."""
        assert sinx_scalar(np.empty(0, np.float32), 5).shape == (0,)


class TestSinxNumpy:
    @settings(max_examples=30, deadline=None)
    @given(n=st.integers(0, 40), terms=st.integers(0, 14), seed=st.integers(0, 2**16))
    def test_matches_scalar_any_terms(self, n, terms, seed):
        """Property: for any size and terms, the vectorized rung equals the scalar loop (float64)."""
        x = _x(n, np.float64, seed)
        np.testing.assert_allclose(sinx_numpy(x, terms), sinx_scalar(x, terms), rtol=1e-13, atol=1e-13)


class TestSinxThreads:
    @pytest.mark.parametrize("workers", [1, 2, 5, 64])
    def test_any_workers_same_result(self, workers):
        """Splitting into chunks (more workers than elements too) gives the bitwise same result."""
        x = _x(50, np.float32)
        np.testing.assert_array_equal(sinx_threads(x, TERMS, workers), sinx_numpy(x, TERMS))


class TestSinxProcesses:
    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_matches_numpy(self, dtype):
        """Two processes give the bitwise same result as one vectorized call."""
        x = _x(101, dtype)
        y = sinx_processes(x, TERMS, 2)
        assert y.dtype == x.dtype
        np.testing.assert_array_equal(y, sinx_numpy(x, TERMS))

    def test_bad_workers(self):
        """workers < 1 is refused before any process starts."""
        with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
            sinx_processes(_x(4, np.float32), 3, 0)


class TestSinxCompiled:
    # terms from a few values only: each value of terms compiles its own kernel (about a second)
    @settings(max_examples=20, deadline=None)
    @given(n=st.integers(0, 5000), terms=st.sampled_from([0, 12]), workers=st.integers(1, 3),
           seed=st.integers(0, 2**16))
    def test_matches_numpy_any_size(self, n, terms, workers, seed):
        """Property: any length and worker count (chunk edges, SIMD tails) matches the vectorized rung."""
        x = _x(n, np.float64, seed)
        y = sinx_compiled(x, terms, workers)
        np.testing.assert_allclose(y, sinx_numpy(x, terms), rtol=1e-12, atol=1e-14)

    def test_bad_workers(self):
        """workers < 1 is refused."""
        with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
            sinx_compiled(_x(4, np.float32), 3, 0)

    def test_strided_input(self):
        """A non-contiguous view is accepted and gives the result of its copy."""
        x = _x(64, np.float32)[::2]
        np.testing.assert_allclose(sinx_compiled(x, TERMS), np.sin(x), atol=ATOL[np.float32])


class TestSinxTorch:
    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    def test_matches_torch_sin(self, dtype, torch_device):
        """On CPU (and CUDA when present) the result equals torch.sin on [-pi, pi]."""
        x = torch.linspace(-math.pi, math.pi, 101, dtype=dtype, device=torch_device)
        y = sinx_torch(x, TERMS)
        assert y.dtype == dtype and y.device == x.device
        torch.testing.assert_close(y, torch.sin(x), rtol=0, atol=2e-6 if dtype == torch.float32 else 1e-12)

    def test_device_argument(self, torch_device):
        """device= moves the computation (and result) there."""
        y = sinx_torch(torch.zeros(3), 4, device=torch_device)
        assert y.device.type == torch_device.type

    def test_bad_input(self):
        """Non-tensors, integer tensors and 2-D tensors are refused."""
        with pytest.raises(TypeError, match="x must be a torch.Tensor, got ndarray"):
            sinx_torch(np.zeros(3), 3)
        with pytest.raises(TypeError, match="float32 or float64, got torch.int64"):
            sinx_torch(torch.arange(3), 3)
        with pytest.raises(ValueError, match=r"1-D, got shape \(2, 2\)"):
            sinx_torch(torch.zeros(2, 2), 3)
        with pytest.raises(ValueError, match="terms must be >= 0, got -1"):
            sinx_torch(torch.zeros(2), -1)


class TestBadInput:
    RUNGS = [
        lambda x, t: sinx_scalar(x, t),
        lambda x, t: sinx_numpy(x, t),
        lambda x, t: sinx_threads(x, t, 2),
        lambda x, t: sinx_processes(x, t, 2),
        lambda x, t: sinx_compiled(x, t),
    ]

    @pytest.mark.parametrize("rung", range(5))
    def test_negative_terms(self, rung):
        """terms < 0 names the argument and the value."""
        with pytest.raises(ValueError, match="terms must be >= 0, got -2"):
            self.RUNGS[rung](np.zeros(3, np.float32), -2)

    @pytest.mark.parametrize("rung", range(5))
    def test_integer_array(self, rung):
        """An integer array is refused with the conversion to use."""
        with pytest.raises(TypeError, match=r"float32 or float64, got int64; convert it with x.astype"):
            self.RUNGS[rung](np.arange(3, dtype=np.int64), 3)

    @pytest.mark.parametrize("rung", range(5))
    def test_two_dimensional(self, rung):
        """A 2-D array is refused with its shape."""
        with pytest.raises(ValueError, match=r"x must be 1-D, got shape \(2, 3\)"):
            self.RUNGS[rung](np.zeros((2, 3)), 3)

    def test_not_an_array(self):
        """A list is refused: the rungs take NumPy arrays."""
        with pytest.raises(TypeError, match="x must be a numpy.ndarray, got list"):
            sinx_numpy([0.0, 1.0], 3)

    def test_float_terms(self):
        """terms must be an int."""
        with pytest.raises(TypeError, match="terms must be an int, got float"):
            sinx_numpy(np.zeros(2), 3.0)

    @pytest.mark.parametrize("workers", [0, -1])
    def test_bad_workers_threads(self, workers):
        """workers < 1 names the argument and the value."""
        with pytest.raises(ValueError, match=f"workers must be >= 1, got {workers}"):
            sinx_threads(np.zeros(2), 3, workers)


class TestTaylorDenominators:
    def test_int32_overflow_reproduced(self):
        """C's int wraps at 13!: the 6th denominator is 1932053504, not 6227020800."""
        d = taylor_denominators(6, np.int32)
        assert d[:5].tolist() == [6, 120, 5040, 362880, 39916800]
        assert d[5] == 1932053504
        assert 6227020800 % 2**32 == 1932053504

    def test_int64_exact_until_20_factorial(self):
        """int64 holds (2j+1)! up to 19!; 21! (the 10th) wraps."""
        d = taylor_denominators(10, np.int64)
        assert d[:9].tolist() == [math.factorial(2 * j + 1) for j in range(1, 10)]
        assert d[9] != math.factorial(21)

    def test_float64_is_the_fix(self):
        """float64 denominators equal the factorials to rounding."""
        d = taylor_denominators(12, np.float64)
        np.testing.assert_allclose(d, [float(math.factorial(2 * j + 1)) for j in range(1, 13)], rtol=1e-15)

    def test_bad_terms(self):
        with pytest.raises(ValueError, match="terms must be >= 0"):
            taylor_denominators(-1)


class TestReduceRange:
    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_large_x(self, dtype):
        """After reduction the series matches np.sin even at |x| ~ 1000."""
        x = np.linspace(-1000, 1000, 101).astype(dtype)
        r = reduce_range(x)
        assert r.dtype == x.dtype and np.all(np.abs(r) <= np.pi + 1e-6)
        np.testing.assert_allclose(sinx_numpy(r, TERMS), np.sin(x.astype(np.float64)), atol=ATOL[dtype] * 10)

    def test_without_reduction_the_series_fails(self):
        """Without it the truncated series is far off at x = 20."""
        assert abs(sinx_numpy(np.array([20.0]), TERMS)[0] - np.sin(20.0)) > 1.0


class TestWorkCounts:
    @pytest.mark.parametrize(("rung", "flops"), [("scalar", 52), ("numpy", 32), ("threads", 32),
                                                 ("processes", 32), ("compiled", 32), ("torch", 32)])
    def test_flops_known_values(self, rung, flops):
        """10 terms: the lecture's loop 5 per term + 2, the others 3 per term + 2."""
        assert flops_per_element(rung, 10) == flops

    @pytest.mark.parametrize(("rung", "nbytes"), [("scalar", 8), ("compiled", 8), ("numpy", 4 * 87),
                                                  ("threads", 4 * 87), ("torch", 4 * 67)])
    def test_bytes_known_values(self, rung, nbytes):
        """10 terms, float32: fused rungs move 2 x 4 bytes; NumPy 7 + 8 per term accesses, torch 7 + 6."""
        assert bytes_per_element(rung, 10, 4) == nbytes

    def test_numpy_count_matches_its_passes(self):
        """Counting the ufunc calls of rung (b): 2 + 3 terms flops per element (copyto is not a flop)."""
        calls = []
        x, terms = _x(16, np.float64), 7

        class Counted(np.ndarray):
            def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
                calls.append(ufunc.__name__)
                inputs = [i.view(np.ndarray) if isinstance(i, Counted) else i for i in inputs]
                if "out" in kwargs:
                    kwargs["out"] = tuple(o.view(np.ndarray) for o in kwargs["out"])
                result = getattr(ufunc, method)(*inputs, **kwargs)
                return result.view(Counted) if isinstance(result, np.ndarray) else result

        sinx_numpy(x.view(Counted), terms)
        arithmetic = [c for c in calls if c in ("multiply", "add", "subtract", "divide")]
        assert len(arithmetic) == flops_per_element("numpy", terms)

    def test_bad_rung(self):
        """An unknown rung lists the known ones."""
        with pytest.raises(ValueError, match="rung must be one of"):
            flops_per_element("gpu", 3)
        with pytest.raises(ValueError, match="rung must be one of"):
            bytes_per_element("gpu", 3, 4)
