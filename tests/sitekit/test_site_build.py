"""The built site's reader extras, checked on every page: downloads, Tested-with box,
corrections page, copy = runnable, sitemap and 404 (no browser needed)."""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

from importlib.metadata import version

import numpy
import pytest
import torch
from bs4 import BeautifulSoup

from sitekit import article
from sitekit import corrections as corr
from sitekit import provenance
from sitekit.blocks import block_code, extract_blocks, is_norun, python_block_tags
from sitekit.execute import run_blocks
from tests.test_pages import DOCS, PAGES, ROOT, built_page

IDS = [str(p.relative_to(DOCS)) for p in PAGES]


def soup_of(site: Path, source: Path) -> BeautifulSoup:
    return BeautifulSoup(built_page(site, source).read_text(encoding="utf-8"), "html.parser")


def stem(source: Path) -> str:
    return str(source.relative_to(DOCS).with_suffix(""))


def runnable_blocks(site: Path, source: Path):
    return [b for b in extract_blocks(built_page(site, source).read_text(encoding="utf-8")) if b.runs]


def resolve(site: Path, page: Path, href: str) -> Path:
    """The file of ``href`` (relative to a built page's directory)."""
    target = (page.parent / urlparse(href).path).resolve()
    return target / "index.html" if target.is_dir() else target


@pytest.mark.parametrize("source", PAGES, ids=IDS)
class TestDownloads:
    def test_links_and_files(self, source: Path, site_dir: Path):
        """A page with runnable code links a .py, an .ipynb and a rendered notebook, and they exist."""
        blocks = runnable_blocks(site_dir, source)
        soup = soup_of(site_dir, source)
        bar = soup.select_one(".rn-downloads")
        if not blocks:
            assert bar is None
            return
        assert bar is not None, "page has runnable code but no download links"
        hrefs = [a["href"] for a in bar.find_all("a")]
        assert any(h.endswith(".py") for h in hrefs) and any(h.endswith(".ipynb") for h in hrefs)
        for href in hrefs:
            assert resolve(site_dir, built_page(site_dir, source), href).is_file(), href

    def test_script_and_notebook_hold_the_page_code_and_outputs(self, source: Path, site_dir: Path):
        """The .ipynb code cells are the page's runnable blocks (plus figure cells), with the shown outputs;
        the .py is valid Python holding the same code."""
        import nbformat

        blocks = runnable_blocks(site_dir, source)
        if not blocks:
            pytest.skip("no runnable code on this page")
        base = site_dir / "downloads" / stem(source)
        nb = nbformat.read(base.with_suffix(".ipynb"), as_version=4)
        nbformat.validate(nb)
        code_cells = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("rn", {}).get("block")]
        assert [c.source.rstrip("\n") for c in code_cells] == [b.code.rstrip("\n") for b in blocks]
        for cell, block in zip(code_cells, blocks):
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert printed == (block.shown_output or "")
        script = base.with_suffix(".py").read_text(encoding="utf-8")
        ast.parse(script)
        for block in blocks:
            body = re.sub(r"^from __future__ import [^\n]+\n?", "", block.code, flags=re.MULTILINE)
            assert article._indent(body.strip("\n")) in script  # under the __main__ guard


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_tested_with_box(source: Path, site_dir: Path):
    """A page that includes snippets says the versions it ran with, and links each module and its test."""
    raw = source.read_text(encoding="utf-8")
    used = provenance.includes(raw)
    soup = soup_of(site_dir, source)
    box = soup.select_one("#tested-with")
    if not used:
        return
    assert box is not None, "page includes snippets but has no Tested-with box"
    text = box.get_text(" ", strip=True)
    assert f"torch {version('torch')}" in text and f"numpy {numpy.__version__}" in text
    assert torch.__version__.startswith(version("torch"))
    import snippets

    assert f"snippets {snippets.__version__}" in text
    page = built_page(site_dir, source)
    untested = []
    for module in sorted({inc.path for inc in used}):
        info = provenance.module_info(module)
        row = next(tr for tr in box.find_all("tr") if module in tr.get_text())
        for link in row.find_all("a"):
            target = resolve(site_dir, page, link["href"])
            assert target.is_file(), link["href"]
        if info.test is None:
            untested.append(str(Path("tests", *Path(module).parts[1:-1], f"test_{Path(module).stem}.py")))
            continue
        test_link = next(a["href"] for a in row.find_all("a") if info.test in a.get_text())
        copied = resolve(site_dir, page, test_link).read_text(encoding="utf-8")
        assert copied == (ROOT / info.test).read_text(encoding="utf-8")
    assert not untested, "modules shown without their mirrored test file: " + ", ".join(untested)


def test_twin_line_is_read_from_the_docstring():
    """The production twin of a module comes from its docstring's Twin: line."""
    assert provenance.twins("snippets/normalization/batch_norm.py") == (
        "torch.nn.functional.batch_norm", "torch.nn.BatchNorm2d")
    assert provenance.test_path("snippets/normalization/batch_norm.py") == "tests/normalization/test_batch_norm.py"
    assert provenance.test_path("snippets/normalization/examples/batch_norm_page.py") == "tests/test_pages.py"


def test_corrections_page_lists_every_correction(site_dir: Path):
    """Every `!!! correction` of every article appears on the corrections page, linked to its anchor."""
    written = {}
    for source in PAGES:
        if source.name == "corrections.md":
            continue
        titles = corr.source_titles(source.read_text(encoding="utf-8"))
        if titles:
            written[source] = titles
    page = site_dir / "corrections" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    entries = soup.select(".rn-correction-entry")
    assert len(entries) == sum(len(t) for t in written.values())
    assert corr.MARKER not in page.read_text(encoding="utf-8")
    listed = [entry.select_one(".admonition-title a") for entry in entries]
    for entry in entries:  # links copied from the articles still lead somewhere from this page
        for tag, attr in [(a, "href") for a in entry.find_all("a", href=True)] + [
                (i, "src") for i in entry.find_all("img", src=True)]:
            target = tag[attr].partition("#")[0]
            if target and not re.match(r"^[a-z]+:", target):
                assert resolve(site_dir, page, target).is_file(), f"{tag[attr]} from the corrections page"

    def plain(text: str) -> str:  # a title as text: Markdown code/emphasis marks dropped, spaces collapsed
        return " ".join(re.sub(r"[`*]", "", text).split())

    for source, titles in written.items():
        target_soup = soup_of(site_dir, source)
        for title in titles:
            link = next((a for a in listed if plain(a.get_text(" ", strip=True)) == plain(title)), None)
            assert link is not None, f"{title!r} ({source.name}) missing from the corrections page"
            target, _, anchor = link["href"].partition("#")
            assert resolve(site_dir, page, target) == built_page(site_dir, source).resolve()
            box = target_soup.find(id=anchor)
            assert box is not None and "correction" in box.get("class", []), anchor


def _module_of(tag) -> str | None:
    """The snippet module a built block was included from (the caption sitekit puts under it)."""
    for sibling in tag.find_next_siblings():
        classes = sibling.get("class", [])
        if "rn-tested" in classes:
            return sibling.get("data-rn-module")
        if "highlight" in classes:
            return None
    return None


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_first_block_of_each_section_runs_alone(source: Path, site_dir: Path):
    """Copy = runnable: the first runnable Python block of every h2 section runs in a fresh namespace.

    Page code (``examples/*_page.py``) carries its own imports; a section that opens with a
    definition from a concept module includes that module's ``imports`` section in the same block."""
    soup = soup_of(site_dir, source)
    article = soup.find("article") or soup
    blocks = python_block_tags(article)
    firsts: list[tuple[str, object]] = []
    section, taken = "(before the first h2)", False
    for tag in article.find_all(["h2", "div"]):
        if tag.name == "h2":
            section, taken = tag.get_text(strip=True).rstrip("¶"), False
        elif not taken and any(tag is b for b in blocks) and not is_norun(tag):
            firsts.append((section, tag))
            taken = True
    failures = []
    for name, tag in firsts:
        (run,) = run_blocks([block_code(tag)], name=f"{source.name} {name}")
        if run.error:
            module = _module_of(tag) or "(not included)"
            failures.append(f"section {name!r} ({module}): {run.error.strip().splitlines()[-1]}")
    assert not failures, "first block of a section does not run alone:\n" + "\n".join(failures)


def test_sitemap_lists_every_page_under_site_url(site_dir: Path):
    """sitemap.xml names every built page with the configured site_url."""
    import yaml

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    site_url = config["site_url"]
    assert site_url.startswith("http")
    tree = ET.parse(site_dir / "sitemap.xml")
    urls = {el.text for el in tree.iter() if el.tag.endswith("loc")}
    for source in PAGES:
        relative = built_page(site_dir, source).relative_to(site_dir).parent.as_posix()
        expected = site_url + ("" if relative == "." else relative + "/")
        assert expected in urls


def test_404_page_is_built_with_the_theme(site_dir: Path):
    """404.html exists and is a themed page whose assets load from the site root."""
    html = (site_dir / "404.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".md-header") is not None and "404" in soup.get_text()
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert sheets and all(href.startswith("/") for href in sheets if not href.startswith("http"))


def test_notebook_pages_load_nothing_from_elsewhere(site_dir: Path):
    """Rendered notebooks keep no MathJax/Mermaid/RequireJS script: the site's KaTeX renders their math."""
    pages = list((site_dir / "notebooks").rglob("index.html"))
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script", src=True):
            assert script["src"].strip() and not re.match(r"(https?:)?//", script["src"]), script["src"]
        assert soup.select(".jupyter-wrapper"), page
        # cleaned by sitekit.notebook_view: no second copy of the code, no 0.6 MB stylesheet
        assert not soup.select(".clipboard-copy-txt, .zeroclipboard-container"), page
        assert all(len(style.get_text()) < 100_000 for style in soup.find_all("style")), page


def test_build_stats_count_reader_extras():
    """The build reports how many pages got downloads and how many corrections it anchored."""
    stats = json.loads((ROOT / ".cache" / "sitekit" / "build-stats.json").read_text(encoding="utf-8"))
    assert {"downloads", "corrections", "pages", "blocks"} <= set(stats)


def test_build_started_every_page_from_its_markdown():
    """Each page's code is submitted before MkDocs renders it, from the Markdown with includes
    expanded; the HTML's blocks must be the same code, or the page would run twice."""
    stats = json.loads((ROOT / ".cache" / "sitekit" / "build-stats.json").read_text(encoding="utf-8"))
    assert stats["resubmitted"] == 0
