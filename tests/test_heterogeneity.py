"""tau^2 estimators: closed forms by hand, agreement with PyMARE, boundaries, the root finder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from alliance_meta.engine import heterogeneity as het


@pytest.fixture
def data(molloy):
    y, v, _ = molloy
    return y, v, np.ones((y.size, 1))


def test_dl_by_hand(data):
    y, v, X = data
    w = 1 / v
    mu = np.sum(w * y) / w.sum()
    q = np.sum(w * (y - mu) ** 2)
    expected = (q - (y.size - 1)) / (w.sum() - np.sum(w ** 2) / w.sum())
    assert het.tau2_dl(y, v, X) == pytest.approx(expected, rel=1e-13)


def test_hs_and_he_by_hand(data):
    y, v, X = data
    w = 1 / v
    mu = np.sum(w * y) / w.sum()
    q = np.sum(w * (y - mu) ** 2)
    assert het.tau2_hs(y, v, X) == pytest.approx(max(0, (q - y.size) / w.sum()), rel=1e-13)
    he = np.var(y, ddof=1) - np.mean(v)  # intercept-only Hedges: sample variance minus mean v
    assert het.tau2_he(y, v, X) == pytest.approx(max(0.0, he), rel=1e-12)


@pytest.mark.parametrize("method,pymare_name", [("DL", "DerSimonianLaird"), ("HE", "Hedges")])
def test_closed_forms_agree_with_pymare(data, method, pymare_name):
    from pymare import estimators

    y, v, X = data
    est = getattr(estimators, pymare_name)().fit(y=y[:, None], v=v[:, None], X=X)
    assert het.estimate_tau2(y, v, X, method) == pytest.approx(float(est.params_["tau2"].ravel()[0]), rel=1e-10)


@pytest.mark.parametrize("method", ["ML", "REML"])
def test_likelihood_estimators_agree_with_pymare(data, method):
    """PyMARE optimises numerically (L-BFGS-B), so it agrees to its own precision only."""
    from pymare import estimators

    y, v, X = data
    est = estimators.VarianceBasedLikelihoodEstimator(method=method).fit(y=y[:, None], v=v[:, None], X=X)
    assert het.estimate_tau2(y, v, X, method) == pytest.approx(float(est.params_["tau2"].ravel()[0]), rel=1e-3)


def test_reml_solves_its_score_equation(data):
    y, v, X = data
    tau2 = het.tau2_reml(y, v, X)
    from alliance_meta.engine.weights import wls
    fit = wls(y, v, X, tau2)
    assert fit.ypp_y() == pytest.approx(fit.tr_p(), rel=1e-10)


def test_pm_equates_q_with_its_expectation(data):
    y, v, X = data
    tau2 = het.tau2_pm(y, v, X)
    # metafor's uniroot tolerance (~1.2e-4 on tau^2) leaves Q - (k - 1) small but not zero
    assert abs(tau2 - het._exact_root(lambda t: het.generalised_q(t, y, v, X) - (y.size - 1), 100.0)) < het.PM_TOL


def test_homogeneous_data_give_zero_everywhere():
    y = np.full(8, 0.3)
    v = np.linspace(0.01, 0.05, 8)
    X = np.ones((8, 1))
    for method in het.METHODS:
        assert het.estimate_tau2(y, v, X, method) == 0.0
    assert het.q_profile_ci(y, v, X) == (0.0, 0.0)


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown method"):
        het.estimate_tau2(np.zeros(3), np.ones(3), np.ones((3, 1)), "XYZ")


def test_q_profile_limits_hit_their_quantiles(data):
    y, v, X = data
    lb, ub = het.q_profile_ci(y, v, X)
    from scipy import stats
    assert het.generalised_q(lb, y, v, X) == pytest.approx(stats.chi2.ppf(0.975, y.size - 1), rel=1e-10)
    assert het.generalised_q(ub, y, v, X) == pytest.approx(stats.chi2.ppf(0.025, y.size - 1), rel=1e-10)


def test_zeroin_finds_roots():
    f = lambda x: x ** 3 - 2.0
    assert het.zeroin(f, 0.0, 4.0, f(0.0), f(4.0), tol=0.0) == pytest.approx(2 ** (1 / 3), rel=1e-15)
    assert het.zeroin(f, 0.0, 4.0, f(0.0), f(4.0), tol=1e-3) == pytest.approx(2 ** (1 / 3), abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1, 1), st.floats(0.001, 0.5)), min_size=3, max_size=30))
def test_every_estimator_is_nonnegative_and_finite(pairs):
    y = np.array([p[0] for p in pairs])
    v = np.array([p[1] for p in pairs])
    X = np.ones((y.size, 1))
    for method in het.METHODS:
        t = het.estimate_tau2(y, v, X, method)
        assert np.isfinite(t) and t >= 0.0


def test_identical_effects_give_exactly_zero_for_every_estimator():
    # found by hypothesis: six identical r of 0.25 (n = 5) left SJ at 2e-65, round-off
    y = np.full(6, np.arctanh(0.25))
    v = np.full(6, 0.5)
    for method in ("REML", "ML", "DL", "HE", "HS", "SJ", "PM", "EB"):
        assert het.estimate_tau2(y, v, np.ones((6, 1)), method) == 0.0, method


def test_q_contributions_sum_to_q_and_name_the_outlier():
    from alliance_meta.engine import pool, q_contributions

    y = np.array([0.20, 0.25, 0.22, 0.90])
    v = np.array([0.01, 0.02, 0.015, 0.01])
    c = q_contributions(y, v)
    assert c.sum() == pytest.approx(pool(y, v, method="FE").Q, rel=1e-12)
    assert int(np.argmax(c)) == 3
    shifted = q_contributions(y + 1e8, v)       # centred before summing: no digits lost
    assert shifted == pytest.approx(c, rel=1e-6)
