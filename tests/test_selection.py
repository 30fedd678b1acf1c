"""The step-function selection model (alliance_meta.engine.selection) beyond the oracle cases."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import integrate, stats

from alliance_meta.engine.bias import bias_tests
from alliance_meta.engine.errors import InputError
from alliance_meta.engine.models import pool
from alliance_meta.engine.selection import DELTA_MAX, SelectionModelError, _loglik, selection_model


def _data(seed=0, k=40, mu=0.2, tau=0.15):
    rng = np.random.default_rng(seed)
    v = 1.0 / rng.integers(20, 300, size=k)
    y = mu + rng.normal(0, tau, k) + rng.normal(0, np.sqrt(v))
    return y, v


def _parts(y, v, step=0.025):
    nonsig = stats.norm.sf(y / np.sqrt(v)) > step
    return stats.norm.isf(step) * np.sqrt(v), nonsig


def _integrated_ll(theta, y, v, step=0.025):
    """The log-likelihood as metafor's continuous selection models write it: the weighted
    density over its integral, the integral done numerically."""
    mu, tau2, delta = theta
    s = np.sqrt(v + tau2)
    ll = 0.0
    for yi, vi, si in zip(y, v, s):
        def weighted(x):
            p = stats.norm.sf(x / math.sqrt(vi))
            return (1.0 if p <= step else delta) * stats.norm.pdf(x, mu, si)
        c = stats.norm.isf(step) * math.sqrt(vi)
        area = (integrate.quad(weighted, -np.inf, c, epsabs=1e-14, epsrel=1e-13)[0]
                + integrate.quad(weighted, c, np.inf, epsabs=1e-14, epsrel=1e-13)[0])
        w = 1.0 if stats.norm.sf(yi / math.sqrt(vi)) <= step else delta
        ll += math.log(w * stats.norm.pdf(yi, mu, si) / area)
    return ll


def test_likelihood_is_the_normalised_weighted_density():
    y, v = _data(1, k=12)
    c, ns = _parts(y, v)
    theta = np.array([0.15, 0.02, 0.4])
    assert _loglik(theta, y, v, c, ns, 0)[0] == pytest.approx(_integrated_ll(theta, y, v), rel=1e-10)


@pytest.mark.parametrize("theta", [(0.15, 0.02, 0.4), (-0.1, 0.3, 3.0), (0.4, 1e-6, 1.0)])
def test_gradient_and_hessian_are_the_derivatives(theta):
    y, v = _data(2, k=25)
    c, ns = _parts(y, v)
    th = np.array(theta)
    _, g, H = _loglik(th, y, v, c, ns)
    h = np.array([1e-6, 1e-7, 1e-6])
    for j in range(3):
        e = np.eye(3)[j] * h[j]
        up, dn = _loglik(th + e, y, v, c, ns), _loglik(th - e, y, v, c, ns)
        assert g[j] == pytest.approx((up[0] - dn[0]) / (2 * h[j]), rel=1e-6, abs=1e-6)
        assert H[:, j] == pytest.approx((up[1] - dn[1]) / (2 * h[j]), rel=1e-5, abs=1e-4)


def test_fit_is_a_maximum_and_the_null_is_the_ml_random_effects_model():
    y, v = _data(3)
    res = selection_model(y, v)
    c, ns = _parts(y, v)
    best = np.array([res.estimate, res.tau2, res.delta[1]])
    ll, g, _ = _loglik(best, y, v, c, ns)
    assert ll == pytest.approx(res.logLik, abs=1e-12)
    assert np.all(np.abs(g * np.array([0.01, 0.01, 1.0])) < 1e-6)
    rng = np.random.default_rng(0)
    for _ in range(50):
        other = best + rng.normal(0, [1e-3, 1e-3, 1e-2])
        if other[1] >= 0 and other[2] > 0:
            assert _loglik(other, y, v, c, ns, 0)[0] <= ll + 1e-12
    ml = pool(y, v, method="ML")
    null = _loglik(np.array([ml.estimate, ml.tau2, 1.0]), y, v, c, ns, 0)[0]
    assert res.logLik0 == pytest.approx(null, abs=1e-9)
    assert res.lrt == pytest.approx(2 * (res.logLik - res.logLik0), abs=1e-12)
    assert res.lrt_pval == pytest.approx(stats.chi2.sf(res.lrt, 1), rel=1e-12)
    assert res.ci_ub - res.estimate == pytest.approx(stats.norm.isf(0.025) * res.se, rel=1e-12)


def test_se_is_the_inverse_hessian_of_all_three_parameters():
    y, v = _data(4)
    res = selection_model(y, v)
    c, ns = _parts(y, v)
    _, _, H = _loglik(np.array([res.estimate, res.tau2, res.delta[1]]), y, v, c, ns)
    assert res.se == pytest.approx(math.sqrt(np.linalg.inv(-H)[0, 0]), rel=1e-10)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_row_order_does_not_matter_and_the_maximum_is_not_below_a_restart(seed):
    y, v = _data(seed, k=30)
    c, ns = _parts(y, v)
    if ns.all() or not ns.any():
        return
    a = selection_model(y, v)
    perm = np.random.default_rng(seed).permutation(y.size)
    b = selection_model(y[perm], v[perm])
    assert a.logLik == pytest.approx(b.logLik, abs=1e-9)
    assert a.estimate == pytest.approx(b.estimate, abs=1e-6)
    assert a.logLik >= a.logLik0 - 1e-12 and a.lrt >= 0.0


def test_dict_keys_and_summary():
    y, v = _data(5)
    res = selection_model(y, v, is_r=True)
    d = res.to_dict()
    assert set(d) == {"estimate", "se", "ci_lb", "ci_ub", "tau2", "delta", "lrt", "lrt_pval", "logLik"}
    assert d["delta"][0] == 1.0 and d["delta"][1] > 0
    assert sum(res.k_interval) == y.size
    text = res.summary()
    assert "step at one-sided p = 0.025" in text and "r = " in text and "LRT" in text
    json.dumps(d, allow_nan=False)


def test_delta_on_its_bound_is_flagged():
    """Rows piling up just below significance: more than any normal model with delta <= 100
    explains; the fit stops at metafor's bound and says so."""
    v = np.full(30, 0.01)
    y = np.r_[np.linspace(0.1, 0.19, 28), 0.5, 0.6]
    res = selection_model(y, v)
    assert res.delta[1] == pytest.approx(DELTA_MAX)
    assert "no interior maximum" in res.note
    assert "note" in res.to_dict()


def test_tau2_on_its_boundary_is_flagged():
    rng = np.random.default_rng(0)
    v = 1.0 / rng.integers(20, 400, size=40)
    y = 0.2 + rng.normal(0, np.sqrt(v))
    res = selection_model(y, v)
    assert res.tau2 == 0.0 and "boundary of 0" in res.note and math.isfinite(res.se)


@pytest.mark.parametrize("y", [[0.01, 0.02, -0.01, 0.0], [0.9, 1.0, 1.1, 0.8]])
def test_an_empty_interval_is_refused_and_bias_says_why(y):
    v = [0.01] * 4
    with pytest.raises(SelectionModelError, match="no effect size has a one-sided p-value"):
        selection_model(y, v)
    res = bias_tests(np.array(y) + np.array([0.0, 1e-3, 2e-3, 3e-3]), np.array([0.01, 0.02, 0.03, 0.04]))
    d = res.to_dict()
    if d["selmodel"] is None:
        assert "one-sided p-value" in d["selmodel_note"] and "not fitted" in res.summary()


@pytest.mark.parametrize("args", [([0.1, 0.5], [0.01, 0.01]), ([0.1, np.nan, 0.5], [0.01] * 3),
                                  ([0.1, 0.2, 0.5], [0.01, 0.0, 0.01]), ([0.1, 0.2], [0.01])])
def test_bad_input(args):
    with pytest.raises(InputError):
        selection_model(*args)


def test_bad_step():
    with pytest.raises(InputError, match="step"):
        selection_model([0.1, 0.2, 0.5, 0.6], [0.01] * 4, step=1.5)


def test_fixed_effect_holds_tau2_at_zero():
    """metafor's selmodel of a fixed-effect fit: tau^2 stays 0, the null is the FE model, and
    the SE comes from the Hessian in (mu, delta) alone."""
    y, v = _data(6)
    res = selection_model(y, v, fixed_effect=True)
    assert res.tau2 == 0.0 and res.note == ""
    c, ns = _parts(y, v)
    _, g, H = _loglik(np.array([res.estimate, 0.0, res.delta[1]]), y, v, c, ns)
    assert abs(g[0]) < 1e-6 and abs(g[2]) < 1e-6
    keep = [0, 2]
    assert res.se == pytest.approx(math.sqrt(np.linalg.inv(-H[np.ix_(keep, keep)])[0, 0]), rel=1e-10)
    fe = pool(y, v, method="FE")
    assert res.logLik0 == pytest.approx(_loglik(np.array([fe.estimate, 0.0, 1.0]), y, v, c, ns, 0)[0], abs=1e-9)
    assert bias_tests(y, v, method="FE").selmodel.tau2 == 0.0
