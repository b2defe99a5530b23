"""LayerNorm, GroupNorm, InstanceNorm and RMSNorm with PyTorch's exact semantics.

Twins: ``torch.nn.functional.layer_norm`` / ``group_norm`` / ``instance_norm`` /
``rms_norm`` and ``torch.nn.LayerNorm`` / ``GroupNorm`` / ``InstanceNorm2d`` / ``RMSNorm``.
None of them keeps running statistics: training and evaluation compute the same thing.
"""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
# --8<-- [end:imports]

from snippets._checks import check_channels, check_rank, check_tensor

__all__ = [
    "layer_norm", "group_norm", "instance_norm", "rms_norm",
    "LayerNorm", "GroupNorm", "InstanceNorm2d", "RMSNorm",
    "normalized_sets",
]


# --8<-- [start:helpers]
def _as_shape(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    """``normalized_shape`` as a tuple of ints (an int ``D`` means ``(D,)``)."""
    shape = normalized_shape
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or not all(isinstance(d, int) and d >= 1 for d in shape):
        raise ValueError(
            f"normalized_shape must be a positive int or a non-empty sequence of them, "
            f"got {normalized_shape!r}"
        )
    return shape


def _check_trailing(x: Tensor, shape: tuple[int, ...]) -> list[int]:
    """The trailing dims of ``x`` that ``shape`` names; raise unless they match."""
    if x.dim() < len(shape) or tuple(x.shape[x.dim() - len(shape):]) != shape:
        raise ValueError(
            f"normalized_shape={list(shape)} must equal the last {len(shape)} "
            f"dims of x, got x of shape {tuple(x.shape)}"
        )
    return list(range(x.dim() - len(shape), x.dim()))


def _check_elementwise(name: str, value: Tensor | None, shape: tuple[int, ...]) -> None:
    """Raise unless ``value`` is None or a tensor of shape ``normalized_shape``."""
    if value is None:
        return
    check_tensor(name, value)
    if tuple(value.shape) != shape:
        raise ValueError(
            f"{name} must have shape normalized_shape={shape}, got {tuple(value.shape)}"
        )
# --8<-- [end:helpers]


# Argument checks of the functions below, outside their shown sections.
def _check_layer_norm(x, normalized_shape, weight, bias=None) -> None:
    check_tensor("x", x)
    shape = _as_shape(normalized_shape)
    _check_trailing(x, shape)
    _check_elementwise("weight", weight, shape)
    _check_elementwise("bias", bias, shape)


def _check_group_norm(x, num_groups, weight, bias) -> None:
    check_tensor("x", x)
    if x.dim() < 2:
        raise ValueError(f"x must be at least 2-D (N, C, *), got shape {tuple(x.shape)}")
    channels = x.shape[1]
    if not isinstance(num_groups, int) or num_groups < 1 or channels % num_groups:
        raise ValueError(f"num_groups must be a positive divisor of the {channels} channels of x, got {num_groups!r}")
    check_channels("weight", weight, channels)
    check_channels("bias", bias, channels)


def _check_instance_norm(x, weight, bias) -> None:
    check_tensor("x", x)
    check_rank("x", x, (3, 4, 5), "(N, C, *spatial)")
    check_channels("weight", weight, x.shape[1])
    check_channels("bias", bias, x.shape[1])
    if x[0, 0].numel() <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {tuple(x.shape)}")


def _check_num_groups(num_groups: int, num_channels: int) -> None:
    if num_groups < 1 or num_channels % num_groups:
        raise ValueError(f"num_groups must divide num_channels={num_channels}, got {num_groups}")


# --8<-- [start:layer_norm]
def layer_norm(
    x: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize ``x`` (Tensor[*, *normalized_shape]) over its last
    ``len(normalized_shape)`` dims.

    Each sample (each index of the leading dims) gets its own mean and *biased*
    variance; ``weight`` and ``bias`` (Tensor[*normalized_shape]) are element-wise.
    Returns a tensor of the shape of ``x``.
    """
    _check_layer_norm(x, normalized_shape, weight, bias)
    dims = list(range(x.dim() - len(_as_shape(normalized_shape)), x.dim()))
    # mean and biased var over the normalized dims, one pair per sample
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    y = (x - mean) * torch.rsqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
# --8<-- [end:layer_norm]


# --8<-- [start:group_norm]
def group_norm(
    x: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Split the C channels of ``x`` (Tensor[N, C, *]) into ``num_groups`` groups and
    normalize each.

    One mean and biased variance per (sample, group), over the group's C / num_groups
    channels and all spatial positions. ``weight``, ``bias``: Tensor[C], per channel.
    Returns Tensor[N, C, *].
    """
    _check_group_norm(x, num_groups, weight, bias)
    n, channels = x.shape[0], x.shape[1]
    # (N, G, C/G * spatial): each row is one group of one sample
    groups = x.reshape(n, num_groups, -1)
    var, mean = torch.var_mean(groups, dim=-1, correction=0, keepdim=True)
    y = ((groups - mean) * torch.rsqrt(var + eps)).reshape(x.shape)
    shape = [1, channels] + [1] * (x.dim() - 2)  # broadcast Tensor[C] against x
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y
# --8<-- [end:group_norm]


# --8<-- [start:instance_norm]
def instance_norm(
    x: Tensor,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each channel of each sample of ``x`` (Tensor[N, C, *spatial]) over its
    spatial dims.

    ``F.instance_norm`` with ``use_input_stats=True`` and no running statistics;
    equal to ``group_norm(x, C)``. ``weight``, ``bias``: Tensor[C]. Returns Tensor[N, C,
    *spatial].
    """
    _check_instance_norm(x, weight, bias)
    channels = x.shape[1]
    dims = list(range(2, x.dim()))  # spatial dims only: one (mean, var) per (n, c)
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
    y = (x - mean) * torch.rsqrt(var + eps)
    shape = [1, channels] + [1] * (x.dim() - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y
# --8<-- [end:instance_norm]


# --8<-- [start:rms_norm]
def rms_norm(
    x: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Divide ``x`` (Tensor[*, *normalized_shape]) by its root mean square over the last
    dims.

    y = x / sqrt(mean(x^2) + eps) * weight — no mean is subtracted, so each vector
    keeps its direction. ``eps=None`` means ``torch.finfo(x.dtype).eps``, as in
    ``F.rms_norm``. ``weight``: Tensor[*normalized_shape]. Returns the shape of ``x``.
    """
    _check_layer_norm(x, normalized_shape, weight)
    dims = list(range(x.dim() - len(_as_shape(normalized_shape)), x.dim()))
    if eps is None:
        eps = torch.finfo(x.dtype).eps
    # mean of squares, not variance: nothing is centred
    y = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
    if weight is not None:
        y = y * weight
    return y
# --8<-- [end:rms_norm]


# --8<-- [start:modules]
class LayerNorm(nn.Module):
    """``nn.LayerNorm`` look-alike: element-wise ``weight`` / ``bias`` of
    ``normalized_shape``."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True) -> None:
        super().__init__()
        self.normalized_shape, self.eps = _as_shape(normalized_shape), eps
        affine = elementwise_affine
        self.weight = (
            nn.Parameter(torch.ones(self.normalized_shape)) if affine else None
        )
        self.bias = (
            nn.Parameter(torch.zeros(self.normalized_shape))
            if affine and bias
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


class GroupNorm(nn.Module):
    """``nn.GroupNorm`` look-alike: per-channel ``weight`` / ``bias`` of shape (C,)."""

    def __init__(
        self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True
    ) -> None:
        super().__init__()
        _check_num_groups(num_groups, num_channels)
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.weight = nn.Parameter(torch.ones(num_channels)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_channels)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)


class InstanceNorm2d(nn.Module):
    """``nn.InstanceNorm2d`` look-alike (``affine=False`` by default, no running
    statistics)."""

    def __init__(
        self, num_features: int, eps: float = 1e-5, affine: bool = False
    ) -> None:
        super().__init__()
        self.num_features, self.eps = num_features, eps
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        check_rank("x", x, (4,), "(N, C, H, W)")
        return instance_norm(x, self.weight, self.bias, self.eps)


class RMSNorm(nn.Module):
    """``nn.RMSNorm`` look-alike: element-wise ``weight`` only (no bias, no
    centring)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True) -> None:
        super().__init__()
        self.normalized_shape, self.eps = _as_shape(normalized_shape), eps
        self.weight = (
            nn.Parameter(torch.ones(self.normalized_shape))
            if elementwise_affine
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)
# --8<-- [end:modules]


# --8<-- [start:normalized_sets]
def normalized_sets(norm, shape: tuple[int, int, int, int] = (3, 6, 2, 2)) -> Tensor:
    """Which entries share statistics with entry (0, 0, 0, 0) under ``norm``: a bool
    Tensor[N, C, H, W].

    Measured, not assumed: changing x[0, 0, 0, 0] moves the mean and variance of its
    own normalization set, hence every output of that set, and no other output.
    """
    torch.manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64)
    nudged = x.clone()
    nudged[0, 0, 0, 0] += 1.0
    return norm(nudged) != norm(x)
# --8<-- [end:normalized_sets]


