"""Figures of the normalization pages (each function returns a matplotlib Figure).

The later ones are drawn from the recorded digits experiments.

They read ``results/normalization/bn_training.json`` and ``results/normalization/wu_johnson.json``,
written by ``python -m snippets.normalization.experiments``. Each takes ``lang`` ("en" or "zh").
"""

from __future__ import annotations

# --8<-- [start:imports]
import matplotlib.pyplot as plt
import torch

from snippets._figure import caption, words
from snippets.normalization.batch_norm import BatchNorm2d
from snippets.normalization.layer_norm import group_norm, instance_norm, layer_norm, normalized_sets
from snippets.normalization.pitfalls import _load_results
from snippets.normalization.experiments import TRAINING_RESULTS, WU_JOHNSON_RESULTS, load_results
# --8<-- [end:imports]

__all__ = ["running_mean_figure", "axes_figure", "ema_vs_precise_figure", "batch_size_figure",
           "training_curves_figure", "distribution_drift_figure", "ghost_batch_figure"]

# Okabe-Ito colours, plus a line style and marker per series
STYLE = {"none": {"color": "#E69F00", "ls": "--", "marker": "s"},
         "bn": {"color": "#0072B2", "ls": "-", "marker": "o"},
         "noisy": {"color": "#009E73", "ls": ":", "marker": "^"}}
TEXT = {
    "en": {"none": "no normalization", "bn": "BatchNorm", "noisy": "BatchNorm + noise",
           "step": "training step", "loss": "training loss", "lr": "learning rate",
           "drift": "shift of the input mean\n(÷ initial std)", "vbs": "normalization (ghost) batch size",
           "acc": "test accuracy", "eval": "eval mode (population statistics)",
           "train": "training mode (ghost-batch statistics)", "layer": "input of {}"},
    "zh": {"none": "无归一化", "bn": "批归一化", "noisy": "批归一化 + 噪声",
           "step": "训练步数", "loss": "训练损失", "lr": "学习率",
           "drift": "输入均值的偏移\n（÷ 初始标准差）", "vbs": "归一化批（幽灵批）大小",
           "acc": "测试准确率", "eval": "评估模式（总体统计量）",
           "train": "训练模式（幽灵批统计量）", "layer": "{} 的输入"},
}


@caption("Training loss of the CNN without normalization, with BatchNorm and with noisy BatchNorm, at three learning rates",
         zh="三种学习率下 CNN 的训练损失：无归一化、使用批归一化、使用带噪声的批归一化")
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


@caption("Shift of each layer's input mean since initialization, per training step, at learning rate 0.1",
         zh="学习率 0.1 时，各层输入的均值相对初始化时的偏移随训练步数的变化")
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
        ax.set(yscale="log", title=text["layer"].format(layer), xlabel=text["step"])
        ax.grid(True, alpha=0.4)
    axes[0].set_ylabel(text["drift"])
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle(f"{text['lr']} {results['config']['drift_lr']}", fontsize=10)
    fig.tight_layout()
    return fig


@caption("Test accuracy in eval mode and in training mode for each normalization batch size, SGD batch 128",
         zh="不同归一化批大小下评估模式与训练模式的测试准确率（SGD 批大小 128）")
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


@caption("How fast the running mean follows the data for three momentum settings (batches drawn with mean 3)",
         zh="三种动量设置下运行均值跟上数据的快慢（各批数据的均值为 3）")
def running_mean_figure(lang: str = "en"):
    """Running mean of one channel over training steps for three momentum settings."""
    import matplotlib.pyplot as plt

    torch.manual_seed(0)
    batches = [torch.randn(16, 1, 4, 4) * 2.0 + 3.0 for _ in range(120)]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for momentum, label in ((0.1, words(lang, "momentum=0.1 (PyTorch default)", "momentum=0.1（PyTorch 默认）")),
                            (0.01, "momentum=0.01"),
                            (None, words(lang, "momentum=None (cumulative)", "momentum=None（累积平均）"))):
        bn = BatchNorm2d(1, momentum=momentum)
        trace = []
        for batch in batches:
            bn(batch)
            trace.append(bn.running_mean.item())
        ax.plot(trace, label=label)
    ax.axhline(3.0, linestyle="--", linewidth=1, color="gray", label=words(lang, "true mean 3.0", "真实均值 3.0"))
    ax.set_xlabel(words(lang, "training step", "训练步数"))
    ax.set_ylabel("running_mean")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    return fig


@caption("Which entries of an (N, C, H, W) tensor share statistics with one entry (blue), measured by perturbing that entry: N = 3, C = 6, H·W = 4",
         zh="(N, C, H, W) 张量中哪些元素与某一个元素共用统计量（蓝色），通过扰动该元素实测得到：N = 3，C = 6，H·W = 4")
def axes_figure(lang: str = "en"):
    """BN, LN, IN and GN on an (N, C, H, W) tensor: the entries normalized together with one entry."""
    import matplotlib.pyplot as plt
    import numpy as np
    import torch.nn.functional as F
    from matplotlib.colors import to_hex

    norms = {
        words(lang, "BatchNorm", "批归一化"): lambda x: F.batch_norm(x, None, None, training=True),
        words(lang, "LayerNorm", "层归一化"): lambda x: layer_norm(x, x.shape[1:]),
        words(lang, "InstanceNorm", "实例归一化"): instance_norm,
        words(lang, "GroupNorm (2 groups)", "组归一化（2 组）"): lambda x: group_norm(x, 2),
    }
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig = plt.figure(figsize=(10.0, 3.0))
    for index, (title, norm) in enumerate(norms.items()):
        shared = normalized_sets(norm)  # Tensor[N, C, H, W] of bool
        n, c = shared.shape[:2]
        # voxel axes (x, y, z) = (C, N, H*W): H and W on one axis, as in Wu & He (2018)
        cube = shared.reshape(n, c, -1).permute(1, 0, 2).numpy()
        ax = fig.add_subplot(1, 4, index + 1, projection="3d")
        # one colour per voxel: the shared set in the first cycle colour, the rest faint gray
        face_colours = np.where(cube, to_hex(colours[0]), "#9a9a9a50")
        ax.voxels(np.ones(cube.shape, dtype=bool), facecolors=face_colours, edgecolor="gray", linewidth=0.3)
        ax.set_box_aspect(cube.shape)
        ax.set_xticks([]), ax.set_yticks([]), ax.set_zticks([])
        ax.set_xlabel("C", labelpad=-12)
        ax.set_ylabel("N", labelpad=-12)
        ax.zaxis.set_rotate_label(False)
        ax.set_zlabel("H,W", labelpad=-12)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_pane_color((0, 0, 0, 0))
        ax.view_init(elev=20, azim=-60)
        ax.set_proj_type("ortho")
        ax.set_title(title, fontsize=10)
    fig.subplots_adjust(left=0, right=0.97, bottom=0, top=0.9, wspace=0.1)
    return fig


@caption("Validation loss with EMA running statistics (two momenta) and with precise statistics, every 32 steps",
         zh="每 32 步的验证损失：使用 EMA 运行统计量（两种动量）与使用精确统计量")
def ema_vs_precise_figure(lang: str = "en"):
    """Validation loss during training: EMA running stats (two momenta) vs precise statistics."""
    import matplotlib.pyplot as plt

    results = _load_results()["ema_vs_precise"]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    steps = [row["step"] for row in results["0.1"]]
    ax.plot(steps, [row["precise"]["loss"] for row in results["0.1"]], marker="o",
            label=words(lang, "precise statistics", "精确统计量"))
    for momentum, label in (("0.1", words(lang, "EMA, momentum 0.1 (PyTorch)", "EMA，动量 0.1（PyTorch）")),
                            ("0.01", words(lang, "EMA, momentum 0.01 (Keras 0.99)", "EMA，动量 0.01（Keras 0.99）"))):
        ax.plot(steps, [row["ema"]["loss"] for row in results[momentum]], marker=".", label=label)
    ax.set_xlabel(words(lang, "training step (batch 32)", "训练步数（批大小 32）"))
    ax.set_ylabel(words(lang, "validation cross-entropy", "验证集交叉熵"))
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    return fig


@caption("Validation accuracy of models trained with each batch size, evaluated with population statistics and with batch statistics",
         zh="以不同批大小训练的模型分别用总体统计量和批统计量评估时的验证准确率")
def batch_size_figure(lang: str = "en"):
    """Validation accuracy in eval mode vs training mode, for models trained with each batch size."""
    import matplotlib.pyplot as plt

    sweep = _load_results()["batch_size_sweep"]
    sizes = [row["batch_size"] for row in sweep]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(sizes, [row["eval_mode"]["accuracy"] for row in sweep], marker="o",
            label=words(lang, "eval mode (population stats)", "评估模式（总体统计量）"))
    ax.plot(sizes, [row["train_mode"]["accuracy"] for row in sweep], marker="s",
            label=words(lang, "training mode (batch stats, training batch size)", "训练模式（批统计量，训练时的批大小）"))
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set_xlabel(words(lang, "training batch size", "训练批大小"))
    ax.set_ylabel(words(lang, "validation accuracy", "验证准确率"))
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    return fig
