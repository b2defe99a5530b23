"""Code of docs/normalization/batch-norm-pitfalls.md, section by section (run top to bottom).

The training numbers are read from results/normalization/batch_norm_pitfalls.json,
written by ``python -m snippets.normalization.pitfalls``.
"""

# --8<-- [start:batch_noise]
import torch

torch.manual_seed(0)
population = torch.randn(100_000) * 2.0 + 3.0  # one channel: mean 3, std 2
print(
    f"{'batch':>5} {'std of batch mean':>18} {'2/sqrt(B)':>10} "
    f"{'mean biased batch var':>22} {'4(B-1)/B':>9}"
)
for batch in (2, 4, 8, 32, 128):
    samples = population[
        torch.randint(0, len(population), (2000, batch))
    ]  # 2000 random batches
    var, mean = torch.var_mean(samples, dim=1, correction=0)
    print(
        f"{batch:>5} {mean.std():>18.3f} {2 / batch**0.5:>10.3f} {var.mean():>22.3f} "
        f"{4 * (batch - 1) / batch:>9.3f}"
    )
# --8<-- [end:batch_noise]

# --8<-- [start:ema_results]
import json
from pathlib import Path

results = json.loads(Path("results/normalization/batch_norm_pitfalls.json").read_text())
runs = results["ema_vs_precise"]
print(
    "weights identical for both BN momenta:", results["same_weights_for_both_momenta"]
)
print(
    f"{'step':>4} | {'EMA 0.1':>13} | {'EMA 0.01':>13} | {'precise':>13}   "
    "(val loss / accuracy)"
)
for fast, slow in zip(runs["0.1"], runs["0.01"]):
    cells = [fast["ema"], slow["ema"], fast["precise"]]
    print(
        f"{fast['step']:>4} | "
        + " | ".join(f"{c['loss']:.3f} / {c['accuracy']:.3f}" for c in cells)
    )
# --8<-- [end:ema_results]

# --8<-- [start:precise_usage]
import torch
from torch import nn
from torch.optim.swa_utils import update_bn

from snippets.normalization.pitfalls import precise_bn_stats

torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(3, 8, 3),
    nn.BatchNorm2d(8),
    nn.ReLU(),
    nn.Conv2d(8, 8, 3),
    nn.BatchNorm2d(8),
)
twin = nn.Sequential(
    nn.Conv2d(3, 8, 3),
    nn.BatchNorm2d(8),
    nn.ReLU(),
    nn.Conv2d(8, 8, 3),
    nn.BatchNorm2d(8),
)
twin.load_state_dict(model.state_dict())
loader = [
    (torch.randn(16, 3, 10, 10) + 1, torch.zeros(16)) for _ in range(8)
]  # (input, label) batches

precise_bn_stats(model.eval(), loader)  # ours
update_bn(loader, twin.eval())  # PyTorch's
gap = max(
    (a - b).abs().max().item()
    for a, b in zip(model.state_dict().values(), twin.state_dict().values())
)
print(f"max |precise_bn_stats - update_bn| over all buffers: {gap:.1e}")
print(
    "still in eval mode:", not model.training, "| momentum restored:", model[1].momentum
)
# --8<-- [end:precise_usage]

# --8<-- [start:sweep_results]
import json
from pathlib import Path

sweep = json.loads(Path("results/normalization/batch_norm_pitfalls.json").read_text())[
    "batch_size_sweep"
]
print(
    f"{'batch':>5} | {'eval-mode acc':>13} | {'train-mode acc':>14} | {'logit gap':>9} "
    f"| {'prediction flips':>16}"
)
for row in sweep:
    print(
        f"{row['batch_size']:>5} | {row['eval_mode']['accuracy']:>13.3f} | "
        f"{row['train_mode']['accuracy']:>14.3f} | "
        f"{row['logit_gap']:>9.3f} | {row['disagreement']:>16.3f}"
    )
# --8<-- [end:sweep_results]

# --8<-- [start:batch_of_one]
import torch
import torch.nn.functional as F

from snippets.normalization.layer_norm import instance_norm

torch.manual_seed(0)
image = torch.randn(1, 3, 8, 8)  # a batch of one image
bn = torch.nn.BatchNorm2d(3)
print(
    "BatchNorm2d training, N=1 vs instance_norm: max diff "
    f"{(bn(image) - instance_norm(image)).abs().max():.1e}"
)
try:
    torch.nn.BatchNorm1d(3)(torch.randn(1, 3))  # one value per channel
except ValueError as error:
    print("BatchNorm1d training, N=1:", error)
# evaluation: running statistics, any batch size works, the batch does not matter
bn.eval()
others = torch.randn(7, 3, 8, 8)
alone, in_batch = bn(image), bn(torch.cat([image, others]))[:1]
print(
    "eval mode, N=1 vs the same image in a batch of 8: max diff "
    f"{(alone - in_batch).abs().max():.1e}"
)
# --8<-- [end:batch_of_one]

# --8<-- [start:freeze]
import torch
from torch import nn

from snippets.normalization.pitfalls import freeze_batch_norm


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 2),
    )


# what a fine-tuning loop does: model.train(), forward, backward, step
def train_step(model):
    optimizer = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1, weight_decay=1e-4
    )
    model.train()
    nn.functional.cross_entropy(model(batch), labels).backward()
    optimizer.step()


torch.manual_seed(1)
batch, labels = torch.randn(8, 3, 6, 6) * 2 + 1, torch.randint(0, 2, (8,))
for name, freeze in (
    ("model.eval() only", lambda m: m.eval()),
    ("requires_grad_(False) only", lambda m: m[1].requires_grad_(False)),
    ("freeze_batch_norm", freeze_batch_norm),
):
    model = make_model()
    freeze(model)
    bn, mean, gamma = (
        model[1],
        model[1].running_mean.clone(),
        model[1].weight.detach().clone(),
    )
    conv = model[0].weight.detach().clone()
    train_step(model)
    print(
        f"{name:<27} BN training={bn.training!s:<5} "
        f"running_mean moved {(bn.running_mean - mean).abs().max():.4f}  "
        f"weight moved {(bn.weight - gamma).abs().max():.4f}  conv moved "
        f"{(model[0].weight - conv).abs().max():.4f}"
    )
# --8<-- [end:freeze]

# --8<-- [start:sync]
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
                      nn.Sequential(nn.Conv2d(8, 8, 3), nn.BatchNorm2d(8))).eval()
keys, weight, x = list(model.state_dict()), model[1].weight, torch.randn(2, 3, 9, 9)
before = model(x)
converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)  # a CPU is enough to convert
print(
    "same top-level object:",
    converted is model,
    "| layers now:",
    sorted(
        {type(m).__name__ for m in converted.modules() if "Norm" in type(m).__name__}
    ),
)
print(
    "same parameter objects:",
    converted[1].weight is weight,
    "| same state_dict keys:",
    list(converted.state_dict()) == keys,
)
print(f"eval output unchanged: max diff {(converted(x) - before).abs().max():.1e}")
# --8<-- [end:sync]

# --8<-- [start:keras]
import torch

from snippets.normalization.pitfalls import keras_to_torch_momentum

print("Keras momentum 0.99 -> torch momentum", f"{keras_to_torch_momentum(0.99):.2f}")
print("Keras momentum 0.9  -> torch momentum", f"{keras_to_torch_momentum(0.9):.2f}")
# Keras' epsilon defaults to 1e-3, PyTorch's eps to 1e-5: a channel with a small
# variance notices
running_var, x = torch.tensor([1e-3]), torch.tensor([[0.05]])  # one channel, one value
for eps in (1e-3, 1e-5):
    y = torch.nn.functional.batch_norm(x, torch.zeros(1), running_var, eps=eps)
    print(f"eps={eps:.0e}: output {y.item():.4f}")
# --8<-- [end:keras]

# --8<-- [start:domain_shift]
import json
from pathlib import Path

results = json.loads(Path("results/normalization/wu_johnson.json").read_text())
shift = results["domain_shift"]
print(f"source domain, test accuracy: {shift['source_test_accuracy']:.3f}")
print(f"{'target = c * x + b':<19} | {'source statistics':>17} | {'AdaBN':>6}")
for row in shift["shifts"]:
    name = f"c={row['contrast']}, b={row['brightness']}"
    print(f"{name:<19} | {row['source_stats']:>17.3f} | {row['adabn']:>6.3f}")
# --8<-- [end:domain_shift]

# --8<-- [start:ghost_twin]
import torch
import torch.nn.functional as F

from snippets.normalization.pitfalls import ghost_batch_norm

torch.manual_seed(0)
x = torch.randn(12, 3, 4, 4) * 2 + 1  # an SGD batch of 12
y = ghost_batch_norm(x, virtual_batch_size=4)
ref = torch.cat([F.batch_norm(c, None, None, training=True) for c in x.split(4)])
print(f"max |ghost_batch_norm - F.batch_norm per chunk|: {(y - ref).abs().max():.1e}")
chunk_means = y[:, 0].reshape(3, -1).mean(1)  # channel 0, one mean per chunk of 4
print("every chunk mean below 1e-6:", bool((chunk_means.abs() < 1e-6).all()))
whole = F.batch_norm(x, None, None, training=True)  # one batch of 12
whole_means = whole[:, 0].reshape(3, -1).mean(1)
print("chunk means, one batch of 12:", [f"{m:+.2f}" for m in whole_means])
# --8<-- [end:ghost_twin]

# --8<-- [start:ghost_results]
import json
from pathlib import Path

ghost = json.loads(Path("results/normalization/wu_johnson.json").read_text())["ghost"]
print(f"{'ghost batch':>11} | {'test, eval':>10} | {'test, train mode':>16} | "
      f"{'train/eval gap':>14} | {'train acc':>9}")
for row in ghost:
    gap = row["test_eval"] - row["test_train_mode"]
    print(f"{row['virtual_batch_size']:>11} | {row['test_eval']:>10.3f} | "
          f"{row['test_train_mode']:>16.3f} | {gap:>14.3f} | {row['train_eval']:>9.3f}")
# --8<-- [end:ghost_results]

# --8<-- [start:leakage]
import json
from pathlib import Path

results = json.loads(Path("results/normalization/wu_johnson.json").read_text())
leak = results["leakage"]
print(f"{'model':<16} | {'train mode, grouped':>19} | {'train mode, shuffled':>20} | "
      "eval mode")
for name, row in (("MLP + BatchNorm", leak["bn"]), ("MLP, no norm", leak["none"])):
    print(f"{name:<16} | {row['train_mode_grouped']:>19.3f} | "
          f"{row['train_mode_shuffled']:>20.3f} | {row['eval_mode']:>9.3f}")
# --8<-- [end:leakage]
