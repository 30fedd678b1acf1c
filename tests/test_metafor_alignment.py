"""Every ``pool`` and ``metareg`` case of the metafor reference set, through the Python API
and through ``alliance-meta pool --json``, within the tolerances in tests/oracle.py.

The reference values were computed by R 4.2.2 / metafor 3.8-1 (tests/data/metafor/README.md).
"""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pandas as pd
import pytest

from alliance_meta.engine.effects import r_to_z, var_z
from alliance_meta.engine.models import metareg, pool
from oracle import CASES, cases, csv_path, extra_cases, mismatches

POOL = cases("pool")
METAREG = cases("metareg")
METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "HS", "EB", "FE")


def _inputs(case):
    cols = case["columns"]
    df = pd.read_csv(csv_path(case)).dropna(subset=list(cols.values()))  # as the CLI and metafor do
    if "r" in cols:
        return r_to_z(df[cols["r"]].to_numpy()), var_z(df[cols["n"]].to_numpy()), True, df
    return df[cols["yi"]].to_numpy(), df[cols["vi"]].to_numpy(), False, df


def _cli_args(case):
    cols = case["columns"]
    pair = ["--r", cols["r"], "--n", cols["n"]] if "r" in cols else ["--yi", cols["yi"], "--vi", cols["vi"]]
    return ["pool", str(csv_path(case)), *pair, "--method", case["method"], "--test", case["test"], "--json"]


def _expected_metareg(case):
    exp = json.loads(json.dumps(case["expect"]))
    for coef in exp["coefficients"]:  # metafor calls the intercept 'intrcpt'
        coef["name"] = "intercept" if coef["name"] == "intrcpt" else coef["name"]
    return exp


def test_reference_set_is_complete():
    """All nine estimators x both tests (FE: z only) for every dataset, and a moderator case each."""
    datasets = sorted({c["dataset"] for c in CASES})
    assert datasets == ["cohen1981", "konstantopoulos2011", "molloy2014"]
    want = {f"{d}/pool/{m}/{t}" for d, m, t in product(datasets, METHODS, ("z", "knha")) if not (m == "FE" and t == "knha")}
    assert {c["id"] for c in POOL} == want
    assert len(POOL) == 51
    assert {c["id"] for c in METAREG} == {
        "molloy2014/metareg/meanage/z", "molloy2014/metareg/meanage/knha",
        "molloy2014/metareg/quality/z", "molloy2014/metareg/quality/knha",
        "konstantopoulos2011/metareg/year/z", "konstantopoulos2011/metareg/year/knha"}


def _check_pool_api(case):
    yi, vi, is_r, _ = _inputs(case)
    got = pool(yi, vi, method=case["method"], test=case["test"], back_transform=is_r).to_dict()
    assert set(got) == set(case["expect"]), "JSON keys differ from the contract"
    assert mismatches(got, case["expect"]) == []


@pytest.mark.parametrize("case", POOL, ids=[c["id"] for c in POOL])
def test_pool_api(case):
    _check_pool_api(case)


@pytest.mark.parametrize("case", POOL, ids=[c["id"] for c in POOL])
def test_pool_cli(case, run_cli):
    res = run_cli(*_cli_args(case))
    assert res.code == 0, res.err
    got = json.loads(res.out)
    assert set(got) == set(case["expect"])
    assert mismatches(got, case["expect"]) == []


@pytest.mark.parametrize("case", METAREG, ids=[c["id"] for c in METAREG])
def test_metareg_api(case):
    yi, vi, _, df = _inputs(case)
    got = metareg(yi, vi, {case["mods"]: df[case["mods"]].to_numpy()}, method=case["method"],
                  test=case["test"]).to_dict()
    exp = _expected_metareg(case)
    assert set(got) == set(exp)
    assert mismatches(got, exp) == []


@pytest.mark.parametrize("case", METAREG, ids=[c["id"] for c in METAREG])
def test_metareg_cli(case, run_cli):
    res = run_cli(*_cli_args(case), "--mods", case["mods"])
    assert res.code == 0, res.err
    got = json.loads(res.out)
    exp = _expected_metareg(case)
    assert set(got) == set(exp)
    assert mismatches(got, exp) == []


def test_console_script_runs_a_case(tmp_path):
    """The installed entry point (not only main()) gives the reference answer."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "alliance-meta"
    assert exe.exists(), "alliance-meta is not installed beside this Python: install the package (make test does)"
    case = POOL[0]
    out = subprocess.run([str(exe), *_cli_args(case)], capture_output=True, text=True, check=True)
    assert mismatches(json.loads(out.stdout), case["expect"]) == []
    assert np.isclose(json.loads(out.stdout)["estimate"], case["expect"]["estimate"], atol=1e-6)


# ------------------------------- the same kinds on eighteen more metadat datasets (local R)

EXTRA = extra_cases(("pool", "metareg"))


def _extra_expected(case):
    """metafor names a level ``columnlevel``; the contract says ``column[level]``."""
    exp = _expected_metareg(case) if case["kind"] == "metareg" else case["expect"]
    for coef in exp.get("coefficients", []):
        name, col = coef["name"], case.get("mods", "")
        if name not in ("intercept", col) and name.startswith(col):
            coef["name"] = f"{col}[{name[len(col):]}]"
    return exp


def test_extra_pool_and_metareg_cases_are_all_there():
    """Correlations (crede2010, mcdaniel1994) and generic yi/vi (craft2003, assink2016,
    tannersmith2016), missing values, and categorical moderators with several levels."""
    datasets = {"crede2010", "craft2003", "assink2016", "tannersmith2016", "mcdaniel1994",
                "raudenbush1985", "hackshaw1998", "bangertdrowns2004", "begg1989", "ishak2007", "lim2014oo", "bcg",
                "molloy2014k3", "molloy2014k2", "kalaian1996", "berkey1998", "bornmann2007", "nakagawa2007",
                "published_ci"}
    pools = {c["id"] for c in EXTRA if c["kind"] == "pool"}
    assert pools >= {f"{d}/pool/{m}/{t}" for d, m, t in product(datasets, METHODS, ("z", "knha"))
                     if not (m == "FE" and t == "knha")}
    assert sum(c["kind"] == "metareg" for c in EXTRA) == 16 + 42 + 4   # + published_ci: year, population


@pytest.mark.parametrize("case", EXTRA, ids=[c["id"] for c in EXTRA])
def test_extra_cases_cli(case, run_cli):
    args = _cli_args(case) + (["--mods", case["mods"]] if case["kind"] == "metareg" else [])
    res = run_cli(*args)
    assert res.code == 0, res.err
    got, exp = json.loads(res.out), _extra_expected(case)
    assert set(got) == set(exp)
    assert mismatches(got, exp) == []


@pytest.mark.parametrize("case", [c for c in EXTRA if c["kind"] == "pool"],
                         ids=[c["id"] for c in EXTRA if c["kind"] == "pool"])
def test_extra_pool_api(case):
    _check_pool_api(case)
