"""snippets.normalization.fusion: fuse_conv_bn against torch.nn.utils.fusion.fuse_conv_bn_eval."""

from __future__ import annotations

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval
from torch.testing import assert_close

from snippets.normalization.fusion import fuse_conv_bn

DTYPES = [torch.float32, torch.float64]


def _pair(c_in: int = 3, c_out: int = 4, bias: bool = True, dtype=torch.float32, seed: int = 0, **conv_kwargs):
    """A conv and a BN (eval mode) with non-trivial running statistics, gamma and beta."""
    torch.manual_seed(seed)
    conv = nn.Conv2d(c_in, c_out, 3, bias=bias, **conv_kwargs).to(dtype)
    bn = nn.BatchNorm2d(c_out).to(dtype)
    with torch.no_grad():
        bn.running_mean.normal_(0, 2)
        bn.running_var.uniform_(0.1, 3)
        bn.weight.uniform_(-2, 2)
        bn.bias.normal_()
    return conv.eval(), bn.eval()


class TestFuseConvBn:
    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("bias", [True, False])
    def test_matches_torch(self, dtype, bias):
        """Weight and bias equal fuse_conv_bn_eval's, with and without a conv bias."""
        conv, bn = _pair(bias=bias, dtype=dtype)
        ours, ref = fuse_conv_bn(conv, bn), fuse_conv_bn_eval(conv, bn)
        assert_close(ours.weight, ref.weight)
        assert_close(ours.bias, ref.bias)
        assert ours.weight.dtype == dtype and ours.bias.dtype == dtype

    @pytest.mark.parametrize("dtype", DTYPES)
    def test_equals_conv_then_bn(self, dtype):
        """The fused conv computes bn(conv(x)) in eval mode, also with stride, padding, dilation, groups."""
        conv, bn = _pair(4, 6, bias=False, dtype=dtype, stride=2, padding=2, dilation=2, groups=2)
        x = torch.randn(3, 4, 11, 9, dtype=dtype)
        with torch.no_grad():
            assert_close(fuse_conv_bn(conv, bn)(x), bn(conv(x)))

    @settings(max_examples=20, deadline=None)
    @given(c_in=st.integers(1, 5), c_out=st.integers(1, 6), bias=st.booleans(), seed=st.integers(0, 2**16))
    def test_property_matches_torch(self, c_in, c_out, bias, seed):
        """Random shapes and statistics: same output as torch's fused conv."""
        conv, bn = _pair(c_in, c_out, bias=bias, seed=seed)
        x = torch.randn(2, c_in, 6, 5)
        with torch.no_grad():
            assert_close(fuse_conv_bn(conv, bn)(x), fuse_conv_bn_eval(conv, bn)(x))

    def test_known_values(self):
        """1x1 conv with weight 2, bias 1; BN mean 3, var 4 - eps, gamma 0.5, beta 1 -> w' 0.5, b' 0.5."""
        conv, bn = nn.Conv2d(1, 1, 1).eval(), nn.BatchNorm2d(1).eval()
        with torch.no_grad():
            conv.weight.fill_(2.0), conv.bias.fill_(1.0)
            bn.running_mean.fill_(3.0), bn.running_var.fill_(4.0 - bn.eps)
            bn.weight.fill_(0.5), bn.bias.fill_(1.0)
        fused = fuse_conv_bn(conv, bn)
        assert fused.weight.item() == pytest.approx(0.5) and fused.bias.item() == pytest.approx(0.5)

    def test_inputs_not_mutated(self):
        """Neither module changes; the result is a new module in eval mode."""
        conv, bn = _pair(bias=False)
        conv_state, bn_state = copy.deepcopy(conv.state_dict()), copy.deepcopy(bn.state_dict())
        fused = fuse_conv_bn(conv, bn)
        assert fused is not conv and conv.bias is None and not fused.training
        assert_close(conv.state_dict(), conv_state)
        assert_close(bn.state_dict(), bn_state)

    @pytest.mark.parametrize("which", ["conv", "bn"])
    def test_training_mode_rejected(self, which):
        conv, bn = _pair()
        {"conv": conv, "bn": bn}[which].train()
        with pytest.raises(ValueError, match=f"{which} is in training mode"):
            fuse_conv_bn(conv, bn)

    def test_channel_mismatch(self):
        conv, _ = _pair(c_out=4)
        with pytest.raises(ValueError, match=r"bn.num_features \(5\) must equal conv.out_channels \(4\)"):
            fuse_conv_bn(conv, nn.BatchNorm2d(5).eval())

    def test_no_running_stats(self):
        conv, _ = _pair()
        with pytest.raises(ValueError, match="track_running_stats=False"):
            fuse_conv_bn(conv, nn.BatchNorm2d(4, track_running_stats=False).eval())

    def test_wrong_types(self):
        conv, bn = _pair()
        with pytest.raises(TypeError, match="conv must be an nn.Conv1d/2d/3d, got Linear"):
            fuse_conv_bn(nn.Linear(3, 4).eval(), bn)
        with pytest.raises(TypeError, match="bn must be an nn.BatchNorm1d/2d/3d, got LayerNorm"):
            fuse_conv_bn(conv, nn.LayerNorm(4).eval())
