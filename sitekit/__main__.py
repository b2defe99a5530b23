"""``python -m sitekit generate | serve | sync [--record PAGE ...]``.

``serve`` generates, builds both editions into ``site/``, serves it on 127.0.0.1:8000 and
does both again when a page, page code, a ``snippets`` module, a result or the theme changes.
``sync`` checks the Chinese pages against the English ones; ``--record`` re-records them.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import time

from sitekit.generate import EDITIONS, editions, generate
from sitekit.source import ROOT


def _stamp() -> float:
    watched = [ROOT / "snippets", ROOT / "results", ROOT / "overrides", *editions().values()]
    return max((p.stat().st_mtime for d in watched for p in d.rglob("*") if "generated" not in p.parts
                and p.suffix in {".py", ".md", ".json", ".html", ".css", ".js"}), default=0.0)


def build() -> int:
    """Render every edition into site/ (English first: MkDocs empties its site_dir)."""
    configs = [c for lang, (_, c) in EDITIONS.items() if lang in editions()]
    return max(subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", c], cwd=ROOT).returncode
               for c in configs)


def serve(port: str = "8000") -> int:
    if generate() or build():
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving both editions at http://127.0.0.1:{port}/ (rebuilt on change; Ctrl-C stops)")
    seen = _stamp()
    try:
        while True:
            time.sleep(1.0)
            if (now := _stamp()) != seen:
                seen = now  # a fresh process imports the snippets code as it is now
                if subprocess.run([sys.executable, "-m", "sitekit", "generate"], cwd=ROOT).returncode == 0:
                    build()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


def sync(argv: list[str]) -> int:
    from sitekit import sync as translations

    english, chinese = ROOT / "docs", ROOT / EDITIONS["zh"][0]
    if argv[:1] == ["--record"]:
        for page in [ROOT / p for p in argv[1:]] or sorted(chinese.rglob("*.md")):
            if "assets" not in page.relative_to(chinese).parts:
                translations.record(page, english / page.relative_to(chinese))
        return 0
    problems = translations.check(english, chinese, ROOT)
    print("\n".join(problems) or f"sync: every page of {chinese.name}/ translates the current English page")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    command, rest = (argv or ["generate"])[0], argv[1:]
    commands = {"generate": generate, "serve": lambda: serve(*rest), "sync": lambda: sync(rest)}
    if command not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[command]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
