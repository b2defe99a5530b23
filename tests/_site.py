"""Where the docs and the built sites are, and which built file shows which page."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SITE = ROOT / "site"  # MkDocs (the default renderer)
ZENSICAL_SITE = ROOT / "site-zensical"  # the same docs rendered by Zensical (make test)
PAGES = sorted(p for p in DOCS.rglob("*.md") if "assets" not in p.relative_to(DOCS).parts)
IDS = [p.relative_to(DOCS).as_posix() for p in PAGES]
DOCS_ZH = ROOT / "docs-zh"  # the Chinese edition, built into site/zh/
ZH_PAGES = sorted(p for p in DOCS_ZH.rglob("*.md") if "assets" not in p.relative_to(DOCS_ZH).parts)
# (page, docs folder, its site folder under site/) for both editions
BOTH = [(p, DOCS, "") for p in PAGES] + [(p, DOCS_ZH, "zh") for p in ZH_PAGES]
BOTH_IDS = IDS + ["zh/" + p.relative_to(DOCS_ZH).as_posix() for p in ZH_PAGES]


def url_path(source: Path, docs: Path = DOCS) -> str:
    """``/topic/article/`` for ``docs/topic/article.md`` (use_directory_urls)."""
    relative = source.relative_to(docs).with_suffix("")
    if relative.name == "index":
        parent = relative.parent.as_posix()
        return "/" if parent == "." else f"/{parent}/"
    return f"/{relative.as_posix()}/"


def built_page(site: Path, source: Path, docs: Path = DOCS) -> Path:
    """The ``index.html`` that shows ``source`` in a built site."""
    return site / url_path(source, docs).strip("/") / "index.html"


def page_module(source: Path) -> Path | None:
    """The page module a page shows, ``snippets/<topic>/examples/<article>_page.py``, if any."""
    from sitekit.source import includes

    shown = [p for p, _ in includes(source.read_text(encoding="utf-8")) if "/examples/" in p]
    return ROOT / shown[0] if shown else None
