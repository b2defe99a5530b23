"""snippets.detection.anchors: jwyang's exact anchors, torchvision's AnchorGenerator."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList

from snippets.detection.anchors import cell_anchors, generate_anchors, grid_anchors

JWYANG = [[-84, -40, 99, 55], [-176, -88, 191, 103], [-360, -184, 375, 199],
          [-56, -56, 71, 71], [-120, -120, 135, 135], [-248, -248, 263, 263],
          [-36, -80, 51, 95], [-80, -168, 95, 183], [-168, -344, 183, 359]]


class TestGenerateAnchors:
    def test_jwyang_exact(self):
        """Defaults reproduce jwyang's generate_anchors() output exactly."""
        assert generate_anchors().tolist() == [[float(v) for v in row] for row in JWYANG]

    def test_centred_at_7_5(self):
        """Every anchor is centred at (7.5, 7.5), the centre of the 16-pixel base cell."""
        anchors = generate_anchors()
        assert_close((anchors[:, :2] + anchors[:, 2:]) / 2, torch.full((9, 2), 7.5))

    def test_ratio_is_height_over_width(self):
        """Ratio 2 gives boxes twice as tall as wide (up to rounding), +1 widths."""
        a = generate_anchors(ratios=(2,), scales=(1,))
        w, h = a[0, 2] - a[0, 0] + 1, a[0, 3] - a[0, 1] + 1
        assert (w.item(), h.item()) == (11.0, 22.0)

    def test_rejects_bad_ratio(self):
        """Ratios must be positive."""
        with pytest.raises(ValueError, match="must be positive"):
            generate_anchors(ratios=(0.0, 1.0))


class TestGridAnchors:
    @settings(max_examples=25, deadline=None)
    @given(h=st.integers(1, 9), w=st.integers(1, 9), stride=st.sampled_from([4, 8, 16]),
           sizes=st.lists(st.sampled_from([16.0, 32.0, 64.0, 128.0]), min_size=1, max_size=3, unique=True),
           ratios=st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=1, max_size=3, unique=True))
    def test_matches_anchor_generator(self, h, w, stride, sizes, ratios):
        """Property: grid_anchors(cell_anchors(...)) equals torchvision's AnchorGenerator."""
        generator = AnchorGenerator(sizes=(tuple(sizes),), aspect_ratios=(tuple(ratios),))
        images = ImageList(torch.zeros(1, 3, h * stride, w * stride), [(h * stride, w * stride)])
        ref = generator(images, [torch.zeros(1, 1, h, w)])[0]
        assert_close(grid_anchors(cell_anchors(sizes, ratios), (h, w), stride), ref)

    def test_order_and_count(self):
        """H * W * A anchors, ordered row, column, anchor."""
        base = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0]])
        out = grid_anchors(base, (2, 3), 10)
        assert out.shape == (12, 4)
        assert_close(out[2], torch.tensor([10.0, 0.0, 11.0, 1.0]))  # row 0, column 1, anchor 0
        assert_close(out[7], torch.tensor([0.0, 10.0, 2.0, 12.0]))  # row 1, column 0, anchor 1

    def test_rejects_bad_base(self):
        """base_anchors must be (A, 4)."""
        with pytest.raises(ValueError, match=r"base_anchors must have shape \(A, 4\)"):
            grid_anchors(torch.zeros(3, 5), (2, 2), 4)

    def test_rejects_bad_stride(self):
        """Stride must be positive."""
        with pytest.raises(ValueError, match="stride positive"):
            grid_anchors(torch.zeros(3, 4), (2, 2), 0)


class TestFeatureMapSize:
    def test_vgg16_conv5_floor_and_ceil(self):
        """jwyang's VGG16 base (torchvision, floor-mode pools) maps 600x800 to 37x50; ceil mode gives 38x50."""
        import torchvision

        from snippets.detection.anchors import feature_map_size

        with torch.device("meta"):
            conv5 = torchvision.models.vgg16().features[:-1]
        assert feature_map_size(conv5, (600, 800)) == (37, 50)
        for module in conv5:
            if isinstance(module, torch.nn.MaxPool2d):
                module.ceil_mode = True
        assert feature_map_size(conv5, (600, 800)) == (38, 50)

    def test_bad_input(self):
        """A non-module backbone or an empty image size is refused."""
        from snippets.detection.anchors import feature_map_size

        with pytest.raises(TypeError, match="backbone must be a torch.nn.Module"):
            feature_map_size("vgg16", (600, 800))
        with pytest.raises(ValueError, match="image_size must be"):
            feature_map_size(torch.nn.Conv2d(3, 1, 1), (0, 800))
