"""A page's notebook as HTML for the site: mkdocs-jupyter's converter, then cleaned.

Called in a build worker (``sitekit.worker``), so converting the notebooks runs
beside the pages' code instead of after it in the MkDocs process.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

SOURCE = Path(__file__).read_text(encoding="utf-8")  # how notebooks are converted: part of their cache key


@functools.cache
def version() -> str:
    """Versions of the converter (part of the cache key)."""
    import importlib.metadata

    try:
        return importlib.metadata.version("mkdocs-jupyter") + importlib.metadata.version("nbconvert")
    except importlib.metadata.PackageNotFoundError:
        return "none"


def convert(ipynb_path: str, page_url: str, site_url: str) -> str:
    """HTML of the notebook at ``ipynb_path``, for the site page at ``page_url``."""
    from mkdocs_jupyter.convert import nb2html

    return clean(nb2html(ipynb_path, execute=False, no_prompt=True, custom_mathjax_url=""), page_url, site_url)


# nbconvert's HTML has been through BeautifulSoup already (attributes double-quoted, text escaped),
# so these patterns see one regular form. The tests check the result on every notebook view.
_STYLE_RE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_COPY_WIDGET_RE = re.compile(r'<div class="zeroclipboard-container">\s*<clipboard-copy\b.*?</clipboard-copy>\s*</div>', re.S)
_COPY_TEXT_RE = re.compile(r'<div class="clipboard-copy-txt"[^>]*>[^<]*</div>')
_SCRIPT_RE = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_SRC_RE = re.compile(r'\bsrc="(?P<src>[^"]*)"')
_LINK_RE = re.compile(r'(?P<head><a\b[^>]*?\bhref=")(?P<href>[^"]*)"')


def _foreign_script(match: re.Match) -> str:
    src = _SRC_RE.search(match["attrs"])
    body = match["body"].lower()
    if (src is not None and (not src["src"].strip() or src["src"].startswith(("http:", "https:", "//")))) \
            or "mathjax" in body or "mermaid" in body or "cdn." in body:
        return ""
    return match[0]


def clean(html: str, page_url: str, site_url: str) -> str:
    """Drop what nbconvert's template loads from elsewhere (MathJax, Mermaid, RequireJS; an empty
    ``src``): the site's own KaTeX renders the notebook's math. Drop JupyterLab's full stylesheet
    (0.6 MB, twice; extra.css styles the cells) and the hidden second copy of each cell's code with
    its copy widget (Material's copy button serves). Links to site pages become relative."""
    html = _STYLE_RE.sub(lambda m: "" if len(m[0]) > 100_000 else m[0], html)
    html = _COPY_TEXT_RE.sub("", _COPY_WIDGET_RE.sub("", html))
    html = _SCRIPT_RE.sub(_foreign_script, html)
    if site_url:
        escaped = html_lib.escape(site_url, quote=True)

        def relative(match: re.Match) -> str:
            href = match["href"]
            if not href.startswith(escaped):
                return match[0]
            target = html_lib.unescape(href[len(escaped):]) or "."
            return f'{match["head"]}{html_lib.escape(get_relative_url(target, page_url), quote=True)}"'

        html = _LINK_RE.sub(relative, html)
    return html
