"""The O(k) identities for P = W - W X (X'WX)^-1 X'W against the explicit k x k matrix."""

from __future__ import annotations

import numpy as np
import pytest

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
