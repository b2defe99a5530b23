"""Distance measures and distance transforms, Gonzalez & Woods ch. 2.5.

For pixels p = (x, y) and q = (s, t): Euclidean D_e = sqrt((x - s)^2 + (y - t)^2),
city-block D_4 = |x - s| + |y - t|, chessboard D_8 = max(|x - s|, |y - t|).
``distance_transform`` takes any 2-D array and returns, for each nonzero pixel, its
distance to the nearest zero pixel (0 on zero pixels) as float64. Inputs are never
modified.

Twins: ``scipy.ndimage.distance_transform_edt`` and ``scipy.ndimage.distance_transform_cdt``.
Euclidean equals ``distance_transform_edt`` to within 1e-9; cityblock and chessboard
equal ``distance_transform_cdt(image, metric="taxicab")`` / ``metric="chessboard"``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import numba
import numpy as np
# numba caches compiled code on disk only for a source file (not a page or a REPL)
JIT_CACHE = not globals().get("__file__", "<").startswith("<")
# --8<-- [end:imports]

from snippets.image.connectivity import _check_binary_image  # noqa: E402

__all__ = ["distance", "distance_transform", "METRICS"]

METRICS = ("euclidean", "cityblock", "chessboard")


def _check_metric(metric: object) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    return str(metric)


# --8<-- [start:distance]
def distance(p: tuple[int, int], q: tuple[int, int],
             metric: str = "euclidean") -> float:
    """D_e, D_4 or D_8 between pixels p = (x, y) and q = (s, t)."""
    metric = _check_metric(metric)
    dx, dy = abs(p[0] - q[0]), abs(p[1] - q[1])
    if metric == "euclidean":
        return float(np.hypot(dx, dy))
    if metric == "cityblock":  # D_4: the length of the shortest 4-path
        return float(dx + dy)
    return float(max(dx, dy))  # D_8: the length of the shortest 8-path
# --8<-- [end:distance]


# --8<-- [start:chamfer]
@numba.njit(cache=JIT_CACHE)
def _chamfer(zero, diagonal):  # pragma: no cover - compiled by numba
    """D_4 (diagonal=False) or D_8 (True) to the nearest zero pixel, two raster
    scans."""
    height, width = zero.shape
    far = height + width  # more than any distance inside the image
    d = far * ~zero  # 0 on the zero pixels, far elsewhere
    # forward scan: from the already-visited neighbours above and to the left
    for i in range(height):
        for j in range(width):
            if i > 0:
                d[i, j] = min(d[i, j], d[i - 1, j] + 1)
                if diagonal and j > 0:
                    d[i, j] = min(d[i, j], d[i - 1, j - 1] + 1)
                if diagonal and j < width - 1:
                    d[i, j] = min(d[i, j], d[i - 1, j + 1] + 1)
            if j > 0:
                d[i, j] = min(d[i, j], d[i, j - 1] + 1)
    # backward scan: the mirror image, from below and to the right
    for i in range(height - 1, -1, -1):
        for j in range(width - 1, -1, -1):
            if i < height - 1:
                d[i, j] = min(d[i, j], d[i + 1, j] + 1)
                if diagonal and j < width - 1:
                    d[i, j] = min(d[i, j], d[i + 1, j + 1] + 1)
                if diagonal and j > 0:
                    d[i, j] = min(d[i, j], d[i + 1, j - 1] + 1)
            if j < width - 1:
                d[i, j] = min(d[i, j], d[i, j + 1] + 1)
    return d.astype(np.float64)
# --8<-- [end:chamfer]


# --8<-- [start:lower_envelope]
@numba.njit(cache=JIT_CACHE)
def _lower_envelope(f, out, v, z):  # pragma: no cover - compiled by numba
    """out[q] = min_p (q - p)^2 + f[p]: the lower envelope of parabolas rooted at
    (p, f[p]) (Felzenszwalb & Huttenlocher 2012). v, z: work arrays (n,), (n + 1,)."""
    n = f.shape[0]
    k = 0  # index of the rightmost parabola in the envelope
    v[0], z[0], z[1] = 0, -np.inf, np.inf
    for q in range(1, n):
        # where parabola q meets the envelope's rightmost one, v[k]
        s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2.0 * (q - v[k]))
        while s <= z[k]:  # parabola v[k] is hidden: drop it
            k -= 1
            s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2.0 * (q - v[k]))
        k += 1
        v[k], z[k], z[k + 1] = q, s, np.inf
    k = 0
    for q in range(n):
        while z[k + 1] < q:
            k += 1
        out[q] = (q - v[k]) ** 2 + f[v[k]]
# --8<-- [end:lower_envelope]


# --8<-- [start:edt]
@numba.njit(cache=JIT_CACHE)
def _edt(zero):  # pragma: no cover - compiled by numba
    """Euclidean distance to the nearest zero pixel: 1-D along columns, then rows."""
    height, width = zero.shape
    far = float(height + width) ** 2  # more than any squared distance in the image
    # pass 1, each column: squared distance to the nearest zero in the same column
    g = far * ~zero
    for i in range(1, height):
        for j in range(width):
            g[i, j] = min(g[i, j], g[i - 1, j] + 1)  # (distances, not squares, yet)
    for i in range(height - 2, -1, -1):
        for j in range(width):
            g[i, j] = min(g[i, j], g[i + 1, j] + 1)
    g = np.minimum(g * g, far)  # squared; a column without a zero stays far
    # pass 2, each row: D^2(i, j) = min over columns c of (j - c)^2 + g[i, c]
    d = np.empty((height, width))
    v, z = np.empty(width, np.int64), np.empty(width + 1)
    for i in range(height):
        _lower_envelope(g[i], d[i], v, z)
    return np.sqrt(d)
# --8<-- [end:edt]


# --8<-- [start:distance_transform]
def distance_transform(image: np.ndarray, metric: str = "euclidean") -> np.ndarray:
    """Distance from each nonzero pixel of ``image`` (ndarray[H, W]) to the nearest
    zero pixel, 0 on zero pixels. metric: "euclidean", "cityblock" (D_4) or
    "chessboard" (D_8). Returns ndarray[H, W], float64.
    """
    _check_binary_image(image)
    metric = _check_metric(metric)
    zero = np.ascontiguousarray(image == 0)
    if not zero.any():
        raise ValueError("image has no zero pixel: the distance to one is undefined")
    if metric == "euclidean":
        return _edt(zero)
    return _chamfer(zero, metric == "chessboard")
# --8<-- [end:distance_transform]
