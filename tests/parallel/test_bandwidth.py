"""snippets.parallel.bandwidth: bandwidth, latency and compute measurements (tiny sizes: shape, not speed)."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.parallel.bandwidth import (
    Bandwidth,
    arithmetic_intensity,
    measure_bandwidth,
    measure_latency,
    measure_peak_flops,
)


class TestMeasureBandwidth:
    @pytest.mark.parametrize(("method", "arrays"), [("copy", 2), ("triad", 3)])
    @pytest.mark.parametrize("workers", [1, 2])
    def test_counts_bytes_like_stream(self, method, arrays, workers):
        """bytes_moved counts each array once (copy 2, triad 3); bytes_per_s = bytes_moved / seconds."""
        bw = measure_bandwidth(method, nbytes=2**16, workers=workers, repeats=3)
        assert isinstance(bw, Bandwidth) and bw.method == method and bw.workers == workers
        assert bw.bytes_moved == arrays * 2**16
        assert bw.bytes_per_s == pytest.approx(bw.bytes_moved / bw.seconds) and bw.bytes_per_s > 0

    @pytest.mark.parametrize(("kwargs", "match"), [({"method": "scale"}, "method must be 'copy' or 'triad'"),
                                                   ({"nbytes": 4}, "nbytes must be >= 8"),
                                                   ({"workers": 0}, "workers and repeats must be >= 1")])
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            measure_bandwidth(**kwargs)


class TestMeasureLatency:
    def test_positive_and_small_array(self):
        """A chase through 64 KiB returns a positive time per load under a millisecond."""
        assert 0 < measure_latency(nbytes=2**16, steps=10_000) < 1e-3

    def test_bad_input(self):
        with pytest.raises(ValueError, match="nbytes must be >= 64"):
            measure_latency(nbytes=8)


class TestMeasurePeakFlops:
    def test_positive(self):
        assert measure_peak_flops(n=64, repeats=2) > 0

    def test_thread_limit(self):
        """workers=1 limits BLAS to one thread for the call only, and still returns a rate."""
        from threadpoolctl import threadpool_info

        before = [pool["num_threads"] for pool in threadpool_info()]
        assert measure_peak_flops(n=64, repeats=2, workers=1) > 0
        assert [pool["num_threads"] for pool in threadpool_info()] == before

    def test_bad_workers(self):
        with pytest.raises(ValueError, match="workers must be >= 1 or None, got 0"):
            measure_peak_flops(n=8, workers=0)


class TestArithmeticIntensity:
    def test_lecture_multiply(self):
        """c = a * b in float32: 1 flop per 12 bytes (two loads, one store)."""
        assert arithmetic_intensity(1, 12) == pytest.approx(1 / 12)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="bytes > 0"):
            arithmetic_intensity(1, 0)

    def test_sinx(self):
        """sinx with 10 terms, float32: 5 * 10 flops per 8 bytes."""
        assert arithmetic_intensity(50, 2 * np.dtype(np.float32).itemsize) == 6.25
