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

from snippets._figure import caption

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


def _curve(ax, *curves: tuple[np.ndarray, str], title: str = "transfer curve") -> None:
    for lut, label in curves:
        ax.plot(np.arange(256), lut.ravel(), label=label)
    ax.plot([0, 255], [0, 255], linestyle=":", color="gray", linewidth=1)
    ax.set_xlim(0, 255)
    ax.set_ylim(0, 255)
    ax.set_aspect("equal")
    ax.set_xlabel("input r", fontsize=8)
    ax.set_ylabel("output s", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=8)
    if any(label for _, label in curves):
        ax.legend(fontsize=6, frameon=False)


def _hist(ax, image: np.ndarray, title: str = "") -> None:
    ax.stairs(histogram(image), np.arange(257), fill=True, color="C0")  # one path, not 256 bars
    ax.set_xlim(0, 255)
    ax.set_yticks([])
    ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=8)


# ---------------------------------------------------------------- representation
@caption("A 256 × 256 `camera` with an 8 × 8 patch and its values; numpy indexes (row, col), OpenCV's x runs along the columns")
def matrix_figure():
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
    left.text(64, 8, "col j (OpenCV x)", color="C1", fontsize=7, va="center")
    left.text(8, 64, "row i\n(OpenCV y)", color="C1", fontsize=7, ha="center", va="top")
    right.imshow(patch, cmap="gray", vmin=0, vmax=255, interpolation="none")
    for (i, j), v in np.ndenumerate(patch):
        right.text(j, i, str(v), ha="center", va="center", fontsize=6,
                   color="black" if v > 127 else "white")
    right.set_xticks(range(8), [str(c0 + j) for j in range(8)], fontsize=6)
    right.set_yticks(range(8), [str(r0 + i) for i in range(8)], fontsize=6)
    right.set_xlabel("column index (numpy axis 1)", fontsize=8)
    right.set_ylabel("row index (numpy axis 0)", fontsize=8)
    right.set_title(f"image[{r0}:{r0 + 8}, {c0}:{c0 + 8}]", fontsize=8)
    return fig


@caption("camera (256 × 256) sampled every 1, 2, 4, 8 and 16 pixels and shown at one size: detail goes first, then edges turn into blocks")
def sampling_figure():
    """Spatial resolution: `camera` sampled every 1, 2, 4, 8, 16 pixels, shown at one size."""
    image = small("camera", 256)
    factors = [1, 2, 4, 8, 16]
    fig, axes = _grid(1, len(factors), 8.0)
    for ax, f in zip(axes[0], factors):
        sub = downsample(image, f)
        _show(ax, sub, f"factor {f}: {sub.shape[0]} x {sub.shape[1]}")
    return fig


@caption("camera with k = 8, 5, 4, 3, 2, 1 bits: from about 16 levels down, smooth areas (the sky) break into false contours")
def quantization_figure():
    """Intensity resolution: `camera` with 256, 32, 16, 8, 4, 2 levels (false contours appear)."""
    image = small("camera", 192)
    bits = [8, 5, 4, 3, 2, 1]
    fig, axes = _grid(1, len(bits), 8.4)
    for ax, k in zip(axes[0], bits):
        _show(ax, quantize(image, k), f"k = {k}: L = {2**k}")
    return fig


# ---------------------------------------------------------------- intensity transforms
@caption("The basic transfer curves for L = 256; the dotted line is the identity. scikit-image's adjust_log is a much weaker curve than the book's log")
def curves_figure():
    """The basic transfer curves: identity, negative, log, and power laws."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    _curve(ax, (negative(LEVELS), "negative"), (log_transform(LEVELS), "log, c = 255/ln 256"),
           (gamma_transform(LEVELS, 0.4), "gamma 0.4"), (gamma_transform(LEVELS, 2.5), "gamma 2.5"),
           (exposure.adjust_log(LEVELS), "skimage adjust_log"), title="s = T(r), L = 256")
    return fig


def _transform_panels(image, outputs, curves, width=7.6):
    fig, axes = _grid(1, 2 + len(outputs), width, width / (2 + len(outputs)) * 1.25)
    _curve(axes[0, 0], *curves)
    _show(axes[0, 1], image, "input")
    for ax, (out, title) in zip(axes[0, 2:], outputs):
        _show(ax, out, title)
    fig.tight_layout()
    return fig


@caption("Transfer curve of the negative and its effect on camera")
def negative_figure():
    """Negative of `camera`."""
    image = small("camera")
    return _transform_panels(image, [(negative(image), "negative")], [(negative(LEVELS), "")], 6.0)


@caption("Log transform: a Fourier spectrum scaled linearly is one bright dot; c·log(1 + |F|) shows its structure. On moon it lifts the dark levels")
def spectrum_figure():
    """Log transform of a Fourier spectrum (generated from `camera`) and of `moon`."""
    image = small("camera", 160).astype(np.float64)
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2(image)))
    linear = np.rint(255 * spectrum / spectrum.max()).astype(np.uint8)
    moon = small("moon")
    fig, axes = _grid(1, 5, 8.6, 2.3)
    _curve(axes[0, 0], (log_transform(LEVELS), "c = 255/ln 256"))
    _show(axes[0, 1], linear, "|F| scaled linearly")
    _show(axes[0, 2], log_transform(spectrum), "c log(1 + |F|)")
    _show(axes[0, 3], moon, "moon")
    _show(axes[0, 4], log_transform(moon), "log of moon")
    fig.tight_layout()
    return fig


@caption("Power-law curves; gamma 0.4 brightens moon, gamma 3.0 darkens camera and brings out the sky's gradations")
def gamma_figure():
    """Power-law transforms: gamma < 1 brightens `moon`, gamma > 1 darkens `camera`'s sky."""
    moon, camera = small("moon"), small("camera")
    fig, axes = _grid(1, 5, 8.6, 2.3)
    _curve(axes[0, 0], *[(gamma_transform(LEVELS, g), f"gamma {g}") for g in (0.4, 0.6, 1.5, 3.0)])
    _show(axes[0, 1], moon, "moon")
    _show(axes[0, 2], gamma_transform(moon, 0.4), "gamma 0.4")
    _show(axes[0, 3], camera, "camera")
    _show(axes[0, 4], gamma_transform(camera, 3.0), "gamma 3.0")
    fig.tight_layout()
    return fig


@caption("Stretching a generated low-contrast image (levels 90..165): to the full range, with a steeper S-shaped map, and as a threshold")
def stretch_figure():
    """Contrast stretching of a low-contrast image: full-range, S-shaped, thresholding."""
    image = low_contrast(small("camera"))
    lo, hi = int(image.min()), int(image.max())
    settings = [((lo, 0, hi, 255), f"({lo},0),({hi},255)"), ((110, 30, 150, 225), "(110,30),(150,225)"),
                ((128, 0, 128, 255), "threshold r1=r2=128")]
    outputs = [(contrast_stretch(image, *p), t) for p, t in settings]
    curves = [(contrast_stretch(LEVELS, *p), t) for p, t in settings]
    return _transform_panels(image, outputs, curves, 8.6)


@caption("Slicing the band 150..255 of coins: binary, and set to black with the rest kept")
def slicing_figure():
    """Intensity-level slicing of `coins`: binary and preserving the rest."""
    image = small("coins")
    outputs = [(intensity_slice(image, 150, 255, 255, background=0), "[150, 255] -> 255, rest -> 0"),
               (intensity_slice(image, 150, 255, 0), "[150, 255] -> 0, rest kept")]
    curves = [(intensity_slice(LEVELS, 150, 255, 255, background=0), "binary"),
              (intensity_slice(LEVELS, 150, 255, 0), "preserving")]
    return _transform_panels(image, outputs, curves, 8.0)


@caption("The 8 bit planes of camera, plane 7 first")
def bit_planes_figure():
    """The 8 bit planes of `camera`, plane 7 (most significant) first."""
    image = small("camera", 160)
    planes = bit_planes(image)
    fig, axes = _grid(2, 4, 7.2)
    for ax, k in zip(axes.ravel(), range(7, -1, -1)):
        _show(ax, planes[k] * 255, f"plane {k}")
    return fig


@caption("camera rebuilt from its top 1, 2, 3 and 4 planes, and the error of the 4-plane version (the dropped low nibble, 0..15)")
def reconstruction_figure():
    """`camera` rebuilt from its top 1, 2, 3, 4 planes, and the error of the 4-plane version."""
    image = small("camera", 192)
    planes = bit_planes(image)
    fig, axes = _grid(1, 5, 8.6)
    for ax, top in zip(axes[0], (1, 2, 3, 4)):
        _show(ax, from_bit_planes(planes, keep=range(8 - top, 8)), f"planes 7..{8 - top}")
    error = image - from_bit_planes(planes, keep=range(4, 8))  # the low 4 bits: 0..15
    axes[0, 4].imshow(error, cmap="viridis", vmin=0, vmax=15, interpolation="none")
    axes[0, 4].set_title("error of 7..4 (0..15)", fontsize=8)
    axes[0, 4].set_axis_off()
    return fig


# ---------------------------------------------------------------- histograms
def _four_images():
    camera = small("camera")
    return [(gamma_transform(camera, 2.5), "dark"), (gamma_transform(camera, 0.35), "light"),
            (low_contrast(camera), "low contrast"), (camera, "camera")]


@caption("A dark (gamma 2.5), a light (gamma 0.35), a low-contrast (levels 90..165) version of camera, and camera itself, with their histograms")
def histograms_figure():
    """Dark, light, low-contrast and original versions of `camera` with their histograms."""
    images = _four_images()
    fig, axes = _grid(2, 4, 8.0, 4.2)
    for col, (image, title) in enumerate(images):
        _show(axes[0, col], image, title)
        _hist(axes[1, col], image)
    fig.tight_layout()
    return fig


@caption("The four images of the previous figure after equalize_hist, their histograms, and the four maps T(r)")
def equalized_figure():
    """The same four images after equalize_hist, their histograms, and the four maps."""
    images = _four_images()
    fig, axes = _grid(2, 5, 9.0, 4.0)
    for col, (image, title) in enumerate(images):
        out = equalize_hist(image)
        _show(axes[0, col], out, f"{title}, equalized")
        _hist(axes[1, col], out)
    gs = axes[0, 4].get_gridspec()
    axes[0, 4].remove()
    axes[1, 4].remove()
    ax = fig.add_subplot(gs[:, 4])
    _curve(ax, *[(_lut_of(image), t) for image, t in images], title="s = T(r) per image")
    fig.tight_layout()
    return fig


def _lut_of(image: np.ndarray) -> np.ndarray:
    """The equalization LUT of ``image`` as a (1, 256) row (levels absent from it included)."""
    return equalization_map(histogram(image)).reshape(1, 256)


@caption("Textbook map minus OpenCV's map at each level present in camera, moon and coins: 0 or +1")
def library_luts_figure():
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
    ax.set_xlabel("input level r (levels present in the image)")
    ax.set_ylabel("textbook - cv2")
    ax.set_yticks([-1, 0, 1])
    ax.grid(True, alpha=0.4)
    ax.legend(fontsize=8, frameon=False)
    return fig


@caption("moon matched to the histogram of coins, and the three CDFs")
def matching_figure():
    """Matching `moon`'s histogram to `coins`': images and cumulative histograms."""
    source, reference = small("moon"), small("coins")
    matched = match_histograms(source, reference)
    fig, axes = _grid(1, 4, 8.6, 2.4)
    _show(axes[0, 0], source, "moon (image)")
    _show(axes[0, 1], reference, "coins (reference)")
    _show(axes[0, 2], matched, "moon matched to coins")
    ax = axes[0, 3]
    for image, label in ((source, "image"), (reference, "reference"), (matched, "matched")):
        ax.plot(np.cumsum(histogram(image)) / image.size, label=label)
    ax.set_xlim(0, 255)
    ax.set_title("CDF", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6, frameon=False)
    fig.tight_layout()
    return fig


@caption("Global equalization against CLAHE on moon: OpenCV's (clipLimit 2.0, 8 × 8 tiles) and scikit-image's (defaults), and where they differ")
def clahe_figure():
    """Global equalization vs CLAHE (OpenCV and scikit-image defaults) on `moon`, and where the two CLAHEs differ."""
    image = data.moon()  # computed at full size (512 x 512), shrunk for display

    def shrink(x):
        return cv2.resize(x, (160, 160), interpolation=cv2.INTER_AREA)

    cv = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(image)
    sk = np.rint(255 * exposure.equalize_adapthist(image)).astype(np.uint8)  # clip_limit=0.01, kernel 1/8
    diff = np.abs(cv.astype(np.int16) - sk).astype(np.uint8)
    fig, axes = _grid(1, 5, 9.0)
    _show(axes[0, 0], shrink(image), "moon")
    _show(axes[0, 1], shrink(equalize_hist(image)), "global equalization")
    _show(axes[0, 2], shrink(cv), "cv2 CLAHE (2.0, 8x8)")
    _show(axes[0, 3], shrink(sk), "skimage CLAHE (0.01)")
    shown = axes[0, 4].imshow(shrink(diff), cmap="viridis", vmin=0, interpolation="none")
    fig.colorbar(shown, ax=axes[0, 4], fraction=0.046, pad=0.04).ax.tick_params(labelsize=6)
    axes[0, 4].set_title("|cv2 - skimage| (levels)", fontsize=8)
    axes[0, 4].set_axis_off()
    return fig
