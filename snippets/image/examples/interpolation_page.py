"""Code of docs/image/interpolation.md, section by section (run top to bottom)."""

# --8<-- [start:coordinates]
import numpy as np
import torch
import torch.nn.functional as F

from snippets.image.interpolation import source_coordinates

np.set_printoptions(precision=3, suppress=True)
for n_in, n_out in ((4, 6), (6, 4)):
    for align_corners in (False, True):
        x = source_coordinates(n_in, n_out, align_corners)
        # torch's linear interpolation of the ramp 0, 1, ..., n_in - 1 returns x itself
        # (clamped into [0, n_in - 1], where it needs no neighbour beyond the border)
        ramp = torch.arange(n_in, dtype=torch.float64).reshape(1, 1, n_in)
        theirs = F.interpolate(ramp, size=n_out, mode="linear",
                               align_corners=align_corners)
        same = np.allclose(np.clip(x, 0, n_in - 1), theirs.ravel().numpy())
        print(f"{n_in} -> {n_out}, align_corners={align_corners!s:5}: x = {x}"
              f"  torch agrees: {same}")
# --8<-- [end:coordinates]

# --8<-- [start:small_example]
import numpy as np

from snippets.image.interpolation import resize

row = np.array([[0, 100, 50]], np.uint8)
for method in ("nearest", "bilinear", "bicubic"):
    print(f"{method:8s} 1 x 3 -> 1 x 7:", resize(row, (1, 7), method).ravel())
# --8<-- [end:small_example]

# --8<-- [start:twins]
import cv2
import numpy as np
from skimage import data
from skimage.transform import resize as sk_resize

from snippets.image.interpolation import resize

image = data.camera()  # 512 x 512
print("shape         nearest vs skimage order=0   bilinear vs INTER_LINEAR"
      "   bicubic vs INTER_CUBIC")
for shape in ((200, 300), (512, 171), (700, 900)):
    dsize = (shape[1], shape[0])  # OpenCV: (width, height)
    sk = sk_resize(image, shape, order=0, preserve_range=True, anti_aliasing=False)
    linear = cv2.resize(image, dsize, interpolation=cv2.INTER_LINEAR)
    cubic = cv2.resize(image, dsize, interpolation=cv2.INTER_CUBIC)
    d0 = np.abs(resize(image, shape, "nearest") - sk).max()
    d1 = np.abs(resize(image, shape, "bilinear").astype(int) - linear).max()
    d3 = np.abs(resize(image, shape, "bicubic").astype(int) - cubic).max()
    print(f"{str(shape):12s}  max|diff| = {d0:<22.0f}  max|diff| = {d1:<14d}"
          f"  max|diff| = {d3}")
# --8<-- [end:twins]

# --8<-- [start:nearest]
import cv2
import numpy as np
from PIL import Image

from snippets.image.interpolation import resize, source_coordinates

# a column 0, 1, ..., 49 shrunk to 21 rows: each output shows which input row it took
column = np.arange(50, dtype=np.uint8).reshape(50, 1)
ours = resize(column, (21, 1), "nearest").ravel()
picks = {
    "cv2 INTER_NEAREST_EXACT": cv2.resize(column, (1, 21),
                                          interpolation=cv2.INTER_NEAREST_EXACT),
    "PIL NEAREST": np.asarray(Image.fromarray(column).resize((1, 21), Image.NEAREST)),
    "cv2 INTER_NEAREST": cv2.resize(column, (1, 21), interpolation=cv2.INTER_NEAREST),
}
print("x of output row 10:", source_coordinates(50, 21)[10], "(a tie: rows 24 and 25)")
print("ours / skimage order=0:", ours)
for name, theirs in picks.items():
    rows = np.flatnonzero(theirs.ravel() != ours)
    print(f"{name:24s} differs on {rows.size:2d} of 21 rows {rows.tolist()},"
          f" by {np.abs(theirs.ravel()[rows].astype(int) - ours[rows]).tolist()}")
# --8<-- [end:nearest]

# --8<-- [start:libraries]
import cv2
import numpy as np
import torch
import torch.nn.functional as F
from skimage.transform import resize as sk_resize

from snippets.image.interpolation import resize

image = np.array([[10, 200, 30, 250, 90, 0, 160, 60]], np.uint8)  # one row: 1 x 8


def torch_resize(img, n, mode, **kwargs):
    x = torch.from_numpy(img.astype(np.float32))[None, None]
    y = F.interpolate(x, size=(1, n), mode=mode, **kwargs)
    return y.clamp(0, 255).round().to(torch.uint8)[0, 0].numpy()


def sk(img, n, order, anti_aliasing, mode="reflect"):  # skimage's default mode
    out = sk_resize(img, (1, n), order=order, preserve_range=True,
                    anti_aliasing=anti_aliasing, mode=mode)
    return np.rint(out).astype(np.uint8)


def cv(img, n, flag):
    return cv2.resize(img, (n, 1), interpolation=flag)


families = {
    "nearest": {
        "ours nearest": lambda n: resize(image, (1, n), "nearest"),
        "skimage order=0": lambda n: sk(image, n, 0, False),
        "cv2 INTER_NEAREST_EXACT": lambda n: cv(image, n, cv2.INTER_NEAREST_EXACT),
        "cv2 INTER_NEAREST": lambda n: cv(image, n, cv2.INTER_NEAREST),
        "torch nearest-exact": lambda n: torch_resize(image, n, "nearest-exact"),
        "torch nearest": lambda n: torch_resize(image, n, "nearest"),
    },
    "linear": {
        "ours bilinear": lambda n: resize(image, (1, n), "bilinear"),
        "cv2 INTER_LINEAR": lambda n: cv(image, n, cv2.INTER_LINEAR),
        "skimage order=1": lambda n: sk(image, n, 1, False),
        "skimage order=1 anti_aliasing": lambda n: sk(image, n, 1, True),
        "skimage order=1 mode='edge'": lambda n: sk(image, n, 1, False, "edge"),
        "torch bilinear": lambda n: torch_resize(image, n, "bilinear",
                                                 align_corners=False),
        "torch bilinear align_corners": lambda n: torch_resize(image, n, "bilinear",
                                                               align_corners=True),
        "torch bilinear antialias": lambda n: torch_resize(image, n, "bilinear",
                                                           antialias=True),
        "cv2 INTER_AREA": lambda n: cv(image, n, cv2.INTER_AREA),
    },
    "cubic": {
        "ours bicubic": lambda n: resize(image, (1, n), "bicubic"),
        "cv2 INTER_CUBIC": lambda n: cv(image, n, cv2.INTER_CUBIC),
        "skimage order=3": lambda n: sk(image, n, 3, False),
        "skimage order=3 anti_aliasing": lambda n: sk(image, n, 3, True),
        "skimage order=3 mode='edge'": lambda n: sk(image, n, 3, False, "edge"),
        "torch bicubic": lambda n: torch_resize(image, n, "bicubic",
                                                align_corners=False),
        "torch bicubic align_corners": lambda n: torch_resize(image, n, "bicubic",
                                                              align_corners=True),
        "torch bicubic antialias": lambda n: torch_resize(image, n, "bicubic",
                                                          antialias=True),
    },
}
print("input 1 x 8:", image.ravel())
for n in (5, 12):
    for family, methods in families.items():
        outputs = {name: f(n) for name, f in methods.items()}
        print(f"\n1 x 8 -> 1 x {n}, {family}:")
        for k, (name, out) in enumerate(outputs.items()):
            values = " ".join(f"{v:3d}" for v in out.ravel())
            print(f"  {chr(65 + k)} {name:30s} {values}")
        keys = [chr(65 + k) for k in range(len(outputs))]
        print("  max|diff|  " + " ".join(f"{k:>3s}" for k in keys))
        values = [o.ravel().astype(int) for o in outputs.values()]
        for key, a in zip(keys, values):
            print(f"  {key:10s}", " ".join(f"{np.abs(a - b).max():3d}" for b in values))
# --8<-- [end:libraries]

# --8<-- [start:aliasing]
import cv2
import numpy as np
from scipy import ndimage as ndi
from skimage.transform import resize as sk_resize

from snippets.image.figures import zone_plate
from snippets.image.interpolation import resize

# cos(pi k r^2): local frequency k * r cycles/pixel, 0.5 at r = 128
image = zone_plate(256)
shape, factor = (64, 64), 4
# after shrinking 4 times, frequencies above 0.5 / 4 cycles/pixel cannot be shown:
# where the input's frequency is above 0.25 (r > 64) a correct result is flat grey
y, x = np.mgrid[:64, :64] - 31.5
fast = (np.hypot(y, x) * factor > 64) & (np.hypot(y, x) * factor < 128)
sigma = (factor - 1) / 2  # the Gaussian skimage uses for anti_aliasing
blurred = np.rint(ndi.gaussian_filter(image.astype(float), sigma)).astype(np.uint8)
outputs = {
    "ours nearest, no filter": resize(image, shape, "nearest"),
    "ours bilinear, no filter": resize(image, shape, "bilinear"),
    "ours bilinear after a Gaussian blur": resize(blurred, shape, "bilinear"),
    "skimage resize, anti_aliasing=True": np.rint(sk_resize(
        image, shape, order=1, preserve_range=True, anti_aliasing=True)),
    "cv2 INTER_AREA (box average)": cv2.resize(image, shape,
                                               interpolation=cv2.INTER_AREA),
}
print("std of the output where the input is too fine to keep (0 = flat grey):")
for name, out in outputs.items():
    print(f"  {name:36s} {out[fast].std():6.1f}")
# --8<-- [end:aliasing]
