"""Figures of the image-processing articles (each function returns a matplotlib Figure).

Images are scikit-image's bundled samples (no download), shrunk to <= 256 px so
that the SVGs, which embed them as PNG, stay light.
"""

from __future__ import annotations

import cv2
import numpy as np
from matplotlib.patches import Rectangle
from skimage import data, exposure

from snippets.image.histogram import equalization_map, equalize_hist, histogram, match_histograms
from snippets.image.intensity import (
    bit_planes,
    contrast_stretch,
    from_bit_planes,
    gamma_transform,
    intensity_slice,
    log_transform,
    negative,
)
from snippets.image.sampling import downsample, quantize

from snippets._figure import caption, words

LEVELS = np.arange(256, dtype=np.uint8).reshape(1, 256)  # every level once: T(LEVELS) is the curve


def small(name: str, size: int = 160) -> np.ndarray:
    """Bundled scikit-image sample ``name`` as grayscale uint8, longest side ``size`` (area averaging)."""
    image = getattr(data, name)()
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = image.shape
    scale = size / max(h, w)
    return cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def low_contrast(image: np.ndarray) -> np.ndarray:
    """A generated low-contrast version: levels squeezed into 90..165."""
    return (90 + image.astype(np.uint16) * 75 // 255).astype(np.uint8)


def _grid(rows: int, cols: int, width: float = 7.0, height: float | None = None):
    import matplotlib.pyplot as plt

    height = height if height is not None else width / cols * rows * 1.05
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False)
    return fig, axes


def _show(ax, image: np.ndarray, title: str = "") -> None:
    ax.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="none")
    ax.set_title(title, fontsize=8)
    ax.set_axis_off()


def _curve(ax, *curves: tuple[np.ndarray, str], title: str | None = None, lang: str = "en") -> None:
    for lut, label in curves:
        ax.plot(np.arange(256), lut.ravel(), label=label)
    ax.plot([0, 255], [0, 255], linestyle=":", color="gray", linewidth=1)
    ax.set_xlim(0, 255)
    ax.set_ylim(0, 255)
    ax.set_aspect("equal")
    ax.set_xlabel(words(lang, "input r", "输入 r"), fontsize=8)
    ax.set_ylabel(words(lang, "output s", "输出 s"), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_title(title if title is not None else words(lang, "transfer curve", "变换曲线"), fontsize=8)
    if any(label for _, label in curves):
        ax.legend(fontsize=6, frameon=False)


def _hist(ax, image: np.ndarray, title: str = "") -> None:
    ax.stairs(histogram(image), np.arange(257), fill=True, color="C0")  # one path, not 256 bars
    ax.set_xlim(0, 255)
    ax.set_yticks([])
    ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=8)


# ---------------------------------------------------------------- representation
@caption("A 256 × 256 `camera` with an 8 × 8 patch and its values; numpy indexes (row, col), OpenCV's x runs along the columns",
         zh="256 × 256 的 `camera`，框出一个 8 × 8 的图像块并标出其像素值；numpy 按 (行, 列) 索引，OpenCV 的 x 沿列的方向")
def matrix_figure(lang: str = "en"):
    """An image is an M x N matrix: a patch of `camera` with its values and both axis conventions."""
    image = small("camera", 256)
    r0, c0 = 40, 120  # top-left of the 8 x 8 patch (row, col)
    patch = image[r0:r0 + 8, c0:c0 + 8]
    fig, axes = _grid(1, 2, 7.0, 3.5)
    left, right = axes[0]
    _show(left, image, f"camera, {image.shape[0]} x {image.shape[1]} (M x N)")
    left.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), 8, 8, fill=False, edgecolor="C1", linewidth=1.5))
    left.annotate("", xy=(60, 8), xytext=(8, 8), arrowprops={"arrowstyle": "->", "color": "C1"})
    left.annotate("", xy=(8, 60), xytext=(8, 8), arrowprops={"arrowstyle": "->", "color": "C1"})
    left.text(64, 8, words(lang, "col j (OpenCV x)", "列 j (OpenCV 的 x)"), color="C1", fontsize=7, va="center")
    left.text(8, 64, words(lang, "row i\n(OpenCV y)", "行 i\n(OpenCV 的 y)"), color="C1", fontsize=7, ha="center", va="top")
    right.imshow(patch, cmap="gray", vmin=0, vmax=255, interpolation="none")
    for (i, j), v in np.ndenumerate(patch):
        right.text(j, i, str(v), ha="center", va="center", fontsize=6,
                   color="black" if v > 127 else "white")
    right.set_xticks(range(8), [str(c0 + j) for j in range(8)], fontsize=6)
    right.set_yticks(range(8), [str(r0 + i) for i in range(8)], fontsize=6)
    right.set_xlabel(words(lang, "column index (numpy axis 1)", "列索引 (numpy 第 1 轴)"), fontsize=8)
    right.set_ylabel(words(lang, "row index (numpy axis 0)", "行索引 (numpy 第 0 轴)"), fontsize=8)
    right.set_title(f"image[{r0}:{r0 + 8}, {c0}:{c0 + 8}]", fontsize=8)
    return fig


@caption("camera (256 × 256) sampled every 1, 2, 4, 8 and 16 pixels and shown at one size: detail goes first, then edges turn into blocks",
         zh="camera（256 × 256）每隔 1、2、4、8、16 个像素取一个样本，并以相同尺寸显示：细节最先消失，随后边缘变成方块")
def sampling_figure(lang: str = "en"):
    """Spatial resolution: `camera` sampled every 1, 2, 4, 8, 16 pixels, shown at one size."""
    image = small("camera", 256)
    factors = [1, 2, 4, 8, 16]
    fig, axes = _grid(1, len(factors), 8.0)
    for ax, f in zip(axes[0], factors):
        sub = downsample(image, f)
        _show(ax, sub, words(lang, f"factor {f}: {sub.shape[0]} x {sub.shape[1]}", f"间隔 {f}: {sub.shape[0]} x {sub.shape[1]}"))
    return fig


@caption("camera with k = 8, 5, 4, 3, 2, 1 bits: from about 16 levels down, smooth areas (the sky) break into false contours",
         zh="k = 8、5、4、3、2、1 比特的 camera：灰度级降到约 16 级及以下时，平滑区域（天空）碎成伪轮廓")
def quantization_figure():
    """Intensity resolution: `camera` with 256, 32, 16, 8, 4, 2 levels (false contours appear)."""
    image = small("camera", 192)
    bits = [8, 5, 4, 3, 2, 1]
    fig, axes = _grid(1, len(bits), 8.4)
    for ax, k in zip(axes[0], bits):
        _show(ax, quantize(image, k), f"k = {k}: L = {2**k}")
    return fig


# ---------------------------------------------------------------- intensity transforms
@caption("The basic transfer curves for L = 256; the dotted line is the identity. scikit-image's adjust_log is a much weaker curve than the book's log",
         zh="L = 256 时的基本变换曲线，点线为恒等变换。scikit-image 的 adjust_log 曲线比书中的对数变换弱得多")
def curves_figure(lang: str = "en"):
    """The basic transfer curves: identity, negative, log, and power laws."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    _curve(ax, (negative(LEVELS), words(lang, "negative", "反转")),
           (log_transform(LEVELS), words(lang, "log, c = 255/ln 256", "对数, c = 255/ln 256")),
           (gamma_transform(LEVELS, 0.4), words(lang, "gamma 0.4", "伽马 0.4")),
           (gamma_transform(LEVELS, 2.5), words(lang, "gamma 2.5", "伽马 2.5")),
           (exposure.adjust_log(LEVELS), "skimage adjust_log"), title="s = T(r), L = 256", lang=lang)
    return fig


def _transform_panels(image, outputs, curves, width=7.6, lang="en"):
    fig, axes = _grid(1, 2 + len(outputs), width, width / (2 + len(outputs)) * 1.25)
    _curve(axes[0, 0], *curves, lang=lang)
    _show(axes[0, 1], image, words(lang, "input", "输入"))
    for ax, (out, title) in zip(axes[0, 2:], outputs):
        _show(ax, out, title)
    fig.tight_layout()
    return fig


@caption("Transfer curve of the negative and its effect on camera", zh="反转变换的变换曲线及其对 camera 的效果")
def negative_figure(lang: str = "en"):
    """Negative of `camera`."""
    image = small("camera")
    return _transform_panels(image, [(negative(image), words(lang, "negative", "反转"))], [(negative(LEVELS), "")], 6.0,
                             lang=lang)


@caption("Log transform: a Fourier spectrum scaled linearly is one bright dot; c·log(1 + |F|) shows its structure. On moon it lifts the dark levels",
         zh="对数变换：线性缩放的傅里叶频谱只是一个亮点，c·log(1 + |F|) 则显出它的结构。用在 moon 上，它提亮了暗的灰度级")
def spectrum_figure(lang: str = "en"):
    """Log transform of a Fourier spectrum (generated from `camera`) and of `moon`."""
    image = small("camera", 160).astype(np.float64)
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(image)))
    linear = np.rint(255 * spectrum / spectrum.max()).astype(np.uint8)
    moon = small("moon")
    fig, axes = _grid(1, 5, 8.6, 2.3)
    _curve(axes[0, 0], (log_transform(LEVELS), "c = 255/ln 256"), lang=lang)
    _show(axes[0, 1], linear, words(lang, "|F| scaled linearly", "|F| 线性缩放"))
    _show(axes[0, 2], log_transform(spectrum), "c log(1 + |F|)")
    _show(axes[0, 3], moon, "moon")
    _show(axes[0, 4], log_transform(moon), words(lang, "log of moon", "moon 的对数变换"))
    fig.tight_layout()
    return fig


@caption("Power-law curves; gamma 0.4 brightens moon, gamma 3.0 darkens camera and brings out the sky's gradations",
         zh="幂律曲线；伽马 0.4 使 moon 变亮，伽马 3.0 使 camera 变暗并显出天空的明暗层次")
def gamma_figure(lang: str = "en"):
    """Power-law transforms: gamma < 1 brightens `moon`, gamma > 1 darkens `camera`'s sky."""
    moon, camera = small("moon"), small("camera")
    fig, axes = _grid(1, 5, 8.6, 2.3)
    _curve(axes[0, 0], *[(gamma_transform(LEVELS, g), words(lang, f"gamma {g}", f"伽马 {g}")) for g in (0.4, 0.6, 1.5, 3.0)],
           lang=lang)
    _show(axes[0, 1], moon, "moon")
    _show(axes[0, 2], gamma_transform(moon, 0.4), words(lang, "gamma 0.4", "伽马 0.4"))
    _show(axes[0, 3], camera, "camera")
    _show(axes[0, 4], gamma_transform(camera, 3.0), words(lang, "gamma 3.0", "伽马 3.0"))
    fig.tight_layout()
    return fig


@caption("Stretching a generated low-contrast image (levels 90..165): to the full range, with a steeper S-shaped map, and as a threshold",
         zh="拉伸一幅生成的低对比度图像（灰度级 90..165）：拉伸到整个范围、用更陡的 S 形映射，以及作为阈值处理")
def stretch_figure(lang: str = "en"):
    """Contrast stretching of a low-contrast image: full-range, S-shaped, thresholding."""
    image = low_contrast(small("camera"))
    lo, hi = int(image.min()), int(image.max())
    settings = [((lo, 0, hi, 255), f"({lo},0),({hi},255)"), ((110, 30, 150, 225), "(110,30),(150,225)"),
                ((128, 0, 128, 255), words(lang, "threshold r1=r2=128", "阈值 r1=r2=128"))]
    outputs = [(contrast_stretch(image, *p), t) for p, t in settings]
    curves = [(contrast_stretch(LEVELS, *p), t) for p, t in settings]
    return _transform_panels(image, outputs, curves, 8.6, lang=lang)


@caption("Slicing the band 150..255 of coins: binary, and set to black with the rest kept",
         zh="对 coins 的灰度带 150..255 做分层：二值化，以及把该灰度带置黑、其余保持不变")
def slicing_figure(lang: str = "en"):
    """Intensity-level slicing of `coins`: binary and preserving the rest."""
    image = small("coins")
    outputs = [(intensity_slice(image, 150, 255, 255, background=0),
                words(lang, "[150, 255] -> 255, rest -> 0", "[150, 255] -> 255, 其余 -> 0")),
               (intensity_slice(image, 150, 255, 0), words(lang, "[150, 255] -> 0, rest kept", "[150, 255] -> 0, 其余不变"))]
    curves = [(intensity_slice(LEVELS, 150, 255, 255, background=0), words(lang, "binary", "二值")),
              (intensity_slice(LEVELS, 150, 255, 0), words(lang, "preserving", "保留其余"))]
    return _transform_panels(image, outputs, curves, 8.0, lang=lang)


@caption("The 8 bit planes of camera, plane 7 first", zh="camera 的 8 个位平面，位平面 7 在前")
def bit_planes_figure(lang: str = "en"):
    """The 8 bit planes of `camera`, plane 7 (most significant) first."""
    image = small("camera", 160)
    planes = bit_planes(image)
    fig, axes = _grid(2, 4, 7.2)
    for ax, k in zip(axes.ravel(), range(7, -1, -1)):
        _show(ax, planes[k] * 255, words(lang, f"plane {k}", f"位平面 {k}"))
    return fig


@caption("camera rebuilt from its top 1, 2, 3 and 4 planes, and the error of the 4-plane version (the dropped low nibble, 0..15)",
         zh="由最高 1、2、3、4 个位平面重建的 camera，以及 4 个位平面版本的误差（被丢掉的低 4 位，0..15）")
def reconstruction_figure(lang: str = "en"):
    """`camera` rebuilt from its top 1, 2, 3, 4 planes, and the error of the 4-plane version."""
    image = small("camera", 192)
    planes = bit_planes(image)
    fig, axes = _grid(1, 5, 8.6)
    for ax, top in zip(axes[0], (1, 2, 3, 4)):
        _show(ax, from_bit_planes(planes, keep=range(8 - top, 8)), words(lang, f"planes 7..{8 - top}", f"位平面 7..{8 - top}"))
    error = image - from_bit_planes(planes, keep=range(4, 8))  # the low 4 bits: 0..15
    axes[0, 4].imshow(error, cmap="viridis", vmin=0, vmax=15, interpolation="none")
    axes[0, 4].set_title(words(lang, "error of 7..4 (0..15)", "7..4 的误差 (0..15)"), fontsize=8)
    axes[0, 4].set_axis_off()
    return fig


# ---------------------------------------------------------------- histograms
def _four_images(lang: str = "en"):
    camera = small("camera")
    return [(gamma_transform(camera, 2.5), words(lang, "dark", "偏暗")),
            (gamma_transform(camera, 0.35), words(lang, "light", "偏亮")),
            (low_contrast(camera), words(lang, "low contrast", "低对比度")), (camera, "camera")]


@caption("A dark (gamma 2.5), a light (gamma 0.35), a low-contrast (levels 90..165) version of camera, and camera itself, with their histograms",
         zh="camera 的偏暗（伽马 2.5）、偏亮（伽马 0.35）、低对比度（灰度级 90..165）版本和原图，以及它们的直方图")
def histograms_figure(lang: str = "en"):
    """Dark, light, low-contrast and original versions of `camera` with their histograms."""
    images = _four_images(lang)
    fig, axes = _grid(2, 4, 8.0, 4.2)
    for col, (image, title) in enumerate(images):
        _show(axes[0, col], image, title)
        _hist(axes[1, col], image)
    fig.tight_layout()
    return fig


@caption("The four images of the previous figure after equalize_hist, their histograms, and the four maps T(r)",
         zh="上图的四幅图像经 equalize_hist 处理后的结果、它们的直方图，以及四个映射 T(r)")
def equalized_figure(lang: str = "en"):
    """The same four images after equalize_hist, their histograms, and the four maps."""
    images = _four_images(lang)
    fig, axes = _grid(2, 5, 9.0, 4.0)
    for col, (image, title) in enumerate(images):
        out = equalize_hist(image)
        _show(axes[0, col], out, words(lang, f"{title}, equalized", f"{title}, 均衡化后"))
        _hist(axes[1, col], out)
    gs = axes[0, 4].get_gridspec()
    axes[0, 4].remove()
    axes[1, 4].remove()
    ax = fig.add_subplot(gs[:, 4])
    _curve(ax, *[(_lut_of(image), t) for image, t in images],
           title=words(lang, "s = T(r) per image", "各图像的 s = T(r)"), lang=lang)
    fig.tight_layout()
    return fig


def _lut_of(image: np.ndarray) -> np.ndarray:
    """The equalization LUT of ``image`` as a (1, 256) row (levels absent from it included)."""
    return equalization_map(histogram(image)).reshape(1, 256)


@caption("Textbook map minus OpenCV's map at each level present in camera, moon and coins: 0 or +1",
         zh="在 camera、moon 和 coins 中出现的每个灰度级上，教科书映射减去 OpenCV 映射的差：0 或 +1")
def library_luts_figure(lang: str = "en"):
    """Textbook LUT minus cv2.equalizeHist's LUT, per input level, on three images."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    for name in ("camera", "moon", "coins"):
        image = getattr(data, name)()
        lut = _lut_of(image).ravel().astype(int)
        counts = histogram(image)
        cdf = np.cumsum(counts)
        cdf_min = cdf[np.flatnonzero(counts)[0]]
        cv_lut = np.clip(np.rint(255 * (cdf - cdf_min) / (image.size - cdf_min)), 0, 255)
        present = counts > 0
        ax.plot(np.flatnonzero(present), (lut - cv_lut)[present], marker=".", linestyle="none",
                markersize=3, label=name)
    ax.set_xlabel(words(lang, "input level r (levels present in the image)", "输入灰度级 r (图像中出现的灰度级)"))
    ax.set_ylabel(words(lang, "textbook - cv2", "教科书 - cv2"))
    ax.set_yticks([-1, 0, 1])
    ax.grid(True, alpha=0.4)
    ax.legend(fontsize=8, frameon=False)
    return fig


@caption("moon matched to the histogram of coins, and the three CDFs", zh="把 moon 匹配到 coins 的直方图，以及三条 CDF")
def matching_figure(lang: str = "en"):
    """Matching `moon`'s histogram to `coins`': images and cumulative histograms."""
    source, reference = small("moon"), small("coins")
    matched = match_histograms(source, reference)
    fig, axes = _grid(1, 4, 8.6, 2.4)
    _show(axes[0, 0], source, words(lang, "moon (image)", "moon (原图像)"))
    _show(axes[0, 1], reference, words(lang, "coins (reference)", "coins (参考图像)"))
    _show(axes[0, 2], matched, words(lang, "moon matched to coins", "moon 匹配到 coins"))
    ax = axes[0, 3]
    for image, label in ((source, words(lang, "image", "原图像")), (reference, words(lang, "reference", "参考图像")),
                         (matched, words(lang, "matched", "匹配结果"))):
        ax.plot(np.cumsum(histogram(image)) / image.size, label=label)
    ax.set_xlim(0, 255)
    ax.set_title("CDF", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6, frameon=False)
    fig.tight_layout()
    return fig


@caption("Global equalization against CLAHE on moon: OpenCV's (clipLimit 2.0, 8 × 8 tiles) and scikit-image's (defaults), and where they differ",
         zh="moon 上的全局均衡化与 CLAHE 对比：OpenCV 的（clipLimit 2.0，8 × 8 分块）和 scikit-image 的（默认参数），以及两者不同之处")
def clahe_figure(lang: str = "en"):
    """Global equalization vs CLAHE (OpenCV and scikit-image defaults) on `moon`, and where the two CLAHEs differ."""
    image = data.moon()  # computed at full size (512 x 512), shrunk for display

    def shrink(x):
        return cv2.resize(x, (160, 160), interpolation=cv2.INTER_AREA)

    cv = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(image)
    sk = np.rint(255 * exposure.equalize_adapthist(image)).astype(np.uint8)  # clip_limit=0.01, kernel 1/8
    diff = np.abs(cv.astype(np.int16) - sk).astype(np.uint8)
    fig, axes = _grid(1, 5, 9.0)
    _show(axes[0, 0], shrink(image), "moon")
    _show(axes[0, 1], shrink(equalize_hist(image)), words(lang, "global equalization", "全局均衡化"))
    _show(axes[0, 2], shrink(cv), "cv2 CLAHE (2.0, 8x8)")
    _show(axes[0, 3], shrink(sk), "skimage CLAHE (0.01)")
    shown = axes[0, 4].imshow(shrink(diff), cmap="viridis", vmin=0, interpolation="none")
    fig.colorbar(shown, ax=axes[0, 4], fraction=0.046, pad=0.04).ax.tick_params(labelsize=6)
    axes[0, 4].set_title(words(lang, "|cv2 - skimage| (levels)", "|cv2 - skimage| (灰度级)"), fontsize=8)
    axes[0, 4].set_axis_off()
    return fig


# ---------------------------------------------------------------- interpolation, neighbours, distance
# Figures below accept lang="zh" for Chinese titles and labels; captions stay in the Markdown.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]


def _tr(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def zone_plate(size: int = 256) -> np.ndarray:
    """A generated zone plate: cos(pi k r^2) with local frequency k r cycles/pixel, 0.5 at r = size / 2."""
    y, x = np.mgrid[:size, :size] - (size - 1) / 2
    k = 0.5 / (size / 2)
    return np.rint(127.5 * (1 + np.cos(np.pi * k * (x**2 + y**2)))).astype(np.uint8)


@caption("Six output pixels sampling four input pixels. Half-pixel centres: the output spans the same extent as the input and the outer samples fall half a pixel outside the outer centres. align_corners=True: the first and last samples sit exactly on the corner centres, so the output grid is narrower than the input",
         zh="六个输出像素对四个输入像素采样。半像素中心：输出与输入覆盖相同的范围，最外侧的采样点落在最外侧像素中心之外半个像素处。align_corners=True：第一个和最后一个采样点恰好落在角点像素的中心上，因此输出网格比输入窄")
def coordinates_figure(lang: str = "en"):
    """Where 6 output pixels sample 4 input pixels: half-pixel centres vs align_corners=True."""
    import matplotlib.pyplot as plt

    from snippets.image.interpolation import source_coordinates

    n_in, n_out = 4, 6
    fig, axes = plt.subplots(2, 1, figsize=(7.0, 3.6), sharex=True)
    titles = [_tr(lang, "half-pixel centres: x = (d + 0.5) * 4/6 - 0.5 (image edges line up)",
                  "半像素中心：x = (d + 0.5) * 4/6 - 0.5（图像边缘对齐）"),
              _tr(lang, "align_corners=True: x = d * 3/5 (corner pixel centres line up)",
                  "align_corners=True：x = d * 3/5（角点像素中心对齐）")]
    for ax, align, title in zip(axes, (False, True), titles):
        x = source_coordinates(n_in, n_out, align_corners=align)
        width = 1.0 if not align else (n_in - 1) / (n_out - 1)  # output pixel size in input units
        for i in range(n_in):  # input pixels: unit cells centred on 0..3
            ax.add_patch(Rectangle((i - 0.5, 1.0), 1, 0.8, fill=False, edgecolor="C0", linewidth=1.5))
            ax.plot(i, 1.4, marker="o", color="C0", markersize=5)
        for d, xd in enumerate(x):  # output pixels, drawn in input coordinates
            step = n_in / n_out if not align else width
            ax.add_patch(Rectangle((xd - step / 2, 0.0), step, 0.5, fill=False, edgecolor="C1",
                                   linestyle="--", linewidth=1.2))
            ax.annotate("", xy=(xd, 1.0), xytext=(xd, 0.5),
                        arrowprops={"arrowstyle": "->", "color": "C1", "linewidth": 1})
            ax.text(xd, 0.25, f"{xd:.2f}", ha="center", va="center", fontsize=7)
        ax.text(-0.75, 1.4, _tr(lang, "input", "输入"), ha="right", va="center", fontsize=8)
        ax.text(-0.75, 0.25, _tr(lang, "output", "输出"), ha="right", va="center", fontsize=8)
        ax.set_title(title, fontsize=8)
        ax.set_ylim(-0.1, 1.9)
        ax.set_xlim(-1.6, 3.7)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    axes[1].set_xlabel(_tr(lang, "input coordinate x (pixel centres at 0, 1, 2, 3)",
                           "输入坐标 x（像素中心位于 0、1、2、3）"), fontsize=8)
    fig.tight_layout()
    return fig


@caption("The kernels: nearest (box), bilinear (tent), Keys' cubic with a = −0.75 and with a = −0.5; the cubic kernels dip below zero between 1 and 2, which sharpens edges",
         zh="各个核函数：最近邻（盒函数）、双线性（三角核）、a = −0.75 和 a = −0.5 的 Keys 三次核；三次核在 1 与 2 之间降到零以下，这会使边缘变得更锐利")
def kernels_figure(lang: str = "en"):
    """The interpolation kernels: nearest (box), bilinear (tent), Keys cubic a = -0.75 and a = -0.5."""
    import matplotlib.pyplot as plt

    from snippets.image.interpolation import keys_cubic

    t = np.linspace(-2.5, 2.5, 1001)
    fig, ax = plt.subplots(figsize=(5.6, 2.8))
    ax.plot(t, np.where(np.abs(t) < 0.5, 1.0, 0.0), color=OKABE_ITO[4], linestyle=":",
            label=_tr(lang, "nearest (box)", "最近邻（盒函数）"))
    ax.plot(t, np.clip(1 - np.abs(t), 0, None), color=OKABE_ITO[0], linestyle="--",
            label=_tr(lang, "bilinear (tent)", "双线性（三角核）"))
    ax.plot(t, keys_cubic(t), color=OKABE_ITO[5], linestyle="-",
            label=_tr(lang, "bicubic, Keys a = -0.75 (OpenCV, torch)", "双三次，Keys a = -0.75（OpenCV、torch）"))
    ax.plot(t, keys_cubic(t, a=-0.5), color=OKABE_ITO[2], linestyle="-.",
            label=_tr(lang, "bicubic, a = -0.5 (PIL)", "双三次，a = -0.5（PIL）"))
    ax.axhline(0, color="gray", linewidth=0.6)
    ax.set_xlabel(_tr(lang, "distance t from the sample point (pixels)", "到采样点的距离 t（像素）"), fontsize=8)
    ax.set_ylabel(_tr(lang, "weight W(t)", "权重 W(t)"), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


@caption("A 24 × 24 patch of camera enlarged 8 times: nearest shows blocks, bilinear is smooth but soft, bicubic is sharper",
         zh="camera 中一块 24 × 24 的图像块放大 8 倍：最近邻出现块状，双线性平滑但偏软，双三次更锐利")
def upscale_figure(lang: str = "en"):
    """A 24 x 24 patch of `camera` enlarged 8 times by nearest, bilinear and bicubic."""
    from snippets.image.interpolation import resize

    patch = data.camera()[140:164, 250:274]  # the camera body: edges and a flat area
    fig, axes = _grid(1, 4, 8.4)
    _show(axes[0, 0], patch, _tr(lang, "patch, 24 x 24", "图像块，24 x 24"))
    names = {"nearest": "最近邻", "bilinear": "双线性", "bicubic": "双三次"}
    for ax, method in zip(axes[0, 1:], ("nearest", "bilinear", "bicubic")):
        _show(ax, resize(patch, (192, 192), method), _tr(lang, f"{method}, 192 x 192", f"{names[method]}，192 x 192"))
    return fig


@caption("A 256 × 256 zone plate shrunk to 64 × 64: nearest and bilinear without a filter show false rings where the input is too fine; scikit-image's anti_aliasing=True (a Gaussian first) leaves flat grey there; cv2's INTER_AREA (a box average) leaves faint rings",
         zh="256 × 256 的波带片缩小到 64 × 64：不加滤波的最近邻和双线性在输入过于精细的地方出现虚假的环纹；scikit-image 的 anti_aliasing=True（先做高斯模糊）在那里留下均匀的灰色；cv2 的 INTER_AREA（盒式平均）留下微弱的环纹")
def aliasing_figure(lang: str = "en"):
    """A zone plate shrunk 4 times without a low-pass filter (aliasing rings) and with one."""
    from skimage.transform import resize as sk_resize

    from snippets.image.interpolation import resize

    image = zone_plate(256)
    shape = (64, 64)
    outputs = [
        (resize(image, shape, "nearest"), _tr(lang, "nearest, no filter", "最近邻，无滤波")),
        (resize(image, shape, "bilinear"), _tr(lang, "bilinear, no filter", "双线性，无滤波")),
        (np.rint(sk_resize(image, shape, order=1, preserve_range=True, anti_aliasing=True)).astype(np.uint8),
         _tr(lang, "skimage, anti_aliasing=True", "skimage, anti_aliasing=True")),
        (cv2.resize(image, shape[::-1], interpolation=cv2.INTER_AREA), "cv2 INTER_AREA"),
    ]
    fig, axes = _grid(1, 5, 9.0)
    _show(axes[0, 0], image, _tr(lang, "zone plate, 256 x 256", "波带片，256 x 256"))
    for ax, (out, title) in zip(axes[0, 1:], outputs):
        _show(ax, out, title)
    return fig


@caption("The same 3 × 3 arrangement with its adjacency edges drawn: 4-adjacency leaves the bottom-right pixel unreachable, 8-adjacency makes a loop of three pixels, m-adjacency keeps exactly one path",
         zh="同一个 3 × 3 排列，画出了各自的邻接边：4 邻接下右下角的像素无法到达，8 邻接形成由三个像素构成的环路，m 邻接恰好只保留一条通路")
def adjacency_figure(lang: str = "en"):
    """The double-path arrangement: the 8-adjacency edges form a loop, the m-adjacency edges do not."""
    import matplotlib.pyplot as plt

    from snippets.image.connectivity import adjacent, neighbours

    image = np.array([[0, 1, 1], [0, 1, 0], [0, 0, 1]])
    fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.6))
    titles = {"4": _tr(lang, "4-adjacency", "4 邻接"), "8": _tr(lang, "8-adjacency: a loop", "8 邻接：出现环路"),
              "m": _tr(lang, "m-adjacency: one path", "m 邻接：只有一条通路")}
    styles = {"4": ("C0", "-"), "8": ("C1", "--"), "m": ("C2", "-")}
    for ax, kind in zip(axes, ("4", "8", "m")):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=2.5, interpolation="none")
        for (i, j), v in np.ndenumerate(image):
            ax.text(j + 0.3, i - 0.3, str(v), fontsize=7, ha="center", va="center",
                    color="black" if v == 0 else "white")
        for p in zip(*np.nonzero(image)):
            for q in neighbours(p, "8", image.shape):
                if p < q and adjacent(image, p, q, kind):
                    color, style = styles[kind]
                    ax.plot([p[1], q[1]], [p[0], q[0]], color=color, linestyle=style, linewidth=2.5,
                            marker="o", markersize=6)
        ax.set_title(titles[kind], fontsize=8)
        ax.set_xticks(range(3))
        ax.set_yticks(range(3))
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


@caption("Pass 1's provisional labels (8-connectivity) and pass 2's components for 4- and 8-connectivity: the U at the top left gets two provisional labels that pass 2 merges; diagonal touches join components only under 8-connectivity",
         zh="第一遍扫描的临时标记（8 连通），以及第二遍在 4 连通和 8 连通下得到的连通分量：左上方的 U 形得到两个临时标记，由第二遍合并；对角相接只有在 8 连通下才会把像素连成同一个分量")
def components_figure(lang: str = "en"):
    """Two-pass labelling of a small binary image: provisional labels of pass 1, final labels (4 and 8)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from snippets.image.connectivity import _SCANNED, _first_pass, label

    image = np.array([[1, 1, 0, 1, 1, 0, 0, 1, 0, 0],
                      [0, 1, 0, 0, 1, 0, 1, 0, 0, 1],
                      [0, 1, 1, 1, 1, 0, 0, 0, 1, 0],
                      [0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
                      [1, 1, 0, 1, 0, 1, 1, 1, 0, 1],
                      [1, 0, 0, 1, 0, 0, 1, 0, 0, 1],
                      [1, 1, 1, 1, 0, 0, 0, 0, 1, 1]], np.uint8)
    provisional, _, _ = _first_pass(image.astype(bool), _SCANNED[8])
    colours = ListedColormap(["#ffffff00"] + OKABE_ITO * 3)
    panels = [(provisional, provisional, _tr(lang, "pass 1: provisional labels (8)", "第一遍：临时标记（8 连通）"))]
    for c in (4, 8):
        labels, count = label(image, c)
        panels.append((labels, labels, _tr(lang, f"pass 2: {count} components ({c})",
                                           f"第二遍：{count} 个连通分量（{c} 连通）")))
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 2.6))
    for ax, (colour_by, numbers, title) in zip(axes, panels):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=4, interpolation="none")
        ax.imshow(np.ma.masked_equal(colour_by, 0), cmap=colours, vmin=0, vmax=len(colours.colors) - 1,
                  interpolation="none", alpha=0.85)
        for (i, j), v in np.ndenumerate(numbers):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="black")
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


@caption("Top: the three distance transforms around one zero pixel with the contours 2, 4, 6, 8 — a disk, a diamond, a square. Bottom: the transforms of the bundled horse silhouette",
         zh="上排：单个零像素周围的三种距离变换及等值线 2、4、6、8——圆盘、菱形和正方形。下排：自带的 horse 剪影的三种距离变换")
def distance_figure(lang: str = "en"):
    """Iso-distance shapes around one pixel (disk, diamond, square) and the three transforms of `horse`."""
    import matplotlib.pyplot as plt

    from snippets.image.distance import distance_transform

    point = np.ones((21, 21), np.uint8)
    point[10, 10] = 0
    horse = cv2.resize((~data.horse()).astype(np.uint8), (200, 164), interpolation=cv2.INTER_NEAREST)
    names = {"euclidean": ("Euclidean D_e", "欧氏距离 D_e"), "cityblock": ("city-block D_4", "城市街区距离 D_4"),
             "chessboard": ("chessboard D_8", "棋盘距离 D_8")}
    fig, axes = plt.subplots(2, 3, figsize=(8.4, 5.4))
    for col, metric in enumerate(("euclidean", "cityblock", "chessboard")):
        d = distance_transform(point, metric)
        ax = axes[0, col]
        ax.imshow(d, cmap="viridis", interpolation="none")
        ax.contour(d, levels=[2, 4, 6, 8], colors="white", linewidths=0.8)
        ax.set_title(_tr(lang, f"{names[metric][0]}, contours 2, 4, 6, 8", f"{names[metric][1]}，等值线 2、4、6、8"),
                     fontsize=8)
        ax.set_axis_off()
        ax = axes[1, col]
        shown = ax.imshow(distance_transform(horse, metric), cmap="viridis", interpolation="none")
        fig.colorbar(shown, ax=ax, fraction=0.04, pad=0.02).ax.tick_params(labelsize=6)
        ax.set_title(_tr(lang, f"horse, {names[metric][0]}", f"horse，{names[metric][1]}"), fontsize=8)
        ax.set_axis_off()
    fig.tight_layout()
    return fig


@caption("camera, its local mean and standard deviation (3 × 3), the pixels the rule selects, and the result beside global equalization and OpenCV's CLAHE",
         zh="camera、它的局部均值和局部标准差（3 × 3）、规则选中的像素，以及增强结果与全局均衡化和 OpenCV 的 CLAHE 的对比")
def local_stats_figure(lang: str = "en"):
    """Local-statistics enhancement of `camera` beside global equalization and CLAHE."""
    from snippets.image.local_stats import local_enhance, local_mean_var

    image = data.camera()  # computed at full size, shrunk for display

    def shrink(x):
        return cv2.resize(x, (192, 192), interpolation=cv2.INTER_AREA)

    mean, var = local_mean_var(image, 3)
    std = np.sqrt(var)
    chosen = (mean <= 0.4 * image.mean()) & (std >= 0.02 * image.std()) & (std <= 0.4 * image.std())
    panels = [
        (image, _tr(lang, "camera", "camera")),
        (np.clip(mean, 0, 255).astype(np.uint8), _tr(lang, "local mean m_S (3 x 3)", "局部均值 m_S (3 x 3)")),
        (np.clip(4 * std, 0, 255).astype(np.uint8), _tr(lang, "local std sigma_S (x 4)", "局部标准差 sigma_S (x 4)")),
        (chosen.astype(np.uint8) * 255, _tr(lang, "pixels scaled by C = 4", "乘以 C = 4 的像素")),
        (local_enhance(image), _tr(lang, "local statistics", "局部统计增强")),
        (equalize_hist(image), _tr(lang, "global equalization", "全局均衡化")),
        (cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(image), "CLAHE (cv2 2.0, 8 x 8)"),
    ]
    fig, axes = _grid(2, 4, 8.4)
    for ax, (out, title) in zip(axes.ravel(), panels):
        _show(ax, shrink(out), title)
    axes[1, 3].remove()
    fig.tight_layout()
    return fig
