"""``python -m sitekit generate`` | ``serve``.

``generate`` runs the page code that changed and writes the files the pages include
(``sitekit.generate``). ``serve`` generates, starts ``mkdocs serve`` on 127.0.0.1:8000,
and generates again whenever a page module, a ``snippets`` module, a recorded result
or a page changes (MkDocs then reloads the browser, as it watches ``generated/``).
"""

from __future__ import annotations

import subprocess
import sys
import time

from sitekit.generate import editions, generate
from sitekit.source import ROOT


def _stamp() -> float:
    watched = [ROOT / "snippets", ROOT / "results", *editions().values()]
    return max((p.stat().st_mtime for d in watched for p in d.rglob("*")
                if p.suffix in {".py", ".md", ".json"} and "generated" not in p.parts), default=0.0)


def serve(port: str = "8000") -> int:
    if generate():
        return 1
    mkdocs = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--no-strict",
                               "--dev-addr", f"127.0.0.1:{port}"], cwd=ROOT)
    seen = _stamp()
    try:
        while mkdocs.poll() is None:
            time.sleep(1.0)
            if (now := _stamp()) != seen:
                seen = now
                # a fresh process: it imports the snippets code as it is now
                subprocess.run([sys.executable, "-m", "sitekit", "generate"], cwd=ROOT)
    except KeyboardInterrupt:
        pass
    finally:
        mkdocs.terminate()
    return mkdocs.wait()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "generate"
    if command == "generate":
        return generate()
    if command == "serve":
        return serve(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
