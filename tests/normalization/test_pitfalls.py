"""snippets.normalization.pitfalls: freezing BN, precise statistics (vs update_bn), momentum conversion, ghost BN."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.optim.swa_utils import update_bn
from torch.testing import assert_close

from snippets.normalization.figures import batch_size_figure, ema_vs_precise_figure
from snippets.normalization.pitfalls import (
    RESULTS,
    GhostBatchNorm2d,
    freeze_batch_norm,
    ghost_batch_norm,
    is_frozen,
    keras_to_torch_momentum,
    precise_bn_stats,
    run_experiment,
    torch_to_keras_momentum,
)

ROOT = Path(__file__).resolve().parents[2]


def _net() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.BatchNorm2d(4, momentum=0.3)),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2), nn.BatchNorm1d(2))


def _bns(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def _step(model: nn.Module, seed: int = 1) -> None:
    """One SGD step (lr 0.1, weight decay) in training mode on a random batch."""
    torch.manual_seed(seed)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1, weight_decay=0.1)
    model.train()
    model(torch.randn(4, 3, 5, 5) * 2 + 1).pow(2).mean().backward()
    optimizer.step()


class TestFreezeBatchNorm:
    def test_eval_mode_survives_model_train(self):
        """After freezing, model.train() leaves every BN layer in eval mode, other layers in train mode."""
        model = freeze_batch_norm(_net())
        model.train()
        assert all(not bn.training for bn in _bns(model))
        assert model[0].training and model.training
        assert all(is_frozen(bn) for bn in _bns(model))

    def test_stats_and_params_do_not_change(self):
        """A training step changes convolutions but neither BN running stats nor BN weight/bias."""
        model = _net()
        _step(model, seed=0)  # non-trivial running stats first
        model.zero_grad(set_to_none=True)
        freeze_batch_norm(model)
        before = copy.deepcopy(model.state_dict())
        _step(model)
        after = model.state_dict()
        for key, value in before.items():
            changed = not torch.equal(value, after[key])
            is_bn = any(key.startswith(prefix) for prefix in ("1.", "3.1.", "7."))
            assert changed != is_bn, key
        assert all(p.grad is None for bn in _bns(model) for p in bn.parameters())

    def test_frozen_layer_is_fixed_affine_map(self):
        """A frozen BatchNorm2d computes what torchvision's FrozenBatchNorm2d computes with its buffers."""
        torchvision_ops = pytest.importorskip("torchvision.ops")
        bn = nn.BatchNorm2d(4)
        bn(torch.randn(8, 4, 3, 3) * 3 + 1)
        with torch.no_grad():
            bn.weight.uniform_(0.5, 1.5), bn.bias.uniform_(-1, 1)
        frozen_tv = torchvision_ops.FrozenBatchNorm2d(4)
        frozen_tv.load_state_dict({k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"})
        freeze_batch_norm(bn).train()
        x = torch.randn(2, 4, 3, 3)
        assert_close(bn(x), frozen_tv(x))

    def test_deepcopy_and_state_dict(self):
        """A deep copy stays frozen; state_dict keys are those of the unfrozen model."""
        model = freeze_batch_norm(_net())
        clone = copy.deepcopy(model).train()
        assert all(not bn.training for bn in _bns(clone))
        assert list(model.state_dict()) == list(_net().state_dict())
        _net().load_state_dict(model.state_dict())

    def test_naive_approaches_fail(self):
        """The two common half-measures: eval() is undone by train(); requires_grad=False keeps updating stats."""
        model = _net().eval()
        model.train()
        assert all(bn.training for bn in _bns(model))
        model = _net()
        for bn in _bns(model):
            bn.requires_grad_(False)
        mean = model[1].running_mean.clone()
        _step(model)
        assert not torch.equal(mean, model[1].running_mean)

    def test_untracked_bn_rejected(self):
        model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3, track_running_stats=False))
        with pytest.raises(ValueError, match="cannot freeze 1: it has track_running_stats=False"):
            freeze_batch_norm(model)

    def test_type_error(self):
        with pytest.raises(TypeError, match="model must be a torch.nn.Module, got list"):
            freeze_batch_norm([nn.BatchNorm1d(2)])

    def test_no_bn_is_noop(self):
        model = nn.Linear(2, 2)
        assert freeze_batch_norm(model) is model and model.weight.requires_grad


class TestPreciseBnStats:
    @staticmethod
    def _loader():
        torch.manual_seed(5)
        return [(torch.randn(6, 3, 5, 5) * 2 + 1, torch.zeros(6)) for _ in range(5)]

    def test_matches_update_bn(self):
        """Same running stats, momenta and mode afterwards as torch.optim.swa_utils.update_bn."""
        ours, ref = _net(), _net()
        _step(ours), _step(ref)
        ours.eval(), ref.eval()
        loader = self._loader()
        assert precise_bn_stats(ours, loader) is ours
        update_bn(loader, ref)
        assert_close(ours.state_dict(), ref.state_dict(), rtol=1e-6, atol=1e-6)
        assert [bn.momentum for bn in _bns(ours)] == [bn.momentum for bn in _bns(ref)] == [0.1, 0.3, 0.1]
        assert not ours.training and not any(bn.training for bn in _bns(ours))

    def test_population_mean_of_equal_batches(self):
        """With equal batches and a BN first layer, running_mean is the mean of the whole data."""
        bn = nn.BatchNorm2d(3)
        batches = [torch.randn(4, 3, 2, 2) + i for i in range(6)]
        precise_bn_stats(bn, batches)
        assert_close(bn.running_mean, torch.cat(batches).mean(dim=(0, 2, 3)))
        # running_var: average of the per-batch unbiased variances
        expected = torch.stack([b.var(dim=(0, 2, 3), correction=1) for b in batches]).mean(0)
        assert_close(bn.running_var, expected)

    def test_num_batches(self):
        """num_batches=k uses only the first k batches."""
        loader = self._loader()
        ours, ref = _net(), _net()
        precise_bn_stats(ours, loader, num_batches=2)
        update_bn(loader[:2], ref)
        assert_close(ours.state_dict(), ref.state_dict())

    def test_keeps_frozen_layers(self):
        """Layers frozen by freeze_batch_norm keep their statistics (update_bn would reset them)."""
        model = _net()
        _step(model)
        freeze_batch_norm(model)
        frozen_stats = model[1].running_var.clone()
        precise_bn_stats(model, self._loader())
        assert torch.equal(model[1].running_var, frozen_stats)

    def test_no_grad_and_inputs_untouched(self):
        loader = self._loader()
        copies = [x.clone() for x, _ in loader]
        model = _net()
        precise_bn_stats(model, loader)
        assert all(p.grad is None for p in model.parameters())
        assert all(torch.equal(x, c) for (x, _), c in zip(loader, copies))

    def test_bad_num_batches(self):
        with pytest.raises(ValueError, match="num_batches must be a positive int or None, got 0"):
            precise_bn_stats(_net(), self._loader(), num_batches=0)


class TestMomentum:
    def test_known_values(self):
        """Keras 0.99 (default) is torch 0.01; torch 0.1 (default) is Keras 0.9."""
        assert keras_to_torch_momentum(0.99) == pytest.approx(0.01)
        assert torch_to_keras_momentum(0.1) == pytest.approx(0.9)

    def test_same_running_average(self):
        """Keras' update  moving = moving * m + batch * (1 - m)  equals torch's with 1 - m."""
        torch.manual_seed(0)
        bn = nn.BatchNorm1d(3, momentum=keras_to_torch_momentum(0.9))
        keras_moving = torch.zeros(3)
        for _ in range(5):
            x = torch.randn(8, 3) + 2
            bn(x)
            keras_moving = keras_moving * 0.9 + x.mean(0) * (1 - 0.9)
        assert_close(bn.running_mean, keras_moving)

    @pytest.mark.parametrize("bad", [-0.1, 1.5])
    def test_out_of_range(self, bad):
        with pytest.raises(ValueError, match=f"momentum must be in \\[0, 1\\], got {bad}"):
            keras_to_torch_momentum(bad)
        with pytest.raises(ValueError, match="momentum must be in"):
            torch_to_keras_momentum(bad)


class TestExperiment:
    def test_tiny_run(self):
        """A tiny configuration runs and returns the keys the page reads."""
        result = run_experiment(steps=4, every=2, sweep_steps=2, batch_sizes=(4, 8), precise_batches=2,
                                n_train=256, n_val=64)
        assert [row["step"] for row in result["ema_vs_precise"]["0.1"]] == [2, 4]
        assert result["same_weights_for_both_momenta"] is True
        assert [row["batch_size"] for row in result["batch_size_sweep"]] == [4, 8]
        assert {"eval_mode", "train_mode", "logit_gap", "disagreement"} <= set(result["batch_size_sweep"][0])

    def test_recorded_results(self):
        """The committed results come from the default configuration."""
        recorded = json.loads((ROOT / RESULTS).read_text())
        assert recorded["config"]["batch_sizes"] == [2, 4, 8, 32, 128]
        assert len(recorded["ema_vs_precise"]["0.01"]) == recorded["config"]["steps"] // recorded["config"]["every"]

    def test_figures(self):
        import matplotlib.pyplot as plt

        for figure in (ema_vs_precise_figure(), batch_size_figure()):
            assert len(figure.axes) == 1
            plt.close(figure)


def _ghost_reference(x, size, weight=None, bias=None, eps=1e-5):
    return torch.cat([F.batch_norm(chunk, None, None, weight, bias, True, 0.0, eps) for chunk in x.split(size)])


class TestGhostBatchNorm:
    @pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
    @pytest.mark.parametrize("shape", [(12, 3), (12, 3, 5), (12, 3, 4, 4)])
    @pytest.mark.parametrize("size", [1, 3, 4, 12])
    def test_matches_torch_per_chunk(self, dtype, shape, size):
        """Equals F.batch_norm(chunk, training=True) concatenated over chunks of virtual_batch_size."""
        torch.manual_seed(0)
        x = torch.randn(shape, dtype=dtype) * 3 + 1
        if size == 1 and len(shape) == 2:
            size = 2  # one value per channel cannot be normalized
        weight, bias = torch.rand(3, dtype=dtype), torch.randn(3, dtype=dtype)
        assert_close(ghost_batch_norm(x, size, weight, bias, eps=1e-3), _ghost_reference(x, size, weight, bias, 1e-3))

    @settings(max_examples=15, deadline=None)
    @given(groups=st.integers(1, 4), size=st.integers(2, 5), channels=st.integers(1, 4), affine=st.booleans(),
           seed=st.integers(0, 2**16))
    def test_property_matches_torch(self, groups, size, channels, affine, seed):
        """Random shapes, with and without weight/bias."""
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn(groups * size, channels, 3, 2, generator=gen) * 2
        weight = torch.rand(channels, generator=gen) if affine else None
        bias = torch.randn(channels, generator=gen) if affine else None
        assert_close(ghost_batch_norm(x, size, weight, bias), _ghost_reference(x, size, weight, bias))

    def test_whole_batch_is_batch_norm(self):
        """virtual_batch_size = N: plain training-mode batch norm; each chunk has mean 0, variance 1."""
        torch.manual_seed(1)
        x = torch.randn(8, 2, 3, 3) + 5
        assert_close(ghost_batch_norm(x, 8), F.batch_norm(x, None, None, training=True))
        chunks = ghost_batch_norm(x, 2).reshape(4, 2, 2, 3, 3)
        assert_close(chunks.mean(dim=(1, 3, 4)), torch.zeros(4, 2), atol=1e-6, rtol=0)

    def test_gradcheck(self):
        """Gradients with respect to x, weight and bias (float64)."""
        torch.manual_seed(2)
        x = torch.randn(6, 2, 3, dtype=torch.float64, requires_grad=True)
        weight = torch.rand(2, dtype=torch.float64, requires_grad=True)
        bias = torch.randn(2, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda *a: ghost_batch_norm(a[0], 3, a[1], a[2]), (x, weight, bias))

    def test_gradient_matches_torch(self):
        """The same x.grad as autograd through the per-chunk F.batch_norm."""
        torch.manual_seed(3)
        x = torch.randn(8, 3, 2, 2, requires_grad=True)
        ref_x = x.detach().clone().requires_grad_(True)
        upstream = torch.randn(8, 3, 2, 2)
        ghost_batch_norm(x, 4).backward(upstream)
        _ghost_reference(ref_x, 4).backward(upstream)
        assert_close(x.grad, ref_x.grad)

    def test_input_not_mutated(self):
        x = torch.randn(4, 2, 3)
        copy_ = x.clone()
        ghost_batch_norm(x, 2, torch.ones(2), torch.zeros(2))
        assert torch.equal(x, copy_)

    def test_not_a_multiple(self):
        with pytest.raises(ValueError, match="N=10 must be a multiple of virtual_batch_size=4"):
            ghost_batch_norm(torch.randn(10, 3), 4)

    @pytest.mark.parametrize("bad", [0, -2, 2.0, True])
    def test_bad_virtual_batch_size(self, bad):
        with pytest.raises(ValueError, match="virtual_batch_size must be a positive int"):
            ghost_batch_norm(torch.randn(4, 3), bad)

    def test_bad_weight_and_dtype(self):
        with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
            ghost_batch_norm(torch.randn(4, 3), 2, torch.ones(4))
        with pytest.raises(TypeError, match="x must have a floating dtype"):
            ghost_batch_norm(torch.ones(4, 3, dtype=torch.long), 2)


class TestGhostBatchNorm2d:
    def test_training_and_running_stats(self):
        """Training output is ghost_batch_norm; momentum=None running stats average the chunks' statistics."""
        torch.manual_seed(4)
        layer = GhostBatchNorm2d(3, virtual_batch_size=2, momentum=None)
        x = torch.randn(6, 3, 4, 4) * 2 + 1
        assert_close(layer(x), ghost_batch_norm(x, 2, layer.weight, layer.bias))
        chunks = x.split(2)
        assert_close(layer.running_mean, torch.stack([c.mean(dim=(0, 2, 3)) for c in chunks]).mean(0))
        assert_close(layer.running_var, torch.stack([c.var(dim=(0, 2, 3)) for c in chunks]).mean(0))
        assert layer.num_batches_tracked.item() == 3

    def test_eval_is_batch_norm(self):
        layer, ref = GhostBatchNorm2d(3, virtual_batch_size=2), nn.BatchNorm2d(3)
        x = torch.randn(4, 3, 2, 2)
        layer(x), ref.load_state_dict(layer.state_dict())
        assert_close(layer.eval()(x), ref.eval()(x))
