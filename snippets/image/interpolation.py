"""Resizing by nearest, bilinear and bicubic interpolation, Gonzalez & Woods ch. 2.4.4.

dtype policy: grayscale ``uint8`` in (ndarray[H, W]), new ``uint8`` out; the input is
never modified. Output pixel d of an axis samples the input at the source coordinate
x = (d + 0.5) * in_size / out_size - 0.5 (half-pixel centres); no anti-alias filter.

Twins: ``skimage.transform.resize``, ``cv2.resize`` and ``torch.nn.functional.interpolate``.
Nearest equals ``skimage.transform.resize(image, shape, order=0, preserve_range=True,
anti_aliasing=False)``; bilinear is within 1 level of ``cv2.resize(image, (W, H),
interpolation=cv2.INTER_LINEAR)``, bicubic within 2 of ``cv2.INTER_CUBIC``;
``interpolate(..., align_corners=False)`` maps coordinates the same way.
"""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np

from snippets.image._validate import check_image
# --8<-- [end:imports]

__all__ = ["source_coordinates", "keys_cubic", "resize", "METHODS"]

METHODS = ("nearest", "bilinear", "bicubic")


# --8<-- [start:source_coordinates]
def source_coordinates(in_size: int, out_size: int,
                       align_corners: bool = False) -> np.ndarray:
    """Input coordinate sampled by each output pixel d = 0..out_size-1 of one axis.

    Half-pixel centres (``align_corners=False``): pixel centres sit at d + 0.5, so
    x = (d + 0.5) * in_size / out_size - 0.5 and the image *edges* line up.
    ``align_corners=True``: x = d * (in_size - 1) / (out_size - 1), the *centres*
    of the corner pixels line up. Returns ndarray[out_size], float64.
    """
    d = np.arange(out_size, dtype=np.float64)
    if align_corners:
        scale = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        return d * scale
    return (d + 0.5) * (in_size / out_size) - 0.5
# --8<-- [end:source_coordinates]


# --8<-- [start:keys_cubic]
def keys_cubic(t: np.ndarray, a: float = -0.75) -> np.ndarray:
    """Keys' cubic convolution kernel W(t); a = -0.75 as in OpenCV and torch
    (PIL uses -0.5). W(0) = 1, W(+-1) = W(+-2) = 0, zero for |t| >= 2."""
    t = np.abs(np.asarray(t, dtype=np.float64))
    near = ((a + 2) * t - (a + 3)) * t**2 + 1  # |t| <= 1
    far = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a  # 1 < |t| < 2
    return np.where(t <= 1, near, np.where(t < 2, far, 0.0))
# --8<-- [end:keys_cubic]


# --8<-- [start:taps]
def _taps(in_size: int, out_size: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Input indices and weights of each output pixel of one axis: (out_size, taps)."""
    x = source_coordinates(in_size, out_size)
    if method == "nearest":  # the closest centre; a tie (x = k + 0.5) goes up
        index = np.floor(x + 0.5)[:, None]
        return np.clip(index, 0, in_size - 1).astype(np.intp), np.ones_like(index)
    if method == "bilinear":
        offsets = np.arange(2)  # the neighbours floor(x) and floor(x) + 1
        weight = lambda f: 1 - np.abs(f)  # noqa: E731 - the triangle (tent) kernel
    else:  # bicubic: floor(x) - 1 .. floor(x) + 2, Keys' kernel
        offsets = np.arange(-1, 3)
        weight = keys_cubic
    left = np.floor(x)[:, None]
    index = left + offsets  # (out_size, taps)
    w = weight(x[:, None] - index)
    # indices beyond the border repeat the edge pixel (OpenCV's BORDER_REPLICATE);
    # for bilinear that is OpenCV's clamping of x into [0, in_size - 1]
    return np.clip(index, 0, in_size - 1).astype(np.intp), w
# --8<-- [end:taps]


def _check_resize(image: object, shape: object, method: object) -> tuple[int, int]:
    check_image("image", image)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if (not isinstance(shape, (tuple, list)) or len(shape) != 2
            or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape)):
        raise ValueError(f"shape must be (height, width), two ints, got {shape!r}")
    if min(shape) < 1:
        raise ValueError(f"shape must be positive, got {tuple(shape)}")
    return int(shape[0]), int(shape[1])


# --8<-- [start:resize]
def resize(image: np.ndarray, shape: tuple[int, int],
           method: str = "bilinear") -> np.ndarray:
    """Resize ``image`` (ndarray[H, W], uint8) to ``shape`` = (height, width).

    method: "nearest", "bilinear" or "bicubic", with half-pixel centres. Separable:
    interpolate along the rows' axis, then along the columns', in float64; round once.
    Returns ndarray[height, width], uint8.
    """
    height, width = _check_resize(image, shape, method)
    out = image.astype(np.float64)
    for axis, size in ((0, height), (1, width)):
        index, w = _taps(out.shape[axis], size, method)
        picked = np.take(out, index, axis=axis)  # axis becomes (size, taps)
        w = w.reshape(w.shape + (1,) * (out.ndim - 1 - axis))
        out = (picked * w).sum(axis=axis + 1)  # weighted sum over the taps
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
# --8<-- [end:resize]
