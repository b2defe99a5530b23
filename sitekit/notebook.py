"""A page as a notebook: the page module's chunks as code cells (in file order, so it runs top
to bottom), each shown section preceded by the article's prose since the previous one and
carrying what it printed when the site was built.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from sitekit.source import chunks, includes

FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
ADMONITION_RE = re.compile(r'^!!!\s+[\w-]+(?:\s+"(?P<title>[^"]*)")?\s*$')
LINK_RE = re.compile(r"\]\((?![a-z]+:|/|#)(?P<path>[^)\s#]+)\.md(?P<anchor>#[^)\s]*)?\)")


def prose_by_section(markdown: str, module_path: str, site_url: str, src: str) -> dict[str, str]:
    """Article prose, keyed by the section of ``module_path`` whose block follows it."""
    prose: dict[str, str] = {}
    buffer: list[str] = []
    lines = iter(markdown.splitlines())
    for line in lines:
        if FENCE_RE.match(line):
            fence = [line]
            for inner in lines:
                fence.append(inner)
                if FENCE_RE.match(inner) and inner.strip() == FENCE_RE.match(line)[1]:
                    break
            shown = [s for p, s in includes("\n".join(fence)) if p == module_path]
            if shown:
                prose[shown[-1]] = _markdown("\n".join(buffer), site_url, src)
                buffer = []
            elif not includes("\n".join(fence)):
                buffer.extend(fence)
            continue
        if line.lstrip().startswith("--8<--"):
            continue
        buffer.append(line)
    return prose


def _markdown(text: str, site_url: str, src: str) -> str:
    """Site Markdown made plain: admonitions become quotes, page links absolute site links."""
    out, quoting = [], False
    for line in text.splitlines():
        if match := ADMONITION_RE.match(line):
            out.append(f"> **{match['title'] or 'Note'}**")
            quoting = True
        elif quoting and (line.startswith("    ") or not line.strip()):
            out.append(("> " + line[4:]).rstrip())
        else:
            quoting = False
            out.append(line)
    text = LINK_RE.sub(lambda m: f"]({_absolute(site_url, src, m['path'])}{m['anchor'] or ''})", "\n".join(out))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _absolute(site_url: str, src: str, path: str) -> str:
    """Site URL of the page linked as ``path`` (without ``.md``) from the page ``src``."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(src), path)).removesuffix("index")
    return site_url + (target.strip("/") + "/" if target.strip("/") else "")


def notebook(module: Path, module_path: str, markdown: str, outputs: dict[str, str], site_url: str,
             src: str, title: str, intro: str) -> str:
    """The ``.ipynb`` text of the page ``src`` (``topic/article.md``)."""
    prose = prose_by_section(markdown, module_path, site_url, src)
    page_url = _absolute(site_url, src, src.removesuffix(".md").split("/")[-1])
    cells = [_markdown_cell(f"# {title}\n\n{intro.format(url=page_url)}")]
    for name, code in chunks(module):
        if name in prose and prose[name]:
            cells.append(_markdown_cell(prose[name]))
        text = outputs.get(name) if name else None
        cells.append({"cell_type": "code", "execution_count": None, "metadata": {"section": name} if name else {},
                      "outputs": [{"output_type": "stream", "name": "stdout", "text": text.splitlines(True)}] if text
                      else [], "source": code.strip("\n").splitlines(True)})
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    book = {"cells": cells, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(book, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(keepends=True)}
