"""Speedup laws (Amdahl, Gustafson) and measuring a speedup curve on this machine."""

from __future__ import annotations

# --8<-- [start:imports]
import statistics
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
# --8<-- [end:imports]

__all__ = [
    "amdahl_speedup",
    "gustafson_speedup",
    "measure_speedup",
    "fit_parallel_fraction",
    "SpeedupCurve",
]


def _check_fraction(parallel_fraction) -> np.ndarray:
    f = np.asarray(parallel_fraction, dtype=np.float64)
    if not np.all((f >= 0) & (f <= 1)):
        raise ValueError(
            f"parallel_fraction must lie in [0, 1], got {parallel_fraction}"
        )
    return f


def _check_processors(processors) -> np.ndarray:
    p = np.asarray(processors, dtype=np.float64)
    if not np.all(p >= 1):
        raise ValueError(f"processors must be >= 1, got {processors}")
    return p


def _check_speedup_args(workers: tuple[int, ...], repeats: int) -> None:
    if not workers or workers[0] != 1 or any(p < 1 for p in workers):
        raise ValueError(
            f"workers must start with 1 and hold counts >= 1, got {workers}"
        )
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")


def _check_points(processors, speedups) -> tuple[np.ndarray, np.ndarray]:
    """``processors`` and ``speedups`` as float arrays, checked for a fit of f."""
    p = _check_processors(processors)
    s = np.asarray(speedups, dtype=np.float64)
    if p.shape != s.shape or p.ndim != 1:
        raise ValueError(
            "processors and speedups must be 1-D of equal length, "
            f"got {p.shape} and {s.shape}"
        )
    if np.any(s <= 0):
        raise ValueError(f"speedups must be > 0, got {speedups}")
    if not np.any(1.0 - 1.0 / p > 0):
        raise ValueError("need at least one point with processors > 1 to fit f")
    return p, s


# --8<-- [start:amdahl_speedup]
def amdahl_speedup(parallel_fraction, processors):
    """Amdahl's law: the speedup of a *fixed* job whose fraction f runs in parallel.

    S(P) = 1 / ((1 - f) + f / P)  ->  1 / (1 - f) as P -> infinity.

    Args:
        parallel_fraction (float or ndarray): f in [0, 1]
        processors (float or ndarray): P >= 1 (broadcasts with f)
    Returns:
        float, or ndarray of the broadcast shape
    """
    f, p = _check_fraction(parallel_fraction), _check_processors(processors)
    s = 1.0 / ((1.0 - f) + f / p)
    return float(s) if s.ndim == 0 else s
# --8<-- [end:amdahl_speedup]


# --8<-- [start:gustafson_speedup]
def gustafson_speedup(parallel_fraction, processors):
    """Gustafson's law: the scaled speedup when the job *grows* with P.

    f is the parallel fraction of the time measured on the P-processor run;
    one processor would need (1 - f) + f P of that time: S(P) = (1 - f) + f P.

    Args:
        parallel_fraction (float or ndarray): f in [0, 1]
        processors (float or ndarray): P >= 1
    Returns:
        float, or ndarray of the broadcast shape
    """
    f, p = _check_fraction(parallel_fraction), _check_processors(processors)
    s = (1.0 - f) + f * p
    return float(s) if s.ndim == 0 else s
# --8<-- [end:gustafson_speedup]


# --8<-- [start:measure_speedup]
@dataclass(frozen=True)
class SpeedupCurve:
    """Median time per worker count, and speedup T(1)/T(P), efficiency S/P."""

    workers: tuple[int, ...]
    seconds: tuple[float, ...]

    @property
    def speedup(self) -> tuple[float, ...]:
        return tuple(self.seconds[0] / t for t in self.seconds)

    @property
    def efficiency(self) -> tuple[float, ...]:
        return tuple(s / p for s, p in zip(self.speedup, self.workers))


def measure_speedup(
    run: Callable[[int], object], workers: Sequence[int] = (1, 2), repeats: int = 5
) -> SpeedupCurve:
    """Time ``run(p)`` for each p in ``workers`` (the first must be 1).

    Each time is the median of ``repeats``.

    ``run(p)`` must do the same job with p workers. One untimed warm-up call
    per p (thread pools, caches, JIT) comes first. The repeats are interleaved
    (1, 2, ..., 1, 2, ...) so that a burst of load from other programs hits
    every worker count alike instead of one of them.
    """
    workers = tuple(int(p) for p in workers)
    _check_speedup_args(workers, repeats)
    for p in workers:
        run(p)  # warm-up
    times: dict[int, list[float]] = {p: [] for p in workers}
    for _ in range(repeats):
        for p in workers:
            start = time.perf_counter()
            run(p)
            times[p].append(time.perf_counter() - start)
    return SpeedupCurve(workers, tuple(statistics.median(times[p]) for p in workers))
# --8<-- [end:measure_speedup]


# --8<-- [start:fit_parallel_fraction]
def fit_parallel_fraction(
    processors: Sequence[float], speedups: Sequence[float]
) -> float:
    """Least-squares f of Amdahl's law from measured (P, S) points.

    1/S = 1 - f (1 - 1/P) is linear in f: f = sum(a b) / sum(a a) with
    a = 1 - 1/P, b = 1 - 1/S. Points with P = 1 carry no information.
    Returns f clipped to [0, 1].
    """
    p, s = _check_points(processors, speedups)
    a, b = 1.0 - 1.0 / p, 1.0 - 1.0 / s
    return float(np.clip((a * b).sum() / (a * a).sum(), 0.0, 1.0))
# --8<-- [end:fit_parallel_fraction]
