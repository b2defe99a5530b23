"""A small Faster R-CNN assembled from this package's parts, sized to train on a CPU in minutes.

Backbone (4 convs, stride 8) -> RPN (anchors, proposal layer, anchor targets) ->
RoI Align or RoI pooling -> two-layer head (class scores + class-specific box deltas).
Same structure as jwyang's ``_fasterRCNN`` and torchvision's ``FasterRCNN``; every
size is much smaller.
"""

# --8<-- [start:imports]
from __future__ import annotations

import torch
import torch.nn.functional as F
import torchvision
from torch import Tensor, nn

from snippets.detection.anchors import cell_anchors, grid_anchors
from snippets.detection.boxes import clip_boxes, decode_boxes, decode_boxes_plus1
from snippets.detection.losses import smooth_l1_loss
from snippets.detection.nms import batched_nms
from snippets.detection.roi import roi_align
from snippets.detection.rpn import RPNHead, flatten_rpn_outputs, proposal_layer
from snippets.detection.targets import anchor_targets, proposal_targets
# --8<-- [end:imports]

from types import SimpleNamespace

__all__ = ["DetectorConfig", "TinyFasterRCNN"]


# Argument checks live here, outside the shown sections, so the code reads as the model.
def _check_detector_config(defaults: object, overrides: dict[str, object]) -> None:
    """Raise unless ``overrides`` name known settings and the result is consistent."""
    for key in overrides:
        if not hasattr(defaults, key):
            raise TypeError(f"unknown DetectorConfig setting {key!r}")
    cfg = SimpleNamespace(**{**vars(defaults), **overrides})
    if cfg.pooling_mode not in ("align", "pool"):
        raise ValueError(
            f"pooling_mode must be 'align' or 'pool', got {cfg.pooling_mode!r}"
        )
    if cfg.box_convention not in ("continuous", "plus1"):
        raise ValueError(
            "box_convention must be 'continuous' or 'plus1', "
            f"got {cfg.box_convention!r}"
        )
    pools = (cfg.stride // cfg.stem_stride).bit_length() - 1
    if (
        cfg.stride % cfg.stem_stride
        or (cfg.stride // cfg.stem_stride) != 2**pools
        or len(cfg.channels) < pools
    ):
        raise ValueError(
            f"stride / stem_stride must be a power of two with one conv block per 2x "
            f"pooling, got stride {cfg.stride}, stem_stride {cfg.stem_stride} and "
            f"{len(cfg.channels)} blocks"
        )


def _check_training_targets(boxes: object, labels: object) -> None:
    if boxes is None or labels is None:
        raise ValueError("training needs boxes and labels for every image")


# --8<-- [start:config]
class DetectorConfig:
    """Every setting of the small detector.

    A comment gives jwyang's value where it differs.
    """

    def __init__(self, **overrides: object) -> None:
        self.num_classes = 5  # + background
        self.image_size = 128  # longest side (jwyang: shortest side 600)
        self.stride = 8  # jwyang (VGG16 conv5): 16
        self.channels = (16, 32, 64, 64)  # one 3x3 conv block each
        self.stem_stride = 2  # first conv strided, as ResNet's stem (VGG16: 1)
        self.anchor_sizes = (
            16.0,
            32.0,
            64.0,
            128.0,
        )  # jwyang: 128, 256, 512 (scales 8, 16, 32 x 16)
        self.aspect_ratios = (0.5, 1.0, 2.0)
        self.rpn_batch_size = 64  # jwyang: 256
        self.rpn_fg_fraction = 0.5
        self.rpn_pos_iou, self.rpn_neg_iou = 0.7, 0.3
        self.pre_nms_train, self.post_nms_train = 600, 64  # jwyang: 12000, 2000
        self.pre_nms_test, self.post_nms_test = 300, 32  # jwyang: 6000, 300
        self.rpn_nms = 0.7
        self.roi_batch_size = 32  # jwyang: 128 (256 in some configs)
        self.roi_fg_fraction = 0.25
        self.pooled_size = 7  # jwyang: POOLING_SIZE 7
        self.pooling_mode = "align"  # jwyang: POOLING_MODE "align" | "pool"
        self.box_weights = (10.0, 10.0, 5.0, 5.0)  # = 1 / jwyang's BBOX_NORMALIZE_STDS
        self.box_convention = (
            "continuous"  # test-time decoder; "plus1": jwyang's, mismatched
        )
        self.score_thresh, self.test_nms, self.detections_per_image = 0.05, 0.3, 20
        _check_detector_config(self, overrides)
        for key, value in overrides.items():
            setattr(self, key, value)

    def as_dict(self) -> dict[str, object]:
        return dict(vars(self))
# --8<-- [end:config]


# --8<-- [start:TinyFasterRCNN]
class TinyFasterRCNN(nn.Module):
    """Faster R-CNN with a 4-conv backbone. ``forward(images, boxes, labels)`` returns
    the four losses in training and a list of (boxes, scores, labels) per image in
    eval."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        super().__init__()
        cfg = self.cfg = config or DetectorConfig()

        def block(c_in: int, c_out: int, stride: int = 1) -> list[nn.Module]:
            return [
                nn.Conv2d(c_in, c_out, 3, stride, padding=1),
                nn.GroupNorm(8, c_out),
                nn.ReLU(inplace=True),
            ]

        # a strided first conv, then a 2x2 max pool (floor mode, as VGG16's) after each
        # of the first log2(stride / stem_stride) blocks
        layers, c_in = [], 3
        pools = (cfg.stride // cfg.stem_stride).bit_length() - 1
        for k, c_out in enumerate(cfg.channels):
            layers += block(c_in, c_out, cfg.stem_stride if k == 0 else 1)
            layers += [nn.MaxPool2d(2)] if k < pools else []
            c_in = c_out
        self.backbone = nn.Sequential(*layers)
        # cell anchors centred on the cell centre (jwyang: 7.5, 7.5 of a 16-pixel cell)
        base = cell_anchors(cfg.anchor_sizes, cfg.aspect_ratios) + cfg.stride / 2
        self.register_buffer("base_anchors", base, persistent=False)
        self.rpn = RPNHead(c_in, base.shape[0])
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c_in * cfg.pooled_size**2, 128),
            nn.ReLU(inplace=True),
            nn.Linear(128, 128),
            nn.ReLU(inplace=True),
        )
        self.cls_score = nn.Linear(128, cfg.num_classes + 1)
        self.bbox_pred = nn.Linear(128, 4 * (cfg.num_classes + 1))
        nn.init.normal_(self.cls_score.weight, std=0.01)
        nn.init.normal_(self.bbox_pred.weight, std=0.001)
        nn.init.zeros_(self.cls_score.bias)
        nn.init.zeros_(self.bbox_pred.bias)

    def _roi_features(self, features: Tensor, rois: list[Tensor]) -> Tensor:
        batch_rois = torch.cat(
            [
                torch.cat([torch.full((r.shape[0], 1), float(i)), r], dim=1)
                for i, r in enumerate(rois)
            ]
        )
        if (
            self.cfg.pooling_mode == "pool"
        ):  # Fast R-CNN's RoI pooling: max over rounded bins
            # torchvision's kernel: equal to our roi_pool (tested), ~80x faster
            # with its backward
            pooled = torchvision.ops.roi_pool(
                features, batch_rois, self.cfg.pooled_size, 1.0 / self.cfg.stride
            )
        else:
            pooled = roi_align(
                features,
                batch_rois,
                self.cfg.pooled_size,
                1.0 / self.cfg.stride,
                sampling_ratio=2,
            )
        return self.head(pooled)

    def forward(
        self,
        images: Tensor,
        boxes: list[Tensor] | None = None,
        labels: list[Tensor] | None = None,
        generator: torch.Generator | None = None,
        image_sizes: list[tuple[int, int]] | None = None,
    ):
        """``images`` Tensor[N, 3, H, W], zero-padded at the bottom and right;
        ``image_sizes`` the (height, width) of each image before padding (default: H, W
        for all)."""
        cfg = self.cfg
        sizes = image_sizes or [(images.shape[2], images.shape[3])] * images.shape[0]
        features = self.backbone(images)
        anchors = grid_anchors(self.base_anchors, features.shape[2:], cfg.stride)
        objectness, rpn_deltas = flatten_rpn_outputs(*self.rpn(features))
        pre, post = (
            (cfg.pre_nms_train, cfg.post_nms_train)
            if self.training
            else (cfg.pre_nms_test, cfg.post_nms_test)
        )
        proposals = [
            proposal_layer(
                objectness[i : i + 1],
                rpn_deltas[i : i + 1],
                anchors,
                size,
                pre,
                post,
                cfg.rpn_nms,
                min_size=1.0,
            )[0][0]
            for i, size in enumerate(sizes)
        ]
        if not self.training:
            return self._detect(features, proposals, sizes)
        _check_training_targets(boxes, labels)

        # RPN losses: sampled anchors only; box loss on positives,
        # normalised by the sample count
        rpn_labels, rpn_targets = zip(
            *(
                anchor_targets(
                    anchors,
                    b,
                    size,
                    cfg.rpn_pos_iou,
                    cfg.rpn_neg_iou,
                    cfg.rpn_batch_size,
                    cfg.rpn_fg_fraction,
                    generator=generator,
                )
                for b, size in zip(boxes, sizes)
            )
        )
        rpn_labels, rpn_targets = torch.stack(rpn_labels), torch.stack(rpn_targets)
        sampled, positive = rpn_labels >= 0, rpn_labels == 1
        rpn_cls = F.binary_cross_entropy_with_logits(
            objectness[sampled], rpn_labels[sampled]
        )
        rpn_box = smooth_l1_loss(
            rpn_deltas[positive], rpn_targets[positive], sigma=3.0, reduction="sum"
        ) / sampled.sum().clamp(min=1)

        # detection head: sampled RoIs (gt appended), class-specific deltas
        # for the true class
        rois, roi_labels, roi_targets = zip(
            *(
                proposal_targets(
                    p,
                    b,
                    l,
                    cfg.roi_batch_size,
                    cfg.roi_fg_fraction,
                    weights=cfg.box_weights,
                    generator=generator,
                )
                for p, b, l in zip(proposals, boxes, labels)
            )
        )
        hidden = self._roi_features(features, list(rois))
        roi_labels, roi_targets = torch.cat(roi_labels), torch.cat(roi_targets)
        cls_loss = F.cross_entropy(self.cls_score(hidden), roi_labels)
        deltas = self.bbox_pred(hidden).view(-1, cfg.num_classes + 1, 4)
        fg = roi_labels > 0
        self.last_fg_bg = (
            int(fg.sum()),
            int((~fg).sum()),
        )  # jwyang prints these: fg/bg=(..)
        box_loss = (
            smooth_l1_loss(
                deltas[fg, roi_labels[fg]], roi_targets[fg], sigma=1.0, reduction="sum"
            )
            / roi_labels.numel()
        )
        return {
            "rpn_cls": rpn_cls,
            "rpn_box": rpn_box,
            "rcnn_cls": cls_loss,
            "rcnn_box": box_loss,
        }

    @torch.no_grad()
    def _detect(
        self, features: Tensor, proposals: list[Tensor], sizes: list[tuple[int, int]]
    ):
        cfg = self.cfg
        hidden = self._roi_features(features, proposals)
        probs = F.softmax(self.cls_score(hidden), dim=1)
        deltas = self.bbox_pred(hidden)
        results, start = [], 0
        for props, size in zip(proposals, sizes):
            rows = slice(start, start + props.shape[0])
            start += props.shape[0]
            # one box per (proposal, class), class 0 (background) dropped
            if (
                cfg.box_convention == "plus1"
            ):  # jwyang's bbox_transform_inv on continuous-trained deltas
                d = deltas[rows].view(-1, 4) / torch.tensor(cfg.box_weights)
                boxes = decode_boxes_plus1(
                    d, props.repeat_interleave(cfg.num_classes + 1, dim=0)
                )
            else:
                boxes = decode_boxes(deltas[rows], props, cfg.box_weights)
            boxes = clip_boxes(boxes.view(-1, cfg.num_classes + 1, 4), size)
            boxes, scores = boxes[:, 1:].reshape(-1, 4), probs[rows, 1:].reshape(-1)
            labels = torch.arange(1, cfg.num_classes + 1).repeat(props.shape[0])
            keep = (
                (scores > cfg.score_thresh)
                & ((boxes[:, 2] - boxes[:, 0]) > 0)
                & ((boxes[:, 3] - boxes[:, 1]) > 0)
            )
            boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
            keep = batched_nms(boxes, scores, labels, cfg.test_nms)[
                : cfg.detections_per_image
            ]
            results.append((boxes[keep], scores[keep], labels[keep]))
        return results
# --8<-- [end:TinyFasterRCNN]
