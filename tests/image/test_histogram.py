"""snippets.image.histogram against np.bincount, cv2 and scikit-image, and the textbook example."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data, exposure

from snippets.image.histogram import equalization_map, equalize_hist, histogram, match_histograms

images = arrays(np.uint8, st.tuples(st.integers(1, 24), st.integers(1, 24)))
# Gonzalez & Woods, Example 3.5 / Table 3.1: a 64 x 64 image with L = 8 levels
TEXTBOOK_COUNTS = np.array([790, 1023, 850, 656, 329, 245, 122, 81])
TEXTBOOK_MAP = [1, 3, 5, 6, 6, 7, 7, 7]
BUNDLED = ["camera", "moon", "coins", "page", "text", "grass", "brick"]


def textbook_image() -> np.ndarray:
    return np.repeat(np.arange(8, dtype=np.uint8), TEXTBOOK_COUNTS).reshape(64, 64)


class TestHistogram:
    @settings(max_examples=50, deadline=None)
    @given(images)
    def test_matches_bincount_and_calchist(self, image):
        """Equals np.bincount(minlength=256) and cv2.calcHist, even and odd pixel counts."""
        ours = histogram(image)
        assert ours.shape == (256,) and ours.dtype == np.int64
        np.testing.assert_array_equal(ours, np.bincount(image.ravel(), minlength=256))
        np.testing.assert_array_equal(ours, cv2.calcHist([image], [0], None, [256], [0, 256]).ravel())

    def test_matches_skimage_dtype_range(self):
        """Equals skimage.exposure.histogram(source_range='dtype'); the default spans min..max only."""
        image = data.coins()  # values 1..252
        counts, centers = exposure.histogram(image, source_range="dtype")
        np.testing.assert_array_equal(histogram(image), counts)
        default, centers = exposure.histogram(image)
        assert (centers[0], centers[-1], default.size) == (1, 252, 252)

    def test_non_contiguous_and_large(self):
        """A strided view and a multi-chunk image count the same as bincount."""
        rng = np.random.default_rng(0)
        big = rng.integers(0, 256, (1100, 2000), dtype=np.uint8)  # 1.1 M pairs: two chunks
        np.testing.assert_array_equal(histogram(big), np.bincount(big.ravel(), minlength=256))
        view = big[::3, ::7]
        np.testing.assert_array_equal(histogram(view), np.bincount(view.ravel(), minlength=256))

    def test_levels(self):
        """levels=8 counts 8 bins and rejects a value >= 8."""
        np.testing.assert_array_equal(histogram(textbook_image(), levels=8), TEXTBOOK_COUNTS)
        with pytest.raises(ValueError, match=r"0\.\.7 for levels=8, got max 9"):
            histogram(np.array([[9, 1]], np.uint8), levels=8)

    def test_bad_input(self):
        with pytest.raises(TypeError, match="dtype uint8, got float64"):
            histogram(np.zeros((3, 3)))
        with pytest.raises(ValueError, match="grayscale"):
            histogram(data.astronaut())
        with pytest.raises(TypeError, match="numpy.ndarray, got list"):
            histogram([[1, 2]])


class TestEqualizationMap:
    def test_textbook_example(self):
        """Gonzalez's 8-level example maps 0..7 to [1, 3, 5, 6, 6, 7, 7, 7]."""
        np.testing.assert_array_equal(equalization_map(TEXTBOOK_COUNTS), TEXTBOOK_MAP)

    def test_bad_hist(self):
        with pytest.raises(ValueError, match="positive total"):
            equalization_map(np.zeros(8))


class TestEqualizeHist:
    def test_textbook_image(self):
        """The 64 x 64 textbook image equalizes to the table's levels and histogram."""
        out = equalize_hist(textbook_image(), levels=8)
        np.testing.assert_array_equal(out, np.array(TEXTBOOK_MAP, np.uint8)[textbook_image()])
        np.testing.assert_array_equal(histogram(out, levels=8), [0, 790, 0, 1023, 0, 850, 985, 448])

    @pytest.mark.parametrize("name", BUNDLED)
    def test_within_one_level_of_cv2(self, name):
        """Within one level of cv2.equalizeHist on the bundled images (darkest level rare)."""
        image = getattr(data, name)()
        diff = np.abs(equalize_hist(image).astype(int) - cv2.equalizeHist(image))
        assert diff.max() <= 1

    @settings(max_examples=40, deadline=None)
    @given(arrays(np.uint8, st.tuples(st.integers(17, 40), st.integers(17, 40)), elements=st.integers(1, 255)))
    def test_within_one_level_of_cv2_random(self, image):
        """Random images whose darkest level holds one pixel (cdf_min / N < 1/256): within one level of cv2."""
        image = image.copy()
        image[0, 0] = 0
        assume(len(np.unique(image)) > 1)
        diff = np.abs(equalize_hist(image).astype(int) - cv2.equalizeHist(image))
        assert diff.max() <= 1

    def test_cv2_differs_when_darkest_level_is_common(self):
        """cv2 maps the darkest level to 0; with 790/4096 pixels there the gap is large."""
        image = textbook_image() * np.uint8(32)  # same counts at levels 0, 32, ..., 224
        diff = np.abs(equalize_hist(image).astype(int) - cv2.equalizeHist(image))
        assert diff.max() > 40

    @pytest.mark.parametrize("name", BUNDLED)
    def test_matches_skimage_rounded(self, name):
        """round(255 * skimage.exposure.equalize_hist) equals ours on uint8 (it returns the CDF)."""
        image = getattr(data, name)()
        theirs = exposure.equalize_hist(image)
        assert theirs.dtype == np.float64 and theirs.max() == 1.0
        np.testing.assert_array_equal(equalize_hist(image), np.rint(255 * theirs))

    @settings(max_examples=40, deadline=None)
    @given(images)
    def test_properties(self, image):
        """Monotonic map, brightest present level goes to 255, input unchanged."""
        before = image.copy()
        out = equalize_hist(image)
        np.testing.assert_array_equal(image, before)
        assert out.max() == 255
        order = np.argsort(image.ravel(), kind="stable")
        assert (np.diff(out.ravel()[order].astype(int)) >= 0).all()

    def test_bad_input(self):
        with pytest.raises(TypeError, match="dtype uint8"):
            equalize_hist(np.zeros((4, 4), np.float32))
        with pytest.raises(ValueError, match="grayscale"):
            equalize_hist(data.astronaut())


class TestMatchHistograms:
    @pytest.mark.parametrize(("src", "ref"), [("camera", "moon"), ("moon", "coins"), ("coins", "camera")])
    def test_close_to_skimage(self, src, ref):
        """skimage's float result lies in (previous occupied reference level, ours]:
        the difference is below the gap between neighbouring occupied levels."""
        image, reference = getattr(data, src)(), getattr(data, ref)()
        ours = match_histograms(image, reference)
        theirs = exposure.match_histograms(image, reference)
        occupied = np.flatnonzero(histogram(reference))
        prev = occupied[np.maximum(np.searchsorted(occupied, ours) - 1, 0)]
        assert (theirs <= ours + 1e-9).all() and (theirs >= prev - 1e-9).all()

    @settings(max_examples=40, deadline=None)
    @given(images, images)
    def test_close_to_skimage_random(self, image, reference):
        """The same bound on random images; with no gaps in the reference it is one level."""
        ours = match_histograms(image, reference).astype(float)
        theirs = exposure.match_histograms(image, reference)
        occupied = np.flatnonzero(histogram(reference))
        prev = occupied[np.maximum(np.searchsorted(occupied, ours) - 1, 0)]
        assert (theirs <= ours + 1e-9).all() and (theirs >= prev - 1e-9).all()
        assert set(np.unique(ours)) <= set(occupied)

    def test_match_to_itself_is_identity(self):
        image = data.camera()
        np.testing.assert_array_equal(match_histograms(image, image), image)

    def test_bad_reference(self):
        with pytest.raises(ValueError, match="reference must be a 2-D grayscale"):
            match_histograms(data.camera(), data.astronaut())


@pytest.mark.parametrize("call", [lambda im, ref: histogram(im), lambda im, ref: equalize_hist(im),
                                  match_histograms])
def test_inputs_never_mutated(call):
    """histogram, equalize_hist and match_histograms leave their inputs as they were."""
    image, reference = data.camera()[::4, ::4].copy(), data.moon()
    before, ref_before = image.copy(), reference.copy()
    call(image, reference)
    np.testing.assert_array_equal(image, before)
    np.testing.assert_array_equal(reference, ref_before)
