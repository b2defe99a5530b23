"""Building this site: generate (run the page code) then render, three ways.

The builds run in a copy of the repository's working files with a cache of their own
(``SITEKIT_CACHE``) and an empty numba cache (``NUMBA_CACHE_DIR``), so "cold" is what a
fresh clone does: every page module runs, every figure is drawn, every numba kernel is
compiled. Then the same build with everything cached. Last, what ``make serve`` does after
an article is edited: its ``sitekit.serve.Site`` regenerates and rebuilds only the edited page
(a dirty build in the edition's own, already warm, MkDocs process). Targets on the 2-core
build machine: cold <= 15 s, after an edit <= 2 s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._harness import ROOT, check, skipped

ARTICLE = "docs/normalization/batch-norm.md"  # the article edited for the warm rebuilds
COLD_TARGET_S = 15.0
WARM_TARGET_S = 2.0
SKIP = shutil.ignore_patterns(".git", ".venv", "site", "site-zensical", ".cache", "generated", "node_modules",
                              "__pycache__", "*.egg-info")


def copy_project(workdir: Path) -> Path:
    """The working files (no venv, caches, generated files or built site) under ``workdir``."""
    shutil.copytree(ROOT, workdir / "project", ignore=SKIP)
    return workdir / "project"


# Run in the copy: build as ``make serve`` does, then edit the article three times, timing each rebuild.
SERVE_EDITS = f"""
import json, sys, time
from pathlib import Path
from sitekit.serve import Site

site, article, seconds = Site(), Path({ARTICLE!r}), []
site.build()
for index in range(3):
    article.write_text(article.read_text(encoding="utf-8") + f"\\nAn edited sentence ({{index}}).\\n", encoding="utf-8")
    start = time.perf_counter()
    assert site.poll() == {{"en": "dirty"}}
    seconds.append(time.perf_counter() - start)
print(json.dumps(seconds))
"""


def _run(project: Path, cache: Path, *args: str) -> str:
    """Run ``python args`` in the copy with its own caches; its stdout. Raises if it fails."""
    env = {**os.environ, "SITEKIT_CACHE": str(cache), "NUMBA_CACHE_DIR": str(cache / "numba"),
           "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "PYTHONPATH": str(project)}
    done = subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed_build(project: Path, cache: Path) -> float:
    """Seconds of ``python -m sitekit generate`` plus ``mkdocs build --strict``; raises if either fails."""
    start = time.perf_counter()
    for command in (["sitekit", "generate"], ["mkdocs", "build", "--strict", "-q"]):
        _run(project, cache, "-m", *command)
    return time.perf_counter() - start


def timed_edits(project: Path, cache: Path) -> list[float]:
    """Seconds ``make serve`` takes to show each of three edits of ``ARTICLE``."""
    return json.loads(_run(project, cache, "-c", SERVE_EDITS).splitlines()[-1])


def run(quick: bool = False) -> dict:
    case, params = "sitekit generate + mkdocs build --strict", "every page module, figure and download"
    if quick:
        return {"rows": [skipped(case, "quick run: a cold build takes tens of seconds", params)],
                "checks": [check("cold build", f"<= {COLD_TARGET_S:.0f} s", None, None),
                           check("rebuild after editing one article", f"<= {WARM_TARGET_S:.0f} s", None,
                                 None)]}
    with tempfile.TemporaryDirectory(prefix="rn-build-") as tmp:
        project = copy_project(Path(tmp))
        cache = Path(tmp) / "cache"
        cold = timed_build(project, cache)
        primed = [timed_build(project, cache) for _ in range(3)]
        warm = timed_edits(project, cache)
    results = [{"impl": "cold: no cache", "role": "other", "median_s": cold, "runs_s": [cold]},
               {"impl": "cache primed, nothing changed", "role": "other", "median_s": statistics.median(primed),
                "runs_s": primed},
               {"impl": f"make serve, after editing {ARTICLE}", "role": "other",
                "median_s": statistics.median(warm), "runs_s": warm}]
    row = {"case": case, "params": params, "device": "cpu", "repeats": 1, "results": results,
           "note": "cold and primed: wall time of generate + mkdocs build --strict (one run; median of 3); "
                   "edited: make serve's regenerate + dirty rebuild of the page (median of 3)"}
    warm_s = statistics.median(warm)
    checks = [check("cold build", f"<= {COLD_TARGET_S:.0f} s", f"{cold:.1f} s", cold <= COLD_TARGET_S),
              check("rebuild after editing one article", f"<= {WARM_TARGET_S:.0f} s", f"{warm_s:.1f} s",
                    warm_s <= WARM_TARGET_S)]
    return {"rows": [row], "checks": checks}
