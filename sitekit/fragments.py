"""The Markdown pages include from ``generated/<lang>/``: outputs, captions, figures, boxes.

Plain Markdown (``attr_list``, ``md_in_html``) in ``--8<--`` sections, for any renderer that
runs pymdownx.snippets; links assume a page at ``docs/<topic>/<article>.md`` (``../assets``).
"""

from __future__ import annotations

import importlib.metadata
import platform
import posixpath
import re
from functools import cache

from markdown.extensions.toc import slugify

from sitekit.source import ROOT, includes

ASSETS = "assets/generated"
PAGE_TEST = "tests/test_notebooks.py"
LABELS = {
    "en": {"from": "from", "tested": "tested by", "page_test": "run again as a notebook by", "twin": "twin",
           "none": "no test file found", "figure": "figure drawn by", "box": "Tested with",
           "ran": "Every Python block on this page ran with {env} when the site was built; the output "
                  "under a block is what it printed.",
           "head": "| Module | Shown here | Tested by | Production twin |", "download": "Download this page:",
           "script": "script", "notebook": "notebook", "evidence": "Evidence, as printed on the page:",
           "intro": "The code of <{url}>, with what it printed when the site was built. Run it from the "
                    "repository root."},
    "zh": {"from": "来自", "tested": "测试：", "page_test": "以笔记本重新运行：", "twin": "对照实现",
           "none": "未找到测试文件", "figure": "绘图函数", "box": "测试环境",
           "ran": "本页每个 Python 代码块都在构建网站时用 {env} 运行过；代码块下方的输出就是它当时打印的内容。",
           "head": "| 模块 | 本页展示 | 测试文件 | 对照的生产实现 |", "download": "下载本页：",
           "script": "脚本", "notebook": "笔记本", "evidence": "证据（页面上打印的输出）：",
           "intro": "<{url}> 页面的代码，以及构建网站时它打印的输出。请在仓库根目录下运行。"},
}
DOCSTRING_RE = re.compile(r'\s*[rR]?("""|\'\'\')(.*?)\1', re.S)  # a module docstring, unparsed
TWIN_RE = re.compile(r"^\s*Twins?:\s*(?P<twin>.+?)\s*$", re.MULTILINE)
ADMONITION_RE = re.compile(r'^(?P<indent>[ \t]*)!!!\s+correction\s+"(?P<title>[^"]*)"\s*$')
HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*$")


def section(name: str, body: str) -> str:  # blank line first: it follows a fence, starts a block
    return f"--8<-- [start:{name}]\n\n{body.strip()}\n--8<-- [end:{name}]\n"


def output_block(text: str) -> str:
    """What a section printed, as a fenced text block under its code."""
    if not text.strip():
        return ""
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    return f"{fence} {{ .text .rn-output }}\n{text.rstrip()}\n{fence}\n\n"


def test_of(module_path: str) -> str | None:
    """The test file that checks a module, by the mirror convention; page code: the notebook test."""
    parts = module_path.split("/")
    if "examples" in parts:
        return PAGE_TEST
    stem, folder = parts[-1][:-3], ["tests", *parts[parts[0] == "snippets":-1]]
    names = [f"test_{stem}.py", f"test_{stem.lstrip('_')}.py", f"test_{parts[-2]}.py"]  # _harness: the folder's
    return next(("/".join([*folder, n]) for n in names if (ROOT / "/".join([*folder, n])).is_file()), None)


@cache
def twins(module_path: str) -> tuple[str, ...]:
    """Production twins named in the module docstring's ``Twin:`` line."""
    doc = DOCSTRING_RE.match((ROOT / module_path).read_text(encoding="utf-8"))
    match = TWIN_RE.search(doc[2]) if doc else None
    return tuple(a or b for a, b in re.findall(r"``([^`]+)``|`([^`]+)`", match["twin"])) if match else ()


def source_link(repo_path: str, depth: int = 1) -> str:
    """A Markdown link to the plain-text copy of a repository file, from a page ``depth`` folders down."""
    return f"[`{repo_path}`]({'../' * depth}{ASSETS}/source/{repo_path}.txt)"


def caption(module_path: str, lang: str) -> str:
    """The line under an included block: where it comes from, what tests it, what it mirrors."""
    words, test = LABELS[lang], test_of(module_path)
    parts = [f"{words['from']} {source_link(module_path)}", f"{words['page_test' if test == PAGE_TEST else 'tested']} "
             f"{source_link(test)}" if test else words["none"]]
    if twins(module_path):
        parts.append(f"{words['twin']} " + ", ".join(f"`{t}`" for t in twins(module_path)))
    return " · ".join(parts) + "\n{: .rn-tested data-search-exclude }\n"


def figure(topic: str, name: str, text: str, lang: str) -> str:
    """Both palettes of a figure, with its caption, as a ``<figure>``."""
    alt = text.replace("[", "(").replace("]", ")")
    base = f"../{ASSETS}/figures/{topic}/{name}"
    return (f'<figure class="rn-figure" markdown>\n'
            f"![{alt}]({base}.light.svg#only-light){{ loading=lazy }}\n"
            f"![{alt}]({base}.dark.svg#only-dark){{ loading=lazy }}\n"
            f'<figcaption markdown>{text} <span class="rn-source">{LABELS[lang]["figure"]} '
            f"`snippets.{topic}.figures.{name}`</span></figcaption>\n</figure>\n")


@cache
def environment() -> str:
    version = importlib.metadata.version
    return (f"`snippets` {version('runnable-notes-snippets')}, Python {platform.python_version()}, "
            f"torch {version('torch')}, numpy {version('numpy')}")


def downloads(stem: str, topic: str, lang: str, depth: int = 1) -> str:
    words = LABELS[lang]
    base = f"{'../' * depth}{ASSETS}/downloads/{topic}/{stem}"
    return (f"{words['download']} [{words['script']} ({stem}.py)]({base}.py){{ download }} · "
            f"[{words['notebook']} ({stem}.ipynb)]({base}.ipynb){{ download }}\n"
            "{: .rn-downloads data-search-exclude }\n")


def tested_with(shown: dict[str, list[str]], links: str, lang: str, depth: int = 1) -> str:
    """The box at the end of a page: versions, then one row per included module."""
    words = LABELS[lang]
    rows = []
    for path, names in shown.items():
        test = test_of(path)
        rows.append(f"| {source_link(path, depth)} | {', '.join(f'`{n}`' for n in names)} "
                    f"| {source_link(test, depth) if test else '—'} "
                    f"| {', '.join(f'`{t}`' for t in twins(path)) or '—'} |")
    table = "\n".join([words["head"], "| --- | --- | --- | --- |", *rows]) if rows else ""
    return (f'<div class="admonition info rn-provenance" id="tested-with" data-search-exclude="" markdown>\n'
            f'<p class="admonition-title">{words["box"]}</p>\n\n{words["ran"].format(env=environment())}\n\n'
            f"{table}\n\n{links}</div>\n")


def corrections(page: str, title: str, markdown: str, outputs: dict[str, dict[str, str]], lang: str) -> str:
    """Every ``!!! correction`` box of one page (``topic/article.md``), for the corrections page.

    Each gets its title linked to the heading it sits under, its text, and its evidence:
    the output of the first page-module block inside the box or right after it."""
    lines, out, heading = markdown.splitlines(), [], ""
    for i, line in enumerate(lines):
        if match := HEADING_RE.match(line):
            explicit = re.search(r"\{:?\s*#([\w-]+)[^}]*\}\s*$", match[2])  # `## 公式 {#the-formula}`
            plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match[2]).replace("`", "")
            heading = explicit[1] if explicit else slugify(plain, "-")  # as the toc extension does
        if not (match := ADMONITION_RE.match(line)):
            continue
        body, j = [], i + 1
        pad = match["indent"] + "    "
        while j < len(lines) and (lines[j].startswith(pad) or not lines[j].strip()):
            body.append(lines[j][len(pad):])
            j += 1
        evidence = [outputs.get(p, {}).get(s) for p, s in includes("\n".join(body + lines[j:j + 3]))
                    if "/examples/" in p and s]
        text = "\n".join(b for b in body if "--8<--" not in b and not b.startswith("```")).strip()
        text = re.sub(r"\]\((?![a-z]+:|/|#|\.\./)", f"](../{posixpath.dirname(page)}/", text)
        out.append(f"### {match['title']}\n\n[{title}](../{page}#{heading})\n\n{text}\n")
        if evidence and evidence[0]:
            out.append(f"{LABELS[lang]['evidence']}\n\n{output_block(evidence[0])}")
    return "\n".join(out)

