"""Figures for both palettes: the dark SVG is the light one recoloured, equal to drawing it dark."""

from __future__ import annotations

import importlib
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sitekit import figures  # noqa: E402

# Cheap figures of the site that carry legends, grids, annotations and embedded images.
SITE_FIGURES = [
    "snippets.normalization.figures:batch_size_figure",
    "snippets.performance.figures:ratio_figure",
    "snippets.parallel.figures:speedup_figure",
    "snippets.image.figures:bit_planes_figure",
]


def resolve(ref: str):
    module, name = ref.split(":")
    return getattr(importlib.import_module(module), name)


def everything_figure():
    """A figure using every themed colour: text, labels, ticks, spines, grid, legend, an image."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(5, 2))
    left.plot([0, 1, 2], [1, 0, 2], label="line")
    left.scatter([1], [1], edgecolors="white", label="white edge")  # white stays white
    left.grid(True)
    left.legend()
    left.set_title("title")
    left.set_xlabel("x")
    left.annotate("note", xy=(1, 1), xytext=(1.5, 1.5), arrowprops={"arrowstyle": "->"})
    right.imshow(np.arange(16.0).reshape(4, 4), cmap="gray")
    return fig


def same_up_to_ids(a: str, b: str) -> bool:
    """Equal once element ids are renamed by order of appearance (matplotlib hashes the
    colours into marker ids, so the two drawings name the same markers differently)."""
    def canonical(svg: str) -> str:
        ids: dict[str, str] = {}
        for match in re.finditer(r'\bid="([^"]+)"', svg):
            ids.setdefault(match[1], f"id{len(ids)}")
        if not ids:
            return svg
        pattern = "|".join(map(re.escape, sorted(ids, key=len, reverse=True)))
        return re.sub(rf'(?<=[#"])({pattern})\b', lambda m: ids[m[1]], svg)

    return canonical(a) == canonical(b)


@pytest.mark.parametrize("ref", ["tests.sitekit.test_figures:everything_figure", *SITE_FIGURES])
def test_recoloured_light_svg_equals_the_dark_drawing(ref: str):
    light = figures.render_theme(resolve(ref), "light")
    dark = figures.render_theme(resolve(ref), "dark")
    assert light != dark
    assert same_up_to_ids(figures.to_dark(light), dark)


def test_render_gives_both_palettes():
    svgs = figures.render(everything_figure)
    assert set(svgs) == {"light", "dark"}
    for light, dark in figures.DARK.items():
        assert light not in svgs["dark"].lower()
    assert "#e6edf3" in svgs["dark"] and "#1f2328" in svgs["light"]
    assert "#ffffff" in svgs["dark"]  # a colour the figure chose is left alone


def test_light_colours_must_map_to_one_dark_colour(monkeypatch):
    themes = {"light": {"text.color": "#111111", "grid.color": "#111111"},
              "dark": {"text.color": "#eeeeee", "grid.color": "#222222"}}
    monkeypatch.setattr(figures, "THEMES", themes)
    with pytest.raises(ValueError, match="#111111"):
        figures._palette_map()


def test_every_site_figure_has_a_caption_in_both_editions():
    """Every figure function of every topic carries @caption (the alt text and caption of the site)."""
    import inspect

    for path in sorted(figures_modules()):
        module = importlib.import_module(path)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_figure") and function.__module__ == path:
                assert set(getattr(function, "caption", {})) == {"en", "zh"}, f"{path}.{name}"


def figures_modules() -> list[str]:
    from sitekit.source import ROOT

    return [f"snippets.{p.parent.name}.figures" for p in (ROOT / "snippets").glob("*/figures.py")]
