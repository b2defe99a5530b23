"""The sinx ladder, its speedup curves and this machine's memory roofline (docs/parallel/*).

``python -m benchmarks parallel`` -> results/bench/parallel.json. Checks:
vectorized >= 30x scalar per element; 2 workers >= 1.7x 1 worker on a multi-core
rung at some size; best CPU rung within 1.5x of the time to copy the same bytes.

Each rung's flop rate counts the flops *it* executes per element
(``flops_per_element``) and its intensity divides them by the bytes *it* moves
(``bytes_per_element``); the compute roof is measured per thread count, so
every point is compared with the roof for as many threads as it used. Speedup
curves run 1..os.cpu_count() workers; more workers than cores is a separate
experiment (``oversubscription``).
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
import torch

from benchmarks._harness import median_time
from snippets.parallel.bandwidth import measure_bandwidth, measure_latency, measure_peak_flops
from snippets.parallel.sinx import (
    bytes_per_element,
    flops_per_element,
    sinx_compiled,
    sinx_numpy,
    sinx_processes,
    sinx_scalar,
    sinx_threads,
    sinx_torch,
)
from snippets.parallel.speedup import fit_parallel_fraction, measure_speedup

TERMS = 10
DTYPE = np.float32


def _with_numba_threads(p: int, fn):
    previous = numba.get_num_threads()
    numba.set_num_threads(min(p, numba.config.NUMBA_NUM_THREADS))
    try:
        return fn()
    finally:
        numba.set_num_threads(previous)


def _core_share(fn, workers: int, min_seconds: float = 0.2) -> float:
    """CPU time / (wall time x workers) over calls lasting >= min_seconds: below 1, the run waited for a core."""
    cpu, wall = time.process_time(), time.perf_counter()
    while True:
        fn()
        elapsed = time.perf_counter() - wall
        if elapsed >= min_seconds:
            return (time.process_time() - cpu) / (elapsed * workers)


def run(quick: bool = False) -> dict:
    cores = os.cpu_count() or 1
    n = 2**16 if quick else 2**24
    n_scalar = 1_000 if quick else 20_000
    repeats = 1 if quick else 7
    x = np.random.default_rng(0).uniform(-np.pi, np.pi, n).astype(DTYPE)
    out = np.empty_like(x)

    def row(rung: str, label: str, size: int, workers: int, seconds: float, device: str = "cpu",
            share: float | None = None, in_cache: bool = False) -> dict:
        flops, nbytes = flops_per_element(rung, TERMS), bytes_per_element(rung, TERMS, x.itemsize)
        return {"rung": rung, "label": label, "device": device, "n": size, "workers": workers, "seconds": seconds,
                "core_share": share, "in_cache": in_cache,
                "ns_per_element": seconds / size * 1e9, "flops_per_element": flops, "bytes_per_element": nbytes,
                "gflops": flops * size / seconds / 1e9, "intensity": flops / nbytes}

    # The ladder, rung by rung: (rung, label, n, workers, call, numba threads, device).
    n_cached = min(n, 2**15)  # fits one core's L2 cache: the kernel's arithmetic alone, no DRAM traffic
    xt = torch.from_numpy(x)
    tt = torch.get_num_threads()
    ladder = [
        ("scalar", "(a) Python loop", n_scalar, 1, lambda: sinx_scalar(x[:n_scalar], TERMS), None),
        ("numpy", "(b) NumPy, vectorized", n, 1, lambda: sinx_numpy(x, TERMS), None),
        ("threads", "(c1) NumPy on 1 thread", n, 1, lambda: sinx_threads(x, TERMS, 1), None),
        ("threads", "(c1) NumPy on 2 threads", n, 2, lambda: sinx_threads(x, TERMS, 2), None),
        ("processes", "(c2) NumPy on 2 processes", n, 2, lambda: sinx_processes(x, TERMS, 2), None),
        ("compiled", "(d) fused numba, 1 thread", n, 1, lambda: sinx_compiled(x, TERMS, 1), None),
        ("compiled", "(d) fused numba, 2 threads", n, 2, lambda: sinx_compiled(x, TERMS, 2), None),
        ("compiled", f"(d) fused numba, 1 thread, in L2 (n={n_cached:,})", n_cached, 1,
         lambda: sinx_compiled(x[:n_cached], TERMS, 1), None),
        ("torch", f"(e) torch CPU, {tt} threads", n, tt, lambda: sinx_torch(xt, TERMS), None),
    ]
    rows = []
    for rung, label, size, workers, call, numba_threads in ladder:
        reps = max(1, repeats - 2) if rung == "scalar" else repeats * 5 if size < n else repeats

        def measure(call=call, reps=reps, workers=workers, rung=rung):
            seconds = median_time(call, reps)
            # CPU time of worker processes is not counted in ours: no share for that rung.
            return seconds, None if rung == "processes" else _core_share(call, workers)

        seconds, share = measure() if numba_threads is None else _with_numba_threads(numba_threads, measure)
        rows.append(row(rung, label, size, workers, seconds, share=share, in_cache=size == n_cached))
    if torch.cuda.is_available():
        xc = xt.cuda()
        rows.append(row("torch", f"(e) torch {torch.cuda.get_device_name(0)}", n, 1,
                        median_time(lambda: sinx_torch(xc, TERMS), repeats, sync=torch.cuda.synchronize), "cuda"))

    # The floor: time to copy the same bytes (read x, write out), 1 and 2 threads.
    copy_1 = median_time(lambda: np.copyto(out, x), repeats)
    bounds = [(0, n // 2), (n // 2, n)]
    with ThreadPoolExecutor(2) as pool:
        copy_2 = median_time(lambda: list(pool.map(lambda ab: np.copyto(out[ab[0]:ab[1]], x[ab[0]:ab[1]]), bounds)),
                             repeats)
    floor = min(copy_1, copy_2)

    # The machine: bandwidth (copy, triad), latency of a dependent load, compute roof.
    nbytes = 2**20 if quick else 64 * 2**20
    bandwidth = [vars(measure_bandwidth(method, nbytes=nbytes, workers=p, repeats=repeats))
                 for method in ("copy", "triad") for p in (1, 2)]
    latency_s = measure_latency(nbytes=nbytes, steps=10_000 if quick else 1_000_000)
    # The compute roof for each thread count a point uses (float32 matmul, BLAS limited to p threads).
    peaks = {p: measure_peak_flops(n=128 if quick else 1024, repeats=repeats, workers=p) for p in range(1, cores + 1)}
    peak_flops = max(peaks.values())
    for r in (r for r in rows if r["device"] == "cpu"):
        p = min(r["workers"], cores)
        bw = max((b["bytes_per_s"] for b in bandwidth if b["workers"] == min(p, 2)), default=None)
        r["peak_gflops"] = peaks[p] / 1e9
        r["roof_gflops"] = r["peak_gflops"] if r["in_cache"] or bw is None else min(r["peak_gflops"],
                                                                                      bw * r["intensity"] / 1e9)

    # Speedup curves within the cores: 1..os.cpu_count() workers, threads rung at two sizes, fused rung.
    within = tuple(range(1, cores + 1))
    curves = []
    for size in (n // 64, n):
        xs = x[:size]
        curve = measure_speedup(lambda p: sinx_threads(xs, TERMS, p), workers=within, repeats=repeats)
        curves.append({"rung": "threads", "n": size, "workers": list(curve.workers), "seconds": list(curve.seconds),
                       "speedup": list(curve.speedup)})
    curve = measure_speedup(lambda p: sinx_compiled(x, TERMS, p), workers=within, repeats=repeats)
    curves.append({"rung": "compiled", "n": n, "workers": list(curve.workers), "seconds": list(curve.seconds),
                   "speedup": list(curve.speedup)})
    for c in curves:
        c["parallel_fraction"] = (fit_parallel_fraction(c["workers"], c["speedup"]) if cores > 1 else 0.0)

    # Oversubscription, its own experiment: more threads than cores cannot run at the same time.
    over = measure_speedup(lambda p: sinx_threads(x, TERMS, p), workers=(1, cores, 2 * cores, 4 * cores),
                           repeats=repeats)
    oversubscription = {"rung": "threads", "n": n, "cores": cores, "workers": list(over.workers),
                        "seconds": list(over.seconds), "speedup": list(over.speedup)}

    # The floor check, paired: the best full-size CPU rung and the copies timed in turn, so that
    # load from other programs falls on both alike.
    best = min((r for r in rows if r["device"] == "cpu" and r["n"] == n), key=lambda r: r["seconds"])
    best_entry = next(e for e in ladder if e[1] == best["label"])
    best_call = (best_entry[4] if best_entry[5] is None
                 else lambda: _with_numba_threads(best_entry[5], best_entry[4]))
    paired = {"best": [], "copy_1": [], "copy_2": []}
    with ThreadPoolExecutor(2) as pool:
        calls = {"best": best_call, "copy_1": lambda: np.copyto(out, x),
                 "copy_2": lambda: list(pool.map(lambda ab: np.copyto(out[ab[0]:ab[1]], x[ab[0]:ab[1]]), bounds))}
        for _ in range(repeats):
            for name, call in calls.items():
                start = time.perf_counter()
                call()
                paired[name].append(time.perf_counter() - start)
    paired = {name: statistics.median(v) for name, v in paired.items()}
    floor_ratio = paired["best"] / min(paired["copy_1"], paired["copy_2"])

    # Checks.
    by = {(r["rung"], r["workers"]): r for r in rows if r["n"] in (n, n_scalar)}
    vector_ratio = by[("scalar", 1)]["ns_per_element"] / by[("numpy", 1)]["ns_per_element"]
    two = max((c for c in curves if 2 in c["workers"]), key=lambda c: c["speedup"][c["workers"].index(2)])
    two_speedup = two["speedup"][two["workers"].index(2)]
    checks = [
        {"name": "vectorized >= 30x scalar per element", "measured": f"{vector_ratio:.0f}x",
         "passed": bool(vector_ratio >= 30)},
        {"name": "2 workers >= 1.7x 1 worker (best multi-core rung and size)",
         "measured": f"{two_speedup:.2f}x ({two['rung']}, n={two['n']:,}); all: " + ", ".join(
             f"{c['rung']} n={c['n']:,} {c['speedup'][c['workers'].index(2)]:.2f}x" for c in curves if 2 in c["workers"]),
         "passed": bool(two_speedup >= 1.7)},
        {"name": "best CPU rung within 1.5x of the copy floor (timed in turn with the copy)",
         "measured": f"{floor_ratio:.2f}x ({best['label']})", "passed": bool(floor_ratio <= 1.5)},
    ]
    return {
        "quick": quick,
        "terms": TERMS,
        "dtype": np.dtype(DTYPE).name,
        "n": n,
        "compulsory_bytes_per_element": 2 * x.itemsize,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "rows": rows,
        "floor": {"copy_1_thread_s": copy_1, "copy_2_threads_s": copy_2, "seconds": floor,
                  "bytes": 2 * x.itemsize * n, "paired": {**paired, "rung": best["label"]}},
        "bandwidth": bandwidth,
        "latency_s": latency_s,
        "peak_flops": peak_flops,
        "peak_flops_by_threads": {str(p): v for p, v in peaks.items()},
        "curves": curves,
        "oversubscription": oversubscription,
        "checks": checks,
    }
