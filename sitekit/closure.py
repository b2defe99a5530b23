"""Content hashes of code and of the ``snippets`` modules it imports, transitively.

A cached output or figure is reused only while this hash is unchanged: editing a
snippet module reruns every page and figure that imports it (directly or through
another snippet module), and nothing else.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import os
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "snippets"
# Recorded results (benchmarks, training runs): part of the key of code that reads them.
RESULTS_DIR = ROOT / "results"
_VERSIONED = ("numpy", "torch", "torchvision", "matplotlib", "scikit-image", "opencv-python-headless")


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(source: str, current: str | None = None) -> set[str]:
    """Names of the ``snippets`` modules that ``source`` imports (not transitive).

    ``current`` is the dotted name of the module holding ``source``; it resolves
    relative imports. Every parent package is included (importing ``a.b.c`` runs
    ``a/__init__.py`` and ``a/b/__init__.py``).
    """
    return {name for name in _candidates(source, current) if _module_file(name) is not None}


def _candidates(source: str, current: str | None = None) -> list[str]:
    """Every ``snippets`` dotted name (and parent) ``source`` imports, whether or not a file holds it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level and current:
                package = current.split(".")
                is_package = _module_file(current) is not None and _module_file(current).name == "__init__.py"
                keep = len(package) - node.level + (1 if is_package else 0)
                prefix = ".".join(package[:keep])
                base = f"{prefix}.{node.module}" if node.module else prefix
            else:
                base = node.module or ""
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                parts = name.split(".")
                for i in range(1, len(parts) + 1):
                    found.add(".".join(parts[:i]))
    return sorted(found)


@lru_cache(maxsize=None)
def _module_closure(name: str) -> frozenset[str]:
    seen = {name}
    stack = [name]
    while stack:
        current = stack.pop()
        path = _module_file(current)
        if path is None:
            continue
        for dep in _direct_imports(path.read_text(encoding="utf-8"), current):
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return frozenset(seen)


# Where the build caches outputs, figures and parses; SITEKIT_CACHE moves it (the build benchmark
# builds with a cache of its own).
CACHE_DIR = Path(os.environ.get("SITEKIT_CACHE") or ROOT / ".cache" / "sitekit")
_DIRECT_CACHE = CACHE_DIR / "direct-imports.json"
_direct: dict[str, list[str]] | None = None


def _direct_imports(source: str, current: str | None = None) -> list[str]:
    """``imported_modules(source, current)``: the parse is memoised on disk by the hash of the
    source and module name (a warm build parses no block and no module); which names are
    modules is checked against the files every time."""
    global _direct
    if _direct is None:
        try:
            _direct = json.loads(_DIRECT_CACHE.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _direct = {}
    key = hashlib.sha256(f"{current or ''}\0{source}".encode()).hexdigest()
    if key not in _direct:
        _direct[key] = _candidates(source, current)
        _DIRECT_CACHE.parent.mkdir(parents=True, exist_ok=True)
        _DIRECT_CACHE.write_text(json.dumps(_direct), encoding="utf-8")
    return [name for name in _direct[key] if _module_file(name) is not None]


def module_closure(source: str) -> list[str]:
    """Every ``snippets`` module ``source`` depends on, sorted."""
    names: set[str] = set()
    for direct in _direct_imports(source):
        names |= _module_closure(direct)
    return sorted(names)


@lru_cache(maxsize=1)
def _versions() -> str:
    out = []
    for dist in _VERSIONED:
        try:
            out.append(f"{dist}=={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{dist}==none")
    return ";".join(out)


@lru_cache(maxsize=1)
def _results_digest() -> str:
    digest = hashlib.sha256()
    if RESULTS_DIR.is_dir():
        for path in sorted(RESULTS_DIR.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(RESULTS_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


# Code that reads recorded results names the directory: a "results" path component or "results/".
READS_RESULTS = re.compile(rb"""["']results["']|results/""")


def content_hash(*sources: str, salt: str = "") -> str:
    """SHA-256 over ``sources``, the snippet modules they import, versions, and the recorded
    results when any of that code reads them (``READS_RESULTS``): a new benchmark run reruns
    the pages and figures that show results, not every page."""
    digest = hashlib.sha256(salt.encode())
    modules: set[str] = set()
    texts: list[bytes] = []
    for source in sources:
        texts.append(source.encode())
        digest.update(b"\0source\0" + texts[-1])
        modules |= set(module_closure(source))
    for name in sorted(modules):
        texts.append(_module_file(name).read_bytes())
        digest.update(b"\0module\0" + name.encode() + b"\0" + texts[-1])
    digest.update(_versions().encode())
    if any(READS_RESULTS.search(text) for text in texts):
        digest.update(b"\0results\0" + _results_digest().encode())
    return digest.hexdigest()


def clear_caches() -> None:
    """Forget memoised import graphs, versions and results (call at the start of each build)."""
    _module_closure.cache_clear()
    _versions.cache_clear()
    _results_digest.cache_clear()
