"""The built site in a real browser: math, copy button, search, palette toggle, offline,
downloads, 404."""

from __future__ import annotations

import ast
import re
from urllib.parse import urljoin, urlparse
from urllib.request import urlopen

import pytest

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
    page.click('a[href$="normalization/batch-norm/"] >> nth=0')
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
    """For every Python block of the page, the copy button gives the block's code exactly:
    no prompt, no output, no caption; the output boxes offer no copy button."""
    from bs4 import BeautifulSoup

    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    soup = BeautifulSoup((site_dir / BN.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")
    codes = [tag.find("code").get_text() for tag in soup.select("article div.language-python")]
    page.goto(base_url + BN)
    tags = page.locator("div.language-python.highlight")
    assert tags.count() == len(codes) > 0
    for index, code in enumerate(codes):
        tag = tags.nth(index)
        tag.scroll_into_view_if_needed()
        tag.hover()
        page.evaluate("navigator.clipboard.writeText('')")
        tag.locator("button.md-code__button[data-md-type=copy], button.md-clipboard").first.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.rstrip("\n") == code.rstrip("\n"), f"block {index + 1}"
        assert not re.match(r"\s*(>>>|In \[)", copied)
    buttons = page.locator(".rn-output button")
    assert all(not buttons.nth(i).is_visible() for i in range(buttons.count()))


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


def test_download_links_work(base_url, site_dir):
    """Every download link of every page (both editions) answers 200 from the server: the .py
    parses, the .ipynb is a valid notebook. The links are read from the built HTML (the
    download bar is static markup, parsed on its own); the files are fetched over HTTP."""
    import nbformat
    from bs4 import BeautifulSoup

    checked = 0
    for html in sorted(site_dir.rglob("index.html")):
        text = html.read_text(encoding="utf-8")
        if 'class="rn-downloads' not in text:
            continue
        url = base_url + "/" + html.parent.relative_to(site_dir).as_posix() + "/"
        start = text.rindex("<", 0, text.index('class="rn-downloads'))
        bar = BeautifulSoup(text[start:text.index("</p>", start) + 4], "html.parser")
        hrefs = [urljoin(url, a["href"]) for a in bar.find_all("a")]
        assert len(hrefs) == 2, url
        for href in hrefs:
            with urlopen(href) as response:
                assert response.status == 200, href
                body = response.read().decode("utf-8")
            if href.endswith(".py"):
                ast.parse(body)
            else:
                nbformat.validate(nbformat.reads(body, as_version=4))
            checked += 1
    assert checked > 0


def test_script_link_downloads_a_file(page, base_url):
    """Clicking the script link saves the file (it carries the download attribute)."""
    page.goto(base_url + BN)
    with page.expect_download() as info:
        page.locator(".rn-downloads a[href$='.py']").first.click()
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
