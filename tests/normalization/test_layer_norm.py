"""snippets.normalization.layer_norm against torch.nn.functional and torch.nn."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from snippets.normalization.figures import axes_figure
from snippets.normalization.layer_norm import (
    GroupNorm,
    InstanceNorm2d,
    LayerNorm,
    RMSNorm,
    group_norm,
    instance_norm,
    layer_norm,
    normalized_sets,
    rms_norm,
)

DTYPES = [torch.float32, torch.float64]


def _randn(*shape, dtype=torch.float32, device="cpu", scale=3.0, shift=1.0):
    return torch.randn(*shape, dtype=dtype, device=device) * scale + shift


class TestLayerNorm:
    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("shape, normalized_shape", [
        ((4, 7), (7,)), ((2, 5, 8), (8,)), ((2, 3, 4, 5), (3, 4, 5)), ((3, 4, 5), (4, 5)), ((6,), 6),
    ])
    @pytest.mark.parametrize("affine", [True, False])
    def test_matches_torch(self, shape, normalized_shape, dtype, affine, torch_device):
        """Output equals F.layer_norm (default assert_close tolerances per dtype)."""
        torch.manual_seed(0)
        x = _randn(*shape, dtype=dtype, device=torch_device)
        ns = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        w = torch.rand(ns, dtype=dtype, device=torch_device) + 0.5 if affine else None
        b = torch.randn(ns, dtype=dtype, device=torch_device) if affine else None
        assert_close(layer_norm(x, normalized_shape, w, b, eps=1e-3), F.layer_norm(x, ns, w, b, eps=1e-3))

    def test_known_values(self):
        """[1, 2, 3, 4] -> (x - 2.5) / sqrt(1.25): biased variance, per row."""
        x = torch.tensor([[1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 10.0, 12.0]])
        y = layer_norm(x, 4, eps=0.0)
        assert_close(y[0], (x[0] - 2.5) / 1.25 ** 0.5)
        assert_close(y[1], torch.tensor([-1.0, -1.0, -1.0, 3.0]) / 3 ** 0.5)

    def test_norm_is_sqrt_d(self):
        """Without affine, each normalized vector has mean 0 and norm sqrt(D) (eps=0)."""
        torch.manual_seed(1)
        y = layer_norm(_randn(5, 64, dtype=torch.float64), 64, eps=0.0)
        assert_close(y.mean(-1), torch.zeros(5, dtype=torch.float64))
        assert_close(y.norm(dim=-1), torch.full((5,), 8.0, dtype=torch.float64))

    @settings(max_examples=40, deadline=None)
    @given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=2),
           trail=st.lists(st.integers(1, 5), min_size=1, max_size=3), seed=st.integers(0, 2**16))
    def test_matches_torch_random_shapes(self, lead, trail, seed):
        """Property: any leading and trailing dims give F.layer_norm's output (float64)."""
        torch.manual_seed(seed)
        x = _randn(*lead, *trail, dtype=torch.float64)
        w, b = torch.randn(trail, dtype=torch.float64), torch.randn(trail, dtype=torch.float64)
        assert_close(layer_norm(x, trail, w, b), F.layer_norm(x, trail, w, b))

    def test_gradcheck(self):
        torch.manual_seed(2)
        x = torch.randn(3, 4, 5, dtype=torch.float64, requires_grad=True)
        w = torch.rand(4, 5, dtype=torch.float64, requires_grad=True)
        b = torch.rand(4, 5, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda x, w, b: layer_norm(x, (4, 5), w, b), (x, w, b))

    def test_input_not_mutated(self):
        x, w, b = torch.randn(2, 6), torch.rand(6), torch.rand(6)
        copies = (x.clone(), w.clone(), b.clone())
        layer_norm(x, 6, w, b)
        assert_close((x, w, b), copies, rtol=0, atol=0)

    def test_shape_mismatch(self):
        """normalized_shape that is not the trailing dims names both shapes."""
        with pytest.raises(ValueError, match=r"normalized_shape=\[4\] must equal the last 1 dims of x, got x of shape \(2, 3\)"):
            layer_norm(torch.randn(2, 3), 4)
        with pytest.raises(ValueError, match="must equal the last 3 dims"):
            layer_norm(torch.randn(2, 3), (1, 2, 3))

    def test_bad_normalized_shape_and_weight(self):
        with pytest.raises(ValueError, match="normalized_shape must be a positive int"):
            layer_norm(torch.randn(2, 3), ())
        with pytest.raises(ValueError, match=r"weight must have shape normalized_shape=\(3,\), got \(4,\)"):
            layer_norm(torch.randn(2, 3), 3, torch.ones(4))

    def test_integer_input(self):
        with pytest.raises(TypeError, match="x must have a floating dtype"):
            layer_norm(torch.ones(2, 3, dtype=torch.long), 3)


class TestGroupNorm:
    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("shape, groups", [((2, 6), 3), ((3, 6, 7), 2), ((2, 6, 4, 5), 3), ((2, 4, 2, 3, 3), 4)])
    @pytest.mark.parametrize("affine", [True, False])
    def test_matches_torch(self, shape, groups, dtype, affine, torch_device):
        torch.manual_seed(0)
        x = _randn(*shape, dtype=dtype, device=torch_device)
        c = shape[1]
        w = torch.rand(c, dtype=dtype, device=torch_device) + 0.5 if affine else None
        b = torch.randn(c, dtype=dtype, device=torch_device) if affine else None
        assert_close(group_norm(x, groups, w, b, eps=1e-4), F.group_norm(x, groups, w, b, eps=1e-4))

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(1, 4), groups=st.integers(1, 4), per_group=st.integers(1, 3),
           spatial=st.lists(st.integers(1, 4), min_size=0, max_size=2), seed=st.integers(0, 2**16))
    def test_matches_torch_random_shapes(self, n, groups, per_group, spatial, seed):
        """Property: any N, any divisor layout of C, any spatial dims (float64)."""
        torch.manual_seed(seed)
        c = groups * per_group
        x = _randn(n, c, *spatial, dtype=torch.float64)
        if x[0].numel() // groups < 2:  # a one-value group has variance 0: skip degenerate cases
            return
        w, b = torch.randn(c, dtype=torch.float64), torch.randn(c, dtype=torch.float64)
        assert_close(group_norm(x, groups, w, b), F.group_norm(x, groups, w, b))

    def test_one_group_is_layer_norm(self):
        """GroupNorm(1, C) == LayerNorm over (C, H, W) without affine."""
        x = _randn(3, 4, 5, 6, dtype=torch.float64)
        assert_close(group_norm(x, 1), F.layer_norm(x, x.shape[1:]))

    def test_c_groups_is_instance_norm(self):
        """GroupNorm(C, C) == InstanceNorm."""
        x = _randn(3, 4, 5, 6, dtype=torch.float64)
        assert_close(group_norm(x, 4), F.instance_norm(x))

    def test_gradcheck(self):
        torch.manual_seed(3)
        x = torch.randn(2, 4, 3, 2, dtype=torch.float64, requires_grad=True)
        w = torch.rand(4, dtype=torch.float64, requires_grad=True)
        b = torch.rand(4, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda x, w, b: group_norm(x, 2, w, b), (x, w, b))

    def test_input_not_mutated(self):
        x, w, b = torch.randn(2, 4, 3), torch.rand(4), torch.rand(4)
        copies = (x.clone(), w.clone(), b.clone())
        group_norm(x, 2, w, b)
        assert_close((x, w, b), copies, rtol=0, atol=0)

    @pytest.mark.parametrize("groups", [4, 0, 5])
    def test_groups_must_divide_channels(self, groups):
        with pytest.raises(ValueError, match=f"num_groups must be a positive divisor of the 6 channels of x, got {groups}"):
            group_norm(torch.randn(2, 6, 3), groups)

    def test_wrong_rank_and_channels(self):
        with pytest.raises(ValueError, match=r"x must be at least 2-D \(N, C, \*\), got shape \(6,\)"):
            group_norm(torch.randn(6), 2)
        with pytest.raises(ValueError, match=r"weight must have shape \(6,\)"):
            group_norm(torch.randn(2, 6, 3), 2, torch.ones(3))


class TestInstanceNorm:
    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("shape", [(2, 3, 7), (2, 3, 4, 5), (2, 3, 2, 3, 4)])
    @pytest.mark.parametrize("affine", [True, False])
    def test_matches_torch(self, shape, dtype, affine, torch_device):
        torch.manual_seed(0)
        x = _randn(*shape, dtype=dtype, device=torch_device)
        w = torch.rand(3, dtype=dtype, device=torch_device) + 0.5 if affine else None
        b = torch.randn(3, dtype=dtype, device=torch_device) if affine else None
        assert_close(instance_norm(x, w, b, eps=1e-4), F.instance_norm(x, weight=w, bias=b, eps=1e-4))

    @settings(max_examples=40, deadline=None)
    @given(n=st.integers(1, 4), c=st.integers(1, 5), h=st.integers(1, 5), w=st.integers(2, 5),
           seed=st.integers(0, 2**16))
    def test_matches_torch_random_shapes(self, n, c, h, w, seed):
        torch.manual_seed(seed)
        x = _randn(n, c, h, w, dtype=torch.float64)
        assert_close(instance_norm(x), F.instance_norm(x))

    def test_gradcheck(self):
        torch.manual_seed(4)
        x = torch.randn(2, 3, 3, 2, dtype=torch.float64, requires_grad=True)
        w = torch.rand(3, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda x, w: instance_norm(x, w), (x, w))

    def test_input_not_mutated(self):
        x = torch.randn(2, 3, 4)
        copy = x.clone()
        instance_norm(x)
        assert_close(x, copy, rtol=0, atol=0)

    def test_wrong_rank(self):
        with pytest.raises(ValueError, match=r"x must be 3-D or 4-D or 5-D \(N, C, \*spatial\), got shape \(2, 3\)"):
            instance_norm(torch.randn(2, 3))

    def test_one_spatial_element(self):
        """One value per (sample, channel) cannot be normalized: torch's message."""
        with pytest.raises(ValueError, match="Expected more than 1 spatial element"):
            F.instance_norm(torch.randn(2, 3, 1, 1))
        with pytest.raises(ValueError, match="Expected more than 1 spatial element"):
            instance_norm(torch.randn(2, 3, 1, 1))


class TestRmsNorm:
    @pytest.mark.parametrize("dtype", DTYPES)
    @pytest.mark.parametrize("shape, normalized_shape", [((4, 7), (7,)), ((2, 3, 4, 5), (4, 5)), ((6,), 6)])
    @pytest.mark.parametrize("eps", [None, 1e-6])
    @pytest.mark.parametrize("affine", [True, False])
    def test_matches_torch(self, shape, normalized_shape, dtype, eps, affine, torch_device):
        torch.manual_seed(0)
        x = _randn(*shape, dtype=dtype, device=torch_device)
        ns = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        w = torch.rand(ns, dtype=dtype, device=torch_device) + 0.5 if affine else None
        assert_close(rms_norm(x, normalized_shape, w, eps), F.rms_norm(x, ns, w, eps))

    def test_default_eps_is_dtype_eps(self):
        """eps=None uses torch.finfo(dtype).eps: visible on a tiny input, as in F.rms_norm."""
        for dtype in DTYPES:
            x = torch.full((4,), 1e-4, dtype=dtype)
            expected = x / torch.sqrt(x.pow(2).mean() + torch.finfo(dtype).eps)
            assert_close(rms_norm(x, 4), expected)
            assert_close(rms_norm(x, 4), F.rms_norm(x, (4,)))

    def test_keeps_direction(self):
        """Cosine(x, RMSNorm(x)) is 1 and the norm is sqrt(D) (eps=0)."""
        torch.manual_seed(5)
        x = _randn(3, 16, dtype=torch.float64)
        y = rms_norm(x, 16, eps=0.0)
        assert_close(F.cosine_similarity(x, y, dim=-1), torch.ones(3, dtype=torch.float64))
        assert_close(y.norm(dim=-1), torch.full((3,), 4.0, dtype=torch.float64))

    @settings(max_examples=40, deadline=None)
    @given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=2),
           trail=st.lists(st.integers(1, 5), min_size=1, max_size=2), seed=st.integers(0, 2**16))
    def test_matches_torch_random_shapes(self, lead, trail, seed):
        torch.manual_seed(seed)
        x = _randn(*lead, *trail, dtype=torch.float64)
        w = torch.randn(trail, dtype=torch.float64)
        assert_close(rms_norm(x, trail, w), F.rms_norm(x, trail, w))

    def test_gradcheck(self):
        torch.manual_seed(6)
        x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
        w = torch.rand(5, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda x, w: rms_norm(x, 5, w, 1e-6), (x, w))

    def test_input_not_mutated(self):
        x, w = torch.randn(2, 6), torch.rand(6)
        copies = (x.clone(), w.clone())
        rms_norm(x, 6, w)
        assert_close((x, w), copies, rtol=0, atol=0)

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match=r"normalized_shape=\[2\] must equal the last 1 dims of x"):
            rms_norm(torch.randn(2, 3), 2)


class TestModules:
    @pytest.mark.parametrize("ours, ref, shape", [
        (lambda: LayerNorm((4, 5)), lambda: torch.nn.LayerNorm((4, 5)), (2, 3, 4, 5)),
        (lambda: LayerNorm(5, bias=False), lambda: torch.nn.LayerNorm(5, bias=False), (2, 5)),
        (lambda: LayerNorm(5, elementwise_affine=False), lambda: torch.nn.LayerNorm(5, elementwise_affine=False), (2, 5)),
        (lambda: GroupNorm(2, 6), lambda: torch.nn.GroupNorm(2, 6), (2, 6, 3, 3)),
        (lambda: GroupNorm(3, 6, affine=False), lambda: torch.nn.GroupNorm(3, 6, affine=False), (2, 6, 3)),
        (lambda: InstanceNorm2d(3), lambda: torch.nn.InstanceNorm2d(3), (2, 3, 4, 4)),
        (lambda: InstanceNorm2d(3, affine=True), lambda: torch.nn.InstanceNorm2d(3, affine=True), (2, 3, 4, 4)),
        (lambda: RMSNorm(8), lambda: torch.nn.RMSNorm(8), (3, 8)),
        (lambda: RMSNorm(8, eps=1e-6, elementwise_affine=False), lambda: torch.nn.RMSNorm(8, eps=1e-6, elementwise_affine=False), (3, 8)),
    ])
    def test_matches_nn_after_a_step(self, ours, ref, shape):
        """Same parameters (names and values via state_dict), same output, same gradients."""
        torch.manual_seed(7)
        ours, ref = ours(), ref()
        with torch.no_grad():
            for p in ref.parameters():
                p.uniform_(0.5, 1.5)
        ours.load_state_dict(ref.state_dict())
        assert sorted(ours.state_dict()) == sorted(ref.state_dict())
        x = _randn(*shape)
        x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
        y, y_ref = ours(x1), ref(x2)
        assert_close(y, y_ref)
        y.pow(2).sum().backward()
        y_ref.pow(2).sum().backward()
        assert_close(x1.grad, x2.grad)
        assert_close([p.grad for p in ours.parameters()], [p.grad for p in ref.parameters()])

    def test_group_norm_module_rejects_bad_groups(self):
        with pytest.raises(ValueError, match="num_groups must divide num_channels=6, got 4"):
            GroupNorm(4, 6)

    def test_instance_norm_2d_rejects_3d(self):
        with pytest.raises(ValueError, match=r"x must be 4-D \(N, C, H, W\)"):
            InstanceNorm2d(3)(torch.randn(2, 3, 4))


class TestNormalizedSets:
    def test_sizes(self):
        """On (3, 6, 2, 2): BN shares N*H*W = 12 entries, LN C*H*W = 24, IN H*W = 4, GN(2) 3*H*W = 12."""
        sizes = {
            "bn": normalized_sets(lambda x: F.batch_norm(x, None, None, training=True)),
            "ln": normalized_sets(lambda x: layer_norm(x, x.shape[1:])),
            "in": normalized_sets(instance_norm),
            "gn": normalized_sets(lambda x: group_norm(x, 2)),
        }
        assert {k: int(v.sum()) for k, v in sizes.items()} == {"bn": 12, "ln": 24, "in": 4, "gn": 12}
        assert sizes["bn"][:, 0].all() and not sizes["bn"][:, 1:].any()
        assert sizes["gn"][0, :3].all() and not sizes["gn"][0, 3:].any() and not sizes["gn"][1:].any()

    def test_figure(self):
        import matplotlib.pyplot as plt

        fig = axes_figure()
        assert len(fig.axes) == 4
        plt.close(fig)
