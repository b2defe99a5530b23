"""The lecture's ``sinx`` Taylor loop as one Triton kernel: each element read once, written once.

CMU 15-418's ``sinx`` computes, for every element,
``sin(x) ~ x - x^3/3! + x^5/5! - ...`` with ``terms`` correction terms. Eager
PyTorch runs every multiply and add of that loop as its own kernel over the
whole array (tens of passes over memory); a fused kernel does the loop in
registers, so its floor is the time to copy the array once.

Runs on a CUDA device, or on the CPU through Triton's interpreter
(``TRITON_INTERPRET=1`` in the environment before the kernel is defined).
"""

# --8<-- [start:imports]
from __future__ import annotations

import os

import torch
import triton
import triton.language as tl
from torch import Tensor

from snippets._checks import check_tensor
# --8<-- [end:imports]

from snippets._checks import check_int

__all__ = ["sinx_triton", "sinx_torch_loop"]


# --8<-- [start:sinx_kernel]
@triton.jit
def _sinx_kernel(X, Y, n, TERMS: tl.constexpr, BLOCK: tl.constexpr):
    # one program handles BLOCK consecutive elements; int64 offsets for arrays past 2^31
    offsets = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(X + offsets, mask=mask, other=0.0)
    value = x
    x2 = x * x
    numer = x * x2
    # denom in floating point: the lecture's `int denom` overflows at 13! (> 2^31)
    denom = 6.0
    sign = -1.0
    # the loop is unrolled at compile time: TERMS is a constant of the kernel
    for j in tl.static_range(1, TERMS + 1):
        value += sign * numer / denom
        numer *= x2
        denom *= (2 * j + 2) * (2 * j + 3)
        sign = -sign
    tl.store(Y + offsets, value, mask=mask)
# --8<-- [end:sinx_kernel]


def _check(x: Tensor, terms: int) -> None:
    check_tensor("x", x)
    if x.dtype != torch.float32:
        raise TypeError(f"x must be float32, got {x.dtype}")
    if x.dim() != 1:
        raise ValueError(f"x must be 1-D, got shape {tuple(x.shape)}")
    try:
        check_int("terms", terms, minimum=0)
    except (TypeError, ValueError):  # a wrong type is a ValueError here too: one message for all
        raise ValueError(f"terms must be an int >= 0, got {terms!r}") from None


# --8<-- [start:sinx_triton]
def sinx_triton(x: Tensor, terms: int = 10, block: int = 1024) -> Tensor:
    """``sin`` of every element of ``x`` (Tensor[N], float32) by the lecture's Taylor
    loop, fused.

    ``x`` on a CUDA device (or the CPU under ``TRITON_INTERPRET=1``). Returns Tensor[N],
    float32.
    """
    _check(x, terms)
    if not (
        x.is_cuda
        or (os.environ.get("TRITON_INTERPRET", "0") == "1" and x.device.type == "cpu")
    ):
        raise ValueError(
            "x must be a CUDA tensor (or a CPU tensor with TRITON_INTERPRET=1), got "
            f"device {x.device}"
        )
    if block < 1 or block & (block - 1):
        raise ValueError(f"block must be a power of two, got {block}")
    x = x.contiguous()
    y = torch.empty_like(x)
    if x.numel():
        _sinx_kernel[(triton.cdiv(x.numel(), block),)](
            x, y, x.numel(), TERMS=terms, BLOCK=block
        )
    return y
# --8<-- [end:sinx_triton]


# --8<-- [start:sinx_torch_loop]
def sinx_torch_loop(x: Tensor, terms: int = 10) -> Tensor:
    """The same loop in eager PyTorch: every ``*``, ``/``, ``+`` is a kernel over all of
    ``x`` (Tensor[N])."""
    _check(x, terms)
    value = x.clone()
    x2 = x * x
    numer = x * x2
    denom, sign = 6.0, -1.0
    for j in range(1, terms + 1):
        value += sign * numer / denom
        numer = numer * x2
        denom *= (2 * j + 2) * (2 * j + 3)
        sign = -sign
    return value
# --8<-- [end:sinx_torch_loop]
