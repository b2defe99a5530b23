"""Code of docs/normalization/batch-norm.md, section by section (run top to bottom)."""

# --8<-- [start:twin]
import torch
import torch.nn.functional as F

from snippets.normalization.batch_norm import batch_norm

torch.manual_seed(0)
x = torch.randn(8, 3, 5, 5) * 4 + 2  # a batch of 8 three-channel 5x5 maps
ours_mean, ours_var = torch.zeros(3), torch.ones(3)
ref_mean, ref_var = torch.zeros(3), torch.ones(3)

y_ours = batch_norm(x, ours_mean, ours_var, training=True)
y_ref = F.batch_norm(x, ref_mean, ref_var, training=True)
print("max |ours - torch| output       :", f"{(y_ours - y_ref).abs().max().item():.1e}")
print(
    "max |ours - torch| running_var  :",
    f"{(ours_var - ref_var).abs().max().item():.1e}",
)
print(
    "largest |per-channel mean of y| :",
    f"{y_ours.mean(dim=(0, 2, 3)).abs().max().item():.1e}",
)
print(
    "per-channel biased var of y     :",
    [f"{v:.4f}" for v in y_ours.var(dim=(0, 2, 3), correction=0)],
)
# --8<-- [end:twin]

# --8<-- [start:biased_unbiased]
import torch

torch.manual_seed(0)
x = torch.randn(4, 2, 3, 3)
n = x.numel() // x.shape[1]  # values per channel: N * H * W = 36
biased = x.var(dim=(0, 2, 3), correction=0)
unbiased = x.var(dim=(0, 2, 3), correction=1)
bn = torch.nn.BatchNorm2d(2, momentum=1.0)  # momentum 1: running stats = last batch
bn(x)
print("n per channel          :", n)
print("biased batch variance  :", [f"{v:.6f}" for v in biased])
print("unbiased (x n/(n-1))   :", [f"{v:.6f}" for v in unbiased])
print("nn.BatchNorm2d running :", [f"{v:.6f}" for v in bn.running_var])
# --8<-- [end:biased_unbiased]

# --8<-- [start:momentum]
import torch

from snippets.normalization.batch_norm import BatchNorm2d

torch.manual_seed(0)
ours, ref = BatchNorm2d(3, momentum=None), torch.nn.BatchNorm2d(3, momentum=None)
for _ in range(5):
    batch = torch.randn(6, 3, 4, 4) + 1.5
    ours(batch), ref(batch)
print("cumulative running_mean, ours :", [f"{v:.6f}" for v in ours.running_mean])
print("cumulative running_mean, torch:", [f"{v:.6f}" for v in ref.running_mean])

# Keras' momentum weights the *old* value, PyTorch's the *new* batch statistic.
keras_momentum = 0.99
print("Keras momentum 0.99 == PyTorch momentum", round(1 - keras_momentum, 2))
# --8<-- [end:momentum]

# --8<-- [start:backward]
import torch

from snippets.normalization.batch_norm import batch_norm, batch_norm_backward

torch.manual_seed(0)
x = torch.randn(5, 3, 4, 4, dtype=torch.float64, requires_grad=True)
weight = torch.rand(3, dtype=torch.float64, requires_grad=True)
bias = torch.rand(3, dtype=torch.float64, requires_grad=True)
grad_out = torch.randn(5, 3, 4, 4, dtype=torch.float64)

batch_norm(x, None, None, weight, bias, training=True).backward(grad_out)
dx, dw, db = batch_norm_backward(grad_out, x.detach(), weight.detach())
for name, ours, auto in (
    ("x", dx, x.grad),
    ("weight", dw, weight.grad),
    ("bias", db, bias.grad),
):
    print(
        f"d{name:<6} max |formula - autograd| = {(ours - auto).abs().max().item():.1e}"
    )
# --8<-- [end:backward]

# --8<-- [start:one_value]
import torch

from snippets.normalization.batch_norm import batch_norm

one_sample = torch.randn(1, 4)  # BatchNorm1d input: N=1, C=4 -> one value per channel
for name, fn in (("torch", torch.nn.functional.batch_norm), ("ours", batch_norm)):
    try:
        fn(one_sample, torch.zeros(4), torch.ones(4), training=True)
    except ValueError as error:
        print(f"{name:>5}: ValueError: {error}")
# --8<-- [end:one_value]

# --8<-- [start:training_results]
import json
from pathlib import Path

results = json.loads(Path("results/normalization/bn_training.json").read_text())
names = {"none": "no normalization", "bn": "BatchNorm", "noisy": "BatchNorm + noise"}
print(f"{'lr':>5} | {'network':<17} | {'last loss':>9} | {'test acc':>8} | "
      "active units")
for run in results["runs"]:
    last = run["loss"][-1]["loss"]
    loss = "diverged" if last is None else f"{last:.4f}"
    print(f"{run['lr']:>5} | {names[run['norm']]:<17} | {loss:>9} | "
          f"{run['test_accuracy']:>8.3f} | {run['active_units']:>12.2f}")
# --8<-- [end:training_results]

# --8<-- [start:drift_results]
import json
from pathlib import Path

results = json.loads(Path("results/normalization/bn_training.json").read_text())
names = {"none": "no normalization", "bn": "BatchNorm", "noisy": "BatchNorm + noise"}
config = results["config"]
print(f"lr {config['drift_lr']}, after {config['steps']} steps: shift of each layer's "
      "input since initialization (in initial std)")
print(f"{'network':<17} | {'conv2 mean/std':>14} | {'conv3 mean/std':>14} | "
      f"{'linear mean/std':>15}")
for run in results["runs"]:
    if run["drift"]:
        last = run["drift"][-1]
        cells = [f"{last[k]['mean']:.2f} / {last[k]['std']:.2f}"
                 for k in ("conv2", "conv3", "linear")]
        name = names[run["norm"]]
        print(f"{name:<17} | {cells[0]:>14} | {cells[1]:>14} | {cells[2]:>15}")
# --8<-- [end:drift_results]

# --8<-- [start:fusion]
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from snippets.normalization.fusion import fuse_conv_bn

torch.manual_seed(0)
conv, bn = nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
for _ in range(20):  # some training steps' worth of running statistics
    bn(conv(torch.randn(16, 3, 12, 12) * 2 + 1))
with torch.no_grad():
    bn.weight.uniform_(0.5, 1.5), bn.bias.uniform_(-1, 1)
conv.eval(), bn.eval()

fused = fuse_conv_bn(conv, bn)
twin = fuse_conv_bn_eval(conv, bn)
x = torch.randn(4, 3, 12, 12)
with torch.no_grad():
    gap = (fused(x) - bn(conv(x))).abs().max()
print(f"max |fused(x) - bn(conv(x))|         : {gap:.1e}")
for name in ("weight", "bias"):
    diff = (getattr(fused, name) - getattr(twin, name)).abs().max()
    print(f"max |ours - fuse_conv_bn_eval| {name:<6}: {diff:.1e}")
print("conv still without bias:", conv.bias is None)
print("fused bias shape:", tuple(fused.bias.shape))
# --8<-- [end:fusion]

# --8<-- [start:fusion_speed]
import json
from pathlib import Path

bench = json.loads(Path("results/bench/normalization.json").read_text())
row = next(r for r in bench["rows"] if r["case"].startswith("conv3x3 -> BatchNorm2d"))
machine = bench["machine"]
print(row["params"])
print(f"{machine['cpu']}, {machine['torch_threads']} threads, {bench['date']}")
for entry in row["results"]:
    print(f"  {entry['impl']:<24} {entry['median_s'] * 1e3:7.2f} ms")
print(f"  fused / unfused: {row['ratio']:.2f}")
# --8<-- [end:fusion_speed]
