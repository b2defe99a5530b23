"""A fused LayerNorm in Triton: one program per row, float32 statistics, forward and backward.

Twin: ``torch.nn.functional.layer_norm``. The point of fusing: LayerNorm reads
each row, reduces it to a mean and a variance and writes the normalized row. A
fused kernel keeps the row in registers between the reduction and the write,
so the whole op moves the least bytes possible — one read of ``x`` and one
write of ``y`` — and its speed is bounded by the device's copy bandwidth.

Runs on a CUDA device, or on the CPU through Triton's interpreter
(``TRITON_INTERPRET=1`` in the environment before the kernels are defined:
slow, for checking correctness on small shapes).
"""

# --8<-- [start:imports]
from __future__ import annotations

import math
import os

import torch
import triton
import triton.language as tl
from torch import Tensor

from snippets._checks import check_tensor
# --8<-- [end:imports]

__all__ = ["layer_norm_triton", "SUPPORTED_DTYPES", "MAX_FUSED_SIZE"]

SUPPORTED_DTYPES = (torch.float32, torch.bfloat16, torch.float16)
# One row must fit in one program's registers: 64 KiB of float32 at most.
MAX_FUSED_SIZE = 16384


# --8<-- [start:forward_kernel]
@triton.jit
def _add(a, b):
    return a + b


@triton.jit
def _layer_norm_forward_kernel(
    X,
    Y,
    W,
    B,
    Mean,
    Rstd,
    N,
    eps,
    HAS_WEIGHT: tl.constexpr,
    HAS_BIAS: tl.constexpr,
    BLOCK_N: tl.constexpr,
):
    # one program normalizes one row of X (M, N); int64 offsets: M * N may pass 2^31
    row = tl.program_id(0).to(tl.int64)
    cols = tl.arange(0, BLOCK_N)
    mask = cols < N
    # the row is read once, and kept in registers from here on; statistics in float32
    x = tl.load(X + row * N + cols, mask=mask, other=0.0).to(tl.float32)
    # row sums by tl.reduce with our own `_add` (tl.sum is the same reduction: tl.reduce
    # with an
    # add defined in triton.language.standard, which the interpreter runs only if it was
    # on at import)
    mean = tl.reduce(x, 0, _add) / N
    # var = E[(x - mean)^2], biased, two-pass on the registers (no E[x^2] - mean^2
    # cancellation)
    diff = tl.where(mask, x - mean, 0.0)
    var = tl.reduce(diff * diff, 0, _add) / N
    rstd = 1.0 / tl.sqrt(var + eps)
    y = diff * rstd
    if HAS_WEIGHT:
        y = y * tl.load(W + cols, mask=mask, other=0.0).to(tl.float32)
    if HAS_BIAS:
        y = y + tl.load(B + cols, mask=mask, other=0.0).to(tl.float32)
    # ... and written once, in the input's dtype; mean and 1/std are kept for the
    # backward
    tl.store(Y + row * N + cols, y.to(Y.dtype.element_ty), mask=mask)
    tl.store(Mean + row, mean)
    tl.store(Rstd + row, rstd)
# --8<-- [end:forward_kernel]


# --8<-- [start:backward_kernel]
@triton.jit
def _layer_norm_backward_kernel(
    X,
    DY,
    DX,
    W,
    Mean,
    Rstd,
    DW,
    DB,
    M,
    N,
    rows_per_program,
    HAS_WEIGHT: tl.constexpr,
    BLOCK_N: tl.constexpr,
):
    # program p handles rows [p * rows_per_program, (p + 1) * rows_per_program) and
    # accumulates its share of dweight and dbias in registers: DW, DB are (programs, N)
    pid = tl.program_id(0)
    cols = tl.arange(0, BLOCK_N)
    mask = cols < N
    if HAS_WEIGHT:
        w = tl.load(W + cols, mask=mask, other=0.0).to(tl.float32)
    dw = tl.full([BLOCK_N], 0.0, tl.float32)
    db = tl.full([BLOCK_N], 0.0, tl.float32)
    # int64 row numbers: row * N may pass 2^31
    first = pid.to(tl.int64) * rows_per_program
    last = tl.minimum(first + rows_per_program, M)
    for row in range(first, last):
        offset = row * N
        x = tl.load(X + offset + cols, mask=mask, other=0.0).to(tl.float32)
        dy = tl.load(DY + offset + cols, mask=mask, other=0.0).to(tl.float32)
        rstd = tl.load(Rstd + row)
        xhat = tl.where(mask, (x - tl.load(Mean + row)) * rstd, 0.0)
        # g = dL/dxhat
        if HAS_WEIGHT:
            g = dy * w
        else:
            g = dy
        # dx = rstd * (g - mean(g) - xhat * mean(g * xhat))
        c_xhat = tl.reduce(g * xhat, 0, _add) / N
        c_one = tl.reduce(g, 0, _add) / N
        dx = (g - (xhat * c_xhat + c_one)) * rstd
        tl.store(DX + offset + cols, dx.to(DX.dtype.element_ty), mask=mask)
        dw += dy * xhat
        db += dy
    tl.store(DW + pid * N + cols, dw, mask=mask)
    tl.store(DB + pid * N + cols, db, mask=mask)
# --8<-- [end:backward_kernel]


def _interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") == "1"


def _num_warps(block_n: int) -> int:
    # wider rows, more threads per row: 4096 columns -> 8 warps of 32 threads, 16 columns per thread
    return 4 if block_n < 2048 else 8 if block_n < 8192 else 16


def _forward(x2d: Tensor, weight: Tensor | None, bias: Tensor | None, eps: float, num_warps: int | None = None):
    m, n = x2d.shape
    y = torch.empty_like(x2d)
    mean = torch.empty(m, dtype=torch.float32, device=x2d.device)
    rstd = torch.empty(m, dtype=torch.float32, device=x2d.device)
    if m:
        block_n = triton.next_power_of_2(n)
        _layer_norm_forward_kernel[(m,)](
            x2d, y, weight if weight is not None else x2d, bias if bias is not None else x2d, mean, rstd,
            n, eps, HAS_WEIGHT=weight is not None, HAS_BIAS=bias is not None, BLOCK_N=block_n,
            num_warps=num_warps or _num_warps(block_n))
    return y, mean, rstd


def _num_warps_backward(block_n: int) -> int:
    # the backward holds x, dy, xhat, g and two accumulators per column: twice the threads
    return min(2 * _num_warps(block_n), 32)


def _backward(dy: Tensor, x2d: Tensor, weight: Tensor | None, mean: Tensor, rstd: Tensor):
    m, n = x2d.shape
    dx = torch.empty_like(x2d)
    if x2d.is_cuda:
        programs = min(m, 4 * torch.cuda.get_device_properties(x2d.device).multi_processor_count)
    else:
        programs = min(m, 4)
    programs = max(programs, 1)
    rows_per_program = math.ceil(m / programs) if m else 0
    dw = torch.zeros(programs, n, dtype=torch.float32, device=x2d.device)
    db = torch.zeros(programs, n, dtype=torch.float32, device=x2d.device)
    if m:
        block_n = triton.next_power_of_2(n)
        _layer_norm_backward_kernel[(programs,)](
            x2d, dy, dx, weight if weight is not None else x2d, mean, rstd, dw, db, m, n, rows_per_program,
            HAS_WEIGHT=weight is not None, BLOCK_N=block_n, num_warps=_num_warps_backward(block_n))
    return dx, dw.sum(0), db.sum(0)


class _LayerNormTriton(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x2d: Tensor, weight: Tensor | None, bias: Tensor | None, eps: float) -> Tensor:
        y, mean, rstd = _forward(x2d, weight, bias, eps)
        ctx.save_for_backward(x2d, weight, mean, rstd)
        ctx.bias_dtype = bias.dtype if bias is not None else None
        return y

    @staticmethod
    def backward(ctx, dy: Tensor):
        x2d, weight, mean, rstd = ctx.saved_tensors
        dx, dw, db = _backward(dy.contiguous(), x2d, weight, mean, rstd)
        dweight = dw.to(weight.dtype) if weight is not None and ctx.needs_input_grad[1] else None
        dbias = db.to(ctx.bias_dtype) if ctx.bias_dtype is not None and ctx.needs_input_grad[2] else None
        return dx, dweight, dbias, None


def _check_affine(name: str, value: Tensor | None, shape: tuple[int, ...], x: Tensor) -> Tensor | None:
    if value is None:
        return None
    check_tensor(name, value)
    if tuple(value.shape) != shape:
        raise ValueError(f"{name} must have shape {shape} (normalized_shape), got {tuple(value.shape)}")
    if value.device != x.device:
        raise ValueError(f"{name} must be on x's device {x.device}, got {value.device}")
    return value.contiguous().reshape(-1)


# --8<-- [start:layer_norm_triton]
def layer_norm_triton(
    x: Tensor,
    normalized_shape: int | tuple[int, ...] | list[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """LayerNorm over the trailing ``normalized_shape`` axes of ``x`` (Tensor[*,
    *normalized_shape]).

    Same semantics as ``F.layer_norm``: biased variance, ``weight`` and ``bias``
    (Tensor[*normalized_shape]) optional. ``x`` float32, bfloat16 or float16 on a
    CUDA device (or on the CPU under ``TRITON_INTERPRET=1``); statistics are
    accumulated in float32 and ``y`` has ``x``'s dtype. Differentiable in ``x``,
    ``weight`` and ``bias``. Returns Tensor of ``x``'s shape.
    """
    check_tensor("x", x)
    if x.dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"x must be float32, bfloat16 or float16, got {x.dtype}")
    if not (x.is_cuda or (_interpreting() and x.device.type == "cpu")):
        raise ValueError(
            "x must be a CUDA tensor (or a CPU tensor with TRITON_INTERPRET=1), "
            f"got device {x.device}"
        )
    shape = (
        (normalized_shape,)
        if isinstance(normalized_shape, int)
        else tuple(normalized_shape)
    )
    if not shape or any(not isinstance(s, int) or s < 1 for s in shape):
        raise ValueError(
            f"normalized_shape must be positive ints, got {normalized_shape!r}"
        )
    if tuple(x.shape[x.dim() - len(shape):]) != shape or x.dim() < len(shape):
        raise ValueError(
            f"normalized_shape {shape} must match the trailing dimensions of x, "
            f"got x of shape {tuple(x.shape)}"
        )
    if eps <= 0:
        raise ValueError(f"eps must be positive, got {eps}")
    n = math.prod(shape)
    if n > MAX_FUSED_SIZE:
        raise ValueError(
            f"normalized size must be at most {MAX_FUSED_SIZE} (one row per program), "
            f"got {n}; use F.layer_norm"
        )
    w = _check_affine("weight", weight, shape, x)
    b = _check_affine("bias", bias, shape, x)
    # (M, N): every row normalized on its own; contiguous() copies only when needed, x
    # is not mutated
    x2d = x.contiguous().reshape(-1, n)
    return _LayerNormTriton.apply(x2d, w, b, float(eps)).reshape(x.shape)
# --8<-- [end:layer_norm_triton]
