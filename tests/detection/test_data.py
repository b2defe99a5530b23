"""snippets.detection.data: the seeded synthetic shapes dataset."""

from __future__ import annotations

import torch

from snippets.detection.data import CLASSES, make_image


class TestMakeImage:
    def test_deterministic_and_valid(self):
        """Same seed, same image; boxes inside the image, labels in 1..3."""
        a = make_image(torch.Generator().manual_seed(5))
        b = make_image(torch.Generator().manual_seed(5))
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
        assert a[0].shape == (3, 64, 64) and 0 <= a[1].min() and a[1].max() <= 64
        assert set(a[2].tolist()) <= {1, 2, 3} and len(CLASSES) == 4


class TestMakeScene:
    def test_deterministic_and_valid(self):
        """Same seed, same scene; boxes inside the image, at least one object, labels in 1..5."""
        from snippets.detection.data import SCENE_CLASSES, make_scene

        a = make_scene(torch.Generator().manual_seed(5), size=(96, 128))
        b = make_scene(torch.Generator().manual_seed(5), size=(96, 128))
        assert all(torch.equal(x, y) for x, y in zip(a, b))
        image, boxes, labels = a
        assert image.shape == (3, 96, 128) and 0 <= image.min() and image.max() <= 1
        assert boxes.shape[0] >= 1 and boxes[:, 0::2].max() <= 128 and boxes[:, 1::2].max() <= 96
        assert boxes.min() >= 0 and set(labels.tolist()) <= set(range(1, len(SCENE_CLASSES)))

    def test_dataset_shapes_sizes_and_occlusion(self):
        """Both orientations occur; object sizes span more than 4x in 12 scenes; some boxes overlap."""
        from snippets.detection.boxes import box_iou
        from snippets.detection.data import make_scene_dataset

        images, boxes, _ = make_scene_dataset(12, seed=0)
        assert {tuple(im.shape[1:]) for im in images} == {(96, 128), (128, 96)}
        side = torch.cat([((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])).sqrt() for b in boxes])
        assert side.max() / side.min() > 4
        overlaps = [(box_iou(b, b) - torch.eye(len(b))).max() for b in boxes]
        assert max(overlaps) > 0.05

    def test_bad_input(self):
        """A landscape fraction outside [0, 1] is refused."""
        import pytest

        from snippets.detection.data import make_scene_dataset

        with pytest.raises(ValueError, match="landscape_fraction in"):
            make_scene_dataset(2, seed=0, landscape_fraction=1.5)
