"""Every built English page in chromium, each checked in one load: no console error, no request
to another host, at most 1.5 MB of its own on first load (the site-wide search index, fetched
once per visit by the search worker, has its own budget in tests/sitekit/test_site_build.py),
axe-core's WCAG 2.1 A/AA rules in both palettes (tests/browser/_axe.py), every image lazy and
loading, math rendered, one image of each light/dark figure pair per palette."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests._site import DOCS, PAGES, ROOT, url_path
from tests.browser._axe import MATH_RENDERED, check_figure_alts, check_palettes, scheme

pytestmark = [pytest.mark.browser]

MAX_BYTES = 1_500_000
SITE_WIDE = ("/search/search_index.json",)  # shared by every page, cached after the first
WEIGHTS = ROOT / ".cache" / "browser" / "weights"


def built(site: Path, path: str) -> bool:
    return (site / path.strip("/") / "index.html").is_file()


TARGETS = [pytest.param(url_path(p), id=str(p.relative_to(DOCS))) for p in PAGES] + [
    pytest.param("/404.html", id="404")]


def load_in_view(page, img) -> None:
    """Scroll a lazy image into view and wait until it has loaded."""
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=10_000)


def outside(urls) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


@pytest.mark.parametrize("path", TARGETS)
def test_page_in_browser(path, page, base_url, site_dir, requests_seen, bytes_seen, console_errors, axe_source):
    """One load of the page: no console error and nothing from another host, <= 1.5 MB of its own
    on first load, all its math rendered, every image lazy and loaded once scrolled into view,
    figure alt text; then axe (WCAG 2.1 A/AA) in the light palette and the dark one, with exactly
    one image of each light/dark figure pair shown in each."""
    if path != "/404.html" and not built(site_dir, path):
        pytest.skip("no such page in this build")
    response = page.goto(base_url + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    weight = sum(size for url, size in bytes_seen.items() if not urlparse(url).path.endswith(SITE_WIDE))
    WEIGHTS.mkdir(parents=True, exist_ok=True)
    (WEIGHTS / (path.strip("/").replace("/", "__") or "home")).with_suffix(".json").write_text(
        json.dumps({"path": path, "bytes": weight, "requests": len(bytes_seen)}), encoding="utf-8")
    assert weight <= MAX_BYTES, f"{path}: {weight} bytes on first load"
    page.wait_for_function(MATH_RENDERED, timeout=15_000)  # a busy machine renders late
    images = page.locator("article img, .md-content img")
    states = images.evaluate_all("els => els.map(e => ({src: e.getAttribute('src') || '', lazy: e.loading === 'lazy', "
                                 "shown: getComputedStyle(e).display !== 'none', "
                                 "loaded: e.complete && e.naturalWidth > 0}))")
    assert all(s["lazy"] for s in states), [s["src"][:120] for s in states if not s["lazy"]]
    for index, state in enumerate(states):
        if state["shown"] and not state["loaded"]:  # (the other palette's figure is not shown)
            load_in_view(page, images.nth(index))
    check_figure_alts(page, f"site{path}")
    pairs = "#only-dark" in page.content()
    check_palettes(page, axe_source, f"site{path}", in_each=one_figure_per_palette if pairs else None)
    page.wait_for_load_state("networkidle")
    assert outside(requests_seen) == []
    assert console_errors == []


def one_figure_per_palette(page) -> None:
    """In the palette shown, exactly one image of every light/dark figure pair is displayed, and it loads."""
    shown, hidden = (("#only-light", "#only-dark") if scheme(page) == "default" else ("#only-dark", "#only-light"))
    visible = page.locator(f'img[src$="{shown}"]')
    invisible = page.locator(f'img[src$="{hidden}"]')
    displays = "els => els.map(e => getComputedStyle(e).display)"
    assert visible.count() == invisible.count() > 0
    assert "none" not in visible.evaluate_all(displays), f"a {shown} figure is hidden"
    assert set(invisible.evaluate_all(displays)) == {"none"}, f"a {hidden} figure is shown"
    loaded = visible.evaluate_all("els => els.map(e => e.complete && e.naturalWidth > 0)")
    for index in (i for i, done in enumerate(loaded) if not done):  # lazy: load each in view
        load_in_view(page, visible.nth(index))
