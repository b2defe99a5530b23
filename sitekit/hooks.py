"""MkDocs hooks: executed outputs under every Python block, figures from code, reader extras.

* ``![Caption](figure:snippets.module:function)`` in a page becomes a figure
  rendered by that function (light and dark SVG), cached by content hash.
* Every runnable Python block of a page (after includes are expanded) is run
  at build time, blocks in order in one namespace, and what it prints is shown
  under it. A block that raises fails the strict build.

* Reader extras, generated for every page from what it contains: a "Tested
  with" box (versions, and per included module its test and production twin:
  ``sitekit.provenance``), a caption under each included block, the page as a
  ``.py`` script and an ``.ipynb`` notebook with the build's outputs
  (``sitekit.article``; the notebook is also rendered by mkdocs-jupyter when that
  plugin is configured), anchors on ``!!! correction`` boxes and the corrections
  page that lists them (``sitekit.corrections``), plain-text copies of the shown
  modules and their tests under ``source/``.

Outputs and figures are cached under ``.cache/sitekit`` by the hash of the code and of every
``snippets`` module it imports (``sitekit.closure``): a warm build reruns only
what changed. The syntax highlighting of code blocks is memoised the same way
(``sitekit.highlight_cache``).

How a cold build stays fast on two cores: every page's blocks and every figure are
submitted to the worker processes in ``on_files``, before MkDocs renders a page
(longest page first); each notebook view is converted in a worker of its own as
soon as its page's outputs and figures are ready, and put into the page in
``on_post_page``; figures are drawn once (``sitekit.figures``).

Environment: ``SITEKIT_NO_CACHE=1`` disables the cache, ``SITEKIT_CACHE`` moves it,
``SITEKIT_TRACE=1`` prints a timeline of the jobs (with their CPU seconds),
``SITEKIT_WORKERS`` sets the number of processes running page code (default: 2, or 1
on one core), ``SITEKIT_TIMEOUT`` bounds one job (seconds).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html as html_lib
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bs4 import BeautifulSoup, Comment  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402
from mkdocs.utils.meta import get_data  # noqa: E402

from sitekit import article, closure, corrections, highlight_cache, notebook_view, provenance  # noqa: E402
from sitekit.blocks import OUTPUT_CLASS, block_code, is_norun, python_block_tags  # noqa: E402

log = logging.getLogger("mkdocs.plugins.sitekit")
CACHE = closure.CACHE_DIR  # .cache/sitekit, or SITEKIT_CACHE
FIGURE_DIR = "assets/figures"
FIGURE_RE = re.compile(r"!\[(?P<alt>(?:[^\[\]]|\[[^\[\]]*\])*)\]\(figure:(?P<ref>[\w.]+:\w+)\)")
# A figure: line the pattern above did not take (bad caption or reference) is an error, not a silent drop.
FIGURE_LEFTOVER_RE = re.compile(r"\]\(figure:")
PLACEHOLDER = "rn-output:{}"
DOWNLOAD_DIR = "downloads"
NOTEBOOK_DIR = "notebooks"  # rendered notebook pages: notebooks/<topic>/<article>/
NOTEBOOK_MARKER = "<!-- rn:notebook {} -->"
# Where on_post_page puts the converted notebook. The comment names "<h1": Material adds the page
# title as an h1 to a page whose content has none, and the notebook brings its own.
NOTEBOOK_SLOT = "<!--rn-notebook-view: the notebook, with its own <h1>, goes here-->"
COMMIT_TOKEN = "RN-COMMIT-TOKEN"
TIMEOUT_S = float(os.environ.get("SITEKIT_TIMEOUT", "900"))
USE_CACHE = os.environ.get("SITEKIT_NO_CACHE") != "1"
TRACE = os.environ.get("SITEKIT_TRACE") == "1"  # print a timeline of the build's jobs to stderr
_T0 = time.perf_counter()
WORKERS = int(os.environ.get("SITEKIT_WORKERS", max(1, min(2, os.cpu_count() or 1))))
# How blocks are run is part of every output's cache key; sitekit's code, of every page's.
_SITEKIT_SOURCE = "".join(p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.glob("*.py")))
_RUNNER_SOURCE = "".join((Path(__file__).with_name(n)).read_text(encoding="utf-8") for n in ("execute.py", "worker.py"))
_FIGURES_SOURCE = Path(__file__).with_name("figures.py").read_text(encoding="utf-8")


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
        # Every reply is in: end the worker at once rather than wait for its interpreter to tear down
        # torch and friends (seconds per worker, at the end of every build).
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


class _State:
    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sitekit")
        # Notebook views are converted in their own worker process as soon as a page's outputs and
        # figures are ready: jobs there wait on jobs of ``pool``, never the other way round.
        self.notebook_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitekit-nb")
        self.notebooks: dict[str, Future] = {}  # page src path -> future of the notebook view's HTML
        self.notebook_pages: dict[str, str] = {}  # notebook view src path -> the page src path it shows
        self.titled: dict[str, threading.Event] = {}  # page src path -> set once its title is known
        self.local = threading.local()
        self.workers: list[_Worker] = []
        self.lock = threading.Lock()
        self.outputs: dict[str, Future] = {}  # page src path -> future of runs
        self.figures: dict[str, tuple[str, Future]] = {}  # file stem -> (ref, future of svgs)
        self.stats = {"pages": 0, "blocks": 0, "run": 0, "norun": 0, "figures": 0, "cached": 0, "computed": 0,
                      "downloads": 0, "corrections": 0, "resubmitted": 0}
        self.config = None
        self.articles: dict[str, list] = {}  # page src -> cells of the expanded page
        self.raw_cells: dict[str, list] = {}  # page src -> cells of the unexpanded page (include lines)
        self.includes: dict[str, list] = {}  # page src -> provenance.Include list
        self.corrections: list = []
        self.figure_stems: dict[str, str] = {}  # figure ref -> file stem
        self.sources: set[str] = set()  # repository files copied as text under source/
        self.titles: dict[str, str] = {}
        self.keys: dict[tuple, str] = {}  # memo of _key
        self.used: set[Path] = set()  # cache entries this build read or wrote
        self.output_keys: dict[str, str] = {}  # page src path -> cache key of the submitted outputs
        self.timings: dict[str, float] = _load_timings()  # job name -> seconds it took when last computed

    def ask(self, request: dict) -> dict:
        worker = getattr(self.local, "worker", None)
        if worker is None or worker.proc.poll() is not None:
            worker = self.local.worker = _Worker()
            with self.lock:
                self.workers.append(worker)
        return worker.ask(request)

    def close(self) -> None:
        for event in self.titled.values():
            event.set()  # a page MkDocs did not render must not keep its notebook job waiting
        self.notebook_pool.shutdown(wait=True)
        self.pool.shutdown(wait=True)
        for worker in self.workers:
            worker.close()


_state: _State | None = None


TIMINGS = CACHE / "timings.json"


def _trace(message: str) -> None:
    if TRACE:
        print(f"sitekit trace {time.perf_counter() - _T0:7.2f} s [{threading.current_thread().name}] {message}",
              file=sys.stderr, flush=True)


def _load_timings() -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(TIMINGS.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _cached(kind: str, key: str, compute, name: str = "") -> Future:
    path = CACHE / kind / f"{key}.json"
    _state.used.add(path)
    if USE_CACHE and path.is_file():
        _state.stats["cached"] += 1
        done: Future = Future()
        done.set_result(json.loads(path.read_text(encoding="utf-8")))
        return done

    def job():
        start = time.perf_counter()
        _trace(f"start {kind} {name}")
        result = compute()
        _trace(f"end {kind} {name} ({result.get('cpu_s', '?')} s CPU)")
        if name:
            _state.timings[name] = round(time.perf_counter() - start, 3)
        if "error" not in result and not any(r.get("error") for r in result.get("runs", [])):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result), encoding="utf-8")
        return result

    _state.stats["computed"] += 1
    return _state.pool.submit(job)


def on_pre_build(config):  # noqa: ARG001
    global _state, _T0
    _T0 = time.perf_counter()
    closure.clear_caches()
    provenance.environment.cache_clear()
    provenance.twins.cache_clear()
    notebook_view.version.cache_clear()
    _state = _State()
    if USE_CACHE:
        highlight_cache.install(CACHE / "highlight.json")
        highlight_cache.load()


def _snippets_config(config) -> dict:
    return dict(config["mdx_configs"].get("pymdownx.snippets", {}))


def _article_stem(src_uri: str) -> str:
    return src_uri[:-3] if src_uri.endswith(".md") else src_uri


def _has_code(cells: list) -> bool:
    return any(cell.kind == "code" for cell in cells)


def on_files(files, config):
    _state.config = config
    sources: dict[str, str] = {}
    notebook_urls: dict[str, str] = {}
    for file in list(files.documentation_pages()):
        if not file.src_uri.endswith(".md") or file.abs_src_path is None:
            continue
        markdown, _ = get_data(Path(file.abs_src_path).read_text(encoding="utf-8"))
        sources[file.src_uri] = markdown
        try:
            expanded = article.expand(markdown, _snippets_config(config))
        except Exception as error:  # noqa: BLE001 - a broken include fails the real build with its message
            log.debug("sitekit: %s not expanded for downloads: %s", file.src_uri, error)
            continue
        cells = article.cells(expanded, file.src_uri, config["site_url"] or "")
        _state.articles[file.src_uri] = cells
        _state.raw_cells[file.src_uri] = article.cells(markdown, file.src_uri, config["site_url"] or "")
        if _has_code(cells):
            heading = re.search(r"^#\s+(.+?)\s*$", markdown, re.MULTILINE)
            title = (heading[1] if heading else _article_stem(file.src_uri)) + " — notebook"
            content = (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nsearch:\n  exclude: true\n---\n\n"
                       f"{NOTEBOOK_MARKER.format(file.src_uri)}\n")
            view = File.generated(config, f"{NOTEBOOK_DIR}/{_article_stem(file.src_uri)}.md", content=content)
            files.append(view)
            notebook_urls[file.src_uri] = view.url
    _submit_early(sources)
    for src, url in notebook_urls.items():
        _state.titled[src] = threading.Event()
        _submit_notebook(src, url, [m["ref"] for m in FIGURE_RE.finditer(sources[src])])
    return files


def _submit_notebook(src: str, page_url: str, refs: list[str]) -> None:
    """Convert the page's notebook view once its outputs and figures are ready, in whatever
    order pages finish (a notebook job never waits on a queued job)."""
    needed = [_state.outputs[src]] if src in _state.outputs else []
    needed += [_state.figures[_state.figure_stems[ref]][1] for ref in refs if ref in _state.figure_stems]
    outer: Future = Future()
    _state.notebooks[src] = outer
    remaining = [len(needed)]
    lock = threading.Lock()

    def launch() -> None:
        inner = _state.notebook_pool.submit(_notebook_html, src, page_url)
        inner.add_done_callback(lambda f: outer.set_exception(f.exception()) if f.exception()
                                else outer.set_result(f.result()))

    def one_done(_: Future) -> None:
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            launch()

    if not needed:
        launch()
    for future in needed:
        future.add_done_callback(one_done)


def _submit_early(sources: dict[str, str]) -> None:
    """Start running every page's blocks and drawing every figure before MkDocs renders a page.

    The code of a page is taken from its Markdown with the includes expanded (the cells of
    ``sitekit.article``); ``on_page_content`` later takes it from the rendered HTML and
    resubmits a page whose code differs (``stats["resubmitted"]``; the tests expect 0). Pages go
    first, longest first, by the time each took when last computed (``.cache/sitekit/timings.json``),
    else by their number of blocks (a long page started last would be the build's tail); then
    the figures, in page order (only the notebook views and the end of the build wait for them).
    """
    pages: list[tuple[float, str, list[str]]] = []
    for src, cells in _state.articles.items():
        codes = [cell.source for cell in cells if cell.kind == "code"]
        if codes:
            pages.append((_state.timings.get(src, 1.0 + 0.05 * len(codes)), src, codes))
    for _, src, codes in sorted(pages, key=lambda p: -p[0]):
        _submit_page(src, codes)
    for markdown in sources.values():
        for match in FIGURE_RE.finditer(markdown):
            if closure._module_file(match["ref"].split(":")[0]) is not None:
                _submit_figure(match["ref"])


def _key(*sources: str, salt: str) -> str:
    """``closure.content_hash``, once per build for the same arguments."""
    memo = (sources, salt)
    if memo not in _state.keys:
        _state.keys[memo] = closure.content_hash(*sources, salt=salt)
    return _state.keys[memo]


def _submit_page(src: str, codes: list[str]) -> None:
    """Run ``codes`` (a page's runnable blocks) in a worker, unless the same run is already submitted."""
    key = _key(*codes, salt=src + _RUNNER_SOURCE)
    if _state.output_keys.get(src) == key:
        return
    if src in _state.output_keys:
        _state.stats["resubmitted"] += 1
    _state.output_keys[src] = key
    _state.outputs[src] = _cached(
        "outputs", key, lambda: _state.ask({"kind": "page", "codes": codes, "name": src}), name=src)


def _submit_figure(ref: str) -> str:
    """Draw figure ``ref`` in a worker (once per build); the stem of its SVG files."""
    module, function = ref.split(":")
    key = _key(f"import {module}", salt=ref + _FIGURES_SOURCE)
    stem = f"{function.replace('_', '-')}-{key[:12]}"
    _state.figure_stems[ref] = stem
    if stem not in _state.figures:
        _state.figures[stem] = (ref, _cached("figures", key, lambda: _state.ask({"kind": "figure", "ref": ref}),
                                             name=ref))
        _state.stats["figures"] += 1
    return stem


def _page_outputs(src_uri: str) -> list[str]:
    future = _state.outputs.get(src_uri)
    if future is None:
        return []
    return [run["stdout"] + (run["error"] or "") for run in future.result().get("runs", [])]


def _notebook_for(src_uri: str, commit: str | None = None, site_page: str | None = None) -> tuple[str, dict]:
    """The (script, notebook) of a page, the notebook carrying the build's outputs."""
    cells = [dataclasses.replace(cell) for cell in _state.articles[src_uri]]  # outputs are set per use
    outputs = _page_outputs(src_uri)
    runnable = [cell for cell in cells if cell.kind == "code"]
    for cell, text in zip(runnable, outputs):
        cell.outputs = [{"output_type": "stream", "name": "stdout", "text": text}] if text else []
    for cell in cells:
        if cell.kind == "figure":
            stem = _state.figure_stems.get(cell.ref)
            entry = _state.figures.get(stem) if stem else None
            result = entry[1].result() if entry else {}
            svg = result.get("svgs", {}).get("light")
            if svg and site_page is not None:
                # On the site: the build's light and dark SVG files, lazy, one shown per palette.
                base = get_relative_url(f"{FIGURE_DIR}/{stem}", site_page)
                alt = html_lib.escape(cell.title or "", quote=True)
                data = {"text/html": f'<img src="{base}-light.svg#only-light" alt="{alt}" loading="lazy">'
                                     f'<img src="{base}-dark.svg#only-dark" alt="{alt}" loading="lazy">',
                        "text/plain": "<Figure>"}
            else:  # the downloadable notebook stands alone: the light SVG inline
                data = {"image/svg+xml": svg, "text/plain": "<Figure>"}
            cell.outputs = [{"output_type": "display_data", "metadata": {}, "data": data}] if svg else []
    env = provenance.environment()
    url = (_state.config["site_url"] or "") + article.page_url(src_uri)
    title = _state.titles.get(src_uri) or src_uri
    header = (f"{title}: the code of {url}, generated from the page (as a script and as a notebook).\n\n"
              f"It imports the `snippets` package: run it from the root of a clone of the repository after "
              f"`pip install -e .` (built with snippets {env['snippets']}, commit {commit or env['commit']}, "
              f"torch {env['torch']}, numpy {env['numpy']}). Cells run top to bottom on a fresh kernel.")
    # Memoised by content (cells, outputs, header): building them is most of a warm build's notebook time.
    key = closure.hashlib.sha256(json.dumps(
        [header, _SITEKIT_SOURCE, [(c.kind, c.source, c.ref, c.outputs) for c in cells]]).encode()).hexdigest()
    path = CACHE / "downloads" / f"{key}.json"
    _state.used.add(path)
    if USE_CACHE and path.is_file():
        done = json.loads(path.read_text(encoding="utf-8"))
        return done["script"], done["notebook"]
    script, notebook = article.to_script(cells, header), article.to_notebook(cells, header)
    if USE_CACHE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"script": script, "notebook": notebook}), encoding="utf-8")
    return script, notebook


def _notebook_html(src_uri: str, page_url: str) -> dict:
    """The page's notebook rendered by mkdocs-jupyter's converter for the notebook view at
    ``page_url`` (``sitekit.notebook_view``, in a worker), cached by the notebook's content.

    Runs in the notebook pool: waits for the page's title, outputs and figures."""
    event = _state.titled.get(src_uri)
    if event is not None:
        event.wait(TIMEOUT_S)
    _trace(f"notebook {src_uri}: outputs and figures ready")
    # The commit is filled in after conversion, so a new commit does not invalidate the cache.
    _, notebook = _notebook_for(src_uri, commit=COMMIT_TOKEN, site_page=page_url)
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    key = closure.hashlib.sha256((text + page_url + notebook_view.version() + notebook_view.SOURCE).encode()).hexdigest()
    path = CACHE / "notebook-html" / f"{key}.html"
    _state.used.add(path)
    if USE_CACHE and path.is_file():
        _state.stats["cached"] += 1
        return {"html": path.read_text(encoding="utf-8")}
    _state.stats["computed"] += 1
    _trace(f"notebook {src_uri}: converting")
    source = CACHE / "notebook-src" / f"{_article_stem(src_uri)}.ipynb"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    result = _state.ask({"kind": "notebook", "path": str(source), "page_url": page_url,
                         "site_url": _state.config["site_url"] or ""})
    _trace(f"notebook {src_uri}: converted ({result.get('cpu_s', '?')} s CPU)")
    if "html" in result:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result["html"], encoding="utf-8")
    return result


def on_page_markdown(markdown, page, config, files):  # noqa: ARG001
    _state.includes[page.file.src_uri] = provenance.includes(markdown)
    _state.titles[page.file.src_uri] = page.title
    if page.file.src_uri in _state.titled:
        _state.titled[page.file.src_uri].set()
    def figure(match: re.Match) -> str:
        ref, alt = match["ref"], match["alt"]
        module, function = ref.split(":")
        source_path = closure._module_file(module)
        if source_path is None:
            log.error("%s: figure module %s not found", page.file.src_uri, module)
            return match[0]
        stem = _submit_figure(ref)
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


def _downloads(src_uri: str, page_url: str, files) -> dict[str, str]:
    cells = _state.articles.get(src_uri)
    if not cells or not _has_code(cells):
        return {}
    stem = _article_stem(src_uri)
    name = stem.rsplit("/", 1)[-1]
    links = {f"script ({name}.py)": get_relative_url(f"{DOWNLOAD_DIR}/{stem}.py", page_url),
             f"notebook ({name}.ipynb)": get_relative_url(f"{DOWNLOAD_DIR}/{stem}.ipynb", page_url)}
    notebook = files.get_file_from_path(f"{NOTEBOOK_DIR}/{stem}.md")
    if notebook is not None:
        links["notebook view (rendered)"] = get_relative_url(notebook.url, page_url)
    return links


def _reader_extras(soup: BeautifulSoup, tags: list, page, files) -> list:
    """Captions under included blocks, the download bar, the Tested-with box, correction anchors."""
    src = page.file.src_uri

    def relative(url: str) -> str:
        return get_relative_url(url, page.url)

    raw = [cell for cell in _state.raw_cells.get(src, []) if cell.kind in ("code", "norun")]
    if len(raw) == len(tags):
        for tag, cell in zip(tags, raw):
            used = provenance.includes(cell.source)
            if len(used) == 1:
                anchor = tag.next_sibling if isinstance(tag.next_sibling, Comment) else tag
                anchor.insert_after(BeautifulSoup(
                    provenance.block_caption(used[0].path, used[0].section, relative), "html.parser"))
    used = _state.includes.get(src, [])
    downloads = _downloads(src, page.url, files)
    if downloads:
        bar = ('<p class="rn-downloads" data-search-exclude>Download this page: ' + " · ".join(
            f'<a href="{href}"{"" if label.startswith("notebook view") else " download"}>{label}</a>'
            for label, href in downloads.items()) + "</p>")
        h1 = soup.find("h1")
        if h1 is not None:
            h1.insert_after(BeautifulSoup(bar, "html.parser"))
        else:
            soup.insert(0, BeautifulSoup(bar, "html.parser"))
    if used or downloads:
        soup.append(BeautifulSoup(provenance.footer(used, relative, downloads, commit=COMMIT_TOKEN), "html.parser"))
    return corrections.collect(soup, src, page.title or src, page.url)


def _page_key(html: str, page, files) -> str:
    """Everything the processed HTML of a page depends on, except the snippet modules its code
    imports (their hash keys the outputs, computed on every build) and the commit (a token)."""
    src = page.file.src_uri
    raw = [(c.kind, c.source) for c in _state.raw_cells.get(src, []) if c.kind in ("code", "norun")]
    used = _state.includes.get(src, [])
    relative = lambda url: get_relative_url(url, page.url)  # noqa: E731
    captions = [provenance.block_caption(i.path, i.section, relative) for i in used]
    downloads = _downloads(src, page.url, files)
    footer = provenance.footer(used, relative, downloads, commit=COMMIT_TOKEN)
    parts = [html, src, page.url, page.title or "", json.dumps(raw), json.dumps(captions), json.dumps(downloads),
             footer, _SITEKIT_SOURCE]
    return closure.hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _process_page(html: str, page, files) -> dict:
    """Placeholders for outputs, reader extras: the cacheable part of on_page_content."""
    soup = BeautifulSoup(html, "html.parser")
    tags = python_block_tags(soup)
    runnable = [tag for tag in tags if not is_norun(tag)]
    codes = [block_code(tag) for tag in runnable]
    for index, tag in enumerate(runnable):
        tag.insert_after(Comment(PLACEHOLDER.format(index)))
    found = _reader_extras(soup, tags, page, files)
    return {"html": str(soup), "codes": codes, "blocks": len(tags),
            "corrections": [dataclasses.asdict(c) for c in found]}


def on_page_content(html, page, config, files):  # noqa: ARG001
    _trace(f"content {page.file.src_uri}")
    marker = re.search(r"<!-- rn:notebook (\S+) -->", html)
    if page.file.src_uri.startswith(NOTEBOOK_DIR + "/") and marker:
        # Filled in on_post_page: MkDocs renders the other pages meanwhile (the view has no
        # search entry and no table of contents, so nothing before that needs its HTML).
        _state.notebook_pages[page.file.src_uri] = marker[1]
        return NOTEBOOK_SLOT
    path = CACHE / "pages" / f"{_page_key(html, page, files)}.json"
    _state.used.add(path)
    if USE_CACHE and path.is_file():
        done = json.loads(path.read_text(encoding="utf-8"))
    else:
        done = _process_page(html, page, files)
        if USE_CACHE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(done), encoding="utf-8")
    src = page.file.src_uri
    codes = done["codes"]
    _state.stats["pages"] += 1
    _state.stats["blocks"] += done["blocks"]
    _state.stats["run"] += len(codes)
    _state.stats["norun"] += done["blocks"] - len(codes)
    for inc in _state.includes.get(src, []):
        _state.sources.add(inc.path)
        test = provenance.test_path(inc.path)
        if test:
            _state.sources.add(test)
    if _downloads(src, page.url, files):
        _state.stats["downloads"] += 1
    found = [corrections.Correction(**{**c, "evidence": [tuple(e) for e in c["evidence"]]})
             for c in done["corrections"]]
    _state.corrections.extend(found)
    _state.stats["corrections"] += len(found)
    if codes:
        _submit_page(src, codes)
    return done["html"].replace(COMMIT_TOKEN, provenance.environment()["commit"])


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context, page, config, nav):  # noqa: ARG001
    if MARKER_PAGE(page):
        outputs = {src: _page_outputs(src) for src in {c.page_src for c in _state.corrections}}
        order = {p.file.src_uri: i for i, p in enumerate(nav.pages)}
        collected = sorted(_state.corrections, key=lambda c: order.get(c.page_src, len(order)))
        listing = corrections.render(collected, outputs, lambda url: get_relative_url(url, page.url))
        page.content = page.content.replace(corrections.MARKER, listing)
    return context


def MARKER_PAGE(page) -> bool:  # noqa: N802
    return corrections.MARKER in (page.content or "")


def _output_html(text: str) -> str:
    return f'<div class="{OUTPUT_CLASS}"><pre><code>{html_lib.escape(text)}</code></pre></div>'


def on_post_page(output, page, config):  # noqa: ARG001
    if page.file.src_uri in _state.notebook_pages:
        src = _state.notebook_pages[page.file.src_uri]
        future = _state.notebooks.get(src)
        result = future.result() if future is not None else _notebook_html(src, page.url)
        if "error" in result:
            log.error("%s: notebook view not rendered:\n%s", page.file.src_uri, result["error"])
        body = result.get("html", "").replace(COMMIT_TOKEN, provenance.environment()["commit"])
        return output.replace(NOTEBOOK_SLOT, body, 1)
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
    _trace("post_build")
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
        _trace("post_build: figures written")
        _write_downloads(Path(config["site_dir"]))
        _trace("post_build: downloads written")
        _write_sources(Path(config["site_dir"]))
    finally:
        _state.close()
    if TRACE:
        import resource

        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        _trace(f"post_build done; CPU s: MkDocs process {own.ru_utime + own.ru_stime:.1f}, "
               f"workers {children.ru_utime + children.ru_stime:.1f}")
    s = _state.stats
    log.info(
        "sitekit: %d pages, %d Python blocks (%d run, %d marked norun), %d figures; "
        "%d results from cache, %d computed; %d pages with downloads, %d corrections",
        s["pages"], s["blocks"], s["run"], s["norun"], s["figures"], s["cached"], s["computed"],
        s["downloads"], s["corrections"],
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "build-stats.json").write_text(json.dumps(s), encoding="utf-8")
    if USE_CACHE:
        _trace(f"highlighting: {highlight_cache.save()}")
        _trace(f"cache: {prune_cache(CACHE, _state.used)} entries unused for {PRUNE_DAYS} days removed")
    if USE_CACHE:
        CACHE.mkdir(parents=True, exist_ok=True)
        TIMINGS.write_text(json.dumps(_state.timings, indent=0, sort_keys=True), encoding="utf-8")


PRUNE_DAYS = 14
_PRUNED = ("outputs", "figures", "downloads", "notebook-html", "pages")  # entries named by content hash


def prune_cache(cache: Path, used: set[Path], max_age_s: float = PRUNE_DAYS * 86400.0,
                now: float | None = None) -> int:
    """Mark ``used`` entries as used now; delete the other entries of ``cache`` not used for
    ``max_age_s`` (an entry serves every branch and build that has the same code, so it is
    kept a while rather than dropped as soon as one build does without it). Returns how many
    were deleted."""
    now = time.time() if now is None else now
    for path in used:
        with contextlib.suppress(OSError):
            os.utime(path, (now, now))
    removed = 0
    for kind in _PRUNED:
        for path in (cache / kind).glob("*"):
            with contextlib.suppress(OSError):
                if path not in used and now - path.stat().st_mtime > max_age_s:
                    path.unlink()
                    removed += 1
    return removed


def _write_downloads(site: Path) -> None:
    for src_uri, cells in _state.articles.items():
        if not _has_code(cells) or src_uri not in _state.titles:
            continue
        script, notebook = _notebook_for(src_uri)
        target = site / DOWNLOAD_DIR / _article_stem(src_uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.with_suffix(".py").write_text(script, encoding="utf-8")
        target.with_suffix(".ipynb").write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                                                encoding="utf-8")


def _write_sources(site: Path) -> None:
    for path in sorted(_state.sources | {provenance.PAGE_TEST}):
        source = ROOT / path
        if source.is_file():
            target = site / provenance.source_url(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


def on_shutdown():
    if _state is not None:
        _state.close()
