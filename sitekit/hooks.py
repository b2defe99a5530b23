"""MkDocs hooks: executed outputs under every Python block, figures from code.

* ``![Caption](figure:snippets.module:function)`` in a page becomes a figure
  rendered by that function (light and dark SVG), cached by content hash.
* Every runnable Python block of a page (after includes are expanded) is run
  at build time, blocks in order in one namespace, and what it prints is shown
  under it. A block that raises fails the strict build.

Both are cached under ``.cache/sitekit`` by the hash of the code and of every
``snippets`` module it imports (``sitekit.closure``): a warm build reruns only
what changed. ``SITEKIT_NO_CACHE=1`` disables the cache.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bs4 import BeautifulSoup, Comment  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

from sitekit import closure  # noqa: E402
from sitekit.blocks import OUTPUT_CLASS, block_code, is_norun, python_block_tags  # noqa: E402

log = logging.getLogger("mkdocs.plugins.sitekit")
CACHE = ROOT / ".cache" / "sitekit"
FIGURE_DIR = "assets/figures"
FIGURE_RE = re.compile(r"!\[(?P<alt>(?:[^\[\]]|\[[^\[\]]*\])*)\]\(figure:(?P<ref>[\w.]+:\w+)\)")
# A figure: line the pattern above did not take (bad caption or reference) is an error, not a silent drop.
FIGURE_LEFTOVER_RE = re.compile(r"\]\(figure:")
PLACEHOLDER = "rn-output:{}"
TIMEOUT_S = float(os.environ.get("SITEKIT_TIMEOUT", "900"))
USE_CACHE = os.environ.get("SITEKIT_NO_CACHE") != "1"
WORKERS = max(1, min(2, os.cpu_count() or 1))


class _Worker:
    """One ``python -m sitekit.worker`` subprocess, owned by one pool thread."""

    def __init__(self) -> None:
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sitekit.worker"], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        )

    def ask(self, request: dict) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT_S)
        if not ready:
            self.proc.kill()
            return {"error": f"no answer within {TIMEOUT_S:.0f} s (SITEKIT_TIMEOUT)"}
        line = self.proc.stdout.readline()
        if not line:
            return {"error": f"worker exited with code {self.proc.wait()}"}
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class _State:
    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sitekit")
        self.local = threading.local()
        self.workers: list[_Worker] = []
        self.lock = threading.Lock()
        self.outputs: dict[str, Future] = {}  # page src path -> future of runs
        self.figures: dict[str, tuple[str, Future]] = {}  # file stem -> (ref, future of svgs)
        self.stats = {"pages": 0, "blocks": 0, "run": 0, "norun": 0, "figures": 0, "cached": 0, "computed": 0}

    def ask(self, request: dict) -> dict:
        worker = getattr(self.local, "worker", None)
        if worker is None or worker.proc.poll() is not None:
            worker = self.local.worker = _Worker()
            with self.lock:
                self.workers.append(worker)
        return worker.ask(request)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for worker in self.workers:
            worker.close()


_state: _State | None = None


def _cached(kind: str, key: str, compute) -> Future:
    path = CACHE / kind / f"{key}.json"
    if USE_CACHE and path.is_file():
        _state.stats["cached"] += 1
        done: Future = Future()
        done.set_result(json.loads(path.read_text(encoding="utf-8")))
        return done

    def job():
        result = compute()
        if "error" not in result and not any(r.get("error") for r in result.get("runs", [])):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result), encoding="utf-8")
        return result

    _state.stats["computed"] += 1
    return _state.pool.submit(job)


def on_startup(command, dirty):  # noqa: ARG001
    pass


def on_pre_build(config):  # noqa: ARG001
    global _state
    closure.clear_caches()
    _state = _State()


def on_page_markdown(markdown, page, config, files):  # noqa: ARG001
    def figure(match: re.Match) -> str:
        ref, alt = match["ref"], match["alt"]
        module, function = ref.split(":")
        source_path = closure._module_file(module)
        if source_path is None:
            log.error("%s: figure module %s not found", page.file.src_uri, module)
            return match[0]
        key = closure.content_hash(f"import {module}", salt=ref + Path(__file__).with_name("figures.py").read_text())
        stem = f"{function.replace('_', '-')}-{key[:12]}"
        if stem not in _state.figures:
            _state.figures[stem] = (ref, _cached("figures", key, lambda: _state.ask({"kind": "figure", "ref": ref})))
            _state.stats["figures"] += 1
        base = get_relative_url(f"{FIGURE_DIR}/{stem}", page.url)
        alt_attr = html_lib.escape(alt, quote=True)
        return (
            f'<figure class="rn-figure" markdown="span">'
            f'<img src="{base}-light.svg#only-light" alt="{alt_attr}" loading="lazy">'
            f'<img src="{base}-dark.svg#only-dark" alt="{alt_attr}" loading="lazy">'
            f'<figcaption>{html_lib.escape(alt)} <span class="rn-source">figure drawn by '
            f'<code>{module}.{function}</code></span></figcaption></figure>'
        )

    markdown = FIGURE_RE.sub(figure, markdown)
    for line in markdown.splitlines():
        if FIGURE_LEFTOVER_RE.search(line):
            log.error("%s: figure reference not understood: %s", page.file.src_uri, line.strip())
    return markdown


def on_page_content(html, page, config, files):  # noqa: ARG001
    soup = BeautifulSoup(html, "html.parser")
    tags = python_block_tags(soup)
    _state.stats["pages"] += 1
    if not tags:
        return html
    runnable = [tag for tag in tags if not is_norun(tag)]
    _state.stats["blocks"] += len(tags)
    _state.stats["run"] += len(runnable)
    _state.stats["norun"] += len(tags) - len(runnable)
    if not runnable:
        return html
    codes = [block_code(tag) for tag in runnable]
    for index, tag in enumerate(runnable):
        tag.insert_after(Comment(PLACEHOLDER.format(index)))
    key = closure.content_hash(*codes, salt=page.file.src_uri)
    name = page.file.src_uri
    _state.outputs[page.file.src_uri] = _cached(
        "outputs", key, lambda: _state.ask({"kind": "page", "codes": codes, "name": name}))
    return str(soup)


def _output_html(text: str) -> str:
    return f'<div class="{OUTPUT_CLASS}"><pre><code>{html_lib.escape(text)}</code></pre></div>'


def on_post_page(output, page, config):  # noqa: ARG001
    future = _state.outputs.get(page.file.src_uri)
    if future is None:
        return output
    result = future.result()
    runs = result.get("runs", [])
    if "error" in result:
        log.error("%s: page code did not run: %s", page.file.src_uri, result["error"])
    for index, run in enumerate(runs):
        if run["error"]:
            log.error("%s: block %d raised:\n%s", page.file.src_uri, index + 1, run["error"])
    # Placeholders of blocks after a failing one stay empty.
    def fill(match: re.Match) -> str:
        index = int(match[1])
        if index < len(runs):
            text = runs[index]["stdout"] + (runs[index]["error"] or "")
            return _output_html(text) if text else ""
        return ""

    return re.sub(r"<!--rn-output:(\d+)-->", fill, output)


def on_post_build(config):
    target = Path(config["site_dir"]) / FIGURE_DIR
    target.mkdir(parents=True, exist_ok=True)
    try:
        for stem, (ref, future) in _state.figures.items():
            result = future.result()
            if "error" in result:
                log.error("figure %s failed:\n%s", ref, result["error"])
                continue
            for theme, svg in result["svgs"].items():
                (target / f"{stem}-{theme}.svg").write_text(svg, encoding="utf-8")
    finally:
        _state.close()
    s = _state.stats
    log.info(
        "sitekit: %d pages, %d Python blocks (%d run, %d marked norun), %d figures; "
        "%d results from cache, %d computed", s["pages"], s["blocks"], s["run"], s["norun"],
        s["figures"], s["cached"], s["computed"],
    )
    (ROOT / ".cache").mkdir(exist_ok=True)
    (ROOT / ".cache" / "build-stats.json").write_text(json.dumps(s), encoding="utf-8")


def on_shutdown():
    if _state is not None:
        _state.close()
