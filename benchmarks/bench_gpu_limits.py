"""The GPU's limits: measured device copy bandwidth and dense matmul rate (float32 without TF32, bfloat16).

Runs only when CUDA is present; otherwise the row is recorded as skipped.
"""

from __future__ import annotations

from benchmarks._harness import copy_bandwidth, cuda_available, matmul_rate, skipped


def run(quick: bool = False) -> dict:
    if not cuda_available():
        return {"rows": [skipped("copy bandwidth and matmul rate", "no CUDA device on this machine: GPU figures are "
                                 "open", device="cuda")], "limits": {}, "checks": []}
    import torch

    nbytes = (256 if quick else 1024) * 2**20
    n = 4096 if quick else 8192
    limits = {"copy_gbs": copy_bandwidth("cuda", nbytes, 20)}
    rows = [{"case": "copy bandwidth", "params": f"dst.copy_(src), {nbytes // 2**20} MiB float32", "device": "cuda",
             "value": limits["copy_gbs"], "unit": "GB/s"}]
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 means float32 here, not TF32
    try:
        for dtype in ("float32", "bfloat16"):
            limits[f"matmul_gflops_{dtype}"] = rate = matmul_rate("cuda", n, dtype, 20)
            rows.append({"case": "matmul rate", "params": f"({n}, {n}) @ ({n}, {n}) {dtype}", "device": "cuda",
                         "value": rate, "unit": "GFLOP/s"})
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    return {"rows": rows, "limits": limits, "checks": []}
