"""Benchmark of the CHE model with CR2 and the HTZ Wald test, and of the selection model:
whole-process time and peak memory through the command line (not a test).

Cases and targets:

* ``pool --cluster COL --rho .6 --robust``, k = 100,000 effect sizes in 10,000 clusters: <= 10 s
* ``pool --mods year,design --cluster COL --robust`` (CR2 + the HTZ Wald test of 3
  coefficients), k = 100,000 in 10,000 clusters: <= 10 s
* ``bias`` (every test and the selection model), k = 100,000: <= 10 s

Run ``python benchmarks/bench_breadth_models.py [--quick] [--only TEXT]``; the table it prints is
recorded in benchmarks/RESULTS_breadth_models.md. The command line runs from this checkout's
``src`` (``python -m alliance_meta.cli``), so the numbers are those of the code beside them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import numpy as np

from timing import OUT, run  # noqa: E402 - benchmarks/ is the script directory

SRC = Path(__file__).resolve().parent.parent / "src"


def make_csv(k: int, clusters: int, seed: int = 20261206) -> Path:
    """Seeded correlations with a cluster effect, a row effect, a numeric and a categorical
    moderator, and mild selection of significant results (so the selection model has work)."""
    path = OUT / f"breadth_k{k}_c{clusters}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    cl = np.sort(rng.integers(0, clusters, size=k))
    n = rng.integers(20, 400, size=k)
    year = rng.integers(1980, 2025, size=k)
    design = rng.choice(["cross-sectional", "longitudinal", "experimental"], size=k)
    z = (0.15 + 0.002 * (year - 2000) + rng.normal(0, 0.12, clusters)[cl] + rng.normal(0, 0.08, k)
         + rng.normal(0, 1 / np.sqrt(n - 3)))
    r = np.round(np.tanh(z), 4)
    OUT.mkdir(exist_ok=True)
    with path.open("w") as fh:
        fh.write("r,n,cluster,year,design\n")
        for row in zip(r, n, cl, year, design):
            fh.write(",".join(map(str, row)) + "\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="only the first case")
    ap.add_argument("--only", metavar="TEXT", help="only the cases whose label contains TEXT")
    opts = ap.parse_args()
    os.environ["PYTHONPATH"] = str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")
    exe = [sys.executable, "-m", "alliance_meta.cli"]
    cases = [
        ("CHE (rho = .6) + CR2, k = 100,000 in 10,000 clusters", 100_000, 10_000,
         ["pool", "--cluster", "cluster", "--rho", "0.6", "--robust"], 10.0, 2),
        ("three-level + CR2 + HTZ Wald (year, design), k = 100,000 in 10,000 clusters", 100_000, 10_000,
         ["pool", "--mods", "year,design", "--cluster", "cluster", "--robust"], 10.0, 2),
        ("CHE (rho = .6) + CR2 + HTZ Wald (year, design), k = 100,000 in 10,000 clusters", 100_000, 10_000,
         ["pool", "--mods", "year,design", "--cluster", "cluster", "--rho", "0.6", "--robust"], 10.0, 2),
        ("bias with the selection model, k = 100,000", 100_000, 10_000, ["bias"], 10.0, 2),
        ("bias with the selection model, k = 1,000", 1_000, 100, ["bias"], None, 3),
    ]
    if opts.quick:
        cases = cases[:1]
    if opts.only:
        cases = [c for c in cases if opts.only in c[0]]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| case | target (s) | wall time, best (s) | peak memory (MiB) | meets target |")
    print("| --- | ---: | ---: | ---: | :---: |")
    for label, k, clusters, cmd, target, repeat in cases:
        path = make_csv(k, clusters)
        args = [*exe, cmd[0], str(path), "--r", "r", "--n", "n", *cmd[1:], "--json"]
        secs, peak = run(args, repeat)
        shown, meets = ("-", "-") if target is None else (f"{target:.1f}", "yes" if secs <= target else "NO")
        print(f"| {label} | {shown} | {secs:.2f} | {peak:.0f} | {meets} |", flush=True)


if __name__ == "__main__":
    main()
