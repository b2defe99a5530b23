"""Folding an eval-mode BatchNorm into the convolution before it.

In evaluation a BatchNorm layer is a fixed per-channel affine map, so
conv -> BN is one convolution with rescaled weights and a new bias.
Twin: ``torch.nn.utils.fusion.fuse_conv_bn_eval``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import copy

import torch
from torch import nn
# --8<-- [end:imports]

__all__ = ["fuse_conv_bn"]


def _check_fusable(conv: nn.Module, bn: nn.Module) -> None:
    """Raise unless ``conv`` is a Conv*d and ``bn`` a BatchNorm with running stats, both in eval mode."""
    if not isinstance(conv, nn.modules.conv._ConvNd) or isinstance(conv, nn.modules.conv._ConvTransposeNd):
        raise TypeError(f"conv must be an nn.Conv1d/2d/3d, got {type(conv).__name__}")
    if not isinstance(bn, nn.modules.batchnorm._BatchNorm):
        raise TypeError(f"bn must be an nn.BatchNorm1d/2d/3d, got {type(bn).__name__}")
    for name, module in (("conv", conv), ("bn", bn)):
        if module.training:
            raise ValueError(f"{name} is in training mode: fusion uses eval-mode semantics, "
                             "call .eval() on both modules first")
    if bn.num_features != conv.out_channels:
        raise ValueError(f"bn.num_features ({bn.num_features}) must equal conv.out_channels "
                         f"({conv.out_channels})")
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError("bn has no running statistics (track_running_stats=False): "
                         "in eval mode it still normalizes with batch statistics and cannot be folded")


# --8<-- [start:fuse_conv_bn]
@torch.no_grad()
def fuse_conv_bn(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Conv2d:
    """One convolution computing ``bn(conv(x))`` in eval mode; neither input is changed.

    Per output channel c, with s_c = gamma_c / sqrt(running_var_c + eps):
    W'_c = W_c * s_c and b'_c = (b_c - running_mean_c) * s_c + beta_c
    (b_c = 0 when ``conv.bias`` is None). Returns a new conv, in eval mode.
    """
    _check_fusable(conv, bn)
    fused = copy.deepcopy(conv)  # same kernel size, stride, padding, groups, dtype
    # s = gamma / sqrt(var + eps): the whole eval-mode BN is y = s * (z - mean) + beta
    scale = torch.rsqrt(bn.running_var + bn.eps)
    if bn.weight is not None:
        scale = scale * bn.weight
    bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    shift = (bias - bn.running_mean) * scale
    if bn.bias is not None:
        shift = shift + bn.bias
    # W: (C_out, C_in / groups, k, ...) -> scale each output channel's filter
    shape = [-1] + [1] * (conv.weight.dim() - 1)
    weight = conv.weight * scale.reshape(shape)
    fused.weight = nn.Parameter(weight.to(conv.weight.dtype))
    fused.bias = nn.Parameter(shift.to(conv.weight.dtype))
    return fused.eval()
# --8<-- [end:fuse_conv_bn]
