"""Smoke tests of the benchmark harness and of every benchmark module in quick mode.

The topic modules the benchmarks time may not exist yet on this branch: stand-ins
(the production twins themselves) are put in ``sys.modules`` so the measured
path runs. The GPU code paths run on the CPU through Triton's interpreter at
tiny sizes (their numbers mean nothing; that the code runs is what is checked).
"""

from __future__ import annotations

import json
import os
import sys
import types

import torch

if not torch.cuda.is_available():
    os.environ["TRITON_INTERPRET"] = "1"  # before any Triton kernel of snippets is defined

import pytest  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from benchmarks import _harness  # noqa: E402
from benchmarks import __main__ as bench_main  # noqa: E402

INTERPRETING = os.environ.get("TRITON_INTERPRET") == "1"


@pytest.fixture
def stand_ins(monkeypatch):
    """Put the production twins in place of topic modules that are not written yet."""
    import torchvision.ops as ops
    from skimage import exposure

    for name, attrs in {"snippets.detection.nms": {"nms": ops.nms},
                        "snippets.detection.roi": {"roi_align": ops.roi_align},
                        "snippets.image.histogram": {"equalize_hist": exposure.equalize_hist},
                        "snippets.normalization.layer_norm": {"layer_norm": F.layer_norm}}.items():
        try:
            __import__(name)
        except ImportError:
            module = types.ModuleType(name)
            module.__dict__.update(attrs)
            monkeypatch.setitem(sys.modules, name, module)


class TestHarness:
    def test_median_times_interleaves_and_counts_inner(self):
        """Each function is called warmup + repeats * inner times, in alternation."""
        calls = []
        medians = _harness.median_times({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                        repeats=3, warmup=1, inner=2)
        assert set(medians) == {"a", "b"} and all(v >= 0 for v in medians.values())
        assert calls == ["a", "b"] + ["a", "a", "b", "b"] * 3

    def test_measure_ratio_and_bandwidth(self):
        """ratio = ours / twin; GB/s = bytes / median; of_copy = GB/s / copy bandwidth."""
        row = _harness.measure("case", {"ours": lambda: sum(range(20000)), "twin": lambda: None},
                               ours="ours", twin="twin", nbytes=10**9, repeats=3, copy_gbs=2.0)
        by = {r["impl"]: r for r in row["results"]}
        assert row["ratio"] == pytest.approx(by["ours"]["median_s"] / by["twin"]["median_s"])
        assert by["ours"]["gbs"] == pytest.approx(1.0 / by["ours"]["median_s"])
        assert by["ours"]["of_copy"] == pytest.approx(by["ours"]["gbs"] / 2.0)
        assert by["ours"]["role"] == "ours" and by["twin"]["role"] == "twin"

    def test_checks_open_when_not_measured(self):
        """A skipped row gives an open check (passed None), never a pass."""
        entry = _harness.ratio_check("x", _harness.skipped("case", "module missing"), 2.0, "<= 2")
        assert entry["passed"] is None and entry["measured"] == "not measured"
        assert _harness.ratio_check("x", {"ratio": 2.5}, 2.0, "<= 2")["passed"] is False

    def test_save_records_machine_date_versions(self, tmp_path, monkeypatch):
        """Saved JSON holds the metadata next to rows and checks."""
        monkeypatch.setattr(_harness, "RESULTS", tmp_path)
        path = _harness.save("demo", {"rows": [], "checks": []}, quick=True)
        saved = json.loads(path.read_text())
        assert {"date", "machine", "versions", "commit", "rows", "checks"} <= set(saved)
        assert saved["quick"] is True and saved["machine"]["cores"] >= 1 and "torch" in saved["versions"]

    def test_main_reports_open_and_keeps_going(self, tmp_path, monkeypatch, capsys):
        """The runner saves every topic, prints open checks and survives a crashing benchmark."""
        monkeypatch.setattr(_harness, "RESULTS", tmp_path)
        good = types.ModuleType("benchmarks.bench_zz_good")
        good.run = lambda quick=False: {"rows": [], "checks": [_harness.check("c", "t", None, None)]}
        bad = types.ModuleType("benchmarks.bench_zz_bad")
        bad.run = lambda quick=False: 1 / 0
        monkeypatch.setitem(sys.modules, "benchmarks.bench_zz_good", good)
        monkeypatch.setitem(sys.modules, "benchmarks.bench_zz_bad", bad)
        monkeypatch.setattr(bench_main.pkgutil, "iter_modules",
                            lambda path: [types.SimpleNamespace(name="bench_zz_good"),
                                          types.SimpleNamespace(name="bench_zz_bad")])
        assert bench_main.main(["--quick"]) == 1
        out = capsys.readouterr().out
        assert "[open] c: not measured" in out and "benchmarks that raised" in out
        assert (tmp_path / "zz_good.json").is_file()


class TestBenchmarksQuick:
    @pytest.mark.parametrize("topic", ["cpu_limits", "gpu_limits", "normalization", "gpu_normalization", "image",
                                       "detection", "gpu_sinx"])
    def test_runs_in_quick_mode(self, topic, stand_ins):
        """Each benchmark returns rows and checks; quick runs judge nothing (checks open or reported)."""
        module = __import__(f"benchmarks.bench_{topic}", fromlist=["run"])
        result = module.run(quick=True)
        assert result["rows"]
        json.dumps(result)  # serialisable as saved
        for entry in result["checks"]:
            assert {"name", "target", "measured", "passed"} <= set(entry)
        measured = [r for r in result["rows"] if r.get("results")]
        if topic in ("normalization", "image", "detection"):
            assert measured, "the CPU rows are measured (with stand-ins where the topic is not written yet)"
            assert all("ratio" in r for r in measured)

    @pytest.mark.skipif(not INTERPRETING, reason="a GPU is present: the real GPU rows run in make bench")
    def test_gpu_code_paths_run_on_cpu_interpreter(self, stand_ins, monkeypatch):
        """The GPU rows' code runs end to end on the CPU (interpreter, torch.compile replaced by identity)."""
        from benchmarks import bench_gpu_normalization, bench_gpu_sinx

        monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)
        rows, checks = bench_gpu_normalization._gpu_rows(True, device="cpu", ln_shape=(4, 64), bn_shape=(2, 3, 4, 4))
        cases = [r["case"] for r in rows]
        assert cases.count("LayerNorm forward (GPU)") == 2 and "LayerNorm backward (GPU)" in cases
        impls = {r["impl"] for r in rows[0]["results"]}
        assert {"ours: layer_norm_triton", "torch.compile(F.layer_norm)", "twin: F.layer_norm (eager)"} <= impls
        assert len(checks) == 4 and all("of copy" in c["target"] or "ahead" in c["name"] for c in checks)
        result = bench_gpu_sinx._measure(True, device="cpu", log2_n=10)
        assert result["rows"][0]["floor_s"] > 0 and "ours: sinx_triton" in {
            r["impl"] for r in result["rows"][0]["results"]}


class TestBuildBenchmark:
    def test_copy_holds_the_sources_and_nothing_generated(self, tmp_path):
        """The timed builds run in a copy with the pages, code and results, but no built or generated files."""
        from benchmarks import bench_build

        project = bench_build.copy_project(tmp_path)
        assert (project / bench_build.ARTICLE).is_file() and (project / "mkdocs.yml").is_file()
        assert (project / "sitekit" / "generate.py").is_file() and (project / "results").is_dir()
        for skipped in ("site", ".venv", "generated", ".cache", ".git"):
            assert not (project / skipped).exists(), skipped

    def test_quick_run_times_nothing(self):
        from benchmarks import bench_build

        result = bench_build.run(quick=True)
        assert result["rows"][0]["skipped"]
        assert [c["passed"] for c in result["checks"]] == [None, None]
