"""Smoke test of benchmarks/bench_parallel.py in quick mode: it runs and reports what the pages read."""

from __future__ import annotations

import os

import pytest


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_quick_run_has_the_fields_the_pages_read():
    """run(quick=True) returns the ladder rows, floor, bandwidth, curves and the three checks."""
    from benchmarks.bench_parallel import run

    result = run(quick=True)
    rungs = {row["rung"] for row in result["rows"]}
    assert {"scalar", "numpy", "threads", "processes", "compiled", "torch"} <= rungs
    assert all(row["seconds"] > 0 and row["gflops"] > 0 for row in result["rows"])
    assert {(b["method"], b["workers"]) for b in result["bandwidth"]} == {("copy", 1), ("copy", 2),
                                                                            ("triad", 1), ("triad", 2)}
    assert result["floor"]["seconds"] > 0 and result["latency_s"] > 0 and result["peak_flops"] > 0
    assert all(0 <= c["parallel_fraction"] <= 1 and c["speedup"][0] == 1.0 for c in result["curves"])
    cores = os.cpu_count()
    assert all(c["workers"] == list(range(1, cores + 1)) for c in result["curves"])  # within the cores
    assert max(result["oversubscription"]["workers"]) > cores  # oversubscription: its own experiment
    assert set(result["peak_flops_by_threads"]) == {str(p) for p in range(1, cores + 1)}
    for row in result["rows"]:  # executed flops and moved bytes of each rung, the roof for its threads
        assert row["intensity"] == row["flops_per_element"] / row["bytes_per_element"]
        assert row["roof_gflops"] <= row["peak_gflops"] + 1e-9
    assert len(result["checks"]) == 3 and all(isinstance(c["passed"], bool) for c in result["checks"])
