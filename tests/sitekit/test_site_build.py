"""The built site, checked without running page code: what every page shows is what ran.

* every Python block is, byte for byte, a section (or consecutive sections) of a
  ``snippets`` module, and the output under a page-module block is the one the build
  recorded (the notebook test then reproduces those outputs on a fresh kernel);
* the first block of every ``##`` section runs on its own (no name it uses is left
  undefined: checked statically);
* downloads, the *Tested with* box, captions, the corrections page, sitemap and 404.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from bs4 import BeautifulSoup

from sitekit import fragments
from sitekit.source import includes, sections
from tests._site import BOTH, BOTH_IDS, DOCS, IDS, PAGES, ROOT, built_page, page_module

ALL_SECTIONS = {code for folder in ("snippets", "benchmarks") for path in (ROOT / folder).rglob("*.py")
                for code in sections(path).values()}


@cache  # three tests read each built page; parsed once per worker (none of them changes it)
def soup_of(site: Path, source: Path, docs: Path = DOCS) -> BeautifulSoup:
    return BeautifulSoup(built_page(site, source, docs).read_text(encoding="utf-8"), "html.parser")


def python_blocks(soup: BeautifulSoup) -> list:
    return (soup.find("article") or soup).select("div.language-python")


def is_sections(code: str) -> bool:
    """``code`` is one section, or sections joined by newlines (a fence with several includes)."""
    if code in ALL_SECTIONS:
        return True
    return any(code.startswith(s + "\n") and is_sections(code[len(s) + 1:]) for s in ALL_SECTIONS if s)


def recorded(site: Path, source: Path) -> dict[str, str]:
    """Section -> output, as recorded in the page's downloaded notebook."""
    topic, stem = source.parent.name, source.stem if source.stem != "index" else source.parent.name
    notebook = json.loads((site / fragments.ASSETS / "downloads" / topic / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return {c["metadata"]["section"]: "".join("".join(o["text"]) for o in c["outputs"])
            for c in notebook["cells"] if c["cell_type"] == "code" and c["metadata"].get("section")}


def resolve(page: Path, href: str) -> Path:
    target = (page.parent / urlparse(href).path).resolve()
    return target / "index.html" if target.is_dir() else target


@pytest.mark.parametrize("source,docs,edition", BOTH, ids=BOTH_IDS)
def test_every_block_is_a_section_and_shows_its_recorded_output(source: Path, docs: Path, edition: str,
                                                                 site_dir: Path):
    """Code on the page = code that ran; output under it = what it printed in the build (both editions)."""
    site_dir = site_dir / edition
    soup = soup_of(site_dir, source, docs)
    blocks = python_blocks(soup)
    shown = [(p, s) for p, s in includes(source.read_text(encoding="utf-8")) if p.endswith(".py") and s]
    assert len(blocks) <= len(shown)
    outputs = recorded(site_dir, source) if page_module(source) else {}
    page_sections = [s for p, s in shown if "/examples/" in p]
    for block in blocks:
        code = block.find("code").get_text().rstrip("\n")
        assert is_sections(code), f"block not a snippets section:\n{code[:300]}"
        following = block.find_next_sibling()
        printed = following.find("code").get_text().rstrip("\n") if following and "rn-output" in following.get(
            "class", []) else ""
        match = [s for s in page_sections if sections(page_module(source))[s] == code] if outputs else []
        if match:
            # Python-Markdown expands tabs (tab_length 4) before anything else
            expected = outputs[match[0]].rstrip("\n").expandtabs(4)
            assert printed == expected, f"section {match[0]!r}: shown output differs"
        else:
            assert printed == "", "an output under a block that is not page code"


def free_names(code: str) -> set[str]:
    """Names a block reads when it runs but never binds (a function body runs only when called)."""
    bound, read = set(dir(builtins)), set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            for part in [*node.decorator_list, *getattr(node, "bases", [])]:
                visit(part)
            if isinstance(node, ast.ClassDef):
                for child in node.body:
                    visit(child)
            return
        elif isinstance(node, ast.Lambda):
            return
        elif isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.comprehension):
            visit(node.target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(code))
    return read - bound


def test_free_names_finds_an_undefined_name():
    """The static check fails a block that uses a name it does not define (the check can fail)."""
    assert free_names("import torch\ny = torch.ones(2) + x\n") == {"x"}
    assert free_names("import torch\nfor i in range(2):\n    print(torch.ones(i))\n") == set()
    assert free_names("def f(x):\n    return helper(x)\n") == set()  # a body runs only when called


CODE_COLUMN = 88  # characters a shown line may take: the code column has no horizontal scroll


def long_shown_lines(markdown: str, width: int = CODE_COLUMN) -> list[str]:
    """``path:section:line (length)`` of every line of an included section wider than ``width``."""
    return [f"{path}:{section}:{number} ({len(line)} > {width})"
            for path, section in includes(markdown)
            if path.endswith(".py") and section
            for number, line in enumerate(sections(ROOT / path).get(section, "").splitlines(), 1)
            if len(line) > width]


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_shown_lines_fit_the_code_column(source: Path):
    """Every line of every section a page shows fits the code column (88 characters)."""
    failures = long_shown_lines(source.read_text(encoding="utf-8"))
    assert not failures, "shown lines wider than the code column (wrap them):\n" + "\n".join(failures)


def test_long_shown_lines_finds_a_long_line(tmp_path: Path):
    """The width check flags a shown line of 89 characters and passes one of 88 (it can fail)."""
    module = tmp_path / "wide.py"  # absolute: ROOT / module is module
    module.write_text("# --8<-- [start:fits]\nx = 1  # " + "." * 79 + "\n# --8<-- [end:fits]\n"
                      "# --8<-- [start:wide]\nx = 1  # " + "." * 80 + "\n# --8<-- [end:wide]\n")
    assert long_shown_lines(f'--8<-- "{module}:fits"\n') == []
    assert long_shown_lines(f'--8<-- "{module}:wide"\n') == [f"{module}:wide:1 (89 > 88)"]


@pytest.mark.parametrize("source,docs,edition", BOTH, ids=BOTH_IDS)
def test_first_block_of_each_section_runs_alone(source: Path, docs: Path, edition: str, site_dir: Path):
    """Copy = runnable: the first Python block under every h2 defines every name it uses."""
    article = soup_of(site_dir / edition, source, docs).find("article")
    failures, taken, heading = [], False, "(top)"
    for tag in article.find_all(["h2", "div"]):
        if tag.name == "h2":
            heading, taken = tag.get_text(strip=True).rstrip("¶"), False
        elif not taken and "language-python" in tag.get("class", []):
            taken = True
            missing = free_names(tag.find("code").get_text())
            if missing:
                failures.append(f"{heading!r}: {sorted(missing)}")
    assert not failures, "first block of a section uses names it does not define:\n" + "\n".join(failures)


@pytest.mark.parametrize("source", PAGES, ids=IDS)
def test_downloads_and_tested_with_box(source: Path, site_dir: Path):
    """A page with code links its .py (the page module itself) and .ipynb; the box names versions,
    and each module with its mirrored test and twin, all linked to files that exist."""
    soup = soup_of(site_dir, source)
    page = built_page(site_dir, source)
    module = page_module(source)
    bar = soup.select_one(".rn-downloads")
    if module is None:
        assert bar is None
    else:
        hrefs = [a["href"] for a in bar.find_all("a")]
        assert [h.rsplit(".", 1)[1] for h in hrefs] == ["py", "ipynb"]
        assert resolve(page, hrefs[0]).read_text(encoding="utf-8") == module.read_text(encoding="utf-8")
        assert resolve(page, hrefs[1]).is_file()
    used = sorted({p for p, _ in includes(source.read_text(encoding="utf-8")) if p.endswith(".py")})
    if not used:
        return
    box = soup.select_one("#tested-with")
    text = box.get_text(" ", strip=True)
    assert f"torch {version('torch')}" in text and f"numpy {version('numpy')}" in text
    for path in used:
        row = next(tr for tr in box.find_all("tr") if path in tr.get_text())
        test = fragments.test_of(path)
        assert test, f"{path} is shown without its mirrored test file"
        assert test in row.get_text()
        for twin in fragments.twins(path):
            assert twin in row.get_text()
        for link in row.find_all("a"):
            copied = resolve(page, link["href"])
            assert copied.read_text(encoding="utf-8") == (ROOT / link.get_text()).read_text(encoding="utf-8")


def test_twin_and_test_come_from_the_module():
    """The twin is read from the module docstring's Twin: line; the test by the mirror convention."""
    assert fragments.twins("snippets/normalization/batch_norm.py") == (
        "torch.nn.functional.batch_norm", "torch.nn.BatchNorm2d")
    assert fragments.test_of("snippets/normalization/batch_norm.py") == "tests/normalization/test_batch_norm.py"
    assert fragments.test_of("snippets/normalization/examples/batch_norm_page.py") == "tests/test_notebooks.py"


def test_corrections_page_lists_every_correction(site_dir: Path):
    """Every `!!! correction` of every article is on the corrections page, linked to its article."""
    from sitekit.generate import nav_order

    order = nav_order(yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader))
    titles = [m["title"] for source in sorted(PAGES, key=lambda p: order.index(p.relative_to(DOCS).as_posix()))
              if source.parent.name != "corrections"
              for line in source.read_text(encoding="utf-8").splitlines()
              if (m := fragments.ADMONITION_RE.match(line))]
    page = site_dir / "corrections" / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    listed = [" ".join(h.get_text(" ", strip=True).rstrip("¶").split()) for h in soup.select("article h3")]
    assert titles and listed == [" ".join(re.sub(r"[`*]", "", t).split()) for t in titles]
    for link in soup.select("article a[href]"):
        target = link["href"].partition("#")[0]
        if target and not re.match(r"^[a-z]+:", target):
            assert resolve(page, target).is_file(), link["href"]


def test_sitemap_lists_every_page_under_site_url(site_dir: Path):
    """sitemap.xml names every built page with the configured site_url."""
    import yaml

    site_url = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["site_url"]
    urls = {el.text for el in ET.parse(site_dir / "sitemap.xml").iter() if el.tag.endswith("loc")}
    for source in PAGES:
        relative = built_page(site_dir, source).relative_to(site_dir).parent.as_posix()
        assert site_url + ("" if relative == "." else relative + "/") in urls


def test_404_page_is_built_with_the_theme(site_dir: Path):
    """404.html exists and is a themed page whose assets load from the site root."""
    soup = BeautifulSoup((site_dir / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(".md-header") is not None and "404" in soup.get_text()
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert sheets and all(href.startswith("/") for href in sheets if not href.startswith("http"))


SEARCH_INDEX_MAX_BYTES = 1_500_000  # the page budget of tests/browser/test_every_page.py, once per visit


@pytest.mark.parametrize("edition", ["", "zh"], ids=["en", "zh"])
def test_search_index_fits_its_budget(site_dir: Path, edition: str):
    """Each edition's search index (fetched once per visit by the search worker, so kept out of
    the per-page weight) stays within the budget of one page."""
    index = site_dir / edition / "search" / "search_index.json"
    if not index.is_file():
        pytest.skip(f"{index.relative_to(site_dir)} is not built")
    assert index.stat().st_size <= SEARCH_INDEX_MAX_BYTES, f"{index}: {index.stat().st_size} bytes"
