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

from tests._site import PAGES, ROOT, SITE, ZENSICAL_SITE, built_page

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
    """Generate and build the site into site/ once (make test builds it before pytest)."""
    if not (SITE / "index.html").is_file():
        subprocess.run([sys.executable, "-m", "sitekit", "generate"], cwd=ROOT, check=True)
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(SITE)], cwd=ROOT, check=True)
    return SITE


@pytest.fixture(scope="session")
def site_dir() -> Path:
    return build_site()


@pytest.fixture(scope="session")
def zensical_dir() -> Path:
    """The same docs rendered by Zensical into site-zensical/ (make test builds it)."""
    if not (ZENSICAL_SITE / "index.html").is_file():
        pytest.skip("site-zensical/ is not built (make test builds it)")
    return ZENSICAL_SITE


WEIGHTS = ROOT / ".cache" / "browser" / "weights"  # written by tests/browser/test_every_page.py


def pytest_sessionstart(session):
    """Forget page weights measured by an earlier run (the summary reports this run's)."""
    if not hasattr(session.config, "workerinput") and WEIGHTS.is_dir():
        for path in WEIGHTS.glob("*.json"):
            path.unlink()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    """How many blocks the pages show, how often the page code ran, and the heaviest first load."""
    if hasattr(config, "workerinput") or not (SITE / "index.html").is_file():
        return
    import json

    from bs4 import BeautifulSoup

    blocks = norun = 0
    for source in PAGES:
        html = built_page(SITE, source)
        if html.is_file():
            soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
            found = soup.select("article div.language-python")
            blocks += len(found)
            norun += sum("norun" in " ".join(tag.get("class", [])) for tag in found)
    notebooks = sum(1 for report in terminalreporter.stats.get("passed", []) if "test_notebooks.py" in report.nodeid)
    terminalreporter.write_sep("=", "page doc-tests")
    terminalreporter.write_line(
        f"pages: {len(PAGES)}; Python blocks shown: {blocks} ({norun} marked norun), each a section of a "
        f"snippets module (tests/sitekit/test_site_build.py); page code runs once in the build and once "
        f"as a notebook: {notebooks} notebooks reproduced their recorded outputs")
    weights = [json.loads(p.read_text(encoding="utf-8")) for p in WEIGHTS.glob("*.json")] if WEIGHTS.is_dir() else []
    if weights:
        heaviest = max(weights, key=lambda w: w["bytes"])
        terminalreporter.write_line(
            f"browser: {len(weights)} pages loaded; heaviest first load {heaviest['bytes'] / 1e6:.2f} MB "
            f"({heaviest['requests']} requests) at {heaviest['path']} (limit 1.5 MB)")
