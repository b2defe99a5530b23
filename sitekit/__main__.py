"""``python -m sitekit generate | serve | sync [--record PAGE ...]``.

``serve`` generates, builds both editions into ``site/``, serves it on 127.0.0.1:8000 and
rebuilds what a change touches (``sitekit.serve``).
``sync`` checks the Chinese pages against the English ones; ``--record`` re-records them.
"""

from __future__ import annotations

import sys

from sitekit.generate import EDITIONS, generate
from sitekit.source import ROOT


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


def _serve(*port: str) -> int:
    """Imports MkDocs, which the other commands do not need."""
    from sitekit.serve import serve

    return serve(*port)


def main(argv: list[str]) -> int:
    command, rest = (argv or ["generate"])[0], argv[1:]
    commands = {"generate": generate, "serve": lambda: _serve(*rest), "sync": lambda: sync(rest)}
    if command not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[command]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
