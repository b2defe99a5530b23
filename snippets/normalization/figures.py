"""Figures of the normalization articles (each function returns a matplotlib Figure)."""

from __future__ import annotations

import torch

from snippets._figure import caption
from snippets.normalization.batch_norm import BatchNorm2d
from snippets.normalization.layer_norm import group_norm, instance_norm, layer_norm, normalized_sets
from snippets.normalization.pitfalls import _load_results


@caption("How fast the running mean follows the data for three momentum settings (batches drawn with mean 3)")
def running_mean_figure():
    """Running mean of one channel over training steps for three momentum settings."""
    import matplotlib.pyplot as plt

    torch.manual_seed(0)
    batches = [torch.randn(16, 1, 4, 4) * 2.0 + 3.0 for _ in range(120)]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for momentum, label in ((0.1, "momentum=0.1 (PyTorch default)"), (0.01, "momentum=0.01"),
                            (None, "momentum=None (cumulative)")):
        bn = BatchNorm2d(1, momentum=momentum)
        trace = []
        for batch in batches:
            bn(batch)
            trace.append(bn.running_mean.item())
        ax.plot(trace, label=label)
    ax.axhline(3.0, linestyle="--", linewidth=1, color="gray", label="true mean 3.0")
    ax.set_xlabel("training step")
    ax.set_ylabel("running_mean")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    return fig


@caption("Which entries of an (N, C, H, W) tensor share statistics with one entry (blue), measured by perturbing that entry: N = 3, C = 6, H·W = 4")
def axes_figure():
    """BN, LN, IN and GN on an (N, C, H, W) tensor: the entries normalized together with one entry."""
    import matplotlib.pyplot as plt
    import numpy as np
    import torch.nn.functional as F
    from matplotlib.colors import to_hex

    norms = {
        "BatchNorm": lambda x: F.batch_norm(x, None, None, training=True),
        "LayerNorm": lambda x: layer_norm(x, x.shape[1:]),
        "InstanceNorm": instance_norm,
        "GroupNorm (2 groups)": lambda x: group_norm(x, 2),
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


@caption("Validation loss with EMA running statistics (two momenta) and with precise statistics, every 32 steps")
def ema_vs_precise_figure():
    """Validation loss during training: EMA running stats (two momenta) vs precise statistics."""
    import matplotlib.pyplot as plt

    results = _load_results()["ema_vs_precise"]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    steps = [row["step"] for row in results["0.1"]]
    ax.plot(steps, [row["precise"]["loss"] for row in results["0.1"]], marker="o", label="precise statistics")
    for momentum, label in (("0.1", "EMA, momentum 0.1 (PyTorch)"), ("0.01", "EMA, momentum 0.01 (Keras 0.99)")):
        ax.plot(steps, [row["ema"]["loss"] for row in results[momentum]], marker=".", label=label)
    ax.set_xlabel("training step (batch 32)")
    ax.set_ylabel("validation cross-entropy")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    return fig


@caption("Validation accuracy of models trained with each batch size, evaluated with population statistics and with batch statistics")
def batch_size_figure():
    """Validation accuracy in eval mode vs training mode, for models trained with each batch size."""
    import matplotlib.pyplot as plt

    sweep = _load_results()["batch_size_sweep"]
    sizes = [row["batch_size"] for row in sweep]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(sizes, [row["eval_mode"]["accuracy"] for row in sweep], marker="o", label="eval mode (population stats)")
    ax.plot(sizes, [row["train_mode"]["accuracy"] for row in sweep], marker="s",
            label="training mode (batch stats, training batch size)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.set_xlabel("training batch size")
    ax.set_ylabel("validation accuracy")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    return fig
