"""Figures of the parallel-computing pages; measured ones read results/bench/parallel.json."""

from __future__ import annotations

# --8<-- [start:imports]
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from snippets.parallel.sinx import reduce_range, sinx_numpy, taylor_denominators
from snippets.parallel.speedup import amdahl_speedup, gustafson_speedup

from snippets._figure import caption, words
# --8<-- [end:imports]

__all__ = [
    "load_results",
    "machine_line",
    "amdahl_figure",
    "speedup_figure",
    "ladder_figure",
    "series_error_figure",
    "roofline_figure",
    "CORE",
    "ilp_figure",
    "divergence_figure",
    "latency_figure",
    "mlp_figure",
    "multithreading_figure",
    "gpu_model_figure",
]

RESULTS = Path(__file__).resolve().parents[2] / "results" / "bench" / "parallel.json"
CORE = RESULTS.parent / "core.json"
# Okabe-Ito, distinguishable with every common colour-vision deficiency (its black replaced by grey,
# which shows on the dark palette too)
OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#F0E442",
    "#999999",
)


def _t(lang: str, en: str, zh: str) -> str:
    """The English or the Chinese string of a figure's text."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    return zh if lang == "zh" else en


def _bytes_label(n: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} B"


# --8<-- [start:load_results]
def load_results(path: str | Path = RESULTS) -> dict:
    """The recorded benchmark (``python -m benchmarks parallel`` writes it)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def machine_line(results: dict) -> str:
    """'<cpu>, <cores> cores, <date>; numpy x, numba y, torch z' of a result file."""
    m, v = results["machine"], results["versions"]
    gpu = f", GPU {m['gpu']}" if m.get("gpu") else ", no GPU"
    return (
        f"{m['cpu']}, {m['cores']} cores{gpu}, {results['date']}; numpy {v.get('numpy')}, "
        f"numba {v.get('numba')}, torch {v.get('torch')}, Python {m['python']}"
    )
# --8<-- [end:load_results]


@caption(
    "Amdahl's law (solid) saturates at 1/(1-f); Gustafson's scaled speedup (dotted) grows linearly",
    zh="阿姆达尔定律（实线）饱和于 1/(1-f)；古斯塔夫森的扩展加速比（点线）线性增长",
)
def amdahl_figure(lang: str = "en"):
    """Amdahl (fixed job) and Gustafson (job grows with P) for several parallel fractions."""
    p = np.logspace(0, 3, 200)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for f, marker in zip((0.5, 0.9, 0.95, 0.99), "osD^"):  # a marker per f: not colour alone
        (line,) = ax.plot(
            p,
            amdahl_speedup(f, p),
            marker=marker,
            markevery=(0, 40),
            label=_t(lang, f"Amdahl, f = {f}", f"阿姆达尔定律，f = {f}"),
        )
        ax.plot(
            p,
            gustafson_speedup(f, p),
            ls=":",
            marker=marker,
            markevery=(20, 40),
            color=line.get_color(),
        )
    ax.plot(
        p, p, color="gray", lw=0.8, ls="--", label=_t(lang, "ideal S = P", "理想 S = P")
    )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=_t(lang, "processors P", "处理器数 P"),
        ylabel=_t(lang, "speedup S(P)", "加速比 S(P)"),
        title=_t(
            lang,
            "Amdahl (solid) caps at 1/(1-f); Gustafson (dotted) keeps growing",
            "阿姆达尔（实线）封顶于 1/(1-f)；古斯塔夫森（点线）持续增长",
        ),
        ylim=(1, 1200),
    )
    ax.grid(True, which="major", alpha=0.5)
    ax.legend(fontsize=8)
    return fig


@caption(
    "Measured speedup (points) and Amdahl's law with the fitted parallel fraction (dotted)",
    zh="实测加速比（数据点）与用拟合的并行比例计算的阿姆达尔定律（点线）",
)
def speedup_figure(lang: str = "en"):
    """Measured speedup curves within the cores, next to Amdahl's law with the fitted parallel fraction."""
    r = load_results()
    cores = r["machine"]["cores"]
    fig, ax = plt.subplots(figsize=(8.0, 3.8))
    pmax = max(max(c["workers"]) for c in r["curves"])
    grid = np.linspace(1, pmax, 100)
    for i, c in enumerate(r["curves"]):
        rung = _t(
            lang,
            c["rung"],
            {"threads": "线程", "compiled": "编译版"}.get(c["rung"], c["rung"]),
        )
        label = _t(lang, f"{rung}, n = {c['n']:,}", f"{rung}，n = {c['n']:,}")
        colour = OKABE_ITO[i % 8]
        ax.plot(
            c["workers"],
            c["speedup"],
            marker="osD"[i % 3],
            color=colour,
            label=_t(lang, f"{label} (measured)", f"{label}（实测）"),
        )
        f = c["parallel_fraction"]
        ax.plot(
            grid,
            amdahl_speedup(f, grid),
            ls=":",
            color=colour,
            label=_t(
                lang, f"Amdahl, fitted f = {f:.2f}", f"阿姆达尔定律，拟合 f = {f:.2f}"
            ),
        )
    ax.plot(
        grid,
        grid,
        color="gray",
        lw=0.8,
        ls="--",
        label=_t(lang, "ideal S = P", "理想 S = P"),
    )
    ax.set(
        xlabel=_t(
            lang,
            f"workers P (1 to the {cores} cores)",
            f"工作线程数 P（1 到 {cores} 个核心）",
        ),
        ylabel=_t(lang, "speedup T(1) / T(P)", "加速比 T(1) / T(P)"),
        title=_t(
            lang,
            f"sinx, {r['terms']} terms, {r['dtype']}",
            f"sinx，{r['terms']} 项，{r['dtype']}",
        ),
    )
    ax.set_xticks(range(1, pmax + 1))
    ax.grid(True, alpha=0.5)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


@caption(
    "Time per element of each rung (log scale); dashed: the time to copy the same bytes",
    zh="各级每个元素的耗时（对数坐标）；虚线：复制同样字节所需的时间",
)
def ladder_figure(lang: str = "en"):
    """Nanoseconds per element for each rung, with the time to copy the same bytes."""
    r = load_results()
    rows = r["rows"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    y = np.arange(len(rows))
    ax.barh(
        y,
        [row["ns_per_element"] for row in rows],
        color=[f"C{i % 10}" for i in range(len(rows))],
    )
    ax.set_yticks(y, [row["label"] for row in rows])
    ax.invert_yaxis()
    floor = r["floor"]["seconds"] / r["n"] * 1e9
    ax.axvline(floor, color="gray", ls="--")
    ax.text(
        floor,
        0.01,
        words(lang, " copy floor", " 复制下限"),
        transform=ax.get_xaxis_transform(),
        color="gray",
        va="bottom",
        rotation=90,
        fontsize=8,
    )
    ax.set(
        xscale="log",
        xlabel=words(
            lang, "ns per element (log scale)", "每个元素的纳秒数（对数坐标）"
        ),
        title=words(
            lang,
            f"sinx, {r['terms']} terms, {r['dtype']}, n = {r['n']:,} (scalar: {rows[0]['n']:,})",
            f"sinx，{r['terms']} 项，{r['dtype']}，n = {r['n']:,}（标量级：{rows[0]['n']:,}）",
        ),
    )
    ax.grid(True, axis="x", alpha=0.5)
    return fig


@caption(
    "Error of the series: the lecture's int32 denominators, the float64 fix, and the fix plus range reduction",
    zh="级数的误差：讲义中的 int32 分母、改用 float64 的修正，以及修正后再加范围约简",
)
def series_error_figure(lang: str = "en"):
    """|series - sin x| for the lecture's int32 denominators, the float64 fix, and range reduction."""
    x = np.linspace(-12, 12, 961)
    terms = 8
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ref = np.sin(x)
    # The lecture's loop with C-int denominators (wrapped at 13!).
    value, numer, sign = x.copy(), x**3, -1.0
    for d in taylor_denominators(terms, np.int32):
        value, numer, sign = value + sign * numer / float(d), numer * x * x, -sign
    tiny = 1e-17  # keeps log scale finite where the error is exactly 0
    ax.plot(
        x,
        np.abs(value - ref) + tiny,
        label=words(
            lang, "int32 denom (lecture's C code)", "int32 分母（讲义中的 C 代码）"
        ),
    )
    ax.plot(
        x,
        np.abs(sinx_numpy(x, terms) - ref) + tiny,
        label=words(lang, "float64 denom", "float64 分母"),
    )
    ax.plot(
        x,
        np.abs(sinx_numpy(reduce_range(x), terms) - ref) + tiny,
        label=words(lang, "float64 denom + range reduction", "float64 分母 + 范围约简"),
    )
    ax.axvspan(-np.pi, np.pi, color="gray", alpha=0.12, lw=0)
    ax.set(
        yscale="log",
        xlabel="x",
        ylabel="|sinx(x) - sin(x)|",
        ylim=(1e-17, 1e6),
        title=words(
            lang,
            f"terms = {terms}, float64; shaded: |x| <= pi",
            f"terms = {terms}，float64；阴影：|x| <= pi",
        ),
    )
    ax.grid(True, alpha=0.5)
    ax.legend(fontsize=8, loc="lower center")
    return fig


@caption(
    "The roofline of the benchmark machine with the sinx rungs at their executed intensities",
    zh="基准测试机器的屋顶线，sinx 各级位于其实际执行的算术强度处",
)
def roofline_figure(lang: str = "en"):
    """Measured roofs per thread count; each rung at the intensity of the flops and bytes it executes."""
    r = load_results()
    peaks = {int(p): v / 1e9 for p, v in r["peak_flops_by_threads"].items()}
    bws = {(b["method"], b["workers"]): b["bytes_per_s"] / 1e9 for b in r["bandwidth"]}
    ai = np.logspace(-2, 2, 200)
    fig, ax = plt.subplots(figsize=(8.4, 4.6))
    roof_styles = ("-", "--", "-.", ":")
    for i, (p, peak) in enumerate(sorted(peaks.items())):
        bw = max(v for (m, w), v in bws.items() if w == min(p, 2))
        ax.plot(
            ai,
            np.minimum(peak, bw * ai),
            color="gray",
            lw=2.2 - 0.6 * i,
            ls=roof_styles[i % 4],
            label=_t(
                lang,
                f"roof, {p} thread(s): {peak:.0f} GFLOP/s, {bw:.1f} GB/s",
                f"屋顶，{p} 线程：{peak:.0f} GFLOP/s，{bw:.1f} GB/s",
            ),
        )
    markers = "osD^v<>PX*"
    for i, row in enumerate(r["rows"]):
        face = "none" if row.get("in_cache") else OKABE_ITO[i % 8]
        ax.plot(
            row["intensity"],
            row["gflops"],
            markers[i % len(markers)],
            ms=7,
            color=OKABE_ITO[i % 8],
            mfc=face,
            label=_t(
                lang,
                f"{row['label']} ({row['flops_per_element']} flops)",
                f"{row['label']}（{row['flops_per_element']} 次浮点运算）",
            ),
        )
    ax.axvline(1 / 12, color="gray", lw=0.8, ls="-.")
    ax.text(
        1 / 12,
        0.02,
        " c = a * b",
        transform=ax.get_xaxis_transform(),
        color="gray",
        fontsize=8,
    )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=_t(
            lang,
            "arithmetic intensity: executed flops / bytes moved",
            "算术强度：实际执行的浮点运算 / 实际传输的字节",
        ),
        ylabel="GFLOP/s",
        title=_t(
            lang,
            f"Roofline; sinx, {r['terms']} terms, {r['dtype']} (open marker: in L2, no DRAM traffic)",
            f"屋顶线；sinx，{r['terms']} 项，{r['dtype']}（空心点：在 L2 中，无 DRAM 流量）",
        ),
    )
    ax.grid(True, which="major", alpha=0.5)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# ---------------------------------------------------------------------------
# Inside a core (docs/parallel/inside-a-core.md): results/bench/core.json
# ---------------------------------------------------------------------------


@caption(
    "Time per element of the sum against the number of independent chains",
    zh="求和中每个元素的耗时与独立链数的关系",
)
def ilp_figure(lang: str = "en"):
    """Time per element of sum_chains against the number of independent chains."""
    r = load_results(CORE)["ilp"]
    chains, ns = r["chains"], r["ns_per_element"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(chains, ns, "o-", color=OKABE_ITO[3], label=_t(lang, "measured", "实测"))
    ideal = [ns[0] / c for c in chains]  # latency-bound: k chains hide k - 1 adds
    ax.plot(
        chains,
        ideal,
        ls="--",
        marker="s",
        color=OKABE_ITO[4],
        ms=4,
        label=_t(
            lang,
            "latency / chains (pipeline never full)",
            "延迟 / 链数（流水线始终未满）",
        ),
    )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=_t(lang, "independent chains of adds", "独立加法链数"),
        ylabel=_t(lang, "ns per element (log)", "每元素耗时（纳秒，对数）"),
        title=_t(
            lang,
            f"Sum of {r['n']:,} float64 (in L2): ILP until the adder is busy",
            f"{r['n']:,} 个 float64 求和（在 L2 中）：指令级并行直到加法器饱和",
        ),
    )
    ax.set_xticks(chains, [str(c) for c in chains])
    ax.grid(True, which="both", alpha=0.4)
    ax.legend(fontsize=8)
    return fig


@caption(
    "Time per element against the fraction of expensive lanes: scalar code pays per element taken, SIMD code for both branches",
    zh="每元素耗时与昂贵通道所占比例的关系：标量代码按走昂贵分支的元素付代价，SIMD 代码为两个分支都付代价",
)
def divergence_figure(lang: str = "en"):
    """ns per element against the fraction of lanes taking the expensive branch, per formulation."""
    r = load_results(CORE)["divergence"]
    names = {
        "scalar": _t(
            lang,
            "scalar, branch per element (random lanes)",
            "标量，逐元素分支（随机通道）",
        ),
        "scalar, sorted mask": _t(
            lang,
            "scalar, same lanes sorted (predictable)",
            "标量，同样的通道排序后（可预测）",
        ),
        "masked": _t(
            lang,
            "SIMD, masked (numba): both branches",
            "SIMD 掩码（numba）：两个分支都算",
        ),
        "where": _t(
            lang,
            "NumPy where: both branches, array passes",
            "NumPy where：两个分支都算，逐步遍历数组",
        ),
    }
    styles = {
        "scalar": ("o", "-"),
        "scalar, sorted mask": ("v", ":"),
        "masked": ("s", "--"),
        "where": ("D", "-."),
    }
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    for i, (key, label) in enumerate(names.items()):
        marker, ls = styles[key]
        ax.plot(
            r["fractions"],
            r["ns_per_element"][key],
            marker=marker,
            ls=ls,
            color=OKABE_ITO[i],
            label=label,
        )
    ax.set(
        yscale="log",
        xlabel=_t(
            lang, "fraction of lanes on the expensive branch", "走昂贵分支的通道比例"
        ),
        ylabel=_t(lang, "ns per element (log)", "每元素耗时（纳秒，对数）"),
        title=_t(
            lang,
            f"Divergence: {r['n']:,} float64, expensive branch = 16-term series",
            f"分支发散：{r['n']:,} 个 float64，昂贵分支为 16 项级数",
        ),
    )
    ax.set_xticks(r["fractions"], ["0", "1/8", "1/2", "1"])
    ax.grid(True, which="both", alpha=0.4)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


@caption(
    "Latency staircase of a random pointer chase, with the cache sizes of the machine marked",
    zh="随机指针追逐的延迟阶梯，并标出本机各级缓存的大小",
)
def latency_figure(lang: str = "en"):
    """The latency staircase of a random pointer chase, with the cache sizes of the machine marked."""
    result = load_results(CORE)
    r, caches = result["latency"], result["cache_sizes"]
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    ax.plot(
        r["working_sets"],
        r["ns_per_load"],
        "o-",
        color=OKABE_ITO[3],
        label=_t(lang, "measured", "实测"),
    )
    for i, (name, size) in enumerate(caches.items()):
        ax.axvline(
            size,
            color=OKABE_ITO[4 + i % 3],
            ls=("--", ":", "-.")[i % 3],
            lw=1.2,
            label=f"{name} = {_bytes_label(size)}",
        )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=_t(lang, "working set (bytes, log)", "工作集（字节，对数）"),
        ylabel=_t(
            lang, "ns per dependent load (log)", "每次相关加载耗时（纳秒，对数）"
        ),
        title=_t(
            lang,
            "Pointer chase through a random cycle: one load at a time",
            "随机环上的指针追逐：一次只有一个加载",
        ),
    )
    ticks = [s for s in r["working_sets"] if (s.bit_length() - 1) % 2 == 0]
    ax.set_xticks(
        ticks, [_bytes_label(s).replace(" ", "\u202f") for s in ticks], fontsize=7
    )
    ax.minorticks_off()
    ax.grid(True, which="major", alpha=0.4)
    ax.legend(fontsize=8, loc="upper left")
    return fig


@caption(
    "Time per load against the number of interleaved chases",
    zh="每次加载耗时与交错追逐路数的关系",
)
def mlp_figure(lang: str = "en"):
    """ns per load against the number of interleaved chases in a DRAM-sized working set."""
    r = load_results(CORE)["mlp"]
    chains, ns = r["chains"], r["ns_per_load"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(chains, ns, "o-", color=OKABE_ITO[3], label=_t(lang, "measured", "实测"))
    ax.plot(
        chains,
        [ns[0] / c for c in chains],
        "s--",
        ms=4,
        color=OKABE_ITO[4],
        label=_t(
            lang, "latency / chains (all misses overlap)", "延迟 / 链数（缺失完全重叠）"
        ),
    )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=_t(lang, "independent chases interleaved", "交错进行的独立追逐路数"),
        ylabel=_t(lang, "ns per load (log)", "每次加载耗时（纳秒，对数）"),
        title=_t(
            lang,
            f"Memory-level parallelism, {_bytes_label(r['working_set'])} working set",
            f"访存级并行，工作集 {_bytes_label(r['working_set'])}",
        ),
    )
    ax.set_xticks(chains, [str(c) for c in chains])
    ax.grid(True, which="both", alpha=0.4)
    ax.legend(fontsize=8)
    return fig


@caption(
    "One thread stalls on memory; interleaved and simultaneous multithreading fill the stalls",
    zh="单个线程因等待内存而停顿；交错多线程和同时多线程填补了这些停顿",
)
def multithreading_figure(lang: str = "en"):
    """Timelines: one thread stalls on memory; interleaved and simultaneous multithreading fill the stalls."""
    from matplotlib.patches import Patch, Rectangle

    # each thread: run 3 cycles, wait 9 for memory, run 3, ...; drawn over 24 cycles
    run, wait, cycles = 3, 9, 24
    fig, axes = plt.subplots(3, 1, figsize=(7.2, 4.6), sharex=True)
    titles = (
        _t(
            lang,
            "one thread: the core idles while the load is outstanding",
            "单线程：等待加载时核心空闲",
        ),
        _t(
            lang,
            "4 threads, interleaved: switch to a ready thread on a stall",
            "4 线程交错多线程：停顿时切换到就绪线程",
        ),
        _t(
            lang,
            "2 threads, simultaneous (SMT): both issue in the same cycle",
            "2 线程同时多线程（SMT）：在同一周期内都发射",
        ),
    )

    def bar(ax, row, start, length, colour, hatch=None):
        ax.add_patch(
            Rectangle(
                (start, row - 0.35),
                length,
                0.7,
                facecolor=colour,
                edgecolor=colour,
                hatch=hatch,
                alpha=0.85 if hatch is None else 0.25,
            )
        )

    # (1) one thread
    t = 0
    while t < cycles:
        bar(axes[0], 0, t, run, OKABE_ITO[0])
        bar(axes[0], 0, t + run, wait, OKABE_ITO[0], "//")
        t += run + wait
    # (2) four threads: thread k runs while the others wait
    for k in range(4):
        t = k * run
        while t < cycles:
            bar(axes[1], k, t, run, OKABE_ITO[k])
            bar(axes[1], k, t + run, wait, OKABE_ITO[k], "//")
            t += run + wait
    # (3) SMT: two threads share the issue slots; each runs at its own pace, overlapping
    for k in range(2):
        t = k
        while t < cycles:
            bar(axes[2], k, t, run, OKABE_ITO[k])
            bar(axes[2], k, t + run, wait, OKABE_ITO[k], "//")
            t += run + wait
    for ax, title, rows in zip(axes, titles, (1, 4, 2)):
        ax.set_ylim(-0.6, rows - 0.4)
        ax.set_yticks(range(rows), [f"T{k}" for k in range(rows)], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlim(0, cycles)
    axes[-1].set_xlabel(_t(lang, "cycles", "周期"))
    axes[0].legend(
        handles=[
            Patch(facecolor="gray", label=_t(lang, "issuing instructions", "发射指令")),
            Patch(
                facecolor="gray",
                alpha=0.25,
                hatch="//",
                label=_t(lang, "waiting for memory", "等待内存"),
            ),
        ],
        fontsize=7,
        loc="upper right",
        ncol=2,
    )
    fig.tight_layout()
    return fig


@caption(
    "A schematic SM with four warp schedulers and resident warps; SIMT divergence in one warp",
    zh="SM 示意图：四个线程束调度器与驻留的线程束；一个线程束内的 SIMT 分支发散",
)
def gpu_model_figure(lang: str = "en"):
    """A schematic GPU: SMs, each with warp schedulers and resident warps of 32 lanes, and SIMT divergence."""
    from matplotlib.patches import Rectangle

    fig, (ax, bx) = plt.subplots(
        1, 2, figsize=(9.0, 4.0), gridspec_kw={"width_ratios": [1.15, 1]}
    )
    # left: one SM, 4 sub-partitions (one warp scheduler each), several resident warps per scheduler
    ax.set_title(
        _t(
            lang,
            "One SM: 4 schedulers, many resident warps",
            "一个 SM：4 个调度器，多个驻留线程束",
        ),
        fontsize=9,
    )
    for p in range(4):
        x0 = p * 2.6
        ax.add_patch(
            Rectangle((x0, 0), 2.4, 7.6, fill=False, lw=1.2, edgecolor=OKABE_ITO[3])
        )
        ax.text(
            x0 + 1.2,
            7.1,
            _t(lang, f"scheduler {p}", f"调度器 {p}"),
            ha="center",
            fontsize=7,
        )
        for w in range(
            4
        ):  # resident warps: one issues this cycle, the others wait on memory or are ready
            state = ("issuing", "waiting", "ready", "waiting")[(w + p) % 4]
            colour = {
                "issuing": OKABE_ITO[2],
                "waiting": OKABE_ITO[4],
                "ready": OKABE_ITO[1],
            }[state]
            y = 5.6 - 1.3 * w
            ax.add_patch(
                Rectangle(
                    (x0 + 0.2, y),
                    2.0,
                    0.9,
                    facecolor=colour,
                    alpha=0.6,
                    edgecolor=colour,
                )
            )
            ax.text(
                x0 + 1.2,
                y + 0.45,
                f"warp {4 * p + w}",
                ha="center",
                va="center",
                fontsize=6,
            )
        ax.add_patch(
            Rectangle((x0 + 0.2, 0.2), 2.0, 0.45, facecolor=OKABE_ITO[0], alpha=0.5)
        )
        ax.text(
            x0 + 1.2,
            0.42,
            _t(lang, "32 lanes", "32 个通道"),
            ha="center",
            va="center",
            fontsize=6,
        )
    for k, (state, colour) in enumerate(
        (
            (_t(lang, "issuing", "发射中"), OKABE_ITO[2]),
            (_t(lang, "ready", "就绪"), OKABE_ITO[1]),
            (_t(lang, "waiting on memory", "等待内存"), OKABE_ITO[4]),
        )
    ):
        ax.add_patch(Rectangle((k * 3.4, -1.1), 0.4, 0.4, facecolor=colour, alpha=0.6))
        ax.text(k * 3.4 + 0.5, -0.9, state, va="center", fontsize=7)
    ax.set_xlim(-0.2, 10.6)
    ax.set_ylim(-1.4, 7.9)
    ax.axis("off")
    # right: SIMT divergence in one warp: lanes active per step of if / else
    bx.set_title(
        _t(
            lang,
            "SIMT divergence in one warp of 32 lanes",
            "一个 32 通道线程束内的 SIMT 分支发散",
        ),
        fontsize=9,
    )
    rng = np.random.default_rng(0)
    taken = rng.random(32) < 0.25  # lanes whose condition is true
    steps = [
        (_t(lang, "x = load", "x = 加载"), np.ones(32, bool)),
        (_t(lang, "if (cond):", "if (条件):"), np.ones(32, bool)),
        (_t(lang, "  expensive()", "  昂贵分支()"), taken),
        (_t(lang, "else: cheap()", "else: 廉价分支()"), ~taken),
        (_t(lang, "store", "存储"), np.ones(32, bool)),
    ]
    for row, (label, active) in enumerate(steps):
        for lane in range(32):
            colour = OKABE_ITO[2] if active[lane] else "none"
            bx.add_patch(
                Rectangle(
                    (lane, -row - 0.8),
                    0.9,
                    0.7,
                    facecolor=colour,
                    edgecolor=OKABE_ITO[3],
                    lw=0.4,
                    alpha=0.8,
                )
            )
        bx.text(
            -1,
            -row - 0.45,
            label,
            ha="right",
            va="center",
            fontsize=7,
            family="monospace" if lang == "en" else "sans-serif",
        )  # the monospace font has no CJK glyphs
    bx.text(
        16,
        -len(steps) - 0.6,
        _t(
            lang,
            "filled: lane active; empty: masked off (idle)",
            "实心：通道活跃；空心：被掩码屏蔽（空闲）",
        ),
        ha="center",
        fontsize=7,
    )
    bx.set_xlim(-9, 32.5)
    bx.set_ylim(-len(steps) - 1.1, 0.3)
    bx.axis("off")
    fig.tight_layout()
    return fig
