"""snippets.parallel.latency: the random pointer cycle, the chase (tiny sizes: shape, not speed), cache sizes."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.parallel.latency import LINE, cache_sizes, load_latency_ns, pointer_cycle


class TestPointerCycle:
    @pytest.mark.parametrize("nbytes", [64, 4096, 64 * 1000 + 17])
    def test_one_cycle_through_every_line(self, nbytes):
        """Following next_slot from line 0 visits every line once and returns to the start."""
        nxt, order = pointer_cycle(nbytes, seed=1)
        lines = nbytes // LINE
        assert nxt.dtype == np.int64 and len(nxt) == lines * 8 and sorted(order) == list(range(lines))
        seen, slot = [], 0
        for _ in range(lines):
            seen.append(slot // 8)
            slot = nxt[slot]
        assert slot == 0 and sorted(seen) == list(range(lines))

    def test_follows_order(self):
        """The cycle visits the lines in `order`, one pointer per 64-byte line."""
        nxt, order = pointer_cycle(4096, seed=3)
        np.testing.assert_array_equal(nxt[order * 8], np.roll(order, -1) * 8)
        assert np.all(nxt % 8 == 0)

    def test_seeded(self):
        """Same seed, same cycle; another seed, another order."""
        assert np.array_equal(pointer_cycle(8192, 5)[1], pointer_cycle(8192, 5)[1])
        assert not np.array_equal(pointer_cycle(8192, 5)[1], pointer_cycle(8192, 6)[1])


class TestLoadLatencyNs:
    @pytest.mark.parametrize("chains", [1, 3])
    def test_smoke_tiny(self, chains):
        """A chase through 16 KiB returns a positive mean time per load under a microsecond."""
        assert 0 < load_latency_ns(2**14, chains=chains, steps=20_000) < 1e3

    def test_repeats_keep_the_fastest(self):
        """More repeats can only lower (or keep) the time: the minimum of the runs is returned."""
        assert load_latency_ns(2**12, steps=1000, repeats=5) > 0

    def test_fewer_lines_than_chains(self):
        """One line, two chains: both chase the same line and still return a time."""
        assert load_latency_ns(64, chains=3, steps=100) > 0

    @pytest.mark.parametrize(("kwargs", "error", "match"), [
        ({"working_set_bytes": 32}, ValueError, r"working_set_bytes must be >= 64 \(one cache line\), got 32"),
        ({"working_set_bytes": 4096, "chains": 0}, ValueError, "chains must be >= 1, got 0"),
        ({"working_set_bytes": 4096, "steps": 0}, ValueError, "steps must be >= 1, got 0"),
        ({"working_set_bytes": 4096.0}, TypeError, "working_set_bytes must be an int, got float"),
        ({"working_set_bytes": 4096, "repeats": 0}, ValueError, "repeats must be >= 1, got 0"),
    ])
    def test_bad_input(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            load_latency_ns(**kwargs)


class TestCacheSizes:
    def test_reads_sysfs_layout(self, tmp_path):
        """Data and unified caches by level, instruction caches skipped, K/M suffixes scaled."""
        for i, (level, kind, size) in enumerate([(1, "Data", "32K"), (1, "Instruction", "32K"),
                                                 (2, "Unified", "512K"), (3, "Unified", "32M")]):
            d = tmp_path / f"index{i}"
            d.mkdir()
            (d / "level").write_text(f"{level}\n")
            (d / "type").write_text(f"{kind}\n")
            (d / "size").write_text(f"{size}\n")
        assert cache_sizes(tmp_path) == {"L1d": 32 * 2**10, "L2": 512 * 2**10, "L3": 32 * 2**20}

    def test_missing_sysfs(self, tmp_path):
        """No index directories: an empty dict."""
        assert cache_sizes(tmp_path / "nothing") == {}

    def test_this_machine(self):
        """On this machine: sizes are positive and grow with the level."""
        sizes = list(cache_sizes().values())
        assert all(s > 0 for s in sizes) and sizes == sorted(sizes)
