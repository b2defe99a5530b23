"""Smoke test of benchmarks/bench_core.py at a tiny size: every experiment runs and reports what the page reads."""

from __future__ import annotations

import pytest


def test_quick_run_has_the_fields_the_page_reads(monkeypatch):
    """run(quick=True), chain counts cut to those the unit tests compile: every section and the 4 checks."""
    import benchmarks.bench_core as bench

    monkeypatch.setattr(bench, "ILP_CHAINS", (1, 8))
    monkeypatch.setattr(bench, "MLP_CHAINS", (1, 3, 8))
    result = bench.run(quick=True)
    assert result["ilp"]["chains"] == [1, 8] and all(t > 0 for t in result["ilp"]["ns_per_element"])
    d = result["divergence"]
    assert set(d["ns_per_element"]) == {"scalar", "where", "masked", "scalar, sorted mask"}
    assert all(len(v) == len(d["fractions"]) == 4 for v in d["ns_per_element"].values())
    lat = result["latency"]
    assert lat["working_sets"][0] == 4096 and len(lat["working_sets"]) == len(lat["ns_per_load"])
    assert result["mlp"]["chains"] == [1, 3, 8] and all(t > 0 for t in result["mlp"]["ns_per_load"])
    assert "skipped" in result["gpu"] or result["gpu"]["n"] > 0
    assert len(result["checks"]) == 4 and all(c["target"].startswith("reported") for c in result["checks"])


def test_gpu_code_runs_on_the_cpu():
    """The GPU experiment's code, run on the CPU with a tiny size: it returns every field the page prints."""
    from benchmarks.bench_core import FRACTIONS, _gpu

    result = _gpu(quick=True, device="cpu")
    assert "skipped" not in result, result.get("skipped")
    assert result["sinx_float32_terms10_ns_per_element"] > 0
    assert len(result["divergence_where_float64_ns_per_element"]) == len(FRACTIONS)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the CJK font is configured by the build
@pytest.mark.parametrize("name", ["ilp_figure", "divergence_figure", "latency_figure", "mlp_figure",
                                  "multithreading_figure", "gpu_model_figure", "roofline_figure",
                                  "speedup_figure"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_draw_from_recorded_results(name, lang):
    """Each figure of the parallel pages draws from results/bench/*.json, in English and in Chinese."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from snippets.parallel import figures

    fig = getattr(figures, name)(lang=lang)
    assert isinstance(fig, Figure) and fig.axes
    plt.close(fig)


def test_figure_bad_lang():
    """An unknown language is refused."""
    from snippets.parallel.figures import ilp_figure

    with pytest.raises(ValueError, match="lang must be 'en' or 'zh', got 'fr'"):
        ilp_figure(lang="fr")
