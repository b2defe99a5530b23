"""Latency and bandwidth of this machine's memory, its compute peak, and arithmetic intensity."""

from __future__ import annotations

# --8<-- [start:imports]
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
from threadpoolctl import threadpool_limits

# numba's on-disk cache needs a source file:
# off when this code runs from a page or a REPL
JIT_CACHE = not globals().get("__file__", "<").startswith("<")
# --8<-- [end:imports]

__all__ = [
    "Bandwidth",
    "measure_bandwidth",
    "measure_latency",
    "measure_peak_flops",
    "arithmetic_intensity",
]


# Argument checks live here, outside the shown sections, so each function reads as
# the measurement it makes.
def _check_bandwidth_args(method: str, nbytes: int, workers: int, repeats: int) -> None:
    if method not in ("copy", "triad"):
        raise ValueError(f"method must be 'copy' or 'triad', got {method!r}")
    if nbytes < 8:
        raise ValueError(f"nbytes must be >= 8, got {nbytes}")
    if workers < 1 or repeats < 1:
        raise ValueError(
            f"workers and repeats must be >= 1, got {workers} and {repeats}"
        )


def _check_latency_args(nbytes: int, steps: int) -> None:
    if nbytes < 64 or steps < 1:
        raise ValueError(
            f"nbytes must be >= 64 and steps >= 1, got {nbytes} and {steps}"
        )


def _check_workers(workers: int | None) -> None:
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1 or None, got {workers}")


def _check_intensity_args(flops_per_element: float, bytes_per_element: float) -> None:
    if flops_per_element < 0 or bytes_per_element <= 0:
        raise ValueError(
            "need flops >= 0 and bytes > 0, "
            f"got {flops_per_element} and {bytes_per_element}"
        )


# --8<-- [start:measure_bandwidth]
@dataclass(frozen=True)
class Bandwidth:
    """A measured memory bandwidth: ``bytes_moved`` in ``seconds`` by ``method``."""

    method: str  # "copy": b[:] = a ; "triad": a[:] = b + s * c
    bytes_per_s: float
    bytes_moved: int  # counted as STREAM does: each array read or written once
    seconds: float  # median over repeats
    workers: int


@numba.njit(parallel=True, cache=JIT_CACHE)
def _triad(a, b, c, scalar):  # pragma: no cover - compiled by numba
    for i in numba.prange(a.shape[0]):
        a[i] = b[i] + scalar * c[i]


def _median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: page faults, thread start, JIT
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure_bandwidth(
    method: str = "copy", nbytes: int = 64 * 2**20, workers: int = 1, repeats: int = 5
) -> Bandwidth:
    """Stream arrays of ``nbytes`` each (much larger than the caches) and time it.

    copy: ``np.copyto`` on ``workers`` threads (2 arrays move);
    triad: a fused numba loop on ``workers`` threads (3 arrays move).
    """
    _check_bandwidth_args(method, nbytes, workers, repeats)
    n = nbytes // 8
    b, c = np.ones(n), np.full(n, 2.0)
    a = np.zeros(n)  # touched here, so timing sees no first-touch page faults
    if method == "copy":
        bounds = np.linspace(0, n, workers + 1).astype(int)
        pool = ThreadPoolExecutor(max_workers=workers)

        def fn():
            list(
                pool.map(
                    lambda ij: np.copyto(a[ij[0] : ij[1]], b[ij[0] : ij[1]]),
                    zip(bounds[:-1], bounds[1:]),
                )
            )

        arrays = 2
    else:

        def fn():
            previous = numba.get_num_threads()
            numba.set_num_threads(min(workers, numba.config.NUMBA_NUM_THREADS))
            try:
                _triad(a, b, c, 3.0)
            finally:
                numba.set_num_threads(previous)

        pool, arrays = None, 3
    try:
        seconds = _median_seconds(fn, repeats)
    finally:
        if pool is not None:
            pool.shutdown()
    moved = arrays * n * 8
    return Bandwidth(method, moved / seconds, moved, seconds, workers)
# --8<-- [end:measure_bandwidth]


# --8<-- [start:measure_latency]
@numba.njit(cache=JIT_CACHE)
def _chase(next_index, steps):  # pragma: no cover - compiled by numba
    i = 0
    for _ in range(steps):
        i = next_index[i]  # each load needs the previous one: no overlap
    return i


def measure_latency(
    nbytes: int = 64 * 2**20, steps: int = 2_000_000, seed: int = 0
) -> float:
    """Seconds per dependent load when chasing a random cycle through ``nbytes``.

    The slots are linked in a random order into one cycle, which defeats caches
    and prefetchers when ``nbytes`` exceeds the last-level cache.
    """
    _check_latency_args(nbytes, steps)
    n = nbytes // 8
    order = np.random.default_rng(seed).permutation(n)
    next_index = np.empty(n, dtype=np.int64)
    next_index[order] = np.roll(order, -1)  # one cycle through every slot
    _chase(next_index, 1000)  # compile / warm-up
    start = time.perf_counter()
    _chase(next_index, steps)
    return (time.perf_counter() - start) / steps
# --8<-- [end:measure_latency]


# --8<-- [start:measure_peak_flops]
def measure_peak_flops(
    n: int = 1024,
    dtype: type = np.float32,
    repeats: int = 5,
    workers: int | None = None,
) -> float:
    """Flop/s of an n x n matrix product (2 n^3 flops): the practical compute roof.

    ``workers``: BLAS threads (``threadpoolctl``); None: the library's default.
    """
    _check_workers(workers)
    rng = np.random.default_rng(0)
    a, b = (
        rng.standard_normal((n, n)).astype(dtype),
        rng.standard_normal((n, n)).astype(dtype),
    )
    with threadpool_limits(limits=workers, user_api="blas"):
        return 2 * n**3 / _median_seconds(lambda: a @ b, repeats)
# --8<-- [end:measure_peak_flops]


# --8<-- [start:arithmetic_intensity]
def arithmetic_intensity(flops_per_element: float, bytes_per_element: float) -> float:
    """Flops per byte of memory traffic: above the machine balance a kernel can be
    compute-bound."""
    _check_intensity_args(flops_per_element, bytes_per_element)
    return flops_per_element / bytes_per_element
# --8<-- [end:arithmetic_intensity]
