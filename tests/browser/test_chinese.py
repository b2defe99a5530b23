"""The Chinese edition at /zh/: the language switch keeps the article and heading, the
edition's search finds Chinese terms and code names, and figures with words carry Chinese
labels (every page's loading, math and requests: tests/browser/test_accessibility.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests._site import ROOT

pytestmark = [pytest.mark.browser]

CHINESE = ROOT / "docs-zh"
ZH_PAGES = sorted(p for p in CHINESE.rglob("*.md") if "assets" not in p.relative_to(CHINESE).parts)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zh_built(site_dir: Path) -> Path:
    if not (site_dir / "zh" / "index.html").is_file():
        pytest.skip("the Chinese edition is not built (make build builds it into site/zh)")
    return site_dir / "zh"


def switch(page, hreflang: str, heading: str, path: str) -> str:
    """Scroll to ``heading``, follow the language switch, and return the anchor (``#id`` or
    ``""``) the address showed when the link was followed; the new page opens at it.

    navigation.tracking keeps the address at the heading in view: near the end of a page that
    may be the heading above, and above the first heading the address has no anchor. So the
    anchor is read in the same task as the click (the header menu's link, clicked by script;
    tests/browser/test_accessibility.py follows it by keyboard)."""
    page.evaluate("id => { location.hash = id; document.getElementById(id).scrollIntoView(); }", heading)
    anchor = page.evaluate("""lang => {
      const anchor = location.hash;
      document.querySelector(`a.md-select__link[hreflang='${lang}']`).click();
      return anchor;
    }""", hreflang)
    prefix = "/zh" if hreflang == "zh" else "(?<!/zh)"
    page.wait_for_url(re.compile(rf".*{prefix}{re.escape(path)}{re.escape(anchor)}$"))
    page.wait_for_load_state("domcontentloaded")
    return anchor.lstrip("#")


@pytest.mark.parametrize("path,heading", [("/normalization/batch-norm/", "backward-pass-by-hand"),
                                          ("/image/histograms/", "histogram-matching"),
                                          ("/detection/roi-pooling/", "roi-align-sample-do-not-round")])
def test_language_switch_keeps_article_and_heading(page, base_url, zh_built, path, heading):
    """en -> zh -> en lands on the same article each time, at the heading the address showed
    (one both editions have), or at the top when it showed none."""
    page.goto(f"{base_url}{path}#{heading}")
    english_ids = set(page.locator("h2[id], h3[id]").evaluate_all("els => els.map(e => e.id)"))
    seen = []
    for lang in ("zh", "en"):
        anchor = switch(page, lang, heading, path)
        assert page.locator("html").get_attribute("lang").startswith(lang)
        if anchor:
            seen.append(anchor)
            assert anchor in english_ids, anchor
            assert page.locator(f"[id='{anchor}']").count() == 1, f"the {lang} page lacks the heading id {anchor}"
    assert seen, "the address never showed a heading: the anchor was not tested"


@pytest.mark.parametrize("query,path", [("批归一化", "normalization/batch-norm/"),
                                        ("直方图均衡化", "image/histograms/"),
                                        ("非极大值抑制", "detection/rpn-and-proposals/"),
                                        ("batch_norm", "normalization/batch-norm/"),
                                        ("roi_align", "detection/roi-pooling/")])
def test_chinese_search_finds(page, base_url, zh_built, query, path):
    """The Chinese edition's own search index finds its terms (jieba segmentation) and code names."""
    page.goto(base_url + "/zh/")
    page.keyboard.press("/")
    page.fill("input.md-search__input", query)
    page.keyboard.press("End")  # non-ASCII fill sends no key-up: Material would not search
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    links = page.locator(".md-search-result__link").evaluate_all("els => els.map(e => e.href)")
    assert any(f"/zh/{path}" in link for link in links), links


@pytest.mark.parametrize("source", ZH_PAGES, ids=[p.relative_to(CHINESE).as_posix() for p in ZH_PAGES])
def test_chinese_figures_have_chinese_labels(source, zh_built):
    """Every figure on a Chinese page whose function draws words (takes ``lang``) has Chinese in
    its SVG. (Loading, math, requests and lang are checked page by page in test_accessibility.)"""
    for topic, name in re.findall(r"generated/zh/snippets/(\w+)/figures\.md:(\w+)", source.read_text(encoding="utf-8")):
        module = (ROOT / "snippets" / topic / "figures.py").read_text(encoding="utf-8")
        if re.search(rf"^def {name}\([^)]*\blang\b", module, re.M):
            svg = (zh_built / "assets" / "generated" / "figures" / topic / f"{name}.light.svg").read_text(encoding="utf-8")
            assert CJK.search(svg), f"{name}: no Chinese label"
