"""The three-level model and CR2 inference (alliance_meta.engine.multilevel) beyond the oracle cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from alliance_meta.engine.errors import InputError
from alliance_meta.engine.models import pool
from alliance_meta.engine.multilevel import Clusters, _state, _state_che, three_level


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


# ----------------------------------------------------------------- CHE (rho) and the HTZ Wald test


def _dense_che(y, v, X, cl, sb, sw, rho):
    """V of the CHE model with the k x k matrices (metafor's vcalc + two random intercepts)."""
    s = np.sqrt(v)
    same = cl[:, None] == cl[None, :]
    return np.where(same, rho * np.outer(s, s), 0.0) + np.diag((1 - rho) * v + sw) + sb * same


def _dense_reml(y, X, V):
    k, p = X.shape
    Vi = np.linalg.inv(V)
    A = np.linalg.inv(X.T @ Vi @ X)
    r = y - X @ A @ X.T @ Vi @ y
    return (-0.5 * (k - p) * np.log(2 * np.pi) + 0.5 * np.linalg.slogdet(X.T @ X)[1] - 0.5 * np.linalg.slogdet(V)[1]
            - 0.5 * np.linalg.slogdet(X.T @ Vi @ X)[1] - 0.5 * r @ Vi @ r)


def _uneven(seed=0):
    rng = np.random.default_rng(seed)
    cl = np.repeat(np.arange(7), [1, 2, 3, 4, 5, 3, 2])
    k = cl.size
    v = 1.0 / rng.integers(20, 200, size=k)
    y = 0.2 + rng.normal(0, 0.2, 7)[cl] + rng.normal(0, 0.1, k) + rng.normal(0, np.sqrt(v))
    X = np.column_stack([np.ones(k), rng.normal(size=k), (np.arange(k) % 3 == 0).astype(float)])
    return y, v, X, cl


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_che_state_matches_the_dense_likelihood_score_and_information(rho):
    y, v, X, cl = _uneven()
    c = Clusters(cl)
    sb, sw = 0.03, 0.02
    st_ = _state_che(y, v, X, c, sb, sw, rho)
    assert st_.ll == pytest.approx(_dense_reml(y, X, _dense_che(y, v, X, cl, sb, sw, rho)), rel=1e-12)
    h = 1e-6
    num = [(_dense_reml(y, X, _dense_che(y, v, X, cl, sb + h, sw, rho))
            - _dense_reml(y, X, _dense_che(y, v, X, cl, sb - h, sw, rho))) / (2 * h),
           (_dense_reml(y, X, _dense_che(y, v, X, cl, sb, sw + h, rho))
            - _dense_reml(y, X, _dense_che(y, v, X, cl, sb, sw - h, rho))) / (2 * h)]
    assert st_.score == pytest.approx(num, rel=1e-5)
    V = _dense_che(y, v, X, cl, sb, sw, rho)
    Vi = np.linalg.inv(V)
    P = Vi - Vi @ X @ np.linalg.inv(X.T @ Vi @ X) @ X.T @ Vi
    Vb, Vw = (cl[:, None] == cl[None, :]).astype(float), np.eye(cl.size)
    info = 0.5 * np.array([[np.trace(P @ a @ P @ b) for b in (Vb, Vw)] for a in (Vb, Vw)])
    assert st_.info == pytest.approx(info, rel=1e-10)
    if rho == 0.0:  # the CHE state at rho = 0 is the three-level state
        old = _state(y, v, X, c, sb, sw)
        assert st_.ll == pytest.approx(old.ll, rel=1e-13)
        assert st_.info == pytest.approx(old.info, rel=1e-10)


def test_che_fit_is_the_dense_maximum_and_rho_zero_is_the_three_level_model():
    y, v, cl = _data(7, clusters=9, per=3)
    X = np.ones((y.size, 1))
    fit = three_level(y, v, cl, rho=0.6)
    best = _dense_reml(y, X, _dense_che(y, v, X, cl, fit.sigma2_between, fit.sigma2_within, 0.6))
    assert fit.logLik == pytest.approx(best, abs=1e-10)
    for db, dw in [(1e-4, 0), (-1e-4, 0), (0, 1e-4), (0, -1e-4)]:
        sb, sw = fit.sigma2_between + db, fit.sigma2_within + dw
        if sb >= 0 and sw >= 0:
            assert _dense_reml(y, X, _dense_che(y, v, X, cl, sb, sw, 0.6)) <= best + 1e-12
    zero, old = three_level(y, v, cl, rho=0.0), three_level(y, v, cl)
    assert zero.estimate == pytest.approx(old.estimate, abs=1e-9)
    assert zero.sigma2_within == pytest.approx(old.sigma2_within, rel=1e-6)
    assert "correlated rho = 0.6" in fit.summary()


def test_che_robust_equals_the_dense_cr2_formula():
    y, v, cl = _data(13, clusters=6, per=3)
    fit = three_level(y, v, cl, robust_se=True, rho=0.7)
    X = np.ones((y.size, 1))
    V = _dense_che(y, v, X, cl, fit.sigma2_between, fit.sigma2_within, 0.7)
    M = fit.cov
    meat = 0.0
    for c in np.unique(cl):
        idx = cl == c
        phi = V[np.ix_(idx, idx)]
        val, vec = np.linalg.eigh(phi)
        half = vec @ np.diag(np.sqrt(val)) @ vec.T
        gv, gvec = np.linalg.eigh(half @ (phi - X[idx] @ M @ X[idx].T) @ half)
        A = half @ gvec @ np.diag(gv ** -0.5) @ gvec.T @ half
        u = X[idx].T @ np.linalg.inv(phi) @ A @ (y[idx] - fit.estimate)
        meat += float(u @ u)
    assert fit.robust.se[0] == pytest.approx(np.sqrt(M[0, 0] ** 2 * meat), rel=1e-9)


@pytest.mark.parametrize("rho", [-0.1, 1.0, 1.5, float("nan")])
def test_rho_outside_zero_one_is_refused(rho):
    y, v, cl = _data()
    with pytest.raises(InputError, match="rho must be in"):
        three_level(y, v, cl, rho=rho)


def _dense_htz(y, v, X, cl, fit, C):
    """clubSandwich's HTZ nu from its definition: the J x J arrays of q x q blocks P(c, d)."""
    V = _dense_che(y, v, X, cl, fit.sigma2_between, fit.sigma2_within, 0.0)
    M = np.linalg.inv(X.T @ np.linalg.inv(V) @ X)
    labels = np.unique(cl)
    E, Xs, Ph = [], [], []
    for c in labels:
        idx = cl == c
        phi = V[np.ix_(idx, idx)]
        val, vec = np.linalg.eigh(phi)
        half = vec @ np.diag(np.sqrt(val)) @ vec.T
        gv, gvec = np.linalg.eigh(half @ (phi - X[idx] @ M @ X[idx].T) @ half)
        A = half @ gvec @ np.diag(np.where(gv > 1e-12, gv, np.inf) ** -0.5) @ gvec.T @ half
        E.append(X[idx].T @ np.linalg.inv(phi) @ A)
        Xs.append(X[idx])
        Ph.append(phi)
    J, q = len(labels), C.shape[0]
    P = np.zeros((J, J, q, q))
    for i in range(J):
        for j in range(J):
            P[i, j] = -C @ M @ E[i] @ Xs[i] @ M @ Xs[j].T @ E[j].T @ M @ C.T
        P[i, i] += C @ M @ E[i] @ Ph[i] @ E[i].T @ M @ C.T
    omega = sum(P[i, i] for i in range(J))
    val, vec = np.linalg.eigh(omega)
    on = vec @ np.diag(val ** -0.5) @ vec.T
    B = np.einsum("ab,ijbc,cd->ijad", on, P, on)
    total = sum(np.trace(B[i, j] @ B[i, j]) + np.trace(B[i, j]) ** 2 for i in range(J) for j in range(J))
    return q * (q + 1) / total


def test_htz_degrees_of_freedom_equal_their_definition_over_cluster_pairs():
    y, v, X, cl = _uneven(4)
    fit = three_level(y, v, cl, X, ["intercept", "x", "d"], robust_se=True)
    nu = _dense_htz(y, v, X, cl, fit, np.eye(3)[1:])
    wd = fit.robust.wald
    assert wd["df_num"] == 2
    assert wd["df_denom"] == pytest.approx(nu - 1.0, rel=1e-9)
    for j in range(3):  # one row: the Satterthwaite df of each coefficient
        assert fit.robust.df[j] == pytest.approx(_dense_htz(y, v, X, cl, fit, np.eye(3)[[j]]), rel=1e-9)
    b, V = fit.robust.estimate[1:], fit.robust.vcov[1:, 1:]
    Q = b @ np.linalg.solve(V, b)
    assert wd["F"] == pytest.approx((nu - 1.0) / nu * Q / 2.0, rel=1e-9)


def test_wald_test_does_not_depend_on_where_a_moderator_is_centred():
    y, v, cl = _data(9, clusters=10, per=4)
    year = np.random.default_rng(2).integers(1970, 2020, size=y.size).astype(float)
    a = three_level(y, v, cl, np.column_stack([np.ones_like(y), year]), ["intercept", "year"], robust_se=True)
    b = three_level(y, v, cl, np.column_stack([np.ones_like(y), year - 1995.0]), ["intercept", "year"],
                    robust_se=True)
    for key in ("F", "df_denom", "pval"):
        assert a.robust.wald[key] == pytest.approx(b.robust.wald[key], rel=1e-8)
    assert a.robust.wald["F"] == pytest.approx(a.robust.stat[1] ** 2, rel=1e-9)  # one constraint: F = t^2
    assert a.robust.wald["df_denom"] == pytest.approx(a.robust.df[1], rel=1e-9)
    d = a.to_dict()
    assert set(d) == {"coefficients", "robust_wald"} and set(d["robust_wald"]) == {"F", "df_num", "df_denom", "pval"}
    assert "Robust Wald test" in a.summary()
    assert "robust_wald" not in three_level(y, v, cl, robust_se=True).to_dict()


@pytest.mark.parametrize("bad", [dict(test="knha"), dict(cluster="one")])
def test_bad_input(bad):
    y, v, cl = _data()
    cluster = np.zeros_like(cl) if bad.get("cluster") else cl
    with pytest.raises(InputError):
        three_level(y, v, cluster, test=bad.get("test", "z"))


def test_too_few_rows():
    with pytest.raises(InputError):
        three_level([0.1, 0.2], [0.01, 0.02], [1, 2])


def test_cr2_and_htz_do_not_depend_on_the_scale_of_the_effects():
    """Effects and their standard errors multiplied by 1e-4 (variances by 1e-8): the same
    robust tests, the SEs scaled. A threshold of 1e-12 in absolute terms on the eigenvalues
    of the CR2 adjustment would zero them all at this scale."""
    y, v, X, cl = _uneven(6)
    a = three_level(y, v, cl, X, ["intercept", "x", "d"], robust_se=True, rho=0.5)
    b = three_level(y * 1e-4, v * 1e-8, cl, X, ["intercept", "x", "d"], robust_se=True, rho=0.5)
    assert b.robust.se * 1e4 == pytest.approx(a.robust.se, rel=1e-7)
    assert b.robust.df == pytest.approx(a.robust.df, rel=1e-7)
    for key in ("F", "df_denom", "pval"):
        assert b.robust.wald[key] == pytest.approx(a.robust.wald[key], rel=1e-7)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 0.95))
def test_che_with_one_row_per_cluster_does_not_depend_on_rho(seed, rho):
    """rho correlates rows of one cluster only: with singleton clusters it changes nothing."""
    rng = np.random.default_rng(seed)
    k = 12
    v = 1.0 / rng.integers(10, 300, size=k)
    y = rng.normal(0.2, 0.2, size=k) + rng.normal(0, np.sqrt(v))
    a = three_level(y, v, np.arange(k), rho=rho)
    b = three_level(y, v, np.arange(k))
    assert a.logLik == pytest.approx(b.logLik, abs=1e-8)
    assert a.estimate == pytest.approx(b.estimate, abs=1e-6)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_robust_wald_does_not_depend_on_row_order_or_cluster_labels(seed):
    y, v, X, cl = _uneven(seed % 50)
    perm = np.random.default_rng(seed).permutation(y.size)
    names = ["intercept", "x", "d"]
    a = three_level(y, v, cl, X, names, robust_se=True, rho=0.4).robust.wald
    b = three_level(y[perm], v[perm], [f"c{c}" for c in cl[perm]], X[perm], names, robust_se=True, rho=0.4).robust.wald
    for key in ("F", "df_denom", "pval"):
        assert a[key] == pytest.approx(b[key], rel=1e-6)


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
