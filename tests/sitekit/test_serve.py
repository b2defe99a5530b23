"""``make serve``: what an edit rebuilds, and a dirty rebuild equal to a full one."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml

from sitekit import serve
from sitekit.generate import GENERATED
from sitekit.source import ROOT

MINI = """site_name: Mini
docs_dir: docs
site_dir: site
theme:
  name: material
plugins:
  - search
nav:  # titled, as the site's are: a dirty build does not read the other pages for their titles
  - Home: index.md
  - Page: page.md
"""


def _index(site: Path) -> list[str]:
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    return sorted(json.dumps(d, sort_keys=True) for d in docs)


def test_dirty_rebuild_equals_a_full_build(tmp_path):
    """After an edit, a dirty build renders only the edited page, and the page and the search
    index come out as a full build makes them."""
    (tmp_path / "mkdocs.yml").write_text(MINI, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nWelcome.\n", encoding="utf-8")
    page = tmp_path / "docs" / "page.md"
    page.write_text("# Page\n\n## First\n\nOne sentence.\n", encoding="utf-8")
    config = str(tmp_path / "mkdocs.yml")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as edition:
        edition.submit(serve.build_edition, config).result()
        home = tmp_path / "site" / "index.html"
        home_written = home.stat().st_mtime_ns
        page.write_text("# Page\n\n## First\n\nOne sentence.\n\n## Second\n\nAn edited sentence.\n", encoding="utf-8")
        later = home_written + 2_000_000_000  # newer than the HTML, whatever the clock's resolution
        os.utime(page, ns=(later, later))
        edition.submit(serve.build_edition, config, True).result()
        dirty_html = (tmp_path / "site" / "page" / "index.html").read_text(encoding="utf-8")
        dirty_index = _index(tmp_path / "site")
        assert home.stat().st_mtime_ns == home_written  # not rendered again
        edition.submit(serve.build_edition, config).result()
    assert "An edited sentence." in dirty_html
    assert dirty_html == (tmp_path / "site" / "page" / "index.html").read_text(encoding="utf-8")
    assert dirty_index == _index(tmp_path / "site")
    assert any("An edited sentence." in entry for entry in dirty_index)
    assert any('"title": "Home"' in entry for entry in dirty_index)  # the other page is still found


ENGLISH, CHINESE = ROOT / "docs" / "normalization" / "batch-norm.md", ROOT / "docs-zh" / "normalization" / "batch-norm.md"


@pytest.mark.parametrize(("edited", "written", "added", "expected"), [
    ([ENGLISH], [], False, {"en": "dirty"}),
    ([CHINESE], [], False, {"zh": "dirty"}),
    ([ENGLISH], [ROOT / "docs" / "assets" / "generated" / "downloads" / "normalization" / "batch-norm.ipynb"],
     False, {"en": "dirty"}),  # a download is a static file: the dirty build copies it
    ([ROOT / "snippets" / "normalization" / "batch_norm.py"],
     [GENERATED / "en" / "snippets" / "normalization" / "batch_norm.md",
      GENERATED / "zh" / "snippets" / "normalization" / "batch_norm.md"], False, {"en": "full", "zh": "full"}),
    ([ROOT / "snippets" / "normalization" / "batch_norm.py"], [], False, {"en": "full", "zh": "full"}),  # shown code
    ([ROOT / "docs" / "normalization" / "new.md"], [], True, {"en": "full", "zh": "full"}),
    ([ROOT / "docs" / "assets" / "stylesheets" / "extra.css"], [ROOT / "docs-zh" / "assets" / "stylesheets" / "extra.css"],
     False, {"en": "dirty", "zh": "dirty"}),  # the Chinese copy is written by generate: both copy it
    ([ROOT / "overrides" / "main.html"], [], False, {"en": "full", "zh": "full"}),
    ([ROOT / "mkdocs.zh.yml"], [], False, {"en": "full", "zh": "full"}),
    ([], [], False, {}),
], ids=["english-page", "chinese-page", "english-download", "code-output", "code-shown", "page-added", "stylesheet",
         "theme", "config", "nothing"])
def test_poll_rebuilds_what_an_edit_touches(monkeypatch, edited, written, added, expected):
    """An edited page is built dirty in its own edition; what changes an include, the theme, a
    configuration or the page list rebuilds in full (the English build empties site/, so the
    Chinese edition follows it)."""
    before = {ENGLISH: 1, CHINESE: 1, ROOT / "overrides" / "main.html": 1, ROOT / "mkdocs.zh.yml": 1,
              ROOT / "snippets" / "normalization" / "batch_norm.py": 1,
              ROOT / "docs" / "assets" / "stylesheets" / "extra.css": 1}
    after = {**before, **{p: 2 for p in edited}}
    if not added:
        after = {p: t for p, t in after.items() if p in before}
    snapshots, builds, generated = iter([before, after]), [], []
    monkeypatch.setattr(serve, "snapshot", lambda: next(snapshots))
    monkeypatch.setattr(serve, "update", lambda code_changed=True: generated.append(code_changed) or written)
    monkeypatch.setattr(serve.Site, "_build", lambda self, lang, dirty=False: builds.append((lang, dirty)))
    site = serve.Site()
    assert site.poll() == expected
    assert builds == [(lang, how == "dirty") for lang, how in expected.items()]
    assert generated == ([any("snippets" in p.parts for p in edited)] if edited else [])


def test_snapshot_leaves_out_what_generate_writes():
    """Generated files and the Chinese edition's copies of the shared assets are not sources: a
    change to them is not an edit (it would rebuild the edition a second time)."""
    watched = serve.snapshot()
    assert ROOT / "docs" / "assets" / "stylesheets" / "extra.css" in watched
    assert ENGLISH in watched and CHINESE in watched
    assert not any("generated" in p.parts or p.is_relative_to(ROOT / "docs-zh" / "assets") for p in watched)


@pytest.mark.parametrize("config", ["mkdocs.yml", "mkdocs.zh.yml"])
def test_every_nav_entry_has_a_title(config):
    """A dirty build does not read the pages it skips, so their nav titles must come from the configuration."""
    nav = json.dumps(yaml.load((ROOT / config).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["nav"])
    assert not re.findall(r'(?:\[|, )"[^"]+\.md"', nav)  # an entry without "title": before the page
