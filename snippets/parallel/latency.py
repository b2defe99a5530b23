"""Load latency through the memory hierarchy, and how independent loads hide it.

A *pointer chase* follows a random cycle through a working set: every load's
address is the value of the load before, so no two loads overlap and the time
per step is the latency of wherever the working set lives (L1, L2, L3, DRAM).
The cycle visits one slot per 64-byte cache line in a random order, so
hardware prefetchers cannot guess the next line. ``chains`` chases interleaved
in one loop are independent of each other: the core keeps that many misses in
flight at once (memory-level parallelism).

Twin: ``lmbench``'s ``lat_mem_rd`` and Intel's Memory Latency Checker (``mlc --idle_latency``)
"""

from __future__ import annotations

# --8<-- [start:imports]
import functools
import time
from pathlib import Path

import numba
import numpy as np
# --8<-- [end:imports]

from snippets._checks import check_int

__all__ = ["LINE", "pointer_cycle", "load_latency_ns", "cache_sizes"]

LINE = 64  # bytes per cache line on x86-64 and most ARM cores
SLOT = LINE // 8  # int64 slots per line: one pointer per line, the rest unused


def _check(
    working_set_bytes: object, chains: object, steps: object, repeats: object = 1
) -> None:
    for name, value in (
        ("working_set_bytes", working_set_bytes),
        ("chains", chains),
        ("steps", steps),
        ("repeats", repeats),
    ):
        check_int(name, value)  # every type first, then the ranges
    if working_set_bytes < LINE:
        raise ValueError(
            f"working_set_bytes must be >= {LINE} (one cache line), got {working_set_bytes}"
        )
    for name, value in (("chains", chains), ("steps", steps), ("repeats", repeats)):
        check_int(name, value, minimum=1)


# --8<-- [start:pointer_cycle]
def pointer_cycle(
    working_set_bytes: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """One random cycle through every cache line of a ``working_set_bytes`` array.

    Returns:
        next_slot (ndarray[working_set_bytes // 8], int64): at slot ``8 k`` (line k),
            the slot of the line that follows k on the cycle; other slots unused
        order (ndarray[working_set_bytes // 64], int64): the lines in visiting order
    """
    _check(working_set_bytes, 1, 1)
    lines = working_set_bytes // LINE
    order = np.random.default_rng(seed).permutation(lines)  # the visiting order
    next_slot = np.zeros(lines * SLOT, dtype=np.int64)
    next_slot[order * SLOT] = np.roll(order, -1) * SLOT  # order[k] -> order[k + 1]
    return next_slot, order
# --8<-- [end:pointer_cycle]


# --8<-- [start:load_latency_ns]
@functools.lru_cache(maxsize=None)
def _chase(chains: int):
    """``steps`` rounds of ``chains`` interleaved chases (``chains``: a constant)."""

    @numba.njit
    def chase(nxt, starts, steps):  # pragma: no cover - compiled by numba
        p = starts.copy()  # one position per chain; kept in registers
        for _ in range(steps):
            for c in range(chains):  # independent: their misses overlap
                p[c] = nxt[p[c]]  # the next address is the value just loaded
        return p.sum()  # used, so the loads cannot be optimized away

    return chase


def load_latency_ns(
    working_set_bytes: int,
    chains: int = 1,
    steps: int = 1_000_000,
    seed: int = 0,
    repeats: int = 1,
) -> float:
    """Mean nanoseconds per load of ``chains`` interleaved pointer chases.

    The chains start evenly spaced on one random cycle (``pointer_cycle``).
    One warm-up lap loads the working set into whatever cache holds it; then
    ``steps`` rounds are timed, ``repeats`` times (the fastest counts: other
    programs can only add time). With ``chains = 1`` the result is the load
    latency; with more, latency / result is how many loads overlapped.

    Args:
        working_set_bytes (int): >= 64
        chains (int): independent chases, >= 1
        steps (int): timed loads per chain, >= 1
        repeats (int): timed runs, >= 1
    Returns:
        float: wall time / (steps * chains), in ns
    """
    _check(working_set_bytes, chains, steps, repeats)
    nxt, order = pointer_cycle(working_set_bytes, seed)
    lines = len(order)
    starts = order[np.arange(chains) * lines // chains] * SLOT  # evenly spaced
    chase = _chase(chains)
    chase(nxt, starts, max(1, lines // chains))  # compile, and warm the caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        chase(nxt, starts, steps)
        best = min(best, time.perf_counter() - start)
    return best / (steps * chains) * 1e9
# --8<-- [end:load_latency_ns]


# --8<-- [start:cache_sizes]
def _size_bytes(text: str) -> int:
    """'32K' -> 32768, '1M' -> 1048576 (sysfs writes cache sizes this way)."""
    text = text.strip()
    scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:].upper(), 1)
    return int(text.rstrip("KkMmGg")) * scale


def cache_sizes(
    cpu: Path = Path("/sys/devices/system/cpu/cpu0/cache"),
) -> dict[str, int]:
    """Data-cache sizes of one core as Linux reports them: {'L1d': bytes, 'L2': ...}.

    Reads ``index*/level``, ``type`` and ``size`` under ``cpu``; instruction
    caches are skipped. Empty where sysfs is missing (not Linux).
    """
    sizes = {}
    for index in sorted(Path(cpu).glob("index*")):
        kind = (index / "type").read_text().strip()
        if kind == "Instruction":
            continue
        level = (index / "level").read_text().strip()
        name = f"L{level}" + ("d" if kind == "Data" else "")
        sizes[name] = _size_bytes((index / "size").read_text())
    return sizes
# --8<-- [end:cache_sizes]
