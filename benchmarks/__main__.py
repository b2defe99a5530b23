"""python -m benchmarks [topic ...] [--quick]: run benchmarks and save results/bench/<topic>.json.

A check prints ``ok`` (target held), ``FAIL`` (measured, not held) or ``open``
(not measurable here: a module not written yet, or no GPU). A benchmark that
raises is reported and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback

import benchmarks
from benchmarks._harness import save

STATUS = {True: "ok  ", False: "FAIL", None: "open"}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    topics = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(benchmarks.__path__)
                    if m.name.startswith("bench_"))
    unknown = sorted(set(wanted) - set(topics))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {topics}")
        return 2
    failed, crashed = [], []
    for topic in topics:
        if wanted and topic not in wanted:
            continue
        print(f"== {topic}", flush=True)
        start = time.perf_counter()
        try:
            result = importlib.import_module(f"benchmarks.bench_{topic}").run(quick=quick)
        except Exception:  # noqa: BLE001 - report and keep going with the other topics
            traceback.print_exc()
            crashed.append(topic)
            continue
        path = save(topic, result, quick=quick)
        for row in result.get("rows", []):
            if row.get("skipped"):
                print(f"  [skip] {row['case']}: {row['skipped']}")
        for check in result.get("checks", []):
            passed = check.get("passed")
            passed = None if passed is None else bool(passed)
            print(f"  [{STATUS[passed]}] {check['name']}: {check['measured']}")
            if passed is False:
                failed.append(f"{topic}: {check['name']}")
        print(f"  saved {path.relative_to(path.parents[2])} ({time.perf_counter() - start:.1f} s)", flush=True)
    if failed:
        print("checks that did not hold:", *failed, sep="\n  ")
    if crashed:
        print("benchmarks that raised:", *crashed, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
