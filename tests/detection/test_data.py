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
