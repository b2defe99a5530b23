"""The built site in a real browser: math, copy button, search, palette toggle, offline,
downloads, 404."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from tests.test_pages import DOCS

pytestmark = [pytest.mark.browser]

BN = "/normalization/batch-norm/"


def outside(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


def test_batch_norm_page_renders_math(page, base_url, console_errors):
    """KaTeX turns every arithmatex span into rendered math, with no console errors."""
    page.goto(base_url + BN)
    page.wait_for_selector(".arithmatex .katex")
    assert page.locator(".arithmatex").count() == page.locator(".arithmatex .katex").count() > 0
    assert console_errors == []


def test_math_survives_instant_navigation(page, base_url):
    """After navigating away and back through instant loading, math is rendered again."""
    page.goto(base_url + "/")
    page.click(f'a[href$="normalization/batch-norm/"] >> nth=0')
    page.wait_for_url(re.compile(r".*/normalization/batch-norm/$"))
    page.wait_for_selector(".arithmatex .katex")
    assert page.locator(".arithmatex .katex").count() > 0


def test_copy_button_copies_the_code(page, base_url, context):
    """The copy button of a block copies exactly its code text."""
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.goto(base_url + BN)
    block = page.locator("div.language-python.highlight").nth(1)
    expected = block.locator("code").inner_text()
    block.hover()
    block.locator("button.md-code__button[data-md-type=copy], button.md-clipboard").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == expected.strip()
    assert copied.lstrip().startswith("def batch_norm(")


def test_copy_button_copies_code_only(page, base_url, context, site_dir):
    """For every Python block of the page, the copy button gives the block's code exactly as the
    build extracted it: no prompt, no output, no caption."""
    from sitekit.blocks import extract_blocks

    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    blocks = extract_blocks((site_dir / BN.strip("/") / "index.html").read_text(encoding="utf-8"))
    page.goto(base_url + BN)
    tags = page.locator("div.language-python.highlight")
    assert tags.count() == len(blocks) > 0
    for index, block in enumerate(blocks):
        tag = tags.nth(index)
        tag.scroll_into_view_if_needed()
        tag.hover()
        page.evaluate("navigator.clipboard.writeText('')")
        tag.locator("button.md-code__button[data-md-type=copy], button.md-clipboard").first.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.rstrip("\n") == block.code.rstrip("\n"), f"block {index + 1}"
        assert not re.match(r"\s*(>>>|In \[)", copied)
        if block.shown_output:
            assert block.shown_output.strip() not in copied
    # The output boxes under blocks offer no copy button.
    buttons = page.locator(".rn-output button")
    assert all(not buttons.nth(i).is_visible() for i in range(buttons.count()))


def search(page, base_url, query: str) -> list[str]:
    """Type ``query`` into Material's search box; the result links."""
    page.goto(base_url + "/")
    page.keyboard.press("/")
    page.fill("input.md-search__input", query)
    page.keyboard.press("End")  # non-ASCII fill sends no key-up: Material would not search
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    return page.locator(".md-search-result__link").evaluate_all("els => els.map(e => e.href)")


PLACEHOLDER = "This article is not written yet"

# (query, pages that should be found). A page still a placeholder on this branch skips its case;
# once the article lands the case runs (and fails if the article lacks the term).
SEARCHES = [
    ("running statistics", ["normalization/batch-norm.md"]),  # English prose
    ("batch_norm", ["normalization/batch-norm.md"]),  # code identifiers
    ("roi_align", ["detection/roi-pooling.md"]),
    ("DistributedSampler", ["distributed/distributed-pitfalls.md"]),
    ("批归一化", ["normalization/batch-norm.md"]),  # Chinese terms of the seed notes
    ("层归一化", ["normalization/layer-norm.md"]),
    ("直方图均衡化", ["image/histograms.md"]),
    ("非极大值抑制", ["detection/rpn-and-proposals.md", "detection/anchors-and-boxes.md"]),
]


def _url(source: str) -> str:
    return source[:-3] + "/"


@pytest.mark.parametrize("query,sources", SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_the_page(page, base_url, query, sources):
    """Searching in English, for a code identifier or for a Chinese term lists the article."""
    written = [s for s in sources if PLACEHOLDER not in (DOCS / s).read_text(encoding="utf-8")]
    if not written:
        pytest.skip(f"{sources} not written yet on this branch")
    links = search(page, base_url, query)
    assert any(_url(s) in link for s in written for link in links), links


def test_palette_toggle(page, base_url):
    """The toggle switches between the light (default) and dark (slate) schemes."""
    page.goto(base_url + BN)
    first = page.get_attribute("body", "data-md-color-scheme")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    second = page.get_attribute("body", "data-md-color-scheme")
    assert {first, second} == {"default", "slate"}


def test_no_request_leaves_the_server(page, base_url, requests_seen):
    """Loading a page with math, code and a figure asks nothing of any other host."""
    page.goto(base_url + BN, wait_until="networkidle")
    assert requests_seen, "the recorder saw no request at all"
    assert outside(requests_seen) == []


def test_recorder_catches_an_outside_request(page, base_url, requests_seen):
    """Control: a request to another host is seen by the recorder."""
    page.goto(base_url + BN)
    page.route("http://example.invalid/**", lambda route: route.abort())
    page.evaluate("fetch('http://example.invalid/probe').catch(() => null)")
    page.wait_for_timeout(200)
    assert outside(requests_seen) == ["http://example.invalid/probe"]


def test_figures_load(page, base_url):
    """Every image of the page loads (natural width > 0) once scrolled into view."""
    page.goto(base_url + BN)
    for img in page.locator("img:visible").all():
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())


def test_math_renders_in_the_rendered_notebook(page, base_url, console_errors):
    """The rendered notebook's math (raw $...$ in its Markdown cells) is typeset by the site's KaTeX."""
    response = page.goto(base_url + "/notebooks" + BN)
    if response is None or response.status != 200:
        pytest.skip("no rendered notebook for the BatchNorm page")
    page.wait_for_selector(".jupyter-wrapper .katex")
    assert page.locator(".jupyter-wrapper .katex").count() > 5
    assert console_errors == []


def test_download_links_work(page, base_url, site_dir):
    """Every download link of every page answers 200: the .py parses, the .ipynb is a valid
    notebook whose code is the page's, the rendered notebook is a page."""
    import nbformat

    pages = [p for p in site_dir.rglob("index.html") if "notebooks" not in p.relative_to(site_dir).parts]
    checked = 0
    for html in sorted(pages):
        path = "/" + html.parent.relative_to(site_dir).as_posix() + "/"
        if "rn-downloads" not in html.read_text(encoding="utf-8"):
            continue
        page.goto(base_url + path.replace("//", "/"), wait_until="domcontentloaded")  # the links are in the HTML
        hrefs = page.locator(".rn-downloads a").evaluate_all("els => els.map(e => e.href)")
        assert len(hrefs) >= 2
        for href in hrefs:
            response = page.request.get(href)
            assert response.status == 200, href
            if href.endswith(".py"):
                ast.parse(response.text())
            elif href.endswith(".ipynb"):
                nbformat.validate(nbformat.reads(response.text(), as_version=4))
            else:
                assert "jupyter-wrapper" in response.text()
            checked += 1
    assert checked > 0


def test_script_link_downloads_a_file(page, base_url):
    """Clicking the script link saves the file (it carries the download attribute)."""
    page.goto(base_url + BN)
    with page.expect_download() as info:
        page.locator(".rn-downloads a[href$='.py']").click()
    assert info.value.suggested_filename == "batch-norm.py"


def test_missing_page_gets_the_styled_404(page, base_url, requests_seen, console_errors):
    """An unknown URL answers 404 with Material's 404 page, styled and offline."""
    response = page.goto(base_url + "/no/such/page/", wait_until="networkidle")
    assert response.status == 404
    assert "404" in page.locator("article").inner_text()
    links = page.locator("article a").evaluate_all("els => els.map(e => e.href)")
    assert links and all(urlparse(link).hostname == "127.0.0.1" for link in links), links
    for link in links:
        assert page.request.get(link).status == 200, link
    header = page.locator(".md-header")
    assert header.is_visible()
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert outside(requests_seen) == []
    # The one expected error is the document's own 404 status.
    assert len(console_errors) == 1 and "404" in console_errors[0], console_errors


def test_notebook_view_after_instant_navigation(page, base_url, console_errors):
    """Following the page's "notebook view" link (Material's instant navigation, no reload) shows
    the rendered notebook with its math typeset and its outputs."""
    page.goto(base_url + BN)
    link = page.locator(".rn-downloads a", has_text="notebook view")
    if link.count() == 0:
        pytest.skip("no rendered notebook linked from the BatchNorm page")
    link.first.click()
    page.wait_for_url(re.compile(r".*/notebooks/normalization/batch-norm/$"))
    page.wait_for_selector(".jupyter-wrapper .katex")
    assert page.locator(".jupyter-wrapper .jp-OutputArea pre").count() > 0
    assert console_errors == []
