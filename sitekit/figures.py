"""Render a figure function from ``snippets`` for both palettes of the site.

A figure function takes no arguments and returns a ``matplotlib.figure.Figure``.
It must not hard-code text or axis colours: the same function is called once
under the light style and once under the dark style, and both SVGs are shown
with Material's ``#only-light`` / ``#only-dark`` switches.
"""

from __future__ import annotations

import importlib
import io
import os

THEMES = {
    "light": {"text.color": "#1f2328", "axes.labelcolor": "#1f2328", "axes.edgecolor": "#57606a",
              "xtick.color": "#1f2328", "ytick.color": "#1f2328", "grid.color": "#d0d7de",
              "axes.facecolor": "none", "figure.facecolor": "none", "legend.facecolor": "white",
              "legend.edgecolor": "#d0d7de"},
    "dark": {"text.color": "#e6edf3", "axes.labelcolor": "#e6edf3", "axes.edgecolor": "#8b949e",
             "xtick.color": "#e6edf3", "ytick.color": "#e6edf3", "grid.color": "#30363d",
             "axes.facecolor": "none", "figure.facecolor": "none", "legend.facecolor": "#161b22",
             "legend.edgecolor": "#30363d"},
}
COMMON = {"svg.fonttype": "none", "svg.hashsalt": "runnable-notes", "figure.dpi": 100,
          "savefig.transparent": True, "font.size": 10}


def resolve(ref: str):
    """``"snippets.pkg.module:function"`` -> the function object."""
    if ref.count(":") != 1:
        raise ValueError(f"figure reference must look like 'snippets.module:function', got {ref!r}")
    module_name, func_name = ref.split(":")
    return getattr(importlib.import_module(module_name), func_name)


def render(ref: str) -> dict[str, str]:
    """SVG text of the figure in each theme: ``{"light": ..., "dark": ...}``."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib
    import matplotlib.pyplot as plt

    function = resolve(ref)
    svgs = {}
    for theme, style in THEMES.items():
        with matplotlib.rc_context({**COMMON, **style}):
            figure = function()
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
            plt.close(figure)
        svgs[theme] = buffer.getvalue()
    return svgs
