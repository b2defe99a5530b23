"""Code of docs/performance/index.md, section by section (run top to bottom).

Every number printed here is read from results/bench/*.json (written by
``make bench``) or computed on the spot on a tiny input; nothing is typed in.
"""

# --8<-- [start:limits]
from snippets.performance.report import describe, limits_table, load_results

results = load_results()
for topic in ("cpu_limits", "gpu_limits"):
    print(describe(results[topic]))
    print(limits_table(results[topic]))
# --8<-- [end:limits]

# --8<-- [start:checks]
from snippets.performance.report import checks_table, load_results

print(checks_table(load_results()))
# --8<-- [end:checks]

# --8<-- [start:normalization]
from snippets.performance.report import describe, load_results, results_table

result = load_results()["normalization"]
print(describe(result))
print(results_table(result))
# --8<-- [end:normalization]

# --8<-- [start:image]
from snippets.performance.report import describe, load_results, results_table

result = load_results()["image"]
print(describe(result))
print(results_table(result))
# --8<-- [end:image]

# --8<-- [start:detection]
from snippets.performance.report import describe, load_results, results_table

result = load_results()["detection"]
print(describe(result))
print(results_table(result))
# --8<-- [end:detection]

# --8<-- [start:other_topics]
from snippets.performance.report import describe, load_results, results_table

shown = {
    "cpu_limits",
    "gpu_limits",
    "normalization",
    "gpu_normalization",
    "image",
    "detection",
    "gpu_sinx",
    "triton_sm90",
    "build",
}
others = {
    topic: result for topic, result in load_results().items() if topic not in shown
}
for topic, result in others.items():
    print(describe(result))
    print(results_table(result))
if not others:
    print("no other result files yet")
# --8<-- [end:other_topics]

# --8<-- [start:build]
from snippets.performance.report import describe, load_results, results_table

result = load_results()["build"]
print(describe(result))
print(results_table(result))
# --8<-- [end:build]

# --8<-- [start:gpu_normalization]
from snippets.performance.report import describe, load_results, results_table

result = load_results()["gpu_normalization"]
print(describe(result))
print(results_table(result))
# --8<-- [end:gpu_normalization]

# --8<-- [start:layer_norm_gpu_summary]
from snippets.performance.report import layer_norm_gpu_summary, load_results

print(layer_norm_gpu_summary(load_results()))
# --8<-- [end:layer_norm_gpu_summary]

# --8<-- [start:gpu_sinx]
from snippets.performance.report import describe, load_results, results_table

result = load_results()["gpu_sinx"]
print(describe(result))
print(results_table(result))
# --8<-- [end:gpu_sinx]

# --8<-- [start:interpreter]
import os

import torch

# Without a GPU, Triton's interpreter runs the kernels on the CPU (slowly, in NumPy).
# It must be switched on before the kernels are defined.
if not torch.cuda.is_available():
    os.environ["TRITON_INTERPRET"] = "1"
device = "cuda" if torch.cuda.is_available() else "cpu"
print(
    "kernels run on:",
    "GPU (compiled)" if device == "cuda" else "CPU (Triton interpreter)",
)
# --8<-- [end:interpreter]

# --8<-- [start:layer_norm_check]
import torch
import torch.nn.functional as F

from snippets.normalization.triton_layer_norm import layer_norm_triton

generator = torch.Generator().manual_seed(0)
x = (torch.randn(6, 100, generator=generator) * 3 + 1).to(device)
weight, bias = (
    torch.randn(100, generator=generator).to(device),
    torch.randn(100, generator=generator).to(device),
)
for dtype in (torch.float32, torch.bfloat16):
    ours = layer_norm_triton(x.to(dtype), 100, weight.to(dtype), bias.to(dtype))
    twin = F.layer_norm(x.to(dtype), (100,), weight.to(dtype), bias.to(dtype))
    print(
        f"{str(dtype):<15} max |triton - F.layer_norm| = "
        f"{(ours.float() - twin.float()).abs().max().item():.1e}"
    )

x.requires_grad_()
layer_norm_triton(x, 100, weight, bias).square().sum().backward()
grad_ours, x.grad = x.grad, None
F.layer_norm(x, (100,), weight, bias).square().sum().backward()
print(
    "backward: max |dx triton - dx autograd| = "
    f"{(grad_ours - x.grad).abs().max().item():.1e}"
)
# --8<-- [end:layer_norm_check]

# --8<-- [start:sinx_check]
import math

import torch

from snippets.performance.triton_sinx import sinx_torch_loop, sinx_triton

x = torch.linspace(-math.pi, math.pi, 1000).to(device)
print(
    "max |sinx_triton - torch.sin|      = "
    f"{(sinx_triton(x, terms=10) - torch.sin(x)).abs().max().item():.1e}"
)
print(
    "max |sinx_triton - sinx_torch_loop| = "
    f"{(sinx_triton(x, 10) - sinx_torch_loop(x, 10)).abs().max().item():.1e}"
)
# --8<-- [end:sinx_check]

# --8<-- [start:sm90]
from snippets.performance.report import describe, load_results, results_table

result = load_results()["triton_sm90"]
print(describe(result))
print(results_table(result))
# --8<-- [end:sm90]
