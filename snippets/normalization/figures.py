"""Figures of the normalization pages drawn from the recorded digits experiments.

They read ``results/normalization/bn_training.json`` and ``results/normalization/wu_johnson.json``,
written by ``python -m snippets.normalization.experiments``. Each takes ``lang`` ("en" or "zh").
"""

from __future__ import annotations

# --8<-- [start:imports]
import matplotlib.pyplot as plt

from snippets.normalization.experiments import TRAINING_RESULTS, WU_JOHNSON_RESULTS, load_results
# --8<-- [end:imports]

__all__ = ["training_curves_figure", "distribution_drift_figure", "ghost_batch_figure"]

# Okabe-Ito colours, plus a line style and marker per series
STYLE = {"none": {"color": "#E69F00", "ls": "--", "marker": "s"},
         "bn": {"color": "#0072B2", "ls": "-", "marker": "o"},
         "noisy": {"color": "#009E73", "ls": ":", "marker": "^"}}
TEXT = {
    "en": {"none": "no normalization", "bn": "BatchNorm", "noisy": "BatchNorm + noise",
           "step": "training step", "loss": "training loss", "lr": "learning rate",
           "drift": "shift of the input mean\n(÷ initial std)", "vbs": "normalization (ghost) batch size",
           "acc": "test accuracy", "eval": "eval mode (population statistics)",
           "train": "training mode (ghost-batch statistics)", "layer": "input of"},
    "zh": {"none": "无归一化", "bn": "批归一化", "noisy": "批归一化 + 噪声",
           "step": "训练步数", "loss": "训练损失", "lr": "学习率",
           "drift": "输入均值的漂移\n(÷ 初始标准差)", "vbs": "归一化(幽灵)批大小",
           "acc": "测试准确率", "eval": "推理模式(总体统计量)",
           "train": "训练模式(幽灵批统计量)", "layer": "输入:"},
}


def training_curves_figure(lang: str = "en"):
    """Training loss of the plain, BatchNorm and noisy-BatchNorm CNNs, one panel per learning rate."""
    text, results = TEXT[lang], load_results(TRAINING_RESULTS)
    lrs = results["config"]["lrs"]
    fig, axes = plt.subplots(1, len(lrs), figsize=(9.6, 3.2), sharey=True)
    for ax, lr in zip(axes, lrs):
        for run in (r for r in results["runs"] if r["lr"] == lr):
            points = [(p["step"], p["loss"]) for p in run["loss"] if p["loss"] is not None]
            ax.plot(*zip(*points), label=text[run["norm"]], markevery=5, markersize=4, **STYLE[run["norm"]])
        ax.set(yscale="log", title=f"{text['lr']} {lr}", xlabel=text["step"])
        ax.grid(True, alpha=0.4)
    axes[0].set_ylabel(text["loss"])
    axes[0].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def distribution_drift_figure(lang: str = "en"):
    """How far each layer's input mean has moved since initialization, per training step."""
    text, results = TEXT[lang], load_results(TRAINING_RESULTS)
    runs = [r for r in results["runs"] if r["drift"]]
    layers = [key for key in runs[0]["drift"][0] if key != "step"]
    fig, axes = plt.subplots(1, len(layers), figsize=(9.6, 3.2), sharey=True)
    for ax, layer in zip(axes, layers):
        for run in runs:
            ax.plot([d["step"] for d in run["drift"]], [d[layer]["mean"] for d in run["drift"]],
                    label=text[run["norm"]], markersize=4, **STYLE[run["norm"]])
        ax.set(yscale="log", title=f"{text['layer']} {layer}", xlabel=text["step"])
        ax.grid(True, alpha=0.4)
    axes[0].set_ylabel(text["drift"])
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle(f"{text['lr']} {results['config']['drift_lr']}", fontsize=10)
    fig.tight_layout()
    return fig


def ghost_batch_figure(lang: str = "en"):
    """Test accuracy in eval and in training mode for each normalization batch size (SGD batch 128)."""
    text, ghost = TEXT[lang], load_results(WU_JOHNSON_RESULTS)["ghost"]
    sizes = [row["virtual_batch_size"] for row in ghost]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(sizes, [row["test_eval"] for row in ghost], label=text["eval"], **STYLE["bn"])
    ax.plot(sizes, [row["test_train_mode"] for row in ghost], label=text["train"], **STYLE["none"])
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set(xlabel=text["vbs"], ylabel=text["acc"])
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    fig.tight_layout()
    return fig
