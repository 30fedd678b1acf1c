"""Pooling and meta-regression: invariants that hold for any data (hypothesis), and
hand-computable special cases."""

from __future__ import annotations

import json

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from alliance_meta.engine.errors import InputError
from alliance_meta.engine.models import METHODS, design_matrix, metareg, pool, pool_correlations

pairs = st.lists(st.tuples(st.floats(-0.95, 0.95), st.integers(5, 2000)), min_size=3, max_size=25)


def _close(a: dict, b: dict, tol=1e-9):
    assert a.keys() == b.keys()
    for key in a:
        if a[key] is None or b[key] is None:   # not a finite number (JSON null) in both, or neither
            assert a[key] is None and b[key] is None, key
        else:
            assert a[key] == pytest.approx(b[key], rel=tol, abs=tol), key


@settings(max_examples=40, deadline=None)
@given(pairs, st.randoms(use_true_random=False), st.sampled_from(METHODS), st.sampled_from(["z", "knha"]))
def test_row_order_does_not_matter(data, rnd, method, test):
    r = np.array([d[0] for d in data])
    n = np.array([d[1] for d in data])
    order = list(range(len(r)))
    rnd.shuffle(order)
    a = pool_correlations(r, n, method=method, test=test).to_dict()
    b = pool_correlations(r[order], n[order], method=method, test=test).to_dict()
    _close(a, b, tol=1e-7)


@settings(max_examples=40, deadline=None)
@given(st.floats(-0.9, 0.9), st.lists(st.integers(5, 500), min_size=2, max_size=20), st.sampled_from(METHODS[:-1]))
def test_every_estimator_equals_fe_when_tau2_is_zero(r, ns, method):
    """Identical correlations leave nothing for tau^2: every model is the fixed-effect one."""
    rr = np.full(len(ns), r)
    fe = pool_correlations(rr, ns, method="FE").to_dict()
    re = pool_correlations(rr, ns, method=method)
    assert re.tau2 == 0.0
    for key in ("estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "Q", "r", "r_ci_lb", "r_ci_ub"):
        assert re.to_dict()[key] == pytest.approx(fe[key], rel=1e-12, abs=1e-12), key
    assert re.pi_lb == pytest.approx(fe["ci_lb"], abs=1e-12)  # with tau^2 = 0 the PI is the CI


@settings(max_examples=40, deadline=None)
@given(pairs, st.sampled_from(METHODS))
def test_back_transform_is_consistent(data, method):
    r = np.array([d[0] for d in data])
    n = np.array([d[1] for d in data])
    res = pool_correlations(r, n, method=method)
    assert res.r == pytest.approx(math.tanh(res.estimate), abs=1e-15)
    assert res.r_ci_lb == pytest.approx(math.tanh(res.ci_lb), abs=1e-15)
    assert res.r_ci_lb <= res.r <= res.r_ci_ub
    if method != "FE":
        assert res.r_pi_lb <= res.r_ci_lb + 1e-12 and res.r_ci_ub <= res.r_pi_ub + 1e-12
        assert res.tau2_ci_lb <= res.tau2_ci_ub
        if method == "PM":  # the Q-profile interval is built around the Paule-Mandel root;
            # other estimators (HS, DL, ...) may fall outside it, in metafor too
            assert res.tau2_ci_lb <= res.tau2 + 1e-12 <= res.tau2_ci_ub + 2e-12
        assert 0.0 <= res.I2 <= 100.0 and res.H2 >= 1.0


@settings(max_examples=30, deadline=None)
@given(pairs)
def test_sign_flip_mirrors_the_estimate(data):
    r = np.array([d[0] for d in data])
    n = np.array([d[1] for d in data])
    a = pool_correlations(r, n)
    b = pool_correlations(-r, n)
    assert b.estimate == pytest.approx(-a.estimate, abs=1e-9)
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-7, abs=1e-12)


def test_fixed_effect_by_hand():
    y = np.array([0.1, 0.3, 0.2])
    v = np.array([0.01, 0.02, 0.04])
    w = 1 / v
    mu = float(np.sum(w * y) / w.sum())
    res = pool(y, v, method="FE")
    assert res.estimate == pytest.approx(mu, abs=1e-15)
    assert res.se == pytest.approx(1 / math.sqrt(w.sum()), abs=1e-15)
    q = float(np.sum(w * (y - mu) ** 2))
    assert res.Q == pytest.approx(q)
    assert res.I2 == pytest.approx(max(0.0, 100 * (q - 2) / q))
    assert "pi_lb" not in res.to_dict() and "tau2_ci_lb" not in res.to_dict()


def test_knha_uses_t_with_k_minus_1_df(molloy):
    y, v, _ = molloy
    res = pool(y, v, test="knha")
    assert res.df == y.size - 1
    assert res.to_dict()["df"] == 15


def test_metareg_with_categorical_moderator_equals_subgroup_means_under_fe():
    y = np.array([0.1, 0.2, 0.5, 0.6])
    v = np.array([0.01, 0.01, 0.02, 0.02])
    res = metareg(y, v, {"g": ["a", "a", "b", "b"]}, method="FE")
    assert [c.name for c in res.coefficients] == ["intercept", "g[b]"]
    assert res.coefficients[0].estimate == pytest.approx(0.15)
    assert res.coefficients[1].estimate == pytest.approx(0.55 - 0.15)


def test_design_matrix_reference_level_is_first_sorted():
    d = design_matrix({"dyad": ["youth", "parent", "family", "parent"]}, 4)
    assert d.names == ["intercept", "dyad[parent]", "dyad[youth]"]
    np.testing.assert_array_equal(d.X[:, 1], [0, 1, 0, 1])


def test_collinear_moderators_are_refused():
    y = np.linspace(0, 1, 6)
    with pytest.raises(InputError, match="collinear"):
        metareg(y, np.full(6, 0.1), {"a": [1, 2, 3, 4, 5, 6], "b": [2, 4, 6, 8, 10, 12]})


def test_pool_refuses_bad_options_and_data():
    with pytest.raises(InputError, match="unknown method"):
        pool([0.1, 0.2], [0.1, 0.1], method="XX")
    with pytest.raises(InputError, match="unknown test"):
        pool([0.1, 0.2], [0.1, 0.1], test="t")
    with pytest.raises(InputError, match="at least 2"):
        pool([0.1], [0.1])
    with pytest.raises(InputError, match="positive"):
        pool([0.1, 0.2], [0.1, 0.0])
    with pytest.raises(InputError, match="between -1 and 1"):
        pool_correlations([0.1, 1.0], [20, 20])


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 0, 1], [1, 2, 0]])
def test_knapp_hartung_with_identical_effects_has_zero_se(order):
    """All residuals are zero: the Knapp-Hartung SE is exactly 0 whatever the row order
    (round-off in the residual sum of squares is not a variance)."""
    r = np.array([0.25, 0.25, 0.25])[order]
    n = np.array([5, 5, 6])[order]
    res = pool_correlations(r, n, method="REML", test="knha")
    assert res.se == 0.0 and res.ci_lb == res.ci_ub == pytest.approx(np.arctanh(0.25))
    out = res.to_dict()
    assert out["stat"] is None and out["pval"] == 0.0   # infinite z: JSON null, not Infinity
    json.dumps(out, allow_nan=False)


def test_a_moderator_with_a_level_per_row_is_refused_before_anything_is_built():
    k = 50_000
    y, v = np.full(k, 0.2), np.full(k, 0.01)
    with pytest.raises(InputError, match="with 50000 coefficients needs more than 50000 effect sizes"):
        metareg(y, v, {"id": [f"s{i}" for i in range(k)]})
    ids = [f"s{i // 2}" for i in range(k)]     # 25,000 levels: fits the rank rule, not in memory
    with pytest.raises(InputError, match="GiB; a moderator with this many levels is an identifier"):
        metareg(y, v, {"id": ids})


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1e-8, 1e-3, 1e3, 1e8, 1e30]))
def test_a_moderator_s_units_never_make_it_collinear(seed, scale):
    """Collinearity is judged on unit-length columns: rescaling a moderator changes its
    coefficient by the scale and leaves its test statistic alone."""
    from alliance_meta.engine.models import full_rank, metareg

    rng = np.random.default_rng(seed)
    k = 12
    v = 1.0 / rng.integers(20, 300, size=k)
    x = rng.normal(size=k)
    y = 0.2 + 0.05 * x + rng.normal(0, np.sqrt(v))
    assert full_rank(np.column_stack([np.ones(k), x * scale]))
    a = metareg(y, v, {"x": x}).coefficients[1]
    b = metareg(y, v, {"x": x * scale}).coefficients[1]
    assert b.stat == pytest.approx(a.stat, rel=1e-6, abs=1e-9)
    assert b.estimate * scale == pytest.approx(a.estimate, rel=1e-6, abs=1e-12)


def test_truly_collinear_columns_are_refused_at_any_scale():
    from alliance_meta.engine.models import full_rank

    x = np.arange(6.0)
    assert not full_rank(np.column_stack([np.ones(6), x * 1e30, x * 1e-30]))
    assert not full_rank(np.column_stack([np.ones(6), np.zeros(6)]))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["REML", "DL", "PM", "EB"]))
def test_a_precise_study_in_a_meta_regression_has_a_limit(seed, method):
    """As one study's variance goes to zero the fit tends to the one constrained to pass
    through it: tau^2 and the slope's z at v = 1e-12 and at 1e-16 agree, and never jump
    to the boundary (differences of traces once gave a negative Fisher information or
    tau^2 = 0 there). Not ML: its likelihood at tau^2 = 0 holds -log(v) / 2 for that
    study, which grows without bound, so the boundary rightly wins as v falls (REML's
    log det(X'WX) takes the term out again)."""
    from alliance_meta.engine.models import metareg

    rng = np.random.default_rng(seed)
    k = 15
    v = 1.0 / rng.integers(20, 300, size=k)
    x = rng.normal(size=k)
    y = 0.2 + 0.1 * x + rng.normal(0, 0.15, size=k) + rng.normal(0, np.sqrt(v))
    fits = []
    for d in (12, 16):
        vv = v.copy()
        vv[3] = 10.0 ** -d
        fits.append(metareg(y, vv, {"x": x}, method=method))
    a, b = fits
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-6, abs=1e-10)
    assert b.coefficients[1].stat == pytest.approx(a.coefficients[1].stat, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("mods", [{"x": np.array([1.0, 2.0, 3.0, 4.0])},
                                  {"g": np.array(["a", "b", "a", "c"], dtype=object)}])
def test_identical_effects_in_a_small_meta_regression_fit(mods):
    """Identical effects with a moderator and small k (leverages above 1/2: the QR path)
    fit exactly: tau^2 = 0, the intercept is the effect, the slopes 0. A check of the
    residuals' rounding once refused them, measuring it against residuals that are zero."""
    from alliance_meta.engine.models import metareg

    y = np.full(4, 0.3)
    v = np.array([0.02, 0.05, 0.01, 0.04])
    fit = metareg(y, v, mods)
    assert fit.tau2 == 0.0
    assert fit.coefficients[0].estimate == pytest.approx(0.3, abs=1e-12)
    for c in fit.coefficients[1:]:
        assert c.estimate == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("offset", [1e5, 1e6, 1e8])
def test_a_small_meta_regression_is_shift_equivariant(offset):
    """Effects near 1e6 with a moderator and small k (a leverage above 1/2: the QR path):
    the slope, its z, tau^2 and the intercept minus the offset equal the fit of the effects
    the shifted run really saw (shifted - offset, exact). The QR fit's rounding check once
    scaled with |y| and refused every such file."""
    from alliance_meta.engine.models import metareg

    x = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    v = np.array([0.02, 0.02, 0.02, 0.02, 0.02])
    shifted = np.array([0.30, 0.36, 0.25, 0.12, 0.21]) + offset
    a, b = metareg(shifted - offset, v, {"x": x}), metareg(shifted, v, {"x": x})
    assert b.tau2 == pytest.approx(a.tau2, abs=1e-12)
    assert b.coefficients[1].estimate == pytest.approx(a.coefficients[1].estimate, rel=1e-9, abs=1e-12)
    assert b.coefficients[1].stat == pytest.approx(a.coefficients[1].stat, rel=1e-9, abs=1e-12)
    assert b.coefficients[0].estimate - offset == pytest.approx(a.coefficients[0].estimate,
                                                               abs=4 * np.spacing(offset))



def test_fixed_effect_meta_regression_r2_is_metafor_s():
    """Issue 28: "R² = n/a" where metafor gives 77.98% (bcg, ablat). Reference values from
    R 4 / metafor 3.8-1: rma(yi, vi, mods = ~ ablat [+ year], data = dat.bcg, method = "FE")$R2
    (the adjusted R² of the weighted least-squares fit)."""
    import pandas as pd
    from pathlib import Path

    bcg = pd.read_csv(Path(__file__).parent / "data" / "metafor" / "edge_cases" / "bcg.csv")
    res = metareg(bcg["yi"], bcg["vi"], {"ablat": bcg["ablat"]}, method="FE")
    assert res.R2 == pytest.approx(77.9765192143401, rel=1e-9)
    res = metareg(bcg["yi"], bcg["vi"], {"ablat": bcg["ablat"], "year": bcg["year"]}, method="FE")
    assert res.R2 == pytest.approx(77.6722717249588, rel=1e-9)
    assert "R^2 = 77.7%" in res.summary() or "77.7" in res.summary()
    flat = metareg([0.2] * 5, [0.01, 0.02, 0.03, 0.04, 0.05], {"x": [1, 2, 3, 4, 5]}, method="FE")
    assert flat.R2 == 0.0
