"""Three-level meta-analysis and CR2 cluster-robust inference, cluster by cluster.

The model (metafor's ``rma.mv(yi, vi, random = ~ 1 | cluster/row)``) is

    y_i = x_i' beta + u_c + w_i + e_i,   u_c ~ N(0, s_b),  w_i ~ N(0, s_w),  e_i ~ N(0, v_i),

so the marginal covariance of cluster c is V_c = s_b J + D_c with D_c = diag(v_i + s_w).
By Sherman-Morrison, with a_i = 1 / (v_i + s_w), S_c = sum_c a_i and h_c = 1 / (1 + s_b S_c),

    V_c^-1 = diag(a) - s_b h_c a a',      log |V_c| = -sum_c log a_i - log h_c,

so x' V^-1 z for any two columns is ``sum(a x z) - s_b sum_c h_c (sum_c a x)(sum_c a z)``.
Every quantity of the REML likelihood, its score and its expected information is such a
sum over rows and clusters: time and memory are linear in k and no k x k (nor any
cluster x cluster) matrix is built. The CR2 adjustment (Bell & McCaffrey, 2002;
Pustejovsky & Tipton, 2018) needs one small matrix square root per cluster; its
Satterthwaite degrees of freedom reduce to p x p sums as well (see :func:`robust`).

Conventions follow metafor 3.8 and clubSandwich, against whose output the results are
tested (``tests/test_metafor_alignment_multilevel_bias_sensitivity.py``):

* the REML log-likelihood includes metafor's constant ``+ 1/2 log|X'X|``;
* ``test="t"`` uses t with k - p degrees of freedom (metafor's default ``dfs="residual"``);
* ``Q`` is the residual heterogeneity test with weights 1 / v_i (the sampling variances
  only), on k - p degrees of freedom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import distributions as dist
from .wording import left_out as _left_out
from .errors import InputError
from .models import _clean, _inference, _p  # one implementation of inference and formatting

TESTS = ("z", "t")
_LOG2PI = math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- clusters


class Clusters:
    """Integer cluster codes with fast per-cluster sums.

    Parameters
    ----------
    labels : sequence
        One cluster label per row (any hashable values; numbers and strings both work).
    """

    def __init__(self, labels: Sequence) -> None:
        arr = np.asarray(labels)
        if arr.dtype.kind == "O":
            arr = arr.astype(str)
        self.levels, self.code = np.unique(arr, return_inverse=True)
        self.code = self.code.ravel()
        self.n = int(self.levels.size)
        self.size = np.bincount(self.code, minlength=self.n)

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Per-cluster sums of ``x`` (shape (k,) -> (J,), (k, p) -> (J, p))."""
        if x.ndim == 1:
            return np.bincount(self.code, weights=x, minlength=self.n)
        return np.column_stack([np.bincount(self.code, weights=x[:, j], minlength=self.n)
                                for j in range(x.shape[1])])

    def blocks(self):
        """Row indices grouped by cluster size: yields (cluster ids (G,), row index (G, m))."""
        order = np.argsort(self.code, kind="stable")
        starts = np.concatenate(([0], np.cumsum(self.size)[:-1]))
        for m in np.unique(self.size):
            ids = np.flatnonzero(self.size == m)
            idx = order[starts[ids][:, None] + np.arange(m)[None, :]]
            yield ids, idx


# --------------------------------------------------------------------------- the likelihood


@dataclass
class _State:
    """Everything the REML likelihood needs at one (s_b, s_w)."""

    beta: np.ndarray
    cov: np.ndarray      # (X'V^-1 X)^-1
    ll: float            # metafor's restricted log-likelihood
    score: np.ndarray    # d ll / d (s_b, s_w)
    info: np.ndarray     # expected information, 2 x 2



def _information(cov, Mb, Mw, f, n):
    """The REML information matrix of (sigma2_between, sigma2_within) from its parts.

    ``f = (f_bb, f_bw, f_ww)`` are the traces tr(W_a W_b) of the weighted derivative matrices,
    ``n = (n_bb, n_bw, n_ww)`` their p x p cross-products with the design, ``cov`` the
    coefficients' covariance and ``Mb, Mw`` X'W Z_a Z_a' W X; the projection's corrections
    enter as tr(P_a P_b) = f - 2 tr(cov n) + tr(cov M_a cov M_b), each a p x p product.
    Returns the 2 x 2 expected information (half the traces).
    """
    (f_bb, f_bw, f_ww), (n_bb, n_bw, n_ww) = f, n
    AMb, AMw = cov @ Mb, cov @ Mw
    t_bb = f_bb - 2.0 * float(np.sum(cov * n_bb)) + float(np.sum(AMb * AMb.T))
    t_bw = f_bw - 2.0 * float(np.sum(cov * n_bw.T)) + float(np.sum(AMb * AMw.T))
    t_ww = f_ww - 2.0 * float(np.sum(cov * n_ww)) + float(np.sum(AMw * AMw.T))
    return 0.5 * np.array([[t_bb, t_bw], [t_bw, t_ww]])

def _state(y, v, X, cl: Clusters, sb: float, sw: float, derivatives: bool = True) -> _State:
    k, p = X.shape
    a = 1.0 / (v + sw)
    S = cl.sum(a)
    h = 1.0 / (1.0 + sb * S)
    ax = X * a[:, None]
    m = cl.sum(ax)                                     # sum_c a x, (J, p)
    xtvx = X.T @ ax - sb * (m * h[:, None]).T @ m
    xtvy = ax.T @ y - sb * (m * h[:, None]).T @ cl.sum(a * y)
    cov = np.linalg.inv(xtvx)
    beta = cov @ xtvy
    r = y - X @ beta
    R = cl.sum(a * r)
    rss = float(np.dot(a, r * r) - sb * np.dot(h, R * R))
    logdet_v = float(-np.sum(np.log(a)) - np.sum(np.log(h)))
    logdet_xtvx = float(np.linalg.slogdet(xtvx)[1])
    logdet_xtx = float(np.linalg.slogdet(X.T @ X)[1])
    ll = -0.5 * (k - p) * _LOG2PI + 0.5 * logdet_xtx - 0.5 * logdet_v - 0.5 * logdet_xtvx - 0.5 * rss
    if not derivatives:
        return _State(beta, cov, ll, np.zeros(2), np.zeros((2, 2)))
    hc = h[cl.code]
    u = a * (r - sb * hc * R[cl.code])                 # P y = V^-1 r
    Z = ax - (sb * hc * a)[:, None] * m[cl.code]       # V^-1 X
    Zc = cl.sum(Z)
    a2 = cl.sum(a * a)
    a3 = cl.sum(a ** 3)
    # traces of P V_j (j = between: blocks of ones, within: identity)
    tr_vinv_b = float(np.sum(S * h))
    tr_vinv_w = float(np.sum(a) - sb * np.dot(h, a2))
    Mb, Mw = Zc.T @ Zc, Z.T @ Z
    tr_pb = tr_vinv_b - float(np.sum(cov * Mb))
    tr_pw = tr_vinv_w - float(np.sum(cov * Mw))
    uc = cl.sum(u)
    score = 0.5 * np.array([float(uc @ uc) - tr_pb, float(u @ u) - tr_pw])
    # tr(P V_j P V_k) = tr(V^-1 V_j V^-1 V_k) - 2 tr(A X'V^-1 V_k V^-1 V_j V^-1 X) + tr(A M_j A M_k)
    f_bb = float(np.sum((S * h) ** 2))
    f_bw = float(np.sum(h * h * a2))
    f_ww = float(np.sum(a2 - 2.0 * sb * h * a3 + (sb * h * a2) ** 2))
    aZc = cl.sum(Z * a[:, None])
    n_bb = (Zc * (S * h)[:, None]).T @ Zc
    n_bw = (aZc * h[:, None]).T @ Zc
    n_ww = (Z * a[:, None]).T @ Z - sb * (aZc * h[:, None]).T @ aZc
    return _State(beta, cov, ll, score, _information(cov, Mb, Mw, (f_bb, f_bw, f_ww), (n_bb, n_bw, n_ww)))


class _CheBlocks:
    """V_c^-1 for the correlated-and-hierarchical-effects (CHE) working model, cluster by cluster.

    With an assumed correlation rho between the sampling errors of rows in one cluster
    (metafor's ``vcalc(vi, cluster, obs = row, rho)``: cov_ij = rho sqrt(v_i v_j)) and the two
    random intercepts, the marginal covariance of cluster c is

        V_c = D_c + s_b 1 1' + rho s s',   D_c = diag((1 - rho) v_i + s_w),   s = sqrt(v),

    a diagonal plus a rank-two update U C U' with U = [1, s] and C = diag(s_b, rho). The
    Woodbury identity in the form that allows a singular C (s_b = 0 or rho = 0) gives

        V_c^-1 = D^-1 - D^-1 U H U' D^-1,   H = (I + C G)^-1 C,   G = U' D^-1 U,
        log |V_c| = log |D_c| + log |I + C G|,

    so applying V^-1 to any column costs two per-cluster sums and nothing k x k is built.
    """

    def __init__(self, v, cl: Clusters, sb: float, sw: float, rho: float) -> None:
        self.cl = cl
        self.s = np.sqrt(v)
        self.a = 1.0 / ((1.0 - rho) * v + sw)
        a, s = self.a, self.s
        g11, g12, g22 = cl.sum(a), cl.sum(a * s), cl.sum(a * s * s)
        det = (1.0 + sb * g11) * (1.0 + rho * g22) - sb * rho * g12 * g12
        self.h11 = sb * (1.0 + rho * g22) / det
        self.h12 = -sb * rho * g12 / det
        self.h22 = rho * (1.0 + sb * g11) / det
        self.logdet = float(-np.sum(np.log(a)) + np.sum(np.log(det)))

    def apply(self, Y: np.ndarray) -> np.ndarray:
        """V^-1 Y, row-wise (Y of shape (k,) or (k, q))."""
        a, s, code = self.a, self.s, self.cl.code
        if Y.ndim == 1:
            t1, t2 = self.cl.sum(a * Y), self.cl.sum(a * s * Y)
            c1 = self.h11 * t1 + self.h12 * t2
            c2 = self.h12 * t1 + self.h22 * t2
            return a * (Y - c1[code] - s * c2[code])
        aY = Y * a[:, None]
        t1, t2 = self.cl.sum(aY), self.cl.sum(aY * s[:, None])
        c1 = self.h11[:, None] * t1 + self.h12[:, None] * t2
        c2 = self.h12[:, None] * t1 + self.h22[:, None] * t2
        return aY - a[:, None] * (c1[code] + s[:, None] * c2[code])

    def trace_sq(self) -> tuple[float, float]:
        """tr(V^-1) and tr(V^-2), summed over clusters."""
        a, s, cl = self.a, self.s, self.cl
        h11, h12, h22 = self.h11, self.h12, self.h22
        tr1 = float(np.sum(a) - np.sum(h11 * cl.sum(a * a) + 2.0 * h12 * cl.sum(a * a * s)
                                        + h22 * cl.sum(a * a * s * s)))
        # tr(V^-2) = tr(D^-2) - 2 tr(H U'D^-3 U) + tr(H B H B), B = U'D^-2 U
        b11, b12, b22 = cl.sum(a ** 2), cl.sum(a ** 2 * s), cl.sum(a ** 2 * s * s)
        c11, c12, c22 = cl.sum(a ** 3), cl.sum(a ** 3 * s), cl.sum(a ** 3 * s * s)
        hc = h11 * c11 + 2.0 * h12 * c12 + h22 * c22
        # HB as a 2 x 2 per cluster; tr((HB)^2)
        m11 = h11 * b11 + h12 * b12
        m12 = h11 * b12 + h12 * b22
        m21 = h12 * b11 + h22 * b12
        m22 = h12 * b12 + h22 * b22
        hbhb = m11 * m11 + 2.0 * m12 * m21 + m22 * m22
        tr2 = float(np.sum(b11) - 2.0 * np.sum(hc) + np.sum(hbhb))
        return tr1, tr2


def _state_che(y, v, X, cl: Clusters, sb: float, sw: float, rho: float, derivatives: bool = True) -> _State:
    """The REML state of the CHE model (see :class:`_CheBlocks`); with rho = 0 it is the
    three-level model of :func:`_state`."""
    k, p = X.shape
    blk = _CheBlocks(v, cl, sb, sw, rho)
    Z = blk.apply(X)                                   # V^-1 X
    xtvx = X.T @ Z
    cov = np.linalg.inv(xtvx)
    beta = cov @ (Z.T @ y)
    r = y - X @ beta
    u = blk.apply(r)                                   # V^-1 r = P y
    rss = float(r @ u)
    logdet_xtvx = float(np.linalg.slogdet(xtvx)[1])
    logdet_xtx = float(np.linalg.slogdet(X.T @ X)[1])
    ll = -0.5 * (k - p) * _LOG2PI + 0.5 * logdet_xtx - 0.5 * blk.logdet - 0.5 * logdet_xtvx - 0.5 * rss
    if not derivatives:
        return _State(beta, cov, ll, np.zeros(2), np.zeros((2, 2)))
    w = blk.apply(np.ones(k))                          # V^-1 1
    qc = cl.sum(w)                                     # 1' V_c^-1 1
    tr_vinv_w, f_ww = blk.trace_sq()
    Zc = cl.sum(Z)
    Mb, Mw = Zc.T @ Zc, Z.T @ Z
    tr_pb = float(np.sum(qc)) - float(np.sum(cov * Mb))
    tr_pw = tr_vinv_w - float(np.sum(cov * Mw))
    uc = cl.sum(u)
    score = 0.5 * np.array([float(uc @ uc) - tr_pb, float(u @ u) - tr_pw])
    # tr(P V_j P V_k) = tr(V^-1 V_j V^-1 V_k) - 2 tr(A X'V^-1 V_k V^-1 V_j V^-1 X) + tr(A M_j A M_k)
    f_bb = float(np.sum(qc * qc))
    f_bw = float(w @ w)
    n_bb = (Zc * qc[:, None]).T @ Zc
    n_bw = cl.sum(Z * w[:, None]).T @ Zc
    n_ww = Z.T @ blk.apply(Z)
    return _State(beta, cov, ll, score, _information(cov, Mb, Mw, (f_bb, f_bw, f_ww), (n_bb, n_bw, n_ww)))


def _scoring(y, v, X, cl, theta, maxiter: int = 500, tol: float = 1e-12, state=_state):
    """Projected Fisher scoring on (s_b, s_w) >= 0 with step halving.

    A component that sits at zero with a negative score stays there (the boundary
    maximum); the other is updated alone. Steps are halved until the restricted
    likelihood does not fall, so the iteration cannot run away on a flat surface.
    """
    theta = np.maximum(np.asarray(theta, float), 0.0)
    st = state(y, v, X, cl, *theta)
    for _ in range(maxiter):
        free = ~((theta <= 0.0) & (st.score <= 0.0))
        step = np.zeros(2)
        if free.any():
            info = st.info[np.ix_(free, free)]
            try:
                step[free] = np.linalg.solve(info, st.score[free])
            except np.linalg.LinAlgError:
                step[free] = st.score[free] / np.maximum(np.diag(info), 1e-300)
        for _ in range(60):
            new = np.maximum(theta + step, 0.0)
            cand = state(y, v, X, cl, *new)
            if cand.ll >= st.ll - 1e-12 * max(1.0, abs(st.ll)):
                break
            step /= 2.0
        change = np.max(np.abs(new - theta) / np.maximum(1.0, np.abs(theta)))
        theta, st = new, cand
        if change <= tol:
            break
    return theta, st


#: above this many rows, a scoring fit whose projected score vanishes is not re-run by quasi-Newton
FALLBACK_K = 10_000


def _converged(theta, st: _State) -> bool:
    """Whether the score vanishes in every component not held at its bound of zero, on the
    scale of the information (a Newton step below 1e-9 of the component's SE)."""
    free = ~((theta <= 0.0) & (st.score <= 0.0))
    if not free.any():
        return True
    info = st.info[np.ix_(free, free)]
    try:
        step = np.linalg.solve(info, st.score[free])
        se = np.sqrt(np.diag(np.linalg.inv(info)))
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.isfinite(se)) and np.all(np.abs(step) <= 1e-9 * se))


def _optimise(y, v, X, cl, theta, state=_state):
    """The best REML fit from scoring and, as a fallback, bounded quasi-Newton (skipped for
    more than :data:`FALLBACK_K` rows when scoring has converged: there the likelihood is
    sharply peaked and each evaluation costs O(k))."""
    best_theta, best = _scoring(y, v, X, cl, theta, state=state)
    if y.size > FALLBACK_K and _converged(best_theta, best):
        return best_theta, best
    from scipy.optimize import minimize

    def negll(t):
        st = state(y, v, X, cl, *t)
        return -st.ll, -st.score

    for start in (best_theta, np.asarray(theta, float)):
        try:
            opt = minimize(negll, np.maximum(start, 0.0), jac=True, method="L-BFGS-B",
                           bounds=[(0.0, None), (0.0, None)],
                           options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 2000})
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            continue
        cand_theta, cand = _scoring(y, v, X, cl, opt.x, maxiter=50, state=state)
        if cand.ll > best.ll + 1e-12:
            best_theta, best = cand_theta, cand
    return best_theta, best


def _start(y, v, X) -> np.ndarray:
    """Starting values: the DerSimonian-Laird tau^2 of the two-level model, split in half."""
    from .heterogeneity import tau2_dl

    t = tau2_dl(y, v, X)
    if t <= 0.0:
        t = 0.1 * float(np.mean(v))
    return np.array([t / 2.0, t / 2.0])


# --------------------------------------------------------------------------- results


@dataclass
class RobustResult:
    """CR2 cluster-robust inference with Satterthwaite degrees of freedom.

    Estimates are those of the three-level fit (analysis scale: Fisher z for
    correlations); ``se`` is the square root of the CR2 sandwich variance, ``stat`` the
    t statistic, ``df`` its Satterthwaite degrees of freedom (one per coefficient).
    With moderators, ``wald`` is the HTZ test that every non-intercept coefficient is zero
    (:func:`wald_htz`): ``{F, df_num, df_denom, pval}``.
    """

    names: list[str]
    estimate: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    df: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    vcov: np.ndarray
    n_clusters: int
    level: float = 95.0
    wald: dict | None = None

    def coefficient(self, i: int) -> dict:
        return {key: _clean(getattr(self, key)[i]) for key in
                ("estimate", "se", "stat", "df", "pval", "ci_lb", "ci_ub")}

    def to_dict(self) -> dict:
        """Keys ``estimate, se, stat, df, pval, ci_lb, ci_ub`` (intercept-only model), or a
        ``coefficients`` list of such objects with ``name`` when there are moderators."""
        if len(self.names) == 1:
            return self.coefficient(0)
        out = {"coefficients": [{"name": n, **self.coefficient(i)} for i, n in enumerate(self.names)]}
        if self.wald is not None:
            out["robust_wald"] = {key: _clean(val) for key, val in self.wald.items()}
        return out


@dataclass
class ThreeLevelResult:
    """A three-level (REML) meta-analysis: metafor's ``rma.mv(random = ~ 1 | cluster/row)``.

    Location statistics are on the analysis scale (Fisher z for correlations); ``r`` and
    its limits are tanh back-transforms when the input was r. ``sigma2_between`` is the
    variance of the cluster effects, ``sigma2_within`` that of the row effects within a
    cluster. ``robust`` holds the CR2 inference when it was asked for.
    """

    k: int
    n_clusters: int
    names: list[str]
    beta: np.ndarray
    cov: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    sigma2_between: float
    sigma2_within: float
    Q: float
    Q_df: int
    Q_pval: float
    logLik: float
    test: str = "z"
    df: int | None = None
    level: float = 95.0
    k_omitted: int = 0
    is_r: bool = False
    robust: RobustResult | None = None
    extra: dict = field(default_factory=dict)
    rho: float | None = None

    @property
    def estimate(self) -> float:
        return float(self.beta[0])

    def coefficient_rows(self) -> list[dict]:
        """The model-based coefficients, one dict each: ``name, estimate, se, stat, pval,
        ci_lb, ci_ub`` on the analysis scale (Fisher z for correlations); non-finite values
        as None."""
        return [{"name": n, "estimate": _clean(self.beta[i]), "se": _clean(self.se[i]), "stat": _clean(self.stat[i]),
                 "pval": _clean(self.pval[i]), "ci_lb": _clean(self.ci_lb[i]), "ci_ub": _clean(self.ci_ub[i])}
                for i, n in enumerate(self.names)]

    def to_dict(self, *, model: bool = False) -> dict:
        """The JSON contract of ``alliance-meta pool --cluster COL --json``.

        ``model=True`` gives the model-based contract even when a robust fit is attached
        (the report shows both).

        Intercept-only: ``k, n_clusters, estimate, se, stat, pval, ci_lb, ci_ub,
        sigma2_between, sigma2_within, Q, Q_pval, logLik`` (+ ``df`` with t; + ``r,
        r_ci_lb, r_ci_ub`` for correlations). With moderators a ``coefficients`` list
        replaces the single estimate. With ``robust`` the output is the robust contract
        instead: ``estimate, se, stat, df, pval, ci_lb, ci_ub`` (+ ``r, r_ci_lb, r_ci_ub``
        for correlations); the model fit stays in :meth:`summary` and the attributes.
        """
        out: dict = {"k": self.k, "n_clusters": self.n_clusters}
        if len(self.names) == 1:
            c = self.coefficient_rows()[0]
            c.pop("name")
            out.update(c)
        else:
            out["coefficients"] = self.coefficient_rows()
        out.update({"sigma2_between": _clean(self.sigma2_between), "sigma2_within": _clean(self.sigma2_within),
                    "Q": _clean(self.Q), "Q_pval": _clean(self.Q_pval), "logLik": _clean(self.logLik)})
        if self.test == "t":
            out["df"] = self.df
        if self.is_r and len(self.names) == 1:
            out.update({"r": math.tanh(self.beta[0]), "r_ci_lb": math.tanh(self.ci_lb[0]),
                        "r_ci_ub": math.tanh(self.ci_ub[0])})
        if self.robust is not None and not model:  # the robust contract: exactly the robust keys
            out = self.robust.to_dict()
            if self.is_r and len(self.names) == 1:
                out.update({"r": math.tanh(out["estimate"]), "r_ci_lb": math.tanh(out["ci_lb"]),
                            "r_ci_ub": math.tanh(out["ci_ub"])})
        return out

    def summary(self) -> str:
        """A readable report: the numbers a methods section needs."""
        crit = "z" if self.test == "z" else f"t({self.df})"
        lines = ["Three-level random-effects model (REML): rows nested in clusters" if self.rho is None else
                 "Correlated and hierarchical effects model (REML): rows nested in clusters, sampling errors "
                 f"correlated rho = {self.rho:g} within a cluster",
                 f"k = {self.k} effect sizes in {self.n_clusters} clusters"
                 + (f" ({_left_out(self.k_omitted)})" if self.k_omitted else "")]
        scale = "Fisher z" if self.is_r else "input scale"
        width = max(len(n) for n in self.names)
        lines.append(f"{'':{width}}  estimate        SE  {crit:>8}         p   {self.level:g}% CI   ({scale})")
        for i, n in enumerate(self.names):
            lines.append(f"{n:{width}}  {self.beta[i]:8.4f}  {self.se[i]:8.4f}  {self.stat[i]:8.3f}  "
                         f"{_p(self.pval[i]).removeprefix('p = ').replace('p < ', '<'):>8}   [{self.ci_lb[i]:.4f}, {self.ci_ub[i]:.4f}]")
        if self.is_r and len(self.names) == 1:
            lines.append(f"Back-transformed r = {math.tanh(self.beta[0]):.3f}, {self.level:g}% CI "
                         f"[{math.tanh(self.ci_lb[0]):.3f}, {math.tanh(self.ci_ub[0]):.3f}]")
        lines.append(f"Variance components: between clusters sigma^2 = {self.sigma2_between:.5f}, "
                     f"within clusters sigma^2 = {self.sigma2_within:.5f}")
        lines.append(f"Residual heterogeneity: Q({self.Q_df}) = {self.Q:.3f}, {_p(self.Q_pval)}; "
                     f"REML log-likelihood {self.logLik:.4f}")
        if self.extra.get("note"):
            lines.append("Note: " + self.extra["note"])
        if self.robust is not None:
            rb = self.robust
            lines.append("CR2 cluster-robust inference (Satterthwaite df):")
            for i, n in enumerate(rb.names):
                lines.append(f"{n:{width}}  {rb.estimate[i]:8.4f}  {rb.se[i]:8.4f}  t({rb.df[i]:.2f}) = {rb.stat[i]:.3f}, "
                             f"{_p(rb.pval[i])}, {self.level:g}% CI [{rb.ci_lb[i]:.4f}, {rb.ci_ub[i]:.4f}]")
            if rb.wald is not None:
                wd = rb.wald
                lines.append(f"Robust Wald test of all {wd['df_num']} moderator coefficient(s) (CR2, HTZ): "
                             f"F({wd['df_num']}, {wd['df_denom']:.2f}) = {wd['F']:.3f}, {_p(wd['pval'])}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- fitting


def three_level(yi, vi, cluster: Sequence, X: np.ndarray | None = None, names: Sequence[str] | None = None, *,
                test: str = "z", level: float = 95.0, robust_se: bool = False, k_omitted: int = 0,
                is_r: bool = False, start: Sequence[float] | None = None,
                rho: float | None = None) -> ThreeLevelResult:
    """Fit the three-level model (or, with ``rho``, the CHE model) by REML, cluster by cluster.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z and 1/(n - 3) for correlations).
    cluster : sequence
        Cluster label of each row; rows in one cluster share a random intercept.
    X : ndarray (k, p), optional
        Design matrix (default: intercept only); ``names`` names its columns.
    test : {"z", "t"}
        Wald tests from N(0, 1), or from t with k - p degrees of freedom.
    robust_se : bool
        Also compute CR2 cluster-robust inference (:func:`robust`).
    start : (float, float), optional
        Starting values for (sigma2_between, sigma2_within).
    rho : float in [0, 1), optional
        The assumed correlation between the sampling errors of two rows of one cluster
        (correlated and hierarchical effects, Pustejovsky & Tipton 2022): the sampling
        covariance is metafor's ``vcalc(vi, cluster, obs = row, rho)``, cov_ij = rho
        sqrt(v_i v_j) within a cluster. None (the default) is the three-level model with
        independent sampling errors; CR2 inference then uses the same working covariance.

    Returns
    -------
    ThreeLevelResult
        Coefficients, model-based SEs and tests, both variance components, Q, and the
        REML log-likelihood; all on the scale of ``yi``.
    """
    if test not in TESTS:
        raise InputError(f"unknown test {test!r} for the three-level model; choose 'z' or 't'")
    if rho is not None:
        rho = float(rho)
        if not (0.0 <= rho < 1.0):  # also refuses NaN
            raise InputError(f"rho must be in [0, 1) (a correlation between sampling errors); got {rho:g}")
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    k = y.size
    if v.size != k or len(cluster) != k:
        raise InputError("yi, vi and cluster must have one value per row")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))) or np.any(v <= 0):
        raise InputError("effect sizes must be finite and sampling variances positive")
    X = np.ones((k, 1)) if X is None else np.asarray(X, dtype=float)
    names = list(names) if names is not None else (["intercept"] if X.shape[1] == 1 else
                                                   [f"x{j}" for j in range(X.shape[1])])
    p = X.shape[1]
    if k < p + 2:
        raise InputError(f"the three-level model with {p} coefficient(s) needs at least {p + 2} effect sizes; found {k}")
    from .models import full_rank

    if not full_rank(X):
        raise InputError("the moderators are collinear (one column is a combination of others); drop one")
    cl = Clusters(cluster)
    if cl.n < 2:
        raise InputError("the three-level model needs at least 2 clusters")
    theta0 = np.asarray(start, float) if start is not None else _start(y, v, X)
    state = _state if rho is None else (lambda *a, **kw: _state_che(*a, rho=rho, **kw))
    # moderators constant within clusters that span every cluster's intercept leave the REML
    # likelihood flat in sigma2_between: it is held at metafor's start (independent sampling
    # errors only; with rho the general fit runs)
    fixed_between = rho is None and _between_unidentified(X, cl)
    if fixed_between:
        theta, st = _within_only(y, v, X, cl, _metafor_start(y, v, X) if start is None else float(start[0]))
        A, Xt, st_t = np.eye(p), X, st
    else:
        # fit in a centred and scaled basis X A (a moderator such as a year puts the intercept far
        # from the data, and X'V^-1 X near singular: digits lost there are order-dependent);
        # the REML likelihood is the same in every basis, the coefficients are A beta~
        A = _basis(X)
        Xt = X @ A
        theta, st_t = _optimise(y, v, Xt, cl, theta0, state=state)
        st = _State(A @ st_t.beta, A @ st_t.cov @ A.T, st_t.ll, st_t.score, st_t.info)
    se, stat, pval, lb, ub, _ = _inference(st.beta, st.cov, test, k - p, level)
    q, q_df = _q_fixed(y, v, X)
    res = ThreeLevelResult(
        k=k, n_clusters=cl.n, names=names, beta=st.beta, cov=st.cov, se=se, stat=stat, pval=pval, ci_lb=lb,
        ci_ub=ub, sigma2_between=float(theta[0]), sigma2_within=float(theta[1]), Q=q, Q_df=q_df,
        Q_pval=float(dist.chi2_sf(q, q_df)), logLik=st.ll, test=test, df=k - p if test == "t" else None,
        level=level, k_omitted=k_omitted, is_r=is_r, rho=rho)
    if fixed_between:
        res.extra["note"] = UNIDENTIFIED_NOTE
    if robust_se:
        res.robust = robust(y, v, Xt, cl, theta, st_t.beta, st_t.cov, names=names, level=level, rho=rho or 0.0,
                            basis=A)
    return res


def _basis(X: np.ndarray) -> np.ndarray:
    """A (p x p) with X A centred and scaled: every non-constant column minus its mean (when
    the first column is the intercept) over its standard deviation. Coefficients in the
    basis X A map back as beta = A beta~."""
    p = X.shape[1]
    A = np.eye(p)
    if p == 1:
        return A
    intercept = bool(np.all(X[:, 0] == 1.0))
    for j in range(1 if intercept else 0, p):
        sd = float(np.std(X[:, j]))
        if sd > 0.0:
            A[j, j] = 1.0 / sd
            if intercept:
                A[0, j] = -float(np.mean(X[:, j])) / sd
    return A


UNIDENTIFIED_NOTE = ("The moderators take their own values in every cluster, so the restricted likelihood does "
                     "not depend on the between-cluster variance: it is held at metafor's starting value (the "
                     "coefficients do not depend on it; their standard errors do).")


def _between_unidentified(X, cl: Clusters) -> bool:
    """Whether the moderators are constant within clusters and span every cluster's own
    intercept: then the restricted likelihood is flat in sigma2_between (the contrasts
    that REML keeps carry no cluster effect), and X'V^-1X turns singular as it grows."""
    if X.shape[1] < cl.n:
        return False
    means = cl.sum(X) / cl.size[:, None]
    if not np.allclose(X, means[cl.code], rtol=1e-12, atol=1e-12 * max(1.0, float(np.abs(X).max()))):
        return False
    return int(np.linalg.matrix_rank(means)) == cl.n


def _metafor_start(y, v, X) -> float:
    """metafor's starting value for each variance component of rma.mv with two of them:
    max(0.002, var(y - X b_FE) - 1/mean(1/v)) / 2 (b_FE the fixed-effect fit)."""
    from .weights import wls

    resid = y - X @ wls(y, v, X).beta
    total = max(0.001 * 2, float(np.var(resid, ddof=1)) - 1.0 / float(np.mean(1.0 / v)))
    return total / 2.0


def _within_only(y, v, X, cl, sb: float, maxiter: int = 500, tol: float = 1e-12):
    """REML for sigma2_within with sigma2_between held at ``sb``: Fisher scoring with step
    halving on the one free component (at zero with a negative score it stays there)."""
    sw = max(sb, 0.0)
    st = _state(y, v, X, cl, sb, sw)
    for _ in range(maxiter):
        if sw <= 0.0 and st.score[1] <= 0.0:
            break
        step = st.score[1] / max(st.info[1, 1], 1e-300)
        for _ in range(60):
            new = max(sw + step, 0.0)
            cand = _state(y, v, X, cl, sb, new)
            if cand.ll >= st.ll - 1e-12 * max(1.0, abs(st.ll)):
                break
            step /= 2.0
        change = abs(new - sw) / max(1.0, abs(sw))
        sw, st = new, cand
        if change <= tol:
            break
    return np.array([sb, sw]), st


def _q_fixed(y, v, X) -> tuple[float, int]:
    """Residual heterogeneity Q with weights 1 / v_i (metafor's QE for rma.mv)."""
    from .weights import wls

    fit = wls(y, v, X)
    return fit.rss, X.shape[0] - X.shape[1]


# --------------------------------------------------------------------------- CR2


def _sym_power(mats: np.ndarray, power: float, tol: float = 1e-12) -> np.ndarray:
    """Symmetric matrix powers of a stack (G, m, m); eigenvalues <= tol times the largest
    of their matrix (and <= 0) count as zero: the generalised inverse power clubSandwich
    uses, except that its threshold is 1e-12 in absolute terms, which zeroes every
    eigenvalue of data whose variances are small (v ~ 1e-7 makes G ~ 1e-14) and leaves
    CR2 without a sandwich. Relative to the matrix, the power does not depend on the scale
    of the effect sizes; for variances of the usual size the two thresholds agree."""
    val, vec = np.linalg.eigh(mats)
    cut = tol * np.max(np.abs(val), axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pw = np.where((val > cut) & (val > 0.0), np.abs(val) ** power, 0.0)
    return (vec * pw[:, None, :]) @ np.swapaxes(vec, 1, 2)


def robust(y, v, X, cl: Clusters, theta, beta, cov, *, names: Sequence[str], level: float = 95.0,
           rho: float = 0.0, basis: np.ndarray | None = None) -> RobustResult:
    """CR2 cluster-robust covariance with Satterthwaite degrees of freedom.

    With working covariance Phi = V (the fitted three-level or CHE model), weights W = V^-1
    and M = (X'WX)^-1, the CR2 adjustment of cluster c is A_c = Phi_c^{1/2} G_c^{-1/2}
    Phi_c^{1/2} with G_c = Phi_c^{1/2} (Phi_c - X_c M X_c') Phi_c^{1/2}, and

        V_CR2 = M (sum_c X_c' W_c A_c e_c e_c' A_c W_c X_c) M.

    For a coefficient with contrast g, let q_c = A_c W_c X_c M g, s_c = q_c' Phi_c q_c
    and t_c = X_c' q_c. Under the working model the cluster terms have covariances
    Psi_cd = [c = d] s_c - t_c' M t_d, so E = sum_c Psi_cc and the Satterthwaite degrees
    of freedom E^2 / sum_cd Psi_cd^2 need only sum_c s_c^2, sum_c s_c t_c'Mt_c and
    tr((M T'T)^2): linear in the number of clusters. With more than one coefficient the
    HTZ test of the non-intercept ones is attached (:func:`wald_htz`).

    Parameters
    ----------
    rho : float
        The CHE correlation between sampling errors within a cluster (0: independent).
    basis : ndarray (p, p), optional
        When ``X``, ``beta`` and ``cov`` are in a reparametrised basis (see :func:`_basis`),
        the matrix A that maps them back (beta = A beta~); results are reported for A beta~.
        CR2 and HTZ are invariant to the basis; this only keeps digits.

    Returns
    -------
    RobustResult
        Estimates, CR2 SEs, t statistics, Satterthwaite df, p-values and CIs.
    """
    sb, sw = float(theta[0]), float(theta[1])
    p = X.shape[1]
    e = y - X @ beta
    meat_terms = np.zeros((cl.n, p))          # X_c' W_c A_c e_c per cluster
    ex = np.zeros((cl.n, p, p))               # E_c X_c with E_c = X_c' W_c A_c
    epe = np.zeros((cl.n, p, p))              # E_c Phi_c E_c'
    for ids, idx in cl.blocks():
        m = idx.shape[1]
        sv = np.sqrt(v[idx])                                   # (G, m)
        d = (1.0 - rho) * v[idx] + sw
        phi = (sb * np.ones((m, m))[None] + d[:, :, None] * np.eye(m)[None]
               + rho * sv[:, :, None] * sv[:, None, :])
        half = _sym_power(phi, 0.5, tol=0.0)
        Xc = X[idx]                                            # (G, m, p)
        xmx = Xc @ cov @ np.swapaxes(Xc, 1, 2)
        G = half @ (phi - xmx) @ half
        A = half @ _sym_power(G, -0.5) @ half
        W = np.linalg.inv(phi)
        awx = A @ W @ Xc                                       # E_c', (G, m, p)
        meat_terms[ids] = np.einsum("gmp,gm->gp", awx, e[idx])
        ex[ids] = np.swapaxes(awx, 1, 2) @ Xc
        epe[ids] = np.swapaxes(awx, 1, 2) @ phi @ awx
    vcov_t = cov @ (meat_terms.T @ meat_terms) @ cov
    A = np.eye(p) if basis is None else np.asarray(basis, float)
    vcov = A @ vcov_t @ A.T
    beta_t, beta = beta, A @ beta
    se = np.sqrt(np.diag(vcov))
    dfs = np.array([_htz_nu(ex, epe, cov, A[[j]]) for j in range(p)])
    stat = beta / se
    alpha = 1.0 - level / 100.0
    pval = 2.0 * dist.t_sf(np.abs(stat), dfs)
    crit = dist.t_isf(alpha / 2.0, dfs)
    wald = wald_htz(beta_t, vcov_t, ex, epe, cov, A[1:]) if p > 1 else None
    return RobustResult(names=list(names), estimate=np.asarray(beta, float), se=se, stat=stat, df=dfs, pval=pval,
                        ci_lb=beta - crit * se, ci_ub=beta + crit * se, vcov=vcov, n_clusters=cl.n, level=level,
                        wald=wald)


def _htz_nu(ex: np.ndarray, epe: np.ndarray, M: np.ndarray, C: np.ndarray) -> float:
    """The HTZ degrees of freedom nu of the contrasts C (q x p), cluster by cluster.

    clubSandwich writes the CR2 estimator of C beta as a sum of cluster terms whose
    covariances under the working model are the q x q blocks

        P(c, d) = [c = d] S_c - F_c M F_d',   S_c = C M E_c Phi_c E_c' M C',   F_c = C M E_c X_c.

    With Omega = sum_c P(c, c) and B(c, d) = Omega^-1/2 P(c, d) Omega^-1/2, the HTZ
    approximation (Tipton & Pustejovsky 2015) takes nu = q (q + 1) / sum_cd [tr(B(c, d)^2)
    + tr(B(c, d))^2]. Writing K_c = Omega^-1/2 F_c L (M = L L') and R = sum_c vec(K_c)
    vec(K_c)', the double sum over cluster pairs collapses to single sums and traces of the
    (qp x qp) matrix R: the cost is O(clusters q^2 p^2), never clusters^2. For q = 1 nu is
    the Satterthwaite degrees of freedom of a single coefficient.
    """
    q, p = C.shape
    CM = C @ M
    F = np.einsum("ap,cpr->car", CM, ex)                       # (J, q, p)
    S = np.einsum("ap,cpr,br->cab", CM, epe, CM)               # (J, q, q)
    L = np.linalg.cholesky(M)
    omega = S.sum(axis=0) - np.einsum("cap,pr,cbr->ab", F, M, F)
    om_nsqrt = _sym_power(omega[None], -0.5)[0]
    K = np.einsum("ab,cbp,pr->car", om_nsqrt, F, L)             # (J, q, p)
    St = np.einsum("ab,cbd,de->cae", om_nsqrt, S, om_nsqrt)    # (J, q, q)
    vecK = K.reshape(K.shape[0], q * p)
    R = vecK.T @ vecK                                          # sum_c vec K_c vec K_c'
    R4 = R.reshape(q, p, q, p)
    kk = np.einsum("cap,cbp->cab", K, K)                       # K_c K_c'
    tr_b2 = (np.einsum("cab,cba->", St, St) - 2.0 * np.einsum("cab,cba->", St, kk)
             + np.einsum("ajbi,aibj->", R4, R4))
    tr_s = np.einsum("caa->c", St)
    tr_k = np.einsum("caa->c", kk)
    trb_sq = float(np.sum(tr_s ** 2) - 2.0 * np.sum(tr_s * tr_k) + np.sum(R * R))
    return float(q * (q + 1) / (tr_b2 + trb_sq))


def wald_htz(beta, vcov, ex, epe, M, C: np.ndarray) -> dict:
    """Robust Wald test that C beta = 0, with the HTZ small-sample correction (clubSandwich
    ``Wald_test(test = "HTZ")``; C = the rows of the identity for the coefficients tested,
    or those rows of a basis change).

    Q = (C beta)' (C V_CR2 C')^-1 (C beta) for the q rows of C; with nu from
    :func:`_htz_nu`, F = (nu - q + 1) / nu * Q / q is referred to F(q, nu - q + 1).
    ``ex`` and ``epe`` are the per-cluster E_c X_c and E_c Phi_c E_c' of :func:`robust`,
    M = (X'WX)^-1.

    Returns
    -------
    dict
        ``F, df_num, df_denom, pval``; ``pval`` is NaN when df_denom <= 0 (too few
        clusters for the number of constraints), as in clubSandwich.
    """
    C = np.atleast_2d(np.asarray(C, float))
    q = C.shape[0]
    cb = C @ beta
    Q = float(cb @ np.linalg.solve(C @ vcov @ C.T, cb))
    nu = _htz_nu(ex, epe, M, C)
    df = nu - q + 1.0
    F = max((nu - q + 1.0) / nu, 0.0) * Q / q
    pval = float(dist.f_sf(F, q, df)) if df > 0 else math.nan
    return {"F": float(F), "df_num": int(q), "df_denom": float(df), "pval": pval}


# --------------------------------------------------------------------------- the CLI entry


__all__ = ["three_level", "robust", "wald_htz", "ThreeLevelResult", "RobustResult", "Clusters"]
