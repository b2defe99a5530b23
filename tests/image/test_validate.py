"""snippets.image._validate: the shared argument checks and their messages."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.image._validate import check_image, check_level, check_levels
from snippets.image.intensity import contrast_stretch, from_bit_planes, gamma_transform, log_transform
from snippets.image.sampling import downsample


class TestCheckImage:
    def test_rank_and_empty(self):
        """4-D and empty images are rejected with their shape."""
        with pytest.raises(ValueError, match=r"\(H, W\) or \(H, W, C\), got shape \(1, 2, 3, 4\)"):
            downsample(np.zeros((1, 2, 3, 4), np.uint8), 2)
        with pytest.raises(ValueError, match=r"must not be empty, got shape \(0, 5\)"):
            check_image("image", np.zeros((0, 5), np.uint8))

    def test_levels_and_level_types(self):
        with pytest.raises(TypeError, match="levels must be an int, got float"):
            check_levels(8.0)
        with pytest.raises(TypeError, match="r1 must be an int, got float"):
            check_level("r1", 1.5)


class TestOtherMessages:
    def test_messages(self):
        image = np.arange(16, dtype=np.uint8).reshape(4, 4)
        with pytest.raises(ValueError, match=r"non-empty 2-D array \(H, W\), got shape \(2, 2, 2\)"):
            log_transform(np.ones((2, 2, 2)))
        with pytest.raises(ValueError, match="c must be non-negative, got -1"):
            gamma_transform(image, 1.0, c=-1)
        with pytest.raises(ValueError, match="s1 must be <= s2 for a monotonic map, got s1=200, s2=100"):
            contrast_stretch(image, 10, 200, 20, 100)
        with pytest.raises(TypeError, match="planes must be a numpy.ndarray, got list"):
            from_bit_planes([[0]])
        with pytest.raises(TypeError, match="planes must have an integer or bool dtype, got float64"):
            from_bit_planes(np.zeros((8, 2, 2)))
