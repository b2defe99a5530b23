"""Contrast-limited adaptive histogram equalization (CLAHE), following OpenCV's algorithm.

dtype policy: grayscale ``uint8`` in (ndarray[H, W]), new ``uint8`` out; the input is
never modified.

Twin: ``cv2.createCLAHE(clipLimit, tileGridSize).apply(image)``. Like OpenCV,
``tile_grid_size`` is (tiles along x = columns, tiles along y = rows).
``skimage.exposure.equalize_adapthist`` implements the same idea with other details
(see docs/image/histograms.md).
"""

# --8<-- [start:imports]
from __future__ import annotations

import numpy as np

from snippets.image._validate import check_image
# --8<-- [end:imports]

__all__ = ["clahe"]


# --8<-- [start:clahe]
def clahe(
    image: np.ndarray, clip_limit: float = 2.0, tile_grid_size: tuple[int, int] = (8, 8)
) -> np.ndarray:
    """CLAHE of ``image`` (ndarray[H, W], uint8). Returns ndarray[H, W], uint8.

    clip_limit: each tile's histogram is clipped at max(1, int(clip_limit * tile_pixels
    / 256))
    counts (relative to the mean bin height, as in OpenCV); 0 disables clipping (plain
    AHE).
    tile_grid_size: (tiles_x, tiles_y) — OpenCV's (width, height) order.
    """
    check_image("image", image)
    if not np.isfinite(clip_limit) or clip_limit < 0:
        raise ValueError(f"clip_limit must be a non-negative number, got {clip_limit}")
    tiles_x, tiles_y = (int(t) for t in tile_grid_size)
    if tiles_x < 1 or tiles_y < 1:
        raise ValueError(
            "tile_grid_size must hold two positive ints (tiles_x, tiles_y), got "
            f"{tile_grid_size}"
        )
    height, width = image.shape
    ext = image
    if height % tiles_y or width % tiles_x:
        # as OpenCV: pad bottom and right by reflection (BORDER_REFLECT_101) with
        # tiles - size % tiles on *both* axes — a whole extra tile where one axis
        # divided evenly
        pad = ((0, tiles_y - height % tiles_y), (0, tiles_x - width % tiles_x))
        ext = np.pad(image, pad, mode="reflect")
    th, tw = ext.shape[0] // tiles_y, ext.shape[1] // tiles_x
    area, n_tiles = th * tw, tiles_y * tiles_x

    # one 256-bin histogram per tile: `hist` (tiles_y * tiles_x, 256)
    tiles = (
        ext.reshape(tiles_y, th, tiles_x, tw)
        .transpose(0, 2, 1, 3)
        .reshape(n_tiles, area)
    )
    offsets = 256 * np.arange(n_tiles)[:, None]
    hist = np.bincount((tiles + offsets).ravel(), minlength=256 * n_tiles).reshape(
        n_tiles, 256
    )

    if clip_limit > 0:
        limit = max(int(clip_limit * area / 256), 1)
        excess = np.maximum(hist - limit, 0).sum(axis=1)
        hist = np.minimum(hist, limit)
        # hand the clipped counts back: evenly to all 256 bins, the remainder to every
        # step-th bin
        hist += (excess // 256)[:, None]
        for t, residual in enumerate(excess % 256):
            if residual:
                step = max(256 // residual, 1)
                hist[t, ::step][:residual] += 1

    # per-tile equalization map (rounded half to even, in float32 as OpenCV)
    scale = np.float32(255.0 / area)
    luts = np.clip(
        np.rint(np.cumsum(hist, axis=1).astype(np.float32) * scale), 0, 255
    ).astype(np.uint8)
    luts = luts.reshape(tiles_y, tiles_x, 256)

    # bilinear blend of the four nearest tile maps; tile centres at (i + 0.5) * tile
    # size
    def neighbours(n, size, tiles):
        f = np.arange(n, dtype=np.float32) * np.float32(1.0 / size) - np.float32(0.5)
        lo = np.floor(f).astype(int)
        w = (f - lo).astype(np.float32)  # weight of the higher tile
        return np.maximum(lo, 0), np.minimum(lo + 1, tiles - 1), w

    y1, y2, wy = neighbours(height, th, tiles_y)
    x1, x2, wx = neighbours(width, tw, tiles_x)
    wy, wx = wy[:, None], wx[None, :]
    r = image.astype(np.intp)
    rows1, rows2 = y1[:, None], y2[:, None]
    top = luts[rows1, x1[None, :], r] * (1 - wx) + luts[rows1, x2[None, :], r] * wx
    bottom = luts[rows2, x1[None, :], r] * (1 - wx) + luts[rows2, x2[None, :], r] * wx
    out = top * (1 - wy) + bottom * wy
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
# --8<-- [end:clahe]
