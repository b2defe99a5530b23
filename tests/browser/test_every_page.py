"""Every built page in chromium: no console error, no request to another host, at most
1.5 MB of its own on first load (the site-wide search index, fetched once per visit by the
search worker, has its own budget in tests/sitekit/test_site_build.py), every image loads and is lazy, math rendered, one figure per palette."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests._site import DOCS, PAGES, ROOT, url_path

pytestmark = [pytest.mark.browser]

MAX_BYTES = 1_500_000
SITE_WIDE = ("/search/search_index.json",)  # shared by every page, cached after the first
WEIGHTS = ROOT / ".cache" / "browser" / "weights"


def built(site: Path, path: str) -> bool:
    return (site / path.strip("/") / "index.html").is_file()


TARGETS = [pytest.param(url_path(p), id=str(p.relative_to(DOCS))) for p in PAGES] + [
    pytest.param("/404.html", id="404")]


def outside(urls) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


@pytest.mark.parametrize("path", TARGETS)
def test_page_in_browser(path, page, base_url, site_dir, requests_seen, bytes_seen, console_errors):
    """Loads with no console error and nothing from another host, weighs <= 1.5 MB on first load,
    renders all its math, every image is lazy and loads once scrolled into view, and each
    light/dark figure pair shows exactly one image per palette."""
    if path != "/404.html" and not built(site_dir, path):
        pytest.skip("no such page in this build")
    response = page.goto(base_url + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    weight = sum(size for url, size in bytes_seen.items() if not urlparse(url).path.endswith(SITE_WIDE))
    WEIGHTS.mkdir(parents=True, exist_ok=True)
    (WEIGHTS / (path.strip("/").replace("/", "__") or "home")).with_suffix(".json").write_text(
        json.dumps({"path": path, "bytes": weight, "requests": len(bytes_seen)}), encoding="utf-8")
    assert weight <= MAX_BYTES, f"{path}: {weight} bytes on first load"
    # Math: every arithmatex span is rendered by KaTeX (on a busy machine, give it a moment).
    page.wait_for_function("() => [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))",
                           timeout=15_000)
    images = page.locator("article img, .md-content img")
    for index in range(images.count()):
        img = images.nth(index)
        assert img.get_attribute("loading") == "lazy", (img.get_attribute("src") or "")[:120]
        if img.evaluate("el => getComputedStyle(el).display === 'none'"):
            continue  # the other palette's figure
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle(),
                               timeout=10_000)
    page.wait_for_load_state("networkidle")
    assert outside(requests_seen) == []
    assert console_errors == []
    if "#only-dark" in page.content():
        check_one_figure_per_palette(page)


def check_one_figure_per_palette(page) -> None:
    """In each palette exactly one image of every light/dark figure pair is displayed, and it loads.

    Run on the page already loaded by ``test_page_in_browser`` (one page load per page keeps the
    browser tests fast); a page without a light/dark pair has nothing to check.
    """
    for scheme, shown, hidden in (("default", "#only-light", "#only-dark"), ("slate", "#only-dark", "#only-light")):
        if page.get_attribute("body", "data-md-color-scheme") != scheme:
            page.locator("label.md-header__button[for^='__palette']:visible").first.click()
        assert page.get_attribute("body", "data-md-color-scheme") == scheme
        visible = page.locator(f'img[src$="{shown}"]')
        invisible = page.locator(f'img[src$="{hidden}"]')
        assert visible.count() == invisible.count() > 0
        for index in range(visible.count()):
            img = visible.nth(index)
            assert img.evaluate("el => getComputedStyle(el).display") != "none", f"{scheme}: {shown} hidden"
            assert invisible.nth(index).evaluate("el => getComputedStyle(el).display") == "none", (
                f"{scheme}: {hidden} shown")
            img.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
