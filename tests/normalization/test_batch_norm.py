"""snippets.normalization.batch_norm against torch.nn.functional.batch_norm / nn.BatchNorm2d."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from snippets.normalization.batch_norm import BatchNorm2d, batch_norm, batch_norm_backward

DTYPES = [torch.float32, torch.float64]


def _stats(channels: int, dtype, torch_device):
    return (torch.randn(channels, dtype=dtype, device=torch_device),
            torch.rand(channels, dtype=dtype, device=torch_device) + 0.5)


class TestBatchNorm:
    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("shape", [(7, 3), (4, 3, 9), (4, 3, 5, 6), (2, 3, 3, 4, 5)])
    @pytest.mark.parametrize("training", [True, False])
    def test_matches_torch(self, shape, dtype, training, torch_device):
        """Output and running statistics equal F.batch_norm for 1-D/2-D/3-D inputs."""
        torch.manual_seed(0)
        x = torch.randn(shape, dtype=dtype, device=torch_device) * 3 + 1
        weight, bias = torch.rand(3, dtype=dtype, device=torch_device), torch.randn(3, dtype=dtype, device=torch_device)
        ours_m, ours_v = _stats(3, dtype, torch_device)
        ref_m, ref_v = ours_m.clone(), ours_v.clone()
        y = batch_norm(x, ours_m, ours_v, weight, bias, training=training, momentum=0.3, eps=1e-3)
        ref = F.batch_norm(x, ref_m, ref_v, weight, bias, training=training, momentum=0.3, eps=1e-3)
        assert_close(y, ref)
        assert_close(ours_m, ref_m)
        assert_close(ours_v, ref_v)

    def test_known_values(self):
        """A channel holding [1, 2, 3, 4] normalizes to (x - 2.5) / sqrt(1.25 + eps)."""
        x = torch.tensor([1.0, 2.0, 3.0, 4.0]).reshape(4, 1)
        rm, rv = torch.zeros(1), torch.ones(1)
        y = batch_norm(x, rm, rv, training=True, momentum=0.1, eps=0.0)
        assert_close(y.flatten(), (torch.tensor([1.0, 2.0, 3.0, 4.0]) - 2.5) / 1.25 ** 0.5)
        assert_close(rm, torch.tensor([0.25]))  # 0.9 * 0 + 0.1 * 2.5
        assert_close(rv, torch.tensor([0.9 + 0.1 * 5 / 3]))  # unbiased var of 1..4 is 5/3

    def test_eval_uses_running_stats(self):
        """In eval the output is (x - running_mean) / sqrt(running_var + eps)."""
        x = torch.full((2, 1, 2), 5.0)
        y = batch_norm(x, torch.tensor([1.0]), torch.tensor([4.0]), eps=0.0)
        assert_close(y, torch.full((2, 1, 2), 2.0))

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(2, 6), c=st.integers(1, 5), h=st.integers(1, 5), w=st.integers(1, 5),
           momentum=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
    def test_matches_torch_random_shapes(self, n, c, h, w, momentum, seed):
        """Property: any (N, C, H, W) and momentum give F.batch_norm's outputs and stats."""
        torch.manual_seed(seed)
        x = torch.randn(n, c, h, w, dtype=torch.float64)
        rm, rv = _stats(c, torch.float64, "cpu")
        rm2, rv2 = rm.clone(), rv.clone()
        assert_close(batch_norm(x, rm, rv, training=True, momentum=momentum),
                     F.batch_norm(x, rm2, rv2, training=True, momentum=momentum))
        assert_close((rm, rv), (rm2, rv2))

    def test_gradcheck(self):
        """Autograd through the formula passes gradcheck in float64."""
        torch.manual_seed(0)
        x = torch.randn(3, 2, 3, 2, dtype=torch.float64, requires_grad=True)
        w = torch.rand(2, dtype=torch.float64, requires_grad=True)
        b = torch.rand(2, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda x, w, b: batch_norm(x, None, None, w, b, training=True), (x, w, b))

    def test_gradients_match_torch(self):
        """Gradients of input, weight and bias equal those through F.batch_norm."""
        torch.manual_seed(1)
        x = torch.randn(4, 3, 5, 5, dtype=torch.float64)
        w, b = torch.rand(3, dtype=torch.float64), torch.rand(3, dtype=torch.float64)
        g = torch.randn(4, 3, 5, 5, dtype=torch.float64)
        grads = []
        for fn in (batch_norm, F.batch_norm):
            xs, ws, bs = (t.clone().requires_grad_() for t in (x, w, b))
            fn(xs, None, None, ws, bs, training=True).backward(g)
            grads.append((xs.grad, ws.grad, bs.grad))
        assert_close(grads[0], grads[1])

    def test_input_not_mutated(self):
        """x, weight and bias are left untouched; only running stats change."""
        x, w, b = torch.randn(4, 2, 3), torch.rand(2), torch.rand(2)
        copies = (x.clone(), w.clone(), b.clone())
        batch_norm(x, torch.zeros(2), torch.ones(2), w, b, training=True)
        assert_close((x, w, b), copies)

    @pytest.mark.parametrize("x, match", [
        (torch.randn(5), "must be 2-D or 3-D or 4-D or 5-D"),
        (torch.randn(2, 3, 1, 1, 1, 1), "got shape"),
    ])
    def test_wrong_rank(self, x, match):
        with pytest.raises(ValueError, match=match):
            batch_norm(x, None, None, training=True)

    def test_channel_mismatch(self):
        """running_mean with the wrong number of channels names the argument and both sizes."""
        with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\).*got \(4,\)"):
            batch_norm(torch.randn(2, 3, 4), torch.zeros(4), torch.ones(3), training=True)

    def test_one_value_per_channel(self):
        """Training on one value per channel fails as in torch, with torch's message."""
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            F.batch_norm(torch.randn(1, 4), None, None, training=True)
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            batch_norm(torch.randn(1, 4), None, None, training=True)

    def test_eval_needs_running_stats(self):
        with pytest.raises(ValueError, match="running_mean and running_var are required"):
            batch_norm(torch.randn(2, 3), None, None, training=False)

    def test_integer_input(self):
        with pytest.raises(TypeError, match="x must have a floating dtype, got torch.int64"):
            batch_norm(torch.ones(2, 3, dtype=torch.long), None, None, training=True)


class TestBatchNormBackward:
    @pytest.mark.parametrize("shape", [(6, 3), (4, 3, 7), (3, 3, 4, 5)])
    @pytest.mark.parametrize("affine", [True, False])
    def test_matches_autograd(self, shape, affine):
        """The explicit formula equals autograd through F.batch_norm (float64)."""
        torch.manual_seed(2)
        x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
        w = torch.rand(3, dtype=torch.float64, requires_grad=True) if affine else None
        b = torch.rand(3, dtype=torch.float64, requires_grad=True) if affine else None
        g = torch.randn(shape, dtype=torch.float64)
        F.batch_norm(x, None, None, w, b, training=True).backward(g)
        dx, dw, db = batch_norm_backward(g, x.detach(), None if w is None else w.detach())
        assert_close(dx, x.grad)
        if affine:
            assert_close((dw, db), (w.grad, b.grad))

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match="grad_out must have the shape of x"):
            batch_norm_backward(torch.randn(2, 3), torch.randn(3, 3))


class TestBatchNorm2d:
    @pytest.mark.parametrize("momentum", [0.1, 0.5, None])
    @pytest.mark.parametrize("affine, track", [(True, True), (False, True), (True, False)])
    def test_matches_nn_over_steps(self, momentum, affine, track, torch_device):
        """Several training steps then eval: outputs and buffers equal nn.BatchNorm2d."""
        torch.manual_seed(3)
        ours = BatchNorm2d(4, momentum=momentum, affine=affine, track_running_stats=track).to(torch_device)
        ref = torch.nn.BatchNorm2d(4, momentum=momentum, affine=affine, track_running_stats=track).to(torch_device)
        for _ in range(4):
            x = torch.randn(5, 4, 3, 3, device=torch_device) * 2 + 0.5
            assert_close(ours(x), ref(x))
        if track:
            assert_close((ours.running_mean, ours.running_var), (ref.running_mean, ref.running_var))
            assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked) == 4
        ours.eval(), ref.eval()
        x = torch.randn(2, 4, 3, 3, device=torch_device)
        assert_close(ours(x), ref(x))

    def test_state_dict_loads_into_torch(self):
        """Same parameter and buffer names as nn.BatchNorm2d: checkpoints interchange."""
        ours = BatchNorm2d(3)
        ours(torch.randn(4, 3, 2, 2))
        ref = torch.nn.BatchNorm2d(3)
        ref.load_state_dict(ours.state_dict())
        assert_close(ref.running_mean, ours.running_mean)

    def test_rejects_3d_input(self):
        with pytest.raises(ValueError, match=r"x must be 4-D \(N, C, H, W\), got shape \(2, 3, 4\)"):
            BatchNorm2d(3)(torch.randn(2, 3, 4))
