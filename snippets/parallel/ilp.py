"""Instruction-level parallelism: one sum, split over 1, 2, 4, ... independent chains of adds.

A floating-point add takes several cycles (its *latency*), but the core can
start a new one every cycle or faster (its *throughput*). One running total is
one chain of dependent adds, so it waits for each add to finish; ``chains``
running totals give the pipeline that many independent adds to overlap.

Twin: ``math.fsum`` (exactly rounded) and ``numpy.sum`` (pairwise, with unrolled accumulators)
"""

from __future__ import annotations

# --8<-- [start:imports]
import functools

import numba
import numpy as np
# --8<-- [end:imports]

from snippets._checks import check_int

__all__ = ["sum_chains"]


def _check(x: object, chains: object) -> tuple[np.ndarray, int]:
    """``x``: 1-D float32/float64 ndarray; ``chains``: int >= 1."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"x must have dtype float32 or float64, got {x.dtype}; convert it with x.astype(float)"
        )
    if x.ndim != 1:
        raise ValueError(
            f"x must be 1-D, got shape {x.shape}; flatten it with x.ravel()"
        )
    chains = check_int("chains", chains, minimum=1)
    return np.ascontiguousarray(x, dtype=np.float64), chains


# --8<-- [start:sum_chains]
@functools.lru_cache(maxsize=None)
def _kernel(chains: int):
    """A compiled sum with ``chains`` accumulators (a compile-time constant)."""

    @numba.njit  # no fastmath: the compiler may not reorder the adds of one chain
    def kernel(x):  # pragma: no cover - compiled by numba
        acc = np.zeros(chains)  # one running total per chain; kept in registers
        m = x.shape[0] - x.shape[0] % chains
        for i in range(0, m, chains):
            for c in range(chains):  # `chains` adds that do not wait for each other
                acc[c] += x[i + c]
        total = 0.0
        for c in range(chains):  # combine the chains once, at the end
            total += acc[c]
        for i in range(m, x.shape[0]):  # the leftover elements
            total += x[i]
        return total

    return kernel


def sum_chains(x: np.ndarray, chains: int) -> float:
    """Sum of ``x`` computed by ``chains`` independent chains of float64 adds.

    Element i goes to chain i % chains; the chains are added at the end. One
    chain is a plain running total: every add waits for the one before.

    Args:
        x (ndarray[N], float32 or float64; float32 is converted first)
        chains (int): independent accumulators, >= 1
    Returns:
        float: the sum (float64 arithmetic)
    """
    x, chains = _check(x, chains)
    return float(_kernel(chains)(x))
# --8<-- [end:sum_chains]
