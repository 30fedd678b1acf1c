"""Whole-process timing shared by the benchmark scripts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"


def run_times(args: list[str], repeat: int) -> tuple[float, float, float]:
    """Best wall time over ``repeat`` runs, the best CPU time (user + system) of those runs, and
    the largest peak RSS (MiB). On a machine shared with other work the CPU time is the steadier
    of the two: the wall time grows with the load, the CPU time much less."""
    best, best_cpu, peak = float("inf"), float("inf"), 0.0
    OUT.mkdir(exist_ok=True)
    for _ in range(repeat):
        with open(os.devnull, "wb") as sink, open(OUT / "stderr.txt", "wb") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(args, stdout=sink, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)  # ru_maxrss of this child only
            elapsed = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"{' '.join(args)} failed: {(OUT / 'stderr.txt').read_text()}")
        best = min(best, elapsed)
        best_cpu = min(best_cpu, usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss / 1024)
    return best, best_cpu, peak


def run(args: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time over ``repeat`` runs, and the largest peak RSS (MiB) of those runs."""
    best, _, peak = run_times(args, repeat)
    return best, peak
