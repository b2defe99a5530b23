"""A subprocess that runs page blocks and figure functions for the MkDocs build.

Running them outside the MkDocs process means every build imports the current
``snippets`` code (``mkdocs serve`` would otherwise keep stale modules), and
lets the build run pages in parallel. Protocol: one JSON request per line on
stdin, one JSON reply per line on a private descriptor; anything the page code
writes to file descriptor 1 goes to stderr so it cannot corrupt the replies.
"""

from __future__ import annotations

import json
import os
import sys
import time


def handle(request: dict) -> dict:
    if request["kind"] == "page":
        from sitekit.execute import run_blocks

        runs = run_blocks(request["codes"], request.get("name", "page"))
        return {"runs": [{"stdout": r.stdout, "error": r.error} for r in runs]}
    if request["kind"] == "figure":
        from sitekit.figures import render

        try:
            return {"svgs": render(request["ref"])}
        except Exception:  # noqa: BLE001
            import traceback

            return {"error": traceback.format_exc()}
    if request["kind"] == "notebook":
        from sitekit.notebook_view import convert

        try:
            return {"html": convert(request["path"], request["page_url"], request["site_url"])}
        except Exception:  # noqa: BLE001
            import traceback

            return {"error": traceback.format_exc()}
    return {"error": f"unknown request kind {request['kind']!r}"}


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = os.fdopen(1, "w", encoding="utf-8", buffering=1)
    for line in sys.stdin:
        if not line.strip():
            continue
        start = time.process_time()
        reply = handle(json.loads(line))
        reply["cpu_s"] = round(time.process_time() - start, 3)  # this process's CPU for the request
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
