"""Code of docs/detection/rpn-and-proposals.md, section by section (run top to bottom)."""

# --8<-- [start:head]
import torch
import torchvision

from snippets.detection.anchors import feature_map_size, generate_anchors, grid_anchors
from snippets.detection.rpn import RPNHead, flatten_rpn_outputs

# jwyang's RCNN_base: VGG16's convolutions without the last max pool (conv5_3,
# stride 16), built on the meta device: shapes only, no weights, no arithmetic
with torch.device("meta"):
    conv5 = torchvision.models.vgg16().features[:-1]
pools = [m for m in conv5 if isinstance(m, torch.nn.MaxPool2d)]
print(f"{len(pools)} max pools 2x2, stride 2, ceil_mode={pools[0].ceil_mode}")
height, width = feature_map_size(conv5, (600, 800))
print(f"600x800 -> {height}x{width} cells x 9 anchors = {height * width * 9:,} anchors")
for pool in pools:
    pool.ceil_mode = True  # Caffe's pooling rounds up
h_ceil, w_ceil = feature_map_size(conv5, (600, 800))
print(
    f"with Caffe's ceil mode: {h_ceil}x{w_ceil} cells = {h_ceil * w_ceil * 9:,} anchors"
)

torch.manual_seed(0)
features = torch.randn(1, 512, height, width)  # stands in for conv5 of a 600x800 image
head = RPNHead(512, num_anchors=9)
objectness, deltas = head(features)
print("objectness:", tuple(objectness.shape), " deltas:", tuple(deltas.shape))
scores, flat_deltas = flatten_rpn_outputs(objectness, deltas)
# jwyang's anchors are +1 boxes (x2 is the last pixel): add 1 to x2, y2 for the
# continuous decoder that proposal_layer uses (and torchvision's BoxCoder)
anchors = grid_anchors(
    generate_anchors() + torch.tensor([0.0, 0.0, 1.0, 1.0]), (height, width), 16
)
print(
    "per anchor:",
    tuple(scores.shape),
    tuple(flat_deltas.shape),
    "anchors:",
    tuple(anchors.shape),
)
print("parameters of the head:", sum(p.numel() for p in head.parameters()))
# --8<-- [end:head]

# --8<-- [start:proposals]
import torch
import torchvision.ops
from torchvision.models.detection._utils import BoxCoder

from snippets.detection.rpn import proposal_layer

# jwyang test-time defaults: 6000 before NMS, NMS at 0.7, 300 after
boxes, probs = proposal_layer(
    scores,
    flat_deltas,
    anchors,
    (600, 800),
    pre_nms_top_n=6000,
    post_nms_top_n=300,
    nms_thresh=0.7,
)
print(
    "proposals:",
    tuple(boxes[0].shape),
    " best objectness:",
    f"{probs[0][0].item():.4f}",
)

# the same pipeline from torchvision's pieces
decoded = torchvision.ops.clip_boxes_to_image(
    BoxCoder((1.0, 1.0, 1.0, 1.0)).decode_single(flat_deltas[0].detach(), anchors),
    (600, 800),
)
top = scores[0].detach().topk(6000).indices
keep = torchvision.ops.nms(decoded[top], scores[0].detach()[top], 0.7)[:300]
print(
    "equal to torchvision's decode + clip + nms:",
    torch.equal(boxes[0], decoded[top][keep]),
)
# --8<-- [end:proposals]

# --8<-- [start:anchor_targets]
import torch

from snippets.detection.anchors import cell_anchors, grid_anchors
from snippets.detection.data import make_image
from snippets.detection.targets import anchor_targets

image, gt_boxes, gt_labels = make_image(torch.Generator().manual_seed(7))
anchors = grid_anchors(
    cell_anchors((12.0, 20.0, 32.0), (0.5, 1.0, 2.0)) + 2.0, (16, 16), 4
)
labels, targets = anchor_targets(
    anchors,
    gt_boxes,
    (64, 64),
    pos_iou=0.7,
    neg_iou=0.3,
    batch_size=64,
    fg_fraction=0.5,
    generator=torch.Generator().manual_seed(0),
)
print("gt boxes:", gt_boxes.int().tolist())
print(
    f"anchors: {len(anchors)}; positive {int((labels == 1).sum())}, negative "
    f"{int((labels == 0).sum())}, "
    f"ignored {int((labels == -1).sum())}"
)
print("targets of the positives (dx, dy, dw, dh):")
print(targets[labels == 1].numpy().round(3))
# --8<-- [end:anchor_targets]

# --8<-- [start:proposal_targets]
import torch

from snippets.detection.targets import proposal_targets

gen = torch.Generator().manual_seed(1)
# 100 fake proposals: shifted copies of the gt boxes and random 16x16 boxes
shift = (torch.randn(30, 2, generator=gen) * 3).repeat(1, 2)
corner = torch.rand(70, 2, generator=gen) * 48
proposals = torch.cat(
    [gt_boxes.repeat(10, 1) + shift, torch.cat([corner, corner + 16], dim=1)]
)
rois, roi_labels, roi_targets = proposal_targets(
    proposals, gt_boxes, gt_labels, batch_size=32, fg_fraction=0.25, generator=gen
)
print(
    f"RoIs: {rois.shape[0]}, foreground {int((roi_labels > 0).sum())} (labels "
    f"{sorted(set(roi_labels[roi_labels > 0].tolist()))}), "
    f"background {int((roi_labels == 0).sum())}"
)
print(
    "largest |target| of a foreground RoI (weights 10, 10, 5, 5):",
    f"{roi_targets.abs().max().item():.3f}",
)
# --8<-- [end:proposal_targets]

# --8<-- [start:smooth_l1]
import torch
import torch.nn.functional as F

from snippets.detection.losses import smooth_l1_loss

torch.manual_seed(0)
pred, target = torch.randn(256, 4), torch.randn(256, 4)
for sigma in (3.0, 1.0):
    ours = smooth_l1_loss(pred, target, sigma=sigma)
    ref = F.smooth_l1_loss(pred, target, beta=1 / sigma**2)
    print(
        f"sigma={sigma:.0f}: ours {ours.item():.6f}  "
        f"F.smooth_l1_loss(beta=1/{sigma**2:.0f}) {ref.item():.6f}"
    )
# --8<-- [end:smooth_l1]
