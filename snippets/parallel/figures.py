"""Figures of the parallel-computing pages; measured ones read results/bench/parallel.json."""

from __future__ import annotations

# --8<-- [start:imports]
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from snippets.parallel.sinx import reduce_range, sinx_numpy, taylor_denominators
from snippets.parallel.speedup import amdahl_speedup, gustafson_speedup

from snippets._figure import caption
# --8<-- [end:imports]

__all__ = ["load_results", "machine_line", "amdahl_figure", "speedup_figure", "ladder_figure",
           "series_error_figure", "roofline_figure"]

RESULTS = Path(__file__).resolve().parents[2] / "results" / "bench" / "parallel.json"


# --8<-- [start:load_results]
def load_results(path: str | Path = RESULTS) -> dict:
    """The recorded benchmark (``python -m benchmarks parallel`` writes it)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def machine_line(results: dict) -> str:
    """'<cpu>, <cores> cores, <date>; numpy x, numba y, torch z' of a result file."""
    m, v = results["machine"], results["versions"]
    gpu = f", GPU {m['gpu']}" if m.get("gpu") else ", no GPU"
    return (f"{m['cpu']}, {m['cores']} cores{gpu}, {results['date']}; numpy {v.get('numpy')}, "
            f"numba {v.get('numba')}, torch {v.get('torch')}, Python {m['python']}")
# --8<-- [end:load_results]


@caption("Amdahl's law (solid) saturates at 1/(1-f); Gustafson's scaled speedup (dotted) grows linearly")
def amdahl_figure():
    """Amdahl (fixed job) and Gustafson (job grows with P) for several parallel fractions."""
    p = np.logspace(0, 3, 200)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for f in (0.5, 0.9, 0.95, 0.99):
        (line,) = ax.plot(p, amdahl_speedup(f, p), label=f"Amdahl, f = {f}")
        ax.plot(p, gustafson_speedup(f, p), ls=":", color=line.get_color())
    ax.plot(p, p, color="gray", lw=0.8, ls="--", label="ideal S = P")
    ax.set(xscale="log", yscale="log", xlabel="processors P", ylabel="speedup S(P)",
           title="Amdahl (solid) caps at 1/(1-f); Gustafson (dotted) keeps growing", ylim=(1, 1200))
    ax.grid(True, which="major", alpha=0.5)
    ax.legend(fontsize=8)
    return fig


@caption("Measured speedup (points) and Amdahl's law with the fitted parallel fraction (dotted)")
def speedup_figure():
    """Measured speedup curves next to Amdahl's law with the fitted parallel fraction."""
    r = load_results()
    cores = r["machine"]["cores"]
    fig, ax = plt.subplots(figsize=(8.0, 3.8))
    pmax = max(max(c["workers"]) for c in r["curves"])
    grid = np.linspace(1, pmax, 100)
    for c in r["curves"]:
        label = f"{c['rung']}, n = {c['n']:,}"
        (line,) = ax.plot(c["workers"], c["speedup"], "o-", label=f"{label} (measured)")
        f = c["parallel_fraction"]
        ax.plot(grid, amdahl_speedup(f, np.minimum(grid, cores)), ls=":", color=line.get_color(),
                label=f"Amdahl, fitted f = {f:.2f}")
    ax.plot(grid, grid, color="gray", lw=0.8, ls="--", label="ideal S = P")
    ax.axvline(cores, color="gray", lw=0.8)
    ax.text(cores, 0.97, f" {cores} cores", transform=ax.get_xaxis_transform(), color="gray", va="top")
    ax.set(xlabel="workers P", ylabel="speedup T(1) / T(P)", title=f"sinx, {r['terms']} terms, {r['dtype']}")
    ax.set_xticks(range(1, pmax + 1))
    ax.grid(True, alpha=0.5)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


@caption("Time per element of each rung (log scale); dashed: the time to copy the same bytes")
def ladder_figure():
    """Nanoseconds per element for each rung, with the time to copy the same bytes."""
    r = load_results()
    rows = r["rows"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    y = np.arange(len(rows))
    ax.barh(y, [row["ns_per_element"] for row in rows], color=[f"C{i % 10}" for i in range(len(rows))])
    ax.set_yticks(y, [row["label"] for row in rows])
    ax.invert_yaxis()
    floor = r["floor"]["seconds"] / r["n"] * 1e9
    ax.axvline(floor, color="gray", ls="--")
    ax.text(floor, 0.01, " copy floor", transform=ax.get_xaxis_transform(), color="gray", va="bottom",
            rotation=90, fontsize=8)
    ax.set(xscale="log", xlabel="ns per element (log scale)",
           title=f"sinx, {r['terms']} terms, {r['dtype']}, n = {r['n']:,} (scalar: {rows[0]['n']:,})")
    ax.grid(True, axis="x", alpha=0.5)
    return fig


@caption("Error of the series: the lecture's int32 denominators, the float64 fix, and the fix plus range reduction")
def series_error_figure():
    """|series - sin x| for the lecture's int32 denominators, the float64 fix, and range reduction."""
    x = np.linspace(-12, 12, 961)
    terms = 8
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ref = np.sin(x)
    # The lecture's loop with C-int denominators (wrapped at 13!).
    value, numer, sign = x.copy(), x**3, -1.0
    for d in taylor_denominators(terms, np.int32):
        value, numer, sign = value + sign * numer / float(d), numer * x * x, -sign
    tiny = 1e-17  # keeps log scale finite where the error is exactly 0
    ax.plot(x, np.abs(value - ref) + tiny, label="int32 denom (lecture's C code)")
    ax.plot(x, np.abs(sinx_numpy(x, terms) - ref) + tiny, label="float64 denom")
    ax.plot(x, np.abs(sinx_numpy(reduce_range(x), terms) - ref) + tiny, label="float64 denom + range reduction")
    ax.axvspan(-np.pi, np.pi, color="gray", alpha=0.12, lw=0)
    ax.set(yscale="log", xlabel="x", ylabel="|sinx(x) - sin(x)|", ylim=(1e-17, 1e6),
           title=f"terms = {terms}, float64; shaded: |x| <= pi")
    ax.grid(True, alpha=0.5)
    ax.legend(fontsize=8, loc="lower center")
    return fig


@caption("The roofline of the benchmark machine with the sinx rungs")
def roofline_figure():
    """Measured compute roof and memory roofs; each rung at sinx's arithmetic intensity."""
    r = load_results()
    peak = r["peak_flops"] / 1e9
    bws = {(b["method"], b["workers"]): b["bytes_per_s"] / 1e9 for b in r["bandwidth"]}
    ai = np.logspace(-2, 3, 200)
    fig, ax = plt.subplots(figsize=(8.0, 4.2))
    best_bw = max(bws.values())
    ax.plot(ai, np.minimum(peak, best_bw * ai), color="gray", lw=2, label="roof: min(peak, bandwidth x AI)")
    for (method, workers), bw in sorted(bws.items()):
        ax.plot(ai, bw * ai, lw=0.8, ls=":", label=f"{method}, {workers} thread(s): {bw:.1f} GB/s")
    ax.axhline(peak, color="gray", lw=0.8, ls="--")
    ax.text(ai[0], peak, f" matmul peak {peak:.0f} GFLOP/s", color="gray", va="bottom", fontsize=8)
    intensity = r["rows"][0]["intensity"]
    for i, row in enumerate(r["rows"]):
        ax.plot(intensity * (1.08 ** (i - len(r["rows"]) / 2)), row["gflops"], "o", ms=6, label=row["label"])
    ax.axvline(1 / 12, color="gray", lw=0.8, ls="-.")
    ax.text(1 / 12, 0.02, " c = a * b", transform=ax.get_xaxis_transform(), color="gray", fontsize=8)
    ax.set(xscale="log", yscale="log", xlabel="arithmetic intensity (flop / byte)", ylabel="GFLOP/s",
           title=f"Roofline of this machine; sinx ({r['terms']} terms, {r['dtype']}) at AI = {intensity:.2f}")
    ax.grid(True, which="major", alpha=0.5)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
