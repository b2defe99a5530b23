"""The same docs rendered by Zensical: every article shows its code, outputs, figures in both
palettes, math and download links, and search finds code names and Chinese terms.

Zensical runs no MkDocs hooks; everything the pages show comes from the files that
``python -m sitekit generate`` wrote and the Markdown includes, so both renderers agree."""

from __future__ import annotations

import pytest

from sitekit.source import includes, sections
from tests._site import IDS, PAGES, ROOT, page_module, url_path

pytestmark = [pytest.mark.browser]

ARTICLES = [pytest.param(p, id=i) for p, i in zip(PAGES, IDS) if page_module(p)]


def expected(source) -> dict[str, int]:
    """What the Markdown asks for: Python blocks, outputs (page sections that print), figures."""
    text = source.read_text(encoding="utf-8")
    fences = text.count('```python') + text.count('```{.python')
    module = page_module(source)
    outputs = 0
    if module:
        import json

        topic, stem = source.parent.name, source.stem if source.stem != "index" else source.parent.name
        notebook = json.loads((ROOT / "site-zensical" / "assets" / "generated" / "downloads" / topic /
                               f"{stem}.ipynb").read_text(encoding="utf-8"))
        printed = {c["metadata"]["section"] for c in notebook["cells"]
                   if c["cell_type"] == "code" and c["metadata"].get("section") and c["outputs"]}
        shown = [s for p, s in includes(text) if p == module.relative_to(ROOT).as_posix() and s in sections(module)]
        outputs = sum(s in printed for s in shown)
    figures = sum(p.endswith("/figures.md") for p, _ in includes(text))
    return {"code": fences, "outputs": outputs, "figures": figures}


@pytest.mark.parametrize("source", ARTICLES)
def test_article_on_zensical(source, zensical_dir):
    """Every article's Zensical page holds its code blocks, outputs, figures (light and dark) and
    both download links, which exist (read from the built HTML)."""
    from bs4 import BeautifulSoup

    want = expected(source)
    html = zensical_dir / url_path(source).strip("/") / "index.html"
    article = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").find("article")
    assert len(article.select("div.language-python")) == want["code"]
    assert len(article.select(".rn-output")) == want["outputs"]
    for shown in ("#only-light", "#only-dark"):
        assert len([i for i in article.select("figure.rn-figure img") if i["src"].endswith(shown)]) == want["figures"]
    hrefs = [a["href"] for a in article.select(".rn-downloads")[0].find_all("a")]
    assert [h.rsplit(".", 1)[1] for h in hrefs] == ["py", "ipynb"]
    assert all((html.parent / h).resolve().is_file() for h in hrefs)


@pytest.mark.parametrize("path", ["/normalization/batch-norm/", "/image/histograms/"])
def test_zensical_page_in_the_browser(path, page, zensical_url, console_errors):
    """In chromium: math rendered, and each palette shows its own figure images, which load."""
    page.goto(zensical_url + path, wait_until="networkidle")
    page.wait_for_function("() => [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))",
                           timeout=15_000)
    assert page.locator(".arithmatex .katex").count() > 0
    for scheme, shown in (("default", "#only-light"), ("slate", "#only-dark")):
        if page.get_attribute("body", "data-md-color-scheme") != scheme:
            page.locator("label.md-header__button[for^='__palette']:visible").first.click()
        images = page.locator(f'figure.rn-figure img[src$="{shown}"]')
        assert images.count() > 0
        for index in range(images.count()):
            img = images.nth(index)
            assert img.evaluate("el => getComputedStyle(el).display") != "none", f"{scheme}: {shown} hidden"
            img.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert console_errors == []


@pytest.mark.parametrize("query,path", [("batch_norm", "normalization/batch-norm/"),
                                        ("批归一化", "normalization/batch-norm/")])
def test_zensical_search_finds(page, zensical_url, query, path):
    """Zensical's own search finds a code name and a Chinese term of the notes."""
    page.goto(zensical_url + "/", wait_until="networkidle")
    page.keyboard.press("/")  # Zensical's search opens as a dialog with its own input
    box = page.locator("input[placeholder='Search']:visible").first
    box.fill(query)
    page.keyboard.press("End")
    # the results live in a shadow root, which Playwright's locators pierce
    page.locator(f"a[href*='{path}?h=']").first.wait_for(timeout=10_000)
