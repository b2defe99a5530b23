"""Batch normalization (Ioffe & Szegedy, 2015) with PyTorch's exact semantics.

Twin: ``torch.nn.functional.batch_norm`` and ``torch.nn.BatchNorm2d``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import torch
from torch import Tensor, nn
# --8<-- [end:imports]

from snippets._checks import check_channels, check_rank, check_tensor

__all__ = ["batch_norm", "batch_norm_backward", "BatchNorm2d", "running_mean_figure"]


# Argument checks live here, outside the shown sections, so each function reads as its math.
def _check_batch_norm(x, running_mean, running_var, weight, bias, training) -> None:
    check_tensor("x", x)
    check_rank("x", x, (2, 3, 4, 5), "(N, C, *)")
    channels = x.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        check_channels(name, value, channels)
    if not training and (running_mean is None or running_var is None):
        raise ValueError("running_mean and running_var are required when training=False")
    if training and x.numel() // channels <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {tuple(x.shape)}")


def _check_batch_norm_backward(grad_out, x, weight) -> None:
    check_tensor("grad_out", grad_out)
    check_tensor("x", x)
    check_rank("x", x, (2, 3, 4, 5), "(N, C, *)")
    if grad_out.shape != x.shape:
        raise ValueError(f"grad_out must have the shape of x {tuple(x.shape)}, got {tuple(grad_out.shape)}")
    check_channels("weight", weight, x.shape[1])


def _check_num_features(num_features: int) -> None:
    if num_features < 1:
        raise ValueError(f"num_features must be >= 1, got {num_features}")


def _check_input_4d(x) -> None:
    check_rank("x", x, (4,), "(N, C, H, W)")


# --8<-- [start:batch_norm]
def batch_norm(
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each channel of ``x`` (Tensor[N, C, *]) over the batch and spatial
    axes.

    Training: use the batch mean and *biased* batch variance, and update
    ``running_mean`` / ``running_var`` in place (if given) with
    ``running = (1 - momentum) * running + momentum * batch_stat``, where the
    variance fed to the running average is the *unbiased* one.
    Eval: use ``running_mean`` / ``running_var``.
    ``weight``, ``bias``, ``running_*``: Tensor[C]. Returns Tensor[N, C, *].
    """
    _check_batch_norm(x, running_mean, running_var, weight, bias, training)
    channels = x.shape[1]
    # axes that are averaged: every axis but the channel axis
    dims = [0, *range(2, x.dim())]
    n = x.numel() // channels  # values per channel
    shape = [1, channels] + [1] * (x.dim() - 2)  # to broadcast Tensor[C] against x

    if training:
        # var = E[(x - mean)^2], biased: the batch is the whole population here
        var, mean = torch.var_mean(x, dim=dims, correction=0)
        if running_mean is not None and running_var is not None:
            with torch.no_grad():  # running stats are state, not part of the graph
                running_mean.mul_(1 - momentum).add_(mean.detach(), alpha=momentum)
                # unbiased: the running variance estimates the population's
                running_var.mul_(1 - momentum).add_(
                    var.detach() * (n / (n - 1)), alpha=momentum
                )
    else:
        mean, var = running_mean, running_var

    # y = (x - mean) / sqrt(var + eps) * weight + bias, folded into y = x * scale +
    # shift
    scale = torch.rsqrt(var + eps)
    if weight is not None:
        scale = scale * weight
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    return torch.addcmul(shift.reshape(shape), x, scale.reshape(shape))
# --8<-- [end:batch_norm]


# --8<-- [start:batch_norm_backward]
def batch_norm_backward(
    grad_out: Tensor, x: Tensor, weight: Tensor | None = None, eps: float = 1e-5
) -> tuple[Tensor, Tensor, Tensor]:
    """Gradients of training-mode ``batch_norm`` by the explicit formula.

    ``grad_out``, ``x``: Tensor[N, C, *]; ``weight``: Tensor[C] or None.
    Returns ``(grad_input Tensor[N, C, *], grad_weight Tensor[C], grad_bias
    Tensor[C])``.
    With x_hat = (x - mean) * rstd and m values per channel:
    dx = weight * rstd / m * (m * g - sum(g) - x_hat * sum(g * x_hat)).
    """
    _check_batch_norm_backward(grad_out, x, weight)
    channels = x.shape[1]
    dims = [0, *range(2, x.dim())]
    shape = [1, channels] + [1] * (x.dim() - 2)
    m = x.numel() // channels
    var, mean = torch.var_mean(x, dim=dims, correction=0)
    rstd = torch.rsqrt(var + eps).reshape(shape)
    x_hat = (x - mean.reshape(shape)) * rstd
    grad_bias = grad_out.sum(dims)  # d bias = sum(g)
    grad_weight = (grad_out * x_hat).sum(dims)  # d weight = sum(g * x_hat)
    gamma = torch.ones_like(mean) if weight is None else weight
    grad_input = (gamma.reshape(shape) * rstd / m) * (
        m * grad_out - grad_bias.reshape(shape) - x_hat * grad_weight.reshape(shape)
    )
    return grad_input, grad_weight, grad_bias
# --8<-- [end:batch_norm_backward]


# --8<-- [start:BatchNorm2d]
class BatchNorm2d(nn.Module):
    """``nn.BatchNorm2d`` look-alike: stores parameters and running stats, calls
    ``batch_norm``.

    ``momentum=None`` gives a cumulative moving average (momentum = 1 / batches seen),
    as in PyTorch. Input: Tensor[N, C, H, W].
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        super().__init__()
        _check_num_features(num_features)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long)
            )
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x: Tensor) -> Tensor:
        _check_input_4d(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative average of every batch so far
                factor = 1.0 / float(self.num_batches_tracked)
        # eval without running stats falls back to batch statistics, as in PyTorch
        use_batch_stats = self.training or self.running_mean is None
        return batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )
# --8<-- [end:BatchNorm2d]


