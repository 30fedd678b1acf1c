"""Every ``threelevel``, ``robust``, ``bias``, ``leave1out`` and ``cumulative`` case of the
metafor reference set, through the Python API and through the command line, within the
tolerances of tests/oracle.py (R 4.2.2, metafor 3.8-1; see tests/data/metafor/README.md).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from alliance_meta.engine.bias import bias_tests, trim_and_fill
from alliance_meta.engine.multilevel import three_level
from alliance_meta.engine.sensitivity import cumulative, leave1out
from oracle import CASES, cases, csv_path, extra_cases, mismatches

KINDS = ("threelevel", "robust", "bias", "leave1out", "cumulative")
ALL = [c for c in CASES if c["kind"] in KINDS]


def _inputs(case):
    df = pd.read_csv(csv_path(case))
    cols = case["columns"]
    if "r" in cols:
        return np.arctanh(df[cols["r"]].to_numpy()), 1.0 / (df[cols["n"]].to_numpy() - 3.0), df
    return df[cols["yi"]].to_numpy(), df[cols["vi"]].to_numpy(), df


def _pair(case):
    cols = case["columns"]
    return ["--r", cols["r"], "--n", cols["n"]] if "r" in cols else ["--yi", cols["yi"], "--vi", cols["vi"]]


def _bias_expected(case):
    exp = json.loads(json.dumps(case["expect"]))
    exp["trimfill"] = exp.pop("trimfill_REML")
    exp.pop("trimfill_DL")
    return exp


def test_reference_set_is_complete():
    """Each dataset has its bias and leave-one-out case; ordered datasets a cumulative case;
    the clustered dataset a three-level case per test and a robust case."""
    datasets = sorted({c["dataset"] for c in CASES})
    want = {f"{d}/{kind}" for d in datasets for kind in ("bias", "leave1out")}
    want |= {"molloy2014/cumulative", "konstantopoulos2011/cumulative"}
    want |= {"konstantopoulos2011/threelevel/z", "konstantopoulos2011/threelevel/t",
             "konstantopoulos2011/robust/CR2"}
    assert {c["id"] for c in ALL} == want
    assert len(ALL) == 11


def _api(case) -> dict:
    yi, vi, df = _inputs(case)
    kind = case["kind"]
    if kind in ("threelevel", "robust"):
        fit = three_level(yi, vi, df[case["cluster"]].to_numpy(), test=case.get("test", "z"),
                          robust_se=kind == "robust")
        return fit.to_dict()
    if kind == "bias":
        return bias_tests(yi, vi, method=case["method"]).to_dict()
    if kind == "leave1out":
        return leave1out(yi, vi, method=case["method"]).to_dict()
    return cumulative(yi, vi, df[case["order"]].to_numpy(), method=case["method"]).to_dict()


def _cli(case, run_cli) -> dict:
    kind = case["kind"]
    path = str(csv_path(case))
    if kind in ("threelevel", "robust"):
        args = ["pool", path, *_pair(case), "--cluster", case["cluster"], "--json"]
        args += ["--robust"] if kind == "robust" else ["--test", case["test"]]
    elif kind == "cumulative":
        args = ["cumulative", path, *_pair(case), "--order", case["order"], "--json"]
    else:
        args = [kind, path, *_pair(case), "--method", case["method"], "--json"]
    res = run_cli(*args)
    assert res.code == 0, res.err
    return json.loads(res.out)


def _expected(case):
    return _bias_expected(case) if case["kind"] == "bias" else case["expect"]


#: leave1out's arrays of metafor's influence(), beside the eight of these cases (their values
#: are checked against the breadth reference set in test_metafor_alignment_breadth_influence.py).
INFLUENCE = {"dffits", "cov_r", "tau2_del", "QE_del", "weight", "dfbetas", "influential"}


def _keys(case):
    return set(_expected(case)) | (INFLUENCE if case["kind"] == "leave1out" else set())

#: keys of the second breadth, checked against their own reference set
#: (tests/test_metafor_alignment_breadth_models.py)
BREADTH_KEYS = {"selmodel", "selmodel_note"}


@pytest.mark.parametrize("case", ALL, ids=[c["id"] for c in ALL])
def test_reference_case_api(case):
    got = _api(case)
    exp = _expected(case)
    assert set(got) - BREADTH_KEYS == _keys(case), "JSON keys differ from the contract"
    assert mismatches(got, exp) == []


@pytest.mark.parametrize("case", ALL, ids=[c["id"] for c in ALL])
def test_reference_case_cli(case, run_cli):
    got = _cli(case, run_cli)
    exp = _expected(case)
    if case["kind"] in ("leave1out", "cumulative"):   # the data-row number of each element (issue 28)
        rows = got.pop("row")
        assert len(rows) == len(got["estimate"]) and sorted(rows) == sorted(set(rows))
    assert set(got) - BREADTH_KEYS == _keys(case), "JSON keys differ from the contract"
    assert mismatches(got, exp) == []


BIAS = cases("bias")


@pytest.mark.parametrize("case", BIAS, ids=[c["id"] for c in BIAS])
def test_trimfill_with_dersimonian_laird(case, run_cli):
    """The reference's second trim-and-fill (DL fits), through the API and --method DL."""
    yi, vi, _ = _inputs(case)
    exp = case["expect"]["trimfill_DL"]
    assert mismatches(trim_and_fill(yi, vi, method="DL").to_dict(), exp) == []
    res = run_cli("bias", str(csv_path(case)), *_pair(case), "--method", "DL", "--json")
    assert res.code == 0, res.err
    assert mismatches(json.loads(res.out)["trimfill"], exp) == []


# ------------------------------------------------ more datasets, computed locally with R

EXTRA = extra_cases(KINDS)


def test_extra_reference_set_is_complete():
    """Five more metadat datasets: three clustered ones with moderately many clusters,
    correlation and generic inputs, missing values (crede2010), and ties."""
    ids = {c["id"] for c in EXTRA}
    for d in ("crede2010", "craft2003", "assink2016", "tannersmith2016"):
        assert {f"{d}/threelevel/z", f"{d}/threelevel/t", f"{d}/robust/CR2", f"{d}/bias", f"{d}/leave1out"} <= ids
    assert {"mcdaniel1994/bias", "mcdaniel1994/leave1out", "crede2010/cumulative"} <= ids
    # edge_cases: generic effect sizes on wide scales, missing values, a large k, the smallest k
    for d in ("raudenbush1985", "hackshaw1998", "bangertdrowns2004", "begg1989", "ishak2007", "lim2014oo", "bcg",
              "molloy2014k3"):
        assert {f"{d}/bias", f"{d}/leave1out"} <= ids
    assert "molloy2014k2/leave1out" in ids  # two studies: no regression test, but leave-one-out
    for d in ("kalaian1996", "berkey1998", "bornmann2007"):  # clustered: small clusters, few clusters
        assert {f"{d}/threelevel/z", f"{d}/threelevel/t", f"{d}/robust/CR2", f"{d}/bias", f"{d}/leave1out"} <= ids
    # second_order: published pooled correlations (variances from their printed intervals)
    assert {"published_ci/bias", "published_ci/leave1out", "published_ci/cumulative"} <= ids
    assert len(EXTRA) == 23 + 43 + 3


def _extra_inputs(case):
    import pandas as pd

    df = pd.read_csv(csv_path(case))
    cols = case["columns"]
    need = [*cols.values(), *[case[k] for k in ("cluster",) if k in case]]  # metafor sorts a missing order last
    df = df.dropna(subset=need)
    if "r" in cols:
        return np.arctanh(df[cols["r"]].to_numpy(float)), 1.0 / (df[cols["n"]].to_numpy(float) - 3.0), df
    return df[cols["yi"]].to_numpy(float), df[cols["vi"]].to_numpy(float), df


@pytest.mark.parametrize("case", EXTRA, ids=[c["id"] for c in EXTRA])
def test_extra_api(case):
    yi, vi, df = _extra_inputs(case)
    kind = case["kind"]
    if kind in ("threelevel", "robust"):
        got = three_level(yi, vi, df[case["cluster"]].to_numpy(), test=case.get("test", "z"),
                          robust_se=kind == "robust").to_dict()
        got.pop("r", None), got.pop("r_ci_lb", None), got.pop("r_ci_ub", None)
    elif kind == "bias":
        got = bias_tests(yi, vi).to_dict()
    elif kind == "leave1out":
        got = leave1out(yi, vi).to_dict()
    else:
        got = cumulative(yi, vi, df[case["order"]].to_numpy()).to_dict()
    assert mismatches(got, _expected(case)) == []


@pytest.mark.parametrize("case", EXTRA, ids=[c["id"] for c in EXTRA])
def test_extra_cli(case, run_cli):
    c = dict(case)
    path = csv_path(case)
    kind = c["kind"]
    if kind in ("threelevel", "robust"):
        args = ["pool", path, *_pair(c), "--cluster", c["cluster"], "--json"]
        args += ["--robust"] if kind == "robust" else ["--test", c["test"]]
    elif kind == "cumulative":
        args = ["cumulative", path, *_pair(c), "--order", c["order"], "--json"]
    else:
        args = [kind, path, *_pair(c), "--json"]
    res = run_cli(*args)
    assert res.code == 0, res.err
    got = json.loads(res.out)
    assert mismatches(got, _expected(case)) == []
    if kind == "bias":
        res = run_cli(*args, "--method", "DL")
        assert mismatches(json.loads(res.out)["trimfill"], case["expect"]["trimfill_DL"]) == []


@pytest.mark.parametrize("case", BIAS + [c for c in EXTRA if c["kind"] == "bias"],
                         ids=[c["id"] for c in BIAS + [c for c in EXTRA if c["kind"] == "bias"]])
def test_trimfill_refits_from_sums_meet_the_reference(case, monkeypatch):
    """trim-and-fill's REML and DL refits from totals minus the trimmed rows (the O(k - m)
    path taken from FAST_K rows on), forced for these small reference sets."""
    import alliance_meta.engine.subset_sums as ss

    monkeypatch.setattr(ss, "FAST_K", 3)
    yi, vi, _ = _inputs(case)
    keep = np.isfinite(yi) & np.isfinite(vi)            # rows with a value, as the command line keeps
    yi, vi = yi[keep], vi[keep]
    for method, key in (("REML", "trimfill_REML"), ("DL", "trimfill_DL")):
        assert mismatches(trim_and_fill(yi, vi, method=method).to_dict(), case["expect"][key]) == []
