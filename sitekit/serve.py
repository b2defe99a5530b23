"""``make serve``: generate, build both editions into ``site/``, serve it on 127.0.0.1 and
rebuild what an edit touches. Each edition builds in a process of its own that keeps its
MkDocs configuration (plugins included) between builds, so an edited page is built *dirty*:
MkDocs renders only pages newer than their HTML and Material's search plugin merges them into
the previous index. A change to what pages include (page code, a ``snippets`` module, a
result), the theme, a configuration or the page list rebuilds the edition in full.
"""

from __future__ import annotations

import functools
import http.server
import logging
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from sitekit.generate import EDITIONS, GENERATED, SHARED_ASSETS, PageCodeFailed, editions, update
from sitekit.source import ROOT

WATCHED = ("snippets", "results", "overrides")  # besides each edition's docs and configuration
SUFFIXES = {".py", ".md", ".json", ".html", ".css", ".js", ".yml"}
logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
_CONFIGS: dict[str, object] = {}  # in an edition's build process: its configuration


def build_edition(config_file: str, dirty: bool = False) -> None:
    """Build an edition in full (strict) or dirty, in its own process: MkDocs keeps one
    instance of a plugin per process, and the search plugin keeps that edition's index."""
    config = _CONFIGS.get(config_file)
    if config is None or not dirty:  # a full build reads the configuration afresh
        config = _CONFIGS[config_file] = load_config(config_file)
        config.plugins.on_startup(command="serve", dirty=True)  # keep the index for dirty builds
        dirty = False
    config["strict"] = not dirty
    build(config, dirty=dirty)


def snapshot() -> dict[Path, int]:
    """Modification time of every source file of the site (generated files and the other editions'
    copies of the English stylesheets, scripts and KaTeX left out: ``generate`` writes them)."""
    folders = [ROOT / d for d in WATCHED] + list(editions().values())
    copies = [docs / "assets" / f for lang, docs in editions().items() if lang != "en" for f in SHARED_ASSETS]
    files = [p for d in folders for p in d.rglob("*") if p.suffix in SUFFIXES and "generated" not in p.parts
             and not any(p.is_relative_to(c) for c in copies)]
    return {p: p.stat().st_mtime_ns for p in files + [ROOT / c for _, c in EDITIONS.values()] if p.is_file()}


def _under(paths: set[Path], *folders: str) -> bool:
    return any(p.is_relative_to(ROOT / folder) for p in paths for folder in folders)


class Site:
    """Both editions, built into ``site/`` and rebuilt on change (``poll``)."""

    def __init__(self):
        spawn = multiprocessing.get_context("spawn")
        self.editions = {lang: ProcessPoolExecutor(1, mp_context=spawn) for lang in editions()}  # English first
        self.seen = snapshot()

    def _build(self, lang: str, dirty: bool = False) -> None:
        self.editions[lang].submit(build_edition, str(ROOT / EDITIONS[lang][1]), dirty).result()

    def build(self) -> None:
        update()
        for lang in self.editions:
            self._build(lang)

    def poll(self) -> dict[str, str]:
        """Rebuild what changed since the last call: ``{lang: "full" or "dirty"}`` of the editions built."""
        now, done = snapshot(), {}
        changed = {p for p in now.keys() | self.seen.keys() if now.get(p) != self.seen.get(p)}
        if not changed:
            return done
        added_or_removed = {p for p in changed if p.suffix == ".md" and (p not in now or p not in self.seen)}
        # every page shows the theme and the configuration, and pages include snippets modules directly
        everywhere = _under(changed, "snippets", "overrides") or any(p.suffix == ".yml" for p in changed)
        code = _under(changed, "snippets", "results")
        self.seen = now
        written = update(code_changed=code)
        for lang in self.editions:
            docs, generated = ROOT / EDITIONS[lang][0], GENERATED / lang
            own = {p for p in changed | set(written) if p.is_relative_to(docs) or p.is_relative_to(generated)}
            full = (everywhere or done.get("en") == "full"  # a full English build empties site/, editions and all
                    or any(p.is_relative_to(generated) or p in added_or_removed for p in own))
            if own or full:
                self._build(lang, dirty=not full)
                done[lang] = "full" if full else "dirty"
        return done


def serve(port: str = "8000") -> int:
    site = Site()
    try:
        site.build()
    except PageCodeFailed as error:
        print(error)
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving both editions at http://127.0.0.1:{port}/ (rebuilt on change; Ctrl-C stops)")
    while True:
        try:
            time.sleep(0.3)
            start = time.perf_counter()
            if built := site.poll():
                print(f"rebuilt {built} in {time.perf_counter() - start:.1f} s")
        except KeyboardInterrupt:
            return 0
        except Exception as error:  # noqa: BLE001 - report it and keep serving the last good build
            print(f"build failed: {error}")
