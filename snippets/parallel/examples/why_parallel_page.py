"""Code of docs/parallel/why-parallel.md, section by section (run top to bottom)."""

# --8<-- [start:laws]
from snippets.parallel.speedup import amdahl_speedup, gustafson_speedup

f = 0.9  # 90 % of the one-processor run time can be split
print("   P   Amdahl  Gustafson  Amdahl efficiency")
for p in (1, 2, 4, 8, 16, 64, 1024):
    s = amdahl_speedup(f, p)
    print(f"{p:>4}  {s:7.2f}  {gustafson_speedup(f, p):9.1f}  {s / p:17.2f}")
print(f"Amdahl's ceiling for f = {f}: 1 / (1 - f) = {1 / (1 - f):.0f}")
# --8<-- [end:laws]

# --8<-- [start:measured]
from snippets.parallel.figures import load_results, machine_line
from snippets.parallel.speedup import amdahl_speedup

# results/bench/parallel.json, written by `python -m benchmarks parallel`
results = load_results()
print("measured on:", machine_line(results))
print(
    "load average (1, 5, 15 min) at the run: "
    f"{', '.join(f'{v:.1f}' for v in results['load_average'])}"
)
for c in results["curves"]:
    f = c["parallel_fraction"]
    print(f"\n{c['rung']}, n = {c['n']:,}: fitted parallel fraction f = {f:.2f}")
    print("   P   time (ms)  speedup  efficiency  Amdahl(f, P)")
    for p, t, s in zip(c["workers"], c["seconds"], c["speedup"]):
        print(
            f"{p:>4}  {t * 1e3:9.2f}  {s:7.2f}  {s / p:10.2f}  "
            f"{amdahl_speedup(f, p):12.2f}"
        )
# --8<-- [end:measured]

# --8<-- [start:oversubscription]
from snippets.parallel.figures import load_results

over = load_results()["oversubscription"]
print(f"{over['rung']} rung, n = {over['n']:,}, on {over['cores']} cores")
print(" threads  time (ms)  speedup over 1 thread")
for p, t, s in zip(over["workers"], over["seconds"], over["speedup"]):
    print(
        f"{p:>8}  {t * 1e3:9.2f}  {s:7.2f}"
        + ("  (more threads than cores)" if p > over["cores"] else "")
    )
# --8<-- [end:oversubscription]

# --8<-- [start:communication]
import pickle

import numpy as np

from snippets.parallel.figures import load_results

results = load_results()
n = results["n"]
chunk = np.zeros(n // 2, dtype=results["dtype"])
sent = 2 * len(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))  # two chunks out
print(
    f"bytes pickled to the 2 worker processes: {sent / 2**20:.1f} MiB "
    "(and as many back)"
)
rows = {(r["rung"], r["workers"]): r for r in results["rows"]}
for key in (("threads", 1), ("threads", 2), ("processes", 2)):
    r = rows[key]
    print(f"{r['label']:<28} {r['seconds'] * 1e3:8.1f} ms")
# --8<-- [end:communication]
