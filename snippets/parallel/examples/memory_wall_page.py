"""Code of docs/parallel/memory-wall.md, section by section (run top to bottom)."""

# --8<-- [start:intensity]
import numpy as np

from snippets.parallel.bandwidth import arithmetic_intensity
from snippets.parallel.sinx import FLOPS_PER_TERM

f32 = np.dtype(np.float32).itemsize
# The lecture's example: c[i] = a[i] * b[i] -- 1 multiply, two 4-byte loads, one 4-byte store.
print(f"c = a * b (float32)       : {arithmetic_intensity(1, 3 * f32):.3f} flop/byte")
# sinx: ~5 flops per term per element, x read once and the result written once.
for terms in (1, 10, 100):
    ai = arithmetic_intensity(FLOPS_PER_TERM * terms, 2 * f32)
    print(f"sinx, {terms:>3} terms (float32): {ai:7.3f} flop/byte")
# --8<-- [end:intensity]

# --8<-- [start:machine]
from snippets.parallel.figures import load_results, machine_line

results = load_results()  # results/bench/parallel.json, from `python -m benchmarks parallel`
print("measured on:", machine_line(results))
for b in results["bandwidth"]:
    print(f"{b['method']:<5} {b['workers']} thread(s): {b['bytes_per_s'] / 1e9:6.1f} GB/s "
          f"({b['bytes_moved'] / 2**20:.0f} MiB in {b['seconds'] * 1e3:.1f} ms)")
latency = results["latency_s"]
bandwidth = max(b["bytes_per_s"] for b in results["bandwidth"])
peak = results["peak_flops"]
print(f"latency of one dependent load : {latency * 1e9:6.1f} ns")
print(f"bytes one dependent chain gets: {64 / latency / 1e9:6.2f} GB/s (one 64-byte line per latency)")
print(f"bytes in flight to reach {bandwidth / 1e9:.1f} GB/s: {bandwidth * latency / 1024:.1f} KiB "
      f"(= {bandwidth * latency / 64:.0f} cache lines; Little's law)")
print(f"compute roof (float32 matmul) : {peak / 1e9:6.1f} GFLOP/s")
print(f"machine balance               : {peak / bandwidth:6.1f} flop/byte")
# --8<-- [end:machine]

# --8<-- [start:roofline]
from snippets.parallel.figures import load_results

results = load_results()
peak = results["peak_flops"] / 1e9
bandwidth = max(b["bytes_per_s"] for b in results["bandwidth"]) / 1e9
print(f"{'rung':<38} {'AI':>5} {'GFLOP/s':>8} {'roof':>7} {'% of roof':>9}")
for r in results["rows"]:
    roof = min(peak, bandwidth * r["intensity"])
    print(f"{r['label']:<38} {r['intensity']:>5.2f} {r['gflops']:>8.2f} {roof:>7.1f} {100 * r['gflops'] / roof:>8.1f}%")
bound = "memory" if bandwidth * results["rows"][0]["intensity"] < peak else "compute"
print(f"at AI = {results['rows'][0]['intensity']:.2f} this machine's roof is set by {bound}")
# --8<-- [end:roofline]
