"""Image processing: our textbook ``equalize_hist`` next to scikit-image's and OpenCV's on a 4096x4096 uint8 image;
our ``label`` and Euclidean ``distance_transform`` (numba) next to scipy.ndimage's on a 2048x2048 binary image.

The three equalizations do not compute the same thing (the Histograms article shows
how they differ); the benchmark compares their cost on the same input. ``label`` and
the distance transform give scipy's results exactly (the tests check it).
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import check, copy_bandwidth, measure, ratio_check, sized, skipped, try_import


def _image(size: int) -> np.ndarray:
    """A deterministic low-contrast uint8 image: scikit-image's camera tiled to size x size, squeezed to 64..191."""
    from skimage import data

    camera = data.camera()  # 512 x 512 uint8, bundled (no download)
    reps = -(-size // camera.shape[0])
    tiled = np.tile(camera, (reps, reps))[:size, :size]
    return (64 + tiled.astype(np.uint16) // 2).astype(np.uint8)


def _binary(size: int) -> np.ndarray:
    """A deterministic binary image: scikit-image's binary_blobs (generated, no download), half foreground."""
    from skimage import data

    return data.binary_blobs(size, blob_size_fraction=0.01, volume_fraction=0.5, rng=0)


def _binary_rows(quick: bool, copy_gbs: float) -> tuple[list, list]:
    """label (connectivity 8) and the Euclidean distance transform against scipy.ndimage."""
    from scipy import ndimage as ndi

    size = 512 if quick else 2048
    image = _binary(size)
    params = f"({size}, {size}) bool, {image.mean():.0%} foreground"
    label, missing = try_import("snippets.image.connectivity", "label")
    distance_transform, missing_dt = try_import("snippets.image.distance", "distance_transform")
    structure = ndi.generate_binary_structure(2, 2)
    rows, checks = [], []
    cases = [
        ("label", label, missing, "label within 10x of scipy.ndimage.label (connectivity 8)",
         {"ours: label": lambda: label(image, 8), "twin: scipy.ndimage.label": lambda: ndi.label(image, structure)},
         5 * image.size, "bytes = one bool read + one int32 label write"),
        ("distance_transform_edt", distance_transform, missing_dt,
         "Euclidean distance_transform within 10x of scipy.ndimage.distance_transform_edt",
         {"ours: distance_transform": lambda: distance_transform(image),
          "twin: scipy.ndimage.distance_transform_edt": lambda: ndi.distance_transform_edt(image)},
         9 * image.size, "bytes = one bool read + one float64 write"),
    ]
    for case, fn, reason, name, impls, nbytes, note in cases:
        if fn is None:
            rows.append(skipped(case, reason, params))
            checks.append(check(name, "ours / scipy <= 10", None, None))
            continue
        ours, twin = list(impls)
        # warmup 1: the first call compiles the numba kernels (or loads them from numba's cache)
        row = measure(case, impls, ours=ours, twin=twin, params=params, nbytes=nbytes,
                      repeats=3 if quick else 7, copy_gbs=copy_gbs, note=note)
        rows.append(row)
        checks.append(sized(ratio_check(name, row, 10.0, "ours / scipy <= 10"), quick))
    return rows, checks


def run(quick: bool = False) -> dict:
    import cv2
    from skimage import exposure

    size = 1024 if quick else 4096
    image = _image(size)
    params = f"({size}, {size}) uint8"
    copy_gbs = copy_bandwidth("cpu", (64 if quick else 256) * 2**20)
    equalize_hist, missing = try_import("snippets.image.histogram", "equalize_hist")
    case = "equalize_hist"
    rows, checks = [], []
    if equalize_hist is None:
        rows.append(skipped(case, missing, params))
        checks.append(check("equalize_hist no slower than skimage.exposure.equalize_hist", "ours / skimage <= 1",
                            None, None))
        checks.append(check("equalize_hist within 3x of cv2.equalizeHist", "ours / cv2 <= 3", None, None))
        more_rows, more_checks = _binary_rows(quick, copy_gbs)
        return {"rows": rows + more_rows, "checks": checks + more_checks}
    impls = {
        "ours: equalize_hist": lambda: equalize_hist(image),
        "twin: skimage.exposure.equalize_hist": lambda: exposure.equalize_hist(image),
        "twin: cv2.equalizeHist": lambda: cv2.equalizeHist(image),
    }
    # bytes: read the uint8 image once, write a uint8 image once (skimage writes float64: 8x more)
    # `ratio` is ours / skimage; `ratio_cv2` ours / OpenCV
    row = measure(case, impls, ours="ours: equalize_hist", twin="twin: skimage.exposure.equalize_hist",
                  params=params, nbytes=2 * image.size, repeats=3 if quick else 7, copy_gbs=copy_gbs,
                  note="bytes = one uint8 read + one uint8 write; skimage returns float64 in [0, 1]")
    medians = {r["impl"]: r["median_s"] for r in row["results"]}
    row["ratio_cv2"] = medians["ours: equalize_hist"] / medians["twin: cv2.equalizeHist"]
    rows.append(row)
    for entry in (ratio_check("equalize_hist no slower than skimage.exposure.equalize_hist", row, 1.0,
                              "ours / skimage <= 1"),
                  ratio_check("equalize_hist within 3x of cv2.equalizeHist", {"ratio": row["ratio_cv2"]}, 3.0,
                              "ours / cv2 <= 3")):
        checks.append(sized(entry, quick))
    more_rows, more_checks = _binary_rows(quick, copy_gbs)
    return {"rows": rows + more_rows, "checks": checks + more_checks}
