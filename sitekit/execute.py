"""Run a page's Python blocks in order, in one namespace, as a reader would."""

from __future__ import annotations

import contextlib
import io
import os
import traceback
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_THREADS: dict[str, int] = {}  # thread counts of a fresh interpreter, recorded before any page ran


def _fresh_threads() -> None:
    """Give the page the thread counts a fresh interpreter has (what a reader's script or kernel gets).

    One process runs many pages (the build's workers, the doc-tests); a page that calls
    ``torch.set_num_threads(1)`` would otherwise change the float rounding of every later
    page, so what a page prints would depend on which pages ran before it.
    """
    import torch

    if "torch" not in _THREADS:
        _THREADS["torch"] = torch.get_num_threads()
    torch.set_num_threads(_THREADS["torch"])
    import sys

    numba = sys.modules.get("numba")
    if numba is not None:
        with contextlib.suppress(Exception):
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


@dataclass(frozen=True)
class BlockRun:
    stdout: str
    error: str | None  # formatted traceback, or None when the block succeeded


def run_blocks(codes: list[str], name: str = "page") -> list[BlockRun]:
    """Execute ``codes`` top to bottom in a fresh namespace; stop at the first error.

    Each block's stdout is captured separately. Matplotlib is forced to the
    non-interactive Agg backend and the working directory is the repository root.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    _fresh_threads()
    namespace: dict = {"__name__": "__main__", "__file__": f"<{name}>"}
    runs: list[BlockRun] = []
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for index, code in enumerate(codes):
            buffer = io.StringIO()
            error = None
            try:
                # dont_inherit: run the block under its own __future__ imports, not this module's
                compiled = compile(code, f"<{name} block {index + 1}>", "exec", dont_inherit=True)
                with contextlib.redirect_stdout(buffer):
                    exec(compiled, namespace)  # noqa: S102 - running the page is the point
            except BaseException:  # noqa: BLE001 - report anything a block raises
                error = traceback.format_exc()
            runs.append(BlockRun(buffer.getvalue(), error))
            if error is not None:
                break
    finally:
        os.chdir(cwd)
        with contextlib.suppress(Exception):
            import matplotlib.pyplot as plt

            plt.close("all")
    return runs
