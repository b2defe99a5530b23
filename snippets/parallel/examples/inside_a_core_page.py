"""Code of docs/parallel/inside-a-core.md, section by section (run top to bottom)."""

# --8<-- [start:chains]
import math

import numpy as np

from snippets.parallel.ilp import sum_chains

x = np.random.default_rng(0).random(100_003)  # 100,003 values in [0, 1)
exact = math.fsum(x)
print(f"math.fsum            : {exact:.10f}")
for chains in (1, 2, 4, 8):
    total = sum_chains(x, chains)
    error = abs(total - exact) / exact
    print(f"sum_chains, {chains} chain(s): {total:.10f}  (relative error {error:.1e})")
# --8<-- [end:chains]

# --8<-- [start:ilp_measured]
from snippets.parallel.figures import CORE, load_results, machine_line

results = load_results(CORE)  # results/bench/core.json: `python -m benchmarks core`
print("measured on:", machine_line(results))
ilp = results["ilp"]
print(f"sum of {ilp['n']:,} {ilp['dtype']} values, minimum over repeats")
print(" chains  ns/element  elements/ns  vs 1 chain")
for c, ns in zip(ilp["chains"], ilp["ns_per_element"]):
    print(f"{c:>7}  {ns:10.3f}  {1 / ns:11.2f}  {ilp['ns_per_element'][0] / ns:9.2f}x")
latency, best = ilp["ns_per_element"][0], min(ilp["ns_per_element"])
print(f"one chain: an add every {latency:.2f} ns -> the add latency this code sees")
print(
    f"plateau  : {1 / best:.2f} adds per ns -> "
    f"about {latency / best:.1f} adds in flight to stay busy"
)
# --8<-- [end:ilp_measured]

# --8<-- [start:divergence]
import numpy as np

from snippets.parallel.divergence import MODES, TERMS, branchy, expensive_mask

x = np.random.default_rng(1).uniform(-np.pi, np.pi, 4096)
flops = 3 * TERMS + 2  # the expensive branch, per element (counted in its loop)
print(f"expensive branch: {TERMS} terms = {flops} flops per element; cheap branch: 0")
print("fraction  same bits in every mode?  flops/element: scalar  SIMD (masked, where)")
for fraction in (0, 1 / 8, 1 / 2, 1):
    mask = expensive_mask(len(x), fraction, seed=2)
    outs = [branchy(x, mask, mode) for mode in MODES]
    same = all(np.array_equal(outs[0], out) for out in outs[1:])
    print(f"{fraction:8.3f}  {str(same):>24}  {flops * mask.mean():21.1f}  {flops:19d}")
# --8<-- [end:divergence]

# --8<-- [start:divergence_measured]
from snippets.parallel.figures import CORE, load_results

d = load_results(CORE)["divergence"]
print(f"ns per element, {d['n']:,} {d['dtype']} elements, minimum over repeats")
print(f"{'formulation':<22}" + "".join(f"{f'f = {f:.3g}':>11}" for f in d["fractions"]))
for mode, row in d["ns_per_element"].items():
    print(f"{mode:<22}" + "".join(f"{t:11.2f}" for t in row))
masked, scalar = d["ns_per_element"]["masked"], d["ns_per_element"]["scalar"]
print(f"masked SIMD, all lanes expensive vs none: {masked[-1] / masked[0]:.2f}x")
print(f"scalar,      all lanes expensive vs none: {scalar[-1] / scalar[0]:.2f}x")
# --8<-- [end:divergence_measured]

# --8<-- [start:cycle]
from snippets.parallel.latency import pointer_cycle

next_slot, order = pointer_cycle(8 * 64, seed=0)  # 8 cache lines
print("visiting order of the lines:", order.tolist())
slot, walk = int(order[0]) * 8, []
for _ in range(9):  # one lap and back to the start
    walk.append(slot // 8)
    slot = int(next_slot[slot])
print("following the pointers     :", walk)
# --8<-- [end:cycle]

# --8<-- [start:latency_measured]
from snippets.parallel.figures import CORE, load_results

results = load_results(CORE)
caches, lat = results["cache_sizes"], results["latency"]
print(
    "data caches of one core (Linux sysfs):",
    ", ".join(f"{name} {size // 1024:,} KiB" for name, size in caches.items()),
)
print(" working set   ns/load  fits in")
for size, ns in zip(lat["working_sets"], lat["ns_per_load"]):
    level = next((name for name, cap in caches.items() if size <= cap), "DRAM")
    print(f"{size // 1024:>9,} KiB  {ns:8.1f}  {level}")
# --8<-- [end:latency_measured]

# --8<-- [start:mlp_measured]
from snippets.parallel.figures import CORE, load_results

mlp = load_results(CORE)["mlp"]
print(f"{mlp['working_set'] // 2**20} MiB working set, k chases interleaved")
print(" chains  ns/load  speedup over 1 chain")
for c, ns in zip(mlp["chains"], mlp["ns_per_load"]):
    print(f"{c:>7}  {ns:7.1f}  {mlp['ns_per_load'][0] / ns:8.2f}x")
# --8<-- [end:mlp_measured]

# --8<-- [start:gpu]
from snippets.parallel.figures import CORE, load_results

gpu = load_results(CORE)["gpu"]
if "skipped" in gpu:
    print("GPU: not yet measured on a GPU --", gpu["skipped"])
else:
    print(f"GPU {gpu['device']}, n = {gpu['n']:,}")
    sinx_ns = gpu["sinx_float32_terms10_ns_per_element"]
    print(f"  sinx (float32, 10 terms): {sinx_ns:.4f} ns per element")
    for f, ns in zip(gpu["fractions"], gpu["divergence_where_float64_ns_per_element"]):
        print(f"  divergence, both branches, f = {f:.3g}: {ns:.4f} ns per element")
# --8<-- [end:gpu]

# --8<-- [start:closing]
from snippets.parallel.figures import CORE, load_results

results = load_results(CORE)
load = results["load_average_start"]
print(
    f"recorded {results['date']}, load average at the start {load[0]:.2f} (1 min) on "
    f"{results['machine']['cores']} cores, {results['wall_s']:.0f} s"
)
for check in results["checks"]:
    print(f"  {check['name']}: {check['measured']}")
# --8<-- [end:closing]
