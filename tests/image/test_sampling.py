"""snippets.image.sampling against cv2.resize and bit arithmetic."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import data

from snippets.image.sampling import downsample, quantize, storage_bits

images = arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 20)))


class TestDownsample:
    @pytest.mark.parametrize("factor", [1, 2, 4, 8])
    def test_matches_cv2_nearest(self, factor):
        """Equals cv2.resize(..., (W // f, H // f), INTER_NEAREST) — note dsize is (width, height)."""
        image = data.camera()[:256, :192]
        h, w = image.shape
        ref = cv2.resize(image, (w // factor, h // factor), interpolation=cv2.INTER_NEAREST)
        np.testing.assert_array_equal(downsample(image, factor), ref)

    def test_colour_and_shape(self):
        """(H, W, C) keeps its channels; odd sizes round up."""
        assert downsample(data.astronaut(), 3).shape == (171, 171, 3)

    def test_input_not_mutated_and_copy(self):
        image = data.camera()[:16, :16].copy()
        out = downsample(image, 2)
        out[:] = 0
        assert image.any()

    @pytest.mark.parametrize("factor", [0, -2, 1.5])
    def test_bad_factor(self, factor):
        with pytest.raises(ValueError, match="factor must be a positive int"):
            downsample(data.camera(), factor)


class TestQuantize:
    def test_known_values(self):
        """1 bit: threshold at 128 shown as 0/255; 2 bits: levels 0, 85, 170, 255; 8 bits: identity."""
        r = np.array([[0, 127, 128, 255]], np.uint8)
        np.testing.assert_array_equal(quantize(r, 1), [[0, 0, 255, 255]])
        np.testing.assert_array_equal(quantize(np.array([[0, 64, 128, 192]], np.uint8), 2), [[0, 85, 170, 255]])
        image = data.camera()
        np.testing.assert_array_equal(quantize(image, 8), image)

    @settings(max_examples=40, deadline=None)
    @given(images, st.integers(1, 8))
    def test_levels_and_order(self, image, bits):
        """At most 2^bits levels; the level index is r >> (8 - bits); order is kept."""
        out = quantize(image, bits)
        assert len(np.unique(out)) <= 2**bits
        index = np.rint(out.astype(float) * (2**bits - 1) / 255).astype(int)
        np.testing.assert_array_equal(index, image >> (8 - bits))

    @pytest.mark.parametrize("bits", [0, 9, 2.0])
    def test_bits_outside_1_to_8(self, bits):
        with pytest.raises(ValueError, match="bits must be an int in 1..8"):
            quantize(data.camera(), bits)

    def test_colour_rejected(self):
        with pytest.raises(ValueError, match="grayscale"):
            quantize(data.astronaut(), 4)


class TestStorageBits:
    def test_known_values(self):
        """b = M * N * k: a 1024 x 1024 8-bit image needs 8,388,608 bits = 1 MiB = its nbytes * 8."""
        assert storage_bits(1024, 1024, 8) == 8_388_608 == np.zeros((1024, 1024), np.uint8).nbytes * 8
        assert storage_bits(32, 32, 1) == 1024

    def test_bad(self):
        with pytest.raises(ValueError, match="k must be a positive int"):
            storage_bits(4, 4, 0)
