"""Readable by everyone: axe-core's WCAG 2.0/2.1 A and AA rules on every built page, in both
palettes, on both renderers; keyboard use of the palette toggle, search and download links.

axe-core is the npm package pinned in package.json (``make test`` installs it with ``npm ci``),
injected into each page with ``page.add_script_tag``. A page fails on any violation whose impact
is serious or critical; the message names the rule, its impact, the count and a few elements.

One page load per page: axe runs every rule in the palette the page opens in, then the palette
toggle switches it and axe runs again the rules whose result depends on colours (a palette
changes custom properties, never the markup). ``RN_AXE_FULL=1`` runs every rule in both.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from urllib.parse import urlparse

import pytest

from tests._site import DOCS, PAGES, ROOT, SITE, url_path

pytestmark = [pytest.mark.browser]

AXE_DIR = ROOT / "node_modules" / "axe-core"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# The rules a palette switch can change: text contrast and links told apart from text by colour.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
FULL = os.environ.get("RN_AXE_FULL") == "1"
BN = "/normalization/batch-norm/"

EN = [pytest.param(url_path(p), id=p.relative_to(DOCS).as_posix()) for p in PAGES] + [
    pytest.param("/404.html", id="404")]


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


# --------------------------------------------------------------------------- axe


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js of the pinned axe-core (package.json), as installed by ``npm ci``."""
    script = AXE_DIR / "axe.min.js"
    if not script.is_file():
        pytest.skip("node_modules/axe-core is not installed (make test runs npm ci)")
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["axe-core"]
    installed = json.loads((AXE_DIR / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned, f"axe-core {installed} installed, package.json pins {pinned}: run npm ci"
    return script.read_text(encoding="utf-8")


# Pygments token spans are four fifths of a page's elements and most of axe's time. A token span
# with the same tag and classes as another, in the same chain of ancestors (tag and classes up to
# <body>), matches the same CSS rules (Pygments' and Material's code rules are class selectors),
# so it has the same colours on the same background and the same contrast. The first span of each
# such chain is kept for axe; each later one becomes plain text, which axe then checks in the
# colour of the <code> around it. RN_AXE_FULL=1 (or every_token=True) checks every span instead.
COLLAPSE_REPEATED_TOKENS = """() => {
  const seen = new Set();
  let collapsed = 0;
  for (const span of document.querySelectorAll(".highlight code span:not(:has(*))")) {
    const chain = [];
    for (let el = span; el && el !== document.body; el = el.parentElement) {
      chain.push(el.tagName + "." + [...el.classList].sort().join(".") + (el.style.color ? "{" + el.style.color + "}" : ""));
    }
    const key = chain.join("<");
    if (seen.has(key)) { span.replaceWith(document.createTextNode(span.textContent)); collapsed++; }
    else seen.add(key);
  }
  return collapsed;
}"""


def run_axe(page, axe_source: str, rules: list[str] | None = None, every_token: bool = False) -> list[dict]:
    """axe's violations on the page as it is now: WCAG 2.0/2.1 A and AA tags, or only ``rules``.

    Each violation: ``{"id", "impact", "help", "nodes": [short description of each element]}``.
    Selectors are off (axe spends a second a page on them); the elements are described here.
    Repeated code tokens are checked once per page (``COLLAPSE_REPEATED_TOKENS``) unless
    ``every_token`` or ``RN_AXE_FULL=1``.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    if not (every_token or FULL):
        page.evaluate(COLLAPSE_REPEATED_TOKENS)
    return page.evaluate(
        """async (only) => {
          const describe = (el) => {
            if (!el || !el.tagName) return "?";
            const cls = [...el.classList].slice(0, 2).map(c => "." + c).join("");
            const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
            const where = el.closest("[id]");
            return `${el.tagName.toLowerCase()}${cls}${where ? " in #" + where.id : ""}: "${text}"`;
          };
          const result = await axe.run(document, {runOnly: only, resultTypes: ["violations"],
                                                 selectors: false, elementRef: true});
          return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => describe(n.element) +
              (n.any[0] && n.any[0].data && n.any[0].data.contrastRatio
                ? ` (${n.any[0].data.fgColor} on ${n.any[0].data.bgColor}, ${n.any[0].data.contrastRatio}:1)` : ""))}));
        }""",
        only,
    )


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def report(label: str, violations: list[dict]) -> str:
    lines = [f"{label}: {len(violations)} serious/critical WCAG 2.1 A/AA rule(s) fail"]
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}) x{len(v['nodes'])}: {v['help']}")
        lines += [f"      {node}" for node in v["nodes"][:4]]
    return "\n".join(lines)


def assert_accessible(page, axe_source: str, label: str, rules: list[str] | None = None) -> None:
    """Fail on any serious or critical violation, naming rule, impact, count and a few elements."""
    bad = blocking(run_axe(page, axe_source, rules))
    assert not bad, report(label, bad)


def scheme(page) -> str:
    return page.get_attribute("body", "data-md-color-scheme")


def toggle_palette(page) -> str:
    """Click the palette toggle; returns the new scheme once the switch has settled."""
    before = scheme(page)
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function(
        "b => document.body.dataset.mdColorScheme !== b && !document.body.hasAttribute('data-md-color-switching')",
        arg=before)
    page.wait_for_timeout(150)  # links fade colour over 125 ms after the switch
    return scheme(page)


def check_page(page, axe_source: str, url: str, label: str, palettes: int = 2) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status in (200, 404), f"{label}: {response and response.status}"
    page.wait_for_function("() => [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))")
    figures = page.locator("figure.rn-figure img")
    alts = figures.evaluate_all("els => els.map(e => (e.getAttribute('alt') || '').trim())")
    assert all(len(a) > 3 and not re.search(r"\.(svg|png)$", a) for a in alts), f"{label}: figure alt {alts}"
    bad = {}
    first = scheme(page)
    bad[first] = blocking(run_axe(page, axe_source))
    for _ in range(palettes - 1):
        other = toggle_palette(page)
        assert other != first
        bad[other] = blocking(run_axe(page, axe_source, None if FULL else COLOUR_RULES))
    assert not any(bad.values()), "\n".join(report(f"{label} [{s}]", v) for s, v in bad.items() if v)


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("path", EN)
def test_page_passes_axe_in_both_palettes(path, page, base_url, site_dir, axe_source):
    """No serious or critical WCAG 2.1 A/AA violation, light palette then dark; every figure has alt text."""
    if path != "/404.html" and not (site_dir / path.strip("/") / "index.html").is_file():
        pytest.skip("no such page in this build")
    check_page(page, axe_source, base_url + path, f"site{path}")


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


def test_language_switch_by_keyboard(page, base_url):
    """Once the site has a language switch (``.rn-lang-switch a``), Tab reaches it and Enter follows it."""
    page.goto(base_url + BN, wait_until="load")
    links = page.locator(".rn-lang-switch a")
    if links.count() == 0:
        pytest.skip("no language switch on the site yet")
    for index in range(links.count()):
        page.goto(base_url + BN, wait_until="load")
        target = page.locator(".rn-lang-switch a").nth(index)
        href = target.evaluate("a => a.href")
        page.evaluate("a => a.setAttribute('data-rn-target', '')", target.element_handle())
        tab_to(page, "[data-rn-target]")
        page.keyboard.press("Enter")
        page.wait_for_url(href.split("#")[0] + "*")
