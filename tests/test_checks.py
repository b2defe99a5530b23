"""The argument checks shared by every topic (``snippets/_checks.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from snippets._checks import check_int


class TestCheckInt:
    @pytest.mark.parametrize(("value", "minimum"), [
        (0, None), (-5, None), (3, 1), (1, 1), (0, 0), (np.int64(7), 1), (np.int32(-2), -2), (np.uint8(255), 0),
    ])
    def test_accepts_ints_at_or_above_minimum(self, value, minimum):
        """ints and NumPy integers >= minimum come back as the same value, of type int."""
        got = check_int("n", value, minimum)
        assert got == value and type(got) is int

    @pytest.mark.parametrize(("value", "got"), [
        (True, "bool"), (False, "bool"), (np.bool_(True), type(np.bool_(True)).__name__), (2.0, "float"), (np.float64(3), "float64"),
        ("3", "str"), (None, "NoneType"),
    ])
    def test_rejects_non_ints_and_bools(self, value, got):
        """A bool (even with no minimum), a float, a str: TypeError naming the argument and the type got."""
        with pytest.raises(TypeError, match=f"^size must be an int, got {got}$"):
            check_int("size", value, minimum=1)
        with pytest.raises(TypeError, match=f"^size must be an int, got {got}$"):
            check_int("size", value)

    @pytest.mark.parametrize(("value", "minimum"), [(0, 1), (-1, 0), (np.int64(2), 3)])
    def test_rejects_below_minimum(self, value, minimum):
        """Below the minimum: ValueError naming the argument, the bound and the value."""
        with pytest.raises(ValueError, match=f"^workers must be >= {minimum}, got {value}$"):
            check_int("workers", value, minimum=minimum)

    def test_no_minimum_means_no_bound(self):
        assert check_int("seed", -(2**63)) == -(2**63)
