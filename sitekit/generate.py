"""Generate, then render: run the page code once and write everything it makes as plain files.

Each page module (``snippets/<topic>/examples/<article>_page.py``), and each topic's figures
that pages include, run once in a fresh process (``sitekit.run``), two at a time, cached under
``.cache/sitekit`` by ``sitekit.source.key``. Written: ``generated/<lang>/`` (per module
section its output and caption, per figure its ``<figure>``, per page its downloads,
*Tested with* box and corrections list) and ``<docs>/assets/generated/`` (SVGs, the ``.py``
and ``.ipynb`` downloads, plain-text copies of shown modules and tests).
``SITEKIT_NO_CACHE=1`` ignores the cache, ``SITEKIT_CACHE`` moves it, ``SITEKIT_JOBS`` sets the pool size.
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from sitekit import fragments, notebook
from sitekit.run import PRELOAD, run_job
from sitekit.source import ROOT, forget, includes, key, page_modules, sections

EDITIONS = {"en": ("docs", "mkdocs.yml"), "zh": ("docs-zh", "mkdocs.zh.yml")}
GENERATED = ROOT / "generated"
SHARED_ASSETS = ("stylesheets", "javascripts", "vendor")  # under docs/assets, used by every edition
CACHE = Path(os.environ.get("SITEKIT_CACHE") or ROOT / ".cache" / "sitekit")
JOBS = int(os.environ.get("SITEKIT_JOBS", max(1, min(2, os.cpu_count() or 1))))
RUNNER = "".join((ROOT / "sitekit" / n).read_text(encoding="utf-8") for n in ("run.py", "figures.py", "source.py"))


def editions() -> dict[str, Path]:
    """The editions whose docs folder exists: ``{lang: docs dir}``."""
    return {lang: ROOT / d for lang, (d, _) in EDITIONS.items() if (ROOT / d).is_dir()}


def pages(docs: Path) -> dict[str, str]:
    """``{topic/article.md: Markdown}`` of an edition, generated assets left out."""
    return {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(docs.rglob("*.md")) if "assets" not in p.relative_to(docs).parts}


def figure_refs(markdown: str, lang: str) -> list[tuple[str, str]]:
    """``(topic, function)`` of every figure a page includes."""
    prefix = f"generated/{lang}/snippets/"
    return [(p[len(prefix):].split("/")[0], s) for p, s in includes(markdown)
            if p.startswith(prefix) and p.endswith("/figures.md") and s]


def _jobs(editions_pages: dict[str, dict[str, str]]) -> dict[str, dict]:
    """Every job the pages need, by cache key."""
    jobs = {}
    for module in page_modules():
        path = module.relative_to(ROOT).as_posix()
        jobs[key(module, RUNNER)] = {"kind": "page", "path": path}
    draw: dict[str, set[tuple[str, str]]] = {}  # per topic: (figure, language) to draw
    texts: dict[str, str] = {}  # per topic: its figures.py
    for lang, docs_pages in editions_pages.items():
        for markdown in docs_pages.values():
            for topic, name in figure_refs(markdown, lang):
                if topic not in texts:
                    texts[topic] = (ROOT / "snippets" / topic / "figures.py").read_text(encoding="utf-8")
                # a figure without words to translate (no ``lang`` parameter) is drawn once for both editions
                words = re.search(rf"^def {name}\([^)]*\blang\b", texts[topic], re.MULTILINE)
                draw.setdefault(topic, set()).add((name, lang if words else "en"))
    for topic, pairs in draw.items():  # one job a topic: a process draws many figures faster than one
        job = {"kind": "figures", "module": f"snippets.{topic}.figures", "draw": sorted(pairs)}
        jobs[key(ROOT / "snippets" / topic / "figures.py", RUNNER + json.dumps(job))] = job
    return jobs


def _pool() -> ProcessPoolExecutor:
    """A pool whose every job runs in a new process forked from a server that preloaded torch & co."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([m for m in PRELOAD if importlib.util.find_spec(m.split(".")[0])])
    return ProcessPoolExecutor(JOBS, mp_context=context, max_tasks_per_child=1)


def run_jobs(jobs: dict[str, dict]) -> tuple[dict[str, dict], int]:
    """Results of every job, from the cache or run now; returns them and how many ran."""
    results, todo = {}, []
    use_cache = os.environ.get("SITEKIT_NO_CACHE") != "1"
    for k, job in jobs.items():
        cached = CACHE / f"{k}.json"
        if use_cache and cached.is_file():
            results[k] = json.loads(cached.read_text(encoding="utf-8"))
            os.utime(cached)
        else:
            todo.append(k)
    try:
        known = json.loads((CACHE / "durations.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    seconds = {json.dumps(j, sort_keys=True): known.get(json.dumps(j, sort_keys=True), 60) for j in jobs.values()}
    todo.sort(key=lambda k: -seconds[json.dumps(jobs[k], sort_keys=True)])  # longest first
    with _pool() as pool:
        for k, result in zip(todo, pool.map(run_job, [jobs[k] for k in todo])):
            results[k] = result
            if not result.get("error"):
                CACHE.mkdir(parents=True, exist_ok=True)
                (CACHE / f"{k}.json").write_text(json.dumps(result), encoding="utf-8")
                seconds[json.dumps(jobs[k], sort_keys=True)] = result["seconds"]
    (CACHE / "durations.json").write_text(json.dumps(seconds, indent=0), encoding="utf-8")
    return results, len(todo)


def files_for(lang: str, docs: Path, docs_pages: dict[str, str], outputs: dict[str, dict[str, str]],
              figures: dict[tuple[str, str], dict], site_url: str, nav: list[str]) -> dict[Path, str]:
    """Every generated file of one edition: ``{path: text}``."""
    out: dict[Path, str] = {}
    gen, assets = GENERATED / lang, docs / fragments.ASSETS
    shown: set[str] = set()
    figure_names: dict[str, set[str]] = {}
    for src, markdown in docs_pages.items():
        code = [(p, s) for p, s in includes(markdown) if p.endswith(".py")]
        shown |= {p for p, _ in code}
        for topic, name in figure_refs(markdown, lang):
            figure_names.setdefault(topic, set()).add(name)
        used = {p: list(dict.fromkeys(n for q, n in code if q == p and n and n != "imports")) for p, _ in code}
        module, body, links = next((p for p in used if "/examples/" in p), None), "", ""
        if module:
            topic, stem = src.split("/")[0], src.removesuffix(".md").split("/")[-1]
            stem = topic if stem == "index" else stem
            out[assets / "downloads" / topic / f"{stem}.py"] = (ROOT / module).read_text(encoding="utf-8")
            out[assets / "downloads" / topic / f"{stem}.ipynb"] = notebook.notebook(
                ROOT / module, module, markdown, outputs.get(module, {}), site_url, src, _title(markdown) or stem,
                fragments.LABELS[lang]["intro"])
            links = fragments.downloads(stem, topic, lang)
            body += fragments.section("downloads", links)
        body += fragments.section("tested-with", fragments.tested_with(used, links, lang))
        if src.startswith("corrections/"):
            listed = [fragments.corrections(p, _title(docs_pages[p]), docs_pages[p], outputs, lang)
                      for p in nav if p in docs_pages and p != src]
            body += fragments.section("list", "\n".join(x for x in listed if x))
        out[gen / "pages" / src] = body
    for path in sorted(shown):
        body = "".join(fragments.section(name, fragments.output_block(outputs.get(path, {}).get(name, ""))
                                         + fragments.caption(path, lang))
                       for name in sections(ROOT / path))
        out[gen / path.replace(".py", ".md")] = body
        for repo_path in (path, fragments.test_of(path)):
            if repo_path:
                out[assets / "source" / f"{repo_path}.txt"] = (ROOT / repo_path).read_text(encoding="utf-8")
    for topic, names in figure_names.items():
        body = ""
        for name in sorted(names):
            module = f"snippets.{topic}.figures"
            drawn = figures.get((module, lang), {}).get(name) or figures[(module, "en")][name]
            body += fragments.section(name, fragments.figure(topic, name, drawn["caption"][lang], lang))
            for palette in ("light", "dark"):
                out[assets / "figures" / topic / f"{name}.{palette}.svg"] = drawn[palette]
        out[gen / "snippets" / topic / "figures.md"] = out.get(gen / "snippets" / topic / "figures.md", "") + body
    return out


def _title(markdown: str) -> str:
    return next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), "")


def sync(files: dict[Path, str | bytes], roots: list[Path]) -> list[Path]:
    """Write the files whose content changed; remove files under ``roots`` that are no longer made.

    Returns the paths written or removed."""
    changed = []
    for path, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(path)
    for root in roots:
        for path in list(root.rglob("*")) if root.is_dir() else []:
            if path.is_file() and path not in files:
                path.unlink()
                changed.append(path)
    return changed


def nav_order(config: dict) -> list[str]:
    """Page sources in the ``nav`` order of a loaded configuration."""
    return re.findall(r'"([^"]+\.md)"', json.dumps(config.get("nav", [])))


class PageCodeFailed(Exception):
    """A page module or a figure raised: the message names each, with the section and traceback."""


def update(code_changed: bool = True) -> list[Path]:
    """Run what changed, write every generated file, print a summary; returns the files changed.

    ``code_changed=False`` (only pages or the theme changed) reuses the hashes of the code."""
    start = time.perf_counter()
    if code_changed:
        forget()
        fragments.twins.cache_clear()
    all_pages = {lang: pages(docs) for lang, docs in editions().items()}
    jobs = _jobs(all_pages)
    results, ran = run_jobs(jobs)
    errors = [f"{j.get('path') or j['module']}: {results[k]['error']}" for k, j in jobs.items() if results[k].get("error")]
    if errors:
        raise PageCodeFailed("sitekit: page code failed\n" + "\n".join(errors))
    outputs = {j["path"]: results[k]["outputs"] for k, j in jobs.items() if j["kind"] == "page"}
    figures: dict[tuple[str, str], dict] = {}
    for k, j in jobs.items():
        for lang, drawn in results[k].get("figures", {}).items():
            figures.setdefault((j["module"], lang), {}).update(drawn)
    files: dict[Path, str] = {}
    roots = [GENERATED]
    for lang, docs in editions().items():
        config = yaml.load((ROOT / EDITIONS[lang][1]).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        files |= files_for(lang, docs, all_pages[lang], outputs, figures, config.get("site_url", "/"),
                           nav_order(config))
        roots.append(docs / fragments.ASSETS)
        if lang != "en":  # the English edition's stylesheets, scripts and KaTeX, copied (not linked)
            for folder in SHARED_ASSETS:
                files |= {docs / "assets" / folder / p.relative_to(ROOT / "docs" / "assets" / folder): p.read_bytes()
                          for p in (ROOT / "docs" / "assets" / folder).rglob("*") if p.is_file()}
                roots.append(docs / "assets" / folder)
    changed = sync(files, roots)
    print(f"sitekit: {sum(len(p) for p in all_pages.values())} pages, {len(jobs)} jobs ({ran} run, "
          f"{len(jobs) - ran} cached), {len(files)} files ({len(changed)} changed) "
          f"in {time.perf_counter() - start:.1f} s")
    return changed


def generate() -> int:
    """``python -m sitekit generate``: ``update``, as an exit status."""
    try:
        update()
    except PageCodeFailed as error:
        print(error, file=sys.stderr)
        return 1
    return 0
