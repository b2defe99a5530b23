"""The downloads run: each page's .py script and .ipynb notebook, top to bottom, on a fresh
interpreter / kernel, print what the page shows under each block."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_pages import DOCS, PAGES, ROOT, built_page
from sitekit.blocks import extract_blocks

pytestmark = pytest.mark.slow
IDS = [str(p.relative_to(DOCS)) for p in PAGES]
TIMEOUT_S = 120


def _download(site: Path, source: Path, suffix: str) -> Path:
    path = site / "downloads" / source.relative_to(DOCS).with_suffix(suffix)
    if not path.is_file():
        pytest.skip("no runnable code on this page")
    return path


def _shown(site: Path, source: Path) -> list[str]:
    html = built_page(site, source).read_text(encoding="utf-8")
    return [b.shown_output or "" for b in extract_blocks(html) if b.runs]


def _env() -> dict:
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_script_runs_top_to_bottom(source: Path, site_dir: Path):
    """`python <article>.py` in a fresh interpreter exits 0 and prints every block's shown output, in order."""
    script = _download(site_dir, source, ".py")
    # From the repository root, as the page code ran (pages may read results/).
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "".join(_shown(site_dir, source))


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_notebook_runs_on_a_fresh_kernel(source: Path, site_dir: Path):
    """The .ipynb executes top to bottom on a fresh python3 kernel with no error, and each code
    cell prints what the page shows under the same block."""
    import nbformat
    from nbclient import NotebookClient

    path = _download(site_dir, source, ".ipynb")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(nb, kernel_name="python3", timeout=TIMEOUT_S, allow_errors=False,
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute(env={**_env(), "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    printed = ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
               for cell in nb.cells if cell.cell_type == "code" and cell.metadata.get("rn", {}).get("block")]
    assert printed == _shown(site_dir, source)
