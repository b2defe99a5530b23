"""snippets.normalization.experiments: smoke runs of the digits experiments, the recorded results, the figures."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from snippets.normalization import figures
from snippets.normalization.experiments import (
    TRAINING_RESULTS,
    WU_JOHNSON_RESULTS,
    NoisyBatchNorm2d,
    grouped_batches,
    load_digits_tensors,
    load_results,
    make_cnn,
    run_training_experiment,
    run_wu_johnson_experiment,
    shift_domain,
)
from snippets.normalization.pitfalls import GhostBatchNorm2d


class TestData:
    def test_digits(self):
        """1797 digits in [0, 1], split 1285 / 512, every class in the test set."""
        x, y, x_test, y_test = load_digits_tensors()
        assert x.shape == (1285, 1, 8, 8) and x_test.shape == (512, 1, 8, 8)
        assert x.min() == 0 and x.max() == 1 and set(y_test.tolist()) == set(range(10))

    def test_shift_domain(self):
        x = torch.tensor([0.0, 0.5, 1.0])
        assert torch.equal(shift_domain(x, 2.0, -0.5), torch.tensor([-0.5, 0.5, 1.5]))

    def test_grouped_batches(self):
        """A shared offset per batch; the label is the sign of the sample's own deviation."""
        x, labels = grouped_batches(3, 16, dim=4, offset_std=100.0)
        assert x.shape == (3, 16, 4) and labels.shape == (3, 16)
        assert (x[:, :, 0].std(1) < 5).all()  # within a batch: the N(0, 1) part only
        assert set(labels.unique().tolist()) == {0, 1}


class TestModels:
    @pytest.mark.parametrize("norm, layer", [("none", None), ("bn", nn.BatchNorm2d), ("noisy", NoisyBatchNorm2d),
                                             (4, GhostBatchNorm2d)])
    def test_make_cnn(self, norm, layer):
        """Same conv weights for every variant; 10 logits; the requested normalization layer."""
        model = make_cnn(norm)
        assert model(torch.rand(8, 1, 8, 8)).shape == (8, 10)
        norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        assert len(norms) == (0 if layer is None else 3) and all(type(m) is layer for m in norms)
        assert torch.equal(model[0].weight, make_cnn("bn")[0].weight)

    def test_noisy_bn(self):
        """Training: a per-channel affine map of BN's output, new at each call; eval: plain BN."""
        torch.manual_seed(0)
        noisy, plain = NoisyBatchNorm2d(3), nn.BatchNorm2d(3)
        x = torch.randn(4, 3, 5, 5)
        y1, y2, ref = noisy(x), noisy(x), plain(x)
        assert not torch.allclose(y1, y2)
        ratio = (y1 - y1.mean(dim=(0, 2, 3), keepdim=True)) / ref
        assert torch.allclose(ratio, ratio[:1, :, :1, :1].expand_as(ratio), atol=1e-4)  # per-channel scale
        plain.load_state_dict(noisy.state_dict())
        assert torch.equal(noisy.eval()(x), plain.eval()(x))


@pytest.fixture
def one_thread():
    """One torch thread, as the recorded runs use: tiny ops on a busy machine run far faster."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.usefixtures("one_thread")
class TestExperiments:
    def test_training_smoke(self):
        """A tiny configuration returns the keys the page and figures read."""
        result = run_training_experiment(steps=4, lrs=(0.1,), probe_every=2)
        assert [(r["norm"], r["lr"]) for r in result["runs"]] == [("none", 0.1), ("bn", 0.1), ("noisy", 0.1)]
        run = result["runs"][1]
        assert {"loss", "drift", "diverged", "peak_loss", "test_accuracy", "train_accuracy", "active_units"} <= set(run)
        assert [d["step"] for d in run["drift"]] == [2, 4] and set(run["drift"][0]) == {"step", "conv2", "conv3",
                                                                                         "linear"}

    def test_wu_johnson_smoke(self):
        result = run_wu_johnson_experiment(steps=2, virtual_batch_sizes=(4, 128), shifts=((0.5, 0.5),),
                                           leak_steps=3)
        assert len(result["domain_shift"]["shifts"]) == 1
        assert {"source_stats", "adabn"} <= set(result["domain_shift"]["shifts"][0])
        assert [row["virtual_batch_size"] for row in result["ghost"]] == [4, 128]
        assert set(result["leakage"]) == {"bn", "none"}

    def test_recorded_results(self):
        """The committed files come from the default configuration and stayed within 90 s of CPU."""
        training, wu_johnson = load_results(TRAINING_RESULTS), load_results(WU_JOHNSON_RESULTS)
        assert training["config"]["lrs"] == [0.01, 0.1, 1.0] and len(training["runs"]) == 9
        assert wu_johnson["config"]["virtual_batch_sizes"] == [2, 4, 8, 16, 32, 128]
        assert training["meta"]["cpu_seconds"] + wu_johnson["meta"]["cpu_seconds"] <= 90

    @pytest.mark.parametrize("name", figures.__all__)
    @pytest.mark.parametrize("lang", ["en", "zh"])
    def test_figures(self, name, lang):
        from sitekit.figures import render_theme  # as the site draws it: CJK font for zh

        svg = render_theme(getattr(figures, name), "light", lang)
        assert "<svg" in svg and "<text" in svg
        assert (re.search(r"[\u4e00-\u9fff]", svg) is not None) == (lang == "zh")
