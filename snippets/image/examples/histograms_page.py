"""Code of docs/image/histograms.md, section by section (run top to bottom)."""

# --8<-- [start:histogram]
import cv2
import numpy as np
from skimage import data, exposure

from snippets.image.histogram import histogram

image = data.coins()  # levels 1..252
h = histogram(image)
print("ours:", h.shape, h.dtype, " total =", h.sum(), "= M*N =", image.size)
print(
    "== np.bincount(minlength=256):",
    (h == np.bincount(image.ravel(), minlength=256)).all(),
)
print(
    "== cv2.calcHist:",
    (h == cv2.calcHist([image], [0], None, [256], [0, 256]).ravel()).all(),
)
counts, centers = exposure.histogram(image)
print(
    f"skimage default: {counts.size} bins, "
    f"levels {centers[0]}..{centers[-1]} (image min..max)"
)
counts, centers = exposure.histogram(image, source_range="dtype")
print(
    f"skimage source_range='dtype': {counts.size} bins, equal to ours: "
    f"{(counts == h).all()}"
)
# --8<-- [end:histogram]

# --8<-- [start:textbook]
import numpy as np

from snippets.image.histogram import equalization_map, equalize_hist, histogram

# Gonzalez & Woods, Example 3.5: a 64 x 64 image (MN = 4096) with L = 8 levels
counts = np.array([790, 1023, 850, 656, 329, 245, 122, 81])
p = counts / counts.sum()
s = 7 * np.cumsum(p)  # s_k = (L - 1) * sum_{j<=k} p_r(r_j)
print(" r_k   n_k   p_r(r_k)   s_k (exact)  s_k (rounded)")
for k in range(8):
    print(
        f"{k:4d} {counts[k]:5d}   {p[k]:.3f}      {s[k]:.3f}        "
        f"{equalization_map(counts)[k]}"
    )

image = np.repeat(np.arange(8, dtype=np.uint8), counts).reshape(64, 64)
out = equalize_hist(image, levels=8)
print("map 0..7 ->", equalization_map(counts).tolist())
print("histogram after:", histogram(out, levels=8).tolist())
# --8<-- [end:textbook]

# --8<-- [start:cv2]
import cv2
import numpy as np
from skimage import data

from snippets.image.histogram import equalize_hist, histogram


def cv2_lut(image):
    """OpenCV's map: round(255 * (cdf - cdf_min) / (N - cdf_min)), cdf_min at the
    darkest present level."""
    cdf = np.cumsum(histogram(image))
    cdf_min = cdf[np.flatnonzero(cdf)[0]]
    return np.clip(
        np.rint(255 * (cdf - cdf_min) / (image.size - cdf_min)), 0, 255
    ).astype(np.uint8)


print(
    "image    cdf_min  255*cdf_min/N  cv2 == formula  max|ours - cv2|  pixels differing"
)
for name in ("camera", "moon", "coins", "page", "text", "grass", "brick"):
    image = getattr(data, name)()
    theirs = cv2.equalizeHist(image)
    cdf_min = histogram(image)[histogram(image) > 0][0]
    diff = np.abs(equalize_hist(image).astype(int) - theirs)
    print(
        f"{name:8s} {cdf_min:7d}  {255 * cdf_min / image.size:13.2f}"
        f"  {str((cv2_lut(image)[image] == theirs).all()):>14s}  {diff.max():15d}  "
        f"{(diff > 0).mean():16.2%}"
    )

# the textbook's 8-level counts spread over 0, 32, ..., 224: the darkest level holds 19
# % of the pixels
counts = np.array([790, 1023, 850, 656, 329, 245, 122, 81])
common_dark = (np.repeat(np.arange(8, dtype=np.uint8), counts) * 32).reshape(64, 64)
first = [np.flatnonzero(common_dark.ravel() == level)[0] for level in range(0, 256, 32)]
print("darkest level common (790 of 4096 pixels), outputs for levels 0, 32, ..., 224:")
print("  ours (textbook):", equalize_hist(common_dark).ravel()[first].tolist())
print("  cv2.equalizeHist:", cv2.equalizeHist(common_dark).ravel()[first].tolist())
# --8<-- [end:cv2]

# --8<-- [start:skimage]
import numpy as np
from skimage import data, exposure, util

from snippets.image.histogram import equalize_hist

print(
    "image    float64 range     round(255*sk)==ours   uint8->float: max|255*sk - ours|"
)
for name in ("camera", "moon", "coins", "brick"):
    image = getattr(data, name)()
    sk = exposure.equalize_hist(image)  # float64: the CDF of each pixel's level
    ours = equalize_hist(image)
    # the same image as floats in [0, 1]: 256 bins over min..max, CDF interpolated at
    # bin centres
    sk_float = exposure.equalize_hist(util.img_as_float(image))
    print(
        f"{name:8s} {sk.dtype} ({sk.min():.4f}, {sk.max():.0f}]  "
        f"{str((np.rint(255 * sk) == ours).all()):>10s}"
        f"          {np.abs(255 * sk_float - ours).max():8.2f}"
    )
# --8<-- [end:skimage]

# --8<-- [start:matching]
import numpy as np
from skimage import data, exposure

from snippets.image.histogram import histogram, match_histograms

image, reference = data.moon(), data.coins()
ours = match_histograms(image, reference)
# float64, interpolated between levels
theirs = exposure.match_histograms(image, reference)
diff = ours - theirs
occupied = np.flatnonzero(histogram(reference))
print(f"ours {ours.dtype}, skimage {theirs.dtype}")
print(
    f"ours - skimage: min {diff.min():.3f}, max {diff.max():.3f}, mean "
    f"{diff.mean():.3f}"
)
print(
    "largest gap between neighbouring occupied reference levels:",
    np.diff(occupied).max(),
)
cdf = lambda im: np.cumsum(histogram(im)) / im.size  # noqa: E731
print(
    "max |CDF(matched) - CDF(reference)|: ours "
    f"{np.abs(cdf(ours) - cdf(reference)).max():.4f},"
    f" before matching {np.abs(cdf(image) - cdf(reference)).max():.4f}"
)
# --8<-- [end:matching]

# --8<-- [start:clahe_twin]
import cv2
import numpy as np
from skimage import data

from snippets.image.clahe import clahe

for name in ("moon", "coins"):  # coins (303 x 384) is not a whole number of 8 x 8 tiles
    image = getattr(data, name)()
    for clip_limit, grid in ((2.0, (8, 8)), (4.0, (4, 6)), (0.0, (8, 8))):
        ours = clahe(image, clip_limit, grid)
        theirs = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=grid).apply(image)
        print(
            f"{name:5s} clip {clip_limit:3.1f} grid {grid}: max |ours - cv2| = "
            f"{np.abs(ours.astype(int) - theirs).max()}"
        )
# --8<-- [end:clahe_twin]

# --8<-- [start:clahe]
import cv2
import numpy as np
from skimage import data, exposure

image = data.moon()
# OpenCV defaults: 8 x 8 tiles
cv = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(image)
settings = {"skimage default (clip_limit=0.01)": {},
            "skimage clip_limit=2/256": {"clip_limit": 2.0 / 256}}
print("cv2 CLAHE vs                        mean|diff|  max|diff|  within 1 level")
for label, kwargs in settings.items():
    # kernel_size = shape // 8
    sk = np.rint(255 * exposure.equalize_adapthist(image, **kwargs)).astype(int)
    diff = np.abs(cv.astype(int) - sk)
    print(
        f"{label:34s} {diff.mean():10.2f} {diff.max():10d} {(diff <= 1).mean():14.1%}"
    )
# --8<-- [end:clahe]

# --8<-- [start:local_stats]
import numpy as np
from scipy import ndimage as ndi
from skimage import data

from snippets.image.local_stats import local_mean_var

image = data.camera()
mean, var = local_mean_var(image, size=3)
f = image.astype(np.float64)
print("max |m_S - uniform_filter|:", np.abs(mean - ndi.uniform_filter(f, 3)).max())
# generic_filter calls np.var once a pixel (seconds here): a 128 x 128 copy is enough
small = image[::4, ::4]
_, var_small = local_mean_var(small, size=3)
print("max |var_S - generic_filter(np.var)| (128 x 128):",
      np.abs(var_small - ndi.generic_filter(small.astype(np.float64), np.var, 3)).max())
print(f"global: m_G = {image.mean():.1f}, sigma_G = {image.std():.1f}")
for name, (r, c) in {
    "coat (dark, textured)": (250, 200),
    "sky (bright, flat)": (50, 50),
    "tripod leg (edge)": (400, 260),
}.items():
    print(f"{name:22s} m_S = {mean[r, c]:6.1f}, sigma_S = {np.sqrt(var[r, c]):5.1f}")
# --8<-- [end:local_stats]

# --8<-- [start:local_enhance]
import numpy as np
from skimage import data

from snippets.image.local_stats import local_enhance, local_mean_var

image = data.camera()
out = local_enhance(image, size=3, C=4.0, k0=0.0, k1=0.4, k2=0.02, k3=0.4)
changed = out != image
mean, _ = local_mean_var(image, 3)
print(f"pixels scaled by C: {changed.mean():.1%}")
print(f"their local mean: at most {mean[changed].max():.1f}"
      f" (k1 * m_G = {0.4 * image.mean():.1f})")
print(f"mean level of those pixels: {image[changed].mean():.1f}"
      f" -> {out[changed].mean():.1f}")
print(f"pixels elsewhere unchanged: {np.array_equal(out[~changed], image[~changed])}")
# --8<-- [end:local_enhance]
