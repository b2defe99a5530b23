"""The machine's limits: measured copy bandwidth and dense matmul rate (CPU, and GPU when present).

Every other benchmark compares its bytes per second with the copy bandwidth
measured in its own process (``_harness.copy_bandwidth``); this file records the
limits on their own so the Performance page can state them.
"""

from __future__ import annotations

from benchmarks._harness import copy_bandwidth, cuda_available, matmul_rate, skipped


def run(quick: bool = False) -> dict:
    rows = []
    cpu_bytes = (64 if quick else 256) * 2**20
    cpu_n = 1024 if quick else 2048
    limits = {
        "cpu_copy_gbs": copy_bandwidth("cpu", cpu_bytes),
        "cpu_matmul_gflops_float32": matmul_rate("cpu", cpu_n, "float32"),
    }
    rows.append({"case": "copy bandwidth", "params": f"dst.copy_(src), {cpu_bytes // 2**20} MiB float32",
                 "device": "cpu", "value": limits["cpu_copy_gbs"], "unit": "GB/s"})
    rows.append({"case": "matmul rate", "params": f"({cpu_n}, {cpu_n}) @ ({cpu_n}, {cpu_n}) float32",
                 "device": "cpu", "value": limits["cpu_matmul_gflops_float32"], "unit": "GFLOP/s"})
    if cuda_available():
        gpu_bytes = 2**30
        limits["cuda_copy_gbs"] = copy_bandwidth("cuda", gpu_bytes, 20)
        rows.append({"case": "copy bandwidth", "params": "dst.copy_(src), 1024 MiB float32",
                     "device": "cuda", "value": limits["cuda_copy_gbs"], "unit": "GB/s"})
        import torch

        torch.backends.cuda.matmul.allow_tf32 = False
        for dtype in ("float32", "bfloat16"):
            rate = matmul_rate("cuda", 8192, dtype, 20)
            limits[f"cuda_matmul_gflops_{dtype}"] = rate
            rows.append({"case": "matmul rate", "params": f"(8192, 8192) @ (8192, 8192) {dtype}",
                         "device": "cuda", "value": rate, "unit": "GFLOP/s"})
    else:
        rows.append(skipped("copy bandwidth / matmul rate", "no CUDA device on this machine", device="cuda"))
    return {"rows": rows, "limits": limits, "checks": []}
