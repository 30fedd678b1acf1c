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

from alliance_meta.effects import r_to_z, var_z
from alliance_meta.models import metareg, pool
from oracle import CASES, cases, csv_path, mismatches

POOL = cases("pool")
METAREG = cases("metareg")
METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "HS", "EB", "FE")


def _inputs(case):
    df = pd.read_csv(csv_path(case))
    cols = case["columns"]
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


@pytest.mark.parametrize("case", POOL, ids=[c["id"] for c in POOL])
def test_pool_api(case):
    yi, vi, is_r, _ = _inputs(case)
    got = pool(yi, vi, method=case["method"], test=case["test"], back_transform=is_r).to_dict()
    assert set(got) == set(case["expect"]), "JSON keys differ from the contract"
    assert mismatches(got, case["expect"]) == []


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
