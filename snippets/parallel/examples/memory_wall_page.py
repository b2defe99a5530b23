"""Code of docs/parallel/memory-wall.md, section by section (run top to bottom)."""

# --8<-- [start:intensity]
import numpy as np

from snippets.parallel.bandwidth import arithmetic_intensity
from snippets.parallel.sinx import bytes_per_element, flops_per_element

f32 = np.dtype(np.float32).itemsize
# The lecture's example: c[i] = a[i] * b[i] -- 1 multiply, 2 loads, 1 store of 4 B.
print(f"c = a * b (float32): {arithmetic_intensity(1, 3 * f32):.3f} flop/byte")
# sinx, per element: the flops each rung executes over the bytes it moves (float32).
print(f"{'rung':<10} {'terms':>5} {'flops':>6} {'bytes':>6} {'flop/byte':>10}")
for rung in ("scalar", "numpy", "torch", "compiled"):
    for terms in (1, 10, 100):
        flops = flops_per_element(rung, terms)
        nbytes = bytes_per_element(rung, terms, f32)
        print(
            f"{rung:<10} {terms:>5} {flops:>6} {nbytes:>6} "
            f"{arithmetic_intensity(flops, nbytes):>10.3f}"
        )
# --8<-- [end:intensity]

# --8<-- [start:machine]
from snippets.parallel.figures import load_results, machine_line

results = load_results()  # results/bench/parallel.json: `python -m benchmarks parallel`
print("measured on:", machine_line(results))
for b in results["bandwidth"]:
    print(
        f"{b['method']:<5} {b['workers']} thread(s): "
        f"{b['bytes_per_s'] / 1e9:6.1f} GB/s "
        f"({b['bytes_moved'] / 2**20:.0f} MiB in {b['seconds'] * 1e3:.1f} ms)"
    )
latency = results["latency_s"]
bandwidth = max(b["bytes_per_s"] for b in results["bandwidth"])
peak = results["peak_flops"]
print(f"latency of one dependent load : {latency * 1e9:6.1f} ns")
print(
    f"bytes one dependent chain gets: {64 / latency / 1e9:6.2f} GB/s "
    "(one 64-byte line per latency)"
)
print(
    f"bytes in flight to reach {bandwidth / 1e9:.1f} GB/s: "
    f"{bandwidth * latency / 1024:.1f} KiB "
    f"(= {bandwidth * latency / 64:.0f} cache lines; Little's law)"
)
for threads, rate in results["peak_flops_by_threads"].items():
    print(f"compute roof, {threads} thread(s)    : {rate / 1e9:6.1f} GFLOP/s (matmul)")
print(f"machine balance (best of each): {peak / bandwidth:6.1f} flop/byte")
# --8<-- [end:machine]

# --8<-- [start:roofline]
from snippets.parallel.figures import load_results

results = load_results()
print("roof on p threads: min(matmul peak on p threads, bandwidth on p threads x AI);")
print("the in-L2 point moves no DRAM bytes: its roof is the peak alone")
print(f"{'rung':<46} {'flops':>5} {'AI':>6} {'GFLOP/s':>8} {'roof':>7} {'%':>6}")
for r in results["rows"]:
    share = 100 * r["gflops"] / r["roof_gflops"]
    print(
        f"{r['label']:<46} {r['flops_per_element']:>5} {r['intensity']:>6.3f} "
        f"{r['gflops']:>8.2f} {r['roof_gflops']:>7.1f} {share:>5.1f}%"
    )
peaks = results["peak_flops_by_threads"]
print(
    "matmul peak by threads:",
    ", ".join(f"{p}: {v / 1e9:.0f} GFLOP/s" for p, v in peaks.items()),
)
# --8<-- [end:roofline]
