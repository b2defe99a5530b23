"""snippets.detection.boxes against torchvision.ops and torchvision's BoxCoder."""

from __future__ import annotations

import math

import pytest
import torch
import torchvision.ops as tv
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close
from torchvision.models.detection._utils import BoxCoder

from snippets.detection.boxes import (
    box_area, box_iou, box_iou_plus1, clip_boxes, decode_boxes, decode_boxes_plus1, encode_boxes,
    encode_boxes_plus1,
)


def random_boxes(n: int, seed: int, scale: float = 100.0, dtype=torch.float32, device="cpu") -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * scale
    wh = torch.rand(n, 2, generator=gen, dtype=torch.float64) * scale / 2 + 1
    return torch.cat([xy, xy + wh], dim=1).to(dtype=dtype, device=device)


class TestBoxArea:
    def test_known_values(self):
        """A 10x5 box has area 50; a degenerate box has area 0."""
        assert_close(box_area(torch.tensor([[0.0, 0.0, 10.0, 5.0], [3.0, 3.0, 3.0, 9.0]])), torch.tensor([50.0, 0.0]))

    def test_matches_torchvision(self, torch_device):
        """Equals torchvision.ops.box_area."""
        boxes = random_boxes(50, 0, device=torch_device)
        assert_close(box_area(boxes), tv.box_area(boxes))

    @pytest.mark.parametrize("bad", [torch.zeros(3, 5), torch.zeros(4)])
    def test_rejects_bad_shape(self, bad):
        """Boxes must be (N, 4)."""
        with pytest.raises(ValueError, match=r"boxes must have shape \(N, 4\)"):
            box_area(bad)

    def test_rejects_inverted_box(self):
        """x2 < x1 is named with the offending row."""
        with pytest.raises(ValueError, match="x1 <= x2 and y1 <= y2, got row 1"):
            box_area(torch.tensor([[0.0, 0.0, 1.0, 1.0], [5.0, 0.0, 4.0, 1.0]]))

    def test_rejects_integer_boxes(self):
        """Integer boxes get a TypeError that says how to convert."""
        with pytest.raises(TypeError, match="floating dtype"):
            box_area(torch.tensor([[0, 0, 1, 1]]))


class TestBoxIou:
    def test_offset_squares(self):
        """Two 10x10 boxes offset by 5 in x and y: IoU 25 / 175 = 1/7 (continuous); 36/164 with +1."""
        a, b = torch.tensor([[0.0, 0.0, 10.0, 10.0]]), torch.tensor([[5.0, 5.0, 15.0, 15.0]])
        assert_close(box_iou(a, b), torch.tensor([[25.0 / 175.0]]))
        a1, b1 = torch.tensor([[0.0, 0.0, 9.0, 9.0]]), torch.tensor([[5.0, 5.0, 14.0, 14.0]])  # the same pixels, +1 style
        assert_close(box_iou_plus1(a1, b1), torch.tensor([[25.0 / 175.0]]))
        assert_close(box_iou_plus1(a, b), torch.tensor([[36.0 / 206.0]]))

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(0, 30), m=st.integers(0, 30), seed=st.integers(0, 2**16))
    def test_matches_torchvision(self, n, m, seed):
        """Property: any two box sets give torchvision.ops.box_iou's matrix."""
        b1, b2 = random_boxes(n, seed), random_boxes(m, seed + 1)
        assert_close(box_iou(b1, b2), tv.box_iou(b1, b2))

    def test_device(self, torch_device):
        """Runs on the device of its inputs."""
        b = random_boxes(7, 3, device=torch_device)
        assert_close(box_iou(b, b), tv.box_iou(b, b))

    def test_rejects_bad_second_argument(self):
        """The error names boxes2."""
        with pytest.raises(ValueError, match="boxes2 must have shape"):
            box_iou(torch.zeros(2, 4), torch.zeros(2, 3))


class TestEncodeDecode:
    @pytest.mark.parametrize("weights", [(1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)])
    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    def test_encode_matches_boxcoder(self, weights, dtype):
        """encode_boxes equals BoxCoder.encode_single."""
        gt, props = random_boxes(40, 0, dtype=dtype), random_boxes(40, 1, dtype=dtype)
        assert_close(encode_boxes(gt, props, weights), BoxCoder(weights).encode_single(gt, props))

    @settings(max_examples=30, deadline=None)
    @given(n=st.integers(1, 20), k=st.integers(1, 3), seed=st.integers(0, 2**16), spread=st.floats(0.1, 12.0))
    def test_decode_matches_boxcoder_incl_clamp(self, n, k, seed, spread):
        """decode_boxes equals BoxCoder.decode_single, with deltas large enough to hit the dw/dh clamp."""
        boxes = random_boxes(n, seed)
        codes = torch.randn(n, 4 * k, generator=torch.Generator().manual_seed(seed)) * spread
        coder = BoxCoder((10.0, 10.0, 5.0, 5.0))
        assert_close(decode_boxes(codes, boxes, (10.0, 10.0, 5.0, 5.0)), coder.decode_single(codes, boxes))

    def test_clamp(self):
        """dw = 100 is clamped to log(1000/16): a 10-wide box becomes 625 wide, not inf."""
        out = decode_boxes(torch.tensor([[0.0, 0.0, 100.0, 0.0]]), torch.tensor([[0.0, 0.0, 10.0, 10.0]]))
        assert_close(out[0, 2] - out[0, 0], torch.tensor(10.0 * math.exp(math.log(1000 / 16))))

    def test_roundtrip(self):
        """decode(encode(gt, p), p) = gt."""
        gt, props = random_boxes(30, 4, dtype=torch.float64), random_boxes(30, 5, dtype=torch.float64)
        assert_close(decode_boxes(encode_boxes(gt, props), props), gt)

    def test_plus1_roundtrip_is_off_by_one(self):
        """jwyang's bbox_transform_inv(bbox_transform(gt)) = gt + [0, 0, 1, 1]."""
        gt, props = random_boxes(10, 6, dtype=torch.float64), random_boxes(10, 7, dtype=torch.float64)
        back = decode_boxes_plus1(encode_boxes_plus1(gt, props), props)
        assert_close(back, gt + torch.tensor([0.0, 0.0, 1.0, 1.0], dtype=torch.float64))

    def test_rejects_mismatched_lengths(self):
        """encode needs one proposal per reference box."""
        with pytest.raises(ValueError, match="same length, got 3 and 2"):
            encode_boxes(random_boxes(3, 0), random_boxes(2, 1))

    def test_rejects_bad_codes(self):
        """rel_codes must be (N, 4k)."""
        with pytest.raises(ValueError, match=r"rel_codes must have shape \(2, 4k\)"):
            decode_boxes(torch.zeros(2, 5), random_boxes(2, 0))

    def test_rejects_bad_weights(self):
        """Weights are four positive numbers."""
        with pytest.raises(ValueError, match="weights must be four positive"):
            encode_boxes(random_boxes(2, 0), random_boxes(2, 1), weights=(1.0, 1.0, 0.0, 1.0))


class TestClipBoxes:
    def test_matches_torchvision(self, torch_device):
        """Equals torchvision.ops.clip_boxes_to_image with size (H, W)."""
        boxes = random_boxes(30, 2, device=torch_device) - 20
        assert_close(clip_boxes(boxes, (50, 70)), tv.clip_boxes_to_image(boxes, (50, 70)))

    def test_does_not_mutate(self):
        """The input is left as it was."""
        boxes = torch.tensor([[-5.0, -5.0, 200.0, 200.0]])
        clip_boxes(boxes, (10, 20))
        assert boxes.tolist() == [[-5.0, -5.0, 200.0, 200.0]]

    def test_rejects_bad_size(self):
        """size is (height, width)."""
        with pytest.raises(ValueError, match=r"size must be \(height, width\)"):
            clip_boxes(torch.zeros(1, 4), (10,))
