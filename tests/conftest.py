"""Shared fixtures: device parametrisation and the built site.

``--torch-device cuda`` (or ``all``) runs every device-parametrised test on CUDA too;
CUDA cases skip cleanly when no GPU is present.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("RN_SITE_DIR", ROOT / "site"))

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_configure(config):
    # Known even when pytest-xdist is disabled (-p no:xdist), so --strict-markers accepts it.
    config.addinivalue_line("markers", "xdist_group(name): run in the named xdist worker group")


def pytest_addoption(parser):
    parser.addoption("--torch-device", default="auto", choices=["auto", "cpu", "cuda", "all"],
                     help="devices for device-parametrised tests (auto: cpu, plus cuda when present)")


def _devices(config) -> list[str]:
    choice = config.getoption("--torch-device")
    if choice == "cpu":
        return ["cpu"]
    if choice == "cuda":
        return ["cuda"]
    return ["cpu", "cuda"]


def pytest_generate_tests(metafunc):
    if "torch_device" in metafunc.fixturenames:
        metafunc.parametrize("torch_device", _devices(metafunc.config), indirect=True)


@pytest.fixture
def torch_device(request) -> torch.device:
    """A torch device; CUDA cases skip when no GPU is present."""
    if request.param == "cuda" and not torch.cuda.is_available():
        pytest.skip("CUDA is not available")
    return torch.device(request.param)


def build_site() -> Path:
    """Build the site into site/ once (make test builds it before pytest)."""
    if not (SITE / "index.html").is_file():
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(SITE)], cwd=ROOT, check=True)
    return SITE


@pytest.fixture(scope="session")
def site_dir() -> Path:
    return build_site()


WEIGHTS = ROOT / ".cache" / "browser" / "weights"  # written by tests/browser/test_every_page.py


def pytest_sessionstart(session):
    """Forget page weights measured by an earlier run (the summary reports this run's)."""
    if not hasattr(session.config, "workerinput") and WEIGHTS.is_dir():
        for path in WEIGHTS.glob("*.json"):
            path.unlink()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    """Print how many page blocks the doc-tests ran and how many are marked norun, and the
    heaviest first load the browser tests measured."""
    if hasattr(config, "workerinput") or not (SITE / "index.html").is_file():
        return
    import json

    from sitekit.blocks import extract_blocks

    pages = blocks = norun = 0
    notebooks = sum(1 for _ in (SITE / "notebooks").rglob("index.html")) if (SITE / "notebooks").is_dir() else 0
    for html in SITE.rglob("index.html"):
        relative = html.relative_to(SITE).parts
        if html.parent.name == "404" or "assets" in relative or relative[0] == "notebooks":
            continue
        found = extract_blocks(html.read_text(encoding="utf-8"))
        pages += 1
        blocks += len(found)
        norun += sum(not block.runs for block in found)
    doc_tests = terminalreporter.stats.get("passed", [])
    page_tests = sum(1 for report in doc_tests if "test_pages.py" in report.nodeid)
    terminalreporter.write_sep("=", "page doc-tests")
    terminalreporter.write_line(
        f"pages built: {pages} (+ {notebooks} rendered notebooks); Python blocks: {blocks} "
        f"({blocks - norun} executed, {norun} marked norun); page doc-tests passed: {page_tests}"
    )
    weights = [json.loads(p.read_text(encoding="utf-8")) for p in WEIGHTS.glob("*.json")] if WEIGHTS.is_dir() else []
    if weights:
        heaviest = max(weights, key=lambda w: w["bytes"])
        terminalreporter.write_line(
            f"browser: {len(weights)} pages loaded; heaviest first load {heaviest['bytes'] / 1e6:.2f} MB "
            f"({heaviest['requests']} requests) at {heaviest['path']} (limit 1.5 MB)")
