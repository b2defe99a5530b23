"""The Chinese edition at /zh/: the language switch keeps the article and heading, the
edition's search finds Chinese terms and code names, every page loads offline with its math
rendered, and figures with words carry Chinese labels."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from tests._site import ROOT, url_path

pytestmark = [pytest.mark.browser]

CHINESE = ROOT / "docs-zh"
ZH_PAGES = sorted(p for p in CHINESE.rglob("*.md") if "assets" not in p.relative_to(CHINESE).parts)
CJK = re.compile(r"[\u4e00-\u9fff]")


def outside(urls) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


@pytest.fixture(scope="module")
def zh_built(site_dir: Path) -> Path:
    if not (site_dir / "zh" / "index.html").is_file():
        pytest.skip("the Chinese edition is not built (make build builds it into site/zh)")
    return site_dir / "zh"


def switch(page, hreflang: str, heading: str) -> None:
    # the reader is at the heading (navigation.tracking keeps the address at the heading in view)
    page.evaluate("id => { location.hash = id; document.getElementById(id).scrollIntoView(); }", heading)
    page.locator(".md-select").first.hover()
    page.locator(f"a.md-select__link[hreflang='{hreflang}']").first.click()
    page.wait_for_load_state("domcontentloaded")


@pytest.mark.parametrize("path,heading", [("/normalization/batch-norm/", "the-formula"),
                                          ("/image/histograms/", "histogram-matching"),
                                          ("/detection/roi-pooling/", "roi-align-sample-do-not-round")])
def test_language_switch_keeps_article_and_heading(page, base_url, zh_built, path, heading):
    """en -> zh -> en lands on the same article each time, at the same heading."""
    page.goto(f"{base_url}{path}#{heading}")
    switch(page, "zh", heading)
    page.wait_for_url(re.compile(rf".*/zh{re.escape(path)}#{heading}$"))
    assert page.locator("html").get_attribute("lang").startswith("zh")
    assert page.locator(f"[id='{heading}']").count() == 1, "the Chinese page lacks the English heading id"
    switch(page, "en", heading)
    page.wait_for_url(re.compile(rf".*(?<!/zh){re.escape(path)}#{heading}$"))
    assert page.locator("html").get_attribute("lang").startswith("en")


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
def test_chinese_page_offline_with_math_and_chinese_figures(source, page, base_url, zh_built, requests_seen,
                                                            console_errors):
    """Loads with nothing from another host, math rendered, lang zh, and every figure that draws
    words (its function takes `lang`) has Chinese in its SVG."""
    page.goto(base_url + "/zh" + url_path(source, CHINESE), wait_until="networkidle")
    assert page.locator("html").get_attribute("lang").startswith("zh")
    assert page.locator(".arithmatex").count() == page.locator(".arithmatex .katex").count()
    assert len(CJK.findall(page.locator("article").inner_text())) > 20
    for src in page.locator("figure.rn-figure img[src$='#only-light']").evaluate_all(
            "els => els.map(e => e.getAttribute('src'))"):
        topic, name = src.split("#")[0].split("/")[-2:]
        module = (ROOT / "snippets" / topic / "figures.py").read_text(encoding="utf-8")
        if re.search(rf"^def {name.split('.')[0]}\([^)]*\blang\b", module, re.M):
            svg = page.request.get(urljoin(page.url, src.split("#")[0])).text()
            assert CJK.search(svg), f"{name}: no Chinese label"
    assert outside(requests_seen) == []
    assert console_errors == []
