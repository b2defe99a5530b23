"""axe-core in a page: the WCAG 2.0/2.1 A and AA rules, violations reported by rule, impact and
element (used by test_every_page.py for the English pages and test_accessibility.py for the rest).

axe-core is the npm package pinned in package.json (``make test`` installs it with ``npm ci``),
injected with ``page.add_script_tag``. A page fails on any violation whose impact is serious or
critical. One page load serves both palettes: axe runs every rule in the palette the page opens
in, then the palette toggle switches it and axe runs again the rules whose result depends on
colours (a palette changes custom properties, never the markup). ``RN_AXE_FULL=1`` runs every
rule in both.
"""

from __future__ import annotations

import os
import re

from tests._site import ROOT

AXE_DIR = ROOT / "node_modules" / "axe-core"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# The rules a palette switch can change: text contrast and links told apart from text by colour.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
FULL = os.environ.get("RN_AXE_FULL") == "1"
BN = "/normalization/batch-norm/"

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


MATH_RENDERED = "() => [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))"


def check_figure_alts(page, label: str) -> None:
    """Every figure image has alt text of its own, not a file name."""
    alts = page.locator("figure.rn-figure img").evaluate_all("els => els.map(e => (e.getAttribute('alt') || '').trim())")
    assert all(len(a) > 3 and not re.search(r"\.(svg|png)$", a) for a in alts), f"{label}: figure alt {alts}"


def check_palettes(page, axe_source: str, label: str, palettes: int = 2, in_each=None) -> None:
    """axe in the palette the page is in (every rule), then in the other (the colour rules);
    ``in_each(page)`` runs after each, for checks of what a palette shows."""
    bad = {}
    first = scheme(page)
    bad[first] = blocking(run_axe(page, axe_source))
    if in_each:
        in_each(page)
    for _ in range(palettes - 1):
        other = toggle_palette(page)
        assert other != first
        bad[other] = blocking(run_axe(page, axe_source, None if FULL else COLOUR_RULES))
        if in_each:
            in_each(page)
    assert not any(bad.values()), "\n".join(report(f"{label} [{s}]", v) for s, v in bad.items() if v)


def check_page(page, axe_source: str, url: str, label: str, palettes: int = 2) -> None:
    """Load ``url``, wait for its math, check figure alt text and run axe in ``palettes`` palettes."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status in (200, 404), f"{label}: {response and response.status}"
    page.wait_for_function(MATH_RENDERED)
    check_figure_alts(page, label)
    check_palettes(page, axe_source, label, palettes)
