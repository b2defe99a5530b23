"""Compile the Triton kernels for an H200 (sm_90a) without a GPU and report registers and spills.

``python -m snippets.performance.compile_check`` prints one JSON line per kernel. It
needs only Triton's bundled ``ptxas``: no GPU, no driver. It proves the kernels
lower to machine code for the H200 and that they do not spill registers;
it says nothing about their speed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile

__all__ = ["compile_for_sm90", "KERNELS"]

_LN_FWD = {"X": "*{dt}", "Y": "*{dt}", "W": "*{dt}", "B": "*{dt}", "Mean": "*fp32", "Rstd": "*fp32",
           "N": "i32", "eps": "fp32", "HAS_WEIGHT": "constexpr", "HAS_BIAS": "constexpr", "BLOCK_N": "constexpr"}
_LN_BWD = {"X": "*{dt}", "DY": "*{dt}", "DX": "*{dt}", "W": "*{dt}", "Mean": "*fp32", "Rstd": "*fp32",
           "DW": "*fp32", "DB": "*fp32", "M": "i32", "N": "i32", "rows_per_program": "i32",
           "HAS_WEIGHT": "constexpr", "BLOCK_N": "constexpr"}
_SINX = {"X": "*fp32", "Y": "*fp32", "n": "i64", "TERMS": "constexpr", "BLOCK": "constexpr"}

# (name, module, kernel, signature, constexprs, num_warps) at the benchmark's shapes; a str names the
# module's own heuristic (called with the block width), so the check compiles what layer_norm_triton launches
KERNELS = [
    *[(f"layer_norm forward {dt} N=4096", "snippets.normalization.triton_layer_norm", "_layer_norm_forward_kernel",
       {k: v.format(dt=dt) for k, v in _LN_FWD.items()}, {"HAS_WEIGHT": True, "HAS_BIAS": True, "BLOCK_N": 4096}, "_num_warps")
      for dt in ("fp32", "bf16")],
    *[(f"layer_norm backward {dt} N=4096", "snippets.normalization.triton_layer_norm", "_layer_norm_backward_kernel",
       {k: v.format(dt=dt) for k, v in _LN_BWD.items()}, {"HAS_WEIGHT": True, "BLOCK_N": 4096}, "_num_warps_backward")
      for dt in ("fp32", "bf16")],
    ("sinx terms=10", "snippets.performance.triton_sinx", "_sinx_kernel", _SINX, {"TERMS": 10, "BLOCK": 1024}, 4),
]


def compile_for_sm90() -> list[dict]:
    """Compile every kernel of ``KERNELS`` for sm_90a; registers and spill bytes from ``ptxas -v``."""
    if os.environ.get("TRITON_INTERPRET", "0") == "1":
        raise RuntimeError("unset TRITON_INTERPRET: the interpreter replaces the kernels by Python functions")
    import importlib

    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    ptxas = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin", "ptxas")
    target = GPUTarget("cuda", 90, 32)
    report = []
    for name, module, kernel, signature, constexprs, num_warps in KERNELS:
        fn = getattr(importlib.import_module(module), kernel)
        if isinstance(num_warps, str):
            num_warps = getattr(importlib.import_module(module), num_warps)(constexprs["BLOCK_N"])
        compiled = triton.compile(ASTSource(fn=fn, signature=signature, constexprs=constexprs),
                                  target=target, options={"num_warps": num_warps})
        with tempfile.NamedTemporaryFile("w", suffix=".ptx", delete=False) as handle:
            handle.write(compiled.asm["ptx"])
        try:
            out = subprocess.run([ptxas, "-v", "--gpu-name", "sm_90a", handle.name, "-o", os.devnull],
                                 capture_output=True, text=True, check=True)
        finally:
            os.unlink(handle.name)
        text = out.stdout + out.stderr
        registers = int(re.search(r"Used (\d+) registers", text).group(1))
        spills = sum(int(v) for v in re.findall(r"(\d+) bytes spill (?:stores|loads)", text))
        report.append({"kernel": name, "num_warps": num_warps, "registers": registers, "spill_bytes": spills})
    return report


if __name__ == "__main__":
    for line in compile_for_sm90():
        print(json.dumps(line))
