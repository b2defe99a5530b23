"""Code of docs/normalization/layer-norm.md, section by section (run top to bottom)."""

# --8<-- [start:twin]
import torch
import torch.nn.functional as F

from snippets.normalization.layer_norm import (
    group_norm,
    instance_norm,
    layer_norm,
    rms_norm,
)

torch.manual_seed(0)
x = torch.randn(4, 6, 5, 5) * 3 + 1  # (N, C, H, W)
pairs = {
    "layer_norm over (C, H, W)": (layer_norm(x, (6, 5, 5)), F.layer_norm(x, (6, 5, 5))),
    "group_norm, 3 groups": (group_norm(x, 3), F.group_norm(x, 3)),
    "instance_norm": (instance_norm(x), F.instance_norm(x)),
    "rms_norm over (C, H, W)": (rms_norm(x, (6, 5, 5)), F.rms_norm(x, (6, 5, 5))),
}
for name, (ours, ref) in pairs.items():
    print(f"{name:<26} max |ours - torch| = {(ours - ref).abs().max().item():.1e}")
# --8<-- [end:twin]

# --8<-- [start:per_sample]
import torch
import torch.nn.functional as F

from snippets.normalization.layer_norm import layer_norm

torch.manual_seed(0)
batch = torch.randn(8, 16)  # 8 samples (tokens), 16 features each
alone = batch[:1]  # the first sample in a batch of its own


def bn(z):  # training-mode BatchNorm over the batch axis, no running stats
    return F.batch_norm(z, None, None, training=True)


ln_gap = (layer_norm(batch, 16)[0] - layer_norm(alone, 16)[0]).abs().max().item()
bn_gap = (
    (bn(batch)[0] - bn(torch.cat([alone, torch.randn(7, 16)]))[0]).abs().max().item()
)
print(f"LayerNorm: sample 0 in its batch vs alone            max change {ln_gap:.1e}")
print(f"BatchNorm (training): sample 0 with other batch-mates max change {bn_gap:.4f}")
# --8<-- [end:per_sample]

# --8<-- [start:erase_keep]
import torch
import torch.nn.functional as F

from snippets.normalization.layer_norm import layer_norm

torch.manual_seed(0)
# 5 samples (rows) x 4 features (columns); feature j lives on its own scale, sample i
# has its own offset
x = (
    torch.randn(5, 4) * torch.tensor([1.0, 10.0, 100.0, 0.1])
    + torch.arange(5.0).unsqueeze(1) * 2
)


def bn(z):  # BatchNorm of a (samples, features) matrix: per feature, over samples
    return F.batch_norm(z, None, None, training=True)


def ln(z):  # LayerNorm: per sample, over features
    return layer_norm(z, z.shape[-1])


def same_order(a, b, dim):  # is the ranking along `dim` identical in a and b?
    return torch.equal(a.argsort(dim=dim), b.argsort(dim=dim))


def show(values):  # 3 decimals, no "-0.000"
    return [f"{round(v, 3) + 0.0:8.3f}" for v in values.tolist()]


print("per-feature std   x :", show(x.std(0, correction=0)))
print("per-feature std  BN :", show(bn(x).std(0, correction=0)))
print("per-sample mean   x :", show(x.mean(1)))
print("per-sample mean  LN :", show(ln(x).mean(1)))
print()
for name, y in (("BN", bn(x)), ("LN", ln(x))):
    print(
        f"{name}: order of samples within each feature kept: "
        f"{same_order(x, y, 0)!s:<5}  "
        f"order of features within each sample kept: {same_order(x, y, 1)}"
    )
print()
# a positive affine map per sample...
scale, shift = (torch.rand(5, 1) + 0.5, torch.randn(5, 1))
scale_f, shift_f = torch.rand(1, 4) + 0.5, torch.randn(1, 4)  # ...and one per feature
for name, f in (("BN", bn), ("LN", ln)):
    per_sample = (f(x * scale + shift) - f(x)).abs().max().item()
    per_feature = (f(x * scale_f + shift_f) - f(x)).abs().max().item()
    print(
        f"{name} output change after rescaling each sample: {per_sample:9.1e}   each "
        f"feature: {per_feature:9.1e}"
    )
# --8<-- [end:erase_keep]

# --8<-- [start:direction]
import torch
import torch.nn.functional as F

from snippets.normalization.layer_norm import layer_norm, rms_norm

torch.manual_seed(0)
D = 512  # features per vector; 1000 random "word vectors" per row of the table
cases = {
    "randn (mean 0)": torch.randn(1000, D),
    "randn + 1": torch.randn(1000, D) + 1,
    "randn + 3": torch.randn(1000, D) + 3,
    "rand, uniform [0, 1)": torch.rand(1000, D),
}
print(
    f"{'vectors':<22}{'cos(x, LN x)':>13}{'predicted':>11}{'cos(x, RMS x)':>15}"
    f"{'|LN x|':>9}{'|RMS x|':>9}"
)
for name, x in cases.items():
    ln, rms = layer_norm(x, D), rms_norm(x, D)
    var, mean = torch.var_mean(x, dim=-1, correction=0)
    predicted = (var / (var + mean**2)).sqrt()  # cos = sigma / sqrt(sigma^2 + mu^2)
    print(
        f"{name:<22}{F.cosine_similarity(x, ln, dim=-1).mean():>13.4f}"
        f"{predicted.mean():>11.4f}"
        f"{F.cosine_similarity(x, rms, dim=-1).mean():>15.4f}"
        f"{ln.norm(dim=-1).mean():>9.3f}{rms.norm(dim=-1).mean():>9.3f}"
    )
print(f"sqrt(D) = {D ** 0.5:.3f}")
centred = cases["randn + 3"] - cases["randn + 3"].mean(dim=-1, keepdim=True)
cos_centred = F.cosine_similarity(centred, layer_norm(cases["randn + 3"], D), dim=-1)
print(f"cos(x - mean(x), LN x) for 'randn + 3': min {cos_centred.min():.6f}")
# --8<-- [end:direction]

# --8<-- [start:group_limits]
import torch
import torch.nn.functional as F

from snippets.normalization.layer_norm import group_norm

torch.manual_seed(0)
x = torch.randn(2, 6, 4, 4) * 2 + 1  # (N, C, H, W) with C = 6
one_group = (group_norm(x, 1) - F.layer_norm(x, x.shape[1:])).abs().max().item()
c_groups = (group_norm(x, 6) - F.instance_norm(x)).abs().max().item()
print(f"GroupNorm(1, C) vs LayerNorm over (C, H, W): max diff {one_group:.1e}")
print(f"GroupNorm(C, C) vs InstanceNorm            : max diff {c_groups:.1e}")
gn, ln = torch.nn.GroupNorm(1, 6), torch.nn.LayerNorm([6, 4, 4])
print(
    "learned parameters: GroupNorm(1, 6)",
    sum(p.numel() for p in gn.parameters()),
    "(per channel), LayerNorm([6, 4, 4])",
    sum(p.numel() for p in ln.parameters()),
    "(per element)",
)
# --8<-- [end:group_limits]

# --8<-- [start:speed]
from snippets.performance.report import describe, layer_norm_gpu_summary, load_results

results = load_results()  # results/bench/*.json, written by `make bench`
cpu = results["normalization"]
print(describe(cpu))
row = next(r for r in cpu["rows"] if r["case"].startswith("layer_norm"))
print(f"{row['case']} {row['params']}:")
for entry in row["results"]:
    print(
        f"  {entry['impl']:<22}{entry['median_s'] * 1e3:8.1f} ms"
        f"{entry['gbs']:8.2f} GB/s"
    )
ours, twin = (e["median_s"] for e in row["results"])
print(f"  ours takes {ours / twin:.1f}x the time of the fused twin")
print(layer_norm_gpu_summary(results))
# --8<-- [end:speed]
