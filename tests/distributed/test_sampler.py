"""snippets.distributed.sampler.shard_indices against torch's DistributedSampler."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data.distributed import DistributedSampler

from snippets.distributed.sampler import shard_indices


def _reference(num_samples, world_size, rank, drop_last, shuffle, seed, epoch):
    sampler = DistributedSampler(range(num_samples), num_replicas=world_size, rank=rank,
                                 shuffle=shuffle, seed=seed, drop_last=drop_last)
    sampler.set_epoch(epoch)
    return list(sampler)


class TestShardIndices:
    def test_padding_known_values(self):
        """N=10 over 4 ranks pads with 0 and 1: [[0,4,8],[1,5,9],[2,6,0],[3,7,1]]."""
        assert [shard_indices(10, 4, r) for r in range(4)] == [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]

    def test_drop_last_known_values(self):
        """drop_last=True cuts 8 and 9: [[0,4],[1,5],[2,6],[3,7]]."""
        assert [shard_indices(10, 4, r, drop_last=True) for r in range(4)] == [[0, 4], [1, 5], [2, 6], [3, 7]]

    @settings(max_examples=50, deadline=None)
    @given(num_samples=st.integers(0, 40), world_size=st.integers(1, 9), data=st.data(),
           drop_last=st.booleans(), shuffle=st.booleans(), seed=st.integers(0, 1000), epoch=st.integers(0, 5))
    def test_matches_distributed_sampler(self, num_samples, world_size, data, drop_last, shuffle, seed, epoch):
        """Equals list(DistributedSampler(...)) after set_epoch(epoch), N < W included."""
        rank = data.draw(st.integers(0, world_size - 1))
        assert shard_indices(num_samples, world_size, rank, drop_last, shuffle, seed, epoch) == _reference(
            num_samples, world_size, rank, drop_last, shuffle, seed, epoch)

    @settings(max_examples=50, deadline=None)
    @given(num_samples=st.integers(1, 40), world_size=st.integers(1, 9), shuffle=st.booleans())
    def test_drop_last_shards_are_disjoint(self, num_samples, world_size, shuffle):
        """With drop_last the shards never share an index and all have the same length."""
        shards = [shard_indices(num_samples, world_size, r, drop_last=True, shuffle=shuffle) for r in range(world_size)]
        flat = [i for shard in shards for i in shard]
        assert len(flat) == len(set(flat)) and len({len(s) for s in shards}) == 1

    def test_set_epoch_changes_order(self):
        """Without a new epoch the shuffled order repeats; a new epoch gives a new one."""
        assert shard_indices(20, 2, 0, shuffle=True, epoch=0) == shard_indices(20, 2, 0, shuffle=True, epoch=0)
        assert shard_indices(20, 2, 0, shuffle=True, epoch=0) != shard_indices(20, 2, 0, shuffle=True, epoch=1)

    @pytest.mark.parametrize(("kwargs", "error", "match"), [
        ({"world_size": 0}, ValueError, "world_size must be >= 1, got 0"),
        ({"rank": 4}, ValueError, r"rank must be in \[0, world_size - 1\] = \[0, 3\], got 4"),
        ({"rank": -1}, ValueError, "rank must be >= 0, got -1"),
        ({"num_samples": -2}, ValueError, "num_samples must be >= 0, got -2"),
        ({"epoch": -1}, ValueError, "epoch must be >= 0, got -1"),
        ({"rank": 1.0}, TypeError, "rank must be an int, got float"),
    ])
    def test_invalid(self, kwargs, error, match):
        """Bad world size, rank out of range and negative sizes raise naming the argument."""
        args = {"num_samples": 10, "world_size": 4, "rank": 0} | kwargs
        with pytest.raises(error, match=match):
            shard_indices(**args)
