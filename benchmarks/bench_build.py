"""Building this site: generate (run the page code) then render, three ways.

The builds run in a copy of the repository's working files with a cache of their own
(``SITEKIT_CACHE``) and an empty numba cache (``NUMBA_CACHE_DIR``), so "cold" is what a
fresh clone does: every page module runs, every figure is drawn, every numba kernel is
compiled. Then the same build with everything cached, and after editing one article's
prose. Targets on the 2-core build machine: cold <= 15 s, after an edit <= 2 s.
"""

from __future__ import annotations

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


def timed_build(project: Path, cache: Path) -> float:
    """Seconds of ``python -m sitekit generate`` plus ``mkdocs build --strict``; raises if either fails."""
    env = {**os.environ, "SITEKIT_CACHE": str(cache), "NUMBA_CACHE_DIR": str(cache / "numba"),
           "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "PYTHONPATH": str(project)}
    start = time.perf_counter()
    for command in (["sitekit", "generate"], ["mkdocs", "build", "--strict", "-q"]):
        done = subprocess.run([sys.executable, "-m", *command], cwd=project, env=env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start


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
        warm = []
        for index in range(3):
            article = project / ARTICLE
            article.write_text(article.read_text(encoding="utf-8") + f"\nAn edited sentence ({index}).\n",
                               encoding="utf-8")
            warm.append(timed_build(project, cache))
    results = [{"impl": "cold: no cache", "role": "other", "median_s": cold, "runs_s": [cold]},
               {"impl": "cache primed, nothing changed", "role": "other", "median_s": statistics.median(primed),
                "runs_s": primed},
               {"impl": f"after editing {ARTICLE}", "role": "other", "median_s": statistics.median(warm),
                "runs_s": warm}]
    row = {"case": case, "params": params, "device": "cpu", "repeats": 1, "results": results,
           "note": "wall time of generate + mkdocs build; cold is one run, the others the median of 3"}
    warm_s = statistics.median(warm)
    checks = [check("cold build", f"<= {COLD_TARGET_S:.0f} s", f"{cold:.1f} s", cold <= COLD_TARGET_S),
              check("rebuild after editing one article", f"<= {WARM_TARGET_S:.0f} s", f"{warm_s:.1f} s",
                    warm_s <= WARM_TARGET_S)]
    return {"rows": [row], "checks": checks}
