"""The CPU's limits: measured copy bandwidth and dense float32 matmul rate.

Every other benchmark compares its bytes per second with the copy bandwidth
measured in its own process (``_harness.copy_bandwidth``); this file records the
limits on their own so the Performance page can state them. The GPU's are in
``bench_gpu_limits.py``.
"""

from __future__ import annotations

from benchmarks._harness import copy_bandwidth, matmul_rate


def run(quick: bool = False) -> dict:
    nbytes = (64 if quick else 256) * 2**20
    n = 1024 if quick else 2048
    limits = {"copy_gbs": copy_bandwidth("cpu", nbytes), "matmul_gflops_float32": matmul_rate("cpu", n, "float32")}
    rows = [{"case": "copy bandwidth", "params": f"dst.copy_(src), {nbytes // 2**20} MiB float32", "device": "cpu",
             "value": limits["copy_gbs"], "unit": "GB/s"},
            {"case": "matmul rate", "params": f"({n}, {n}) @ ({n}, {n}) float32", "device": "cpu",
             "value": limits["matmul_gflops_float32"], "unit": "GFLOP/s"}]
    return {"rows": rows, "limits": limits, "checks": []}
