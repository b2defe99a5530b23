"""Histograms, equalization and matching after Gonzalez & Woods, ch. 3.3.

dtype policy: images are grayscale ``uint8`` (ndarray[H, W]) with values in
0..levels-1; ``histogram`` returns int64 counts (ndarray[levels]); ``equalize_hist``
and ``match_histograms`` return new ``uint8`` images (scikit-image's twins return
float64). Inputs are never modified.

Twins: ``np.bincount`` / ``cv2.calcHist`` / ``skimage.exposure.histogram(...,
source_range='dtype')``; ``cv2.equalizeHist`` (within one level when the darkest
level is rare, see the article) and ``skimage.exposure.equalize_hist``;
``skimage.exposure.match_histograms``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np

from snippets.image._validate import check_image, check_levels
# --8<-- [end:imports]

__all__ = ["histogram", "equalization_map", "equalize_hist", "match_histograms"]

# every uint16 code 0..65535 seen as its two bytes (native byte order): shape (65536, 2)
_PAIRS = np.arange(65536, dtype=np.uint16).view(np.uint8).reshape(-1, 2)
_CHUNK = 1 << 20  # pixel pairs per bincount call: its int64 copy (8 MiB) stays in cache


# --8<-- [start:histogram]
def histogram(image: np.ndarray, levels: int = 256) -> np.ndarray:
    """Count of each intensity level 0..levels-1 in ``image`` (ndarray[H, W], uint8).

    Returns ndarray[levels], int64 — every level, even absent ones, unlike
    ``skimage.exposure.histogram``, which spans image.min()..image.max() unless
    ``source_range='dtype'``.
    """
    levels = check_levels(levels)
    check_image("image", image)
    flat = image.reshape(-1)
    if flat.size % 2 or not flat.flags.c_contiguous:
        counts = np.bincount(flat, minlength=256)  # plain path: h[r] = #{pixels == r}
    else:
        # fast path: count pixel *pairs* as uint16 codes (half as many items to
        # convert to intp), in cache-sized chunks, then fold the 256 x 256 table
        pairs = flat.view(np.uint16)
        table = np.zeros(65536, dtype=np.int64)
        for start in range(0, pairs.size, _CHUNK):
            table += np.bincount(pairs[start:start + _CHUNK], minlength=65536)
        # [first byte, second byte] (or swapped: same sums)
        table = table.reshape(256, 256)
        counts = table.sum(axis=0) + table.sum(axis=1)
    if counts[levels:].any():
        raise ValueError(
            f"image values must lie in 0..{levels - 1} for levels={levels}, "
            f"got max {int(image.max())}"
        )
    return counts[:levels]
# --8<-- [end:histogram]


# --8<-- [start:equalization_map]
def equalization_map(hist: np.ndarray) -> np.ndarray:
    """Textbook equalization map s_k = round((L - 1) * sum_{j<=k} n_j / N).

    hist (ndarray[L], non-negative counts, N = hist.sum() > 0). Returns ndarray[L],
    uint8 (L <= 256); rounding is half to even (np.rint).
    """
    hist = np.asarray(hist)
    if hist.ndim != 1 or not 2 <= hist.size <= 256:
        raise ValueError(f"hist must be 1-D with 2..256 bins, got shape {hist.shape}")
    if hist.dtype.kind not in "iuf" or (hist < 0).any() or hist.sum() <= 0:
        raise ValueError("hist must hold non-negative counts with a positive total")
    levels = hist.size
    cdf = np.cumsum(hist, dtype=np.float64) / hist.sum()  # sum_{j<=k} p_r(r_j)
    return np.rint((levels - 1) * cdf).astype(np.uint8)
# --8<-- [end:equalization_map]


# --8<-- [start:apply_lut]
def _apply_lut(image: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """``lut[image]`` for a 256-entry uint8 LUT: same result, half as many look-ups."""
    flat = image.reshape(-1)
    if flat.size % 2 or not flat.flags.c_contiguous:
        return lut[image]
    # look up two pixels at once: a 65536-entry LUT of byte pairs (128 KiB, fits in
    # cache)
    lut2 = lut[_PAIRS].reshape(-1).view(np.uint16)
    return lut2[flat.view(np.uint16)].view(np.uint8).reshape(image.shape)
# --8<-- [end:apply_lut]


# --8<-- [start:equalize_hist]
def equalize_hist(image: np.ndarray, levels: int = 256) -> np.ndarray:
    """Histogram equalization by the textbook formula s_k = round((L - 1) * cdf(r_k)).

    image (ndarray[H, W], uint8, values in 0..levels-1). Returns ndarray[H, W], uint8.
    """
    levels = check_levels(levels)
    lut = np.zeros(256, dtype=np.uint8)
    lut[:levels] = equalization_map(histogram(image, levels))
    return _apply_lut(image, lut)
# --8<-- [end:equalize_hist]


# --8<-- [start:match_histograms]
def match_histograms(image: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Histogram matching (specification): map each level r to the smallest level z
    whose reference CDF reaches the image CDF at r, z = min{z : G(z) >= T(r)}.

    image (ndarray[H, W], uint8), reference (ndarray[H', W'], uint8; any size).
    Returns ndarray[H, W], uint8 with levels taken from the reference.
    """
    check_image("image", image)
    check_image("reference", reference)
    n_img, n_ref = image.size, reference.size
    # compare the CDFs in integers: T(r) = c_img(r) / n_img, G(z) = c_ref(z) / n_ref
    cdf_img = np.cumsum(histogram(image)) * n_ref
    cdf_ref = np.cumsum(histogram(reference)) * n_img
    lut = np.searchsorted(cdf_ref, cdf_img, side="left").astype(np.uint8)
    return _apply_lut(image, lut)
# --8<-- [end:match_histograms]
