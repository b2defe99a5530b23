"""Argument checks shared by the snippets: clear errors naming argument, expectation and value."""

from __future__ import annotations

import torch
from torch import Tensor


def check_tensor(name: str, value: object, *, floating: bool = True) -> Tensor:
    """Raise ``TypeError`` unless ``value`` is a tensor (of floating dtype if ``floating``)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype, got {value.dtype}; convert it with .float()")
    return value


def check_rank(name: str, value: Tensor, allowed: tuple[int, ...], layout: str) -> None:
    """Raise ``ValueError`` unless ``value.dim()`` is one of ``allowed``."""
    if value.dim() not in allowed:
        ranks = " or ".join(f"{r}-D" for r in allowed)
        raise ValueError(f"{name} must be {ranks} {layout}, got shape {tuple(value.shape)}")


def check_channels(name: str, value: Tensor | None, channels: int) -> None:
    """Raise ``ValueError`` unless ``value`` is None or a 1-D tensor of ``channels`` elements."""
    if value is None:
        return
    check_tensor(name, value)
    if value.shape != torch.Size([channels]):
        raise ValueError(
            f"{name} must have shape ({channels},) to match the {channels} channels of x, got {tuple(value.shape)}"
        )
