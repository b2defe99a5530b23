"""``python -m sitekit generate`` | ``serve`` | ``sync [--record PAGE ...]``.

``generate`` runs the page code that changed and writes the files the pages include
(``sitekit.generate``). ``serve`` generates, builds both editions into ``site/``, serves
it on 127.0.0.1:8000, and generates and builds again whenever a page module, a
``snippets`` module, a recorded result, a page or the theme overrides change.
``sync`` checks that every Chinese page translates the current English one
(``sitekit.sync``); ``sync --record`` re-records the pages named (or all).
"""

from __future__ import annotations

import subprocess
import sys
import time

from sitekit.generate import EDITIONS, editions, generate
from sitekit.source import ROOT


def _stamp() -> float:
    watched = [ROOT / "snippets", ROOT / "results", ROOT / "overrides", *editions().values()]
    return max((p.stat().st_mtime for d in watched for p in d.rglob("*")
                if p.suffix in {".py", ".md", ".json", ".html", ".css", ".js"} and "generated" not in p.parts),
               default=0.0)


def build() -> int:
    """Render every edition into site/ (the English one first: MkDocs empties its site_dir)."""
    for config in [c for lang, (_, c) in EDITIONS.items() if lang in editions()]:
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config], cwd=ROOT)
        if done.returncode:
            return done.returncode
    return 0


def serve(port: str = "8000") -> int:
    """Generate and build both editions, serve site/ on 127.0.0.1, rebuild when a source changes."""
    import functools
    import http.server
    import threading

    if generate() or build():
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving site/ at http://127.0.0.1:{port}/ (both editions); rebuilding on change, Ctrl-C stops")
    seen = _stamp()
    try:
        while True:
            time.sleep(1.0)
            if (now := _stamp()) != seen:
                seen = now
                # a fresh process: it imports the snippets code as it is now
                if subprocess.run([sys.executable, "-m", "sitekit", "generate"], cwd=ROOT).returncode == 0:
                    build()
                    print("rebuilt; reload the page")
    except KeyboardInterrupt:
        server.shutdown()
    return 0


def sync(argv: list[str]) -> int:
    from sitekit import sync as translations

    english, chinese = ROOT / "docs", ROOT / EDITIONS["zh"][0]
    if argv[:1] == ["--record"]:
        pages = [ROOT / p for p in argv[1:]] or sorted(chinese.rglob("*.md"))
        for page in pages:
            if "assets" not in page.relative_to(chinese).parts:
                translations.record(page, english / page.relative_to(chinese))
        return 0
    problems = translations.check(english, chinese, ROOT)
    print("\n".join(problems) or f"sync: every page of {chinese.name}/ translates the current English page")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "generate"
    if command == "generate":
        return generate()
    if command == "serve":
        return serve(*argv[1:])
    if command == "sync":
        return sync(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
