"""snippets.image.clahe against cv2.createCLAHE(...).apply."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data

from snippets.image.clahe import clahe


def _cv2(image, clip_limit, grid):
    return cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=grid).apply(image)


class TestClahe:
    @pytest.mark.parametrize("name", ["camera", "moon", "coins", "page", "text"])
    @pytest.mark.parametrize(("clip_limit", "grid"), [(2.0, (8, 8)), (4.0, (4, 6)), (0.0, (8, 8)), (1.0, (3, 5))])
    def test_equals_cv2(self, name, clip_limit, grid):
        """Pixel-exact twin of cv2 CLAHE, divisible sizes or not, clipped or not (clip_limit=0)."""
        image = getattr(data, name)()
        np.testing.assert_array_equal(clahe(image, clip_limit, grid), _cv2(image, clip_limit, grid))

    @settings(max_examples=40, deadline=None)
    @given(arrays(np.uint8, st.tuples(st.integers(8, 40), st.integers(8, 40))),
           st.sampled_from([0.0, 0.5, 2.0, 10.0]), st.integers(1, 4), st.integers(1, 4))
    def test_equals_cv2_random(self, image, clip_limit, tiles_x, tiles_y):
        """Random images and grids: equal to cv2."""
        np.testing.assert_array_equal(clahe(image, clip_limit, (tiles_x, tiles_y)),
                                      _cv2(image, clip_limit, (tiles_x, tiles_y)))

    def test_grid_order_is_x_then_y(self):
        """tile_grid_size is (tiles along x, tiles along y), as OpenCV's: swapping it changes the result."""
        image = data.coins()
        assert (clahe(image, 2.0, (2, 8)) != clahe(image, 2.0, (8, 2))).any()
        np.testing.assert_array_equal(clahe(image, 2.0, (2, 8)), _cv2(image, 2.0, (2, 8)))

    def test_input_not_mutated(self):
        image = data.camera()[::4, ::4].copy()
        before = image.copy()
        clahe(image)
        np.testing.assert_array_equal(image, before)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="clip_limit must be a non-negative number, got -1"):
            clahe(data.camera(), -1)
        with pytest.raises(ValueError, match="tile_grid_size must hold two positive ints"):
            clahe(data.camera(), 2.0, (0, 8))
        with pytest.raises(ValueError, match="grayscale"):
            clahe(data.astronaut())
        with pytest.raises(TypeError, match="dtype uint8"):
            clahe(data.camera().astype(np.float32))
