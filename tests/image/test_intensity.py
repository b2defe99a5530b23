"""snippets.image.intensity against scikit-image / numpy twins and Gonzalez's formulas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data, exposure, util

from snippets.image.intensity import (
    bit_planes,
    contrast_stretch,
    from_bit_planes,
    gamma_transform,
    intensity_slice,
    log_transform,
    negative,
)

images = arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)))
LEVELS = np.arange(256, dtype=np.uint8).reshape(16, 16)


class TestNegative:
    def test_known_values(self):
        """s = 255 - r for L = 256 and s = 7 - r for L = 8."""
        np.testing.assert_array_equal(negative(LEVELS), 255 - LEVELS)
        np.testing.assert_array_equal(negative(np.array([[0, 3, 7]], np.uint8), levels=8), [[7, 4, 0]])

    @settings(max_examples=30, deadline=None)
    @given(images)
    def test_matches_skimage_invert(self, image):
        """Equals skimage.util.invert on uint8 and is its own inverse."""
        np.testing.assert_array_equal(negative(image), util.invert(image))
        np.testing.assert_array_equal(negative(negative(image)), image)

    def test_value_out_of_range(self):
        """A value >= levels is rejected."""
        with pytest.raises(ValueError, match=r"0\.\.7 for levels=8, got a value 9"):
            negative(np.array([[9]], np.uint8), levels=8)

    def test_bad_levels(self):
        with pytest.raises(ValueError, match="levels must be in 2..256"):
            negative(LEVELS, levels=300)


class TestLogTransform:
    def test_known_values(self):
        """Default c maps 0 -> 0 and 255 -> 255; c = 1 gives round(ln(1 + r))."""
        out = log_transform(LEVELS)
        assert out[0, 0] == 0 and out[-1, -1] == 255
        expected = np.rint(255 / np.log(256) * np.log1p(np.arange(256))).astype(np.uint8).reshape(16, 16)
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(log_transform(LEVELS, c=1.0).ravel(), np.rint(np.log1p(np.arange(256))))

    def test_differs_from_skimage_adjust_log(self):
        """skimage's adjust_log is 255 * log2(1 + r / 255), a different curve."""
        ours, theirs = log_transform(LEVELS), exposure.adjust_log(LEVELS)
        np.testing.assert_array_equal(theirs.ravel(), (255 * np.log2(1 + np.arange(256) / 255)).astype(np.uint8))
        assert int(np.abs(ours.astype(int) - theirs).max()) > 50

    def test_float_spectrum(self):
        """A float input is scaled so that its maximum maps to 255."""
        spectrum = np.abs(np.fft.fft2(data.camera()[:64, :64].astype(float)))
        out = log_transform(spectrum)
        assert out.dtype == np.uint8 and out.max() == 255

    def test_bad_input(self):
        with pytest.raises(ValueError, match="non-negative"):
            log_transform(np.array([[-1.0, 2.0]]))
        with pytest.raises(ValueError, match="c must be non-negative"):
            log_transform(LEVELS, c=-2)


class TestGammaTransform:
    @settings(max_examples=50, deadline=None)
    @given(images, st.floats(0, 5), st.sampled_from([0.5, 1.0, 1.7]))
    def test_matches_skimage(self, image, gamma, c):
        """Exactly skimage.exposure.adjust_gamma(image, gamma, gain=c) on uint8."""
        np.testing.assert_array_equal(gamma_transform(image, gamma, c), exposure.adjust_gamma(image, gamma, c))

    def test_known_values(self):
        """gamma = 1 is the identity; gamma = 0.5 maps 64 to round(255 * sqrt(64/255))."""
        np.testing.assert_array_equal(gamma_transform(LEVELS, 1.0), LEVELS)
        assert gamma_transform(np.array([[64]], np.uint8), 0.5)[0, 0] == round(255 * (64 / 255) ** 0.5)

    def test_negative_gamma(self):
        with pytest.raises(ValueError, match="gamma must be a non-negative real number, got -1"):
            gamma_transform(LEVELS, -1)


class TestContrastStretch:
    @pytest.mark.parametrize(("lo", "hi"), [(80, 165), (90, 165), (3, 250)])
    def test_min_max_vs_skimage_rescale(self, lo, hi):
        """(lo, 0), (hi, 255) rounds 255 (r - lo) / (hi - lo); skimage.exposure.rescale_intensity
        truncates it, so the two differ by 0 or +1 level."""
        r = np.arange(lo, hi + 1, dtype=np.uint8)[None]
        ours = contrast_stretch(r, lo, 0, hi, 255).astype(int)
        exact = 255 * (r.astype(float) - lo) / (hi - lo)
        np.testing.assert_array_equal(ours, np.rint(exact))
        diff = ours - exposure.rescale_intensity(r, in_range=(lo, hi))
        assert set(np.unique(diff)) <= {0, 1}

    def test_known_values(self):
        """Passes through the control points; r1 = r2 with s1 = 0, s2 = 255 thresholds."""
        out = contrast_stretch(LEVELS, 100, 50, 200, 220).ravel()
        assert (out[0], out[100], out[200], out[255]) == (0, 50, 220, 255)
        assert out[150] == 135  # halfway between (100, 50) and (200, 220)
        thr = contrast_stretch(LEVELS, 128, 0, 128, 255).ravel()
        np.testing.assert_array_equal(thr, np.where(np.arange(256) > 128, 255, 0))

    @settings(max_examples=30, deadline=None)
    @given(images, st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
    def test_monotonic(self, image, a, b, c, d):
        """The map is non-decreasing, so the order of pixel values is kept."""
        r1, r2 = sorted((a, b))
        s1, s2 = sorted((c, d))
        lut = contrast_stretch(LEVELS, r1, s1, r2, s2).ravel().astype(int)
        assert (np.diff(lut) >= 0).all()
        np.testing.assert_array_equal(contrast_stretch(image, r1, s1, r2, s2), lut[image])

    def test_r1_greater_than_r2(self):
        with pytest.raises(ValueError, match="r1 must be <= r2, got r1=200, r2=100"):
            contrast_stretch(LEVELS, 200, 10, 100, 250)

    def test_level_out_of_range(self):
        with pytest.raises(ValueError, match="s2 must be in 0..255, got 300"):
            contrast_stretch(LEVELS, 10, 10, 100, 300)


class TestIntensitySlice:
    def test_binary_and_preserving(self):
        """Binary slicing sets the rest to background; background=None keeps it."""
        r = np.array([[10, 100, 150, 200]], np.uint8)
        np.testing.assert_array_equal(intensity_slice(r, 90, 160, 255, background=0), [[0, 255, 255, 0]])
        np.testing.assert_array_equal(intensity_slice(r, 90, 160, 0), [[10, 0, 0, 200]])

    def test_low_greater_than_high(self):
        with pytest.raises(ValueError, match="low must be <= high"):
            intensity_slice(LEVELS, 200, 100)


class TestBitPlanes:
    def test_plane7_is_threshold_128(self):
        """Plane 7 (most significant bit) equals image >= 128."""
        image = data.camera()
        np.testing.assert_array_equal(bit_planes(image)[7], image >= 128)

    @settings(max_examples=30, deadline=None)
    @given(images)
    def test_matches_unpackbits(self, image):
        """Plane k equals np.unpackbits(..., bitorder='little')[..., k]."""
        planes = bit_planes(image)
        assert planes.shape == (8, *image.shape) and planes.dtype == np.uint8
        ref = np.moveaxis(np.unpackbits(image[..., None], axis=-1, bitorder="little"), -1, 0)
        np.testing.assert_array_equal(planes, ref)

    def test_colour_image_rejected(self):
        with pytest.raises(ValueError, match=r"2-D grayscale image \(H, W\), got shape \(512, 512, 3\).*colour"):
            bit_planes(data.astronaut())


class TestFromBitPlanes:
    @settings(max_examples=30, deadline=None)
    @given(images)
    def test_all_planes_reassemble_exactly(self, image):
        """All 8 planes give the image back, bit for bit."""
        np.testing.assert_array_equal(from_bit_planes(bit_planes(image)), image)

    @settings(max_examples=30, deadline=None)
    @given(images, st.integers(1, 8))
    def test_top_planes_zero_low_bits(self, image, top):
        """Keeping the top k planes equals clearing the low 8 - k bits; error < 2^(8 - k)."""
        out = from_bit_planes(bit_planes(image), keep=range(8 - top, 8))
        np.testing.assert_array_equal(out, image & np.uint8((0xFF << (8 - top)) & 0xFF))
        assert (image.astype(int) - out).max(initial=0) < 2 ** (8 - top)

    def test_bad_planes(self):
        with pytest.raises(ValueError, match=r"shape \(8, H, W\), got \(7, 2, 2\)"):
            from_bit_planes(np.zeros((7, 2, 2), np.uint8))
        with pytest.raises(ValueError, match="only 0 and 1"):
            from_bit_planes(np.full((8, 2, 2), 2, np.uint8))
        with pytest.raises(ValueError, match="keep entry must be in 0..7, got 8"):
            from_bit_planes(np.zeros((8, 2, 2), np.uint8), keep=[8])


CALLS = [
    lambda im: negative(im),
    lambda im: log_transform(im),
    lambda im: gamma_transform(im, 0.5),
    lambda im: contrast_stretch(im, 50, 20, 200, 230),
    lambda im: intensity_slice(im, 100, 150),
    lambda im: from_bit_planes(bit_planes(im), keep=[7, 6]),
]


@pytest.mark.parametrize("call", CALLS)
def test_inputs_never_mutated(call):
    """Every transform returns a new uint8 image and leaves its input as it was."""
    image = data.camera()[::8, ::8].copy()
    before = image.copy()
    out = call(image)
    np.testing.assert_array_equal(image, before)
    assert out.dtype == np.uint8 and out.shape == image.shape and not np.shares_memory(out, image)


@pytest.mark.parametrize("call", CALLS)
def test_wrong_dtype_rejected(call):
    """A float or int16 image is a TypeError that names uint8 (log_transform accepts floats)."""
    with pytest.raises(TypeError, match="dtype uint8, got int16"):
        call(np.zeros((4, 4), np.int16))
