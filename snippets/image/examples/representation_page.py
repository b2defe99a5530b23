"""Code of docs/image/representation.md, section by section (run top to bottom)."""

# --8<-- [start:matrix]
from skimage import data

image = data.coins()  # bundled with scikit-image: no download
M, N = image.shape  # M rows, N columns
print(
    "shape (M, N):",
    (M, N),
    " dtype:",
    image.dtype,
    " range:",
    image.min(),
    "..",
    image.max(),
)
print("f(0, 0), the top-left pixel:", image[0, 0])
print("f(0, 1), one step along the row (next column):", image[0, 1])
print("f(1, 0), one step down (next row):", image[1, 0])
print("rows are contiguous in memory: strides", image.strides, "bytes")
# --8<-- [end:matrix]

# --8<-- [start:storage]
from skimage import data

from snippets.image.sampling import storage_bits

image = data.coins()
M, N = image.shape
for k in (8, 4, 1):
    b = storage_bits(M, N, k)
    print(
        f"{M} x {N}, k = {k} bits (L = {2**k:>3} levels): b = {b:>9,} bits = "
        f"{b // 8:>7,} bytes"
    )
print("numpy's uint8 array holds k = 8:", image.nbytes, "bytes")
print("1024 x 1024 x 8 bits =", storage_bits(1024, 1024, 8) // 8 // 2**20, "MiB")
# --8<-- [end:storage]

# --8<-- [start:coordinates]
import cv2
import numpy as np

# a 100 x 200 image: M = 100 rows (height), N = 200 columns (width)
image = np.zeros((100, 200), dtype=np.uint8)
row, col = 20, 150  # the point we want to mark
print("numpy  shape is (rows, cols) =", image.shape)

# WRONG: OpenCV takes points as (x, y) = (col, row); (row, col) lands elsewhere
wrong = cv2.circle(image.copy(), (row, col), 5, 255, -1)
print(
    "circle at (row, col): pixels drawn =",
    int((wrong > 0).sum()),
    "(y = 150 is below the image)",
)
right = cv2.circle(image.copy(), (col, row), 5, 255, -1)
print(
    "circle at (col, row): pixels drawn =",
    int((right > 0).sum()),
    " centre value:",
    right[row, col],
)

# WRONG: cv2.resize's dsize is (width, height), the reverse of numpy's shape
half_wrong = cv2.resize(image, (image.shape[0] // 2, image.shape[1] // 2))
half_right = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2))
print("cv2.resize(img, (M//2, N//2)).shape =", half_wrong.shape, " <- distorted")
print("cv2.resize(img, (N//2, M//2)).shape =", half_right.shape)
# --8<-- [end:coordinates]

# --8<-- [start:downsample]
import cv2
from skimage import data

from snippets.image.sampling import downsample

image = data.camera()
for factor in (2, 4, 8):
    small = downsample(image, factor)
    h, w = image.shape
    twin = cv2.resize(
        image, (w // factor, h // factor), interpolation=cv2.INTER_NEAREST
    )
    print(
        f"factor {factor}: {small.shape}, "
        f"equal to cv2 INTER_NEAREST: {(small == twin).all()}"
    )
# --8<-- [end:downsample]

# --8<-- [start:quantize]
import numpy as np
from skimage import data

from snippets.image.sampling import quantize, storage_bits

image = data.camera()
for bits in (8, 6, 4, 2, 1):
    q = quantize(image, bits)
    error = np.abs(image.astype(int) - q).mean()
    print(f"k = {bits}: {len(np.unique(q)):>3} levels used, mean |error| {error:5.2f},"
          f" b = {storage_bits(*image.shape, bits):>9,} bits")
# --8<-- [end:quantize]
