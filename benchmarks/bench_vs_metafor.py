"""Side by side with R: the CHE model with CR2, the HTZ Wald test of a three-level moderator and
the selection model, in alliance-meta and in metafor 3.8-1 / clubSandwich 0.5.8, on the same
seeded CSV files, at sizes R completes (not a test).

Cases (R code in benchmarks/bench_vs_metafor.R):

* ``che``: ``V <- vcalc(vi, cluster, obs = row, rho = .6); fit <- rma.mv(yi, V, random = ~ 1 |
  cluster/row, method = "REML"); coef_test(fit, vcov = "CR2")`` against ``alliance-meta pool FILE
  --yi yi --vi vi --cluster cluster --rho 0.6 --robust --json``;
  ``che_sparse`` is the same model with a sparse V and ``rma.mv(sparse = TRUE)``, metafor's own
  option for large k.
* ``wald``: ``fit <- rma.mv(yi, vi, mods = ~ M, random = ~ 1 | cluster/row); Wald_test(fit,
  constrain_zero(2:3), vcov = "CR2", test = "HTZ")`` against ``pool --mods M --cluster cluster
  --robust --json`` (its ``robust_wald``); ``wald_sparse`` with ``rma.mv(sparse = TRUE)``.
* ``sel``: ``selmodel(rma(yi, vi), type = "stepfun", steps = .025)`` against ``bias --json``
  (its ``selmodel``; ``bias`` also runs Egger, the rank test, trim-and-fill, PET-PEESE and
  fail-safe N, so the engine's time is an upper bound of the selection model's).

Times: metafor inside R with ``proc.time()`` around the calls (best of up to three runs), the
seconds ``Rscript`` spends before them (start-up, loading the packages, ``read.csv``; one
``Rscript`` run of one case takes the sum of the two), and alliance-meta's whole process
(Python start-up and reading the CSV included); wall time and, steadier on a shared machine,
CPU time (user + system). Each pair's estimates are printed beside each
other: a side by side compares the same quantity. An R case that fails or takes longer than
``--timeout`` seconds is not run at the larger sizes. Without Rscript, metafor or
clubSandwich, only the engine is timed, with a note.

Run ``python benchmarks/bench_vs_metafor.py [--only TEXT] [--sizes 500,2000] [--timeout S]``;
the tables it prints are recorded in benchmarks/RESULTS_vs_metafor.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from timing import OUT, run_times  # noqa: E402 - benchmarks/ is the script directory

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
# this checkout's engine, whatever alliance-meta is installed
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
CLI = [sys.executable, "-m", "alliance_meta.cli"]
R_SCRIPT = HERE / "bench_vs_metafor.R"

# engine command and, per R case, the quantities compared: (label, R key, engine path)
ENGINE = {
    "che": ["pool", "--cluster", "cluster", "--rho", "0.6", "--robust"],
    "wald": ["pool", "--mods", "M", "--cluster", "cluster", "--robust"],
    "sel": ["bias"],
}
COMPARE = {
    "che": [("estimate", "estimate", ("estimate",)), ("CR2 se", "se", ("se",)),
            ("Satterthwaite df", "df", ("df",))],
    "wald": [("HTZ F", "F", ("robust_wald", "F")), ("HTZ df_denom", "df_denom", ("robust_wald", "df_denom")),
             ("HTZ p", "pval", ("robust_wald", "pval"))],
    "sel": [("estimate", "estimate", ("selmodel", "estimate")), ("tau2", "tau2", ("selmodel", "tau2")),
            ("delta[2]", "delta", ("selmodel", "delta")), ("logLik", "logLik", ("selmodel", "logLik"))],
}
LABEL = {
    "che": "CHE (rho = .6) + CR2",
    "che_sparse": "CHE (rho = .6) + CR2, R sparse",
    "wald": "three-level + HTZ Wald (M, 3 levels)",
    "wald_sparse": "three-level + HTZ Wald (M, 3 levels), R sparse",
    "sel": "selection model (step at .025)",
}


def make_csv(k: int, clusters: int, seed: int = 20261206) -> Path:
    """Seeded Fisher-z effect sizes (yi, vi = 1/(n - 3)) sorted by cluster, with a cluster and
    a row effect, a three-level moderator M (a, b, c; b shifts the effect by 0.05), and the
    non-significant rows kept with probability 0.7 (so the selection model has work)."""
    path = OUT / f"vs_metafor_k{k}_c{clusters}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    m = 2 * k                                       # enough rows before the selection
    cl = rng.integers(0, clusters, size=m)
    n = rng.integers(20, 400, size=m)
    vi = 1.0 / (n - 3)
    mod = rng.choice(np.array(["a", "b", "c"]), size=m)
    yi = (0.15 + 0.05 * (mod == "b") + rng.normal(0, 0.1, clusters)[cl] + rng.normal(0, 0.07, m)
          + rng.normal(0, np.sqrt(vi)))
    keep = (yi / np.sqrt(vi) > 1.959964) | (rng.random(m) < 0.7)
    idx = np.flatnonzero(keep)[:k]
    idx = idx[np.argsort(cl[idx], kind="stable")]   # sorted by cluster: R's block-diagonal V in file order
    OUT.mkdir(exist_ok=True)
    with path.open("w") as fh:
        fh.write("yi,vi,cluster,M\n")
        for i in idx:
            fh.write(f"{yi[i]:.10g},{vi[i]:.10g},{cl[i]},{mod[i]}\n")
    return path


def r_available() -> str | None:
    """Why R cannot run the comparison, or None when Rscript, metafor and clubSandwich are there."""
    if shutil.which("Rscript") is None:
        return "Rscript is not on PATH"
    code = 'suppressPackageStartupMessages({library(metafor); library(clubSandwich); library(jsonlite)})'
    res = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True)
    return None if res.returncode == 0 else "R lacks metafor, clubSandwich or jsonlite"


def r_versions() -> str:
    code = ('cat(R.version.string, "| metafor", packageDescription("metafor")$Version, '
            '"| clubSandwich", packageDescription("clubSandwich")$Version, '
            '"| Matrix", packageDescription("Matrix")$Version, '
            '"| BLAS", basename(extSoftVersion()[["BLAS"]]))')
    res = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True)
    return res.stdout.strip()


def run_r(path: Path, case: str, repeat: int, timeout: float):
    """(R's JSON, whole-process seconds), or (None, reason)."""
    start = time.perf_counter()
    try:
        res = subprocess.run(["Rscript", str(R_SCRIPT), str(path), case, str(repeat)],
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"not finished in {timeout:.0f} s"
    whole = time.perf_counter() - start
    if res.returncode != 0:
        return None, "failed: " + (res.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(res.stdout.strip().splitlines()[-1]), whole


def engine_json(args: list[str]) -> dict:
    res = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def dig(obj, keys):
    for key in keys:
        obj = obj[key]
    return obj


def scalar(value):
    """The compared number: delta's free weight (the first is fixed at 1)."""
    return value[1] if isinstance(value, list) else value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", metavar="TEXT", help="only the cases (che, che_sparse, wald, wald_sparse, sel) "
                    "whose name contains TEXT")
    ap.add_argument("--sizes", default="500,1000,2000,5000,10000",
                    help="numbers of rows, comma-separated; clusters = k / 10 (default %(default)s)")
    ap.add_argument("--sel-sizes", default="10000,100000",
                    help="further sizes for the selection model only (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds after which an R run is stopped and its case not run at larger k")
    ap.add_argument("--repeat", type=int, default=3, help="engine runs per case, best taken (default 3)")
    ap.add_argument("--r-repeat", type=int, default=3,
                    help="timed runs inside R, best taken; none begins after 20 s in all (default 3)")
    opts = ap.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",") if s]
    sel_sizes = sorted(set(sizes) | {int(s) for s in opts.sel_sizes.split(",") if s})
    cases = [c for c in LABEL if not opts.only or opts.only in c]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    why_not = r_available()
    if why_not:
        print(f"\nNote: {why_not}; only alliance-meta is timed, without the side by side.")
    else:
        print(r_versions())
    print("\n| case | k (clusters) | metafor inside R: fit + inference, wall (s) | metafor inside R, CPU (s) "
          "| Rscript start-up, packages, read.csv (s) | alliance-meta whole process, wall (s) | alliance-meta, CPU (s) "
          "| CPU ratio R inside / alliance-meta |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    agreement = []
    stopped: dict[str, str] = {}
    timed: dict[tuple[str, int], tuple[float, float]] = {}
    for case in cases:
        base = case.split("_")[0]
        for k in (sel_sizes if base == "sel" else sizes):
            clusters = max(1, k // 10)
            path = make_csv(k, clusters)
            args = [*CLI, ENGINE[base][0], str(path), "--yi", "yi", "--vi", "vi", *ENGINE[base][1:], "--json"]
            if (base, k) not in timed:                      # the dense and sparse R cases share it
                timed[base, k] = run_times(args, opts.repeat)[:2]
            ours, ours_cpu = timed[base, k]
            where = f"{k:,}" if base == "sel" else f"{k:,} ({clusters:,})"
            if why_not or case in stopped:
                note = why_not and "R not run" or stopped[case]
                print(f"| {LABEL[case]} | {where} | {note} | - | - | {ours:.2f} | {ours_cpu:.2f} | - |", flush=True)
                continue
            got, whole = run_r(path, case, opts.r_repeat, opts.timeout)
            if got is None:
                stopped[case] = f"not run: at k = {k:,} {whole}"
                print(f"| {LABEL[case]} | {where} | {whole} | - | - | {ours:.2f} | {ours_cpu:.2f} | - |", flush=True)
                continue
            inside = f"{got['fit_s']:.2f} + {got['inference_s']:.2f} = {got['total_s']:.2f}"
            print(f"| {LABEL[case]} | {where} | {inside} | {got['cpu_s']:.2f} | {got['setup_s']:.2f} | {ours:.2f} | "
                  f"{ours_cpu:.2f} | {got['cpu_s'] / ours_cpu:.1f} |", flush=True)
            mine = engine_json(args)
            for label, r_key, path_keys in COMPARE[base]:
                a, b = scalar(got[r_key]), scalar(dig(mine, path_keys))
                agreement.append((LABEL[case], where, label, a, b))
    if agreement:
        print("\n| case | k (clusters) | quantity | metafor / clubSandwich | alliance-meta | difference |")
        print("| --- | ---: | --- | ---: | ---: | ---: |")
        for case, where, label, a, b in agreement:
            print(f"| {case} | {where} | {label} | {a:.10g} | {b:.10g} | {b - a:.2g} |")


if __name__ == "__main__":
    main()
