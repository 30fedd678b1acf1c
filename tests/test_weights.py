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
