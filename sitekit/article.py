"""A page as a script and as a notebook: cells from its Markdown, outputs from the build.

The page's Markdown is expanded exactly as the build expands it (the
``pymdownx.snippets`` preprocessor with the site's configuration), then cut into
cells: prose becomes Markdown cells (admonitions become block quotes, links to
other pages become absolute site links), every runnable Python fence a code
cell, every ``figure:`` reference a code cell that draws the figure, and a
``.norun`` fence a Markdown cell showing the code. The script is the same cells
in the "percent" format (``# %%``), runnable with ``python``; the notebook
carries the outputs the build recorded for each block.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
ADMONITION_RE = re.compile(r'^(?P<indent>[ \t]*)(?P<mark>!!!|\?\?\?\+?)\s+(?P<type>[\w-]+)(?:[^"\n]*"(?P<title>[^"]*)")?\s*$')
TAB_RE = re.compile(r'^(?P<indent>[ \t]*)===\+?\s+"(?P<title>[^"]*)"\s*$')
FIGURE_RE = re.compile(r"!\[(?P<alt>(?:[^\[\]]|\[[^\[\]]*\])*)\]\(figure:(?P<ref>[\w.]+:\w+)\)")  # as in hooks
LINK_RE = re.compile(r"(?<!!)\]\((?P<target>(?![a-z]+:|/|#)[^)\s]+?\.md)(?P<anchor>#[^)\s]*)?\)")
TITLE_RE = re.compile(r"""title=["'](?P<title>[^"']*)["']""")
PYTHON = {"python", "py", "python3"}


@dataclass
class Cell:
    kind: str  # "markdown", "code" (runs), "figure" (code that draws a figure), "norun"
    source: str
    title: str | None = None
    ref: str | None = None  # figure reference "snippets.mod:function"
    outputs: list = field(default_factory=list)


def _lang(info: str) -> tuple[str, set[str], str | None]:
    info = info.strip()
    title = TITLE_RE.search(info)
    if info.startswith("{"):
        classes = set(re.findall(r"\.([\w-]+)", info))
        lang = next((c for c in re.findall(r"\.([\w-]+)", info)), "")
    else:
        lang = info.split()[0] if info.split() else ""
        classes = set()
    return lang.lower(), classes, title["title"] if title else None


def expand(markdown: str, snippets_config: dict) -> str:
    """Run the ``pymdownx.snippets`` preprocessor over ``markdown`` (includes expanded)."""
    import markdown as md_lib

    md = md_lib.Markdown(extensions=["pymdownx.snippets"],
                         extension_configs={"pymdownx.snippets": dict(snippets_config)})
    return "\n".join(md.preprocessors["snippet"].run(markdown.split("\n")))


def page_url(src_uri: str) -> str:
    """Directory URL of a docs page: ``a/b.md`` -> ``a/b/``, ``a/index.md`` -> ``a/``."""
    stem = src_uri[:-3] if src_uri.endswith(".md") else src_uri
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
        return stem
    return stem + "/"


def _absolute_links(text: str, src_uri: str, site_url: str) -> str:
    base = posixpath.dirname(src_uri)

    def repl(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(base, match["target"]))
        return f"]({site_url}{page_url(target)}{match['anchor'] or ''})"

    return LINK_RE.sub(repl, text)


def cells(expanded: str, src_uri: str = "page.md", site_url: str = "") -> list[Cell]:
    """Cut expanded Markdown into cells (see module docstring)."""
    out: list[Cell] = []
    prose: list[str] = []
    blocks: list[tuple[int, bool]] = []  # open admonitions/tabs: (body indent, is block quote)
    lines = expanded.split("\n")
    i = 0

    def flush() -> None:
        text = "\n".join(prose).strip("\n")
        prose.clear()
        if text.strip() and text.strip(">").strip():
            out.append(Cell("markdown", _absolute_links(text, src_uri, site_url)))

    def quote() -> str:
        depth = sum(1 for _, q in blocks if q)
        return "> " * depth

    def strip(line: str) -> str:
        cut = blocks[-1][0] if blocks else 0
        return line[cut:] if line[:cut].strip() == "" else line.lstrip()

    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        while blocks and line.strip() and indent < blocks[-1][0]:
            blocks.pop()
            while prose and prose[-1].strip() in (">", ""):
                prose.pop()
            prose.append("")
        fence = FENCE_RE.match(line)
        if fence:
            mark = fence["fence"]
            lang, classes, title = _lang(fence["info"])
            body: list[str] = []
            i += 1
            close = re.compile(rf"^[ \t]*{re.escape(mark[0])}{{{len(mark)},}}\s*$")
            while i < len(lines) and not close.match(lines[i]):
                body.append(lines[i][len(fence["indent"]):] if lines[i][: len(fence["indent"])].strip() == ""
                            else lines[i].lstrip())
                i += 1
            i += 1  # closing fence
            code = "\n".join(body).rstrip("\n") + "\n"
            if lang in PYTHON:
                if title:
                    prose.append(f"{quote()}*{title}*")
                flush()
                out.append(Cell("norun" if "norun" in classes else "code", code, title=title))
            else:
                prose.extend(quote() + text if text else quote().rstrip()
                             for text in [mark + fence["info"], *body, mark])
            continue
        admonition = ADMONITION_RE.match(line)
        tab = TAB_RE.match(line)
        if admonition:
            title = admonition["title"] or admonition["type"].capitalize()
            kind = admonition["type"].capitalize()
            heading = title if title.lower().startswith(kind.lower()) else f"{kind}: {title}"
            prose.append(f"{quote()}")
            blocks.append((indent + 4, True))
            prose.append(f"{quote()}**{heading}**")
            prose.append(quote().rstrip())
        elif tab:
            prose.append(f"{quote()}**{tab['title']}**")
            blocks.append((indent + 4, False))
        elif FIGURE_RE.search(line):
            for piece in re.split(r"(!\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(figure:[\w.]+:\w+\))", strip(line)):
                figure = FIGURE_RE.fullmatch(piece)
                if figure:
                    prose.append(f"{quote()}*Figure: {figure['alt']}*")
                    flush()
                    module, function = figure["ref"].split(":")
                    code = f"from {module} import {function}\n\nfig = {function}()\n"
                    out.append(Cell("figure", code, title=figure["alt"], ref=figure["ref"]))
                elif piece.strip():
                    prose.append(quote() + piece)
        else:
            text = strip(line) if line.strip() else ""
            prose.append((quote() + text) if text else quote().rstrip())
        i += 1
    flush()
    return out


def runnable(cells_: list[Cell]) -> list[Cell]:
    return [c for c in cells_ if c.kind == "code"]


FUTURE_RE = re.compile(r"^from __future__ import [^\n]+\n?", re.MULTILINE)


MAIN_GUARD = ('if __name__ == "__main__":  # worker processes (multiprocessing spawn/forkserver) '
              "re-import this file: run the article once")


def _indent(code: str) -> str:
    """``code`` indented one level, except lines inside multi-line string literals (their text is data)."""
    import io
    import tokenize

    lines = code.split("\n")
    keep: set[int] = set()  # 1-based line numbers continuing a string literal
    fstring_start: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            name = tokenize.tok_name.get(token.type, "")
            if name == "FSTRING_START":
                fstring_start.append(token.start[0])
            elif name == "FSTRING_END" and fstring_start:
                keep.update(range(fstring_start.pop() + 1, token.end[0] + 1))
            elif token.type == tokenize.STRING and token.end[0] > token.start[0]:
                keep.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return "\n".join(line if (n in keep or not line.strip()) else "    " + line
                     for n, line in enumerate(lines, start=1))


def to_script(cells_: list[Cell], header: str) -> str:
    """The cells as a percent-format Python script (runs top to bottom with ``python``).

    ``from __future__`` imports must open a file, so they are moved to the top
    (a page block runs on its own, where its future import is first anyway). The
    article's code runs under ``if __name__ == "__main__":``: a page that starts
    processes with multiprocessing's spawn or forkserver methods would otherwise
    run again in every worker, which re-imports the main file."""
    futures: list[str] = []
    parts = []
    for cell in cells_:
        if cell.kind == "markdown":
            parts.append(_indent("# %% [markdown]\n" + _comment(cell.source)))
        elif cell.kind == "norun":
            parts.append(_indent("# %% [markdown]\n# Not run here (shown on the page as is):\n#\n"
                                 + _comment(cell.source)))
        else:
            for line in FUTURE_RE.findall(cell.source):
                if line.strip() not in futures:
                    futures.append(line.strip())
            parts.append(_indent("# %%\n" + (FUTURE_RE.sub("", cell.source).strip("\n") or "pass")))
    head = ["# %% [markdown]\n" + _comment(header)]
    if futures:
        head.append("# %%\n" + "\n".join(futures))
    return "\n\n".join(head) + "\n\n" + MAIN_GUARD + "\n" + "\n\n".join(parts) + "\n"


def _comment(text: str) -> str:
    return "\n".join(("# " + line) if line.strip() else "#" for line in text.rstrip("\n").split("\n"))


def to_notebook(cells_: list[Cell], header: str) -> dict:
    """The cells as an nbformat-4 notebook (JSON-ready dict), with the recorded outputs."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nb.cells.append(nbformat.v4.new_markdown_cell(header))
    count = 0
    for cell in cells_:
        if cell.kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source))
        elif cell.kind == "norun":
            nb.cells.append(nbformat.v4.new_markdown_cell(
                "Not run here (shown on the page as is):\n\n```python\n" + cell.source + "```"))
        else:
            count += 1
            code = nbformat.v4.new_code_cell(cell.source.rstrip("\n"), execution_count=count)
            code.metadata["rn"] = {"figure": cell.ref} if cell.kind == "figure" else {"block": True}
            code.outputs = [nbformat.from_dict(o) for o in cell.outputs]
            nb.cells.append(code)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nb  # validated by the tests (nbformat.validate), not on every build
