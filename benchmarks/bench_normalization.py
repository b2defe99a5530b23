"""Normalization on the CPU: our snippets next to torch.nn.functional, side by side in one run.

The GPU rows (LayerNorm kernels against the copy bandwidth) are in
``bench_gpu_normalization.py``, saved to their own file with the GPU machine's
metadata.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from benchmarks._harness import copy_bandwidth, measure, ratio_check, skipped, sized, try_import


def _cpu_rows(quick: bool) -> tuple[list[dict], list[dict]]:
    rows, checks = [], []
    copy_gbs = copy_bandwidth("cpu", (64 if quick else 256) * 2**20)
    generator = torch.Generator().manual_seed(0)

    # batch_norm training forward, issue 3's size
    shape = (8, 64, 56, 56) if quick else (64, 64, 56, 56)
    batch_norm, missing = try_import("snippets.normalization.batch_norm", "batch_norm")
    case = "batch_norm training forward"
    params = f"{shape} float32"
    if batch_norm is None:
        rows.append(skipped(case, missing, params))
    else:
        x = torch.randn(shape, generator=generator)
        c = shape[1]
        weight, bias = torch.rand(c, generator=generator), torch.randn(c, generator=generator)
        stats = {name: (torch.zeros(c), torch.ones(c)) for name in ("ours", "twin")}
        rows.append(measure(case, {
            "ours: batch_norm": lambda: batch_norm(x, *stats["ours"], weight, bias, training=True),
            "twin: F.batch_norm": lambda: F.batch_norm(x, *stats["twin"], weight, bias, training=True),
        }, ours="ours: batch_norm", twin="twin: F.batch_norm", params=params, nbytes=2 * x.numel() * 4,
            repeats=5 if quick else 11, copy_gbs=copy_gbs))
    checks.append(sized(ratio_check("batch_norm within 2x of F.batch_norm (CPU, (64, 64, 56, 56) float32)",
                                     rows[-1], 2.0, "ours / twin <= 2"), quick))

    # LayerNorm: nn.LayerNorm next to our layer_norm (no target in the issues: reported)
    shape = (512, 1024) if quick else (8192, 1024)
    layer_norm, missing = try_import("snippets.normalization.layer_norm", "layer_norm")
    case = "layer_norm forward"
    params = f"{shape} float32, weight and bias"
    if layer_norm is None:
        rows.append(skipped(case, missing, params))
    else:
        x = torch.randn(shape, generator=generator)
        module = torch.nn.LayerNorm(shape[-1])
        with torch.no_grad():
            module.weight.copy_(torch.rand(shape[-1], generator=generator))
            module.bias.copy_(torch.randn(shape[-1], generator=generator))
        weight, bias = module.weight.detach(), module.bias.detach()
        with torch.no_grad():
            rows.append(measure(case, {
                "ours: layer_norm": lambda: layer_norm(x, (shape[-1],), weight, bias, 1e-5),
                "twin: nn.LayerNorm": lambda: module(x),
            }, ours="ours: layer_norm", twin="twin: nn.LayerNorm", params=params, nbytes=2 * x.numel() * 4,
                repeats=5 if quick else 11, copy_gbs=copy_gbs))

    # conv -> BN in eval mode vs the fused conv (fuse_conv_bn): one pass over the output fewer
    fuse_conv_bn, missing = try_import("snippets.normalization.fusion", "fuse_conv_bn")
    case = "conv3x3 -> BatchNorm2d eval vs fused conv"
    shape = (2, 64, 56, 56) if quick else (16, 64, 56, 56)
    params = f"input {shape} float32, 64 -> 64 channels, 3x3, padding 1, no conv bias"
    if fuse_conv_bn is None:
        rows.append(skipped(case, missing, params))
    else:
        torch.manual_seed(0)
        conv = torch.nn.Conv2d(64, 64, 3, padding=1, bias=False)
        bn = torch.nn.BatchNorm2d(64)
        with torch.no_grad():
            bn.running_mean.normal_(), bn.running_var.uniform_(0.5, 2), bn.weight.uniform_(0.5, 1.5)
        unfused = torch.nn.Sequential(conv, bn).eval()
        fused = fuse_conv_bn(conv.eval(), bn.eval())
        x = torch.randn(shape, generator=generator)
        with torch.no_grad():
            gap = (fused(x) - unfused(x)).abs().max().item()
            rows.append(measure(case, {
                "ours: fused conv": lambda: fused(x),
                "twin: conv -> BN (eval)": lambda: unfused(x),
            }, ours="ours: fused conv", twin="twin: conv -> BN (eval)", params=params,
                nbytes=2 * x.numel() * 4, repeats=5 if quick else 11, copy_gbs=copy_gbs,
                note=f"max |fused - conv->BN| = {gap:.1e}"))
    checks.append(sized(ratio_check("fused conv faster than conv -> BN in eval (CPU, (16, 64, 56, 56) float32)",
                                     rows[-1], 1.0, "fused / unfused < 1"), quick))
    return rows, checks


def run(quick: bool = False) -> dict:
    rows, checks = _cpu_rows(quick)
    return {"rows": rows, "checks": checks}
