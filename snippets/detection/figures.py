"""Figures of the detection articles (each takes no argument and returns a matplotlib Figure)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from snippets._figure import caption, words
from snippets.detection.anchors import generate_anchors, grid_anchors
from snippets.detection.spp import SHAPE_CLASSES, adaptive_bins, spp_bins

__all__ = [
    "anchor_targets_figure",
    "quantization_figure",
    "shift_figure",
    "loss_curves_figure",
    "detections_figure",
    "scenes_figure",
    "ablation_figure",
    "RESULTS",
]

RESULTS = Path(__file__).resolve().parents[2] / "results" / "detector"


def _outline(ax, box, **style) -> None:
    """Draw box (x1, y1, x2, y2) on ax as an unfilled rectangle in the given style."""
    from matplotlib.patches import Rectangle

    x1, y1, x2, y2 = box
    ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, **style))


def _colours() -> list[str]:
    import matplotlib.pyplot as plt

    return plt.rcParams["axes.prop_cycle"].by_key()["color"]


@caption(
    "Positive anchors and sampled negatives (white: ground truth)",
    zh="正锚框与采样得到的负锚框（白框：真实边界框）",
)
def anchor_targets_figure(lang: str = "en"):
    """Positive, negative and ignored anchors of the small detector on one synthetic image."""
    import matplotlib.pyplot as plt

    from snippets.detection.anchors import cell_anchors, grid_anchors
    from snippets.detection.data import make_image
    from snippets.detection.targets import anchor_targets

    image, gt, _ = make_image(torch.Generator().manual_seed(7))
    anchors = grid_anchors(
        cell_anchors((12.0, 20.0, 32.0), (0.5, 1.0, 2.0)) + 2.0, (16, 16), 4
    )
    labels, _ = anchor_targets(
        anchors, gt, (64, 64), batch_size=64, generator=torch.Generator().manual_seed(0)
    )
    colours = _colours()
    fig, axes = plt.subplots(1, 2, figsize=(8.0, 4.0))
    for ax, (value, name) in zip(
        axes,
        (
            (1, words(lang, "positive", "正样本")),
            (0, words(lang, "negative (sampled)", "负样本（采样）")),
        ),
    ):
        ax.imshow(image.permute(1, 2, 0).numpy(), extent=(0, 64, 64, 0))
        for box in gt.tolist():
            _outline(ax, box, edgecolor="white", linewidth=2)
        chosen = anchors[labels == value]
        for box in chosen.tolist():
            _outline(
                ax,
                box,
                linewidth=0.9,
                edgecolor=colours[0] if value == 1 else colours[1],
            )
        ax.set_title(
            words(
                lang,
                f"{len(chosen)} {name} of {len(anchors)} anchors",
                f"{len(anchors)} 个锚框中的 {len(chosen)} 个{name}",
            ),
            fontsize=9,
        )
        ax.set_xlim(-6, 70)
        ax.set_ylim(70, -6)
    fig.tight_layout()
    return fig


@caption(
    "The same RoI on an 8×8 feature map: RoI pooling snaps it to whole cells and bins (left); RoI Align keeps the exact box and samples it (right)",
    zh="8×8 特征图上的同一个 RoI：RoI 池化把它对齐到整格，bin 也由整格组成（左）；RoI Align 保留精确的框并在其中采样（右）",
)
def quantization_figure(lang: str = "en"):
    """One RoI on an 8x8 feature map: RoI pooling's rounded cells and bins vs RoI Align's exact bins and samples."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    box = (1.3, 1.6, 6.4, 5.2)  # in feature-map cells (after spatial_scale)
    colours = _colours()
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.2))
    for ax in axes:
        for k in range(9):
            ax.axhline(k, color="gray", linewidth=0.5)
            ax.axvline(k, color="gray", linewidth=0.5)
        _outline(
            ax,
            box,
            linewidth=2.0,
            edgecolor=colours[0],
            label=words(lang, "RoI (exact)", "RoI（精确）"),
        )
        ax.set_xlim(0, 8)
        ax.set_ylim(8, 0)
        ax.set_aspect("equal")
        ax.set_xticks(range(9))
        ax.set_yticks(range(9))
    # roi_pool: corners rounded to cells, both inclusive; bins floor/ceil to whole cells (2x2 output)
    x1, y1, x2, y2 = (round(v) for v in box)
    w, h = x2 - x1 + 1, y2 - y1 + 1
    for i in range(2):
        for j in range(2):
            ys, ye = y1 + int(i * h / 2), y1 + -(-(i + 1) * h // 2)
            xs, xe = x1 + int(j * w / 2), x1 + -(-(j + 1) * w // 2)
            axes[0].add_patch(
                Rectangle(
                    (xs + 0.04, ys + 0.04),
                    xe - xs - 0.08,
                    ye - ys - 0.08,
                    alpha=0.25,
                    color=colours[1 + (i * 2 + j) % 3],
                )
            )
    axes[0].set_title(
        words(
            lang,
            f"RoI pooling: cells {x1}..{x2} x {y1}..{y2}, 2x2 bins of whole cells",
            f"RoI 池化：格 {x1}..{x2} × {y1}..{y2}，2×2 个整格 bin",
        ),
        fontsize=9,
    )
    # roi_align (aligned=True): exact bins, 2x2 bilinear samples per bin
    bx, by = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    for i in range(2):
        for j in range(2):
            axes[1].add_patch(
                Rectangle(
                    (box[0] + j * bx, box[1] + i * by),
                    bx,
                    by,
                    fill=False,
                    linestyle="--",
                    edgecolor=colours[1],
                )
            )
    xs = [box[0] + (k + 0.5) * bx / 2 for k in range(4)]
    ys = [box[1] + (k + 0.5) * by / 2 for k in range(4)]
    axes[1].scatter(
        [x for x in xs for _ in ys],
        [y for _ in xs for y in ys],
        s=14,
        color=colours[2],
        zorder=3,
        label=words(lang, "bilinear samples", "双线性采样点"),
    )
    axes[1].set_title(
        words(
            lang,
            "RoI Align: exact 2x2 bins, 2x2 samples each",
            "RoI Align：精确的 2×2 个 bin，每个 bin 取 2×2 个采样点",
        ),
        fontsize=9,
    )
    axes[1].legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


@caption(
    "One-bin output as the box slides: a staircase for RoI pooling, a straight line for RoI Align",
    zh="框滑动时单个 bin 的输出：RoI 池化呈阶梯状，RoI Align 是一条直线",
)
def shift_figure(lang: str = "en"):
    """Output of one bin as the RoI slides by fractions of a cell: RoI pooling jumps, RoI Align follows."""
    import matplotlib.pyplot as plt

    from snippets.detection.roi import roi_align, roi_pool

    x = torch.arange(16.0).repeat(16, 1)[
        None, None
    ]  # value = column index: a horizontal ramp
    shifts = torch.linspace(0, 3, 61)
    boxes = torch.stack(
        [
            torch.zeros_like(shifts),
            2 + shifts,
            torch.full_like(shifts, 2.0),
            6 + shifts,
            torch.full_like(shifts, 6.0),
        ],
        dim=1,
    )
    pooled = roi_pool(x, boxes, 1)[:, 0, 0, 0]
    aligned = roi_align(x, boxes, 1, sampling_ratio=4, aligned=True)[:, 0, 0, 0]
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ax.plot(
        shifts,
        pooled,
        drawstyle="steps-post",
        label=words(
            lang, "roi_pool (max, rounded box)", "roi_pool（最大值，取整后的框）"
        ),
    )
    ax.plot(
        shifts,
        aligned,
        label=words(
            lang,
            "roi_align (mean of samples, aligned=True)",
            "roi_align（采样点均值，aligned=True）",
        ),
    )
    ax.set_xlabel(
        words(lang, "shift of the RoI (feature cells)", "RoI 的平移量（特征图格数）")
    )
    ax.set_ylabel(words(lang, "pooled value on a ramp", "斜坡上的池化值"))
    ax.legend(frameon=False, fontsize=8)
    ax.grid(True, alpha=0.4)
    return fig


def load_run(results: Path = RESULTS, tag: str = "run") -> dict:
    """A recorded run (``python -m snippets.detection.train --tag TAG``)."""
    return json.loads((results / f"{tag}.json").read_text(encoding="utf-8"))


_LINES = ("-", "--", "-.", ":")


@caption(
    "The four losses of the recorded run and its learning rate, by epoch",
    zh="记录的训练中四项损失及学习率随轮次 (epoch) 的变化",
)
def loss_curves_figure(lang: str = "en"):
    """The four losses of the recorded run (25-step means) and the learning rate, by epoch."""
    import matplotlib.pyplot as plt

    run = load_run()
    steps = run["losses"]
    per_epoch = max(s["iter"] for s in steps) + 1
    fig, (ax, ax_lr) = plt.subplots(
        2, 1, figsize=(6.8, 4.6), sharex=True, height_ratios=(3, 1)
    )
    for k, name in enumerate(("rpn_cls", "rpn_box", "rcnn_cls", "rcnn_box")):
        values = torch.tensor([step[name] for step in steps])
        smooth = values.unfold(0, 25, 1).mean(1)
        epochs = (torch.arange(25, len(values) + 1) / per_epoch).tolist()
        ax.plot(epochs, smooth, label=name, linestyle=_LINES[k])
    ax.set_yscale("log")
    ax.set_ylabel("损失 (25 步均值)" if lang == "zh" else "loss (25-step mean)")
    ax.legend(frameon=False, fontsize=8, ncol=2)
    ax.grid(True, alpha=0.4)
    ax_lr.step(
        [i / per_epoch for i in range(len(steps))],
        [s["lr"] for s in steps],
        where="post",
    )
    ax_lr.set_yscale("log")
    ax_lr.set_ylabel("学习率" if lang == "zh" else "lr")
    ax_lr.set_xlabel("轮次 (epoch)" if lang == "zh" else "epoch")
    ax_lr.grid(True, alpha=0.4)
    fig.tight_layout()
    return fig


def _draw_boxes(ax, image, gt_boxes, det=None, colours=None, names=None):

    ax.imshow(
        image.permute(1, 2, 0).numpy(), extent=(0, image.shape[2], image.shape[1], 0)
    )
    for box in gt_boxes.tolist():
        _outline(ax, box, edgecolor="white", linewidth=2.2)
        _outline(ax, box, edgecolor="black", linewidth=0.6)
    for box, score, label in zip(*det) if det else []:
        if score < 0.5:
            continue
        _outline(
            ax,
            box,
            linewidth=1.3,
            edgecolor=colours[label - 1],
            linestyle=_LINES[(label - 1) % 4],
        )
        ax.text(
            box[0] + 1,
            box[1] + 6,
            f"{names[label][:4]} {score:.2f}",
            fontsize=5.5,
            color=colours[label - 1],
        )
    ax.set_axis_off()


@caption(
    "Detections with score > 0.5 on the first eight held-out scenes",
    zh="前八张留出场景上得分大于 0.5 的检测结果",
)
def detections_figure(lang: str = "en"):
    """Detections of the recorded model on the first eight held-out scenes (score > 0.5)."""
    import matplotlib.pyplot as plt

    from snippets.detection.data import SCENE_CLASSES, make_scene_dataset

    images, gt_boxes, _ = make_scene_dataset(
        8, seed=999_999
    )  # the first held-out scenes
    shown = json.loads((RESULTS / "detections.json").read_text(encoding="utf-8"))
    colours = plt.get_cmap("tab10").colors
    fig, axes = plt.subplots(2, 4, figsize=(9.6, 5.0))
    for ax, image, gt, det in zip(axes.flat, images, gt_boxes, shown):
        _draw_boxes(
            ax,
            image,
            gt,
            (det["boxes"], det["scores"], det["labels"]),
            colours,
            _SCENE_NAMES_ZH if lang == "zh" else SCENE_CLASSES,
        )
    fig.suptitle(
        "白框：真值；彩框：得分 > 0.5 的检测"
        if lang == "zh"
        else "white: ground truth; colour: detections with score > 0.5",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


_SCENE_NAMES_ZH = ("背景", "矩形", "椭圆", "三角形", "十字", "圆环")  # SCENE_CLASSES in Chinese


@caption(
    "Eight training scenes with their boxes and classes",
    zh="八张训练场景及其边界框与类别",
)
def scenes_figure(lang: str = "en"):
    """Eight scenes of the hard synthetic dataset with their boxes."""
    import matplotlib.pyplot as plt

    from snippets.detection.data import SCENE_CLASSES, make_scene_dataset

    images, boxes, labels = make_scene_dataset(
        8, seed=1000
    )  # the first training scenes
    colours = plt.get_cmap("tab10").colors
    fig, axes = plt.subplots(2, 4, figsize=(9.6, 5.0))
    names = _SCENE_NAMES_ZH if lang == "zh" else SCENE_CLASSES
    for ax, image, b, l in zip(axes.flat, images, boxes, labels):
        _draw_boxes(ax, image, b)
        for (x1, y1, _, _), label in zip(b.tolist(), l.tolist()):
            ax.text(
                x1 + 1,
                y1 + 6,
                names[label],
                fontsize=6,
                color=colours[label - 1],
            )
    fig.tight_layout()
    return fig


@caption(
    "COCO AP of the recorded run and of each ablation",
    zh="记录的训练与各消融实验的 COCO AP",
)
def ablation_figure(lang: str = "en"):
    """COCO AP of the recorded run and of each ablation (grouped bars, one hatch per run)."""
    import matplotlib.pyplot as plt

    runs = [
        ("run", "RoI Align (基线)" if lang == "zh" else "RoI Align (baseline)"),
        ("ablation_roipool", "RoI pooling"),
        (
            "ablation_no_double_bias",
            "无 DOUBLE_BIAS" if lang == "zh" else "no DOUBLE_BIAS",
        ),
        (
            "ablation_plus1",
            "+1 解码 (不匹配)" if lang == "zh" else "+1 decoder (mismatch)",
        ),
    ]
    keys = ("map", "map_50", "map_75", "map_small", "map_medium", "map_large")
    names = ("AP", "AP50", "AP75", "AP_S", "AP_M", "AP_L")
    colours = plt.get_cmap("tab10").colors
    fig, ax = plt.subplots(figsize=(7.6, 3.4))
    width = 0.8 / len(runs)
    for k, (tag, label) in enumerate(runs):
        coco = load_run(tag=tag)["coco"]
        ax.bar(
            [i + (k - 1.5) * width for i in range(len(keys))],
            [max(coco[key], 0) for key in keys],
            width,
            label=label,
            color=colours[k],
            hatch=("", "//", "..", "xx")[k],
            edgecolor="gray",
        )
    ax.set_xticks(range(len(keys)), names)
    ax.set_ylabel("AP (COCO)")
    ax.set_ylim(0, 1)
    ax.legend(frameon=False, fontsize=8, ncol=2)
    ax.grid(True, axis="y", alpha=0.4)
    fig.tight_layout()
    return fig


@caption(
    "The paper's windows and adaptive bins for a = 10, n = 6",
    zh="a = 10、n = 6 时论文公式的窗口与自适应池化的 bin",
)
def bins_figure(lang: str = "en"):
    """The paper's windows and adaptive pooling's bins on a side of 10 cells, level n = 6."""
    import matplotlib.pyplot as plt

    a, n = 10, 6
    window, stride, bins = spp_bins(a, n)
    rows = [
        (
            words(
                lang,
                "paper: window ceil(a/n)=2, stride floor(a/n)=1",
                "论文：窗口 ceil(a/n)=2，步长 floor(a/n)=1",
            ),
            [(i * stride, i * stride + window) for i in range(bins)],
        ),
        (
            words(
                lang,
                "adaptive: [floor(i·a/n), ceil((i+1)·a/n))",
                "自适应：[floor(i·a/n), ceil((i+1)·a/n))",
            ),
            adaptive_bins(a, n),
        ),
    ]
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 3.6), sharex=True)
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (title, spans) in zip(axes, rows):
        for k, (start, end) in enumerate(spans):
            ax.barh(
                k,
                end - start,
                left=start,
                height=0.7,
                color=cycle[k % len(cycle)],
                alpha=0.85,
            )
        ax.set_title(
            words(lang, f"{title}: {len(spans)} bins", f"{title}：{len(spans)} 个 bin"),
            fontsize=9,
        )
        ax.set_yticks(
            range(len(spans)), [f"bin {k}" for k in range(len(spans))], fontsize=7
        )
        ax.invert_yaxis()
        ax.set_xticks(range(a + 1))
        ax.grid(True, axis="x", alpha=0.4)
    axes[-1].set_xlabel(
        words(
            lang,
            f"cell boundary along a side of a = {a} cells (n = {n})",
            f"边长 a = {a} 个单元上的单元边界（n = {n}）",
        )
    )
    fig.tight_layout()
    return fig


@caption(
    "Accuracy per input size of the recorded run (results/spp/multisize.json)",
    zh="记录的训练在各输入尺寸上的准确率（results/spp/multisize.json）",
)
def accuracy_figure(lang: str = "en"):
    """Accuracy per input size of the recorded run (results/spp/multisize.json)."""
    import json
    from pathlib import Path

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    path = Path(__file__).resolve().parents[2] / "results" / "spp" / "multisize.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
    rows = sorted(rows, key=lambda r: (r["height"] * r["width"], r["height"]))
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colors = [cycle[0] if r["seen_in_training"] else cycle[1] for r in rows]
    bars = ax.bar(range(len(rows)), [100 * r["accuracy"] for r in rows], color=colors)
    for bar, row in zip(bars, rows):  # unseen sizes hatched too: not told apart by colour alone
        if not row["seen_in_training"]:
            bar.set(hatch="//", edgecolor="#ffffff", linewidth=0)
    ax.set_xticks(
        range(len(rows)),
        [f"{r['height']}×{r['width']}" for r in rows],
        rotation=45,
        fontsize=8,
    )
    ax.axhline(100 / len(SHAPE_CLASSES), linestyle="--", linewidth=1, color="gray")
    ax.set_ylabel(words(lang, "accuracy (%)", "准确率 (%)"))
    ax.set_ylim(0, 105)
    handles = [
        Patch(
            color=cycle[0],
            label=words(lang, "size seen in training", "训练中见过的尺寸"),
        ),
        Patch(
            facecolor=cycle[1],
            hatch="//",
            edgecolor="#ffffff",
            linewidth=0,
            label=words(lang, "size never seen", "从未见过的尺寸"),
        ),
        Line2D(
            [],
            [],
            linestyle="--",
            color="gray",
            label=words(lang, "chance (4 classes)", "随机猜测（4 类）"),
        ),
    ]
    ax.legend(
        handles=handles,
        frameon=False,
        fontsize=8,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=3,
    )
    fig.tight_layout()
    return fig


@caption(
    "Left: the 9 anchors of one cell (scales 2, 4, 8 here, to fit a 256-pixel image). Right: anchor centres on a 16×16 map and the 9 anchors of one cell",
    zh="左：一个格子的 9 个锚框（这里尺度取 2、4、8，以适应 256 像素的图像）。右：16×16 特征图上的锚框中心，以及一个格子的 9 个锚框",
)
def anchors_figure(lang: str = "en"):
    """A synthetic image with the 9 jwyang anchors of one cell and the anchor centres of a grid."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from snippets.detection.data import make_image

    torch.manual_seed(0)
    image, _, _ = make_image(
        torch.Generator().manual_seed(3),
        size=256,
        num_objects=(3, 3),
        object_size=(40, 90),
    )
    base = generate_anchors(base_size=16, ratios=(0.5, 1, 2), scales=(2, 4, 8))
    stride = 16
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 4.2))
    for ax in axes:
        ax.imshow(image.permute(1, 2, 0).numpy(), extent=(0, 256, 256, 0))
        ax.set_xlim(-40, 296)
        ax.set_ylim(296, -40)
        ax.set_xticks([0, 128, 256])
        ax.set_yticks([0, 128, 256])
    # one cell: the 9 anchors centred on cell (8, 8)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    shifted = base + stride * 8
    for k, (x1, y1, x2, y2) in enumerate(shifted.tolist()):
        axes[0].add_patch(
            Rectangle(
                (x1, y1),
                x2 - x1 + 1,
                y2 - y1 + 1,
                fill=False,
                linewidth=1.4,
                edgecolor=colours[k // 3],
                linestyle=("-", "--", ":")[k % 3],
            )
        )
    axes[0].set_title(
        words(
            lang,
            "9 anchors of one cell (colour: ratio, line: scale)",
            "一个格子的 9 个锚框（颜色：宽高比，线型：尺度）",
        ),
        fontsize=9,
    )
    grid = grid_anchors(base, (16, 16), stride)
    centres = (grid[:, :2] + grid[:, 2:]) / 2
    axes[1].scatter(centres[:, 0], centres[:, 1], s=3, color="gray")
    for x1, y1, x2, y2 in grid.reshape(16, 16, 9, 4)[4, 11].tolist():
        axes[1].add_patch(
            Rectangle(
                (x1, y1),
                x2 - x1 + 1,
                y2 - y1 + 1,
                fill=False,
                linewidth=0.8,
                edgecolor=colours[0],
            )
        )
    axes[1].set_title(
        words(
            lang,
            f"{grid.shape[0]} anchors on a 16x16 map, stride {stride}",
            f"16×16 特征图上的 {grid.shape[0]} 个锚框，步幅 {stride}",
        ),
        fontsize=9,
    )
    fig.tight_layout()
    return fig
