"""sinx on the GPU: the Taylor loop eager, compiled and as one Triton kernel, against the bandwidth floor.

The floor is the time to read and write the array once at the copy bandwidth
measured in the same process. Runs only when CUDA is present; otherwise every
row is recorded as skipped and the GPU figures stay open.
"""

from __future__ import annotations

from benchmarks._harness import check, copy_bandwidth, cuda_available, measure, skipped, try_import

TERMS = 10
LOG2_N = 28


def run(quick: bool = False) -> dict:
    if not cuda_available():
        params = f"2^{24 if quick else LOG2_N} float32, terms={TERMS}"
        return {"rows": [skipped("sinx (GPU)", "no CUDA device on this machine: GPU figures are open", params,
                                 "cuda")],
                "checks": [check("sinx on the GPU: eager, compiled, Triton against the bandwidth floor",
                                 "reported (no target)", None, None)]}
    return _measure(quick)


def _measure(quick: bool, device: str = "cuda", log2_n: int | None = None) -> dict:
    """The GPU rows; ``device``/``log2_n`` let the tests run this code on the CPU (Triton interpreter)."""
    import torch

    from snippets.performance.triton_sinx import sinx_torch_loop, sinx_triton

    eager, missing = try_import("snippets.parallel.sinx", "sinx_torch")
    if eager is None:  # the parallel article's rung is not there: the same loop from snippets.performance
        eager_label, eager_fn = "eager: sinx_torch_loop", sinx_torch_loop
    else:
        eager_label, eager_fn = "eager: snippets.parallel.sinx.sinx_torch", eager
    log2_n = log2_n or (24 if quick else LOG2_N)
    params = f"2^{log2_n} float32, terms={TERMS}"
    n = 2**log2_n
    x = (torch.rand(n, device=device, generator=torch.Generator(device=device).manual_seed(0)) * 2 - 1) * 3.14159
    copy_gbs = copy_bandwidth(device, 2**30 if device == "cuda" else 2**24, 20)
    compiled = torch.compile(sinx_torch_loop, dynamic=False)
    repeats, inner = (3, 3) if quick else (10, 10)
    with torch.no_grad():
        row = measure("sinx (GPU)", {
            eager_label: lambda: eager_fn(x, TERMS),
            "torch.compile(sinx_torch_loop)": lambda: compiled(x, TERMS),
            "ours: sinx_triton": lambda: sinx_triton(x, TERMS),
            "torch.sin (one library kernel)": lambda: torch.sin(x),
        }, ours="ours: sinx_triton", twin="torch.compile(sinx_torch_loop)", params=params, device=device,
            nbytes=2 * n * 4, repeats=repeats, warmup=3, inner=inner, copy_gbs=copy_gbs,
            note=f"bandwidth floor = 2 * 4 * n bytes / copy bandwidth; {missing or ''}".strip("; "))
    row["floor_s"] = 2 * n * 4 / (copy_gbs * 1e9)
    ours = next(r for r in row["results"] if r["impl"] == "ours: sinx_triton")
    return {"rows": [row], "checks": [check("sinx on the GPU: eager, compiled, Triton against the bandwidth floor",
                                            "reported (no target)",
                                            f"Triton {ours['median_s'] / row['floor_s']:.2f}x the floor", True)]}
