"""Inside a core (docs/parallel/inside-a-core.md): ILP, SIMD divergence, load latency, memory-level parallelism.

``python -m benchmarks core`` -> results/bench/core.json (about a minute on the
2-core build machine). Nothing here has a target: the checks report the
figures the article's closing note quotes (ILP plateau, L1 and DRAM latency,
memory-level-parallelism speedup at 8 chains). Every experiment keeps the
*minimum* over rounds: on a shared machine other programs only ever add time.
"""

from __future__ import annotations

import os
import time

import numpy as np

from snippets.parallel.divergence import MODES, branchy, expensive_mask
from snippets.parallel.ilp import sum_chains
from snippets.parallel.latency import cache_sizes, load_latency_ns

ILP_CHAINS = (1, 2, 4, 8)
FRACTIONS = (0.0, 1 / 8, 1 / 2, 1.0)
MLP_CHAINS = (1, 2, 4, 8, 16)
DRAM_SET = 256 * 2**20  # working set of the memory-level-parallelism runs: far beyond any L3


def _min_seconds(fn, rounds: int, inner: int) -> float:
    """Minimum over ``rounds`` of the mean time of ``inner`` back-to-back calls."""
    fn()  # warm-up: compile, caches
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - start) / inner)
    return best


def _ilp(quick: bool) -> dict:
    n = 2**15  # 256 KiB of float64: in L2, so loads keep up; long enough to hide the call's overhead
    x = np.random.default_rng(0).random(n)
    ns = [_min_seconds(lambda c=c: sum_chains(x, c), 3 if quick else 15, 5 if quick else 40) / n * 1e9
          for c in ILP_CHAINS]
    return {"n": n, "dtype": "float64", "chains": list(ILP_CHAINS), "ns_per_element": ns}


def _divergence(quick: bool) -> dict:
    n = 2**12 if quick else 2**16
    x = np.random.default_rng(1).uniform(-np.pi, np.pi, n)
    series = {mode: [] for mode in MODES}
    series["scalar, sorted mask"] = []  # same lanes taken, but the branch predictor always guesses right
    for fraction in FRACTIONS:
        mask = expensive_mask(n, fraction, seed=2)
        sorted_mask = np.sort(mask)[::-1].copy()
        for mode in MODES:
            seconds = _min_seconds(lambda m=mode: branchy(x, mask, m), 2 if quick else 7, 2 if quick else 5)
            series[mode].append(seconds / n * 1e9)
        seconds = _min_seconds(lambda: branchy(x, sorted_mask, "scalar"), 2 if quick else 7, 2 if quick else 5)
        series["scalar, sorted mask"].append(seconds / n * 1e9)
    return {"n": n, "dtype": "float64", "fractions": list(FRACTIONS), "ns_per_element": series}


def _latency(quick: bool) -> dict:
    top = 2**20 if quick else DRAM_SET
    sizes = [2**k for k in range(12, top.bit_length())]  # 4 KiB .. top
    ns = []
    for size in sizes:  # many short timed runs: a time slice lost to another program spoils one run only
        steps = 20_000 if quick else (200_000 if size <= 2**21 else 50_000)
        ns.append(load_latency_ns(size, steps=steps, repeats=3 if quick else 15))
    return {"working_sets": sizes, "ns_per_load": ns}


def _mlp(quick: bool) -> dict:
    size = 2**20 if quick else DRAM_SET
    steps = 20_000 if quick else 100_000
    ns = [load_latency_ns(size, chains=c, steps=max(1, steps // c), repeats=3 if quick else 10) for c in MLP_CHAINS]
    return {"working_set": size, "chains": list(MLP_CHAINS), "ns_per_load": ns}


def _gpu(quick: bool, device: str = "cuda") -> dict:
    """sinx and a both-branches divergence kernel on the GPU (torch), or why not.

    ``device="cpu"`` runs the same code on the CPU (the smoke test's way to check it without a GPU).
    """
    try:
        import torch
    except ImportError as error:  # pragma: no cover - torch is pinned
        return {"skipped": f"torch not importable: {error}"}
    if device == "cuda" and not torch.cuda.is_available():
        return {"skipped": "no CUDA device on this machine: not yet measured on a GPU"}
    try:
        from benchmarks._harness import median_time
        from snippets.parallel.divergence import COEFFICIENTS
        from snippets.parallel.sinx import sinx_torch

        n = 2**12 if device == "cpu" else 2**20 if quick else 2**26
        sync = torch.cuda.synchronize if device == "cuda" else None
        x = torch.empty(n, device=device).uniform_(-torch.pi, torch.pi)
        sinx_s = median_time(lambda: sinx_torch(x, 10), 7, sync=sync)
        x64 = x.double()

        def where(mask):
            x2 = x64 * x64
            value, numer = x64.clone(), x64 * x2
            for c in COEFFICIENTS.tolist():
                value += numer * c
                numer *= x2
            return torch.where(mask, value, x64)

        where_ns = []
        for fraction in FRACTIONS:
            mask = torch.from_numpy(expensive_mask(n, fraction, seed=2)).to(device)
            where_ns.append(median_time(lambda m=mask: where(m), 7, sync=sync) / n * 1e9)
        name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu (code check only)"
        return {"device": name, "n": n,
                "sinx_float32_terms10_ns_per_element": sinx_s / n * 1e9,
                "divergence_where_float64_ns_per_element": where_ns, "fractions": list(FRACTIONS)}
    except Exception as error:  # noqa: BLE001 - record why, keep the CPU results
        return {"skipped": f"GPU run failed: {type(error).__name__}: {error}"}


def run(quick: bool = False) -> dict:
    load_start = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    start = time.perf_counter()
    ilp, divergence = _ilp(quick), _divergence(quick)
    latency, mlp = _latency(quick), _mlp(quick)
    gpu = _gpu(quick)
    caches = cache_sizes()

    l1 = latency["ns_per_load"][0]  # 4 KiB: in L1 on every current core
    dram = latency["ns_per_load"][-1]
    plateau = [1 / ilp["ns_per_element"][0], 1 / ilp["ns_per_element"][-1]]
    mlp_8 = mlp["ns_per_load"][0] / mlp["ns_per_load"][mlp["chains"].index(8)]
    ws = f"{latency['working_sets'][-1] // 2**20} MiB"
    rows = [
        {"case": f"ILP: sum, {c} chain(s)", "params": f"n={ilp['n']} float64", "device": "cpu", "ns_per_element": t}
        for c, t in zip(ilp["chains"], ilp["ns_per_element"])
    ] + [
        {"case": "load latency, 4 KiB working set", "device": "cpu", "ns_per_load": l1},
        {"case": f"load latency, {ws} working set", "device": "cpu", "ns_per_load": dram},
        {"case": "memory-level parallelism, 8 chains", "device": "cpu", "speedup": mlp_8},
    ]
    reported = "reported (no target)"
    checks = [
        {"name": "ILP plateau: elements per ns at 1 and at 8 chains", "target": reported,
         "measured": f"{plateau[0]:.2f} and {plateau[1]:.2f}", "passed": True},
        {"name": "L1 latency (4 KiB pointer chase)", "target": reported, "measured": f"{l1:.2f} ns", "passed": True},
        {"name": f"DRAM latency ({ws} pointer chase)", "target": reported, "measured": f"{dram:.1f} ns",
         "passed": True},
        {"name": "memory-level-parallelism speedup at 8 chains", "target": reported, "measured": f"{mlp_8:.2f}x",
         "passed": True},
    ]
    return {
        "quick": quick,
        "cache_sizes": caches,
        "load_average_start": load_start,
        "load_average_end": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "wall_s": time.perf_counter() - start,
        "ilp": ilp,
        "divergence": divergence,
        "latency": latency,
        "mlp": mlp,
        "gpu": gpu,
        "rows": rows,
        "checks": checks,
    }
