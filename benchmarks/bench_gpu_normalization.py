"""Normalization on the GPU: LayerNorm eager, ``torch.compile`` and our Triton kernel against the copy bandwidth.

Rows: LayerNorm forward (32768, 4096) in float32 and bfloat16 (F.layer_norm
eager, torch.compile, ``snippets.normalization.triton_layer_norm``, and the
eager ``snippets.normalization.layer_norm`` when present); a num_warps sweep of
the Triton kernel; the Triton backward next to autograd's; BatchNorm training
forward. Runs only when CUDA is present; otherwise every row is recorded as
skipped and the checks stay open.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
import triton

from benchmarks._harness import check, copy_bandwidth, cuda_available, measure, sized, skipped, try_import

LN_GPU_SHAPE = (32768, 4096)


def _gpu_rows(quick: bool, device: str = "cuda", ln_shape: tuple[int, int] | None = None,
              bn_shape: tuple[int, ...] | None = None) -> tuple[list[dict], list[dict]]:
    """The GPU rows; ``device``/``*_shape`` let the tests run this code on the CPU (Triton interpreter)."""
    rows, checks = [], []
    copy_gbs = copy_bandwidth(device, 2**30 if device == "cuda" else 2**24, 20)
    layer_norm_triton, missing_triton = try_import("snippets.normalization.triton_layer_norm", "layer_norm_triton")
    layer_norm, _ = try_import("snippets.normalization.layer_norm", "layer_norm")
    m, n = ln_shape or ((4096, 4096) if quick else LN_GPU_SHAPE)
    repeats, inner = (3, 5) if quick else (15, 20)
    for dtype in (torch.float32, torch.bfloat16):
        name = str(dtype).removeprefix("torch.")
        generator = torch.Generator(device=device).manual_seed(0)
        x = torch.randn(m, n, device=device, generator=generator).to(dtype)
        weight = torch.rand(n, device=device, generator=generator).to(dtype)
        bias = torch.randn(n, device=device, generator=generator).to(dtype)
        compiled = torch.compile(lambda x, w, b: F.layer_norm(x, (n,), w, b, 1e-5), dynamic=False)
        impls = {
            "twin: F.layer_norm (eager)": lambda: F.layer_norm(x, (n,), weight, bias, 1e-5),
            "torch.compile(F.layer_norm)": lambda: compiled(x, weight, bias),
        }
        if layer_norm_triton is not None:
            impls["ours: layer_norm_triton"] = lambda: layer_norm_triton(x, (n,), weight, bias, 1e-5)
        if layer_norm is not None:
            impls["snippets layer_norm (eager)"] = lambda: layer_norm(x, (n,), weight, bias, 1e-5)
        with torch.no_grad():
            row = measure("LayerNorm forward (GPU)", impls, ours="ours: layer_norm_triton" if layer_norm_triton
                          else None, twin="twin: F.layer_norm (eager)", params=f"({m}, {n}) {name}",
                          device=device, nbytes=2 * x.numel() * x.element_size(), repeats=repeats, warmup=3,
                          inner=inner, copy_gbs=copy_gbs, note=missing_triton or "")
        rows.append(row)
        by_impl = {r["impl"]: r for r in row["results"]}
        triton_result = by_impl.get("ours: layer_norm_triton")
        target = f"Triton LayerNorm >= 85% of copy bandwidth ({LN_GPU_SHAPE}, {name})"
        if triton_result is None:
            checks.append(check(target, ">= 0.85 of copy", None, None))
            continue
        fraction = triton_result["of_copy"]
        checks.append(sized(check(target, ">= 0.85 of copy", f"{fraction:.1%} of {copy_gbs:.0f} GB/s",
                                   fraction >= 0.85), quick))
        fastest_other = min(by_impl["twin: F.layer_norm (eager)"]["median_s"],
                            by_impl["torch.compile(F.layer_norm)"]["median_s"])
        checks.append(sized(check(f"Triton LayerNorm ahead of eager and torch.compile ({name})",
                                   "ours < min(eager, compile)",
                                   f"{triton_result['median_s'] / fastest_other:.2f}x the faster of the two",
                                   triton_result["median_s"] < fastest_other), quick))

    # num_warps of the forward kernel: the heuristic's choice next to its neighbours (float32)
    if layer_norm_triton is not None:
        from snippets.normalization import triton_layer_norm as tln

        x = torch.randn(m, n, device=device, generator=torch.Generator(device=device).manual_seed(2))
        chosen = tln._num_warps(triton.next_power_of_2(n))
        impls = {f"num_warps={w}" + (" (chosen)" if w == chosen else ""):
                 (lambda w=w: tln._forward(x, None, None, 1e-5, num_warps=w)) for w in (4, 8, 16, 32)}
        rows.append(measure("Triton LayerNorm forward, num_warps sweep (GPU)", impls, params=f"({m}, {n}) float32",
                            device=device, nbytes=2 * x.numel() * 4, repeats=repeats, warmup=3, inner=inner,
                            copy_gbs=copy_gbs, note="no weight/bias; which launch setting is fastest here"))

    # backward of the Triton kernel next to autograd of F.layer_norm (reported, no target)
    if layer_norm_triton is not None:
        generator = torch.Generator(device=device).manual_seed(1)
        x = torch.randn(m, n, device=device, generator=generator).requires_grad_()
        weight = torch.rand(n, device=device, generator=generator).requires_grad_()
        bias = torch.randn(n, device=device, generator=generator).requires_grad_()
        dy = torch.randn(m, n, device=device, generator=generator)
        y_twin = F.layer_norm(x, (n,), weight, bias)
        y_ours = layer_norm_triton(x, (n,), weight, bias)
        rows.append(measure("LayerNorm backward (GPU)", {
            "ours: layer_norm_triton backward": lambda: torch.autograd.grad(y_ours, (x, weight, bias), dy,
                                                                            retain_graph=True),
            "twin: F.layer_norm backward": lambda: torch.autograd.grad(y_twin, (x, weight, bias), dy,
                                                                       retain_graph=True),
        }, ours="ours: layer_norm_triton backward", twin="twin: F.layer_norm backward",
            params=f"({m}, {n}) float32", device=device, nbytes=3 * x.numel() * 4, repeats=repeats, warmup=3,
            inner=inner, copy_gbs=copy_gbs, note="bytes: read x and dy, write dx"))

    # BatchNorm training forward on the GPU: ours next to F.batch_norm
    batch_norm, missing = try_import("snippets.normalization.batch_norm", "batch_norm")
    shape = bn_shape or ((16, 64, 56, 56) if quick else (64, 256, 56, 56))
    if batch_norm is None:
        rows.append(skipped("batch_norm training forward (GPU)", missing, device=device))
    else:
        x = torch.randn(shape, device=device)
        c = shape[1]
        stats = {k: (torch.zeros(c, device=device), torch.ones(c, device=device)) for k in ("ours", "twin")}
        weight, bias = torch.rand(c, device=device), torch.randn(c, device=device)
        rows.append(measure("batch_norm training forward (GPU)", {
            "ours: batch_norm": lambda: batch_norm(x, *stats["ours"], weight, bias, training=True),
            "twin: F.batch_norm": lambda: F.batch_norm(x, *stats["twin"], weight, bias, training=True),
        }, ours="ours: batch_norm", twin="twin: F.batch_norm", params=f"{shape} float32", device=device,
            nbytes=2 * x.numel() * 4, repeats=repeats, warmup=3, inner=inner, copy_gbs=copy_gbs))
    return rows, checks


def run(quick: bool = False) -> dict:
    if cuda_available():
        rows, checks = _gpu_rows(quick)
        return {"rows": rows, "checks": checks}
    rows, checks = [], []
    reason = "no CUDA device on this machine: GPU figures are open"
    for dtype in ("float32", "bfloat16"):
        rows.append(skipped("LayerNorm forward (GPU)", reason, f"{LN_GPU_SHAPE} {dtype}", "cuda"))
        checks.append(check(f"Triton LayerNorm >= 85% of copy bandwidth ({LN_GPU_SHAPE}, {dtype})",
                            ">= 0.85 of copy", None, None))
        checks.append(check(f"Triton LayerNorm ahead of eager and torch.compile ({dtype})",
                            "ours < min(eager, compile)", None, None))
    rows.append(skipped("LayerNorm backward (GPU)", reason, f"{LN_GPU_SHAPE} float32", "cuda"))
    rows.append(skipped("batch_norm training forward (GPU)", reason, "(64, 256, 56, 56) float32", "cuda"))
    return {"rows": rows, "checks": checks}
