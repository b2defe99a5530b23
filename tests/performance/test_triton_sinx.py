"""snippets.performance.triton_sinx: the fused Taylor-loop kernel against torch.sin and the eager loop.

Without a GPU the kernel runs on the CPU through Triton's interpreter
(``TRITON_INTERPRET=1`` set before the module defines it).
"""

from __future__ import annotations

import math
import os

import torch

if not torch.cuda.is_available():
    os.environ["TRITON_INTERPRET"] = "1"  # before triton_sinx defines its kernel

import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch.testing import assert_close  # noqa: E402

from snippets.performance.triton_sinx import sinx_torch_loop, sinx_triton  # noqa: E402

INTERPRETING = os.environ.get("TRITON_INTERPRET") == "1"


@pytest.fixture
def device(torch_device):
    if torch_device.type == "cpu" and not INTERPRETING:
        pytest.skip("CPU tensors run only under TRITON_INTERPRET=1 (a GPU is present: kernels are compiled)")
    return torch_device


class TestSinxTriton:
    def test_matches_sin_on_minus_pi_to_pi(self, device):
        """With 10 terms the loop equals torch.sin to float32 rounding for |x| <= pi."""
        x = torch.linspace(-math.pi, math.pi, 2001, device=device)
        assert_close(sinx_triton(x, terms=10, block=256), torch.sin(x), rtol=0, atol=2e-6)

    def test_zero_terms_is_identity(self, device):
        """terms=0 leaves value = x (the loop body never runs)."""
        x = torch.linspace(-1, 1, 100, device=device)
        assert torch.equal(sinx_triton(x, terms=0, block=64), x)

    def test_known_value_one_term(self, device):
        """One term: x - x^3/6; at x = 1 that is 5/6."""
        x = torch.ones(3, device=device)
        assert_close(sinx_triton(x, terms=1, block=4), torch.full((3,), 5 / 6, device=device))

    @settings(max_examples=10, deadline=None)
    @given(n=st.integers(0, 700), terms=st.integers(0, 12), seed=st.integers(0, 2**16))
    def test_property_equals_eager_loop(self, n, terms, seed):
        """Any length (masked tail) and term count: the fused kernel equals the eager loop."""
        device = "cpu" if INTERPRETING else "cuda"
        generator = torch.Generator().manual_seed(seed)
        x = ((torch.rand(n, generator=generator) * 2 - 1) * math.pi).to(device)
        assert_close(sinx_triton(x, terms, block=128), sinx_torch_loop(x, terms), rtol=1e-6, atol=1e-6)

    def test_invalid_input(self, device):
        """Wrong dtype, rank, terms and block raise errors naming the argument."""
        x = torch.zeros(8, device=device)
        with pytest.raises(TypeError, match="x must be float32"):
            sinx_triton(x.double())
        with pytest.raises(ValueError, match="x must be 1-D"):
            sinx_triton(x.reshape(2, 4))
        with pytest.raises(ValueError, match="terms must be an int >= 0"):
            sinx_triton(x, terms=-1)
        with pytest.raises(ValueError, match="block must be a power of two"):
            sinx_triton(x, block=100)


class TestSinxTorchLoop:
    def test_matches_sin(self):
        """The eager loop (the twin of the kernel) also equals torch.sin for |x| <= pi."""
        x = torch.linspace(-math.pi, math.pi, 1001)
        assert_close(sinx_torch_loop(x, 10), torch.sin(x), rtol=0, atol=2e-6)

    def test_does_not_mutate(self):
        """The input is left unchanged (the loop accumulates into a copy)."""
        x = torch.linspace(-1, 1, 10)
        before = x.clone()
        sinx_torch_loop(x, 5)
        assert torch.equal(x, before)
