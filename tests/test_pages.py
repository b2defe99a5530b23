"""Page doc-tests: every Python block of every built page runs, as the reader sees it.

Blocks are read from the built HTML (after ``pymdownx.snippets`` expanded every
include), run in order in one namespace per page, and what each prints must
equal the output shown under it on the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitekit.blocks import extract_blocks
from sitekit.execute import run_blocks

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def built_page(site: Path, source: Path) -> Path:
    """site/<dir>/<name>/index.html for docs/<dir>/<name>.md (use_directory_urls)."""
    relative = source.relative_to(DOCS).with_suffix("")
    if relative.name == "index":
        return site / relative.parent / "index.html"
    return site / relative / "index.html"


PAGES = sorted(p for p in DOCS.rglob("*.md") if "includes" not in p.parts)


@pytest.mark.parametrize("source", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_blocks_run_and_print_what_the_page_shows(source: Path, site_dir: Path):
    """Every runnable block runs without error and prints exactly its shown output."""
    html = built_page(site_dir, source).read_text(encoding="utf-8")
    blocks = [block for block in extract_blocks(html) if block.runs]
    runs = run_blocks([block.code for block in blocks], name=str(source.relative_to(DOCS)))
    for index, (block, run) in enumerate(zip(blocks, runs), start=1):
        assert run.error is None, f"block {index} raised:\n{block.code}\n{run.error}"
        assert run.stdout == (block.shown_output or ""), (
            f"block {index} printed something other than the page shows:\n{block.code}"
        )
    assert len(runs) == len(blocks)
