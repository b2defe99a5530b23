"""snippets.performance.report: tables and figures rendered from saved benchmark results."""

from __future__ import annotations

import json

import matplotlib
import pytest

from snippets.performance import figures, report

matplotlib.use("Agg")

META = {"date": "2026-01-01 00:00 UTC", "commit": "abc1234", "quick": False,
        "machine": {"cpu": "Test CPU", "cores": 2, "torch_threads": 2, "gpu": None, "load_average": [1.5, 1, 1]},
        "versions": {"torch": "9.9"}}
ROW = {"case": "op", "params": "(4, 4) float32", "device": "cpu", "bytes": 2 * 10**9, "ratio": 2.0, "ratio_cv2": 1.5,
       "results": [{"impl": "ours: op", "role": "ours", "median_s": 0.2, "gbs": 10.0, "of_copy": 0.5},
                   {"impl": "twin: op", "role": "twin", "median_s": 0.1, "gbs": 20.0, "of_copy": 1.0}]}


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    payload = {"topic": "demo", **META, "rows": [ROW, {"case": "gpu op", "device": "cuda", "params": "",
                                                      "results": [], "skipped": "no CUDA device"}],
               "checks": [{"name": "op within 3x", "target": "ours / twin <= 3", "measured": "2.00x", "passed": True},
                          {"name": "gpu op", "target": ">= 0.85", "measured": "not measured", "passed": None},
                          {"name": "op faster", "target": "ours / twin <= 1", "measured": "2.00x", "passed": False},
                          {"name": "extra", "target": "reported (no target)", "measured": "1x", "passed": True}]}
    (tmp_path / "demo.json").write_text(json.dumps(payload))
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    monkeypatch.setattr(report.load_results, "__defaults__", (tmp_path,))
    return tmp_path


class TestLoadResults:
    def test_reads_every_file_by_topic(self, results_dir):
        """Each <topic>.json is returned under its file stem."""
        assert list(report.load_results()) == ["demo"]


class TestDescribe:
    def test_names_machine_date_versions(self, results_dir):
        """The header carries date, commit, CPU, cores, GPU and versions."""
        text = report.describe(report.load_results()["demo"])
        for part in ("2026-01-01 00:00 UTC", "abc1234", "Test CPU", "2 cores", "GPU none", "torch 9.9"):
            assert part in text


class TestResultsTable:
    def test_medians_rates_ratio_and_skips(self, results_dir):
        """Medians in ms, GB/s, share of copy, the ratio, and the skip reason."""
        text = report.results_table(report.load_results()["demo"])
        assert "200.00 ms" in text and "100.00 ms" in text
        assert "10.00 GB/s" in text and "50.0% of copy" in text
        assert "ours / op = 2.00x" in text and "ours / cv2 = 1.50x" in text
        assert "skipped: no CUDA device" in text

    def test_rows_of_another_shape(self):
        """Rows without per-implementation results show their scalar fields."""
        text = report.results_table({"rows": [{"label": "(a) loop", "seconds": 0.5, "n": 10}]})
        assert "(a) loop [cpu]" in text and "seconds=0.5" in text and "n=10" in text


class TestChecksTable:
    def test_statuses(self, results_dir):
        """held / NOT held / open / reported, each with target and measured value."""
        text = report.checks_table(report.load_results())
        assert "[  held  ] demo: op within 3x" in text
        assert "[  open  ] demo: gpu op" in text
        assert "[NOT held] demo: op faster" in text
        assert "[reported] demo: extra" in text
        assert "target: ours / twin <= 3; measured: 2.00x" in text


class TestFigures:
    @pytest.mark.parametrize("name", ["ratio_figure", "bandwidth_figure"])
    def test_draws_from_results(self, name, results_dir):
        """Figures draw one bar per measured row / implementation."""
        figure = getattr(figures, name)()
        bars = [p for p in figure.axes[0].patches]
        assert len(bars) == (1 if name == "ratio_figure" else 2)

    @pytest.mark.parametrize("name", ["ratio_figure", "bandwidth_figure"])
    def test_empty_results(self, name, tmp_path, monkeypatch):
        """Without results the figure says how to make them."""
        monkeypatch.setattr(report.load_results, "__defaults__", (tmp_path,))
        figure = getattr(figures, name)()
        assert "make bench" in figure.axes[0].texts[0].get_text()


class TestLayerNormGpuSummary:
    def test_open_without_results(self):
        """No GPU file: the summary says open."""
        assert report.layer_norm_gpu_summary({}).startswith("GPU LayerNorm: open")

    def test_skipped_and_measured_rows(self):
        """A skipped row is open with its reason; a measured row lists GB/s and share of copy."""
        skipped = {"machine": {}, "date": "d", "rows": [{"case": "LayerNorm forward (GPU)", "params": "(2, 4) float32",
                                                         "skipped": "no CUDA device"}]}
        assert "open (no CUDA device)" in report.layer_norm_gpu_summary({"gpu_normalization": skipped})
        measured = {"machine": {"gpu": "Some GPU"}, "date": "d", "rows": [{
            "case": "LayerNorm forward (GPU)", "params": "(2, 4) float32", "copy_gbs": 4000.0,
            "results": [{"impl": "ours: layer_norm_triton", "gbs": 3600.0, "of_copy": 0.9}]}]}
        text = report.layer_norm_gpu_summary({"gpu_normalization": measured})
        assert "Some GPU" in text and "3600 GB/s" in text and "90.0% of copy" in text
