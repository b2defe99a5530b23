"""The build's cache drops entries no build has used for a while (sitekit.hooks.prune_cache)."""

from __future__ import annotations

import os

from sitekit.hooks import prune_cache

DAY = 86400.0


def test_old_unused_entries_go_used_and_recent_ones_stay(tmp_path):
    now = 1_000 * DAY
    (tmp_path / "outputs").mkdir()
    (tmp_path / "figures").mkdir()
    old_unused = tmp_path / "outputs" / "a.json"
    old_used = tmp_path / "outputs" / "b.json"
    recent = tmp_path / "figures" / "c.json"
    keep_other = tmp_path / "timings.json"  # not an entry named by content hash
    for path, age in ((old_unused, 30), (old_used, 30), (recent, 2), (keep_other, 30)):
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (now - age * DAY, now - age * DAY))
    removed = prune_cache(tmp_path, {old_used}, max_age_s=14 * DAY, now=now)
    assert removed == 1
    assert not old_unused.exists()
    assert old_used.exists() and old_used.stat().st_mtime == now  # marked as used now
    assert recent.exists() and keep_other.exists()


def test_missing_directories_are_fine(tmp_path):
    assert prune_cache(tmp_path, {tmp_path / "outputs" / "gone.json"}) == 0
