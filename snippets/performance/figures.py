"""Figures of the performance articles (each function returns a matplotlib Figure)."""

from __future__ import annotations

from snippets._figure import caption, words
from snippets.performance.report import _measured_rows, load_results


def _no_rows(ax, lang: str) -> None:
    """Say in the empty axes that nothing is measured yet."""
    ax.text(0.5, 0.5, words(lang, "no measured rows yet: run make bench", "尚无已测数据行：请运行 make bench"),
            ha="center", va="center", transform=ax.transAxes)


@caption("Median time of ours over the production twin for every measured row",
         zh="每个已测行中，我们的实现与生产实现的中位时间之比")
def ratio_figure(lang: str = "en"):
    """Ours / twin median time for every measured row (log scale); 1 = as fast as the production twin."""
    import matplotlib.pyplot as plt

    results = load_results()
    labels, ratios = [], []
    for topic, _, row in _measured_rows(results):
        if "ratio" in row:
            labels.append(f"{row.get('case')} [{row.get('device', 'cpu')}]")
            ratios.append(row["ratio"])
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * max(len(labels), 2) + 1.0))
    if ratios:
        # bars grow from 1 (parity) to the ratio: right, ours slower; left, ours faster
        ax.barh(range(len(ratios)), [r - 1 for r in ratios], left=1, color=["C0" if r <= 1 else "C1" for r in ratios])
        ax.set_yticks(range(len(ratios)), labels)
        ax.set_xscale("log")
        ax.set_xlim(min(0.1, min(ratios) / 2), max(10, max(ratios) * 2))
        ax.axvline(1.0, color="gray", linestyle="--", linewidth=1)
        for index, ratio in enumerate(ratios):
            right = ratio >= 1
            ax.annotate(f"{ratio:.2f}x", (ratio, index), xytext=(4 if right else -4, 0), textcoords="offset points",
                        va="center", ha="left" if right else "right", fontsize=8)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color="C0", label=words(lang, "ours faster", "我们的实现更快")),
                           Patch(color="C1", label=words(lang, "twin faster", "生产实现更快"))],
                  frameon=False, fontsize=8, loc="lower right")
        ax.invert_yaxis()
    else:
        _no_rows(ax, lang)
    ax.set_xlabel(words(lang, "median time, ours / production twin (log scale; < 1: ours faster)",
                        "中位时间：我们的实现 / 生产实现（对数坐标；< 1 表示我们的更快）"))
    ax.grid(True, axis="x", alpha=0.4)
    return fig


@caption("Achieved bytes per second over the measured copy bandwidth",
         zh="实际达到的每秒字节数占实测拷贝带宽的比例")
def bandwidth_figure(lang: str = "en"):
    """Achieved GB/s of every implementation with a byte count, as a fraction of the measured copy bandwidth."""
    import matplotlib.pyplot as plt

    results = load_results()
    labels, shares, colours = [], [], []
    for _, _, row in _measured_rows(results):
        for entry in row["results"]:
            if "of_copy" in entry:
                labels.append(f"{row.get('case')} [{row.get('device', 'cpu')}]: {entry.get('impl')}")
                shares.append(entry["of_copy"])
                colours.append({"ours": "C0", "twin": "C1"}.get(entry.get("role"), "C2"))
    fig, ax = plt.subplots(figsize=(6.4, 0.4 * max(len(labels), 2) + 1.0))
    if shares:
        ax.barh(range(len(shares)), shares, color=colours)
        ax.set_yticks(range(len(shares)), labels, fontsize=8)
        ax.axvline(1.0, color="gray", linestyle="--", linewidth=1)
        for index, share in enumerate(shares):
            ax.annotate(f"{share:.0%}", (share, index), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=c, label=label) for c, label in
                           (("C0", words(lang, "ours", "我们的实现")), ("C1", words(lang, "production twin", "生产实现")),
                            ("C2", words(lang, "other", "其他")))],
                  frameon=False, fontsize=8, loc="lower right")
        ax.invert_yaxis()
    else:
        _no_rows(ax, lang)
    ax.set_xlabel(words(lang, "bytes moved / time, as a fraction of the measured copy bandwidth (1 = copy speed)",
                        "传输字节数 / 时间，占实测拷贝带宽的比例（1 = 拷贝速度）"))
    ax.grid(True, axis="x", alpha=0.4)
    return fig
