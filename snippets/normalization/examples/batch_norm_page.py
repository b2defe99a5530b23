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
print("max |ours - torch| running_var  :", f"{(ours_var - ref_var).abs().max().item():.1e}")
print("largest |per-channel mean of y| :", f"{y_ours.mean(dim=(0, 2, 3)).abs().max().item():.1e}")
print("per-channel biased var of y     :", [f"{v:.4f}" for v in y_ours.var(dim=(0, 2, 3), correction=0)])
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
for name, ours, auto in (("x", dx, x.grad), ("weight", dw, weight.grad), ("bias", db, bias.grad)):
    print(f"d{name:<6} max |formula - autograd| = {(ours - auto).abs().max().item():.1e}")
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
