"""Benchmark: whole-process time and peak memory of `alliance-meta pool` (not a test).

Generates seeded CSVs of k correlations, then runs the installed command line on each, as
a researcher would, and reports wall time (best of a few runs) and peak resident memory.
Run with `make bench` or `python benchmarks/bench_pool.py [--quick]`; the table it prints
is recorded in benchmarks/RESULTS_pool.md.
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


def make_bias_csv(k: int, seed: int = 20261122) -> Path:
    """Correlations with a small-study effect: 40% of the studies with z / SE <= 1 are missing.

    On symmetric data of this size, Egger's slope has a random sign and trim-and-fill's L0
    may drift for more than its 100 iterations (as metafor's would) instead of settling at 0;
    with real asymmetry it converges, after some tens of refits, which is the case to time.
    """
    path = OUT / f"bias_k{k}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 400, size=k)
    se = 1.0 / np.sqrt(n - 3)
    z = 0.25 + rng.normal(0, 0.1, size=k) + rng.normal(0, se)
    keep = (z / se > 1.0) | (rng.random(k) < 0.6)
    OUT.mkdir(exist_ok=True)
    with path.open("w") as fh:
        fh.write("r,n\n")
        for row in zip(np.round(np.tanh(z[keep]), 12), n[keep]):
            fh.write(",".join(map(str, row)) + "\n")
    return path


def make_csv(k: int, mods: int, seed: int = 20261122) -> Path:
    path = OUT / f"pool_k{k}_m{mods}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 400, size=k)
    x = rng.normal(size=(k, 2))
    group = rng.choice(["a", "b", "c"], size=k)
    z = 0.25 + 0.03 * x[:, 0] + rng.normal(0, 0.1, size=k) + rng.normal(0, 1 / np.sqrt(n - 3))
    r = np.round(np.tanh(z), 4)
    OUT.mkdir(exist_ok=True)
    with path.open("w") as fh:
        fh.write("r,n,x1,x2,group\n")
        for row in zip(r, n, np.round(x[:, 0], 4), np.round(x[:, 1], 4), group):
            fh.write(",".join(map(str, row)) + "\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the k = 1,000,000 cases")
    ap.add_argument("--only", help="run only the cases whose label contains this text")
    opts = ap.parse_args()
    cases = [
        ("pool, k = 16", "pool", 16, [], 0.35, 10),   # start-up: imports (issue 28: no pandas, no scipy.special)
        ("pool, k = 1,000", "pool", 1_000, [], 1.2, 5),
        ("pool, k = 1,000,000", "pool", 1_000_000, [], 10.0, 2),
        ("meta-regression, 3 moderators, k = 1,000,000", "pool", 1_000_000, ["--mods", "x1,x2,group"], 20.0, 2),
        ("bias (Egger, rank test, trim-and-fill), k = 1,000,000 before selection", "bias", 1_000_000, [], 10.0, 2),
    ]
    if opts.only:
        cases = [c for c in cases if opts.only in c[0]]
    if opts.quick:
        cases = cases[:2]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| case | target (s) | wall time, best (s) | peak memory (MiB) | meets target |")
    print("| --- | ---: | ---: | ---: | :---: |")
    for label, command, k, extra, target, repeat in cases:
        path = make_bias_csv(k) if command == "bias" else make_csv(k, 0)
        args = [EXE, command, str(path), "--r", "r", "--n", "n", *extra, "--json"]
        secs, peak = run(args, repeat)
        print(f"| {label} | {target:g} | {secs:.2f} | {peak:.0f} | {'yes' if secs <= target else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()
