"""Point (intensity) transforms s = T(r) after Gonzalez & Woods, ch. 3.2.

dtype policy: every function takes a grayscale ``uint8`` image (ndarray[H, W]) and
returns a new ``uint8`` image of the same shape; the input is never modified.
Exceptions, stated per function: ``log_transform`` also accepts a non-negative
float image (e.g. a Fourier spectrum) and ``bit_planes`` returns ndarray[8, H, W]
of 0/1 values. ``levels`` (L, default 256) is the number of intensity levels; the
values of the image must lie in 0..L-1. Every transform is built as a look-up
table (LUT) of L entries and applied with ``lut[image]``.

Twins: ``skimage.exposure.adjust_gamma`` (equal on uint8), ``skimage.exposure.rescale_intensity``
(min-max stretching; it truncates where we round, so within one level), ``skimage.util.invert`` (negative),
``np.unpackbits`` (bit planes).
"""

# --8<-- [start:imports]
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from snippets.image._validate import check_image, check_level, check_levels
# --8<-- [end:imports]

__all__ = [
    "negative",
    "log_transform",
    "gamma_transform",
    "contrast_stretch",
    "intensity_slice",
    "bit_planes",
    "from_bit_planes",
]


# --8<-- [start:negative]
def negative(image: np.ndarray, levels: int = 256) -> np.ndarray:
    """Image negative s = (L - 1) - r.

    image (ndarray[H, W], uint8) with values in 0..levels-1. Returns ndarray[H, W],
    uint8.
    """
    levels = check_levels(levels)
    check_image("image", image, levels=levels)
    lut = (levels - 1 - np.arange(levels)).astype(np.uint8)
    return lut[image]
# --8<-- [end:negative]


# --8<-- [start:log_transform]
def log_transform(image: np.ndarray, c: float | None = None) -> np.ndarray:
    """Log transform s = c * log(1 + r) (natural log), rounded and clipped to 0..255.

    image: ndarray[H, W], uint8, or a non-negative float array (e.g. |FFT|).
    c: default scales the largest possible input to 255 — 255 / log(256) for
    uint8, 255 / log(1 + image.max()) for floats. Returns ndarray[H, W], uint8.
    """
    if isinstance(image, np.ndarray) and image.dtype.kind == "f":
        if image.ndim != 2 or image.size == 0:
            raise ValueError(
                f"image must be a non-empty 2-D array (H, W), got shape {image.shape}"
            )
        if not np.all(np.isfinite(image)) or image.min() < 0:
            raise ValueError(
                "image must be finite and non-negative for log(1 + r), got negative or "
                "non-finite values"
            )
        r, r_max = image.astype(np.float64), float(image.max())
    else:
        check_image("image", image)
        # uint8: build a 256-entry LUT
        r, r_max = (np.arange(256, dtype=np.float64), 255.0)
    if c is None:
        c = 255.0 / np.log1p(r_max) if r_max > 0 else 1.0
    elif c < 0:
        raise ValueError(f"c must be non-negative, got {c}")
    s = np.clip(np.rint(c * np.log1p(r)), 0, 255).astype(np.uint8)
    return s if image.dtype.kind == "f" else s[image]
# --8<-- [end:log_transform]


# --8<-- [start:gamma_transform]
def gamma_transform(image: np.ndarray, gamma: float, c: float = 1.0) -> np.ndarray:
    """Power-law (gamma) transform on normalized intensities: s = (L-1) * c * (r /
    (L-1))^gamma.

    Rounded half to even and clipped to 255, exactly as
    ``skimage.exposure.adjust_gamma``
    (``c`` is its ``gain``). gamma < 1 brightens dark regions, gamma > 1 darkens.
    image (ndarray[H, W], uint8). Returns ndarray[H, W], uint8.
    """
    check_image("image", image)
    if not np.isfinite(gamma) or gamma < 0:
        raise ValueError(f"gamma must be a non-negative real number, got {gamma}")
    if not np.isfinite(c) or c < 0:
        raise ValueError(f"c must be non-negative, got {c}")
    # r / (L - 1) for every level, as linspace (the same floats skimage uses)
    r = np.linspace(0.0, 1.0, 256)
    lut = np.minimum(np.rint(255.0 * c * r**gamma), 255).astype(np.uint8)
    return lut[image]
# --8<-- [end:gamma_transform]


# --8<-- [start:contrast_stretch]
def contrast_stretch(
    image: np.ndarray, r1: int, s1: int, r2: int, s2: int
) -> np.ndarray:
    """Piecewise-linear stretch through (0, 0), (r1, s1), (r2, s2), (255, 255), rounded.

    Needs r1 <= r2 (and s1 <= s2 to keep the map monotonic). r1 = r2, s1 = 0,
    s2 = 255 is thresholding; (r_min, 0), (r_max, 255) is a full-range stretch.
    image (ndarray[H, W], uint8). Returns ndarray[H, W], uint8.
    """
    check_image("image", image)
    r1, s1, r2, s2 = (
        check_level(n, v) for n, v in (("r1", r1), ("s1", s1), ("r2", r2), ("s2", s2))
    )
    if r1 > r2:
        raise ValueError(f"r1 must be <= r2, got r1={r1}, r2={r2}")
    if s1 > s2:
        raise ValueError(f"s1 must be <= s2 for a monotonic map, got s1={s1}, s2={s2}")
    r = np.arange(256, dtype=np.float64)
    lut = np.empty(256)
    low, mid, high = r <= r1, (r > r1) & (r <= r2), r > r2
    # segment 1: (0, 0) -> (r1, s1); r1 = 0 maps level 0 straight to s1
    lut[low] = s1 * r[low] / r1 if r1 > 0 else s1
    # segment 2: (r1, s1) -> (r2, s2); empty when r1 == r2 (thresholding)
    lut[mid] = s1 + (s2 - s1) * (r[mid] - r1) / max(r2 - r1, 1)
    # segment 3: (r2, s2) -> (255, 255)
    lut[high] = s2 + (255 - s2) * (r[high] - r2) / max(255 - r2, 1)
    return np.rint(lut).astype(np.uint8)[image]
# --8<-- [end:contrast_stretch]


# --8<-- [start:intensity_slice]
def intensity_slice(
    image: np.ndarray,
    low: int,
    high: int,
    value: int = 255,
    background: int | None = None,
) -> np.ndarray:
    """Intensity-level slicing: set levels in [low, high] to ``value``.

    Other levels become ``background`` (binary slicing) or, with ``background=None``,
    stay as they are (slicing that preserves the rest of the image).
    image (ndarray[H, W], uint8). Returns ndarray[H, W], uint8.
    """
    check_image("image", image)
    low, high, value = (
        check_level("low", low),
        check_level("high", high),
        check_level("value", value),
    )
    if low > high:
        raise ValueError(f"low must be <= high, got low={low}, high={high}")
    r = np.arange(256)
    lut = (
        r.copy()
        if background is None
        else np.full(256, check_level("background", background))
    )
    lut[(r >= low) & (r <= high)] = value
    return lut.astype(np.uint8)[image]
# --8<-- [end:intensity_slice]


# --8<-- [start:bit_planes]
def bit_planes(image: np.ndarray) -> np.ndarray:
    """Split ``image`` (ndarray[H, W], uint8) into its 8 bit planes.

    Returns ndarray[8, H, W], uint8 of 0/1; plane k holds bit k (k = 7 is the most
    significant), so ``planes[7] == (image >= 128)``.
    """
    check_image("image", image)
    # plane k = (r >> k) & 1, for k = 0..7 at once by broadcasting
    shifts = np.arange(8, dtype=np.uint8)[:, None, None]
    return (image[None] >> shifts) & 1
# --8<-- [end:bit_planes]


# --8<-- [start:from_bit_planes]
def from_bit_planes(
    planes: np.ndarray, keep: Iterable[int] | None = None
) -> np.ndarray:
    """Reassemble an image from bit planes: sum over k in ``keep`` of planes[k] * 2^k.

    planes (ndarray[8, H, W], 0/1 integers) as returned by ``bit_planes``; ``keep``:
    plane indices to use (default all 8, which reproduces the image exactly).
    Returns ndarray[H, W], uint8.
    """
    if not isinstance(planes, np.ndarray):
        raise TypeError(f"planes must be a numpy.ndarray, got {type(planes).__name__}")
    if planes.ndim != 3 or planes.shape[0] != 8:
        raise ValueError(f"planes must have shape (8, H, W), got {planes.shape}")
    if planes.dtype.kind not in "biu":
        raise TypeError(
            f"planes must have an integer or bool dtype, got {planes.dtype}"
        )
    if planes.size and (planes.min() < 0 or planes.max() > 1):
        raise ValueError("planes must hold only 0 and 1 values")
    keep = range(8) if keep is None else list(keep)
    for k in keep:
        check_level("keep entry", k, levels=8)
    out = np.zeros(planes.shape[1:], dtype=np.uint8)
    for k in sorted(set(keep)):
        out |= planes[k].astype(np.uint8) << np.uint8(k)
    return out
# --8<-- [end:from_bit_planes]
