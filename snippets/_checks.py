"""Argument checks shared by the snippets: clear errors naming argument, expectation and value."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported where a tensor is checked: numpy-only topics never load it
    from torch import Tensor


def check_int(name: str, value: object, minimum: int | None = None) -> int:
    """Return ``int(value)`` if it is an int (or NumPy integer, not a bool) >= ``minimum``.

    ``TypeError`` for a non-int or a bool, ``ValueError`` below ``minimum`` (None: no bound).
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_tensor(name: str, value: object, *, floating: bool = True) -> Tensor:
    """Raise ``TypeError`` unless ``value`` is a tensor (of floating dtype if ``floating``)."""
    from torch import Tensor

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
    import torch

    if value is None:
        return
    check_tensor(name, value)
    if value.shape != torch.Size([channels]):
        raise ValueError(
            f"{name} must have shape ({channels},) to match the {channels} channels of x, got {tuple(value.shape)}"
        )
