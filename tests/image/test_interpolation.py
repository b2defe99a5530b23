"""snippets.image.interpolation against skimage.transform.resize, cv2.resize and torch's interpolate."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data
from skimage.transform import resize as sk_resize

from snippets.image.interpolation import keys_cubic, resize, source_coordinates

sizes = st.integers(1, 40)
images = arrays(np.uint8, st.tuples(sizes, sizes))
CV2 = {"bilinear": (cv2.INTER_LINEAR, 1), "bicubic": (cv2.INTER_CUBIC, 2)}  # flag, tolerance (levels)


def cv2_resize(image, shape, flag):
    return cv2.resize(image, (shape[1], shape[0]), interpolation=flag)  # dsize is (width, height)


class TestSourceCoordinates:
    def test_known_values(self):
        """4 -> 2 samples between pixel pairs; align_corners maps corner centres onto each other."""
        np.testing.assert_allclose(source_coordinates(4, 2), [0.5, 2.5])
        np.testing.assert_allclose(source_coordinates(2, 4), [-0.25, 0.25, 0.75, 1.25])
        np.testing.assert_allclose(source_coordinates(4, 3, align_corners=True), [0.0, 1.5, 3.0])
        np.testing.assert_allclose(source_coordinates(5, 1, align_corners=True), [0.0])

    @pytest.mark.parametrize("align_corners", [False, True])
    def test_matches_torch_linear(self, align_corners):
        """torch's 1-D linear interpolation of a ramp 0..in-1 returns the (clamped) source coordinates."""
        ramp = torch.arange(7, dtype=torch.float64).reshape(1, 1, 7)
        theirs = F.interpolate(ramp, size=11, mode="linear", align_corners=align_corners).ravel().numpy()
        np.testing.assert_allclose(np.clip(source_coordinates(7, 11, align_corners), 0, 6), theirs, atol=1e-12)


class TestKeysCubic:
    def test_interpolating_and_partition_of_unity(self):
        """W(0) = 1, W(+-1) = W(+-2) = 0; the four weights of any offset sum to 1."""
        np.testing.assert_allclose(keys_cubic(np.array([0.0, 1.0, -1.0, 2.0, -2.0, 3.0])), [1, 0, 0, 0, 0, 0],
                                   atol=1e-15)
        f = np.linspace(0, 1, 11)
        total = sum(keys_cubic(f - k) for k in (-1, 0, 1, 2))
        np.testing.assert_allclose(total, 1.0)

    def test_known_value(self):
        """W(0.5) = (a + 2)/8 - (a + 3)/4 + 1 = 0.59375 for a = -0.75."""
        assert keys_cubic(np.array(0.5)) == pytest.approx(0.59375)


class TestResize:
    def test_known_values(self):
        """2x upscaling of [0, 100]: nearest repeats, bilinear interpolates at x = -0.25, 0.25, 0.75, 1.25."""
        image = np.array([[0, 100]], np.uint8)
        np.testing.assert_array_equal(resize(image, (1, 4), "nearest"), [[0, 0, 100, 100]])
        np.testing.assert_array_equal(resize(image, (1, 4), "bilinear"), [[0, 25, 75, 100]])
        np.testing.assert_array_equal(resize(image, (1, 1), "bilinear"), [[50]])

    def test_tie_goes_up_unlike_nearest_exact(self):
        """50 -> 21 rows: output row 10 samples x = 24.5 exactly; ours takes 25, INTER_NEAREST_EXACT 24."""
        image = np.arange(50, dtype=np.uint8).reshape(50, 1)
        ours = resize(image, (21, 1), "nearest").ravel()
        exact = cv2_resize(image, (21, 1), cv2.INTER_NEAREST_EXACT).ravel()
        assert ours[10] == 25 and exact[10] == 24
        assert np.flatnonzero(ours != exact).tolist() == [10]

    @settings(max_examples=60, deadline=None)
    @given(images, sizes, sizes)
    def test_nearest_equals_skimage_order0(self, image, height, width):
        """Equals skimage.transform.resize(order=0, anti_aliasing=False) exactly, 1 x N and N x 1 included."""
        theirs = sk_resize(image, (height, width), order=0, preserve_range=True, anti_aliasing=False)
        np.testing.assert_array_equal(resize(image, (height, width), "nearest"), theirs)

    @settings(max_examples=60, deadline=None)
    @given(images, sizes, sizes, st.sampled_from(["bilinear", "bicubic"]))
    def test_within_levels_of_cv2(self, image, height, width, method):
        """Within 1 level of INTER_LINEAR and 2 of INTER_CUBIC, up- and downscaling."""
        flag, tolerance = CV2[method]
        diff = np.abs(resize(image, (height, width), method).astype(int) - cv2_resize(image, (height, width), flag))
        assert diff.max() <= tolerance

    @pytest.mark.parametrize("shape", [(256, 256), (171, 300), (700, 1000)])
    @pytest.mark.parametrize("method", ["bilinear", "bicubic"])
    def test_within_levels_of_cv2_on_camera(self, shape, method):
        flag, tolerance = CV2[method]
        image = data.camera()
        diff = np.abs(resize(image, shape, method).astype(int) - cv2_resize(image, shape, flag))
        assert diff.max() <= tolerance

    @settings(max_examples=30, deadline=None)
    @given(images, sizes, sizes, st.sampled_from(["bilinear", "bicubic"]))
    def test_within_one_level_of_torch(self, image, height, width, method):
        """Within 1 level of F.interpolate(align_corners=False) (bicubic: a = -0.75 too), rounded and clamped."""
        x = torch.from_numpy(image.astype(np.float64))[None, None]
        theirs = F.interpolate(x, size=(height, width), mode=method, align_corners=False)
        theirs = theirs.clamp(0, 255).round().squeeze().reshape(height, width).numpy()
        assert np.abs(resize(image, (height, width), method) - theirs).max() <= 1

    @pytest.mark.parametrize("method", ["nearest", "bilinear", "bicubic"])
    def test_all_equal_image_and_identity(self, method):
        """A constant image stays constant; resizing to the same shape changes nothing."""
        np.testing.assert_array_equal(resize(np.full((5, 3), 7, np.uint8), (9, 2), method), 7)
        image = data.camera()[:20, :30]
        np.testing.assert_array_equal(resize(image, image.shape, method), image)

    def test_input_not_mutated(self):
        image = data.camera()[:32, :32].copy()
        before = image.copy()
        for method in ("nearest", "bilinear", "bicubic"):
            resize(image, (17, 45), method)
        np.testing.assert_array_equal(image, before)

    def test_bad_input(self):
        image = data.camera()[:8, :8]
        with pytest.raises(ValueError, match="method must be one of"):
            resize(image, (4, 4), "lanczos")
        with pytest.raises(ValueError, match=r"shape must be positive, got \(0, 4\)"):
            resize(image, (0, 4))
        with pytest.raises(ValueError, match="two ints"):
            resize(image, (4.0, 4))
        with pytest.raises(TypeError, match="dtype uint8, got float64"):
            resize(image.astype(np.float64), (4, 4))
