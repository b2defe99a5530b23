"""The sinx ladder of CMU 15-418 lecture 2: one Taylor series, six ways to run it.

Every rung computes, for each element of ``x``,

    sin(x) ~= x - x^3/3! + x^5/5! - ... + (-1)^terms x^(2 terms + 1)/(2 terms + 1)!

i.e. the lecture's loop: ``value = x`` plus ``terms`` correction terms. The
series is only accurate near 0; call :func:`reduce_range` first for large |x|.
"""

from __future__ import annotations

# --8<-- [start:imports]
import functools
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numba
import numpy as np
import torch

from snippets._checks import check_int
# --8<-- [end:imports]

__all__ = [
    "taylor_denominators",
    "reduce_range",
    "sinx_scalar",
    "sinx_numpy",
    "sinx_threads",
    "sinx_processes",
    "sinx_compiled",
    "sinx_torch",
    "flops_per_element",
    "bytes_per_element",
]


RUNGS = ("scalar", "numpy", "threads", "processes", "compiled", "torch")


# --8<-- [start:checks]
def _check_x(x: object) -> np.ndarray:
    """``x`` must be a 1-D float32/float64 NumPy array."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"x must have dtype float32 or float64, got {x.dtype}; "
            "convert it with x.astype(np.float32)"
        )
    if x.ndim != 1:
        raise ValueError(
            f"x must be 1-D, got shape {x.shape}; flatten it with x.ravel()"
        )
    return x


def _check_terms(terms: object) -> int:
    """``terms`` must be an int >= 0 (the number of correction terms after x)."""
    return check_int("terms", terms, minimum=0)


def _check_workers(workers: object) -> int:
    """``workers`` must be an int >= 1."""
    return check_int("workers", workers, minimum=1)
# --8<-- [end:checks]


def _check_rung(rung: object) -> str:
    """``rung`` must be one of ``RUNGS``."""
    if rung not in RUNGS:
        raise ValueError(f"rung must be one of {RUNGS}, got {rung!r}")
    return rung


def _check_tensor_x(x: object) -> torch.Tensor:
    """``x`` must be a 1-D float32/float64 torch tensor (``_check_x`` for torch)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(
            f"x must have dtype float32 or float64, got {x.dtype}; "
            "convert it with x.float()"
        )
    if x.dim() != 1:
        raise ValueError(
            f"x must be 1-D, got shape {tuple(x.shape)}; flatten it with x.flatten()"
        )
    return x


# --8<-- [start:work]
def flops_per_element(rung: str, terms: int) -> int:
    """Flops a rung executes per element, counted from its loop (comments there).

    scalar: the lecture's loop, 5 per term (sign *, / denom, +=, two * for
    numer) and 2 for x^3; every other rung: 3 per term (numer * c, +=,
    numer *= x2) and 2 for x2 and x^3.
    """
    terms, rung = _check_terms(terms), _check_rung(rung)
    return 5 * terms + 2 if rung == "scalar" else 3 * terms + 2


def bytes_per_element(rung: str, terms: int, itemsize: int) -> int:
    """Memory traffic per element of an array far larger than the caches.

    Counted as STREAM counts: every array read or written once per pass. The
    NumPy rungs make a pass per step (7 accesses to start, 8 per term), torch
    7 + 6 per term; the scalar and the fused compiled rung read x once and
    write the result once.
    """
    terms, rung = _check_terms(terms), _check_rung(rung)
    passes = 7 + 8 * terms  # NumPy rungs: array reads and writes, see _sinx_numpy_into
    accesses = {
        "numpy": passes,
        "threads": passes,
        "processes": passes,
        "torch": 7 + 6 * terms,
    }.get(rung, 2)
    return accesses * itemsize
# --8<-- [end:work]


# --8<-- [start:taylor_denominators]
def taylor_denominators(terms: int, dtype: type = np.int32) -> np.ndarray:
    """The ``denom`` the lecture's C loop divides by at steps j = 1..terms.

    Starts at 3! = 6 and multiplies by (2j+2)(2j+3) after each step, in ``dtype``
    arithmetic (``np.int32`` is C's ``int``: it wraps around on overflow).

    Returns:
        ndarray[terms] of ``dtype``: 3!, 5!, 7!, ... as that dtype computes them.
    """
    terms = _check_terms(terms)
    out = np.empty(terms, dtype=dtype)
    denom = np.array(6, dtype=dtype)  # a 0-d array wraps silently, like C
    for j in range(1, terms + 1):
        out[j - 1] = denom
        denom = np.multiply(denom, np.array((2 * j + 2) * (2 * j + 3), dtype=dtype))
    return out
# --8<-- [end:taylor_denominators]


# --8<-- [start:reduce_range]
def reduce_range(x: np.ndarray) -> np.ndarray:
    """Map ``x`` to [-pi, pi] with the same sine: x - 2 pi round(x / 2 pi).

    Computed in float64 (a float32 2 pi would lose the low bits of large x),
    returned in x's dtype.

    Args:
        x (ndarray[N], float32 or float64)
    Returns:
        ndarray[N], same dtype
    """
    x = _check_x(x)
    x64 = x.astype(np.float64)
    return (x64 - 2 * np.pi * np.round(x64 / (2 * np.pi))).astype(x.dtype)
# --8<-- [end:reduce_range]


# --8<-- [start:sinx_scalar]
def sinx_scalar(x: np.ndarray, terms: int) -> np.ndarray:
    """Rung (a): the lecture's C loop, one element at a time, in plain Python.

    Python floats are C doubles, so the arithmetic is float64; the result is
    stored in x's dtype. ``denom`` is a Python int (unbounded), so 13! is exact.

    Args:
        x (ndarray[N], float32 or float64)
        terms (int): correction terms after x, >= 0
    Returns:
        ndarray[N], same dtype as x
    """
    x, terms = _check_x(x), _check_terms(terms)
    result = np.empty_like(x)
    for i in range(len(x)):
        xi = float(x[i])
        value = xi
        numer = xi * xi * xi  # 2 flops
        denom = 6  # 3!
        sign = -1
        for j in range(1, terms + 1):  # 5 flops per term:
            value += sign * numer / denom  # multiply, divide, add
            numer *= xi * xi  # 2 multiplies
            denom *= (2 * j + 2) * (2 * j + 3)  # integer arithmetic
            sign *= -1
        result[i] = value
    return result
# --8<-- [end:sinx_scalar]


# --8<-- [start:sinx_numpy]
def _sinx_numpy_into(x: np.ndarray, terms: int, out: np.ndarray) -> None:
    """The lecture's loop with the element loop turned into array operations."""
    x2 = x * x  # 1 flop per element; every line is a pass: reads, writes
    numer = x2 * x  # 1 flop; 2 reads, 1 write
    np.copyto(out, x)  # 1 read, 1 write
    term = np.empty_like(x)
    denom, sign = 6.0, -1.0  # float64 scalars, once per term: no overflow up to 170!
    for j in range(1, terms + 1):  # 3 flops and 8 array reads or writes per term:
        np.multiply(numer, sign / denom, out=term)  # 1 flop; 1 read, 1 write
        out += term  # 1 flop; 2 reads, 1 write
        numer *= x2  # 1 flop; 2 reads, 1 write
        denom *= (2 * j + 2) * (2 * j + 3)
        sign = -sign


def sinx_numpy(x: np.ndarray, terms: int) -> np.ndarray:
    """Rung (b): vectorized -- every step of the loop applied to all N elements.

    Each NumPy call runs a compiled SIMD loop over the whole array, so the
    interpreter pays its overhead once per step, not once per element.

    Args:
        x (ndarray[N], float32 or float64)
        terms (int): correction terms after x, >= 0
    Returns:
        ndarray[N], same dtype as x
    """
    x, terms = _check_x(x), _check_terms(terms)
    out = np.empty_like(x)
    _sinx_numpy_into(x, terms, out)
    return out
# --8<-- [end:sinx_numpy]


# --8<-- [start:sinx_threads]
def sinx_threads(x: np.ndarray, terms: int, workers: int) -> np.ndarray:
    """Rung (c1): rung (b) on ``workers`` contiguous chunks, one thread each.

    Threads share memory (no copies); they run in parallel because NumPy
    releases the GIL inside its array loops.

    Args:
        x (ndarray[N], float32 or float64)
        terms (int): correction terms after x, >= 0
        workers (int): threads, >= 1
    Returns:
        ndarray[N], same dtype as x
    """
    x, terms, workers = _check_x(x), _check_terms(terms), _check_workers(workers)
    out = np.empty_like(x)
    bounds = np.linspace(0, len(x), workers + 1).astype(int)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = [
            pool.submit(_sinx_numpy_into, x[a:b], terms, out[a:b])
            for a, b in zip(bounds[:-1], bounds[1:])
        ]
        for job in jobs:
            job.result()  # re-raise any error from a thread
    return out
# --8<-- [end:sinx_threads]


# --8<-- [start:sinx_processes]
def _process_context() -> multiprocessing.context.BaseContext:
    """``fork`` where the OS has it (no re-import in the child), else the default."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def sinx_processes(x: np.ndarray, terms: int, workers: int) -> np.ndarray:
    """Rung (c2): rung (b) on ``workers`` chunks, one process each.

    Processes share no memory: each chunk is pickled to its worker and each
    result pickled back -- the communication the threads rung does not pay.
    The pool is started and shut down inside the call.

    Args:
        x (ndarray[N], float32 or float64)
        terms (int): correction terms after x, >= 0
        workers (int): processes, >= 1
    Returns:
        ndarray[N], same dtype as x
    """
    x, terms, workers = _check_x(x), _check_terms(terms), _check_workers(workers)
    chunks = np.array_split(x, workers)
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_process_context()
    ) as pool:
        parts = list(pool.map(sinx_numpy, chunks, [terms] * workers))
    return np.concatenate(parts) if parts else np.empty_like(x)
# --8<-- [end:sinx_processes]


# --8<-- [start:sinx_compiled]
@functools.lru_cache(maxsize=None)
def _fused_kernel(terms: int):
    """The lecture's loop compiled for one value of ``terms`` (a constant)."""

    # nogil: threads run it at once; contract: numer * c + value may become one FMA
    @numba.njit(nogil=True, fastmath={"contract"})
    def kernel(x, out):  # pragma: no cover - compiled by numba
        c = np.empty(terms, x.dtype)  # once per call: c_j = sign / denom
        denom, sign = 6.0, -1.0
        for j in range(terms):
            c[j] = sign / denom
            denom *= (2 * j + 4) * (2 * j + 5)
            sign = -sign
        for i in range(x.shape[0]):  # the SIMD loop: one lane per element
            xi = x[i]
            x2 = xi * xi  # 1 flop
            value, numer = xi, x2 * xi  # 1 flop; both stay in registers
            for j in range(terms):  # unrolled (terms is a constant): 3 flops per term
                value += numer * c[j]  # multiply, add
                numer *= x2  # multiply
            out[i] = value  # x read once, the result written once

    return kernel


def sinx_compiled(x: np.ndarray, terms: int, workers: int = 1) -> np.ndarray:
    """Rung (d): the lecture's loop fused into one compiled kernel; ``workers`` threads.

    Like the lecture's AVX code, each SIMD lane holds one element and keeps its
    running power (``numer``) and sum (``value``) in registers through all the
    terms; the coefficients sign / denom are computed once per call. x is read
    once and the result written once; 3 terms + 2 flops per element. numba
    compiles the kernel once per dtype and value of ``terms``: the term loop
    must be unrolled for the element loop to become SIMD.

    Args:
        x (ndarray[N], float32 or float64)
        terms (int): correction terms after x, >= 0
        workers (int): threads, one contiguous chunk each, >= 1
    Returns:
        ndarray[N], same dtype as x
    """
    x, terms, workers = _check_x(x), _check_terms(terms), _check_workers(workers)
    x, out, kernel = np.ascontiguousarray(x), np.empty_like(x), _fused_kernel(terms)
    if workers == 1:
        kernel(x, out)
        return out
    bounds = np.linspace(0, len(x), workers + 1).astype(int)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # views: indices from 0
        jobs = [
            pool.submit(kernel, x[a:b], out[a:b])
            for a, b in zip(bounds[:-1], bounds[1:])
        ]
        for job in jobs:
            job.result()
    return out
# --8<-- [end:sinx_compiled]


# --8<-- [start:sinx_torch]
def sinx_torch(
    x: torch.Tensor, terms: int, device: str | torch.device | None = None
) -> torch.Tensor:
    """Rung (e): rung (b) written with torch, on a GPU when ``device`` is one.

    Args:
        x (Tensor[N], float32 or float64)
        terms (int): correction terms after x, >= 0
        device: where to compute; default x.device
    Returns:
        Tensor[N] of x's dtype, on ``device``
    """
    x, terms = _check_tensor_x(x), _check_terms(terms)
    x = x.to(device) if device is not None else x
    x2 = x * x  # 1 flop; 1 read, 1 write
    numer = x2 * x  # 1 flop; 2 reads, 1 write
    value = x.clone()  # 1 read, 1 write
    denom, sign = 6.0, -1.0
    for j in range(1, terms + 1):  # 3 flops and 6 reads or writes per term:
        # value += (sign / denom) * numer: 2 flops; 2 reads, 1 write
        value.add_(numer, alpha=sign / denom)
        numer.mul_(x2)  # 1 flop; 2 reads, 1 write
        denom *= (2 * j + 2) * (2 * j + 3)
        sign = -sign
    return value
# --8<-- [end:sinx_torch]
