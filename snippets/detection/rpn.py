"""Region proposal network: the head, and the proposal layer that turns its outputs into boxes.

Twins in spirit: jwyang's ``lib/model/rpn/rpn.py`` and ``proposal_layer.py``;
``torchvision.models.detection.rpn.RPNHead`` and ``RegionProposalNetwork.filter_proposals``.
"""

# --8<-- [start:imports]
from __future__ import annotations

import torch
from torch import Tensor, nn

from snippets.detection.boxes import clip_boxes, decode_boxes
from snippets.detection.nms import nms
# --8<-- [end:imports]

from snippets._checks import check_tensor

__all__ = ["RPNHead", "flatten_rpn_outputs", "proposal_layer"]


# --8<-- [start:RPNHead]
class RPNHead(nn.Module):
    """3x3 conv + ReLU, then two 1x1 convs: an objectness logit and 4 deltas per anchor.

    jwyang uses 2 scores per anchor (softmax over bg/fg); one logit with a sigmoid is
    the same model with one fewer redundant output (torchvision's choice).
    Input Tensor[N, C, H, W] -> (Tensor[N, A, H, W], Tensor[N, 4A, H, W]).
    """

    def __init__(
        self, in_channels: int, num_anchors: int, mid_channels: int | None = None
    ) -> None:
        super().__init__()
        mid = mid_channels or in_channels
        self.conv = nn.Conv2d(in_channels, mid, kernel_size=3, padding=1)
        self.cls_logits = nn.Conv2d(mid, num_anchors, kernel_size=1)
        self.bbox_pred = nn.Conv2d(mid, 4 * num_anchors, kernel_size=1)
        for layer in (self.conv, self.cls_logits, self.bbox_pred):
            # jwyang and torchvision: N(0, 0.01), zero bias
            nn.init.normal_(layer.weight, std=0.01)
            nn.init.zeros_(layer.bias)

    def forward(self, features: Tensor) -> tuple[Tensor, Tensor]:
        hidden = torch.relu(self.conv(features))
        return self.cls_logits(hidden), self.bbox_pred(hidden)
# --8<-- [end:RPNHead]


# --8<-- [start:flatten_rpn_outputs]
def flatten_rpn_outputs(objectness: Tensor, deltas: Tensor) -> tuple[Tensor, Tensor]:
    """(N, A, H, W) and (N, 4A, H, W) -> (N, H*W*A) and (N, H*W*A, 4), in
    ``grid_anchors`` order."""
    n, a, h, w = objectness.shape
    scores = objectness.permute(0, 2, 3, 1).reshape(n, -1)
    deltas = deltas.view(n, a, 4, h, w).permute(0, 3, 4, 1, 2).reshape(n, -1, 4)
    return scores, deltas
# --8<-- [end:flatten_rpn_outputs]


# Argument checks live here, outside the shown sections, so each function reads
# as its math.
def _check_proposal_layer(
    scores: Tensor,
    deltas: Tensor,
    anchors: Tensor,
    pre_nms_top_n: int,
    post_nms_top_n: int,
    nms_thresh: float,
) -> None:
    check_tensor("scores", scores)
    if (
        scores.dim() != 2
        or deltas.shape != (*scores.shape, 4)
        or anchors.shape != (scores.shape[1], 4)
    ):
        raise ValueError(
            f"expected scores (N, A), deltas (N, A, 4), anchors (A, 4); got "
            f"{tuple(scores.shape)}, {tuple(deltas.shape)}, {tuple(anchors.shape)}"
        )
    if pre_nms_top_n < 1 or post_nms_top_n < 1 or not nms_thresh >= 0:
        raise ValueError(
            "top-N must be >= 1 and nms_thresh >= 0, "
            f"got {pre_nms_top_n}, {post_nms_top_n}, {nms_thresh}"
        )


# --8<-- [start:proposal_layer]
def proposal_layer(
    scores: Tensor,
    deltas: Tensor,
    anchors: Tensor,
    image_size: tuple[int, int],
    pre_nms_top_n: int = 6000,
    post_nms_top_n: int = 300,
    nms_thresh: float = 0.7,
    min_size: float = 0.0,
) -> tuple[list[Tensor], list[Tensor]]:
    """Proposals per image from RPN outputs (jwyang's test: 6000 -> NMS 0.7 -> 300).

    ``scores`` Tensor[N, A_total] objectness logits, ``deltas`` Tensor[N, A_total, 4],
    ``anchors`` Tensor[A_total, 4]. Per image: decode every anchor, clip to
    ``image_size`` (H, W), drop boxes smaller than ``min_size``, keep the
    ``pre_nms_top_n`` best, run NMS, keep the ``post_nms_top_n`` best. Returns lists of
    Tensor[P, 4] boxes and Tensor[P] scores.
    """
    _check_proposal_layer(
        scores, deltas, anchors, pre_nms_top_n, post_nms_top_n, nms_thresh
    )
    all_boxes, all_scores = [], []
    for image_scores, image_deltas in zip(scores.detach(), deltas.detach()):
        boxes = clip_boxes(decode_boxes(image_deltas, anchors), image_size)
        wide = ((boxes[:, 2] - boxes[:, 0]) >= min_size) & (
            (boxes[:, 3] - boxes[:, 1]) >= min_size
        )
        boxes, image_scores = boxes[wide], image_scores[wide]
        top = image_scores.topk(min(pre_nms_top_n, image_scores.numel())).indices
        boxes, image_scores = boxes[top], image_scores[top]
        keep = nms(boxes, image_scores, nms_thresh)[:post_nms_top_n]
        all_boxes.append(boxes[keep])
        all_scores.append(torch.sigmoid(image_scores[keep]))
    return all_boxes, all_scores
# --8<-- [end:proposal_layer]
