"""The subcommands bias, leave1out and cumulative (alliance_meta.cli.diagnostics), and the
summary of pool --cluster beside them: output, JSON keys, rows left out, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).parent / "alliance-meta")
GOOD = ("study,r,n,year,sample\nA,0.30,50,2001,s1\nB,0.10,120,1999,s1\nC,0.25,80,2005,s2\nD,0.05,200,2001,s3\n"
        "E,0.40,35,2010,s3\nF,0.22,60,2003,s4\nG,0.15,90,2007,s4\n")


@pytest.mark.parametrize("cmd,words", [
    (["bias"], ["Egger", "rank correlation", "Trim-and-fill", "fail-safe N"]),
    (["leave1out"], ["Leave-one-out", "rstudent", "Cook"]),
    (["cumulative", "--order", "year"], ["Cumulative", "ordered by year", "1999"]),
    (["pool", "--cluster", "sample", "--robust"], ["Three-level", "CR2", "Satterthwaite", "Back-transformed r"]),
])
def test_summaries(write_csv, run_cli, cmd, words):
    res = run_cli(cmd[0], write_csv(GOOD), "--r", "r", "--n", "n", *cmd[1:])
    assert res.code == 0, res.err
    for w in words:
        assert w in res.out


def test_json_keys_and_rows_left_out(write_csv, run_cli):
    path = write_csv(GOOD + "H,,40,2011,s5\n")
    res = run_cli("leave1out", path, "--r", "r", "--n", "n", "--json")
    assert res.code == 0
    out = json.loads(res.out)
    assert out["row"] == [1, 2, 3, 4, 5, 6, 7]       # row 8 (H) has no r
    assert all(len(v) == 7 for v in out.values())
    assert "1 row with an empty value left out" in res.err
    res = run_cli("cumulative", path, "--r", "r", "--n", "n", "--order", "year", "--json", "--method", "DL")
    cum = json.loads(res.out)
    assert set(cum) == {"estimate", "se", "tau2", "row"}
    assert cum["row"] == [2, 1, 4, 6, 3, 7, 5]        # by year: 1999, 2001, 2001, 2003, 2005, 2007, 2010
    res = run_cli("pool", path, "--r", "r", "--n", "n", "--cluster", "sample", "--test", "t", "--json")
    out = json.loads(res.out)
    assert out["df"] == 6 and out["n_clusters"] == 4 and -1 < out["r"] < 1


def test_cumulative_keeps_rows_without_an_order_value_last(write_csv, run_cli):
    path = write_csv(GOOD + "H,0.35,40,,s5\n")
    res = run_cli("cumulative", path, "--r", "r", "--n", "n", "--order", "year", "--json")
    assert res.code == 0 and "left out" not in res.err
    full = json.loads(run_cli("pool", path, "--r", "r", "--n", "n", "--json").out)
    out = json.loads(res.out)
    assert len(out["estimate"]) == 8
    assert out["estimate"][-1] == pytest.approx(full["estimate"], abs=1e-10)


@pytest.mark.parametrize("args,words", [
    (["bias", "--method", "XX"], "invalid choice"),
    (["cumulative"], "--order"),
    (["cumulative", "--order", "nosuch"], "no column 'nosuch'"),
    (["pool", "--cluster", "sample", "--method", "DL"], "REML only"),
    (["pool", "--cluster", "sample", "--test", "knha"], "use z or t"),
    (["plot", "forest", "-o", "out.pdf"], ".svg or .png"),
    (["plot", "cumulative", "-o", "out.svg"], "--order"),
])
def test_errors_are_one_line_exit_2(write_csv, run_cli, tmp_path, args, words):
    res = run_cli(args[0], *([args[1]] if args[0] == "plot" else []), write_csv(GOOD), "--r", "r", "--n", "n",
                  *[str(tmp_path / a) if a.startswith("out.") else a for a in args[2 if args[0] == "plot" else 1:]])
    assert res.code == 2
    assert words in res.err
    assert len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.err


def test_bad_cell_names_row_and_column(write_csv, run_cli):
    res = run_cli("bias", write_csv(GOOD + "H,abc,40,2011,s5\n"), "--r", "r", "--n", "n")
    assert res.code == 2 and "row 8" in res.err and "column 'r'" in res.err


def test_too_few_rows(write_csv, run_cli):
    res = run_cli("bias", write_csv("r,n\n0.2,40\n0.3,50\n"), "--r", "r", "--n", "n")
    assert res.code == 2 and "at least 3" in res.err


@pytest.mark.parametrize("cmd", [["leave1out"], ["cumulative", "--order", "year"]])
def test_every_estimator_fits_its_subsets_quietly(write_csv, run_cli, cmd):
    """No estimator refits its subsets one by one any more (PM and EB included, on widely
    spread effects too), so nothing is announced on stderr."""
    rows = "".join(f"s{i},{3.0 * i},{1.0 / (40 + i)},{2000 + i}\n" for i in range(5))   # yi from 0 to 12
    path = write_csv("study,yi,vi,year\n" + rows)
    for method in ("PM", "EB", "REML"):
        res = run_cli(*cmd, path, "--yi", "yi", "--vi", "vi", "--method", method, "--json")
        assert res.code == 0 and res.err == ""
