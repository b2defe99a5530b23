"""SIMD divergence: what a branch costs when the lanes of one instruction disagree.

Each element takes a cheap branch (sin x ~ x, the first term) or an expensive
one (the Taylor series with ``TERMS`` correction terms), as ``expensive_mask``
says. Scalar code runs one element at a time and pays only for the branch it
takes. SIMD code runs one instruction on many lanes, so a branch becomes a
*mask*: every lane computes both sides and a select keeps the right one
(``numpy.where``, or a compiled loop written that way). A GPU does the same per
warp of 32 threads.

Twin: ``numpy.where`` (the vectorized formulation) and ``numpy.sin``
"""

from __future__ import annotations

# --8<-- [start:imports]
import math

import numba
import numpy as np

# numba's disk cache needs a source file: off when run from a page or a REPL
JIT_CACHE = not globals().get("__file__", "<").startswith("<")
# --8<-- [end:imports]

__all__ = ["TERMS", "MODES", "COEFFICIENTS", "branchy", "expensive_mask"]

MODES = ("scalar", "where", "masked")


def _check(x: object, mask: object, mode: object) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(x, np.ndarray) or not isinstance(mask, np.ndarray):
        raise TypeError(
            f"x and expensive_mask must be numpy.ndarray, got {type(x).__name__} "
            f"and {type(mask).__name__}"
        )
    if x.dtype != np.float64:
        raise TypeError(
            f"x must have dtype float64, got {x.dtype}; convert it with x.astype(np.float64)"
        )
    if mask.dtype != np.bool_:
        raise TypeError(f"expensive_mask must have dtype bool, got {mask.dtype}")
    if x.ndim != 1 or mask.shape != x.shape:
        raise ValueError(
            f"x must be 1-D and expensive_mask of the same shape, got {x.shape} and {mask.shape}"
        )
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return np.ascontiguousarray(x), np.ascontiguousarray(mask)


# --8<-- [start:branches]
TERMS = 16  # correction terms of the expensive branch
# c_j = (-1)^(j+1) / (2j+3)!: the series is x + c_0 x^3 + c_1 x^5 + ...
COEFFICIENTS = np.array(
    [(-1) ** (j + 1) / math.factorial(2 * j + 3) for j in range(TERMS)]
)


@numba.njit(cache=JIT_CACHE)
def _scalar(x, mask, c):  # pragma: no cover - compiled by numba
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        xi = x[i]
        if mask[i]:  # expensive: 3 flops per term, 2 to start
            x2 = xi * xi
            value, numer = xi, xi * x2
            for j in range(c.shape[0]):  # trip count known only at run time
                value += numer * c[j]
                numer *= x2
            out[i] = value
        else:  # cheap: sin x ~ x
            out[i] = xi
    return out


@numba.njit(cache=JIT_CACHE)
def _masked(x, mask):  # pragma: no cover - compiled by numba
    out = np.empty_like(x)
    for i in range(x.shape[0]):  # no branch in the body: the compiler makes it SIMD
        xi = x[i]
        x2 = xi * xi
        value, numer = xi, xi * x2
        for j in range(TERMS):  # constant trip count: unrolled, c_j are constants
            value += numer * COEFFICIENTS[j]
            numer *= x2
        out[i] = value if mask[i] else xi  # both sides computed; a select keeps one
    return out


def _where(x, mask):
    x2 = x * x
    value, numer = x.copy(), x * x2
    for c in COEFFICIENTS:  # every lane computes the expensive branch ...
        value += numer * c
        numer *= x2
    return np.where(mask, value, x)  # ... and the mask picks, lane by lane
# --8<-- [end:branches]


# --8<-- [start:branchy]
def branchy(
    x: np.ndarray, expensive_mask: np.ndarray, mode: str = "scalar"
) -> np.ndarray:
    """sin x by the series where ``expensive_mask`` is set, by x elsewhere.

    Every mode returns the same bits; they differ in what they execute:

    * ``"scalar"``: a compiled loop with an ``if`` per element; pays for the
      series only where the mask is set (and for mispredicted branches);
    * ``"where"``: NumPy, every step on the whole array, then ``np.where``;
    * ``"masked"``: a compiled SIMD loop computing both sides for every lane.

    Args:
        x (ndarray[N], float64)
        expensive_mask (ndarray[N], bool)
        mode (str): "scalar", "where" or "masked"
    Returns:
        ndarray[N], float64
    """
    x, expensive_mask = _check(x, expensive_mask, mode)
    if mode == "scalar":
        return _scalar(x, expensive_mask, COEFFICIENTS)
    if mode == "where":
        return _where(x, expensive_mask)
    return _masked(x, expensive_mask)
# --8<-- [end:branchy]


# --8<-- [start:expensive_mask]
def expensive_mask(n: int, fraction: float, seed: int = 0) -> np.ndarray:
    """A bool mask of ``n`` lanes, ``round(fraction * n)`` of them set at random."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
    mask = np.zeros(n, dtype=bool)
    mask[np.random.default_rng(seed).permutation(n)[: round(fraction * n)]] = True
    return mask
# --8<-- [end:expensive_mask]
