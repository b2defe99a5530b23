"""Render a figure function (``lang`` -> matplotlib Figure) for both palettes of the site: drawn
under the light style, the dark SVG is that drawing with each light theme colour swapped for its
dark twin, which equals drawing it dark (tested); pages show them with ``#only-light/dark``.
"""

from __future__ import annotations

import io
import os
import re

THEMES = {
    # Light colours are chosen to occur nowhere else in a figure (legend face #fffffe, not white):
    # the dark SVG is the light one with each of them replaced (``DARK``), see ``render``.
    "light": {"text.color": "#1f2328", "axes.labelcolor": "#1f2328", "axes.edgecolor": "#57606a",
              "xtick.color": "#1f2328", "ytick.color": "#1f2328", "grid.color": "#d0d7de",
              "axes.facecolor": "none", "figure.facecolor": "none", "legend.facecolor": "#fffffe",
              "legend.edgecolor": "#d0d7de"},
    "dark": {"text.color": "#e6edf3", "axes.labelcolor": "#e6edf3", "axes.edgecolor": "#8b949e",
             "xtick.color": "#e6edf3", "ytick.color": "#e6edf3", "grid.color": "#30363d",
             "axes.facecolor": "none", "figure.facecolor": "none", "legend.facecolor": "#161b22",
             "legend.edgecolor": "#30363d"},
}
# Debian fonts-wqy-microhei (installed by the Makefile): Chinese labels of the zh edition. Added by
# file, so a matplotlib font cache made before the font was installed does not hide it.
CJK_FONTS = ["WenQuanYi Micro Hei"]
CJK_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
# Series colours ("C0", "C1", ... and the default cycle): the Okabe-Ito set, told apart with
# the common colour-vision deficiencies. Its black and yellow vanish on one of the two page
# backgrounds and are left out; the first four keep 3:1 against both (WCAG 1.4.11).
OKABE_ITO = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]
COMMON = {"svg.fonttype": "none", "svg.hashsalt": "runnable-notes", "figure.dpi": 100,
          "savefig.transparent": True, "font.size": 10, "axes.prop_cycle": f"cycler('color', {OKABE_ITO})"}


def _palette_map() -> dict[str, str]:
    """Light colour -> dark colour, for every rc key the themes set to a colour."""
    mapping: dict[str, str] = {}
    for key, light in THEMES["light"].items():
        dark = THEMES["dark"][key]
        if light == dark:
            continue
        if mapping.setdefault(light, dark) != dark:
            raise ValueError(f"light colour {light} maps to both {mapping[light]} and {dark}")
    return mapping


DARK = _palette_map()
_HEX_RE = re.compile(r"#[0-9a-fA-F]{6}\b")


def render_theme(function, theme: str, lang: str = "en") -> str:
    """SVG text of ``function()`` drawn under one palette's style (``"light"`` or ``"dark"``).

    A function with a ``lang`` parameter is called with it (Chinese labels for the
    Chinese edition, drawn with a CJK font named in ``CJK_FONTS``)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import inspect

    import matplotlib
    import matplotlib.font_manager
    import matplotlib.pyplot as plt

    fonts = {}
    if lang != "en":
        if os.path.isfile(CJK_FONT_FILE):
            matplotlib.font_manager.fontManager.addfont(CJK_FONT_FILE)
        fonts = {"font.sans-serif": [*CJK_FONTS, *matplotlib.rcParams["font.sans-serif"]]}
    kwargs = {"lang": lang} if "lang" in inspect.signature(function).parameters else {}
    with matplotlib.rc_context({**COMMON, **THEMES[theme], **fonts}):
        figure = function(**kwargs)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
        plt.close(figure)
    return buffer.getvalue()


def render(function, lang: str = "en") -> dict[str, str]:
    """SVG text of the figure in each palette: ``{"light": ..., "dark": ...}``, drawn once."""
    light = render_theme(function, "light", lang)
    return {"light": light, "dark": to_dark(light)}


def to_dark(svg: str) -> str:
    """The light SVG in the dark palette: each light theme colour replaced by its dark twin.

    Equal to drawing the figure again under the dark style (the tests check this on
    the site's figures), at half the cost: a figure is drawn and saved once."""
    return _HEX_RE.sub(lambda m: DARK.get(m[0].lower(), m[0]), svg)
