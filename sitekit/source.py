"""What the repository holds: page modules, their sections, the includes of a page, cache keys.

Nothing here runs code or parses Markdown: sections are cut at pymdownx.snippets'
``--8<-- [start:name]`` / ``[end:name]`` markers, includes are the ``--8<-- "path:section"``
lines of a page, and a cache key hashes code, the ``snippets`` modules it imports
(transitively), the recorded ``results/`` files it names, and the pinned packages.
"""

from __future__ import annotations

import hashlib
import platform
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER_RE = re.compile(r"^[ \t]*#?[ \t]*--8<--[ \t]+\[(start|end):([\w-]+)\][ \t]*$")
INCLUDE_RE = re.compile(r"""^(?P<indent>[ \t]*)--8<--[ \t]+["'](?P<path>[^"':]+)(?::(?P<section>[\w-]+))?["'][ \t]*$""",
                        re.MULTILINE)
# Code that reads recorded results names them: "results/normalization/x.json", or "results" itself.
RESULTS_RE = re.compile(r"""results/[\w./-]*|["']results["']""")


def chunks(path: Path) -> list[tuple[str | None, str]]:
    """The file cut at its top-level section markers: ``(section name or None, code)`` in order.

    Running the chunks in order runs the whole file; a named chunk is exactly what
    ``--8<-- "path:name"`` shows (marker lines dropped, nested markers too)."""
    out: list[tuple[str | None, list[str]]] = [(None, [])]
    depth = 0
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        marker = MARKER_RE.match(line)
        if marker and marker[1] == "start":
            depth += 1
            if depth == 1:
                out.append((marker[2], []))
                continue
        elif marker:
            depth -= 1
            if depth == 0:
                out.append((None, []))
                continue
        if not marker:
            out[-1][1].append(line)
    return [(name, "".join(lines)) for name, lines in out if name or "".join(lines).strip()]


def sections(path: Path) -> dict[str, str]:
    """Every named section of ``path`` (as included, without its trailing newline)."""
    return {name: code.rstrip("\n") for name, code in chunks(path) if name}


def includes(markdown: str) -> list[tuple[str, str | None]]:
    """``(path, section)`` of every ``--8<--`` include line of a page, in order."""
    return [(m["path"], m["section"]) for m in INCLUDE_RE.finditer(markdown)]


def page_modules() -> list[Path]:
    """Every page module, ``snippets/<topic>/examples/<article>_page.py``."""
    return sorted((ROOT / "snippets").glob("*/examples/*_page.py"))


def module_file(name: str) -> Path | None:
    """The file of the dotted module ``name`` in this repository, or None."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


IMPORT_RE = re.compile(r"^[ \t]*(?:from[ \t]+(?P<base>\.*[\w.]*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n#]+)"
                       r"|import[ \t]+(?P<modules>[^\n#]+))", re.MULTILINE)


@cache
def _imports(path: Path) -> frozenset[Path]:
    """Files of the ``snippets`` modules (and their packages) that ``path`` imports directly."""
    found: set[Path] = set()
    package = path.relative_to(ROOT).with_suffix("").parts
    for match in IMPORT_RE.finditer(path.read_text(encoding="utf-8")):
        if match["modules"]:
            names = [n.split(" as ")[0].strip() for n in match["modules"].split(",")]
        else:
            base = match["base"]
            if base.startswith("."):  # relative: resolve against the importing module's package
                level = len(base) - len(base.lstrip("."))
                base = ".".join([*package[:-level], *([base.lstrip(".")] if base.strip(".") else [])])
            names = [base, *(f"{base}.{n.split(' as ')[0].strip()}" for n in match["names"].strip("()").split(","))]
        for name in names:
            parts = name.split(".")
            if parts[0] == "snippets":
                found.update(f for i in range(1, len(parts) + 1) if (f := module_file(".".join(parts[:i]))))
    return frozenset(found)


def closure(path: Path) -> list[Path]:
    """``path`` and every repository module it imports, transitively, sorted."""
    seen, stack = {path}, [path]
    while stack:
        for dep in _imports(stack.pop()):
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return sorted(seen)


def results_read(texts: list[str]) -> list[Path]:
    """The recorded result files that code naming ``results/...`` (or ``"results"``) reads."""
    files: set[Path] = set()
    for text in texts:
        for name in RESULTS_RE.findall(text):
            target = ROOT / ("results" if name.strip("'\"") == "results" else name.rstrip("/."))
            while not target.exists() and target != ROOT / "results":  # an f-string prefix
                target = target.parent
            files.update([target] if target.is_file() else (p for p in target.rglob("*") if p.is_file()))
    return sorted(files)


@cache
def _digest(path: Path) -> bytes:
    """Hash of ``path``'s closure and of the results it reads (kept until ``forget``)."""
    digest, texts = hashlib.sha256(), []
    for module in closure(path):
        texts.append(module.read_text(encoding="utf-8"))
        digest.update(f"\0{module.relative_to(ROOT)}\0{texts[-1]}".encode())
    for result in results_read(texts):
        digest.update(f"\0{result.relative_to(ROOT)}\0".encode() + result.read_bytes())
    return digest.digest()


def forget() -> None:
    """Drop what was read from the repository (a new generate reads it again)."""
    _imports.cache_clear()
    _digest.cache_clear()


def key(path: Path, salt: str = "") -> str:
    """Cache key of running ``path``: its code, its imports, the results it reads, the pins."""
    digest = hashlib.sha256(f"{salt}\0{platform.python_version()}".encode())
    digest.update((ROOT / "requirements.txt").read_bytes() + _digest(path))
    return digest.hexdigest()[:20]
