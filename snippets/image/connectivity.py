"""Neighbours, adjacency, paths and connected components, Gonzalez & Woods ch. 2.5.

A pixel p = (x, y) is (row, col), as numpy indexes. ``V`` is the set of values that
count as "connected" (V = {1} in a binary image). ``label`` takes any 2-D array:
nonzero pixels are foreground; it returns int32 labels 1..count (0 = background),
numbered in raster order of each component's first pixel. Inputs are never modified.

Twin: ``scipy.ndimage.label``.
``label(image != 0, structure)`` with the cross (``generate_binary_structure(2, 1)``,
connectivity 4) or the full 3 x 3 block (``generate_binary_structure(2, 2)``,
connectivity 8); equal, labels included.
"""

# --8<-- [start:imports]
from __future__ import annotations

import numba
import numpy as np
# numba caches compiled code on disk only for a source file (not a page or a REPL)
JIT_CACHE = not globals().get("__file__", "<").startswith("<")
Pixel = tuple[int, int]  # (row, col)
# --8<-- [end:imports]

__all__ = ["neighbours", "adjacent", "paths", "label"]

_KINDS = ("4", "d", "8")
_ADJACENCY = ("4", "8", "m")


def _check_kind(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if str(value) not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return str(value)


def _check_binary_image(image: object) -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image must be a numpy.ndarray, got {type(image).__name__}")
    if image.dtype.kind not in "biuf":
        raise TypeError(f"image must hold numbers or booleans, got dtype {image.dtype}")
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W), got shape {image.shape}; label each channel or plane")
    if image.size == 0:
        raise ValueError(f"image must not be empty, got shape {image.shape}")
    return image


# --8<-- [start:neighbours]
def neighbours(p: Pixel, kind: str = "4",
               shape: tuple[int, int] | None = None) -> list[Pixel]:
    """N4(p), ND(p) or N8(p) = N4(p) | ND(p) of the pixel p = (x, y) (row, col).

    kind: "4" (up, left, right, down), "d" (the four diagonals) or "8" (both).
    With ``shape`` = (M, N), neighbours outside the image are left out.
    """
    kind = _check_kind("kind", kind, _KINDS)
    x, y = p
    n4 = [(x - 1, y), (x, y - 1), (x, y + 1), (x + 1, y)]
    nd = [(x - 1, y - 1), (x - 1, y + 1), (x + 1, y - 1), (x + 1, y + 1)]
    found = {"4": n4, "d": nd, "8": n4 + nd}[kind]
    if shape is not None:
        found = [(i, j) for i, j in found if 0 <= i < shape[0] and 0 <= j < shape[1]]
    return sorted(found)
# --8<-- [end:neighbours]


# --8<-- [start:adjacent]
def adjacent(image: np.ndarray, p: Pixel, q: Pixel, kind: str = "8", V=(1,)) -> bool:
    """Are p and q adjacent in ``image`` (both values in V)?

    "4": q in N4(p); "8": q in N8(p); "m" (mixed): q in N4(p), or q in ND(p) and
    N4(p) & N4(q) holds no pixel with a value in V — a diagonal step is taken only
    where no 4-path of two steps joins p and q.
    """
    kind = _check_kind("kind", kind, _ADJACENCY)
    in_v = lambda r: image[r] in V  # noqa: E731
    if not (in_v(p) and in_v(q)):
        return False
    if kind == "4":
        return q in neighbours(p, "4")
    if kind == "8":
        return q in neighbours(p, "8")
    common = set(neighbours(p, "4", image.shape)) & set(neighbours(q, "4", image.shape))
    return q in neighbours(p, "4") or (
        q in neighbours(p, "d") and not any(in_v(r) for r in common))
# --8<-- [end:adjacent]


# --8<-- [start:paths]
def paths(image: np.ndarray, p: Pixel, q: Pixel, kind: str = "8",
          V=(1,)) -> list[list[Pixel]]:
    """Every path from p to q that visits no pixel twice (depth-first; small images).

    A path is a sequence p = r_0, r_1, ..., r_n = q with r_k and r_(k+1) adjacent.
    """
    found, path = [], [tuple(p)]

    def extend(r: Pixel) -> None:
        if r == tuple(q):
            found.append(list(path))
            return
        for s in neighbours(r, "8", image.shape):
            if s not in path and adjacent(image, r, s, kind, V):
                path.append(s)
                extend(s)
                path.pop()

    extend(tuple(p))
    return sorted(found, key=len)
# --8<-- [end:paths]


# --8<-- [start:find]
@numba.njit(cache=JIT_CACHE)
def _find(parent, i):  # pragma: no cover - compiled by numba
    """Root of label i's tree; halves the path on the way up."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i
# --8<-- [end:find]


# --8<-- [start:first_pass]
@numba.njit(cache=JIT_CACHE)
def _first_pass(foreground, offsets):  # pragma: no cover - compiled by numba
    """Provisional labels in raster order, and the union-find forest of labels that
    touch. ``offsets``: the neighbours already scanned (up, left, and for 8: the two
    upper diagonals). Returns (labels, parent, number of labels + 1)."""
    height, width = foreground.shape
    labels = np.zeros((height, width), np.int32)
    parent = np.zeros(height * width + 1, np.int32)  # parent[k]: k's tree
    next_label = 1
    for i in range(height):
        for j in range(width):
            if not foreground[i, j]:
                continue
            current = 0
            for k in range(offsets.shape[0]):
                ni, nj = i + offsets[k, 0], j + offsets[k, 1]
                if 0 <= ni and 0 <= nj < width and labels[ni, nj]:
                    root = _find(parent, labels[ni, nj])
                    if current == 0:
                        current = root
                    elif root < current:  # union: the smaller root wins
                        parent[current] = root
                        current = root
                    elif root > current:
                        parent[root] = current
            if current == 0:  # no labelled neighbour: a new provisional label
                current = next_label
                parent[current] = current
                next_label += 1
            labels[i, j] = current
    return labels, parent, next_label
# --8<-- [end:first_pass]


# --8<-- [start:second_pass]
@numba.njit(cache=JIT_CACHE)
def _second_pass(labels, parent, next_label):  # pragma: no cover - compiled by numba
    """Replace each provisional label by its component's number, in place.

    A tree's root is its smallest label, given at the component's first pixel in
    raster order: numbering the roots 1, 2, ... in label order follows that order."""
    final = np.zeros(next_label, np.int32)
    count = 0
    for k in range(1, next_label):
        root = _find(parent, k)
        if root == k:
            count += 1
            final[k] = count
        else:
            final[k] = final[root]  # root < k: numbered already
    height, width = labels.shape
    for i in range(height):
        for j in range(width):
            labels[i, j] = final[labels[i, j]]
    return count
# --8<-- [end:second_pass]

_SCANNED = {4: np.array([[-1, 0], [0, -1]]),  # up, left
            8: np.array([[-1, -1], [-1, 0], [-1, 1], [0, -1]])}  # and the two upper diagonals


# --8<-- [start:label]
def label(image: np.ndarray, connectivity: int = 8) -> tuple[np.ndarray, int]:
    """Connected components of the nonzero pixels of ``image`` (ndarray[H, W]).

    connectivity: 4 or 8. Returns (labels, count): labels is ndarray[H, W], int32,
    0 on the background and 1..count numbered in raster order of each component's
    first pixel, as ``scipy.ndimage.label`` numbers them.
    """
    _check_binary_image(image)
    if connectivity not in (4, 8) or isinstance(connectivity, bool):
        raise ValueError(f"connectivity must be 4 or 8, got {connectivity!r}")
    foreground = np.ascontiguousarray(image != 0)
    labels, parent, next_label = _first_pass(foreground, _SCANNED[connectivity])
    count = _second_pass(labels, parent, next_label)
    return labels, int(count)
# --8<-- [end:label]
