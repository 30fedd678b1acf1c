"""Shared fixtures: small CSV files and an in-process runner for the command line."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/oracle.py

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli():
    """Run ``alliance-meta`` in-process; returns exit code, stdout and stderr."""
    from alliance_meta.cli import main

    def run(*args: str) -> CliRun:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse exits on bad options
                code = exc.code if isinstance(exc.code, int) else 1
        return CliRun(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes) to a CSV file in a temporary folder and return its path."""
    counter = iter(range(10_000))

    def write(content: str | bytes, name: str | None = None) -> Path:
        path = tmp_path / (name or f"input{next(counter)}.csv")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def molloy():
    """Molloy et al. (2014) as Fisher z: (yi, vi, raw frame)."""
    import pandas as pd

    df = pd.read_csv(ROOT / "tests" / "data" / "metafor" / "molloy2014.csv")
    return np.arctanh(df["ri"].to_numpy()), 1.0 / (df["ni"].to_numpy() - 3.0), df
