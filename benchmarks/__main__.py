"""python -m benchmarks [topic ...] [--quick]: run benchmarks and save results/bench/<topic>.json."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks
from benchmarks._harness import save


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    topics = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(benchmarks.__path__)
                    if m.name.startswith("bench_"))
    failed = []
    for topic in topics:
        if wanted and topic not in wanted:
            continue
        print(f"== {topic}", flush=True)
        result = importlib.import_module(f"benchmarks.bench_{topic}").run(quick=quick)
        path = save(topic, result)
        for check in result.get("checks", []):
            status = "ok  " if check["passed"] else "FAIL"
            print(f"  [{status}] {check['name']}: {check['measured']}")
            if not check["passed"]:
                failed.append(f"{topic}: {check['name']}")
        print(f"  saved {path}")
    if failed:
        print("checks that did not hold:", *failed, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
