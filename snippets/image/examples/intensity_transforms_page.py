"""Code of docs/image/intensity-transforms.md, section by section (run top to bottom)."""

# --8<-- [start:negative]
import numpy as np
from skimage import data, util

from snippets.image.intensity import negative

image = data.camera()
out = negative(image)
print("levels 0, 100, 255 ->", negative(np.array([[0, 100, 255]], np.uint8)).tolist())
print(
    "L = 8: levels 0..7 ->",
    negative(np.arange(8, dtype=np.uint8)[None], levels=8).tolist(),
)
print("equals skimage.util.invert:", (out == util.invert(image)).all())
print("negative twice is the identity:", (negative(out) == image).all())
# --8<-- [end:negative]

# --8<-- [start:log]
import numpy as np
from skimage import data, exposure

from snippets.image.intensity import log_transform

r = np.array([[0, 1, 5, 20, 64, 128, 255]], np.uint8)
print("r                         :", r.ravel().tolist())
print("ours  c*ln(1+r), c=255/ln256:", log_transform(r).ravel().tolist())
print("skimage adjust_log (log2)   :", exposure.adjust_log(r).ravel().tolist())

# a Fourier spectrum spans ~7 decades: a linear scaling shows one bright dot
spectrum = np.abs(np.fft.fftshift(np.fft.fft2(data.camera().astype(np.float64))))
linear = np.rint(255 * spectrum / spectrum.max())
print(f"spectrum range {spectrum.min():.3g} .. {spectrum.max():.3g}")
print(f"non-zero pixels: linear {np.count_nonzero(linear) / linear.size:.2%},"
      f" log {np.count_nonzero(log_transform(spectrum)) / spectrum.size:.2%}")
# --8<-- [end:log]

# --8<-- [start:gamma]
import numpy as np
from skimage import data, exposure

from snippets.image.intensity import gamma_transform

image = data.moon()
for gamma in (0.4, 1.0, 2.5):
    ours = gamma_transform(image, gamma)
    same = (ours == exposure.adjust_gamma(image, gamma)).all()
    print(
        f"gamma {gamma}: mean {image.mean():6.2f} -> {ours.mean():6.2f}, equals "
        f"skimage adjust_gamma: {same}"
    )
# --8<-- [end:gamma]

# --8<-- [start:stretch]
import numpy as np
from skimage import data, exposure

from snippets.image.intensity import contrast_stretch

# a generated low-contrast image: camera squeezed into 90..165
image = (90 + data.camera().astype(np.uint16) * 75 // 255).astype(np.uint8)
lo, hi = int(image.min()), int(image.max())
full = contrast_stretch(image, lo, 0, hi, 255)
print("input range", (lo, hi), "-> output range", (int(full.min()), int(full.max())))
twin = exposure.rescale_intensity(image, in_range=(lo, hi))
diff = full.astype(int) - twin
print(f"ours - skimage rescale_intensity: max {diff.max()}, min {diff.min()},"
      f" pixels that differ {(diff != 0).mean():.1%} (skimage truncates, we round)")
threshold = contrast_stretch(image, 128, 0, 128, 255)
print("r1 = r2 = 128, s1 = 0, s2 = 255 gives levels", np.unique(threshold).tolist())
try:
    contrast_stretch(image, 200, 0, 100, 255)
except ValueError as error:
    print("ValueError:", error)
# --8<-- [end:stretch]

# --8<-- [start:slicing]
import numpy as np
from skimage import data

from snippets.image.intensity import intensity_slice

image = data.coins()
binary = intensity_slice(image, 150, 255, value=255, background=0)
kept = intensity_slice(image, 150, 255, value=0)
print(f"pixels in [150, 255]: {(binary == 255).mean():.1%}")
print(
    "binary levels:",
    np.unique(binary).tolist(),
    "| preserving: unchanged outside the band:",
    (kept[image < 150] == image[image < 150]).all(),
)
# --8<-- [end:slicing]

# --8<-- [start:bit_planes]
import numpy as np
from skimage import data

from snippets.image.intensity import bit_planes, from_bit_planes

image = data.camera()
planes = bit_planes(image)
print("planes:", planes.shape, planes.dtype, "values", np.unique(planes).tolist())
print("plane 7 == (image >= 128):", (planes[7] == (image >= 128)).all())
print(
    "twin np.unpackbits:",
    (
        np.moveaxis(np.unpackbits(image[..., None], axis=-1, bitorder="little"), -1, 0)
        == planes
    ).all(),
)
print("all 8 planes reassemble exactly:", (from_bit_planes(planes) == image).all())
# --8<-- [end:bit_planes]

# --8<-- [start:reconstruction]
import numpy as np
from skimage import data

from snippets.image.intensity import bit_planes, from_bit_planes

image = data.camera()
planes = bit_planes(image)
for top in (1, 2, 3, 4, 5, 6):
    approx = from_bit_planes(planes, keep=range(8 - top, 8))
    error = image.astype(int) - approx  # the dropped low bits: 0 .. 2^(8-top) - 1
    rmse = np.sqrt((error.astype(float) ** 2).mean())
    print(
        f"planes 7..{8 - top}: {top} bits/pixel, "
        f"max error {error.max():3d}, RMSE {rmse:6.2f}"
    )
# --8<-- [end:reconstruction]
