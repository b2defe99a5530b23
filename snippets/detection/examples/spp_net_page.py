"""Code of docs/detection/spp-net.md, section by section (run top to bottom)."""

# --8<-- [start:fixed_fc]
import torch
from torch import nn

from snippets.detection.spp import SpatialPyramidPooling

torch.manual_seed(0)
features = nn.Sequential(  # three conv blocks, total stride 4, 32 output channels
    nn.Conv2d(1, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1),
    nn.ReLU(),
)
# sized for 32x32 inputs: 32 channels x 8 x 8 cells
flat_head = nn.Linear(32 * 8 * 8, 4)
spp_head = nn.Sequential(
    SpatialPyramidPooling((4, 2, 1)), nn.Linear(32 * (16 + 4 + 1), 4)
)

for height, width in ((32, 32), (48, 48), (40, 72)):
    fmap = features(torch.randn(1, 1, height, width))
    try:
        flat = str(tuple(flat_head(fmap.flatten(1)).shape))
    except RuntimeError as error:
        flat = f"RuntimeError: {error}"
    print(
        f"input {height}x{width} -> feature map {tuple(fmap.shape[1:])}, "
        f"flattened {fmap.flatten(1).shape[1]} values"
    )
    print(f"    flatten + Linear: {flat}")
    print(f"    SPP + Linear    : {tuple(spp_head(fmap).shape)}")
# --8<-- [end:fixed_fc]

# --8<-- [start:paper_bins]
from snippets.detection.spp import spp_bins


def paper_cell(a: int, n: int) -> str:
    """What the paper's window/stride gives on a side of a cells for level n."""
    window, stride, bins = spp_bins(a, n)
    left_out = a - ((bins - 1) * stride + window)  # cells after the last window
    if bins != n:
        return f"{bins} bins"
    return f"{n}, {left_out} unread" if left_out else "ok"


levels = (6, 4, 3, 2, 1)
print(
    f"{'a':>3} | " + " | ".join(f"n={n:<9}" for n in levels[:-1]) + f" | n={levels[-1]}"
)
for a in range(6, 21):
    print(f"{a:>3} | " + " | ".join(f"{paper_cell(a, n):<11}" for n in levels).rstrip())

exact = [a for a in range(6, 41) if all(paper_cell(a, n) == "ok" for n in (6, 3, 2, 1))]
print("a in 6..40 where all of {6,3,2,1} are ok:", exact)
fewer = [
    (a, n) for a in range(1, 201) for n in range(1, a + 1) if spp_bins(a, n)[2] < n
]
print("pairs (a <= 200, n <= a) with FEWER than n bins:", fewer)
# --8<-- [end:paper_bins]

# --8<-- [start:adaptive_fix]
import torch
import torch.nn.functional as F

from snippets.detection.spp import adaptive_bins, spp_bins

window, stride, bins = spp_bins(10, 6)
paper = [(i * stride, i * stride + window) for i in range(bins)]
print("paper, a=10, n=6 :", paper)
print("adaptive         :", adaptive_bins(10, 6))

# adaptive_max_pool2d uses exactly these bins: pool a 1x10 ramp per bin
ramp = torch.arange(10.0).view(1, 1, 1, 10)
print(
    "max of each bin  :",
    [int(v) for v in F.adaptive_max_pool2d(ramp, (1, 6)).flatten()],
)
print("last cell of bin :", [end - 1 for _, end in adaptive_bins(10, 6)])
# --8<-- [end:adaptive_fix]

# --8<-- [start:twin]
import torch
import torch.nn.functional as F

from snippets.detection.spp import spatial_pyramid_pool

torch.manual_seed(0)
levels = (6, 3, 2, 1)
for height, width in ((13, 13), (10, 10), (7, 19)):
    x = torch.randn(2, 256, height, width)
    ours = spatial_pyramid_pool(x, levels)
    twin = torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in levels], 1)
    avg = spatial_pyramid_pool(x, levels, mode="avg")
    avg_twin = torch.cat([F.adaptive_avg_pool2d(x, n).flatten(1) for n in levels], 1)
    print(
        f"{height:>2}x{width:<2} -> {tuple(ours.shape)}  "
        f"max |ours - adaptive_max| = {(ours - twin).abs().max().item():.1e}  "
        f"max |ours - adaptive_avg| = {(avg - avg_twin).abs().max().item():.1e}"
    )
print("256 channels x (36 + 9 + 4 + 1) bins =", 256 * (36 + 9 + 4 + 1))
# --8<-- [end:twin]

# --8<-- [start:peace195]
import math

import torch
import torch.nn.functional as F


def peace195_level(x: torch.Tensor, n: int) -> torch.Tensor:
    """Torch re-creation of one level of peace195/sppnet's spatial_pyramid_pool
    (NCHW)."""
    height, width = x.shape[-2:]
    h = math.ceil(height / n)  # h_size = h_strd
    w = math.ceil(width / n)  # w_size = w_strd
    # tf.pad: zeros at the bottom and right
    x = F.pad(x, (0, n * w - width, 0, n * h - height))

    def same(size: int, kernel: int, stride: int) -> tuple[int, int]:
        """TensorFlow 'SAME' padding (before, after); max_pool ignores it, like -inf."""
        total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2

    top, bottom = same(n * h, h, h)
    left, right = same(n * w, h, w)  # the bug: the kernel's width is h, not w
    x = F.pad(x, (left, right, top, bottom), value=-math.inf)
    return F.max_pool2d(x, kernel_size=(h, h), stride=(h, w))  # ksize=[1, h, h, 1]


def columns(height: int, width: int) -> torch.Tensor:
    """A map whose every cell holds its column index: a bin's max is the rightmost
    column it saw."""
    return torch.arange(float(width)).expand(1, 1, height, width).contiguous()


for height, width in ((4, 16), (16, 4)):
    x = columns(height, width)
    print(f"{height}x{width} map, level 2, rightmost column seen by each bin")
    print("    peace195 :", peace195_level(x, 2)[0, 0].int().tolist())
    print("    adaptive :", F.adaptive_max_pool2d(x, 2)[0, 0].int().tolist())

# a 13x20 conv5 map: which columns does any window of each of peace195's levels read?
height, width = 13, 20
# one lit column each
probes = torch.eye(width).view(width, 1, 1, width).expand(width, 1, height, width)
for n in (8, 6, 4):
    seen = peace195_level(probes, n).flatten(1).amax(1) > 0
    print(
        f"level {n}: output {tuple(peace195_level(probes[:1], n).shape[-2:])}, "
        f"columns never read: {(~seen).nonzero().flatten().tolist()}"
    )
print("peace195 vector length: 256 x (64 + 36 + 16) =", 256 * (8 * 8 + 6 * 6 + 4 * 4))
# --8<-- [end:peace195]

# --8<-- [start:sppnet]
import torch

from snippets.detection.spp import SPPNet

torch.manual_seed(0)
model = SPPNet()
print(model.spp, "->", model.spp.output_size(32), "values per image")
print("parameters:", sum(p.numel() for p in model.parameters()))
with torch.no_grad():
    for height, width in ((16, 16), (24, 24), (48, 48), (40, 72), (128, 128)):
        print(
            f"{height:>3}x{width:<3} -> logits "
            f"{tuple(model(torch.randn(2, 1, height, width)).shape)}"
        )
# --8<-- [end:sppnet]

# --8<-- [start:shapes]
import torch

from snippets.detection.spp import SHAPE_CLASSES, make_shapes

generator = torch.Generator().manual_seed(0)
images, labels = make_shapes(6, 24, 40, generator)
print("images", tuple(images.shape), "labels", [SHAPE_CLASSES[i] for i in labels])
for row in (images[0, 0] > 0.35).int():  # the first image, thresholded
    print("".join("#" if v else "." for v in row.tolist()))
# --8<-- [end:shapes]

# --8<-- [start:results]
import json
from pathlib import Path

record = json.loads(Path("results/spp/multisize.json").read_text(encoding="utf-8"))
print(
    f"recorded {record['date']} on {record['machine']['cpu']} "
    f"({record['machine']['cores']} cores, "
    f"{record['torch_threads']} torch thread), torch {record['versions']['torch']}"
)
print(
    f"{record['steps']} steps of {record['batch_size']} images, sizes "
    f"{record['train_sizes']}, "
    f"levels {record['levels']}: {record['train_seconds']} s"
)
print(
    f"mean loss, first 50 steps {record['loss_first_50']:.3f}, last 50 steps "
    f"{record['loss_last_50']:.3f}"
)
for row in record["rows"]:
    seen = "trained on" if row["seen_in_training"] else "never seen"
    print(
        f"{row['height']:>4} x {row['width']:<4} {seen}  accuracy "
        f"{100 * row['accuracy']:5.1f} %"
    )
# --8<-- [end:results]

# --8<-- [start:detection]
import torch
from torchvision.ops import roi_pool

from snippets.detection.spp import SPPNet, spatial_pyramid_pool

torch.manual_seed(0)
backbone = SPPNet().features.eval()  # conv layers only: total stride 4, 32 channels
image = torch.randn(1, 1, 64, 64)
with torch.no_grad():
    # computed ONCE for the whole image: (1, 32, 16, 16), stride 4
    fmap = backbone(image)
boxes = torch.tensor(
    [[8.0, 4.0, 40.0, 36.0], [20.0, 16.0, 60.0, 60.0], [0.0, 24.0, 60.0, 44.0]]
)  # x1, y1, x2, y2
scale = 1 / 4  # feature cells per image pixel
levels = (4, 2, 1)

vectors = []
for x1, y1, x2, y2 in (boxes * scale).round().int().tolist():
    region = fmap[:, :, y1 : y2 + 1, x1 : x2 + 1]  # the box's cells on the shared map
    vectors.append(spatial_pyramid_pool(region, levels))
    print(
        f"region {y2 - y1 + 1:>2}x{x2 - x1 + 1:<2} cells -> vector "
        f"{tuple(vectors[-1].shape)}"
    )
ours = torch.cat(vectors)

# RoI pooling is one level of this; three roi_pool calls rebuild the pyramid
# (batch index, x1, y1, x2, y2)
rois = torch.cat([torch.zeros(len(boxes), 1), boxes], 1)
pyramid = torch.cat(
    [roi_pool(fmap, rois, n, spatial_scale=scale).flatten(1) for n in levels], 1
)
print(
    "max |per-region SPP - roi_pool pyramid| =",
    f"{(ours - pyramid).abs().max().item():.1e}",
)
# --8<-- [end:detection]
