"""Benchmarks: ours next to the production twin, in one run, against the machine's limits.

Each ``benchmarks/bench_<topic>.py`` defines ``run(quick: bool = False) -> dict``
returning ``{"rows": [...], "checks": [...]}``; ``python -m benchmarks`` runs them
all (or those named on the command line) and saves
``results/bench/<topic>.json`` with the machine, date and versions.
"""
