"""One build job in a fresh process: run a page module, or draw figures.

``sitekit.generate`` calls ``run_job`` in a new process per job, forked from a
server that has already imported the heavy libraries (``PRELOAD``). A page job runs the module top to
bottom, chunk by chunk (``sitekit.source.chunks``) in one namespace, as ``python
module.py`` would, and records what each named section printed; it stops at the
first error and reports the section and the traceback. A figure job draws the figures
the pages include from one ``figures`` module, in each language asked, in both palettes.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import time
import traceback
from pathlib import Path

from sitekit.source import ROOT, chunks

# Imported once by the fork server, not by every page: each job still starts with a fresh namespace.
PRELOAD = ["numpy", "torch", "torchvision", "matplotlib.pyplot", "scipy.ndimage", "numba", "skimage", "cv2"]


def run_page(path: Path) -> dict:
    """``{"outputs": {section: printed text}, "error": None or "section: traceback"}``."""
    namespace: dict = {"__name__": "__main__", "__file__": str(path)}
    outputs: dict[str, str] = {}
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    for index, (name, code) in enumerate(chunks(path)):
        buffer = io.StringIO()
        try:
            compiled = compile(code, f"{shown} [{name or f'chunk {index}'}]", "exec", dont_inherit=True)
            with contextlib.redirect_stdout(buffer):
                exec(compiled, namespace)  # noqa: S102 - running the page is the point
        except BaseException:  # noqa: BLE001 - report anything a section raises
            return {"outputs": outputs, "error": f"section {name!r}:\n{traceback.format_exc()}"}
        if name:
            outputs[name] = buffer.getvalue()
    return {"outputs": outputs, "error": None}


def run_figures(module: str, draw: list[tuple[str, str]]) -> dict:
    """Each ``(name, lang)`` figure of a ``figures`` module, in both palettes:
    ``{"figures": {lang: {name: {"light": svg, "dark": svg, "caption": ...}}}, "error": ...}``."""
    from sitekit.figures import render

    figures: dict[str, dict] = {}
    for name, lang in draw:
        try:
            function = getattr(importlib.import_module(module), name)
            figures.setdefault(lang, {})[name] = {**render(function, lang), "caption": function.caption}
        except BaseException:  # noqa: BLE001
            return {"figures": figures, "error": f"figure {module}:{name} ({lang}):\n{traceback.format_exc()}"}
    return {"figures": figures, "error": None}


def run_job(job: dict) -> dict:
    """Run one job (in a process of its own) and time it."""
    start = time.perf_counter()
    os.chdir(ROOT)
    if job["kind"] == "page":
        result = run_page(ROOT / job["path"])
    else:
        result = run_figures(job["module"], job["draw"])
    return {**result, "seconds": round(time.perf_counter() - start, 2)}
