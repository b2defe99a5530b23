"""Sampling (spatial resolution) and quantization (intensity resolution), Gonzalez & Woods ch. 2.4.

dtype policy: ``uint8`` in, ``uint8`` out; ``downsample`` accepts (H, W) or (H, W, C),
``quantize`` a grayscale (H, W) image. Inputs are never modified.
An M x N image with k bits per pixel (L = 2^k levels) needs b = M * N * k bits.

Twins: ``cv2.resize(image, (W // f, H // f), interpolation=cv2.INTER_NEAREST)``
(equal to ``downsample`` when f divides H and W); quantization: keeping the top
``bits`` bit planes, ``(image >> (8 - bits)) << (8 - bits)``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np

from snippets.image._validate import check_image
# --8<-- [end:imports]

__all__ = ["downsample", "quantize", "storage_bits"]


# --8<-- [start:downsample]
def downsample(image: np.ndarray, factor: int) -> np.ndarray:
    """Keep every ``factor``-th row and column: g[i, j] = f[factor * i, factor * j].

    image (ndarray[H, W] or ndarray[H, W, C], uint8). Returns
    ndarray[ceil(H / factor), ceil(W / factor)(, C)], uint8 (a copy). No low-pass
    filter first, so fine detail can alias.
    """
    check_image("image", image, gray=False)
    if (
        isinstance(factor, bool)
        or not isinstance(factor, (int, np.integer))
        or factor < 1
    ):
        raise ValueError(f"factor must be a positive int, got {factor!r}")
    return image[::factor, ::factor].copy()
# --8<-- [end:downsample]


# --8<-- [start:quantize]
def quantize(image: np.ndarray, bits: int) -> np.ndarray:
    """Requantize to L = 2^bits levels, shown on the full 0..255 range.

    Level q = r >> (8 - bits) (keep the top ``bits`` bits), displayed as
    round(q * 255 / (L - 1)) so that 1 bit gives a black-and-white image.
    image (ndarray[H, W], uint8); bits in 1..8. Returns ndarray[H, W], uint8.
    """
    check_image("image", image)
    if (
        isinstance(bits, bool)
        or not isinstance(bits, (int, np.integer))
        or not 1 <= bits <= 8
    ):
        raise ValueError(f"bits must be an int in 1..8, got {bits!r}")
    levels = 2**bits
    q = np.arange(256) >> (8 - bits)  # level index 0..L-1 of each input level
    lut = np.rint(q * 255 / (levels - 1)).astype(np.uint8)
    return lut[image]
# --8<-- [end:quantize]


# --8<-- [start:storage_bits]
def storage_bits(M: int, N: int, k: int) -> int:
    """Bits needed by an M x N image with k bits per pixel: b = M * N * k."""
    for name, value in (("M", M), ("N", N), ("k", k)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, np.integer))
            or value < 1
        ):
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(M) * int(N) * int(k)
# --8<-- [end:storage_bits]
