"""Readable by everyone, beyond the English pages (each checked with axe in both palettes by
test_every_page.py, in the same load as its other checks): the Chinese edition, the Zensical
build, controls proving the check can fail, and keyboard use of the palette toggle, search,
download links and the language switch. The axe helpers and their rules: tests/browser/_axe.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests._site import ROOT, SITE, url_path
from tests.browser._axe import BN, COLOUR_RULES, assert_accessible, check_page, scheme

pytestmark = [pytest.mark.browser]

def _zh_pages() -> list:
    """The Chinese edition's pages (``docs-zh/`` rendered under ``site/zh/``), once it exists."""
    docs_zh = ROOT / "docs-zh"
    if docs_zh.is_dir():
        sources = sorted(p for p in docs_zh.rglob("*.md") if "assets" not in p.relative_to(docs_zh).parts)
        return [pytest.param("/zh" + url_path(p, docs_zh), id="zh/" + p.relative_to(docs_zh).as_posix())
                for p in sources]
    built = sorted((SITE / "zh").rglob("index.html")) if (SITE / "zh").is_dir() else []
    return [pytest.param("/" + h.parent.relative_to(SITE).as_posix() + "/", id=h.parent.relative_to(SITE).as_posix())
            for h in built if "assets" not in h.parts]


ZH = _zh_pages() or [pytest.param(None, id="no-zh-edition")]


# The CSS is shared; Zensical's own markup is checked on three kinds of page (home, an article with
# code, outputs, math and figures, an article with tables and admonitions) to keep the run short.
ZENSICAL = ["/", "/normalization/batch-norm/", "/detection/anchors-and-boxes/"]


@pytest.mark.parametrize("path", ZENSICAL)
def test_zensical_page_passes_axe(path, page, zensical_url, zensical_dir, axe_source):
    """The Zensical build of the page: no serious or critical violation in the light palette."""
    if path != "/404.html" and not (zensical_dir / path.strip("/") / "index.html").is_file():
        pytest.skip("no such page in the Zensical build")
    check_page(page, axe_source, zensical_url + path, f"site-zensical{path}", palettes=1)


@pytest.mark.parametrize("path", ZH)
def test_chinese_page_declares_zh_and_passes_axe(path, page, base_url, site_dir, axe_source, requests_seen,
                                                 console_errors):
    """Each page of the Chinese edition: ``lang="zh…"``, no serious or critical violation (light
    palette; the palettes' CSS is the English edition's, checked in both), math rendered, Chinese
    text, nothing loaded from another host and no console error."""
    if path is None or not (site_dir / "zh").is_dir():
        pytest.skip("no Chinese edition (site/zh/) in this build")
    if not (site_dir / path.strip("/") / "index.html").is_file():
        pytest.skip("no such page in this build")
    check_page(page, axe_source, base_url + path, f"site{path}", palettes=1)
    lang = page.get_attribute("html", "lang") or ""
    assert lang.lower().startswith("zh"), f"{path}: <html lang={lang!r}>"
    assert page.locator(".arithmatex").count() == page.locator(".arithmatex .katex").count()
    assert len(re.findall(r"[\u4e00-\u9fff]", page.locator("article").inner_text())) > 20
    assert [u for u in requests_seen if urlparse(u).hostname not in (None, "127.0.0.1", "localhost")] == []
    assert console_errors == []


def test_low_contrast_text_fails_the_check(page, base_url, site_dir, axe_source):
    """Control: grey #999 text on white (2.8:1), and a link told apart from black text only by
    a dark indigo (1.3:1, axe asks 3:1 or an underline), fail it."""
    page.goto(base_url + BN, wait_until="load")
    page.evaluate("""() => {
      const p = document.createElement("p");
      p.id = "rn-low-contrast";
      p.style.cssText = "color: #999; background: #fff; font-size: 14px";
      p.textContent = "Grey text that few can read.";
      document.querySelector("article").prepend(p);
    }""")
    with pytest.raises(AssertionError, match=r"color-contrast \(serious\)") as failure:
        assert_accessible(page, axe_source, "with low contrast", ["color-contrast"])
    assert "rn-low-contrast" in str(failure.value) and "#999999 on #ffffff" in str(failure.value)
    page.evaluate("document.getElementById('rn-low-contrast').remove()")
    page.evaluate("""() => {
      const p = document.createElement("p");
      p.innerHTML = 'Words and more words around <a href="#" id="rn-colour-only" ' +
                    'style="text-decoration: none; color: #1a237e">a link</a> told apart by colour.';
      p.style.color = "#000";
      document.querySelector("article").prepend(p);
    }""")
    with pytest.raises(AssertionError, match=r"link-in-text-block \(serious\)"):
        assert_accessible(page, axe_source, "with a colour-only link", COLOUR_RULES)


def test_low_contrast_code_token_fails_the_check(page, base_url, site_dir, axe_source):
    """Control for checking repeated code tokens once: a token class made pale fails it."""
    page.goto(base_url + BN, wait_until="load")
    page.add_style_tag(content=".highlight .n { color: #c8c8c8 !important }")
    with pytest.raises(AssertionError, match=r"color-contrast \(serious\)") as failure:
        assert_accessible(page, axe_source, "with pale names in code", ["color-contrast"])
    assert "span.n" in str(failure.value)


# --------------------------------------------------------------------------- keyboard


def tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached in {limit} presses of Tab")


def test_palette_toggle_by_keyboard(page, base_url):
    """Tab reaches the palette toggle, its focus is visible, and Enter switches the palette both ways."""
    page.goto(base_url + BN, wait_until="load")
    start = scheme(page)
    tab_to(page, "input[name='__palette']")
    outline = page.evaluate("""() => getComputedStyle(document.activeElement.nextElementSibling).outlineStyle""")
    assert outline not in ("", "none"), "no visible focus on the palette toggle"
    page.keyboard.press("Enter")
    page.wait_for_function("s => document.body.dataset.mdColorScheme !== s", arg=start)
    other = scheme(page)
    assert page.evaluate("() => document.activeElement.name") == "__palette"  # focus stays on the toggle
    page.keyboard.press("Enter")
    page.wait_for_function("s => document.body.dataset.mdColorScheme !== s", arg=other)
    assert scheme(page) == start


def test_search_by_keyboard(page, base_url):
    """Tab reaches the search box; typing shows results; the arrow keys reach a result and Enter opens it."""
    page.goto(base_url + "/", wait_until="networkidle")
    tab_to(page, "input.md-search__input")
    page.keyboard.type("batch_norm")
    page.keyboard.press("End")  # Material's search listens to key-up
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("() => document.activeElement.closest('.md-search-result__item') ? "
                            "document.activeElement.href : null")
    assert focused, "ArrowDown does not move focus to a search result"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(focused.split("#")[0].split("?")[0]) + r".*"))
    assert page.locator("article h1").count() == 1


def test_search_opens_with_its_shortcut(page, base_url):
    """The keyboard shortcut ``/`` (Material's, as ``s`` and ``f``) puts the focus in the search box."""
    page.goto(base_url + BN, wait_until="load")
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.matches('input.md-search__input')")


@pytest.mark.parametrize("kind", ["py", "ipynb"])
def test_download_links_by_keyboard(page, base_url, kind):
    """Tab reaches each download link; Enter downloads the file."""
    page.goto(base_url + BN, wait_until="load")
    tab_to(page, f".rn-downloads a[href$='.{kind}']")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == f"batch-norm.{kind}"


@pytest.mark.parametrize("start,lang", [(BN, "zh"), ("/zh" + BN, "en")])
def test_language_switch_by_keyboard(page, base_url, site_dir, start, lang):
    """Tab reaches the link to the other edition (``a.rn-lang-switch``) and Enter opens it there."""
    if not (site_dir / "zh").is_dir():
        pytest.skip("no Chinese edition (site/zh/) in this build")
    page.goto(base_url + start, wait_until="load")
    target = page.locator(f"a.rn-lang-switch[hreflang='{lang}']").first
    href = target.evaluate("a => a.href")
    assert href.split("#")[0].endswith(("/zh" if lang == "zh" else "") + BN), href
    page.evaluate("a => a.setAttribute('data-rn-target', '')", target.element_handle())
    tab_to(page, "[data-rn-target]")
    page.keyboard.press("Enter")
    page.wait_for_url(href.split("#")[0] + "*")
    page.wait_for_load_state("domcontentloaded")
    assert page.get_attribute("html", "lang").startswith(lang)
