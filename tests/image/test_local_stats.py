"""snippets.image.local_stats against scipy.ndimage's uniform and generic filters."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage as ndi
from skimage import data

from snippets.image.local_stats import local_enhance, local_mean_var

images = arrays(np.uint8, st.tuples(st.integers(1, 16), st.integers(1, 16)))


class TestLocalMeanVar:
    def test_known_values(self):
        """The centre of a 3 x 3 block 0..8: mean 4, variance 60/9; a constant image has variance 0."""
        image = np.arange(9, dtype=np.uint8).reshape(3, 3)
        mean, var = local_mean_var(image, 3)
        assert mean[1, 1] == pytest.approx(4.0) and var[1, 1] == pytest.approx(60 / 9)
        assert not local_mean_var(np.full((4, 5), 9, np.uint8), 5)[1].any()

    @settings(max_examples=40, deadline=None)
    @given(images, st.sampled_from([1, 3, 5, 7]))
    def test_matches_scipy(self, image, size):
        """Mean = uniform_filter, variance = generic_filter(np.var), mirrored border, to 1e-9."""
        mean, var = local_mean_var(image, size)
        f = image.astype(np.float64)
        np.testing.assert_allclose(mean, ndi.uniform_filter(f, size, mode="reflect"), rtol=0, atol=1e-9)
        np.testing.assert_allclose(var, ndi.generic_filter(f, np.var, size, mode="reflect"), rtol=0, atol=1e-9)

    @pytest.mark.parametrize("size", [0, 4, 2.5])
    def test_bad_size(self, size):
        with pytest.raises(ValueError, match="positive odd int"):
            local_mean_var(np.zeros((4, 4), np.uint8), size)

    def test_bad_image(self):
        with pytest.raises(TypeError, match="dtype uint8"):
            local_mean_var(np.zeros((4, 4)), 3)


class TestLocalEnhance:
    def test_scales_only_the_selected_pixels(self):
        """Pixels that meet both conditions become C * f (rounded, clipped); the rest are unchanged."""
        image = data.camera()
        out = local_enhance(image)
        mean, var = local_mean_var(image, 3)
        chosen = (mean <= 0.4 * image.mean()) & (np.sqrt(var) >= 0.02 * image.std()) & (
            np.sqrt(var) <= 0.4 * image.std())
        np.testing.assert_array_equal(out[~chosen], image[~chosen])
        np.testing.assert_array_equal(out[chosen], np.clip(4 * image[chosen].astype(int), 0, 255))
        assert 0.05 < chosen.mean() < 0.3

    def test_identity_when_c_is_one_and_input_kept(self):
        image = data.camera()[:64, :64].copy()
        before = image.copy()
        np.testing.assert_array_equal(local_enhance(image, C=1.0), image)
        np.testing.assert_array_equal(image, before)
