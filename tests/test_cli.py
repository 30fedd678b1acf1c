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


def test_a_column_name_with_a_comma_is_a_repeatable_mod(write_csv, run_cli):
    path = write_csv('r,n,"dose, mg",site\n0.3,50,1,a\n0.1,120,2,b\n0.25,80,3,a\n0.2,60,4,b\n0.35,45,5,a\n0.15,70,6,b\n')
    res = run_cli("pool", path, "--r", "r", "--n", "n", "--mod", "dose, mg", "--mods", "site", "--json")
    assert res.code == 0, res.err
    assert [c["name"] for c in json.loads(res.out)["coefficients"]] == ["intercept", "site[b]", "dose, mg"]
    quoted = run_cli("pool", path, "--r", "r", "--n", "n", "--mods", 'site, "dose, mg"', "--json")
    assert quoted.code == 0, quoted.err
    assert [c["name"] for c in json.loads(quoted.out)["coefficients"]] == ["intercept", "site[b]", "dose, mg"]
    res = run_cli("pool", path, "--r", "r", "--n", "n", "--mod", " ")
    assert res.code == 2 and "--mod has an empty column name" in res.err


@pytest.mark.parametrize("argv,words", [
    (["--metod", "DL"], "did you mean --method?"),
    (["--method", "reml"], "did you mean 'REML'?"),
    (["--r", "R", "--n", "n"], "no column 'R'; did you mean 'r'?"),
])
def test_did_you_mean(write_csv, run_cli, argv, words):
    path = write_csv("study,r,n\nA,0.3,50\nB,0.1,120\nC,0.25,80\n")
    args = ["pool", path, *argv] if argv[0] != "--r" else ["pool", path, *argv]
    if "--r" not in argv:
        args += ["--r", "r", "--n", "n"]
    res = run_cli(*args)
    assert res.code == 2 and res.err.count("\n") == 1 and words in res.err, res.err


def test_pool_reads_its_csv_without_pandas_or_scipy_special(write_csv):
    """Issue 28: start-up. pandas (0.27 s) read the CSV and scipy.special (0.3 s) gave the
    normal and chi-square tails; the whole-process time is benchmarked in benchmarks/."""
    path = write_csv("study,r,n\n" + "".join(f"S{i},0.{i % 9 + 1},{40 + i}\n" for i in range(16)))
    code = ("import sys; from alliance_meta.cli import main; main(['pool', sys.argv[1], '--r', 'r', '--n', 'n']); "
            "print(sorted(m for m in ('pandas', 'scipy.special', 'scipy.stats', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_moderators_near_1e200_get_one_line(write_csv, run_cli):
    """Issue 28: a RuntimeWarning and a false 'collinear' (three lines); metafor fails there too."""
    path = write_csv("r,n,x\n0.3,50,1e200\n0.1,120,2e200\n0.25,80,3e200\n0.2,60,5e200\n0.15,90,4e200\n")
    res = run_cli("pool", path, "--r", "r", "--n", "n", "--mods", "x")
    assert res.code == 2 and res.err.count("\n") == 1
    assert "column 'x'" in res.err and "divide the column by a power of ten" in res.err
    ok = run_cli("pool", write_csv("r,n,x\n0.3,50,1e100\n0.1,120,2e100\n0.25,80,3e100\n0.2,60,5e100\n0.15,90,4e100\n"),
                 "--r", "r", "--n", "n", "--mods", "x", "--json")
    assert ok.code == 0 and ok.err == ""


@pytest.mark.parametrize("body,where", [
    ("0.1,0.01\n\n0.3,1e-300\n0.2,0.02\n", "row 2 (line 4), column 'vi': sampling variance 1e-300 is below 1e-100"),
    ("0.1,0.01\n2e200,0.01\n0.2,0.02\n", "row 2 (line 3), column 'yi': effect size 2e+200 is beyond 1e+100"),
])
def test_values_beyond_double_precision_name_their_row(write_csv, run_cli, body, where):
    for command in ("pool", "bias", "leave1out"):
        res = run_cli(command, write_csv("yi,vi\n" + body), "--yi", "yi", "--vi", "vi")
        assert res.code == 2 and res.err.count("\n") == 1 and where in res.err, res.err
