"""Code of docs/image/neighbours-and-distance.md, section by section (run top to bottom)."""

# --8<-- [start:neighbours]
from snippets.image.connectivity import neighbours

p = (1, 1)
print("N4(p):", neighbours(p, "4"))
print("ND(p):", neighbours(p, "d"))
print("N8(p):", neighbours(p, "8"))
print("N8 of the corner (0, 0) inside a 3 x 3 image:", neighbours((0, 0), "8", (3, 3)))
# --8<-- [end:neighbours]

# --8<-- [start:double_path]
import numpy as np

from snippets.image.connectivity import adjacent, paths

image = np.array([[0, 1, 1],
                  [0, 1, 0],
                  [0, 0, 1]])
p, q = (0, 2), (2, 2)  # top right, bottom right
for kind in ("4", "8", "m"):
    print(f"{kind}-adjacent (0, 2)-(1, 1): {adjacent(image, (0, 2), (1, 1), kind)!s:5}"
          f"  paths from p to q: {paths(image, p, q, kind)}")
# --8<-- [end:double_path]

# --8<-- [start:label_small]
import numpy as np

from snippets.image.connectivity import label

image = np.array([[1, 1, 0, 1, 1, 0, 0, 1, 0, 0],
                  [0, 1, 0, 0, 1, 0, 1, 0, 0, 1],
                  [0, 1, 1, 1, 1, 0, 0, 0, 1, 0],
                  [0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
                  [1, 1, 0, 1, 0, 1, 1, 1, 0, 1],
                  [1, 0, 0, 1, 0, 0, 1, 0, 0, 1],
                  [1, 1, 1, 1, 0, 0, 0, 0, 1, 1]], np.uint8)
for connectivity in (4, 8):
    labels, count = label(image, connectivity)
    print(f"connectivity {connectivity}: {count} components")
    print(labels)
# --8<-- [end:label_small]

# --8<-- [start:label_twin]
import numpy as np
from scipy import ndimage as ndi
from skimage import data

from snippets.image.connectivity import label

blobs = data.binary_blobs(256, blob_size_fraction=0.05, volume_fraction=0.4, rng=1)
coins = data.coins() > 120  # a threshold: bright coins on a darker background
for name, image in (("binary_blobs", blobs), ("coins > 120", coins)):
    for connectivity, rank in ((4, 1), (8, 2)):
        ours, count = label(image, connectivity)
        # the cross (4) or the full 3 x 3 block (8)
        theirs, n = ndi.label(image, ndi.generate_binary_structure(2, rank))
        print(f"{name:12s} connectivity {connectivity}: {count:3d} components,"
              f" scipy {n:3d}, labels equal: {np.array_equal(ours, theirs)}")
# --8<-- [end:label_twin]

# --8<-- [start:distances]
from snippets.image.distance import distance

p, q = (0, 0), (3, 4)
for metric in ("euclidean", "cityblock", "chessboard"):
    print(f"{metric:10s} distance between {p} and {q}: {distance(p, q, metric)}")
# --8<-- [end:distances]

# --8<-- [start:transform]
import numpy as np

from snippets.image.distance import distance_transform

image = np.ones((7, 7), np.uint8)
image[3, 3] = 0  # one zero pixel: each transform shows the metric's iso-distance shape
for metric in ("cityblock", "chessboard", "euclidean"):
    d = distance_transform(image, metric)
    print(f"{metric}: pixels with D <= 2: {(d <= 2).sum()}")
    print(np.array2string(d, precision=2, floatmode="maxprec"))
# --8<-- [end:transform]

# --8<-- [start:transform_twin]
import numpy as np
from scipy import ndimage as ndi
from skimage import data

from snippets.image.distance import distance_transform

horse = ~data.horse()  # bundled: True on the horse, False around it
blobs = data.binary_blobs(256, blob_size_fraction=0.05, volume_fraction=0.4, rng=1)
for name, image in (("horse", horse), ("binary_blobs", blobs)):
    edt = np.abs(distance_transform(image) - ndi.distance_transform_edt(image)).max()
    d4 = distance_transform(image, "cityblock")
    d8 = distance_transform(image, "chessboard")
    same4 = np.array_equal(d4, ndi.distance_transform_cdt(image, metric="taxicab"))
    same8 = np.array_equal(d8, ndi.distance_transform_cdt(image, metric="chessboard"))
    print(f"{name:12s} max|ours - edt| = {edt:.1e}, D4 == cdt(taxicab): {same4},"
          f" D8 == cdt(chessboard): {same8}")
    print(f"{'':12s} largest distance: D8 {d8.max():.0f} <= De"
          f" {distance_transform(image).max():.2f} <= D4 {d4.max():.0f}")
# --8<-- [end:transform_twin]

# --8<-- [start:benchmark]
import json
from pathlib import Path

result = json.loads(Path("results/bench/image.json").read_text())
print(f"recorded {result['date']} on {result['machine']['cpu']},"
      f" {result['machine']['cores']} cores; numba {result['versions'].get('numba')}")
for row in result["rows"]:
    if row["case"] in ("label", "distance_transform_edt"):
        print(f"{row['case']}, {row['params']}:")
        for r in row["results"]:
            print(f"  {r['impl']:45s} {r['median_s'] * 1e3:7.1f} ms")
        print(f"  ours / scipy = {row['ratio']:.2f}")
# --8<-- [end:benchmark]
