"""snippets.detection.rpn: the RPN head, output flattening and the proposal layer."""

from __future__ import annotations

import pytest
import torch
import torchvision.ops as tv
from torch.testing import assert_close

from snippets.detection.rpn import RPNHead, flatten_rpn_outputs, proposal_layer
from tests.detection.test_targets import grid


class TestProposalLayer:
    def test_matches_manual_pipeline(self):
        """Equals decode -> clip -> top-N -> torchvision nms -> top-N done by hand with torchvision."""
        from torchvision.models.detection._utils import BoxCoder

        gen = torch.Generator().manual_seed(0)
        anchors = grid(8, 8.0, 20.0)
        scores = torch.randn(2, 64, generator=gen)
        deltas = torch.randn(2, 64, 4, generator=gen) * 0.2
        boxes, probs = proposal_layer(scores, deltas, anchors, (64, 64), pre_nms_top_n=40, post_nms_top_n=10)
        for i in range(2):
            ref = tv.clip_boxes_to_image(BoxCoder((1.0, 1.0, 1.0, 1.0)).decode_single(deltas[i], anchors), (64, 64))
            top = scores[i].topk(40).indices
            keep = tv.nms(ref[top], scores[i][top], 0.7)[:10]
            assert_close(boxes[i], ref[top][keep])
            assert_close(probs[i], torch.sigmoid(scores[i][top][keep]))

    def test_head_and_flatten_follow_grid_order(self):
        """flatten_rpn_outputs puts anchor a of cell (i, j) at (i * W + j) * A + a."""
        head = RPNHead(4, 3)
        obj, deltas = head(torch.randn(1, 4, 5, 6))
        assert obj.shape == (1, 3, 5, 6) and deltas.shape == (1, 12, 5, 6)
        flat_obj, flat_deltas = flatten_rpn_outputs(obj, deltas)
        assert flat_obj[0, (2 * 6 + 4) * 3 + 1] == obj[0, 1, 2, 4]
        assert_close(flat_deltas[0, (2 * 6 + 4) * 3 + 1], deltas[0, 4:8, 2, 4])

    def test_rejects_shape_mismatch(self):
        """scores, deltas and anchors must agree."""
        with pytest.raises(ValueError, match="expected scores"):
            proposal_layer(torch.zeros(1, 5), torch.zeros(1, 4, 4), torch.zeros(5, 4), (8, 8))
