"""The three-level model and CR2 inference (alliance_meta.engine.multilevel) beyond the oracle cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from alliance_meta.engine.errors import InputError
from alliance_meta.engine.models import pool
from alliance_meta.engine.multilevel import Clusters, _state, three_level


def _data(seed=0, clusters=8, per=4):
    rng = np.random.default_rng(seed)
    cl = np.repeat(np.arange(clusters), per)
    k = cl.size
    v = 1.0 / rng.integers(20, 200, size=k)
    y = 0.2 + rng.normal(0, 0.2, clusters)[cl] + rng.normal(0, 0.1, k) + rng.normal(0, np.sqrt(v))
    return y, v, cl


def _dense_ll(y, v, X, cl, sb, sw):
    """The REML log-likelihood with the k x k covariance, as a textbook writes it."""
    k, p = X.shape
    V = np.diag(v + sw) + sb * (cl[:, None] == cl[None, :])
    Vi = np.linalg.inv(V)
    A = np.linalg.inv(X.T @ Vi @ X)
    b = A @ X.T @ Vi @ y
    r = y - X @ b
    return (-0.5 * (k - p) * np.log(2 * np.pi) + 0.5 * np.linalg.slogdet(X.T @ X)[1] - 0.5 * np.linalg.slogdet(V)[1]
            - 0.5 * np.linalg.slogdet(X.T @ Vi @ X)[1] - 0.5 * r @ Vi @ r)


def test_cluster_sums_match_dense_likelihood_and_gradient():
    y, v, cl = _data()
    X = np.column_stack([np.ones_like(y), np.linspace(0, 1, y.size)])
    c = Clusters(cl)
    st_ = _state(y, v, X, c, 0.03, 0.02)
    assert st_.ll == pytest.approx(_dense_ll(y, v, X, cl, 0.03, 0.02), rel=1e-12)
    h = 1e-6
    num = [(_dense_ll(y, v, X, cl, 0.03 + h, 0.02) - _dense_ll(y, v, X, cl, 0.03 - h, 0.02)) / (2 * h),
           (_dense_ll(y, v, X, cl, 0.03, 0.02 + h) - _dense_ll(y, v, X, cl, 0.03, 0.02 - h)) / (2 * h)]
    assert st_.score == pytest.approx(num, rel=1e-5)


def test_fit_is_a_maximum():
    y, v, cl = _data(3)
    fit = three_level(y, v, cl)
    X = np.ones((y.size, 1))
    best = _dense_ll(y, v, X, cl, fit.sigma2_between, fit.sigma2_within)
    for db, dw in [(1e-4, 0), (-1e-4, 0), (0, 1e-4), (0, -1e-4)]:
        sb, sw = fit.sigma2_between + db, fit.sigma2_within + dw
        if sb >= 0 and sw >= 0:
            assert _dense_ll(y, v, X, cl, sb, sw) <= best + 1e-12
    assert fit.logLik == pytest.approx(best, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 25))
def test_one_row_per_cluster_is_the_two_level_model(seed, k):
    """With one row per cluster only sigma2_between + sigma2_within is identified: it is
    the REML tau^2, and the estimate is the random-effects estimate."""
    rng = np.random.default_rng(seed)
    v = 1.0 / rng.integers(10, 300, size=k)
    y = rng.normal(0.2, 0.2, size=k) + rng.normal(0, np.sqrt(v))
    fit = three_level(y, v, np.arange(k))
    two = pool(y, v, method="REML")
    total = fit.sigma2_between + fit.sigma2_within
    assert total == pytest.approx(two.tau2, rel=1e-5, abs=1e-8)
    assert fit.estimate == pytest.approx(two.estimate, abs=1e-6)
    assert fit.se[0] == pytest.approx(two.se, abs=1e-6)


def test_labels_of_any_type_and_order_do_not_matter():
    y, v, cl = _data(5)
    a = three_level(y, v, cl)
    b = three_level(y, v, [f"district {c}" for c in cl])
    perm = np.random.default_rng(1).permutation(y.size)
    c = three_level(y[perm], v[perm], cl[perm])
    for other in (b, c):
        assert other.estimate == pytest.approx(a.estimate, abs=1e-9)
        assert other.sigma2_between == pytest.approx(a.sigma2_between, rel=1e-6)


def test_t_test_uses_k_minus_p_df_and_robust_with_moderators():
    y, v, cl = _data(7, clusters=10, per=3)
    x = np.tile([0.0, 1.0, 2.0], 10)
    X = np.column_stack([np.ones_like(y), x])
    fit = three_level(y, v, cl, X, ["intercept", "x"], test="t", robust_se=True)
    assert fit.df == y.size - 2
    d = fit.to_dict()
    assert [c["name"] for c in d["coefficients"]] == ["intercept", "x"]
    assert all(c["df"] > 0 for c in d["coefficients"])
    assert "CR2" in fit.summary()


def test_robust_se_of_cr2_equals_dense_formula():
    """CR2 from cluster blocks equals the textbook formula with the k x k matrices."""
    y, v, cl = _data(11, clusters=6, per=3)
    fit = three_level(y, v, cl, robust_se=True)
    sb, sw = fit.sigma2_between, fit.sigma2_within
    X = np.ones((y.size, 1))
    meat = 0.0
    M = fit.cov
    for c in np.unique(cl):
        idx = cl == c
        phi = np.diag(v[idx] + sw) + sb
        val, vec = np.linalg.eigh(phi)
        half = vec @ np.diag(np.sqrt(val)) @ vec.T
        G = half @ (phi - X[idx] @ M @ X[idx].T) @ half
        gv, gvec = np.linalg.eigh(G)
        A = half @ gvec @ np.diag(gv ** -0.5) @ gvec.T @ half
        u = X[idx].T @ np.linalg.inv(phi) @ A @ (y[idx] - fit.estimate)
        meat += float(u @ u)
    assert fit.robust.se[0] == pytest.approx(np.sqrt(M[0, 0] ** 2 * meat), rel=1e-9)


@pytest.mark.parametrize("bad", [dict(test="knha"), dict(cluster="one")])
def test_bad_input(bad):
    y, v, cl = _data()
    cluster = np.zeros_like(cl) if bad.get("cluster") else cl
    with pytest.raises(InputError):
        three_level(y, v, cluster, test=bad.get("test", "z"))


def test_too_few_rows():
    with pytest.raises(InputError):
        three_level([0.1, 0.2], [0.01, 0.02], [1, 2])


def test_moderators_that_saturate_the_clusters_fit_as_in_metafor():
    """Issue 28: a cluster-level moderator with a level per cluster ended in LinAlgError.
    The restricted likelihood is flat in sigma2_between there; metafor keeps its starting
    value (0.001 here, moved to 0.000999 by its optimiser). Reference: R 4 / metafor 3.8-1,
    rma.mv(yi, vi, mods = ~ urban, random = ~ 1 | district/id), yi = atanh(r), vi = 1/(n - 3)."""
    r = np.array([0.30, 0.25, 0.35, 0.05, 0.10, 0.02, 0.20, 0.15, 0.25, 0.40, 0.30, 0.22, 0.12])
    n = np.array([100, 90, 110, 100, 120, 100, 100, 80, 100, 80, 70, 60, 90])
    district = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5]
    from alliance_meta.engine.models import design_matrix

    design = design_matrix({"urban": [f"g{d}" for d in district]}, r.size)
    res = three_level(np.arctanh(r), 1.0 / (n - 3.0), district, design.X, design.names, robust_se=True)
    np.testing.assert_allclose(res.beta, [0.3139065221588, -0.2543131390302, -0.1069769499716, 0.0566405688577, -0.1525249410052],
                               rtol=1e-6)
    np.testing.assert_allclose(res.se, [0.06659756, 0.09300257, 0.09552006, 0.11125866, 0.11125866], rtol=1e-3)
    assert res.logLik == pytest.approx(9.47961485805, abs=1e-8)
    assert res.sigma2_between == pytest.approx(0.001, rel=1e-9) and "held at metafor's starting value" in res.summary()
    assert np.all(np.isfinite(res.robust.se))


def test_a_small_p_in_the_coefficient_table_reads_like_its_column():
    """Issue 28: 'p < .0001' inside a table whose other cells are bare numbers."""
    r = np.array([0.30, 0.25, 0.35, 0.05, 0.10, 0.02, 0.20, 0.15, 0.25, 0.40, 0.30, 0.22, 0.12])
    n = np.array([100, 90, 110, 100, 120, 100, 100, 80, 100, 80, 70, 60, 90])
    res = three_level(np.arctanh(r), 1.0 / (n - 3.0), [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5])
    row = next(line for line in res.summary().splitlines() if line.startswith("intercept"))
    assert "<.0001" in row and "p <" not in row
