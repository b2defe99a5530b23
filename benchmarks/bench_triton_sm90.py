"""The Triton kernels compiled for an H200 (sm_90a) without a GPU: registers and spills per kernel.

Not a timing: it records that the kernels lower to H200 machine code at the
benchmark's shapes and whether any spills registers (a spill would cost
bandwidth). Uses Triton's bundled ``ptxas``; runs in a subprocess so that
``TRITON_INTERPRET`` (if set) does not replace the kernels by Python functions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks._harness import ROOT, check


def run(quick: bool = False) -> dict:  # noqa: ARG001 - same work in quick mode
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    out = subprocess.run([sys.executable, "-m", "snippets.performance.compile_check"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        reason = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
        return {"rows": [{"case": "compile for sm_90a", "params": "", "device": "cuda", "results": [],
                          "skipped": f"compile failed: {reason}"}],
                "checks": [check("Triton kernels compile for sm_90a without spills", "0 spill bytes", None, None)]}
    report = [json.loads(line) for line in out.stdout.splitlines()]
    rows = [{"case": entry["kernel"], "params": f"num_warps={entry['num_warps']}", "device": "sm_90a",
             "registers": entry["registers"], "spill_bytes": entry["spill_bytes"]} for entry in report]
    spills = sum(entry["spill_bytes"] for entry in report)
    return {"rows": rows, "checks": [check("Triton kernels compile for sm_90a without spills", "0 spill bytes",
                                           f"{len(report)} kernels, {spills} spill bytes", spills == 0)]}
