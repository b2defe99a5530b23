"""Smooth L1 with jwyang's sigma. Twin: ``torch.nn.functional.smooth_l1_loss(beta=1 / sigma**2)``."""

# --8<-- [start:imports]
from __future__ import annotations

import torch
from torch import Tensor
# --8<-- [end:imports]

from snippets._checks import check_tensor

__all__ = ["smooth_l1_loss"]


# Argument checks live here, outside the shown sections, so the function reads as its math.
def _check_smooth_l1_loss(
    input: object, target: object, sigma: float, reduction: str
) -> None:
    check_tensor("input", input)
    check_tensor("target", target)
    if input.shape != target.shape:
        raise ValueError(
            "input and target must have the same shape, "
            f"got {tuple(input.shape)} and {tuple(target.shape)}"
        )
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}"
        )


# --8<-- [start:smooth_l1_loss]
def smooth_l1_loss(
    input: Tensor, target: Tensor, sigma: float = 1.0, reduction: str = "mean"
) -> Tensor:
    """Smooth L1 as written in Fast/Faster R-CNN, with x = input - target:

    0.5 * (sigma * x)^2  if |x| < 1 / sigma^2,  else |x| - 0.5 / sigma^2.
    This is exactly F.smooth_l1_loss(beta=1 / sigma^2),
    since 0.5 (sigma x)^2 = 0.5 x^2 / beta.
    ``input``, ``target``: Tensor[*], same shape.
    ``reduction``: "none" | "mean" | "sum".
    """
    _check_smooth_l1_loss(input, target, sigma, reduction)
    beta = 1.0 / sigma**2  # the switch point between the quadratic and the linear part
    diff = (input - target).abs()
    loss = torch.where(diff < beta, 0.5 * diff**2 / beta, diff - 0.5 * beta)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss
# --8<-- [end:smooth_l1_loss]
