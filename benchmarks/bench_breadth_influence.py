"""Benchmark of metafor's influence() diagnostics (``leave1out --json``, which now carries
``dffits, cov_r, tau2_del, QE_del, weight, dfbetas, influential`` beside the leave-one-out
fits), the Baujat plot and the t(k - 2) prediction interval: whole-process time and peak
memory through the command line of this checkout (not a test).

Cases and targets:

* ``leave1out`` with influence, k = 100,000 (REML): <= 10 s for the whole process
* ``leave1out`` with influence, k = 10,000 and k = 300: <= 2 s
* ``pool --pi t``, k = 100,000: <= 10 s
* ``plot baujat``, k = 5,000 (the plots' default row limit): <= 10 s

``--metafor`` also times R's ``influence(rma(yi, vi))`` on the same data at k = 100 and
300 (metafor refits the model k times, each with k x k matrices: k = 1,000 did not finish in
20 minutes here), when R has metafor.

Run ``python benchmarks/bench_breadth_influence.py [--only TEXT] [--metafor]``; the table it
prints is recorded in benchmarks/RESULTS_breadth_influence.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from timing import OUT, run  # noqa: E402 - benchmarks/ is the script directory

SRC = Path(__file__).resolve().parents[1] / "src"
# this checkout's engine, whatever alliance-meta is installed
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
CLI = [sys.executable, "-m", "alliance_meta.cli"]


def make_csv(k: int, seed: int = 20261206) -> Path:
    """Seeded correlations with heterogeneity (tau = 0.1 on z) and a few outlying rows."""
    path = OUT / f"influence_k{k}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 400, size=k)
    z = 0.25 + rng.normal(0, 0.1, k) + rng.normal(0, 1 / np.sqrt(n - 3))
    z[rng.choice(k, size=max(1, k // 200), replace=False)] += 0.6        # outliers for the flags
    r = np.round(np.tanh(z), 4)
    OUT.mkdir(exist_ok=True)
    with path.open("w") as fh:
        fh.write("r,n\n")
        for row in zip(r, n):
            fh.write(",".join(map(str, row)) + "\n")
    return path


R_CODE = """suppressPackageStartupMessages(library(metafor))
d <- read.csv("{path}"); d <- escalc(measure = "ZCOR", ri = r, ni = n, data = d)
t0 <- proc.time()[3]; fit <- rma(yi, vi, data = d); inf <- influence(fit); cat(proc.time()[3] - t0, "\\n")
"""


def time_metafor(k: int):
    """Seconds R takes for rma() + influence() on the k-row file (inside R), or None."""
    if shutil.which("Rscript") is None:
        return None
    code = R_CODE.format(path=make_csv(k))
    start = time.perf_counter()
    res = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True)
    whole = time.perf_counter() - start
    if res.returncode != 0:
        return None
    return float(res.stdout.split()[-1]), whole


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", metavar="TEXT", help="only the cases whose label contains TEXT")
    ap.add_argument("--metafor", action="store_true", help="also time metafor's influence() at k = 100 and 300")
    opts = ap.parse_args()
    cases = [
        ("leave1out + influence, k = 300", 300, ["leave1out"], 2.0, 5),
        ("leave1out + influence, k = 10,000", 10_000, ["leave1out"], 2.0, 3),
        ("leave1out + influence, k = 100,000", 100_000, ["leave1out"], 10.0, 3),
        ("pool --pi t, k = 100,000", 100_000, ["pool", "--pi", "t"], 10.0, 3),
        ("plot baujat (SVG), k = 5,000", 5_000, ["plot", "baujat", "-o", str(OUT / "baujat.svg")], 10.0, 2),
    ]
    if opts.only:
        cases = [c for c in cases if opts.only in c[0]]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| case | target (s) | wall time, best (s) | peak memory (MiB) | meets target |")
    print("| --- | ---: | ---: | ---: | :---: |")
    for label, k, cmd, target, repeat in cases:
        path = make_csv(k)
        head = 2 if cmd[0] == "plot" else 1                  # plot KIND FILE ...; pool FILE ...
        args = [*CLI, *cmd[:head], str(path), "--r", "r", "--n", "n", *cmd[head:], "--json"]
        secs, peak = run(args, repeat)
        print(f"| {label} | {target:.1f} | {secs:.2f} | {peak:.0f} | {'yes' if secs <= target else 'NO'} |", flush=True)
    if opts.metafor:
        print("\n| case | metafor influence() inside R (s) | Rscript whole process (s) | alliance-meta leave1out (s) |")
        print("| --- | ---: | ---: | ---: |")
        for k in (100, 300):
            got = time_metafor(k)
            ours, _ = run([*CLI, "leave1out", str(make_csv(k)), "--r", "r", "--n", "n", "--json"], 3)
            r_in, r_whole = got if got else (float("nan"), float("nan"))
            print(f"| k = {k:,} | {r_in:.2f} | {r_whole:.2f} | {ours:.2f} |", flush=True)


if __name__ == "__main__":
    main()
