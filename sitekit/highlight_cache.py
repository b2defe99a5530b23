"""Syntax highlighting of code blocks, memoised across builds.

MkDocs renders every page's Markdown on every build, and Pygments highlighting of
the code blocks is the largest part of a warm build's rendering. The HTML
``pymdownx.highlight`` makes for a block depends only on the block, the arguments of
the call and the extension's settings, so it is stored under the hash of all of
them (and of the Pygments and pymdownx versions); a build keeps only the entries it
used. Inline code, and titles in ``html`` mode (which touch the Markdown instance),
are highlighted as usual.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

_store: dict[str, str] = {}
_used: dict[str, str] = {}
_path: Path | None = None
_stats = {"hits": 0, "misses": 0}


def _versions() -> str:
    return ";".join(importlib.metadata.version(name) for name in ("pygments", "pymdown-extensions"))


def _settings(highlighter) -> str:
    """The extension's settings, as the key sees them (the Markdown instance left out)."""
    return repr(sorted((name, repr(value)) for name, value in vars(highlighter).items() if name != "md"))


def install(path: Path) -> None:
    """Wrap ``pymdownx.highlight.Highlight.highlight`` once; remember entries in ``path``."""
    from pymdownx.highlight import Highlight

    global _path
    _path = path
    if getattr(Highlight.highlight, "memoised", False):
        return
    original = Highlight.highlight
    versions = _versions()

    def highlight(self, src, language, *args, **kwargs):
        call = {"args": args, "kwargs": kwargs}
        if kwargs.get("inline") or (len(args) > 5 and args[5]) or getattr(self, "title_mode", "") == "html":
            return original(self, src, language, *args, **kwargs)
        key = hashlib.sha256(json.dumps([versions, _settings(self), src, language, repr(call)]).encode()).hexdigest()
        html = _store.get(key)
        if html is None:
            _stats["misses"] += 1
            html = original(self, src, language, *args, **kwargs)
            if not isinstance(html, str):  # an element, not HTML text: not stored
                return html
        else:
            _stats["hits"] += 1
        _used[key] = html
        return html

    highlight.memoised = True
    Highlight.highlight = highlight


def load() -> None:
    """Start a build: read the stored entries."""
    _used.clear()
    _stats.update(hits=0, misses=0)
    _store.clear()
    if _path is not None and _path.is_file():
        try:
            _store.update(json.loads(_path.read_text(encoding="utf-8")))
        except ValueError:
            pass


def save() -> dict[str, int]:
    """End a build: keep the entries this build used; how many were reused and how many made."""
    if _path is not None and _stats["misses"]:
        _path.parent.mkdir(parents=True, exist_ok=True)
        _path.write_text(json.dumps(_used), encoding="utf-8")
    return dict(_stats)
