"""snippets.image.distance: D_e, D_4, D_8 and the distance transforms against scipy.ndimage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage as ndi

from snippets.image.distance import distance, distance_transform

binary = arrays(np.uint8, st.tuples(st.integers(1, 30), st.integers(1, 30)), elements=st.integers(0, 1))
SCIPY_CDT = {"cityblock": "taxicab", "chessboard": "chessboard"}


def single_zero(n: int = 7) -> np.ndarray:
    image = np.ones((n, n), np.uint8)
    image[n // 2, n // 2] = 0
    return image


class TestDistance:
    def test_known_values(self):
        """(0, 0) to (3, 4): D_e = 5, D_4 = 7, D_8 = 4."""
        assert distance((0, 0), (3, 4)) == 5.0
        assert distance((0, 0), (3, 4), "cityblock") == 7.0
        assert distance((3, 4), (0, 0), "chessboard") == 4.0

    def test_bad_metric(self):
        with pytest.raises(ValueError, match="metric must be one of"):
            distance((0, 0), (1, 1), "manhattan")


class TestDistanceTransform:
    def test_iso_distance_shapes(self):
        """Around one zero pixel: D_4 <= 2 is a diamond of 13 pixels, D_8 <= 2 a 5 x 5 square, D_e <= 2 a disk of 13."""
        image = single_zero()
        assert (distance_transform(image, "cityblock") <= 2).sum() == 13
        assert (distance_transform(image, "chessboard") <= 2).sum() == 25
        assert (distance_transform(image) <= 2).sum() == 13
        assert distance_transform(image)[0, 0] == pytest.approx(np.hypot(3, 3))

    def test_known_row(self):
        """A 1 x 6 row with zeros at both ends: distances 0 1 2 2 1 0 in every metric."""
        image = np.array([[0, 1, 1, 1, 1, 0]])
        for metric in ("euclidean", "cityblock", "chessboard"):
            np.testing.assert_array_equal(distance_transform(image, metric), [[0, 1, 2, 2, 1, 0]])

    @settings(max_examples=80, deadline=None)
    @given(binary)
    def test_euclidean_equals_scipy_edt(self, image):
        """Equals distance_transform_edt to within 1e-9 (1 x N, N x 1 and all-background included)."""
        assume((image == 0).any())
        ours = distance_transform(image)
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours, ndi.distance_transform_edt(image), rtol=0, atol=1e-9)

    @settings(max_examples=80, deadline=None)
    @given(binary, st.sampled_from(["cityblock", "chessboard"]))
    def test_chamfer_equals_scipy_cdt(self, image, metric):
        """Equals distance_transform_cdt(metric="taxicab" / "chessboard") exactly."""
        assume((image == 0).any())
        theirs = ndi.distance_transform_cdt(image, metric=SCIPY_CDT[metric])
        np.testing.assert_array_equal(distance_transform(image, metric), theirs)

    def test_all_background_is_zero(self):
        for metric in ("euclidean", "cityblock", "chessboard"):
            assert not distance_transform(np.zeros((3, 5)), metric).any()

    def test_input_not_mutated(self):
        image = (np.random.default_rng(1).random((16, 16)) < 0.7).astype(np.uint8)
        before = image.copy()
        for metric in ("euclidean", "cityblock", "chessboard"):
            distance_transform(image, metric)
        np.testing.assert_array_equal(image, before)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="no zero pixel"):
            distance_transform(np.ones((4, 4)))
        with pytest.raises(ValueError, match="metric must be one of"):
            distance_transform(single_zero(), "taxicab")
        with pytest.raises(ValueError, match="2-D"):
            distance_transform(np.zeros(5))
