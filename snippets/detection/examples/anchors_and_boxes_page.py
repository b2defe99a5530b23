"""Code of docs/detection/anchors-and-boxes.md, section by section (run top to bottom)."""

# --8<-- [start:jwyang_anchors]
from snippets.detection.anchors import generate_anchors

anchors = generate_anchors(base_size=16, ratios=(0.5, 1, 2), scales=(8, 16, 32))
for x1, y1, x2, y2 in anchors.int().tolist():
    w, h = x2 - x1 + 1, y2 - y1 + 1  # jwyang counts pixels inclusively
    print(
        f"[{x1:5d} {y1:5d} {x2:4d} {y2:4d}]  w={w:3d} h={h:3d}  h/w={h / w:.3f}  "
        f"area={w * h}"
    )
# --8<-- [end:jwyang_anchors]

# --8<-- [start:grid]
import torch
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList

from snippets.detection.anchors import cell_anchors, generate_anchors, grid_anchors

# a 600x800 image through VGG16 (stride 16) gives a 38x50 map: 9 anchors per cell
all_anchors = grid_anchors(generate_anchors(), (38, 50), 16)
print("anchors on a 38x50 map:", tuple(all_anchors.shape))
print(
    "cell (0, 1), first anchor:",
    all_anchors[9].int().tolist(),
    "= the first base anchor shifted by 16 in x",
)

# torchvision centres its cell anchors on (0, 0); the gridding is the same
generator = AnchorGenerator(sizes=((128, 256, 512),), aspect_ratios=((0.5, 1.0, 2.0),))
images = ImageList(torch.zeros(1, 3, 608, 800), [(608, 800)])
ref = generator(images, [torch.zeros(1, 512, 38, 50)])[0]
ours = grid_anchors(cell_anchors((128, 256, 512), (0.5, 1.0, 2.0)), (38, 50), 16)
print("equal to torchvision's AnchorGenerator:", torch.equal(ours, ref))
print("torchvision's first cell anchor:", ref[0].tolist())
# --8<-- [end:grid]

# --8<-- [start:iou]
import torch
import torchvision.ops

from snippets.detection.boxes import box_iou

boxes1 = torch.tensor([[0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 40.0, 30.0]])
boxes2 = torch.tensor(
    [[5.0, 5.0, 15.0, 15.0], [0.0, 0.0, 10.0, 10.0], [30.0, 20.0, 50.0, 30.0]]
)
iou = box_iou(boxes1, boxes2)
print(iou.numpy().round(4))
print(
    "equal to torchvision.ops.box_iou:",
    torch.equal(iou, torchvision.ops.box_iou(boxes1, boxes2)),
)
# --8<-- [end:iou]

# --8<-- [start:plus1]
import torch

from snippets.detection.boxes import box_iou, box_iou_plus1

# two 10x10-pixel squares, offset by 5 pixels, written as jwyang writes pixel boxes:
# x1..x2 are the first and last pixel columns, inclusive
a = torch.tensor([[0.0, 0.0, 9.0, 9.0]])
b = torch.tensor([[5.0, 5.0, 14.0, 14.0]])
print(
    f"jwyang (+1) IoU      : {box_iou_plus1(a, b).item():.4f}   "
    "(25 / 175: 5x5 shared pixels)"
)
print(
    f"torchvision IoU      : {box_iou(a, b).item():.4f}   "
    "(reads the same numbers as 9x9 boxes)"
)
# the same squares in continuous coordinates: the pixel edges, x2 = last column + 1
x2_plus_1 = torch.tensor([0, 0, 1, 1])
print(f"torchvision, x2 + 1  : {box_iou(a + x2_plus_1, b + x2_plus_1).item():.4f}")
# --8<-- [end:plus1]

# --8<-- [start:encode]
import torch
from torchvision.models.detection._utils import BoxCoder

from snippets.detection.boxes import decode_boxes, encode_boxes

torch.manual_seed(0)
proposals = torch.tensor([[10.0, 10.0, 50.0, 30.0], [0.0, 0.0, 20.0, 20.0]])
gt = torch.tensor([[12.0, 8.0, 56.0, 34.0], [2.0, 1.0, 18.0, 24.0]])
codes = encode_boxes(gt, proposals, weights=(10.0, 10.0, 5.0, 5.0))
print("targets (dx, dy, dw, dh) x (10, 10, 5, 5):")
print(codes.numpy().round(4))
coder = BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
print(
    "equal to BoxCoder.encode_single:",
    torch.allclose(codes, coder.encode_single(gt, proposals)),
)
print(
    "decode(encode(gt)) == gt       :",
    torch.allclose(decode_boxes(codes, proposals, (10.0, 10.0, 5.0, 5.0)), gt),
)

# dw = 50 / 5 = 10 -> exp(10) = 22026x wider?
wild = torch.tensor([[0.0, 0.0, 50.0, 0.0]])
out = decode_boxes(wild, proposals[:1], (10.0, 10.0, 5.0, 5.0))
print(
    f"dw clamped at log(1000/16) = {torch.log(torch.tensor(1000 / 16)).item():.4f}: "
    f"width {(out[0, 2] - out[0, 0]).item():.1f} = 40 x 62.5, equal to BoxCoder: "
    f"{torch.allclose(out, coder.decode_single(wild, proposals[:1]))}"
)
# --8<-- [end:encode]

# --8<-- [start:plus1_roundtrip]
import torch

from snippets.detection.boxes import decode_boxes_plus1, encode_boxes_plus1

anchor = torch.tensor([[0.0, 0.0, 15.0, 15.0]])
gt = torch.tensor([[3.0, 2.0, 20.0, 12.0]])
back = decode_boxes_plus1(encode_boxes_plus1(gt, anchor), anchor)
print("gt                       :", gt[0].tolist())
print("bbox_transform_inv(...)  :", back[0].tolist(), "<- x2, y2 one pixel too far")
# --8<-- [end:plus1_roundtrip]
