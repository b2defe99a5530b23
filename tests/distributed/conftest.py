"""Multi-process tests share one xdist worker, so the fork server that launch() starts stays warm."""

from __future__ import annotations


def pytest_configure(config):
    # registered here too so --strict-markers accepts it when xdist is disabled (-p no:xdist)
    config.addinivalue_line("markers", "xdist_group(name): run the marked tests in one xdist worker")
