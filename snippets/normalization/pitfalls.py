"""BatchNorm in practice: freezing, precise population statistics, momentum conventions.

After Wu & Johnson, *Rethinking "Batch" in BatchNorm* (arXiv:2105.07576).
Twins: ``torch.optim.swa_utils.update_bn`` (``precise_bn_stats``),
``torchvision.ops.FrozenBatchNorm2d`` (``freeze_batch_norm``),
``torch.nn.functional.batch_norm`` per chunk (``ghost_batch_norm``).

``python -m snippets.normalization.pitfalls`` reruns the small experiment of the
article and writes ``results/normalization/batch_norm_pitfalls.json``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import itertools
import types
import copy
from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from snippets._checks import check_channels, check_rank, check_tensor
# --8<-- [end:imports]

from snippets._checks import check_int

__all__ = [
    "freeze_batch_norm", "is_frozen", "precise_bn_stats",
    "keras_to_torch_momentum", "torch_to_keras_momentum",
    "ghost_batch_norm", "GhostBatchNorm2d",
    "run_experiment", "RESULTS",
]


# --8<-- [start:freeze_batch_norm]
def _stay_in_eval(self: nn.Module, mode: bool = True) -> nn.Module:
    """``train()`` of a frozen BN layer: whatever ``mode`` asks, stay in eval mode."""
    return nn.Module.train(self, False)


def is_frozen(module: nn.Module) -> bool:
    """True if ``freeze_batch_norm`` froze this module."""
    return getattr(module.__dict__.get("train"), "__func__", None) is _stay_in_eval


def freeze_batch_norm(model: nn.Module) -> nn.Module:
    """Freeze every BatchNorm layer of ``model`` in place and return ``model``.

    A frozen layer (1) normalizes with its running statistics and never updates
    them — eval mode, which a later ``model.train()`` does not undo — and
    (2) has ``weight`` and ``bias`` with ``requires_grad=False``, so the optimizer
    leaves them alone. It becomes a fixed per-channel affine map, like
    ``torchvision.ops.FrozenBatchNorm2d``; ``state_dict`` keys do not change.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    for name, module in model.named_modules():
        if not isinstance(module, nn.modules.batchnorm._BatchNorm):
            continue
        if not module.track_running_stats:
            raise ValueError(
                f"cannot freeze {name or 'model'}: it has track_running_stats=False, "
                "so even in eval mode it normalizes with batch statistics"
            )
        module.eval()  # use running_mean / running_var, never update them
        for param in module.parameters(recurse=False):
            # no gradient, no optimizer step, no weight decay
            param.requires_grad_(False)
        # model.train() calls child.train(True) on every child: make this one refuse
        module.train = types.MethodType(_stay_in_eval, module)
    return model
# --8<-- [end:freeze_batch_norm]


# --8<-- [start:precise_bn_stats]
@torch.no_grad()
def precise_bn_stats(
    model: nn.Module,
    loader: Iterable,
    num_batches: int | None = None,
    device: torch.device | str | None = None,
) -> nn.Module:
    """Replace the EMA running statistics of every BN layer by population statistics.

    Like ``torch.optim.swa_utils.update_bn(loader, model, device)``: reset the
    running stats, switch to a cumulative average (``momentum=None``), run the
    model in training mode over the batches of ``loader`` (a tensor, or a
    tuple/list whose first element is the input), then restore the momenta and
    the mode. Differences: at most ``num_batches`` batches (``None``: all), and
    layers frozen by ``freeze_batch_norm`` are left untouched. Returns ``model``.
    """
    if num_batches is not None and num_batches < 1:
        raise ValueError(
            f"num_batches must be a positive int or None, got {num_batches!r}"
        )
    layers = [
        m
        for m in model.modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm)
        and m.track_running_stats
        and not is_frozen(m)
    ]
    if not layers:
        return model
    momenta = {layer: layer.momentum for layer in layers}
    was_training = model.training
    model.train()
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None  # running stat = plain average over the batches seen
    for batch in itertools.islice(loader, num_batches):
        inputs = batch[0] if isinstance(batch, (list, tuple)) else batch
        model(inputs if device is None else inputs.to(device))
    for layer, momentum in momenta.items():
        layer.momentum = momentum
    model.train(was_training)
    return model
# --8<-- [end:precise_bn_stats]


# --8<-- [start:momentum]
def keras_to_torch_momentum(momentum: float) -> float:
    """Keras/TensorFlow's BN ``momentum`` (weight of the *old* running value) ->
    PyTorch's (weight of the new)."""
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    return 1.0 - momentum


def torch_to_keras_momentum(momentum: float) -> float:
    """PyTorch's BN ``momentum`` -> Keras/TensorFlow's: the same map,
    ``1 - momentum``."""
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    return 1.0 - momentum
# --8<-- [end:momentum]


def _check_ghost(x: Tensor, virtual_batch_size: int, weight: Tensor | None, bias: Tensor | None) -> None:
    """Raise unless ``x`` is (N, C, *) floating, N a multiple of ``virtual_batch_size`` >= 1, weight/bias (C,)."""
    check_tensor("x", x)
    check_rank("x", x, (2, 3, 4, 5), "(N, C, *)")
    try:
        check_int("virtual_batch_size", virtual_batch_size, minimum=1)
    except (TypeError, ValueError):  # a wrong type is a ValueError here too: one message for all
        raise ValueError(f"virtual_batch_size must be a positive int, got {virtual_batch_size!r}") from None
    if x.shape[0] % virtual_batch_size:
        raise ValueError(f"the batch size N={x.shape[0]} must be a multiple of virtual_batch_size="
                         f"{virtual_batch_size}; drop or pad the last samples")
    check_channels("weight", weight, x.shape[1])
    check_channels("bias", bias, x.shape[1])


# --8<-- [start:ghost_batch_norm]
def ghost_batch_norm(x: Tensor, virtual_batch_size: int, weight: Tensor | None = None,
                     bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Training-mode BatchNorm of ``x`` (Tensor[N, C, *]) over "ghost" batches.

    Each consecutive chunk of ``virtual_batch_size`` samples is normalized with its
    own mean and biased variance, then ``weight`` / ``bias`` (Tensor[C]) apply:
    the normalization batch is the chunk, the SGD batch is all N samples.
    Returns Tensor[N, C, *].
    """
    _check_ghost(x, virtual_batch_size, weight, bias)
    n, channels = x.shape[:2]
    # (N, C, *) -> (G, V, C, *): G chunks of V samples each
    chunks = x.reshape(n // virtual_batch_size, virtual_batch_size, *x.shape[1:])
    dims = [1, *range(3, chunks.dim())]  # per chunk and channel: samples and positions
    var, mean = torch.var_mean(chunks, dim=dims, correction=0, keepdim=True)
    y = ((chunks - mean) * torch.rsqrt(var + eps)).reshape(x.shape)
    shape = [1, channels] + [1] * (x.dim() - 2)  # broadcast Tensor[C] against x
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y
# --8<-- [end:ghost_batch_norm]


# --8<-- [start:GhostBatchNorm2d]
class GhostBatchNorm2d(nn.BatchNorm2d):
    """``nn.BatchNorm2d`` normalizing training batches in ``virtual_batch_size`` chunks.

    Training: ``ghost_batch_norm``, and the running statistics are updated once per
    chunk, as ``F.batch_norm`` would on that chunk. Eval: plain BatchNorm with the
    running statistics.
    """

    def __init__(self, num_features: int, virtual_batch_size: int, **kwargs) -> None:
        super().__init__(num_features, **kwargs)
        self.virtual_batch_size = virtual_batch_size

    def forward(self, x: Tensor) -> Tensor:
        if not self.training:
            return super().forward(x)
        if self.track_running_stats:
            with torch.no_grad():  # running statistics: one update per ghost batch
                for chunk in x.detach().split(self.virtual_batch_size):
                    self.num_batches_tracked += 1  # counts ghost batches
                    momentum = self.momentum  # None: the mean over all ghost batches
                    if momentum is None:
                        momentum = 1 / self.num_batches_tracked.item()
                    F.batch_norm(chunk, self.running_mean, self.running_var,
                                 training=True, momentum=momentum, eps=self.eps)
        return ghost_batch_norm(x, self.virtual_batch_size, self.weight, self.bias,
                                self.eps)
# --8<-- [end:GhostBatchNorm2d]


# --8<-- [start:experiment]
def _dataset(
    n_train: int = 4096, n_val: int = 2048
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """4 Gaussian classes in 16-D, features on scales 0.2 .. 5 with offset 3 (so BN has
    work to do)."""
    gen = torch.Generator().manual_seed(0)
    centres = torch.randn(4, 16, generator=gen)

    def draw(n: int) -> tuple[Tensor, Tensor]:
        labels = torch.randint(0, 4, (n,), generator=gen)
        x = (
            centres[labels] + 1.5 * torch.randn(n, 16, generator=gen)
        ) * torch.linspace(0.2, 5.0, 16) + 3.0
        return x, labels

    return *draw(n_train), *draw(n_val)


def _mlp(momentum: float | None) -> nn.Sequential:
    torch.manual_seed(0)  # same initial weights for every run
    return nn.Sequential(
        nn.Linear(16, 64),
        nn.BatchNorm1d(64, momentum=momentum),
        nn.ReLU(),
        nn.Linear(64, 64),
        nn.BatchNorm1d(64, momentum=momentum),
        nn.ReLU(),
        nn.Linear(64, 4),
    )


@torch.no_grad()
def _logits(model: nn.Module, x: Tensor, batch_size: int | None = None) -> Tensor:
    """Eval-mode logits (running stats) or, with ``batch_size``, training-mode logits
    (batch stats).

    Training mode runs on a copy, so the running statistics of ``model`` stay as they
    are.
    A last partial batch is dropped.
    """
    if batch_size is None:
        return model.eval()(x)
    replica = copy.deepcopy(model).train()
    return torch.cat(
        [
            replica(x[i : i + batch_size])
            for i in range(0, len(x) - batch_size + 1, batch_size)
        ]
    )


def _metrics(logits: Tensor, labels: Tensor) -> dict[str, float]:
    """Cross-entropy and accuracy (``labels`` cut to the length of ``logits``)."""
    labels = labels[:len(logits)]
    return {"loss": nn.functional.cross_entropy(logits, labels).item(),
            "accuracy": (logits.argmax(1) == labels).float().mean().item()}


def _train(
    model: nn.Module,
    x: Tensor,
    labels: Tensor,
    batch_size: int,
    steps: int,
    lr: float,
    every: int = 0,
    on_checkpoint=None,
) -> None:
    """SGD with momentum 0.9 on shuffled batches; ``on_checkpoint(step)`` every
    ``every`` steps."""
    gen = torch.Generator().manual_seed(1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    step = 0
    while step < steps:
        order = torch.randperm(len(x), generator=gen)
        # drop the last partial batch
        for start in range(0, len(x) - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            model.train()
            loss = nn.functional.cross_entropy(model(x[index]), labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if every and step % every == 0:
                on_checkpoint(step)
            if step == steps:
                return


def run_experiment(
    steps: int = 384,
    every: int = 32,
    sweep_steps: int = 1000,
    batch_sizes: tuple[int, ...] = (2, 4, 8, 32, 128),
    precise_batches: int = 16,
    n_train: int = 4096,
    n_val: int = 2048,
) -> dict:
    """Both experiments of the article; returns plain numbers (json-ready).

    1. EMA vs precise statistics: one training run (batch 32, lr 0.4) per BN momentum
       (0.1, PyTorch's default, and 0.01 = Keras' 0.99); at every checkpoint the
       validation metrics with the EMA running stats and with ``precise_bn_stats``
       over ``precise_batches`` training batches of 128 (on a copy of the model).
    2. Train/eval inconsistency: a model trained with each batch size (lr 0.02),
       precise stats, then validation metrics in eval mode (population stats) and in
       training mode with batches of the training size; between the two modes, the mean
       absolute difference of the logits (relative to the mean absolute eval-mode logit)
       and the fraction of validation samples whose predicted class changes.
    """
    x, labels, x_val, labels_val = _dataset(n_train, n_val)
    stats_batches = [x[i:i + 128] for i in range(0, 128 * precise_batches, 128)]
    ema_runs, weights = {}, []
    for momentum in (0.1, 0.01):
        model, rows = _mlp(momentum), []

        def checkpoint(step: int, model=model, rows=rows) -> None:
            precise = precise_bn_stats(copy.deepcopy(model), stats_batches)
            rows.append(
                {
                    "step": step,
                    "ema": _metrics(_logits(model, x_val), labels_val),
                    "precise": _metrics(_logits(precise, x_val), labels_val),
                }
            )

        _train(
            model,
            x,
            labels,
            batch_size=32,
            steps=steps,
            lr=0.4,
            every=every,
            on_checkpoint=checkpoint,
        )
        ema_runs[str(momentum)] = rows
        weights.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    sweep = []
    for batch_size in batch_sizes:
        model = _mlp(0.1)
        _train(model, x, labels, batch_size=batch_size, steps=sweep_steps, lr=0.02)
        precise_bn_stats(model, stats_batches)
        train_logits = _logits(model, x_val, batch_size)
        eval_logits = _logits(model, x_val)[:len(train_logits)]
        sweep.append(
            {
                "batch_size": batch_size,
                "eval_mode": _metrics(eval_logits, labels_val),
                "train_mode": _metrics(train_logits, labels_val),
                "logit_gap": (
                    (train_logits - eval_logits).abs().mean() / eval_logits.abs().mean()
                ).item(),
                "disagreement": (train_logits.argmax(1) != eval_logits.argmax(1))
                .float()
                .mean()
                .item(),
            }
        )
    return {
        "ema_vs_precise": ema_runs,
        "same_weights_for_both_momenta": bool(torch.equal(*weights)),
        "batch_size_sweep": sweep,
        "config": {
            "steps": steps,
            "every": every,
            "sweep_steps": sweep_steps,
            "batch_sizes": list(batch_sizes),
            "precise_batches": precise_batches,
            "n_train": n_train,
            "n_val": n_val,
            "torch": torch.__version__.split("+")[0],
        },
    }
# --8<-- [end:experiment]

RESULTS = "results/normalization/batch_norm_pitfalls.json"


def _load_results() -> dict:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / RESULTS
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    """Rerun the experiment (about half a minute on one CPU core) and save its numbers."""
    import json
    from pathlib import Path

    torch.set_num_threads(1)
    path = Path(__file__).resolve().parents[2] / RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run_experiment(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
