"""Small training experiments on scikit-learn's 8x8 digits: what BatchNorm does, and Wu & Johnson.

1. ``run_training_experiment`` (batch-norm.md): the same small CNN without
   normalization, with BatchNorm, and with "noisy" BatchNorm (Santurkar et al.
   2018) at three learning rates; loss curves, accuracy, and how far each
   layer's input distribution moves during training.
2. ``run_wu_johnson_experiment`` (batch-norm-pitfalls.md): domain shift and
   AdaBN, ghost batch norm across normalization batch sizes, and information
   leaking between the samples of a batch.

Twin: ``torch.nn.BatchNorm2d`` (the layers compared), ``torch.optim.swa_utils.update_bn``
(AdaBN is ``precise_bn_stats`` on target-domain inputs).

``python -m snippets.normalization.experiments`` reruns both (about a minute of
CPU time on one core) and writes ``results/normalization/bn_training.json``
and ``results/normalization/wu_johnson.json``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import copy
import math

import torch
from torch import Tensor, nn

from snippets.normalization.pitfalls import GhostBatchNorm2d, precise_bn_stats
# --8<-- [end:imports]

__all__ = ["load_digits_tensors", "make_cnn", "NoisyBatchNorm2d", "shift_domain", "grouped_batches",
           "run_training_experiment", "run_wu_johnson_experiment",
           "TRAINING_RESULTS", "WU_JOHNSON_RESULTS", "load_results"]

TRAINING_RESULTS = "results/normalization/bn_training.json"
WU_JOHNSON_RESULTS = "results/normalization/wu_johnson.json"


# --8<-- [start:digits]
def load_digits_tensors(n_test: int = 512) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """scikit-learn's 1797 8x8 digits as (x_train, y_train, x_test, y_test).

    x: Tensor[N, 1, 8, 8] float32 in [0, 1] (raw ink levels 0..16 divided by 16,
    not standardized); y: Tensor[N] int64. A fixed shuffle; the last ``n_test``
    images are the test set.
    """
    from sklearn.datasets import load_digits  # ships inside scikit-learn: no download

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16
    y = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    x, y = x[order], y[order]
    return x[:-n_test], y[:-n_test], x[-n_test:], y[-n_test:]
# --8<-- [end:digits]


# --8<-- [start:noisy_bn]
class NoisyBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm2d, then (training only) a per-channel affine map redrawn every step.

    y = BatchNorm2d(x) * s + t with s ~ U(0.5, 2) and t ~ U(-1, 1) per channel, new at
    each call (Santurkar et al. 2018's "noisy BN"): the next layer sees a mean and a
    variance that change at every step. Eval, or ``noise = False``: plain BatchNorm2d.
    """

    noise = True

    def forward(self, x: Tensor) -> Tensor:
        y = super().forward(x)
        if not (self.training and self.noise):
            return y
        shape = (1, self.num_features, 1, 1)
        scale = torch.empty(shape, device=x.device).uniform_(0.5, 2.0)
        shift = torch.empty(shape, device=x.device).uniform_(-1.0, 1.0)
        return y * scale + shift
# --8<-- [end:noisy_bn]


# --8<-- [start:cnn]
def make_cnn(norm: str | int = "bn", seed: int = 0,
             widths: tuple[int, int, int] = (8, 16, 16)) -> nn.Sequential:
    """Three 3x3 convs (``widths`` channels, a 2x2 max pool before the third),
    global average pool, linear layer to 10 classes.

    ``norm``: "none" (conv biases, no normalization), "bn" (BatchNorm2d after each
    conv), "noisy" (NoisyBatchNorm2d) or an int (GhostBatchNorm2d with that
    virtual batch size). The same ``seed`` gives the same conv and linear weights.
    """
    def block(c_in: int, c_out: int) -> list[nn.Module]:
        conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=norm == "none")
        if norm == "none":
            return [conv, nn.ReLU()]
        if norm == "bn":
            layer = nn.BatchNorm2d(c_out)
        elif norm == "noisy":
            layer = NoisyBatchNorm2d(c_out)
        else:
            layer = GhostBatchNorm2d(c_out, virtual_batch_size=norm)
        return [conv, layer, nn.ReLU()]

    c1, c2, c3 = widths
    torch.manual_seed(seed)
    return nn.Sequential(*block(1, c1), *block(c1, c2), nn.MaxPool2d(2), *block(c2, c3),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c3, 10))
# --8<-- [end:cnn]


# --8<-- [start:shift_domain]
def shift_domain(x: Tensor, contrast: float, brightness: float) -> Tensor:
    """A target domain: ``contrast * x + brightness`` (no clipping); same labels."""
    return contrast * x + brightness
# --8<-- [end:shift_domain]


# --8<-- [start:grouped_batches]
def grouped_batches(num_batches: int, batch_size: int, dim: int = 8,
                    offset_std: float = 10.0, seed: int = 0) -> tuple[Tensor, Tensor]:
    """A task no single sample can solve: is the sample above its group's centre?

    Batch b is one group: x_i = o_b + u_i with o_b ~ N(0, offset_std^2 I) shared by
    the batch and u_i ~ N(0, I); label_i = 1 if u_i[0] > 0. Seen alone, x_i[0] is
    dominated by the unknown o_b[0]. Returns x: Tensor[B, batch_size, dim],
    labels: Tensor[B, batch_size].
    """
    gen = torch.Generator().manual_seed(seed)
    offsets = offset_std * torch.randn(num_batches, 1, dim, generator=gen)
    u = torch.randn(num_batches, batch_size, dim, generator=gen)
    return offsets + u, (u[..., 0] > 0).long()
# --8<-- [end:grouped_batches]


def _batches(n: int, batch_size: int, gen: torch.Generator):
    """Endless shuffled index batches of ``batch_size`` (the last partial batch of each epoch dropped)."""
    while True:
        order = torch.randperm(n, generator=gen)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start:start + batch_size]


@torch.no_grad()
def _accuracy(model: nn.Module, x: Tensor, y: Tensor, batch_size: int | None = None) -> float:
    """Eval-mode accuracy, or with ``batch_size`` training-mode accuracy (on a copy: running stats kept)."""
    if batch_size is None:
        logits = model.eval()(x)
    else:
        replica = copy.deepcopy(model).train()
        stop = len(x) - len(x) % batch_size
        logits = torch.cat([replica(x[i:i + batch_size]) for i in range(0, stop, batch_size)])
        y = y[:stop]
    return (logits.argmax(1) == y).float().mean().item()


@torch.no_grad()
def _active_fraction(model: nn.Sequential, x: Tensor) -> float:
    """Fraction of the last ReLU's outputs that are > 0 on ``x`` (eval mode): 0 = every unit dead."""
    return (model.eval()[:-3](x) > 0).float().mean().item()


def _layer_inputs(model: nn.Sequential) -> list[tuple[str, nn.Module]]:
    """The layers fed by a normalization block: the 2nd and 3rd conv and the final linear."""
    convs = [m for m in model if isinstance(m, nn.Conv2d)]
    return [("conv2", convs[1]), ("conv3", convs[2]), ("linear", model[-1])]


@torch.no_grad()
def _input_stats(model: nn.Sequential, probe: Tensor) -> dict[str, tuple[Tensor, Tensor]]:
    """Per-channel mean and std of each layer's input on ``probe``, in training mode (on a copy)."""
    replica = copy.deepcopy(model).train()
    stats, hooks = {}, []
    for name, layer in _layer_inputs(replica):
        def hook(module, args, name=name):
            x = args[0]
            dims = [0, *range(2, x.dim())]
            stats[name] = (x.mean(dims), x.std(dims))
        hooks.append(layer.register_forward_pre_hook(hook))
    replica(probe)
    for handle in hooks:
        handle.remove()
    return stats


def _drift(now: dict, start: dict) -> dict[str, dict[str, float]]:
    """Per layer: mean over channels of |mean_t - mean_0| and |std_t - std_0|, over the mean std_0."""
    out = {}
    for name, (mean, std) in now.items():
        mean0, std0 = start[name]
        ref = std0.mean()
        out[name] = {"mean": ((mean - mean0).abs().mean() / ref).item(),
                     "std": ((std - std0).abs().mean() / ref).item()}
    return out


def _train(model: nn.Module, x: Tensor, y: Tensor, *, lr: float, steps: int, batch_size: int = 64,
           log_every: int = 10, probe: Tensor | None = None, probe_every: int = 0, seed: int = 1) -> dict:
    """SGD (momentum 0.9) on shuffled batches; returns the loss curve and optional drift records.

    ``loss``: mean training loss of each block of ``log_every`` steps (None once it is not
    finite: the run stops there and is marked ``diverged``).
    """
    torch.manual_seed(seed)  # the noise of NoisyBatchNorm2d
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    curve, block, drift, peak = [], [], [], 0.0
    start = _input_stats(model, probe) if probe is not None else None
    batches = _batches(len(x), batch_size, gen)
    for step in range(1, steps + 1):
        index = next(batches)
        model.train()
        loss = nn.functional.cross_entropy(model(x[index]), y[index])
        if not math.isfinite(loss.item()):
            curve.append({"step": step, "loss": None})
            return {"loss": curve, "drift": drift, "diverged": True, "peak_loss": peak}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        block.append(loss.item())
        peak = max(peak, loss.item())
        if step % log_every == 0:
            curve.append({"step": step, "loss": sum(block) / len(block)})
            block = []
        if probe is not None and probe_every and step % probe_every == 0:
            drift.append({"step": step, **_drift(_input_stats(model, probe), start)})
    return {"loss": curve, "drift": drift, "diverged": False, "peak_loss": peak}


# --8<-- [start:training_experiment]
def run_training_experiment(steps: int = 250,
                            lrs: tuple[float, ...] = (0.01, 0.1, 1.0),
                            drift_lr: float = 0.1, probe_every: int = 20,
                            n_test: int = 512) -> dict:
    """Plain, BN and noisy-BN CNNs at each learning rate (SGD, momentum 0.9, batch 64).

    Per run: the loss curve, its largest step loss, whether it diverged, the fraction of
    active units after the last ReLU (test set), and train/test
    accuracy in eval mode with population statistics (``precise_bn_stats`` over the
    training set; noisy BN with its noise switched off). At
    ``drift_lr``, every ``probe_every`` steps, how far each layer's input has moved
    since initialization (per-channel mean and std on 256 fixed training images).
    """
    x, y, x_test, y_test = load_digits_tensors(n_test)
    probe = x[:256]
    runs = []
    for lr in lrs:
        for norm in ("none", "bn", "noisy"):
            model = make_cnn(norm)
            record = _train(model, x, y, lr=lr, steps=steps, probe_every=probe_every,
                            probe=probe if lr == drift_lr else None)
            for layer in model.modules():
                if isinstance(layer, NoisyBatchNorm2d):
                    layer.noise = False  # evaluate the network itself, no noise
            precise_bn_stats(model, x.split(128))  # population statistics for eval mode
            runs.append({"norm": norm, "lr": lr, **record,
                         "test_accuracy": _accuracy(model, x_test, y_test),
                         "train_accuracy": _accuracy(model, x, y),
                         "active_units": _active_fraction(model, x_test)})
    config = {"steps": steps, "lrs": list(lrs), "drift_lr": drift_lr,
              "probe_every": probe_every, "n_test": n_test, "batch_size": 64}
    return {"runs": runs, "config": config}
# --8<-- [end:training_experiment]


# --8<-- [start:wu_johnson_experiment]
def run_wu_johnson_experiment(
    steps: int = 250,
    virtual_batch_sizes: tuple[int, ...] = (2, 4, 8, 16, 32, 128),
    shifts: tuple[tuple[float, float], ...] = ((0.5, 0.5), (2.0, -0.5), (1.0, 1.0)),
    leak_steps: int = 300,
    n_test: int = 512,
) -> dict:
    """The three experiments of the pitfalls page.

    1. Domain shift: a BN CNN trained on the digits (lr 0.1), tested on shifted test
       images with the source statistics, then after AdaBN: ``precise_bn_stats`` over
       the shifted *training* images (no labels used).
    2. Ghost BN: SGD batch 128, normalization batch ``virtual_batch_sizes``; precise
       population statistics afterwards; test accuracy in eval and in training mode
       (ghost batches), and train accuracy in eval mode.
    3. Leakage: an MLP with BatchNorm1d on ``grouped_batches`` (one group per batch),
       and the same MLP without normalization; accuracy on fresh grouped batches in
       training mode (batch statistics) and in eval mode.
    """
    x, y, x_test, y_test = load_digits_tensors(n_test)
    model = make_cnn("bn")
    _train(model, x, y, lr=0.1, steps=steps)
    source = {"source_test_accuracy": _accuracy(model, x_test, y_test), "shifts": []}
    for contrast, brightness in shifts:
        adapted = copy.deepcopy(model)
        # AdaBN: population statistics of the target domain, from unlabeled images
        precise_bn_stats(adapted, shift_domain(x, contrast, brightness).split(128))
        target = shift_domain(x_test, contrast, brightness)
        source["shifts"].append({
            "contrast": contrast, "brightness": brightness,
            "source_stats": _accuracy(model, target, y_test),
            "adabn": _accuracy(adapted, target, y_test)})

    ghost = []
    for size in virtual_batch_sizes:
        model = make_cnn(size)
        _train(model, x, y, lr=0.1, steps=steps, batch_size=128)
        precise_bn_stats(model, x.split(128)[:-1])  # full batches of 128 only
        ghost.append({"virtual_batch_size": size,
                      "test_eval": _accuracy(model, x_test, y_test),
                      "test_train_mode": _accuracy(model, x_test, y_test, 128),
                      "train_eval": _accuracy(model, x, y)})

    leak = {}
    x_leak, y_leak = grouped_batches(leak_steps, 32, seed=0)
    x_fresh, y_fresh = grouped_batches(64, 32, seed=1)
    for name, norm in (("bn", True), ("none", False)):
        torch.manual_seed(0)
        mlp = nn.Sequential(nn.Linear(8, 32), *([nn.BatchNorm1d(32)] if norm else []),
                            nn.ReLU(), nn.Linear(32, 2))
        optimizer = torch.optim.SGD(mlp.parameters(), lr=0.1, momentum=0.9)
        for xb, yb in zip(x_leak, y_leak):  # one group per batch, as sampled
            loss = nn.functional.cross_entropy(mlp.train()(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            eval_mode = mlp.eval()(x_fresh.flatten(0, 1)).argmax(1) == y_fresh.flatten()
            mlp.train()  # batch statistics, one group per batch
            train_mode = torch.stack([mlp(xb).argmax(1) == yb
                                      for xb, yb in zip(x_fresh, y_fresh)])
            # the same samples in shuffled batches: groups mixed, nothing to exploit
            gen = torch.Generator().manual_seed(2)
            order = torch.randperm(y_fresh.numel(), generator=gen)
            x_mixed = x_fresh.flatten(0, 1)[order].split(32)
            y_mixed = y_fresh.flatten()[order].split(32)
            mixed_mode = torch.cat([mlp(xb).argmax(1) == yb
                                    for xb, yb in zip(x_mixed, y_mixed)])
        leak[name] = {"train_mode_grouped": train_mode.float().mean().item(),
                      "train_mode_shuffled": mixed_mode.float().mean().item(),
                      "eval_mode": eval_mode.float().mean().item()}
    config = {"steps": steps, "virtual_batch_sizes": list(virtual_batch_sizes),
              "shifts": [list(s) for s in shifts], "leak_steps": leak_steps,
              "n_test": n_test, "sgd_batch_ghost": 128}
    return {"domain_shift": source, "ghost": ghost, "leakage": leak, "config": config}
# --8<-- [end:wu_johnson_experiment]


def load_results(which: str = TRAINING_RESULTS) -> dict:
    """A recorded result file, by its path relative to the repository root."""
    import json
    from pathlib import Path

    return json.loads((Path(__file__).resolve().parents[2] / which).read_text(encoding="utf-8"))


def _metadata(cpu_seconds: float) -> dict:
    """Machine, date, versions and the CPU time of the run, recorded with the numbers."""
    import datetime
    import importlib.metadata
    import os
    import platform

    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                        "torch_threads": torch.get_num_threads(), "platform": platform.platform(),
                        "python": platform.python_version()},
            "versions": {name: importlib.metadata.version(name) for name in ("torch", "scikit-learn", "numpy")},
            "cpu_seconds": round(cpu_seconds, 1)}


def main() -> None:
    """Rerun both experiments on one thread and save their numbers."""
    import json
    import time
    from pathlib import Path

    torch.set_num_threads(1)
    root = Path(__file__).resolve().parents[2]
    for path, run in ((TRAINING_RESULTS, run_training_experiment), (WU_JOHNSON_RESULTS, run_wu_johnson_experiment)):
        start = time.process_time()
        result = run()
        result["meta"] = _metadata(time.process_time() - start)
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path} ({result['meta']['cpu_seconds']} s CPU)")


if __name__ == "__main__":
    main()
