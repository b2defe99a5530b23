"""Read the saved benchmark results (``results/bench/*.json``) and render them: text tables and figures.

Nothing here measures anything: the numbers come from ``make bench`` (see
``benchmarks/``), so the Performance page shows exactly what was recorded,
with the machine, date and versions it was recorded on.
"""

# --8<-- [start:imports]
from __future__ import annotations

import json
from pathlib import Path
# --8<-- [end:imports]

__all__ = ["RESULTS", "load_results", "describe", "limits_table", "results_table", "checks_table",
           "layer_norm_gpu_summary", "STATUS"]

RESULTS = Path(__file__).resolve().parents[2] / "results" / "bench"
STATUS = {True: "held", False: "NOT held", None: "open"}


# --8<-- [start:load_results]
def load_results(directory: Path = RESULTS) -> dict[str, dict]:
    """Every ``<topic>.json`` of ``directory``, by topic, in name order."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))}
# --8<-- [end:load_results]


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.3f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} us"


def _scalar(value) -> str:
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return ""


# --8<-- [start:describe]
def describe(result: dict) -> str:
    """One paragraph: where and when a result file was recorded, and with which versions."""
    machine = result.get("machine", {})
    gpu = machine.get("gpu") or "none"
    versions = ", ".join(f"{name} {version}" for name, version in result.get("versions", {}).items())
    load = machine.get("load_average")
    lines = [f"{result.get('topic')}: recorded {result.get('date')} at commit {result.get('commit')}"
             + (" (quick run: smaller sizes)" if result.get("quick") else ""),
             f"  CPU {machine.get('cpu')}, {machine.get('cores')} cores "
             f"(torch threads {machine.get('torch_threads', '?')}), GPU {gpu}",
             f"  {versions}"]
    if load:
        lines.append(f"  load average at the end of the run: {load[0]:.2f} (1 min)")
    return "\n".join(lines)
# --8<-- [end:describe]


def limits_table(result: dict) -> str:
    """The machine's measured limits (``cpu_limits.json``, ``gpu_limits.json``)."""
    lines = [f"{'device':<7}{'limit':<16}{'value':>16}  measured as"]
    for row in result["rows"]:
        if row.get("skipped"):
            lines.append(f"{row['device']:<7}{'all':<16}{'—':>16}  skipped: {row['skipped']}")
        else:
            lines.append(f"{row['device']:<7}{row['case']:<16}{row['value']:>9.1f} {row['unit']:<6}  {row['params']}")
    return "\n".join(lines)


# --8<-- [start:results_table]
def results_table(result: dict) -> str:
    """Every row of a result file: median per implementation, GB/s and fraction of copy, ours / twin."""
    lines = []
    for row in result["rows"]:
        name = next((row[key] for key in ("case", "label", "name", "rung") if key in row), "?")
        title = f"{name} [{row.get('device', 'cpu')}] {row.get('params', '')}".rstrip()
        if row.get("skipped"):
            lines.append(f"{title}\n  skipped: {row['skipped']}")
            continue
        lines.append(title)
        if "value" in row:  # a machine limit
            lines.append(f"  {row['value']:.1f} {row.get('unit', '')}")
            continue
        if not isinstance(row.get("results"), list):  # a row of another shape: its scalar fields
            lines.append("  " + ", ".join(f"{key}={_scalar(value)}" for key, value in row.items()
                                          if key not in ("case", "label", "device", "params") and _scalar(value)))
            continue
        for entry in row["results"]:
            rate = f"{entry['gbs']:8.2f} GB/s" if "gbs" in entry else ""
            share = f"{entry['of_copy']:6.1%} of copy" if "of_copy" in entry else ""
            lines.append(f"  {entry['impl']:<40}{_seconds(entry['median_s']):>11}  {rate}  {share}".rstrip())
        if "ratio" in row:
            twin = next((e["impl"] for e in row["results"] if e.get("role") == "twin"), "twin: ?")
            lines.append(f"  ours / {twin.removeprefix('twin: ')} = {row['ratio']:.2f}x")
        for key in sorted(k for k in row if k.startswith("ratio_")):  # ratios against further twins
            lines.append(f"  ours / {key.removeprefix('ratio_')} = {row[key]:.2f}x")
        if row.get("note"):
            lines.append(f"  note: {row['note']}")
    return "\n".join(lines)
# --8<-- [end:results_table]


# --8<-- [start:checks_table]
def checks_table(results: dict[str, dict]) -> str:
    """Every target checked by the benchmarks: topic, target, measured value and held / NOT held / open."""
    lines = []
    for topic, result in results.items():
        for entry in result.get("checks", []):
            passed = entry.get("passed")
            status = STATUS[None if passed is None else bool(passed)]
            if passed is not None and str(entry.get("target", "")).startswith("reported"):
                status = "reported"  # no target to hold: the number is shown, not judged
            measured = entry.get("measured")
            measured = f"{measured:.4g}" if isinstance(measured, float) else measured
            lines.append(f"[{status:^8}] {topic}: {entry.get('name')}")
            lines.append(f"{'':11}target: {entry.get('target', '—')}; measured: {measured}")
    return "\n".join(lines)
# --8<-- [end:checks_table]


# --8<-- [start:layer_norm_gpu_summary]
def layer_norm_gpu_summary(results: dict[str, dict]) -> str:
    """The GPU LayerNorm rows in one line each: GB/s and share of copy per implementation, or why open."""
    result = results.get("gpu_normalization")
    if result is None:
        return "GPU LayerNorm: open (no results/bench/gpu_normalization.json yet)"
    lines = []
    for row in result.get("rows", []):
        if row.get("case") != "LayerNorm forward (GPU)":
            continue
        if row.get("skipped"):
            lines.append(f"LayerNorm forward {row['params']}: open ({row['skipped']})")
            continue
        lines.append(f"LayerNorm forward {row['params']} on {result['machine'].get('gpu')}, "
                     f"copy {row['copy_gbs']:.0f} GB/s ({result['date']}):")
        for entry in row["results"]:
            lines.append(f"  {entry['impl']:<32}{entry['gbs']:8.0f} GB/s  {entry['of_copy']:6.1%} of copy")
    return "\n".join(lines) if lines else "GPU LayerNorm: open (no LayerNorm rows recorded)"
# --8<-- [end:layer_norm_gpu_summary]


def _measured_rows(results: dict[str, dict]):
    for topic, result in results.items():
        for row in result.get("rows", []):
            if isinstance(row.get("results"), list) and row["results"] and "median_s" in row["results"][0]:
                yield topic, result, row


