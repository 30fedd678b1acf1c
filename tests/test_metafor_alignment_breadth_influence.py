"""The ``pi_t`` and ``influence`` cases of the breadth reference set (R 4.2.2, metafor 3.8-1;
tests/data/metafor/breadth/README.md), through the Python API and through the command line,
within the tolerances of tests/oracle.py; and the rules around them: the t(k - 2) prediction
interval's df for small k and under Knapp-Hartung, its one-line refusals, metafor's
``is.infl`` rule, and influence from the O(k) sums against a direct refit of every subset.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from alliance_meta.engine.models import pool
from alliance_meta.engine.sensitivity import influence_flags, leave1out
from oracle import BREADTH, breadth_cases, breadth_csv, breadth_frame, mismatches

REFERENCE = json.loads((BREADTH / "metafor_reference.json").read_text(encoding="utf-8"))
#: the shared set's cases and, from breadth/more/, the same script's on seven further datasets
PI_T = breadth_cases(("pi_t",))
INFLUENCE = breadth_cases(("influence",))
LOO_KEYS = {"estimate", "se", "tau2", "I2", "Q", "rstudent", "cooks", "hat"}


def _inputs(case):
    df = breadth_frame(case)
    cols = case["columns"]
    if "r" in cols:
        yi, vi, is_r = np.arctanh(df[cols["r"]].to_numpy(float)), 1.0 / (df[cols["n"]].to_numpy(float) - 3.0), True
    else:
        yi, vi, is_r = df[cols["yi"]].to_numpy(float), df[cols["vi"]].to_numpy(float), False
    keep = np.isfinite(yi) & np.isfinite(vi)       # rows with a value, as the command line keeps
    return yi[keep], vi[keep], is_r


def _pair(case):
    cols = case["columns"]
    return ["--r", cols["r"], "--n", cols["n"]] if "r" in cols else ["--yi", cols["yi"], "--vi", cols["vi"]]


def test_reference_set_is_complete():
    datasets = ("molloy2014", "konstantopoulos2011", "assink2016")
    shared = [c for c in PI_T + INFLUENCE if c["_dir"] == str(BREADTH)]
    assert {c["id"] for c in shared if c["kind"] == "pi_t"} == {f"{d}/pi_t/{m}" for d in datasets
                                                                for m in ("REML", "DL", "PM")}
    assert {c["id"] for c in shared if c["kind"] == "influence"} == {f"{d}/influence" for d in datasets}
    assert len(PI_T) == 30 and len(INFLUENCE) == 10
    assert len(REFERENCE["cases"]) == 25 and REFERENCE["metafor"] == "3.8.1"


# ------------------------------------------------------------------ t(k - 2) prediction interval


@pytest.mark.parametrize("case", PI_T, ids=[c["id"] for c in PI_T])
def test_pi_t_api(case):
    yi, vi, is_r = _inputs(case)
    got = pool(yi, vi, method=case["method"], back_transform=is_r, pi="t").to_dict()
    assert set(case["expect"]) <= set(got)
    assert mismatches(got, case["expect"]) == []
    assert isinstance(got["pi_df"], int)


@pytest.mark.parametrize("case", PI_T, ids=[c["id"] for c in PI_T])
def test_pi_t_cli(case, run_cli, tmp_path):
    path = breadth_csv(case, tmp_path)
    res = run_cli("pool", path, *_pair(case), "--method", case["method"],
                  "--pi", "t", "--json")
    assert res.code == 0, res.err
    got = json.loads(res.out)
    assert mismatches(got, case["expect"]) == []
    default = json.loads(run_cli("pool", path, *_pair(case), "--method",
                                 case["method"], "--json").out)
    assert "pi_df" not in default                       # --pi z: the contract's keys, unchanged
    assert default["pi_ub"] - default["pi_lb"] < got["pi_ub"] - got["pi_lb"]


def test_pi_t_summary_says_which_interval(run_cli):
    path = BREADTH / "molloy2014.csv"
    out = run_cli("pool", path, "--r", "ri", "--n", "ni", "--pi", "t").out
    assert "95% prediction interval (t(14), Higgins et al. 2009): [-0.0547, 0.3546]" in out
    assert "95% prediction interval (normal): [" in run_cli("pool", path, "--r", "ri", "--n", "ni").out
    assert "prediction interval (t(15), Knapp-Hartung)" in run_cli("pool", path, "--r", "ri", "--n", "ni",
                                                                    "--test", "knha").out


def test_pi_t_with_knapp_hartung_uses_its_se():
    """metafor's predict(fit, pi.type = "riley") on a Knapp-Hartung fit: t(k - 2) with the
    fit's own (Knapp-Hartung) SE."""
    yi, vi, _ = _inputs(PI_T[0])
    res = pool(yi, vi, test="knha", pi="t")
    half = stats.t.ppf(0.975, yi.size - 2) * math.sqrt(res.se ** 2 + res.tau2)
    assert res.pi_df == yi.size - 2 and res.df == yi.size - 1
    assert res.pi_lb == pytest.approx(res.estimate - half, abs=1e-12)
    assert res.pi_ub == pytest.approx(res.estimate + half, abs=1e-12)


def test_pi_t_with_two_rows_uses_one_df():
    """k = 2: k - 2 = 0 df; metafor's pi.type = "riley" raises df below 1 to 1."""
    res = pool([0.1, 0.5], [0.01, 0.02], method="DL", pi="t")
    half = stats.t.ppf(0.975, 1) * math.sqrt(res.se ** 2 + res.tau2)
    assert res.pi_df == 1
    assert res.pi_ub - res.estimate == pytest.approx(half, abs=1e-12)


def test_pi_t_fixed_effect_has_no_interval():
    got = pool([0.1, 0.5, 0.3], [0.01, 0.02, 0.03], method="FE", pi="t").to_dict()
    assert not {"pi_lb", "pi_ub", "pi_df"} & set(got)


@pytest.mark.parametrize("extra, words", [
    (["--method", "FE"], "--pi t: the fixed-effect model (--method FE) has no prediction interval"),
    (["--mods", "quality"], "--pi t applies to the random-effects pool (without --mods or --cluster)"),
    (["--cluster", "quality"], "--pi t applies to the random-effects pool (without --mods or --cluster)"),
])
def test_pi_t_refused_in_one_line(extra, words, run_cli):
    res = run_cli("pool", BREADTH / "molloy2014.csv", "--r", "ri", "--n", "ni", "--pi", "t", *extra)
    assert res.code == 2 and res.out == ""
    assert res.err.count("\n") == 1 and words in res.err


def test_pi_unknown_type(run_cli):
    res = run_cli("pool", BREADTH / "molloy2014.csv", "--r", "ri", "--n", "ni", "--pi", "q")
    assert res.code == 2 and res.out == ""
    with pytest.raises(Exception, match="unknown prediction interval 'q'"):
        pool([0.1, 0.2, 0.3], [0.01, 0.01, 0.01], pi="q")


# ------------------------------------------------------------------ influence()


@pytest.mark.parametrize("case", INFLUENCE, ids=[c["id"] for c in INFLUENCE])
def test_influence_api(case):
    yi, vi, _ = _inputs(case)
    got = leave1out(yi, vi, method=case["method"]).to_dict()
    assert set(got) == LOO_KEYS | set(case["expect"])
    assert mismatches(got, case["expect"]) == []
    assert got["influential"] == case["expect"]["influential"]


@pytest.mark.parametrize("case", INFLUENCE, ids=[c["id"] for c in INFLUENCE])
def test_influence_cli(case, run_cli, tmp_path):
    res = run_cli("leave1out", breadth_csv(case, tmp_path), *_pair(case), "--json")
    assert res.code == 0, res.err
    got = json.loads(res.out)
    assert mismatches(got, case["expect"]) == []
    assert got["influential"] == case["expect"]["influential"]


def test_influence_summary_names_the_flagged_rows(run_cli):
    """konstantopoulos2011: metafor flags one row, the 33rd of the file."""
    case = next(c for c in INFLUENCE if c["dataset"] == "konstantopoulos2011")
    assert [i + 1 for i, f in enumerate(case["expect"]["influential"]) if f] == [33]
    out = run_cli("leave1out", BREADTH / "konstantopoulos2011.csv", "--yi", "yi", "--vi", "vi").out
    assert "Influential by metafor's rule (|DFFITS| > 0.405" in out and out.rstrip().endswith(": row 33")
    out = run_cli("leave1out", BREADTH / "molloy2014.csv", "--r", "ri", "--n", "ni").out
    assert out.rstrip().endswith("or |DFBETAS| > 1): none")


def test_influence_rule_each_criterion_and_na():
    """Each of metafor's four criteria alone flags a row; a missing value with no other
    criterion met is R's NA (None), and with one met is TRUE."""
    k = 10
    base = dict(dffits=np.zeros(k), cooks=np.zeros(k), hat=np.full(k, 0.1), dfbetas=np.zeros(k))
    assert influence_flags(**base) == [False] * k
    cut = 3.0 * math.sqrt(1 / 9)
    for key, value in (("dffits", cut * 1.0001), ("dffits", -cut * 1.0001), ("cooks", 0.4551),
                       ("hat", 0.3001), ("dfbetas", -1.0001)):
        arrays = {n: a.copy() for n, a in base.items()}
        arrays[key][3] = value
        assert influence_flags(**arrays) == [i == 3 for i in range(k)], key
    arrays = {n: a.copy() for n, a in base.items()}
    arrays["cooks"][2] = 0.4549                        # below the chi-square(1) median 0.45494
    arrays["dffits"][4] = cut * 0.9999
    arrays["dfbetas"][5] = np.nan
    arrays["dfbetas"][6] = np.nan
    arrays["hat"][6] = 0.5
    assert influence_flags(**arrays) == [False] * 5 + [None, True] + [False] * 3


def _direct(y, v, method):
    """metafor's influence() by its own steps: refit without each row (one pool() each),
    then the formulas of influence.rma.uni with the sums written out over all rows."""
    full = pool(y, v, method=method, tau2_ci=False)
    w = 1.0 / (v + full.tau2)
    hat = w / w.sum()
    out = {key: [] for key in ("rstudent", "dffits", "cooks", "cov_r", "tau2_del", "QE_del", "dfbetas")}
    for i in range(y.size):
        keep = np.arange(y.size) != i
        d = pool(y[keep], v[keep], method=method, tau2_ci=False)
        vb_del = 1.0 / np.sum(1.0 / (v + d.tau2))     # every row, at the deleted fit's tau^2
        out["rstudent"].append((y[i] - d.estimate) / math.sqrt(v[i] + d.tau2 + d.se ** 2))
        out["dffits"].append((full.estimate - d.estimate) / math.sqrt(hat[i] * (d.tau2 + v[i])))
        out["cooks"].append((full.estimate - d.estimate) ** 2 / full.se ** 2)
        out["cov_r"].append(d.se ** 2 / full.se ** 2)
        out["tau2_del"].append(d.tau2)
        out["QE_del"].append(d.Q)
        out["dfbetas"].append((full.estimate - d.estimate) / math.sqrt(vb_del))
    out["hat"], out["weight"] = hat, 100.0 * hat
    return out


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 10 ** 6), st.integers(3, 40), st.sampled_from(["REML", "DL", "FE"]), st.booleans())
def test_influence_from_sums_equals_direct_refits(seed, k, method, fast):
    """On random data, influence from the deleted fits' sums (the O(k) path forced from
    k = 3 on, or the block code) equals one refit per row with the formulas over all rows."""
    import alliance_meta.engine.subset_sums as ss

    rng = np.random.default_rng(seed)
    v = 1.0 / (rng.integers(10, 300, size=k) - 3.0)
    y = rng.normal(0.2, 0.15, size=k) + rng.normal(0, np.sqrt(v))
    saved = ss.FAST_K
    ss.FAST_K = 3 if fast else 10 ** 12
    try:
        got = leave1out(y, v, method=method)
    finally:
        ss.FAST_K = saved
    want = _direct(y, v, method)
    for key, values in want.items():
        np.testing.assert_allclose(getattr(got, key), values, rtol=1e-7, atol=1e-9, err_msg=key)
    assert got.influential == influence_flags(want["dffits"], want["cooks"], want["hat"], want["dfbetas"])
