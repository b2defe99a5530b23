"""snippets.distributed.data_parallel against Tensor.chunk and consume_prefix_in_state_dict_if_present."""

from __future__ import annotations

import copy

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present
from torch.testing import assert_close

from snippets.distributed.data_parallel import scatter_sizes, strip_module_prefix


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


class TestScatterSizes:
    @pytest.mark.parametrize(("batch_size", "num_devices", "expected"), [
        (9, 4, [3, 3, 3]), (10, 4, [3, 3, 3, 1]), (8, 4, [2, 2, 2, 2]), (1, 4, [1]),
        (3, 4, [1, 1, 1]), (5, 2, [3, 2]), (7, 1, [7]),
    ])
    def test_known_values(self, batch_size, num_devices, expected):
        """9 samples over 4 GPUs -> [3, 3, 3]: one GPU gets nothing."""
        assert scatter_sizes(batch_size, num_devices) == expected

    @settings(max_examples=50, deadline=None)
    @given(st.integers(1, 200), st.integers(1, 16))
    def test_matches_chunk(self, batch_size, num_devices):
        """Equals [len(t) for t in torch.arange(B).chunk(G)] (what scatter uses)."""
        assert scatter_sizes(batch_size, num_devices) == [len(t) for t in torch.arange(batch_size).chunk(num_devices)]

    @settings(max_examples=50, deadline=None)
    @given(st.integers(1, 200), st.integers(1, 16))
    def test_sums_to_batch_and_never_exceeds_devices(self, batch_size, num_devices):
        """The chunks cover the batch and there are at most G of them."""
        sizes = scatter_sizes(batch_size, num_devices)
        assert sum(sizes) == batch_size and 1 <= len(sizes) <= num_devices and min(sizes) >= 1

    @pytest.mark.parametrize(("args", "error", "match"), [
        ((0, 4), ValueError, "batch_size must be >= 1, got 0"),
        ((4, 0), ValueError, "num_devices must be >= 1, got 0"),
        ((4.0, 2), TypeError, "batch_size must be an int, got float"),
        ((4, True), TypeError, "num_devices must be an int, got bool"),
    ])
    def test_invalid(self, args, error, match):
        """Non-positive or non-int sizes raise naming the argument."""
        with pytest.raises(error, match=match):
            scatter_sizes(*args)


class TestStripModulePrefix:
    def test_matches_consume_prefix(self):
        """Keys and _metadata equal torch's in-place consume_prefix_in_state_dict_if_present."""
        wrapped = nn.DataParallel(_net()).state_dict()
        reference = copy.copy(wrapped)
        reference._metadata = copy.deepcopy(wrapped._metadata)
        consume_prefix_in_state_dict_if_present(reference, "module.")
        ours = strip_module_prefix(wrapped)
        assert list(ours) == list(reference)
        assert dict(ours._metadata) == dict(reference._metadata)

    def test_input_untouched(self):
        """The wrapper's state dict keeps its module. keys; a new dict is returned."""
        wrapped = nn.DataParallel(_net()).state_dict()
        keys, meta_keys = list(wrapped), list(wrapped._metadata)
        ours = strip_module_prefix(wrapped)
        assert ours is not wrapped
        assert list(wrapped) == keys and list(wrapped._metadata) == meta_keys
        assert all(key.startswith("module.") for key in wrapped)

    def test_round_trip_through_plain_model(self):
        """Wrapped -> stripped loads strictly into a plain model, and back into a new wrapper."""
        wrapped = nn.DataParallel(_net())
        plain = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
        plain.load_state_dict(strip_module_prefix(wrapped.state_dict()))
        rewrapped = nn.DataParallel(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)))
        rewrapped.module.load_state_dict(plain.state_dict())
        for (k1, v1), (k2, v2) in zip(wrapped.state_dict().items(), rewrapped.state_dict().items(), strict=True):
            assert k1 == k2
            assert_close(v1, v2, rtol=0, atol=0)

    def test_unwrapped_keys_pass_through(self):
        """Keys without the prefix (a plain model's) are unchanged."""
        plain = _net().state_dict()
        assert list(strip_module_prefix(plain)) == list(plain)

    @settings(max_examples=50, deadline=None)
    @given(st.lists(st.text(alphabet="abc.", min_size=1, max_size=8), unique=True, max_size=8))
    def test_strips_exactly_one_prefix(self, names):
        """Adding module. to every key and stripping gives the original keys (when unambiguous)."""
        original = {name: i for i, name in enumerate(names)}
        wrapped = {"module." + name: value for name, value in original.items()}
        assert strip_module_prefix(wrapped) == original

    def test_invalid(self):
        """A non-mapping or an empty prefix raises."""
        with pytest.raises(TypeError, match="state_dict must be a mapping, got list"):
            strip_module_prefix([("module.w", 1)])
        with pytest.raises(ValueError, match="prefix must be a non-empty str"):
            strip_module_prefix({}, prefix="")
