"""Benchmark of the three-level model, CR2 and leave-one-out: whole-process time and peak
memory through the installed command line (not a test).

Cases and targets:

* ``pool --cluster COL --robust``, k = 100,000 effect sizes in 10,000 clusters: <= 20 s
* ``leave1out``, k = 300: <= 2 s for the whole process
* ``leave1out`` and ``cumulative`` (REML), k = 10,000: <= 2 s each
* ``leave1out`` and ``cumulative`` (REML), k = 100,000: <= 60 s each
* ``--methods``: also every other tau^2 estimator, at k = 100,000 (<= 60 s)

Run ``python benchmarks/bench_multilevel_sensitivity.py [--quick] [--only TEXT] [--methods]``; the table it prints is recorded in
benchmarks/RESULTS_multilevel_sensitivity.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import numpy as np

from timing import OUT, run  # noqa: E402 - benchmarks/ is the script directory
EXE = str(Path(sys.executable).parent / "alliance-meta")


def make_csv(k: int, clusters: int, seed: int = 20261122) -> Path:
    """Seeded correlations with a cluster effect (between) and a row effect (within)."""
    path = OUT / f"multilevel_k{k}_c{clusters}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    cl = np.sort(rng.integers(0, clusters, size=k))
    n = rng.integers(20, 400, size=k)
    z = 0.25 + rng.normal(0, 0.12, clusters)[cl] + rng.normal(0, 0.08, k) + rng.normal(0, 1 / np.sqrt(n - 3))
    r = np.round(np.tanh(z), 4)
    year = rng.integers(1980, 2025, size=k)
    OUT.mkdir(exist_ok=True)
    with path.open("w") as fh:
        fh.write("r,n,cluster,year\n")
        for row in zip(r, n, cl, year):
            fh.write(",".join(map(str, row)) + "\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="only the k = 300 case")
    ap.add_argument("--only", metavar="TEXT", help="only the cases whose label contains TEXT")
    ap.add_argument("--methods", action="store_true", help="also leave1out and cumulative with each other estimator")
    opts = ap.parse_args()
    cases = [
        ("leave1out, k = 300", 300, 300, ["leave1out"], 2.0, 5),
        ("three-level + CR2, k = 100,000 in 10,000 clusters", 100_000, 10_000,
         ["pool", "--cluster", "cluster", "--robust"], 20.0, 2),
        ("three-level, t test, k = 100,000 in 10,000 clusters", 100_000, 10_000,
         ["pool", "--cluster", "cluster", "--test", "t"], 20.0, 2),
        ("leave1out, k = 10,000", 10_000, 10_000, ["leave1out"], 2.0, 3),
        ("cumulative (order: year), k = 10,000", 10_000, 10_000, ["cumulative", "--order", "year"], 2.0, 3),
        ("leave1out, k = 100,000", 100_000, 10_000, ["leave1out"], 60.0, 2),
        ("cumulative (order: year), k = 100,000", 100_000, 10_000, ["cumulative", "--order", "year"], 60.0, 2),
    ]
    if opts.methods:
        for method in ("ML", "DL", "HE", "HS", "SJ", "FE", "PM", "EB"):
            k, target = 100_000, 60.0
            cases += [(f"leave1out --method {method}, k = {k:,}", k, 10_000, ["leave1out", "--method", method],
                       target, 1),
                      (f"cumulative --method {method}, k = {k:,}", k, 10_000,
                       ["cumulative", "--order", "year", "--method", method], target, 1)]
    if opts.quick:
        cases = cases[:1]
    if opts.only:
        cases = [c for c in cases if opts.only in c[0]]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| case | target (s) | wall time, best (s) | peak memory (MiB) | meets target |")
    print("| --- | ---: | ---: | ---: | :---: |")
    for label, k, clusters, cmd, target, repeat in cases:
        path = make_csv(k, clusters)
        args = [EXE, cmd[0], str(path), "--r", "r", "--n", "n", *cmd[1:], "--json"]
        secs, peak = run(args, repeat)
        shown, meets = ("-", "-") if target is None else (f"{target:.1f}", "yes" if secs <= target else "NO")
        print(f"| {label} | {shown} | {secs:.2f} | {peak:.0f} | {meets} |", flush=True)


if __name__ == "__main__":
    main()
