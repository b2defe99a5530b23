"""Page doc-tests: the notebook a reader downloads from each page, run top to bottom on a
fresh kernel, prints what the page shows.

The build ran each page module once and recorded what every section printed; the
notebook carries those outputs. Running it again here is the second and last time the
page code runs in ``make test`` (the static checks in ``tests/sitekit/test_site_build.py``
prove the page shows exactly these sections and outputs).
"""

from __future__ import annotations

import os
import tempfile

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from tests._site import IDS, PAGES, ROOT, page_module

WITH_CODE = [pytest.param(p, id=i) for p, i in zip(PAGES, IDS) if page_module(p)]


def stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.mark.parametrize("source", WITH_CODE)
def test_notebook_reproduces_the_recorded_outputs(source, site_dir):
    """Every section's printed output equals the one recorded at build time (and shown on the page)."""
    topic, stem = source.parent.name, source.stem if source.stem != "index" else source.parent.name
    path = site_dir / "assets" / "generated" / "downloads" / topic / f"{stem}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    recorded = {cell.metadata["section"]: stdout(cell) for cell in notebook.cells
                if cell.cell_type == "code" and cell.metadata.get("section")}
    assert recorded, f"{path.name} has no page sections"
    os.environ.setdefault("MPLBACKEND", "Agg")
    # IPC sockets, not TCP ports: kernels started at once by two test workers cannot race for a port
    with tempfile.TemporaryDirectory(prefix="rn-kernel-") as sockets:
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
        NotebookClient(notebook, km=kernel, timeout=600, resources={"metadata": {"path": str(ROOT)}}).execute()
    again = {cell.metadata["section"]: stdout(cell) for cell in notebook.cells
             if cell.cell_type == "code" and cell.metadata.get("section")}
    differ = [name for name in recorded if recorded[name] != again[name]]
    assert not differ, "\n".join(f"section {n!r}:\n--- recorded\n{recorded[n]}--- now\n{again[n]}" for n in differ)
