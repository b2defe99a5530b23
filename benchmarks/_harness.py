"""Timing and recording helpers shared by every benchmark.

Conventions of every result row (``measure`` builds them):

* each implementation of a case is timed in the same run, interleaved round by
  round (ours, twin, ours, twin, ...), so a load spike on this shared machine
  hits both; the figure kept is the median of the repeats;
* ``ratio`` is ``median(ours) / median(twin)`` (below 1: ours is faster);
* ``bytes`` is the least traffic the operation needs (every input read once,
  every output written once); ``gbs = bytes / median`` and ``of_copy`` is that
  rate over the copy bandwidth measured on the same device in the same process.
"""

# --8<-- [start:imports]
from __future__ import annotations

import datetime as _dt
import functools
import importlib
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path
from typing import Callable
# --8<-- [end:imports]

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "bench"


def median_time(fn: Callable[[], object], repeats: int = 7, warmup: int = 1,
                sync: Callable[[], None] | None = None) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` runs after ``warmup`` runs."""
    return median_times({"fn": fn}, repeats=repeats, warmup=warmup, sync=sync)["fn"]


# --8<-- [start:median_times]
def median_times(
    fns: dict[str, Callable[[], object]],
    repeats: int = 7,
    warmup: int = 1,
    sync: Callable[[], None] | None = None,
    inner: int = 1,
) -> dict[str, float]:
    """Median wall time (s) of one call of each function, timed interleaved round by
    round.

    Each sample runs a function ``inner`` times back to back, then ``sync()``
    (a GPU queue drain), and counts a ``1 / inner`` share: on a GPU this keeps the
    launch-and-wait overhead of one sync out of a sub-millisecond kernel's time.
    """
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    if sync:
        sync()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            if sync:
                sync()
            times[name].append((time.perf_counter() - start) / inner)
    return {name: statistics.median(values) for name, values in times.items()}
# --8<-- [end:median_times]


def cuda_available() -> bool:
    """True when torch sees a CUDA device."""
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def cuda_sync() -> None:
    import torch

    torch.cuda.synchronize()


def try_import(module: str, attribute: str):
    """``module.attribute``, or ``(None, reason)`` when the module is not there yet."""
    try:
        return getattr(importlib.import_module(module), attribute), None
    except (ImportError, AttributeError) as error:
        return None, f"{module}.{attribute} not available ({type(error).__name__}: {error})"


# --8<-- [start:copy_bandwidth]
@functools.lru_cache(maxsize=None)
def copy_bandwidth(
    device: str = "cpu", nbytes: int = 256 * 2**20, repeats: int = 7
) -> float:
    """Measured device copy bandwidth in GB/s (1e9 bytes/s): ``dst.copy_(src)`` of
    ``nbytes``.

    A copy reads ``nbytes`` and writes ``nbytes``: 2 * nbytes of traffic per call.
    Measured once per process and device (cached).
    """
    import torch

    n = nbytes // 4
    src = torch.ones(n, dtype=torch.float32, device=device)
    dst = torch.empty_like(src)
    gpu = device.startswith("cuda")
    seconds = median_times(
        {"copy": lambda: dst.copy_(src)},
        repeats=repeats,
        warmup=2,
        sync=cuda_sync if gpu else None,
        inner=10 if gpu else 1,
    )["copy"]
    return 2 * n * 4 / seconds / 1e9
# --8<-- [end:copy_bandwidth]


@functools.lru_cache(maxsize=None)
def matmul_rate(device: str = "cpu", n: int = 2048, dtype: str = "float32", repeats: int = 5) -> float:
    """Measured dense matmul rate in GFLOP/s: ``a @ b`` of two (n, n) matrices, 2 n^3 flops."""
    import torch

    torch_dtype = getattr(torch, dtype)
    generator = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(n, n, device=device, generator=generator).to(torch_dtype)
    b = torch.randn(n, n, device=device, generator=generator).to(torch_dtype)
    sync = cuda_sync if device.startswith("cuda") else None
    seconds = median_time(lambda: a @ b, repeats=repeats, warmup=2, sync=sync)
    return 2 * n**3 / seconds / 1e9


def measure(case: str, impls: dict[str, Callable[[], object]], *, ours: str | None = None,
            twin: str | None = None, params: str = "", device: str = "cpu", nbytes: int | None = None,
            repeats: int = 7, warmup: int = 1, inner: int = 1, copy_gbs: float | None = None,
            note: str = "") -> dict:
    """Time every implementation of ``case`` side by side and return one result row.

    ``impls``: label -> zero-argument callable. ``ours`` / ``twin``: the labels
    whose ratio is reported. ``nbytes``: least traffic of one call, for GB/s.
    """
    sync = cuda_sync if device.startswith("cuda") else None
    medians = median_times(impls, repeats=repeats, warmup=warmup, sync=sync, inner=inner)
    results = []
    for label, seconds in medians.items():
        entry = {"impl": label, "role": "ours" if label == ours else "twin" if label == twin else "other",
                 "median_s": seconds}
        if nbytes:
            entry["gbs"] = nbytes / seconds / 1e9
            if copy_gbs:
                entry["of_copy"] = entry["gbs"] / copy_gbs
        results.append(entry)
    row = {"case": case, "params": params, "device": device, "bytes": nbytes, "repeats": repeats, "inner": inner,
           "results": results, "copy_gbs": copy_gbs, "note": note}
    if ours and twin:
        row["ratio"] = medians[ours] / medians[twin]
    return row


def skipped(case: str, reason: str, params: str = "", device: str = "cpu") -> dict:
    """A row that was not measured, with the reason (missing module, no GPU)."""
    return {"case": case, "params": params, "device": device, "results": [], "skipped": reason}


def check(name: str, target: str, measured: str | None, passed: bool | None) -> dict:
    """A target from an issue: ``passed`` is None when it could not be measured here (open)."""
    return {"name": name, "target": target, "measured": measured if measured is not None else "not measured",
            "passed": passed}


def ratio_check(name: str, row: dict, limit: float, target: str) -> dict:
    """Check ``row["ratio"] <= limit`` (ours / twin); open when the row was skipped."""
    if "ratio" not in row:
        return check(name, target, None, None)
    ratio = row["ratio"]
    return check(name, target, f"{ratio:.2f}x", ratio <= limit)


def sized(entry: dict, quick: bool) -> dict:
    """Quick runs use smaller sizes than the targets name: their checks stay open (not judged)."""
    if quick and entry["passed"] is not None:
        entry = {**entry, "measured": f"{entry['measured']} (quick run, smaller size: not judged)", "passed": None}
    return entry


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def metadata() -> dict:
    """Machine, date and versions recorded with every result file."""
    versions = {}
    for dist in ("torch", "torchvision", "numpy", "numba", "scikit-image", "opencv-python-headless", "triton"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    gpu = None
    threads = None
    try:
        import torch

        threads = torch.get_num_threads()
        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(), "torch_threads": threads, "gpu": gpu,
                    "platform": platform.platform(), "python": platform.python_version(),
                    "load_average": _load()},
        "versions": versions,
        "commit": _commit(),
    }


def save(topic: str, result: dict, quick: bool = False) -> Path:
    """Write ``results/bench/<topic>.json`` (rows, checks and metadata)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{topic}.json"
    payload = {"topic": topic, **metadata(), "quick": quick, **result}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
