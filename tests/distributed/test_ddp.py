"""snippets.distributed.ddp: real 2-process gloo groups on the CPU, each bounded in time.

Every launch sets a collective timeout (``timeout``) and a hard wall bound
(``join_timeout``), so a hang fails the test in well under 60 s instead of
freezing CI.
"""

from __future__ import annotations

import time

import pytest
import torch
from torch.multiprocessing import ProcessRaisedException
from torch.testing import assert_close

from snippets.distributed.ddp import (
    check_backend,
    failure_summary,
    launch,
    make_dataset,
    make_model,
    sync_batchnorm_on_cpu,
    train_ddp,
    train_single,
)
from tests.distributed import _workers

BOUND = {"timeout": 10.0, "join_timeout": 50.0}  # collectives / whole launch, seconds


def _max_param_diff(a: dict, b: dict) -> float:
    return max((a[k] - b[k]).abs().max().item() for k in a)


class TestCheckBackend:
    def test_unknown_backend(self):
        """A misspelt backend names the choices."""
        with pytest.raises(ValueError, match=r"backend must be one of \('gloo', 'nccl'\), got 'glo'"):
            check_backend("glo", 2)

    @pytest.mark.skipif(torch.cuda.device_count() >= 2, reason="needs fewer than 2 GPUs")
    def test_nccl_needs_a_gpu_per_rank(self):
        """nccl with fewer GPUs than ranks says to use gloo."""
        with pytest.raises(ValueError, match="needs one CUDA GPU per rank.*use backend='gloo'"):
            check_backend("nccl", 2)


class TestLaunch:
    @pytest.mark.parametrize(("world_size", "error", "match"), [
        (0, ValueError, "world_size must be >= 1, got 0"),
        (-1, ValueError, "world_size must be >= 1, got -1"),
        (2.0, TypeError, "world_size must be an int, got float"),
    ])
    def test_invalid_world_size(self, world_size, error, match):
        """world_size < 1 or not an int raises before any process starts."""
        with pytest.raises(error, match=match):
            launch(_workers.rank_and_sum, world_size)

    def test_invalid_backend_and_timeout(self):
        """Unknown backend and a non-positive timeout raise before any process starts."""
        with pytest.raises(ValueError, match="backend must be one of"):
            launch(_workers.rank_and_sum, 2, backend="mpi-typo")
        with pytest.raises(ValueError, match="timeout must be > 0 seconds, got 0"):
            launch(_workers.rank_and_sum, 2, timeout=0)

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_results_per_rank(self):
        """Two ranks all-reduce their rank; results come back in rank order."""
        assert launch(_workers.rank_and_sum, 2, args=(10,), **BOUND) == [(0, 2, 21.0), (1, 2, 21.0)]

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_rank_error_propagates(self):
        """An exception on one rank is raised in the parent with its message."""
        with pytest.raises(ProcessRaisedException, match="rank 1 fails on purpose"):
            launch(_workers.raise_on_rank_one, 2, **BOUND)

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_hang_is_killed_at_join_timeout(self):
        """Ranks that never return are killed and TimeoutError is raised near join_timeout."""
        start = time.monotonic()
        with pytest.raises(TimeoutError, match=r"ranks \[0, 1\] of 2 still running 3 s after joining the group"):
            launch(_workers.sleep_forever, 2, timeout=5.0, join_timeout=3.0)
        assert time.monotonic() - start < 30


class TestTrainDdp:
    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_matches_single_process_with_twice_the_batch(self):
        """2 ranks x batch 4 end with the parameters of 1 process x batch 8 (float32, atol 1e-6)."""
        dataset = make_dataset(16)
        results = launch(train_ddp, 2, args=(dataset, 4, 0.1, 2), **BOUND)
        single = train_single(dataset, 8, 0.1, 2)
        assert [r["batches"] for r in results] == [4, 4]
        for result in results:
            for name, value in single.items():
                assert_close(result["params"][name], value, rtol=0, atol=1e-6)

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_differs_from_single_process_with_the_per_rank_batch(self):
        """The equivalence is with batch 2B, not B (the test above can fail)."""
        dataset = make_dataset(16)
        results = launch(train_ddp, 2, args=(dataset, 4, 0.1, 2), **BOUND)
        assert _max_param_diff(results[0]["params"], train_single(dataset, 4, 0.1, 2)) > 1e-3

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_uneven_inputs_fail_within_timeout(self):
        """Slice sharding of 9 samples (batches 3 vs 2) times out in gloo instead of finishing."""
        start = time.monotonic()
        with pytest.raises(ProcessRaisedException) as info:
            launch(train_ddp, 2, args=(make_dataset(9), 2, 0.1, 1, "slice"), timeout=2.0, join_timeout=40.0)
        summary = failure_summary(info.value)
        assert ("Timed out waiting 2000ms" in summary or "Connection closed by peer" in summary
                or "Read error" in summary), summary
        assert time.monotonic() - start < 45

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_uneven_inputs_hang_without_short_timeout(self):
        """With a long collective timeout both ranks are still waiting when join_timeout kills them."""
        with pytest.raises(TimeoutError, match=r"ranks \[0, 1\] of 2 still running 2 s after joining the group"):
            launch(train_ddp, 2, args=(make_dataset(9), 2, 0.1, 1, "slice"), timeout=30.0, join_timeout=2.0)

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_drop_last_sampler_fixes_uneven_inputs(self):
        """DistributedSampler(drop_last=True) gives both ranks 2 batches and equal parameters."""
        results = launch(train_ddp, 2, args=(make_dataset(9), 2, 0.1, 1, "sampler", True), **BOUND)
        assert [r["batches"] for r in results] == [2, 2]
        assert _max_param_diff(results[0]["params"], results[1]["params"]) == 0.0

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_join_fixes_uneven_inputs(self):
        """Join([model]) lets rank 0 run its third batch; the ranks end with equal parameters."""
        results = launch(train_ddp, 2, args=(make_dataset(9), 2, 0.1, 1, "slice", False, True), **BOUND)
        assert [r["batches"] for r in results] == [3, 2]
        assert _max_param_diff(results[0]["params"], results[1]["params"]) == 0.0

    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_invalid_sharding(self):
        """An unknown sharding raises on the rank and reaches the parent."""
        with pytest.raises(ProcessRaisedException, match="sharding must be 'sampler' or 'slice', got 'rows'"):
            launch(train_ddp, 2, args=(make_dataset(8), 2, 0.1, 1, "rows"), **BOUND)


class TestSyncBatchnormOnCpu:
    @pytest.mark.distributed
    @pytest.mark.xdist_group("distributed")
    def test_forward_needs_a_gpu(self):
        """In a 2-rank gloo group a converted SyncBatchNorm refuses CPU input."""
        results = launch(sync_batchnorm_on_cpu, 2, **BOUND)
        assert all(r.startswith("ValueError: SyncBatchNorm expected input tensor to be on GPU") for r in results)

    def test_conversion_on_cpu(self):
        """convert_sync_batchnorm swaps BatchNorm2d for SyncBatchNorm and keeps its state."""
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
        model[1].running_mean.uniform_()
        converted = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        assert isinstance(converted[1], torch.nn.SyncBatchNorm)
        assert_close(converted[1].running_mean, model[1].running_mean)

    @pytest.mark.skipif(not torch.cuda.is_available(), reason="SyncBatchNorm forward needs CUDA")
    def test_forward_on_gpu_in_a_one_rank_group(self):
        """On a GPU in a 1-rank nccl group SyncBatchNorm runs and matches BatchNorm2d."""
        results = launch(_workers.sync_bn_on_gpu, 1, backend="nccl", **BOUND)
        assert results[0] < 1e-5


class TestFailureSummary:
    def test_strips_paths_and_ports(self):
        """Source paths and ports are removed so the page can print the message."""
        error = RuntimeError("Traceback...\nRuntimeError: [/x/gloo/pair.cc:561] Connection closed by peer [127.0.0.1]:4242")
        assert failure_summary(error) == "RuntimeError: Connection closed by peer [127.0.0.1]:<port>"


class TestMakeDataset:
    def test_shapes_and_seed(self):
        """x: (N, 4), y: (N, 1); the same seed gives the same data, another seed other data."""
        x, y = make_dataset(9).tensors
        assert x.shape == (9, 4) and y.shape == (9, 1)
        assert torch.equal(make_dataset(9).tensors[0], x)
        assert not torch.equal(make_dataset(9, seed=1).tensors[0], x)


class TestTrainSingle:
    def test_one_full_batch_step_is_plain_sgd(self):
        """One epoch with batch N is one step p - lr * grad(mse over all samples)."""
        dataset = make_dataset(8)
        model = make_model()
        x, y = dataset.tensors
        torch.nn.functional.mse_loss(model(x), y).backward()
        expected = {name: p.detach() - 0.1 * p.grad for name, p in model.named_parameters()}
        trained = train_single(dataset, batch_size=8, lr=0.1, epochs=1)
        for name, value in expected.items():
            assert_close(trained[name], value)
