"""Code of docs/parallel/multicore-cpu.md, section by section (run top to bottom)."""

# --8<-- [start:overflow]
import math

import numpy as np

from snippets.parallel.sinx import taylor_denominators

terms = 8
as_c_int = taylor_denominators(terms, np.int32)  # C's 32-bit int, wrapping on overflow
as_int64 = taylor_denominators(terms, np.int64)
print(" j  (2j+1)!              int32 denom    int64 denom")
for j in range(1, terms + 1):
    exact = math.factorial(2 * j + 1)
    print(f"{j:>2}  {exact:<20,} {as_c_int[j - 1]:>12,}  {as_int64[j - 1]:>16,}")
print(
    "13! mod 2**32 =",
    math.factorial(13) % 2**32,
    "; int32 max =",
    np.iinfo(np.int32).max,
)
print(
    "first (2j+1)! beyond int64:",
    next(
        f"{2 * j + 1}!"
        for j in range(1, 30)
        if math.factorial(2 * j + 1) > np.iinfo(np.int64).max
    ),
)
# --8<-- [end:overflow]

# --8<-- [start:overflow_effect]
import numpy as np

from snippets.parallel.sinx import sinx_scalar, taylor_denominators


def sinx_c_int(xi: float, terms: int) -> float:
    """The lecture's loop for one element, with C's 32-bit int denom."""
    value, numer, sign = xi, xi**3, -1
    for denom in taylor_denominators(terms, np.int32):
        value += sign * numer / float(denom)
        numer *= xi * xi
        sign = -sign
    return value


x = np.array([np.pi / 2, 2.5, np.pi])
print("terms   x      int32 denom    fixed denom     np.sin(x)")
for terms in (5, 6, 8):
    fixed = sinx_scalar(x, terms)
    for xi, yi in zip(x, fixed):
        print(
            f"{terms:>5}  {xi:5.3f}  {sinx_c_int(xi, terms):12.8f}  {yi:12.8f}  "
            f"{np.sin(xi):12.8f}"
        )
# --8<-- [end:overflow_effect]

# --8<-- [start:range]
import numpy as np

from snippets.parallel.sinx import reduce_range, sinx_numpy

x = np.array([0.5, 3.0, 10.0, 100.0, 1000.0])
print("     x   series(x)        series(reduced x)  np.sin(x)")
for xi, raw, reduced in zip(x, sinx_numpy(x, 12), sinx_numpy(reduce_range(x), 12)):
    print(f"{xi:6.1f}  {raw:15.6g}  {reduced:17.10f}  {np.sin(xi):12.10f}")
# --8<-- [end:range]

# --8<-- [start:scalar]
import numpy as np

from snippets.parallel.sinx import sinx_scalar

x = np.linspace(-np.pi, np.pi, 5, dtype=np.float32)
y = sinx_scalar(x, terms=10)
print("x     :", np.array2string(x, precision=4))
print("sinx  :", np.array2string(y, precision=6, suppress_small=True))
print(
    "dtype :",
    y.dtype,
    "| max |sinx - np.sin| < 1e-6:",
    bool(np.abs(y - np.sin(x)).max() < 1e-6),
)
# --8<-- [end:scalar]

# --8<-- [start:agree]
import numpy as np
import torch

from snippets.parallel.sinx import (
    sinx_compiled,
    sinx_numpy,
    sinx_processes,
    sinx_scalar,
    sinx_threads,
    sinx_torch,
)

rng = np.random.default_rng(0)
for dtype, tol in ((np.float32, 2e-6), (np.float64, 1e-12)):
    x = rng.uniform(-np.pi, np.pi, 10_001).astype(dtype)
    results = {
        "(a) scalar": sinx_scalar(x, 12),
        "(b) numpy": sinx_numpy(x, 12),
        "(c1) threads, 2": sinx_threads(x, 12, workers=2),
        "(c2) processes, 2": sinx_processes(x, 12, workers=2),
        "(d) fused, 2": sinx_compiled(x, 12, workers=2),
        "(e) torch": sinx_torch(torch.from_numpy(x), 12).numpy(),
    }
    reference = np.sin(x.astype(np.float64))
    print(
        f"{np.dtype(dtype).name}: |rung - np.sin| <= {tol:g} "
        f"for all {len(x):,} elements?"
    )
    for name, y in results.items():
        print(
            f"  {name:<18} {str(y.dtype):<8} {bool(np.abs(y - reference).max() <= tol)}"
        )
print(
    "GPU rung (e) on CUDA:",
    "available" if torch.cuda.is_available() else "skipped, no CUDA device here",
)
# --8<-- [end:agree]

# --8<-- [start:ladder]
from snippets.parallel.figures import load_results, machine_line

# results/bench/parallel.json, from `python -m benchmarks parallel`
results = load_results()
print("measured on:", machine_line(results))
print(
    f"n = {results['n']:,} {results['dtype']} elements, {results['terms']} terms "
    f"(scalar rung: {results['rows'][0]['n']:,} elements)"
)
scalar_ns = results["rows"][0]["ns_per_element"]
floor_ns = results["floor"]["seconds"] / results["n"] * 1e9
print(
    f"{'rung':<46} {'ns/element':>10} {'x scalar':>9} {'x copy time':>11} "
    f"{'core share':>10}"
)
for r in results["rows"]:
    share = "-" if r.get("core_share") is None else f"{r['core_share']:.2f}"
    print(
        f"{r['label']:<46} {r['ns_per_element']:>10.2f} "
        f"{scalar_ns / r['ns_per_element']:>9.0f} "
        f"{r['ns_per_element'] / floor_ns:>11.1f} {share:>10}"
    )
print(f"{'copy x -> out (the floor)':<46} {floor_ns:>10.2f}")
# --8<-- [end:ladder]

# --8<-- [start:checks]
from snippets.parallel.figures import load_results

results = load_results()
print(
    f"benchmark run {results['date']} on {results['machine']['cpu']} "
    f"({results['machine']['cores']} cores), "
    f"load average {results['load_average'][0]:.1f}:"
)
for check in results["checks"]:
    print(
        f"  [{'held' if check['passed'] else 'missed'}] {check['name']}: "
        f"{check['measured']}"
    )
# --8<-- [end:checks]
