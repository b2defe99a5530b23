"""Where the code on a page comes from and what checks it: the "tested with" footer.

Everything here is derived from what a page already contains:

* the ``--8<-- "snippets/<topic>/<module>.py:<section>"`` includes of its Markdown;
* the mirror convention ``snippets/<topic>/<concept>.py`` ↔
  ``tests/<topic>/test_<concept>.py`` (page code ``snippets/<topic>/examples/
  <article>_page.py`` is checked by the page doc-test ``tests/test_pages.py``);
* the production twin, read from a ``Twin: ...`` line of the module docstring,
  e.g. ``Twin: ``torch.nn.functional.batch_norm`` and ``torch.nn.BatchNorm2d``.``;
* the versions of the environment that built (and so ran) the page.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import platform
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCLUDE_RE = re.compile(r"""--8<--\s+["'](?P<path>snippets/[^"':]+\.py)(?::(?P<section>[\w.-]+))?["']""")
TWIN_RE = re.compile(r"^\s*Twins?:\s*(?P<twin>.+?)\s*$", re.MULTILINE)
PAGE_TEST = "tests/test_pages.py"
SOURCE_DIR = "source"  # site folder holding plain-text copies of modules and tests


@dataclass(frozen=True)
class Include:
    """One ``--8<--`` include of a snippet module (section may be None: whole file)."""

    path: str
    section: str | None


@dataclass(frozen=True)
class ModuleInfo:
    path: str  # snippets/<topic>/<module>.py
    test: str | None  # tests/<topic>/test_<module>.py, tests/test_pages.py, or None when missing
    twins: tuple[str, ...]  # production APIs named in the docstring's "Twin:" line
    is_page_code: bool


def includes(markdown: str) -> list[Include]:
    """Every snippet include of ``markdown``, in order (duplicates kept)."""
    return [Include(m["path"], m["section"]) for m in INCLUDE_RE.finditer(markdown)]


def test_path(module_path: str) -> str | None:
    """The test file that checks ``module_path`` (repository-relative), by the mirror convention."""
    parts = Path(module_path).parts  # ("snippets", topic..., "name.py")
    if "examples" in parts[:-1]:
        return PAGE_TEST
    candidate = Path("tests", *parts[1:-1], f"test_{Path(parts[-1]).stem}.py")
    return str(candidate) if (ROOT / candidate).is_file() else None


@functools.lru_cache(maxsize=None)
def twins(module_path: str) -> tuple[str, ...]:
    """Production twins named in the module docstring's ``Twin:`` line, e.g. ``torch.nn.functional.batch_norm``."""
    path = ROOT / module_path
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        return ()
    match = TWIN_RE.search(doc)
    if not match:
        return ()
    names = re.findall(r"``([^`]+)``|`([^`]+)`", match["twin"])
    found = tuple(a or b for a, b in names)
    return found or (match["twin"].rstrip("."),)


def module_info(module_path: str) -> ModuleInfo:
    return ModuleInfo(module_path, test_path(module_path), twins(module_path),
                      "examples" in Path(module_path).parts)


@functools.lru_cache(maxsize=1)
def environment() -> dict[str, str]:
    """Versions the build ran the page code with (the snippets version and commit among them)."""
    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    init = (ROOT / "snippets" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", init)
    return {
        "snippets": match[1] if match else "unknown",
        "commit": git_commit(),
        "python": platform.python_version(),
        "torch": version("torch"),
        "numpy": version("numpy"),
    }


def git_commit() -> str:
    """Short commit of the working tree, with ``+dirty`` when snippets/ or tests/ has uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "snippets", "tests"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def source_url(repo_path: str) -> str:
    """Site path (from the site root) of the plain-text copy of a repository file."""
    return f"{SOURCE_DIR}/{repo_path}.txt"


def _code(text: str) -> str:
    import html

    return f"<code>{html.escape(text)}</code>"


def block_caption(module_path: str, section: str | None, relative) -> str:
    """One line under an included block: where it comes from, what tests it, what it mirrors."""
    import html

    info = module_info(module_path)
    parts = [f'from <a href="{relative(source_url(module_path))}">{_code(module_path)}</a>']
    if info.test == PAGE_TEST:
        parts.append(f'run again by the page doc-test <a href="{relative(source_url(PAGE_TEST))}">{_code(PAGE_TEST)}</a>')
    elif info.test:
        parts.append(f'tested by <a href="{relative(source_url(info.test))}">{_code(info.test)}</a>')
    else:
        parts.append("no test file found")
    if info.twins:
        parts.append("twin " + ", ".join(_code(t) for t in info.twins))
    label = html.escape(section) if section else "whole file"
    return f'<p class="rn-tested" data-search-exclude data-rn-module="{html.escape(module_path)}" data-rn-section="{label}">' + " · ".join(parts) + "</p>"


def footer(used: list[Include], relative, downloads: dict[str, str] | None = None,
           commit: str | None = None) -> str:
    """The "Tested with" box of a page: environment, then one row per included module."""
    import html

    env = dict(environment())
    if commit is not None:
        env["commit"] = commit
    modules: dict[str, list[str]] = {}
    for inc in used:
        sections = modules.setdefault(inc.path, [])
        label = inc.section or "whole file"
        if label not in sections:
            sections.append(label)
    rows = []
    for path, sections in modules.items():
        info = module_info(path)
        if info.test:
            test = f'<a href="{relative(source_url(info.test))}">{_code(info.test)}</a>'
            if info.test == PAGE_TEST:
                test += " (page doc-test)"
        else:
            test = "—"
        twin = ", ".join(_code(t) for t in info.twins) or "—"
        rows.append(f'<tr><td><a href="{relative(source_url(path))}">{_code(path)}</a></td>'
                    f'<td>{", ".join(_code(s) for s in sections)}</td><td>{test}</td><td>{twin}</td></tr>')
    versions = (f'<code>snippets</code> {html.escape(env["snippets"])} (commit <code>{html.escape(env["commit"])}</code>), '
                f'Python {html.escape(env["python"])}, torch {html.escape(env["torch"])}, numpy {html.escape(env["numpy"])}')
    table = ("<table><thead><tr><th>Module</th><th>Shown here</th><th>Tested by</th><th>Production twin</th></tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table>") if rows else ""
    links = ""
    if downloads:
        links = "<p>This page as " + " · ".join(
            f'<a href="{href}"{" download" if not label.startswith("notebook view") else ""}>{html.escape(label)}</a>'
            for label, href in downloads.items()) + ".</p>"
    return (f'<div class="admonition info rn-provenance" id="tested-with" data-search-exclude><p class="admonition-title">Tested with</p>'
            f"<p>Every Python block on this page ran with {versions} when the site was built; "
            f'the output under a block is what it printed.</p>{table}{links}</div>')
