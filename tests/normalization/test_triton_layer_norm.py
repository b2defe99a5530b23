"""snippets.normalization.triton_layer_norm against torch.nn.functional.layer_norm.

Without a GPU the kernels run on the CPU through Triton's interpreter:
``TRITON_INTERPRET=1`` is set below before the module (and its ``@triton.jit``
kernels) is imported. With a GPU the kernels are compiled and the CPU cases skip.
Shapes are small: the interpreter runs each program in Python.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

if not torch.cuda.is_available():
    os.environ["TRITON_INTERPRET"] = "1"  # before triton_layer_norm defines its kernels

import pytest  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch.testing import assert_close  # noqa: E402

from snippets.normalization.triton_layer_norm import MAX_FUSED_SIZE, layer_norm_triton  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
INTERPRETING = os.environ.get("TRITON_INTERPRET") == "1"


@pytest.fixture
def device(torch_device):
    """CUDA compiles the kernels; the CPU needs the interpreter."""
    if torch_device.type == "cpu" and not INTERPRETING:
        pytest.skip("CPU tensors run only under TRITON_INTERPRET=1 (a GPU is present: kernels are compiled)")
    return torch_device


def _inputs(shape, normalized, dtype, device, affine=True, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = (torch.randn(shape, generator=generator) * 3 + 1).to(dtype).to(device)
    if not affine:
        return x, None, None
    weight = torch.randn(normalized, generator=generator).to(dtype).to(device)
    bias = torch.randn(normalized, generator=generator).to(dtype).to(device)
    return x, weight, bias


class TestLayerNormTriton:
    @pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
    @pytest.mark.parametrize("affine", [True, False])
    def test_forward_matches_torch(self, dtype, affine, device):
        """Forward equals F.layer_norm (default assert_close tolerances of the dtype)."""
        x, weight, bias = _inputs((3, 5, 96), (96,), dtype, device, affine)
        y = layer_norm_triton(x, (96,), weight, bias, eps=1e-5)
        assert y.dtype == dtype and y.shape == x.shape
        # bf16/fp16: F.layer_norm also rounds once to the dtype, so one ulp apart at most
        assert_close(y, F.layer_norm(x, (96,), weight, bias, eps=1e-5))

    def test_known_values(self, device):
        """The row [1, 2, 3, 4] normalizes to (x - 2.5) / sqrt(1.25 + eps)."""
        x = torch.tensor([[1.0, 2.0, 3.0, 4.0]], device=device)
        expected = (x - 2.5) / torch.sqrt(torch.tensor(1.25 + 1e-5))
        assert_close(layer_norm_triton(x, 4), expected.to(device))

    def test_several_normalized_axes_and_non_power_of_two(self, device):
        """normalized_shape over two trailing axes (6 * 5 = 30, masked to a block of 32)."""
        x, weight, bias = _inputs((4, 6, 5), (6, 5), torch.float32, device)
        assert_close(layer_norm_triton(x, (6, 5), weight, bias), F.layer_norm(x, (6, 5), weight, bias))

    def test_large_offset_is_stable(self, device):
        """Two-pass statistics: a row offset by 1e4 keeps float32 accuracy (no E[x^2] - E[x]^2)."""
        x, _, _ = _inputs((4, 64), (64,), torch.float32, device, affine=False)
        x = x + 1e4
        assert_close(layer_norm_triton(x, 64), F.layer_norm(x, (64,)), rtol=1e-3, atol=1e-3)

    def test_does_not_mutate_and_handles_non_contiguous(self, device):
        """A transposed (non-contiguous) input gives the twin's result and is left unchanged."""
        x, _, _ = _inputs((16, 8), (8,), torch.float32, device, affine=False)
        xt = x.t()
        before = xt.clone()
        assert_close(layer_norm_triton(xt, 16), F.layer_norm(xt, (16,)))
        assert torch.equal(xt, before)

    def test_empty_batch(self, device):
        """Zero rows give an empty result of the same shape."""
        x = torch.empty(0, 8, device=device)
        assert layer_norm_triton(x, 8).shape == (0, 8)

    @pytest.mark.parametrize("affine", [True, False])
    def test_backward_matches_autograd_of_torch(self, affine, device):
        """dx, dweight, dbias equal those of F.layer_norm (float32, rtol/atol 1e-4)."""
        x, weight, bias = _inputs((7, 40), (40,), torch.float32, device, affine)
        grad_out = torch.randn(7, 40, generator=torch.Generator().manual_seed(1)).to(device)
        leaves = [t.clone().requires_grad_() for t in (x, weight, bias) if t is not None]
        twins = [t.clone().requires_grad_() for t in (x, weight, bias) if t is not None]
        args = leaves + [None] * (3 - len(leaves))
        layer_norm_triton(args[0], 40, args[1], args[2]).backward(grad_out)
        twin_args = twins + [None] * (3 - len(twins))
        F.layer_norm(twin_args[0], (40,), twin_args[1], twin_args[2]).backward(grad_out)
        for ours, twin in zip(leaves, twins):
            assert_close(ours.grad, twin.grad, rtol=1e-4, atol=1e-4)

    def test_backward_bf16(self, device):
        """bf16 gradients stay within bf16 rounding of the float32 twin's."""
        x, weight, bias = _inputs((5, 32), (32,), torch.bfloat16, device)
        grad_out = torch.randn(5, 32, generator=torch.Generator().manual_seed(2)).to(device)
        ours = [t.clone().requires_grad_() for t in (x, weight, bias)]
        ref = [t.float().clone().requires_grad_() for t in (x, weight, bias)]
        layer_norm_triton(*ours[:1], 32, *ours[1:]).backward(grad_out.bfloat16())
        F.layer_norm(ref[0], (32,), ref[1], ref[2]).backward(grad_out)
        for a, b in zip(ours, ref):
            assert a.grad.dtype == torch.bfloat16
            assert_close(a.grad.float(), b.grad, rtol=3e-2, atol=3e-2)

    @settings(max_examples=8, deadline=None)
    @given(rows=st.integers(1, 6), n=st.integers(1, 70), eps=st.sampled_from([1e-5, 1e-3, 0.1]),
           seed=st.integers(0, 2**16))
    def test_property_random_shapes(self, rows, n, eps, seed):
        """Random row counts, widths (masked blocks) and eps: equals F.layer_norm in float32."""
        if not INTERPRETING and not torch.cuda.is_available():
            pytest.skip("needs CUDA or the interpreter")
        device = "cpu" if INTERPRETING else "cuda"
        x, weight, bias = _inputs((rows, n), (n,), torch.float32, device, seed=seed)
        assert_close(layer_norm_triton(x, n, weight, bias, eps), F.layer_norm(x, (n,), weight, bias, eps),
                     rtol=1e-5, atol=1e-5)

    def test_invalid_input(self, device):
        """Bad dtype, shapes, eps and sizes raise errors naming the argument."""
        x = torch.randn(2, 8, device=device)
        with pytest.raises(TypeError, match="x must be a torch.Tensor"):
            layer_norm_triton([1.0, 2.0], 2)
        with pytest.raises(TypeError, match="x must be float32, bfloat16 or float16"):
            layer_norm_triton(x.double(), 8)
        with pytest.raises(ValueError, match="normalized_shape .* must match the trailing dimensions"):
            layer_norm_triton(x, 4)
        with pytest.raises(ValueError, match="normalized_shape must be positive ints"):
            layer_norm_triton(x, ())
        with pytest.raises(ValueError, match=r"weight must have shape \(8,\)"):
            layer_norm_triton(x, 8, torch.ones(4, device=device))
        with pytest.raises(ValueError, match="eps must be positive"):
            layer_norm_triton(x, 8, eps=0.0)
        with pytest.raises(ValueError, match="normalized size must be at most"):
            layer_norm_triton(torch.empty(1, MAX_FUSED_SIZE + 1, device=device), MAX_FUSED_SIZE + 1)

    def test_cpu_without_interpreter_is_refused(self):
        """Outside the interpreter a CPU tensor gets a clear error, not a crash in the launcher."""
        code = ("import torch, os; os.environ.pop('TRITON_INTERPRET', None)\n"
                "from snippets.normalization.triton_layer_norm import layer_norm_triton\n"
                "try:\n    layer_norm_triton(torch.randn(2, 4), 4)\n"
                "except ValueError as e:\n    print(e)\n")
        env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
        assert "x must be a CUDA tensor" in out.stdout, out.stderr


    def test_interpreter_after_triton_was_imported(self):
        """The kernels still run under the interpreter when triton was imported before TRITON_INTERPRET was set.

        (The page doc-tests run pages in one process: an earlier page may have imported triton.)
        """
        if torch.cuda.is_available():
            pytest.skip("checks the CPU interpreter path")
        code = ("import triton, os\nos.environ['TRITON_INTERPRET'] = '1'\n"
                "import torch, torch.nn.functional as F\n"
                "from snippets.normalization.triton_layer_norm import layer_norm_triton\n"
                "x = torch.randn(3, 16, requires_grad=True)\n"
                "y = layer_norm_triton(x, 16)\ny.square().sum().backward()\n"
                "print(float((y - F.layer_norm(x, (16,))).abs().max()) < 1e-5)\n")
        env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
        assert out.stdout.strip() == "True", out.stderr[-2000:]


class TestCompilesForH200:
    def test_kernels_compile_for_sm90a_without_spills(self):
        """The real (not interpreted) kernels lower to sm_90a machine code with no register spills."""
        env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
        out = subprocess.run([sys.executable, "-m", "snippets.performance.compile_check"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr[-2000:]
        import json

        report = [json.loads(line) for line in out.stdout.splitlines()]
        assert {r["kernel"] for r in report} >= {"layer_norm forward fp32 N=4096", "layer_norm forward bf16 N=4096"}
        assert all(r["spill_bytes"] == 0 for r in report), report
