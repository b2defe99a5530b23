"""snippets.image.connectivity: neighbours, 4/8/m-adjacency, paths, and label against scipy.ndimage.label."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage as ndi

from snippets.image.connectivity import adjacent, label, neighbours, paths

STRUCTURE = {4: ndi.generate_binary_structure(2, 1), 8: ndi.generate_binary_structure(2, 2)}
# Gonzalez & Woods' arrangement: two 8-paths from the top-right pixel to the bottom-right one
DOUBLE_PATH = np.array([[0, 1, 1],
                        [0, 1, 0],
                        [0, 0, 1]], np.uint8)
binary = arrays(np.uint8, st.tuples(st.integers(1, 30), st.integers(1, 30)), elements=st.integers(0, 1))


class TestNeighbours:
    def test_known_sets(self):
        """N4, ND, N8 of (1, 1); clipped at the image border when a shape is given."""
        assert neighbours((1, 1), "4") == [(0, 1), (1, 0), (1, 2), (2, 1)]
        assert neighbours((1, 1), "d") == [(0, 0), (0, 2), (2, 0), (2, 2)]
        assert len(neighbours((1, 1), "8")) == 8
        assert neighbours((0, 0), "8", shape=(3, 3)) == [(0, 1), (1, 0), (1, 1)]

    def test_bad_kind(self):
        with pytest.raises(ValueError, match="kind must be one of"):
            neighbours((0, 0), "6")


class TestAdjacent:
    def test_m_adjacency_drops_the_diagonal_with_a_4_path(self):
        """(0, 2) and (1, 1) are 8-adjacent, not m-adjacent: (0, 1) joins them by a 4-path."""
        assert adjacent(DOUBLE_PATH, (0, 2), (1, 1), "8")
        assert not adjacent(DOUBLE_PATH, (0, 2), (1, 1), "m")
        assert not adjacent(DOUBLE_PATH, (0, 2), (1, 1), "4")
        assert adjacent(DOUBLE_PATH, (1, 1), (2, 2), "m")  # diagonal, no common 4-neighbour in V
        assert adjacent(DOUBLE_PATH, (0, 1), (0, 2), "m")

    def test_values_outside_v_are_never_adjacent(self):
        assert not adjacent(DOUBLE_PATH, (0, 0), (0, 1), "8")
        assert adjacent(DOUBLE_PATH, (0, 0), (1, 0), "4", V=(0,))

    def test_bad_kind(self):
        with pytest.raises(ValueError, match="kind must be one of"):
            adjacent(DOUBLE_PATH, (0, 1), (0, 2), "d")


class TestPaths:
    def test_double_path(self):
        """8-adjacency: two paths; m-adjacency: one; 4-adjacency: none."""
        assert paths(DOUBLE_PATH, (0, 2), (2, 2), "8") == [[(0, 2), (1, 1), (2, 2)],
                                                            [(0, 2), (0, 1), (1, 1), (2, 2)]]
        assert paths(DOUBLE_PATH, (0, 2), (2, 2), "m") == [[(0, 2), (0, 1), (1, 1), (2, 2)]]
        assert paths(DOUBLE_PATH, (0, 2), (2, 2), "4") == []


class TestLabel:
    def test_known_values(self):
        """Two diagonal pixels: one component with 8-connectivity, two with 4; raster numbering."""
        image = np.array([[1, 0, 0, 1],
                          [0, 1, 0, 1],
                          [0, 0, 0, 0],
                          [1, 1, 0, 1]])
        labels8, count8 = label(image, 8)
        np.testing.assert_array_equal(labels8, [[1, 0, 0, 2], [0, 1, 0, 2], [0, 0, 0, 0], [3, 3, 0, 4]])
        assert count8 == 4 and labels8.dtype == np.int32
        assert label(image, 4)[1] == 5

    def test_u_shape_merges(self):
        """A U whose arms get two provisional labels ends as one component (the union of pass 1)."""
        image = np.array([[1, 0, 1], [1, 0, 1], [1, 1, 1]])
        labels, count = label(image, 4)
        assert count == 1 and set(np.unique(labels)) == {0, 1}

    @settings(max_examples=80, deadline=None)
    @given(binary, st.sampled_from([4, 8]))
    def test_equals_scipy(self, image, connectivity):
        """Equals scipy.ndimage.label with the matching structure, labels and count (1 x N, N x 1, empty, full)."""
        ours, count = label(image, connectivity)
        theirs, n = ndi.label(image, STRUCTURE[connectivity])
        assert count == n
        np.testing.assert_array_equal(ours, theirs)

    @pytest.mark.parametrize("fill", [0, 1])
    def test_all_background_and_all_foreground(self, fill):
        labels, count = label(np.full((4, 7), fill), 8)
        assert count == fill and (labels == fill).all()

    def test_bool_float_and_checkerboard(self):
        """Any nonzero value is foreground; a checkerboard has 1 component (8) or one per pixel (4)."""
        board = (np.indices((9, 9)).sum(0) % 2 == 0)
        assert label(board, 8)[1] == 1 and label(board, 4)[1] == 41
        assert label(board * 0.5, 4)[1] == 41

    def test_input_not_mutated(self):
        image = (np.random.default_rng(0).random((20, 20)) < 0.5).astype(np.uint8)
        before = image.copy()
        label(image, 8)
        np.testing.assert_array_equal(image, before)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="connectivity must be 4 or 8, got 6"):
            label(np.ones((3, 3)), 6)
        with pytest.raises(ValueError, match=r"2-D \(H, W\), got shape \(2, 3, 3\)"):
            label(np.ones((2, 3, 3)))
        with pytest.raises(TypeError, match="numpy.ndarray, got list"):
            label([[1, 0]])
