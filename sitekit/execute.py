"""Run a page's Python blocks in order, in one namespace, as a reader would."""

from __future__ import annotations

import contextlib
import io
import os
import traceback
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
    namespace: dict = {"__name__": "__main__", "__file__": f"<{name}>"}
    runs: list[BlockRun] = []
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for index, code in enumerate(codes):
            buffer = io.StringIO()
            error = None
            try:
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
