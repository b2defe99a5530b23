"""The built site in a real browser: math, copy button, search, palette toggle, offline."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

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


def test_search_finds_batch_norm(page, base_url):
    """Typing the identifier batch_norm lists the BatchNorm page."""
    page.goto(base_url + "/")
    page.keyboard.press("/")
    page.fill("input.md-search__input", "batch_norm")
    page.keyboard.press("End")
    page.wait_for_selector(".md-search-result__item")
    links = page.locator(".md-search-result__link").evaluate_all("els => els.map(e => e.href)")
    assert any("normalization/batch-norm/" in link for link in links)


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
