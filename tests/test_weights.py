"""The O(k) identities for P = W - W X (X'WX)^-1 X'W against the explicit k x k matrix."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_meta.engine.weights import typical_variance, wls


@pytest.mark.parametrize("p", [1, 3])
def test_traces_and_quadratic_forms_match_explicit_p(p):
    rng = np.random.default_rng(7)
    k = 25
    X = np.column_stack([np.ones(k), rng.normal(size=(k, p - 1))])
    y = rng.normal(size=k)
    v = rng.uniform(0.01, 0.2, size=k)
    tau2 = 0.05
    fit = wls(y, v, X, tau2)
    W = np.diag(1 / (v + tau2))
    P = W - W @ X @ np.linalg.inv(X.T @ W @ X) @ X.T @ W
    assert fit.rss == pytest.approx(y @ P @ y, rel=1e-12)
    assert fit.ypp_y() == pytest.approx(y @ P @ P @ y, rel=1e-12)
    assert fit.tr_p() == pytest.approx(np.trace(P), rel=1e-12)
    assert fit.tr_pp() == pytest.approx(np.trace(P @ P), rel=1e-12)
    P0 = np.diag(1 / v) - np.diag(1 / v) @ X @ np.linalg.inv(X.T @ np.diag(1 / v) @ X) @ X.T @ np.diag(1 / v)
    assert typical_variance(v, X) == pytest.approx((k - p) / np.trace(P0), rel=1e-12)


def _dense_p(v, X, tau2):
    w = 1.0 / (v + tau2)
    W = np.diag(w)
    A = np.linalg.inv(X.T @ W @ X)
    return W - W @ X @ A @ X.T @ W


@given(st.lists(st.floats(1e-3, 10.0), min_size=2, max_size=12), st.floats(0.0, 2.0))
@settings(max_examples=60, deadline=None)
def test_intercept_only_traces_equal_the_dense_formula(v, tau2):
    v = np.array(v)
    X = np.ones((v.size, 1))
    P = _dense_p(v, X, tau2)
    fit = wls(np.zeros_like(v), v, X, tau2)
    assert fit.tr_p() == pytest.approx(np.trace(P), rel=1e-9, abs=1e-12)
    assert fit.tr_pp() == pytest.approx(np.sum(P * P), rel=1e-9, abs=1e-12)


def test_a_dominant_weight_does_not_cancel_the_others():
    """One study with n = 10^12 beside two small ones: tr(P) and tr(PP) match an exact
    rational computation of the dense formula (floats once lost every digit here)."""
    from fractions import Fraction

    v = np.array([1 / 37, 1 / (1e12 - 3), 1 / 57])
    tau2 = 0.0031
    fit = wls(np.zeros(3), v, np.ones((3, 1)), tau2)
    w = [1 / (Fraction(x) + Fraction(tau2)) for x in v]
    s = sum(w)
    P = [[(w[i] if i == j else 0) - w[i] * w[j] / s for j in range(3)] for i in range(3)]
    tr_p = sum(P[i][i] for i in range(3))
    tr_pp = sum(P[i][j] ** 2 for i in range(3) for j in range(3))
    assert fit.tr_p() == pytest.approx(float(tr_p), rel=1e-12)
    assert fit.tr_pp() == pytest.approx(float(tr_pp), rel=1e-12)


def _exact_p_quantities(y, v, X, tau2, dps=60):
    """tr(P), tr(PP), Y'PPY, Y'PY, beta and (X'WX)^-1 from the dense k x k formulas at
    ``dps`` significant digits (mpmath), on the floats given, taken as exact."""
    import mpmath as mp

    with mp.workdps(dps):
        k, p = X.shape
        W = mp.diag([1 / (mp.mpf(float(vi)) + mp.mpf(float(tau2))) for vi in v])
        Xm = mp.matrix([[mp.mpf(float(x)) for x in row] for row in X])
        Y = mp.matrix([mp.mpf(float(t)) for t in y])
        A = (Xm.T * W * Xm) ** -1
        P = W - W * Xm * A * Xm.T * W
        PY = P * Y
        out = (sum(P[i, i] for i in range(k)), sum(P[i, j] ** 2 for i in range(k) for j in range(k)),
               (PY.T * PY)[0], (Y.T * PY)[0], A * Xm.T * W * Y, A)
        return ([float(t) for t in out[:4]], np.array([float(b) for b in out[4]]),
                np.array([[float(A[i, j]) for j in range(p)] for i in range(p)]))


def _assert_matches_exact(fit, y, v, X, tau2, rel):
    (tr_p, tr_pp, ypp, rss), beta, cov = _exact_p_quantities(y, v, X, tau2)
    assert fit.tr_p() == pytest.approx(tr_p, rel=rel)
    assert fit.tr_pp() == pytest.approx(tr_pp, rel=rel)
    assert fit.ypp_y() == pytest.approx(ypp, rel=rel)
    assert fit.rss == pytest.approx(rss, rel=rel)
    scale = np.sqrt(np.diag(cov))
    assert np.allclose(fit.beta / scale, beta / scale, rtol=0, atol=rel * max(1.0, np.max(np.abs(beta / scale))))
    assert np.allclose(fit.cov, cov, rtol=rel, atol=0)


@pytest.mark.parametrize("n_big", [1e6, 1e9, 1e12, 1e15])
def test_a_dominant_study_in_a_meta_regression_loses_no_digits(n_big):
    """Egger's meta-regression (predictor SE) on the file of issue 15, one study with
    n = 10^12 beside n = 40 and 60: tr(PP) by differences of traces came out as -4e8, which
    stopped Fisher scoring. Every quantity now matches the dense formulas at 60 digits."""
    r = np.array([0.3, 0.1, 0.2])
    v = 1.0 / (np.array([40.0, n_big, 60.0]) - 3.0)
    y = np.arctanh(r)
    X = np.column_stack([np.ones(3), np.sqrt(v)])
    for tau2 in (0.0, 0.001, 0.05):
        _assert_matches_exact(wls(y, v, X, tau2), y, v, X, tau2, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 11), st.integers(2, 4), st.integers(0, 14), st.integers(1, 2),
       st.sampled_from([0.0, 0.01, 0.5]))
def test_moderator_fits_match_the_exact_dense_formulas(seed, k, p, digits, precise, tau2):
    """Small k (leverages above 1/2 are common) and one or two studies whose variance is
    10^-digits times the others': every quantity of the fit matches 60-digit dense
    formulas (two such studies once left tr(PP) 0.3% off: the entries of M between them)."""
    from hypothesis import assume

    assume(k > p)
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(k), rng.normal(size=(k, p - 1))])
    v = rng.uniform(0.005, 0.1, size=k)
    v[rng.choice(k, size=precise, replace=False)] *= 10.0 ** -digits
    y = rng.normal(0.2, 0.2, size=k)
    _assert_matches_exact(wls(y, v, X, tau2), y, v, X, tau2, rel=1e-8)


def test_qr_and_normal_equations_agree_where_both_are_accurate():
    """On data with every leverage below 1/2 the normal equations are used; forcing QR
    must give the same fit."""
    from alliance_meta.engine.weights import _wls_qr

    rng = np.random.default_rng(3)
    k = 200
    X = np.column_stack([np.ones(k), rng.normal(size=k), rng.integers(0, 2, size=k)])
    v = rng.uniform(0.01, 0.1, size=k)
    y = rng.normal(0.3, 0.2, size=k)
    a = wls(y, v, X, 0.02)
    b = _wls_qr(y, 1.0 / (v + 0.02), X)
    assert a.we is None and b.we is not None        # the two paths were taken
    for f in ("tr_p", "tr_pp", "ypp_y"):
        assert getattr(a, f)() == pytest.approx(getattr(b, f)(), rel=1e-12)
    assert a.rss == pytest.approx(b.rss, rel=1e-12)
    assert np.allclose(a.beta, b.beta, rtol=1e-12, atol=1e-14)
    assert np.allclose(a.cov, b.cov, rtol=1e-11)
    assert np.allclose(a.resid, b.resid, rtol=1e-10, atol=1e-13)
