"""The command line: output formats, exit codes and one-line errors (no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).parent / "alliance-meta")
GOOD = "study,r,n,group\nA,0.30,50,x\nB,0.10,120,y\nC,0.25,80,x\nD,0.05,200,y\nE,0.40,35,x\n"


def test_summary_names_the_numbers(write_csv, run_cli):
    res = run_cli("pool", write_csv(GOOD), "--r", "r", "--n", "n")
    assert res.code == 0
    for words in ("Random-effects model", "k = 5", "Back-transformed r", "prediction interval", "tau^2", "I^2"):
        assert words in res.out


def test_json_and_dropped_rows(write_csv, run_cli):
    res = run_cli("pool", write_csv(GOOD + "F,,40,x\n"), "--r", "r", "--n", "n", "--json")
    assert res.code == 0
    out = json.loads(res.out)
    assert out["k"] == 5
    assert "1 row with an empty value left out" in res.err


def test_categorical_moderator_names(write_csv, run_cli):
    res = run_cli("pool", write_csv(GOOD), "--r", "r", "--n", "n", "--mods", "group", "--json")
    assert res.code == 0, res.err
    names = [c["name"] for c in json.loads(res.out)["coefficients"]]
    assert names == ["intercept", "group[y]"]


@pytest.mark.parametrize("args,words", [
    (["--method", "XYZ"], "invalid choice: 'XYZ'"),
    (["--test", "q"], "invalid choice: 'q'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["--test", "t"], "applies to the three-level model"),
    (["--robust"], "--robust needs --cluster"),
    (["--mods", "nope"], "no column 'nope'"),
    (["--mods", "study"], "needs more than 5"),
    (["--yi", "r"], "give either --r and --n, or --yi and --vi"),
])
def test_bad_options_exit_2_with_one_line(write_csv, run_cli, args, words):
    res = run_cli("pool", write_csv(GOOD), "--r", "r", "--n", "n", *args)
    assert res.code == 2
    assert res.out == ""
    assert res.err.count("\n") == 1 and words in res.err


def test_too_few_rows(write_csv, run_cli):
    res = run_cli("pool", write_csv("r,n\n0.3,50\n,20\n"), "--r", "r", "--n", "n")
    assert res.code == 2 and "at least 2 effect sizes" in res.err and res.err.count("\n") == 1


def test_moderator_with_one_level(write_csv, run_cli):
    res = run_cli("pool", write_csv("r,n,g\n0.3,50,a\n0.1,60,a\n0.2,70,a\n"), "--r", "r", "--n", "n", "--mods", "g")
    assert res.code == 2 and "single level" in res.err


CLUSTERED = ("study,r,n,group,g\nA,0.30,50,x,a\nA,0.10,120,y,a\nB,0.25,80,x,a\nB,0.05,200,y,a\nC,0.40,35,x,a\n"
             "C,0.20,90,y,a\nD,0.15,60,x,a\n")


@pytest.mark.parametrize("args,words", [
    (["--cluster", "study", "--rho", "1"], "rho must be in [0, 1)"),
    (["--cluster", "study", "--rho", "-0.2", "--robust"], "rho must be in [0, 1)"),
    (["--cluster", "study", "--rho", "nan"], "rho must be in [0, 1)"),
    (["--cluster", "study", "--rho", "half"], "invalid float value: 'half'"),
    (["--rho", "0.5"], "--rho needs --cluster"),
    (["--mods", "g", "--cluster", "study", "--robust"], "single level"),
])
def test_che_and_robust_wald_errors_are_one_line(write_csv, run_cli, args, words):
    res = run_cli("pool", write_csv(CLUSTERED), "--r", "r", "--n", "n", *args)
    assert res.code == 2 and res.out == ""
    assert res.err.count("\n") == 1 and words in res.err


def test_che_and_robust_wald_on_the_command_line(write_csv, run_cli):
    path = write_csv(CLUSTERED)
    che = run_cli("pool", path, "--r", "r", "--n", "n", "--cluster", "study", "--rho", "0.6", "--json")
    assert che.code == 0, che.err
    assert {"k", "n_clusters", "sigma2_between", "sigma2_within", "logLik"} <= set(json.loads(che.out))
    text = run_cli("pool", path, "--r", "r", "--n", "n", "--cluster", "study", "--rho", "0.6")
    assert "correlated rho = 0.6" in text.out
    wald = run_cli("pool", path, "--r", "r", "--n", "n", "--mods", "group", "--cluster", "study", "--robust", "--json")
    assert wald.code == 0, wald.err
    assert set(json.loads(wald.out)["robust_wald"]) == {"F", "df_num", "df_denom", "pval"}
    res = run_cli("report", path, "--r", "r", "--n", "n", "--rho", "0.5", "-o", str(path) + ".html")
    assert res.code == 2 and "--rho needs --cluster" in res.err and res.err.count("\n") == 1


def test_bias_without_a_selection_model_still_answers(write_csv, run_cli):
    """Every effect far from significance: the selection model has an empty interval, the
    other tests stand and the JSON says why it is missing."""
    res = run_cli("bias", write_csv("r,n\n0.01,50\n0.02,60\n-0.01,80\n0.00,100\n0.03,40\n"), "--r", "r", "--n", "n",
                  "--json")
    assert res.code == 0, res.err
    out = json.loads(res.out)
    assert out["selmodel"] is None and "p <= 0.025" in out["selmodel_note"]


def test_real_process_no_traceback_and_nothing_on_stdout(write_csv):
    bad = write_csv("r,n\n0.3,50\n7,40\n")
    proc = subprocess.run([EXE, "pool", str(bad), "--r", "r", "--n", "n", "--json"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "Traceback" not in proc.stderr
    assert f"{bad}, row 2 (line 3), column 'r': r = 7 is outside [-1, 1]" in proc.stderr


def test_help_and_version(run_cli):
    assert run_cli("--version").out.startswith("alliance-meta ")
    assert run_cli().code == 2


def test_start_up_imports_nothing_heavy():
    """Building the parser (all subcommands registered) loads no NumPy, SciPy or matplotlib."""
    code = ("import sys; from alliance_meta.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('numpy', 'scipy', 'matplotlib', 'pandas', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_console_script_help_lists_subcommands():
    out = subprocess.run([EXE, "--help"], capture_output=True, text=True, check=True)
    for cmd in ("bias", "leave1out", "cumulative", "plot"):
        assert cmd in out.stdout


def test_a_dominant_study_gives_metafors_answer(write_csv, run_cli):
    """S2 with n = 10^12: metafor (and a direct REML maximisation) give tau^2 = 0.0031,
    se = 0.050, p = 0.009; differences of large traces once gave tau^2 = 0 and se = 1e-6."""
    res = run_cli("pool", write_csv("study,r,n\nS1,0.3,40\nS2,0.1,1e12\nS3,0.2,60\n"), "--r", "r", "--n", "n", "--json")
    out = json.loads(res.out)
    assert out["tau2"] == pytest.approx(0.0031, abs=5e-5)
    assert out["se"] == pytest.approx(0.050, abs=5e-4)
    assert out["pval"] == pytest.approx(0.009, abs=5e-4)


def test_bias_on_a_dominant_study_gives_the_exact_answer(write_csv, run_cli):
    """The same file through ``bias``: Egger's meta-regression once stopped on a negative
    Fisher information. The values are those of the dense formulas at 60 digits (mpmath,
    as in test_weights): tau^2 = 0 at the REML maximum, slope z = 1.446387258746, intercept
    0.100334324973499."""
    res = run_cli("bias", write_csv("r,n\n0.3,40\n0.1,1e12\n0.2,60\n"), "--r", "r", "--n", "n", "--json")
    assert res.code == 0, res.err
    out = json.loads(res.out)
    assert out["egger_rma_z"] == pytest.approx(1.446387258746, rel=1e-9)
    assert out["pet_estimate"] == pytest.approx(0.100334324973499, rel=1e-9)


@pytest.mark.parametrize("args,text,words", [
    (["pool", "--yi", "yi", "--vi", "vi"], "yi,vi\n0.3,1e-300\n0.1,0.01\n0.2,0.02\n", "is below 1e-100"),
    (["pool", "--yi", "yi", "--vi", "vi"], "yi,vi\n1e150,0.01\n0.1,0.01\n0.2,0.02\n", "beyond 1e+100 in magnitude"),
])
def test_numbers_beyond_double_precision_are_one_line(write_csv, run_cli, args, text, words):
    res = run_cli(args[0], write_csv(text), *args[1:])
    assert res.code == 2 and words in res.err and "internal error" not in res.err
