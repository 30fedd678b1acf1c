"""Leave-one-out, influence diagnostics and cumulative meta-analysis.

Each analysis is many intercept-only random-effects fits on subsets of the same rows:
row i left out (leave-one-out), or the first j rows in some order (cumulative).

From :data:`FAST_K` rows on, every sum a fit needs is had in O(1) per subset after O(k)
set-up (:class:`_SubsetSums`): sums at fixed weights as the total minus the row's own term
or as prefix sums, and sums at each subset's own tau^2 from power series about a few
anchor values of tau^2, exact to rounding. ML and REML run metafor's Fisher scoring on
those sums for all subsets at once, the closed-form estimators are evaluated on them,
and the few subsets where the sums would lose digits are refitted by the block code
below, so the whole analysis is O(k). PM and EB run Brent's root search (as R's
``uniroot``) on every subset's generalised Q at once (:func:`_zeroin_many`).
The same sums, as totals minus the rows after a prefix, give trim-and-fill's refits
(:class:`alliance_meta.engine.bias._PrefixFits`).

Below FAST_K rows (and for those refits), the subsets are fitted together: for a block
of subsets, the weights 1 / (v_j + tau2_s) of every row j under every subset's own tau2_s
form one (block x k) matrix, and each sum the estimators need (sum w, sum w y, sum w^2 y^2, ...) is a product
of that matrix with a few columns. ML and REML use metafor's Fisher scoring for all
subsets at once; the closed-form estimators (DL, HE, HS, SJ) are evaluated directly;
the root-finding ones (PM, EB) fall back to one fit per subset. The results agree with
metafor's ``leave1out()``, ``influence()`` and ``cumul()`` (see
``tests/test_metafor_alignment_multilevel_bias_sensitivity.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from . import distributions as dist
from .wording import left_out as _left_out
from .errors import InputError
from .heterogeneity import _LL_TOL, METAFOR_DEFAULT_THRESHOLD, _TOL, METHODS, estimate_tau2
from .weights import balance_dominant

#: Convergence threshold of Fisher scoring (metafor's ``control(threshold = 1e-12)``).
THRESHOLD = _TOL  # the engine's ML/REML convergence threshold
#: metafor's default threshold (1e-5), which some of its functions use for refits.
DEFAULT_THRESHOLD = METAFOR_DEFAULT_THRESHOLD
_BLOCK_CELLS = 4_000_000          # cells of one (subsets x rows) weight block: ~32 MB


# --------------------------------------------------------------------------- batched fits


def _block_rows(k: int) -> int:
    return max(1, _BLOCK_CELLS // max(k, 1))


def _he(y, v, M):
    """Hedges' estimator for every subset (rows of the 0/1 mask M)."""
    n = M.sum(axis=1)
    sy, syy, sv = M @ y, M @ (y * y), M @ v
    ss = syy - sy * sy / n
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (ss - sv + sv / n) / (n - 1.0)
    return np.where(n > 1, np.maximum(t, 0.0), 0.0)


def _others(A: np.ndarray) -> np.ndarray:
    """Row-wise sums of the other elements, ``A.sum(1)[:, None] - A``, with the largest
    element of each row given the sum of the rest added up directly: subtracting it from
    the total is where a dominant weight would cancel every digit (for any other element
    the total is at least the largest one, so the subtraction loses at most a factor k)."""
    rows = np.arange(A.shape[0])
    top = A.argmax(axis=1)
    out = A.sum(axis=1)[:, None] - A
    rest = A.copy()
    rest[rows, top] = 0.0
    out[rows, top] = rest.sum(axis=1)
    return out


def _q_direct(W, y):
    """Each row's sum(w (y - mu)^2) with mu its weighted mean, summed as positive terms."""
    mu = (W @ y) / W.sum(axis=1)
    return (W * (y[None, :] - mu[:, None]) ** 2).sum(axis=1)


def _tr_p0(W):
    """Each row's sum(w) - sum(w^2) / sum(w) (tr(P) of the intercept-only model), as
    sum(w_j S_-j) / S: a dominant weight would cancel the difference."""
    return (W * _others(W)).sum(axis=1) / W.sum(axis=1)


def _score_info(y, v, M, tau2, reml: bool):
    """Score and Fisher information of each subset's (restricted) likelihood in tau^2.

    The usual moment forms (Y'PPY = sum w^2 y^2 - 2 mu sum w^2 y + mu^2 sum w^2, and the
    trace formulas of :mod:`.weights`) subtract large terms when one weight dominates a
    subset; there, and only there (a weight above half the subset's total), the sums of
    positive terms are used instead: Y'PPY = sum(w^2 (y - mu)^2), tr(P) = sum(w S_-j) / S,
    tr(PP) = sum(w^2 (S_-j^2 + T_-j)) / S^2 (S_-j, T_-j: sums of the other weights and
    squared weights)."""
    W = M / (v[None, :] + tau2[:, None])
    sw = W.sum(axis=1)
    W2 = W * W
    s2 = W2.sum(axis=1)
    s2y = W2 @ y
    mu = (W @ y) / sw
    ypp = W2 @ (y * y) - 2.0 * mu * s2y + mu * mu * s2
    if reml:
        trp = sw - s2 / sw
        trpp = s2 - 2.0 * (W2 * W).sum(axis=1) / sw + (s2 / sw) ** 2
    dominant = W.max(axis=1) > 0.5 * sw
    if dominant.any():
        d = np.flatnonzero(dominant)
        Wd, W2d = W[d], W2[d]
        ypp[d] = np.sum(balance_dominant(Wd, Wd * (y[None, :] - mu[d, None])) ** 2, axis=1)
        if reml:
            s_other, t_other = _others(Wd), _others(W2d)
            trp[d] = (Wd * s_other).sum(axis=1) / sw[d]
            trpp[d] = (W2d * (s_other ** 2 + t_other)).sum(axis=1) / (sw[d] * sw[d])
    if reml:
        return ypp - trp, trpp
    return ypp - sw, s2


def _restricted_ll(y, v, M, tau2, reml: bool):
    """Log-likelihood of each subset's fit up to a constant shared by all tau2 values."""
    W = M / (v[None, :] + tau2[:, None])
    sw = W.sum(axis=1)
    q = _q_direct(W, y)
    with np.errstate(divide="ignore"):
        logdet = np.where(M > 0, np.log(v[None, :] + tau2[:, None]), 0.0).sum(axis=1)
    ll = -0.5 * logdet - 0.5 * q
    return ll - 0.5 * np.log(sw) if reml else ll


def _maximise_one(y, v, M, reml: bool) -> float:
    """The (restricted) likelihood maximum of one subset by a bounded 1-D search, then
    Brent's method on the score when the maximum is interior: the point that Fisher
    scoring would reach if it did not overshoot back and forth."""
    from scipy.optimize import brentq, minimize_scalar

    rows = M[0] > 0
    ys, vs = y[rows], v[rows]
    upper = 10.0 * max(float(np.var(ys)), float(np.max(vs)))

    def negll(t):
        return -float(_restricted_ll(y, v, M, np.array([t]), reml)[0])

    opt = minimize_scalar(negll, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-10})
    t = float(opt.x)

    def score(x):
        return float(_score_info(y, v, M, np.array([x]), reml)[0][0])

    lo, hi = max(0.0, t * 0.5 - 1e-8), t * 1.5 + 1e-8
    if t > 0 and score(lo) > 0 > score(hi):
        t = brentq(score, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return t if negll(t) <= negll(0.0) else 0.0


def _halve_to_nonnegative(cur: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Halve each scoring step until ``cur + step >= 0`` (metafor's step halving)."""
    for _ in range(200):
        neg = cur + step < 0.0
        if not neg.any():
            break
        step = np.where(neg, step / 2.0, step)
    return step


def _scoring_block(y, v, M, tau2, reml: bool, threshold: float, maxiter: int = 100):
    """Fisher scoring (metafor's ML/REML algorithm) for every row of M at once."""
    tau2 = tau2.astype(float).copy()
    active = np.ones(tau2.size, dtype=bool)
    n = M.sum(axis=1)
    active &= n > 1                              # one row: tau2 stays 0
    tau2[n <= 1] = 0.0
    for _ in range(maxiter):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        score, info = _score_info(y, v, M[idx], tau2[idx], reml)
        step = score / info
        cur = tau2[idx]
        step = _halve_to_nonnegative(cur, step)
        tau2[idx] = cur + step
        active[idx] = np.abs(step) > threshold
    else:
        for i in np.flatnonzero(active):         # rare: oscillating scoring; solve one by one
            tau2[i] = _maximise_one(y, v, M[i:i + 1], reml)
    tau2 = np.maximum(tau2, 0.0)
    check = tau2 > THRESHOLD
    if check.any():                              # the boundary can beat an interior maximum
        idx = np.flatnonzero(check)
        gain = _restricted_ll(y, v, M[idx], np.zeros(idx.size), reml) - _restricted_ll(y, v, M[idx], tau2[idx], reml)
        tau2[idx[gain > _LL_TOL]] = 0.0
    return tau2


def _closed_form(y, v, M, tau2_he, method: str):
    n = M.sum(axis=1)
    w0 = M / v[None, :]
    sw = w0.sum(axis=1)
    q = _q_direct(w0, y)
    if method == "HE":
        return tau2_he
    if method == "DL":
        return np.maximum(0.0, (q - (n - 1.0)) / _tr_p0(w0))
    if method == "HS":
        return np.maximum(0.0, (q - n) / sw)
    if method == "SJ":
        sy, syy = M @ y, M @ (y * y)
        tau0 = (syy - sy * sy / n) / n
        W = M / (v[None, :] + tau0[:, None])
        qt = _q_direct(W, y)
        return np.where(tau0 > 0, np.maximum(0.0, tau0 * qt / (n - 1.0)), 0.0)
    raise ValueError(method)


def fit_subsets(y, v, masks: Callable[[np.ndarray], np.ndarray], n_subsets: int, *, method: str = "REML",
                threshold: float = THRESHOLD, start: np.ndarray | None = None) -> np.ndarray:
    """tau^2 of the intercept-only model on each of ``n_subsets`` subsets of the rows.

    Parameters
    ----------
    y, v : ndarray (k,)
        Effect sizes and sampling variances.
    masks : callable
        ``masks(ids)`` returns the 0/1 float matrix (len(ids), k) of the rows in subsets
        ``ids``.
    method : str
        A tau^2 estimator of :data:`~alliance_meta.engine.heterogeneity.METHODS`.
    threshold : float
        Convergence threshold of ML/REML Fisher scoring.
    start : ndarray, optional
        Starting tau^2 per subset for ML/REML (default: Hedges' estimate, as metafor).

    Returns
    -------
    ndarray (n_subsets,)
        tau^2 >= 0 of each subset, on the scale of ``y``.
    """
    k = y.size
    out = np.zeros(n_subsets)
    step = _block_rows(k)
    for lo in range(0, n_subsets, step):
        ids = np.arange(lo, min(n_subsets, lo + step))
        M = masks(ids)
        if method == "FE":
            continue
        he = _he(y, v, M)
        if method in ("REML", "ML"):
            init = he if start is None else np.maximum(start[ids], 0.0)
            out[ids] = _scoring_block(y, v, M, init, method == "REML", threshold)
        elif method in ("DL", "HE", "HS", "SJ"):
            with np.errstate(invalid="ignore", divide="ignore"):
                t = _closed_form(y, v, M, he, method)
            out[ids] = np.where(M.sum(axis=1) > 1, t, 0.0)    # one row: no spread, tau2 = 0
        else:
            for j, i in enumerate(ids):
                rows = M[j] > 0
                n = int(rows.sum())
                out[i] = 0.0 if n < 2 else estimate_tau2(y[rows], v[rows], np.ones((n, 1)), method)
    return out


@dataclass
class SubsetFits:
    """Intercept-only fits on several subsets: arrays with one element per subset."""

    k: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    tau2: np.ndarray
    Q: np.ndarray
    I2: np.ndarray
    H2: np.ndarray


def summarise_subsets(y, v, masks, n_subsets: int, tau2: np.ndarray, fixed: bool = False) -> SubsetFits:
    """Estimate, SE, Q, I^2 and H^2 of each subset fit given its tau^2 (all vectorised).

    I^2 and H^2 are tau^2-based for random-effects fits and Q-based for the fixed-effect
    model (``fixed=True``), as metafor reports them."""
    k = y.size
    # the estimate is shift-equivariant: centred at the fixed-effect mean, sum(w y) / sum(w)
    # keeps its digits for effects far from zero
    centre = float(np.dot(1.0 / v, y) / np.sum(1.0 / v))
    y = y - centre
    out = {name: np.zeros(n_subsets) for name in ("k", "estimate", "se", "Q", "I2", "H2")}
    step = _block_rows(k)
    for lo in range(0, n_subsets, step):
        ids = np.arange(lo, min(n_subsets, lo + step))
        M = masks(ids)
        W = M / (v[None, :] + tau2[ids, None])
        sw, swy = W.sum(axis=1), W @ y
        n = M.sum(axis=1)
        W0 = M / v[None, :]
        q = _q_direct(W0, y)
        with np.errstate(invalid="ignore", divide="ignore"):
            vt = (n - 1.0) / _tr_p0(W0)
            if fixed:
                i2 = np.where((n > 1) & (q > 0), np.maximum(0.0, 100.0 * (q - (n - 1.0)) / q), 0.0)
                h2 = np.where(n > 1, q / (n - 1.0), 1.0)
            else:
                i2 = np.where(n > 1, 100.0 * tau2[ids] / (vt + tau2[ids]), 0.0)
                h2 = np.where(n > 1, (vt + tau2[ids]) / vt, 1.0)
        out["k"][ids] = n
        out["estimate"][ids] = centre + swy / sw
        out["se"][ids] = 1.0 / np.sqrt(sw)
        out["Q"][ids] = q
        out["I2"][ids] = i2
        out["H2"][ids] = h2
    return SubsetFits(tau2=tau2, **out)


# --------------------------------------------------------------------------- O(k) subset sums

#: From this many rows on, ``leave1out`` and ``cumulative`` fit their subsets from O(k) sums
#: (:class:`_SubsetSums`) instead of (block x k) weight matrices; below it, the block code.
FAST_K = 500
#: ``cumulative`` fits the first this many prefixes with the block code (on those rows only):
#: there tau^2 moves most from one step to the next, and the fits are cheap.
CUM_EXACT = 500
#: ... and this many under PM and EB, whose block fits are one root search each.
CUM_EXACT_ROOT = 50
#: The rows with the smallest sampling variances, whose terms are added exactly to every
#: subset sum (a very precise study is one of them); the others' terms go through a series.
EXACT_ROWS = 8
_RHO = 0.25            # anchors are spaced so that every tau^2 >= 0 is within _RHO * u of one
_RHO_MAX = 0.26        # ... and the series is used up to _RHO_MAX (a margin for rounding)
_N_TERMS = 30          # the tail of (1 - r)^-3 beyond r^30 is below 6e-16 for r <= 0.26
_SHARE = 0.99          # leave-one-out: a row holding more of a total is fitted exactly
_ANCHOR_BYTES = 4e8    # cumulative: memory for the prefix moment sums of the anchors kept
_MAX_EXACT_ROWS = 64   # at most this many rows added exactly (beyond, exact refits)
_CHUNK = 8192          # cumulative: subsets whose prefix moment sums are gathered at once
_COMBOS = ((0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2), (0, 3))   # (p, q) of S_pq below


class _SubsetSums:
    """Sums over the rows of many subsets, each in O(1) after O(k) set-up.

    ``kind="loo"``: subset i is every row but i; ``kind="prefix"``: subset j is rows 0..j.
    ``kind="head"`` has the subsets of ``"prefix"``, for a few long prefixes (trim-and-fill's
    refits): each is the total minus the rows after it, and those rows' sums are moved from
    one prefix to the next, so that a subset costs about the rows that changed rather than
    O(k). Sums at fixed weights (:meth:`plain`) are the total minus the row's own term (or
    the rows after the prefix), or prefix sums. Sums at a tau^2 t per subset (:meth:`at`),
    S_pq(t) = sum y_j^p (v_j + t)^-q, are power series about an anchor t_a: with
    a_j = v_j + t_a, u = v_min + t_a <= a_j and x = (t - t_a) / u,

        S_pq(t) = u^-q sum_n C(-q, n) x^n sum_j y_j^p (u / a_j)^(q + n),

    in which row j's n-th term is at most C(q + n - 1, n) |x|^n times its own y_j^p a_j^-q
    (as u <= a_j), so that _N_TERMS terms leave a relative error below 1e-15 for
    |x| <= _RHO_MAX (and the alternating signs cost at most a factor 5). The moment sums of an anchor are computed once
    (a total, or prefix sums) when first needed; anchors lie on a grid (u grows by the
    factor (1 + _RHO) / (1 - _RHO) from t_a = 0) on which every t >= 0 is within _RHO u of
    one. The EXACT_ROWS rows with the smallest v (which would shrink u) are added exactly
    instead (a weight of theirs above half the subset's total is met by
    :func:`_score_info_dominant`). A subset is marked for an exact refit when its row's own
    term holds most of a total (leave-one-out subtraction would cancel digits), when a
    series row's weight is above half the subset's total (the moment forms of the score
    would), or when no anchor can be kept in memory."""

    def __init__(self, y, v, kind: str, first: int = 0):
        self.y, self.v, self.kind = y, v, kind
        k = self.k = y.size
        by_v = np.argsort(v, kind="stable")
        # exactly added: the EXACT_ROWS smallest v, and any row whose weight 1/v could be
        # near half of a subset's total (weights are most uneven at tau^2 = 0); subsets
        # from ``first`` on are asked for (cumulative: the smallest has first + 1 rows)
        if kind not in ("loo", "prefix", "head"):
            raise ValueError(kind)
        w = 1.0 / v
        if kind == "loo":
            near = w > 0.4 * (w.sum() - w.max())
        else:
            near = w > 0.4 * np.cumsum(w)[np.maximum(np.arange(k), first)]
        near = np.flatnonzero(near)
        near = near[np.argsort(-w[near], kind="stable")][:_MAX_EXACT_ROWS]
        self.E = np.union1d(by_v[:min(k, EXACT_ROWS)], near).astype(np.int64)
        self.isL = np.ones(k, dtype=bool)
        self.isL[self.E] = False
        self.L = np.flatnonzero(self.isL)
        self.vL = float(v[self.L].min()) if self.L.size else 1.0
        self.yE, self.vE = y[self.E], v[self.E]
        # smallest v among each subset's series rows (those whose weight could dominate there)
        vL = np.where(self.isL, v, np.inf)
        if kind == "loo":
            two = np.argsort(vL, kind="stable")[:2]
            self.vmin_L = np.full(k, vL[two[0]])
            self.vmin_L[two[0]] = vL[two[1]] if k > 1 else np.inf
        else:
            self.vmin_L = np.minimum.accumulate(vL)
        self.log_ratio = math.log((1.0 + _RHO) / (1.0 - _RHO))
        self.nm = _N_TERMS + 4                       # moments (u / a)^m, m = 0 .. _N_TERMS + 3
        self.ncol = 3 * self.nm + 1                  # p = 0, 1, 2, and sum log a
        self.anchors: dict = {}                      # grid index -> (t_a, u, moment sums), oldest first
        self.max_anchors = (10 ** 6 if kind != "prefix" else
                            max(2, int(_ANCHOR_BYTES // (8.0 * k * self.ncol))))
        n = np.arange(_N_TERMS + 1, dtype=float)
        sign = (-1.0) ** n
        self.coef = {1: sign, 2: sign * (n + 1.0), 3: sign * (n + 1.0) * (n + 2.0) / 2.0}   # C(-q, n)
        self.log_coef = -sign[1:] / n[1:]            # log(1 + x) = sum (-1)^(n+1) x^n / n
        self.centre = float(np.dot(1.0 / v, y) / np.sum(1.0 / v))
        self._totals: dict = {}                      # kind "head": totals of plain() columns,
        self._tail_plain: dict = {}                  # ... their sums after the last prefix,
        self._tail_moments: dict = {}                # ... and an anchor's moments there

    # ------------------------------------------------------------------ fixed weights
    def _included(self, ids):
        """(len(ids), len(E)) 0/1: which exactly added rows each subset holds."""
        if self.kind == "loo":
            return (self.E[None, :] != ids[:, None]).astype(float)
        return (self.E[None, :] <= ids[:, None]).astype(float)

    def _plain_head(self, build, ids, series_only: bool = False):
        """:meth:`plain` for kind "head": the series rows' totals (kept per ``build``) minus
        their sums over the rows after each prefix, and the exactly added rows' terms. A
        sum is marked when the rows taken out hold most of a total of absolute values."""
        if build not in self._totals:
            CL = np.ascontiguousarray(build(self.y[self.L], self.v[self.L], self.centre).T)
            self._totals[build] = CL.sum(axis=1), np.abs(CL).sum(axis=1)    # pairwise sums
        tot, size = self._totals[build]

        def summed(rows):
            C = np.ascontiguousarray(build(self.y[rows], self.v[rows], self.centre).T)
            return C.sum(axis=1), np.abs(C).sum(axis=1)

        tail, tail_size = np.zeros((ids.size, tot.size)), np.zeros((ids.size, tot.size))
        for i, j in enumerate(ids):
            tail[i], tail_size[i] = self._tail(self._tail_plain, build, int(j), summed)
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = ~(tail_size > _SHARE * size).any(axis=1)
        if series_only:
            return tot - tail, ok
        exact = self._included(ids) @ build(self.yE, self.vE, self.centre)
        return tot - tail + exact, ok

    def plain(self, build, ids, series_only: bool = False):
        """Sums over each subset of the columns ``build(y, v, centre)`` (rows, c), which
        are functions of a row's y and v (``centre``: the fixed-effect mean of all rows),
        and whether each sum is free of cancellation; ``series_only``: over the series
        rows alone (without the exactly added rows)."""
        if self.kind == "head":
            return self._plain_head(build, ids, series_only)
        cols = build(self.y, self.v, self.centre)
        exact = 0.0 if series_only else self._included(ids) @ cols[self.E]
        CL = cols[self.L]
        ok = np.ones(ids.size, dtype=bool)
        if self.kind == "loo":
            tot = np.ascontiguousarray(CL.T).sum(axis=1)          # pairwise sums
            size = np.ascontiguousarray(np.abs(CL).T).sum(axis=1)
            own = cols[ids] * self.isL[ids, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                ok = ~(np.abs(own) > _SHARE * size).any(axis=1)
            return tot - own + exact, ok
        full = np.zeros((self.k, cols.shape[1]))
        full[self.L] = CL
        np.cumsum(full, axis=0, out=full)
        return full[ids] + exact, ok

    def pairs(self, ids):
        """Each subset's sum of w_i w_j over its pairs i < j (w = 1 / v), its sum of w, and
        whether the pair sum is exact enough.

        (sum w)^2 - sum w^2 (twice the pair sum; tr(P) at tau^2 = 0 times sum w) cancels
        every digit when one weight dominates. The pair sum is split instead into the
        series rows' own pairs (where no weight dominates: those rows are marked
        otherwise), their pairs with the exactly added rows, and those rows' pairs, each
        of the last two a sum of positive terms."""
        P, ok = self.plain(_cols_w, ids, series_only=True)
        s_l, t_l = P[:, 0], P[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = ok & ~(1.0 / self.vmin_L[ids] > 0.5 * s_l)
        pairs_l = 0.5 * (s_l * s_l - t_l)
        w_e = 1.0 / self.vE
        s_e = self._exact_sums(ids, w_e[:, None])[:, 0]
        p_e = self._exact_pairs(ids, np.outer(w_e, w_e))
        return pairs_l + s_l * s_e + p_e, s_l + s_e, ok

    def _exact_sums(self, ids, values):
        """Sums over the exactly added rows of each subset of the columns ``values``
        (len(E), c): for "loo" the total, or for the subset of an exact row the sum of the
        others, added up without it (a dominant row would cancel a subtraction); otherwise
        prefix sums in row order."""
        n_e = self.E.size
        if self.kind == "loo":
            out = np.tile(values.sum(axis=0), (ids.size, 1))
            if n_e:
                pos = np.minimum(np.searchsorted(self.E, ids), n_e - 1)
                hit = self.E[pos] == ids
                without = np.array([np.delete(values, a, axis=0).sum(axis=0) for a in range(n_e)])
                out[hit] = without[pos[hit]]
            return out
        cum = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
        return cum[np.searchsorted(self.E, ids, side="right")]

    def _exact_pairs(self, ids, f):
        """Sum over the pairs e < f of exactly added rows in each subset of f(e, f), a
        symmetric (len(E), len(E)) array of positive terms, without subtraction."""
        n_e = self.E.size
        upper = np.triu(f, 1)
        if self.kind == "loo":
            out = np.full(ids.size, float(upper.sum()))
            if n_e:
                pos = np.minimum(np.searchsorted(self.E, ids), n_e - 1)
                hit = self.E[pos] == ids
                keep = ~np.eye(n_e, dtype=bool)
                without = np.array([upper[np.ix_(keep[a], keep[a])].sum() for a in range(n_e)])
                out[hit] = without[pos[hit]]
            return out
        cum = np.r_[0.0, np.cumsum(upper.sum(axis=0))]      # pairs whose later row is f
        return cum[np.searchsorted(self.E, ids, side="right")]

    def q0(self, ids):
        """Cochran's Q of each subset at tau^2 = 0 and whether it is exact enough, as
        sum_{i<j} w_i w_j (y_i - y_j)^2 / sum(w) split into the series rows' pairs (moment
        form about the fixed-effect mean of all rows, no weight dominating there), their
        pairs with the exactly added rows and those rows' own pairs: with two precise
        studies of different effects, sum(w y^2) - (sum w y)^2 / sum(w) would cancel in
        every subset that holds one of them."""
        P, ok = self.plain(_cols_q, ids, series_only=True)
        s_l, sy_l, syy_l = P.T
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = ok & ~(1.0 / self.vmin_L[ids] > 0.5 * s_l)
        w_e = 1.0 / self.vE
        y_e = self.yE - self.centre
        A, B, C = self._exact_sums(ids, np.column_stack([w_e, w_e * y_e, w_e * y_e * y_e])).T
        within = s_l * syy_l - sy_l * sy_l
        across = syy_l * A - 2.0 * sy_l * B + s_l * C
        among = self._exact_pairs(ids, np.outer(w_e, w_e) * (y_e[:, None] - y_e[None, :]) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            q = np.maximum(within, 0.0) + np.maximum(across, 0.0) + among
            return q / (s_l + A), ok

    # ------------------------------------------------------------------ weights 1 / (v + t)
    def _moments(self, rows, t: float, u: float) -> np.ndarray:
        """The moment sums of an anchor (t, u) over ``rows``: sum y^p (u / a)^m for p = 0, 1,
        2 and m < nm, and sum log a (a = v + t); a block of rows at a time (bounded
        memory), pairwise within a block."""
        nm = self.nm
        out = np.zeros(self.ncol)
        for lo in range(0, rows.size, 8 * _CHUNK):
            part = rows[lo:lo + 8 * _CHUNK]
            a = self.v[part] + t
            r, yb = u / a, self.y[part]
            D = np.empty((self.ncol, r.size))
            D[0] = 1.0
            for m in range(1, nm):                   # (u / a)^m by products: pow() is slow
                np.multiply(D[m - 1], r, out=D[m])
            np.multiply(D[:nm], yb[None, :], out=D[nm:2 * nm])
            np.multiply(D[nm:2 * nm], yb[None, :], out=D[2 * nm:3 * nm])
            D[-1] = np.log(a)
            out += D.sum(axis=1)
        return out

    def _series(self, data, u: float, X):
        """S_pq and sum log(v + t) of the subsets whose rows X (len, N + 1) holds the powers
        of x = (t - t_a) / u, from one set of moment sums ``data`` about the anchor."""
        N, nm = _N_TERMS, self.nm
        C = np.empty((N + 1, len(_COMBOS)))
        for c, (p, q) in enumerate(_COMBOS):
            C[:, c] = self.coef[q] * data[p * nm + q:p * nm + q + N + 1] * u ** -q
        return X @ C, data[-1] + X[:, 1:] @ (self.log_coef * data[1:N + 1])

    def _tail(self, cache: dict, key, j: int, summed):
        """Sums over the series rows after row j (kind "head"): ``summed(rows)`` gives a
        tuple of arrays summed over ``rows``. Kept per ``key`` and moved from the last j by
        the rows in between (trim-and-fill's prefixes change a little at a time); summed
        afresh when the rows in between outnumber the new tail's, so that no update
        subtracts more than half of what it leaves."""
        start = int(np.searchsorted(self.L, j, side="right"))    # the tail is L[start:]
        hit = cache.get(key)
        if hit is not None and abs(start - hit[0]) <= self.L.size - start:
            old, parts = hit
            if start < old:
                parts = tuple(a + d for a, d in zip(parts, summed(self.L[start:old])))
            elif start > old:
                parts = tuple(a - d for a, d in zip(parts, summed(self.L[old:start])))
        else:
            parts = summed(self.L[start:])
        cache[key] = (start, parts)
        return parts

    def _anchor(self, g: int, keep):
        """Moment sums about grid point g (built, or evicting the oldest not in ``keep``)."""
        if g in self.anchors:
            self.anchors[g] = self.anchors.pop(g)    # most recently used last
            return self.anchors[g]
        if len(self.anchors) >= self.max_anchors:
            old = next((h for h in self.anchors if h not in keep), None)
            if old is None:
                return None
            del self.anchors[old]
        t = self.vL * math.expm1(g * self.log_ratio)
        u = self.vL + t
        a = self.v[self.L] + t
        yL = self.y[self.L]
        nm = self.nm
        if self.kind != "prefix":
            data = self._moments(self.L, t, u)
        else:
            Z = (u / a)[:, None] ** np.arange(self.nm)[None, :]
            data = np.zeros((self.k, self.ncol))
            data[self.L, :nm] = Z
            data[self.L, nm:2 * nm] = Z * yL[:, None]
            data[self.L, 2 * nm:3 * nm] = Z * (yL * yL)[:, None]
            data[self.L, -1] = np.log(a)
            np.cumsum(data, axis=0, out=data)
        self.anchors[g] = (t, u, data)
        return self.anchors[g]

    def at(self, ids, tau, dominance: bool = True, parts: bool = False):
        """S_pq (len(ids), 7) for the (p, q) of _COMBOS, sum log(v + t) and whether each
        subset's sums are exact enough, for subsets ``ids`` at tau^2 values ``tau``.

        ``dominance``: also mark the subsets where a series row's weight is above half the
        total. ``parts``: return as well the series rows' part of S and the exactly added
        rows' weights (len(ids), len(E)), for :func:`_score_info_dominant`."""
        n_ids = ids.size
        S = np.zeros((n_ids, len(_COMBOS)))
        logs = np.zeros(n_ids)
        ok = np.ones(n_ids, dtype=bool)
        N, nm = _N_TERMS, self.nm
        if self.L.size:
            g = np.floor(np.log((self.vL + tau) / ((1.0 - _RHO) * self.vL)) / self.log_ratio)
            g = np.maximum(g, 0).astype(np.int64)
            grid = [int(x) for x in np.unique(g)]
            for gg in grid:
                sel = np.flatnonzero(g == gg)
                anchor = self._anchor(gg, set(grid))
                if anchor is None:
                    ok[sel] = False
                    continue
                t, u, data = anchor
                x = (tau[sel] - t) / u
                ok[sel[~(np.abs(x) <= _RHO_MAX)]] = False
                X = np.vander(x, N + 1, increasing=True)
                if self.kind == "loo":
                    S[sel], logs[sel] = self._series(data, u, X)
                elif self.kind == "head":            # the rows after each prefix taken out
                    for i, Xi in zip(sel, X):
                        tail, = self._tail(self._tail_moments, gg, int(ids[i]),
                                           lambda rows: (self._moments(rows, t, u),))
                        positive = np.r_[tail[:nm], tail[2 * nm:3 * nm]]
                        total = np.r_[data[:nm], data[2 * nm:3 * nm]]
                        ok[i] &= not (positive > _SHARE * total).any()
                        Si, li = self._series(data - tail, u, Xi[None, :])
                        S[i], logs[i] = Si[0], li[0]
                else:
                    for lo in range(0, sel.size, _CHUNK):   # bounded temporaries
                        part, Xp = sel[lo:lo + _CHUNK], X[lo:lo + _CHUNK]
                        G = data[ids[part]]
                        Xq = {q: Xp * self.coef[q] for q in (1, 2, 3)}
                        for c, (p, q) in enumerate(_COMBOS):
                            S[part, c] = np.einsum("ij,ij->i", Xq[q], G[:, p * nm + q:p * nm + q + N + 1]) * u ** -q
                        logs[part] = G[:, -1] + np.einsum("ij,ij->i", Xp[:, 1:] * self.log_coef, G[:, 1:N + 1])
            if self.kind == "loo":                   # take out the left-out row's own term
                own_rows = self.isL[ids]
                yi, w = self.y[ids], 1.0 / (self.v[ids] + tau)
                for c, (p, q) in enumerate(_COMBOS):
                    own = np.where(own_rows, yi ** p * w ** q, 0.0)
                    if p != 1:
                        with np.errstate(invalid="ignore", divide="ignore"):
                            ok &= ~(own > _SHARE * S[:, c])
                    S[:, c] -= own
                logs -= np.where(own_rows, np.log(self.v[ids] + tau), 0.0)
        S_L = S.copy() if parts else None
        W = np.zeros((n_ids, 0))
        if self.E.size:
            inc = self._included(ids)
            W = inc / (self.vE[None, :] + tau[:, None])
            W2 = W * W
            yE, yE2 = self.yE, self.yE * self.yE
            S[:, 0] += W.sum(axis=1)
            S[:, 1] += W @ yE
            S[:, 2] += W @ yE2
            S[:, 3] += W2.sum(axis=1)
            S[:, 4] += W2 @ yE
            S[:, 5] += W2 @ yE2
            S[:, 6] += (W2 * W).sum(axis=1)
            logs += (inc * np.log(self.vE[None, :] + tau[:, None])).sum(axis=1)
        if dominance:
            ok &= ~(1.0 / (self.vmin_L[ids] + tau) > 0.5 * S[:, 0])
        if parts:
            return S, logs, ok, S_L, W
        return S, logs, ok


def _cols_q(y, v, centre):
    """Columns of Q at tau^2 = 0 about the fixed-effect mean of all rows (w, w y, w y^2)."""
    yc = y - centre
    return np.column_stack([1.0 / v, yc / v, yc * yc / v])


def _cols_w(y, v, centre):
    """Columns of the pair sums of the weights (w, w^2)."""
    return np.column_stack([1.0 / v, 1.0 / (v * v)])


def _cols_closed(y, v, centre):
    """Columns of the closed-form estimators' unweighted sums and sum w (n, sum y, y^2, v,
    w), y about the fixed-effect mean of all rows (Q itself is :meth:`_SubsetSums.q0`)."""
    yc = y - centre
    return np.column_stack([np.ones_like(y), yc, yc * yc, v, 1.0 / v])


def _cols_ll0(y, v, centre):
    """Columns of the log-likelihood at tau^2 = 0 besides Q (w, log v)."""
    return np.column_stack([1.0 / v, np.log(v)])


def _cols_n(y, v, centre):
    """The column whose sum is a subset's number of rows."""
    return np.ones((y.size, 1))


def _score_info_sums(S, reml: bool):
    """:func:`_score_info` from the sums S_pq of :meth:`_SubsetSums.at` (no dominant weight)."""
    sw, s11, _, s2, s2y, s22, s3 = S.T
    mu = s11 / sw
    ypp = s22 - 2.0 * mu * s2y + mu * mu * s2
    if reml:
        return ypp - (sw - s2 / sw), s2 - 2.0 * s3 / sw + (s2 / sw) ** 2
    return ypp - sw, s2


def _score_info_dominant(S, S_L, W, yE, reml: bool):
    """:func:`_score_info_sums` where an exactly added row's weight is above half the total:
    the sums of positive terms of :func:`_score_info` (Y'PPY = sum w^2 (y - mu)^2, and the
    traces from the sums of the other weights), with the series rows' part in moment form
    (no series weight is above half the total there: their S - w_j keeps its digits)."""
    sw, s11, _, s2 = S[:, 0], S[:, 1], S[:, 2], S[:, 3]
    mu = s11 / sw
    L01, L12, L22, L02, L03 = S_L[:, 0], S_L[:, 4], S_L[:, 5], S_L[:, 3], S_L[:, 6]
    W2 = W * W
    # the dominant exact row's w (y - mu) from those of the others, the series rows' in moment form
    we = balance_dominant(W, W * (yE[None, :] - mu[:, None]), rest=S_L[:, 1] - mu * L01)
    ypp = L22 - 2.0 * mu * L12 + mu * mu * L02 + (we * we).sum(axis=1)
    if not reml:
        return ypp - sw, s2
    s_other = L01[:, None] + _others(W)          # each exact row's S_-j, T_-j, summed without cancelling
    t_other = L02[:, None] + _others(W2)
    trp = (sw * L01 - L02 + (W * s_other).sum(axis=1)) / sw
    trpp = ((sw * sw + s2) * L02 - 2.0 * sw * L03 + (W2 * (s_other ** 2 + t_other)).sum(axis=1)) / (sw * sw)
    return ypp - trp, trpp


def _fast_closed(sums: _SubsetSums, ids, method: str):
    """Hedges, DerSimonian-Laird, Hunter-Schmidt or Sidik-Jonkman tau^2 of each subset, as
    :func:`_closed_form`, and whether each is exact enough."""
    P, ok = sums.plain(_cols_closed, ids)
    n, sy, syy, sv, sw = P.T
    with np.errstate(invalid="ignore", divide="ignore"):
        if method in ("HE", "SJ"):
            ss = syy - sy * sy / n
            if method == "HE":
                t = np.maximum((ss - sv + sv / n) / (n - 1.0), 0.0)
            else:
                tau0 = ss / n
                t = np.zeros(ids.size)
                pos = np.flatnonzero(tau0 > 0)
                if pos.size:
                    S, _, ok_s = sums.at(ids[pos], tau0[pos], dominance=False)
                    qt = S[:, 2] - S[:, 1] ** 2 / S[:, 0]
                    t[pos] = np.maximum(0.0, tau0[pos] * qt / (n[pos] - 1.0))
                    ok[pos[~ok_s]] = False
        else:
            q, ok_q = sums.q0(ids)
            ok &= ok_q
            if method == "DL":
                pair, tot, ok_p = sums.pairs(ids)
                ok &= ok_p
                t = np.maximum(0.0, (q - (n - 1.0)) / (2.0 * pair / tot))
            else:
                t = np.maximum(0.0, (q - n) / sw)
    return np.where(n > 1, t, 0.0), ok


def _fast_scoring(sums: _SubsetSums, ids, start, reml: bool, threshold: float, maxiter: int = 100):
    """:func:`_scoring_block` from O(1) sums per subset; ``bad`` marks the subsets to fit
    with the block code (sums not exact enough, or no convergence in ``maxiter`` steps)."""
    tau2 = np.asarray(start, dtype=float).copy()
    active = np.ones(ids.size, dtype=bool)
    bad = np.zeros(ids.size, dtype=bool)
    # Trim-and-fill's refits stop at metafor's loose 1e-5: where scoring does not contract
    # (a step longer than the one before: Fisher's information far from the observed one,
    # as with one very precise study), its iterates wander and the step that happens to fall
    # below the threshold depends on the last bits of the sums, so that no two ways of
    # summing agree. Those few subsets are fitted on their rows, as the reference fit is.
    last = np.full(ids.size, np.inf) if sums.kind == "head" else None
    for _ in range(maxiter):
        idx = np.flatnonzero(active & ~bad)
        if not idx.size:
            break
        S, _, ok, S_L, W = sums.at(ids[idx], tau2[idx], parts=True)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            score, info = _score_info_sums(S, reml)
            dom = np.flatnonzero(W.max(axis=1, initial=0.0) > 0.5 * S[:, 0])
            if dom.size:                         # a very precise study among the exact rows
                score[dom], info[dom] = _score_info_dominant(S[dom], S_L[dom], W[dom], sums.yE, reml)
            step = score / info
        ok &= np.isfinite(step)
        bad[idx[~ok]] = True
        step = np.where(ok, step, 0.0)
        cur = tau2[idx]
        step = _halve_to_nonnegative(cur, step)
        tau2[idx] = cur + step
        active[idx] = np.abs(step) > threshold
        if last is not None:
            bad[idx[np.abs(step) > last[idx]]] = True
            last[idx] = np.abs(step)
    bad |= active                                # not converged: the block code solves those
    tau2 = np.maximum(tau2, 0.0)
    check = np.flatnonzero((tau2 > THRESHOLD) & ~bad)
    if check.size:                               # the boundary can beat an interior maximum
        S, logs, ok = sums.at(ids[check], tau2[check], dominance=False)
        P, ok0 = sums.plain(_cols_ll0, ids[check])
        q0, ok_q = sums.q0(ids[check])
        ok0 = ok0 & ok_q
        with np.errstate(invalid="ignore", divide="ignore"):
            ll_t = -0.5 * logs - 0.5 * (S[:, 2] - S[:, 1] ** 2 / S[:, 0])
            ll_0 = -0.5 * P[:, 1] - 0.5 * q0
            if reml:
                ll_t -= 0.5 * np.log(S[:, 0])
                ll_0 -= 0.5 * np.log(P[:, 0])
        bad[check[~(ok & ok0)]] = True
        tau2[check[(ll_0 - ll_t > _LL_TOL) & ok & ok0]] = 0.0
    return tau2, bad


def _zeroin_many(f, a, b, fa, fb, tol: float, maxiter: int = 1000):
    """:func:`~.heterogeneity.zeroin` (Brent's method as R's ``uniroot``) for many roots at
    once: every bracket takes the steps the scalar code would take on it, so that each
    root equals the one-at-a-time search (metafor's Paule-Mandel estimate is an iterate at
    ``uniroot``'s tolerance, not an exact root). ``f(idx, x)`` evaluates the functions of
    brackets ``idx`` at ``x`` (NaN where it cannot). Returns the roots and the brackets
    that did not converge or met a NaN."""
    eps = np.finfo(float).eps
    a, b, fa, fb = (np.asarray(z, dtype=float).copy() for z in (a, b, fa, fb))
    c, fc = a.copy(), fa.copy()
    root = np.where(fa == 0.0, a, b)
    done = (fa == 0.0) | (fb == 0.0)
    bad = ~(np.isfinite(fa) & np.isfinite(fb))
    done |= bad
    for _ in range(maxiter + 1):
        i = np.flatnonzero(~done)
        if not i.size:
            break
        ai, bi, ci, fai, fbi, fci = a[i], b[i], c[i], fa[i], fb[i], fc[i]
        prev = bi - ai
        swap = np.abs(fci) < np.abs(fbi)
        ai, bi, ci = np.where(swap, bi, ai), np.where(swap, ci, bi), np.where(swap, bi, ci)
        fai, fbi, fci = np.where(swap, fbi, fai), np.where(swap, fci, fbi), np.where(swap, fbi, fci)
        tol_act = 2.0 * eps * np.abs(bi) + tol / 2.0
        step = (ci - bi) / 2.0
        conv = (np.abs(step) <= tol_act) | (fbi == 0.0)
        interp = (np.abs(prev) >= tol_act) & (np.abs(fai) > np.abs(fbi))
        cb = ci - bi
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            t1 = fbi / fai                               # secant step (a == c)
            p_s, q_s = cb * t1, 1.0 - t1
            qq, t1q, t2q = fai / fci, fbi / fci, fbi / fai   # inverse quadratic interpolation
            p_q = t2q * (cb * qq * (qq - t1q) - (bi - ai) * (t1q - 1.0))
            q_q = (qq - 1.0) * (t1q - 1.0) * (t2q - 1.0)
            secant = ai == ci
            p, q = np.where(secant, p_s, p_q), np.where(secant, q_s, q_q)
            q = np.where(p > 0.0, -q, q)
            p = np.abs(p)
            take = interp & (p < 0.75 * cb * q - np.abs(tol_act * q) / 2.0) & (p < np.abs(prev * q / 2.0))
            step = np.where(take, p / q, step)
        step = np.where(np.abs(step) < tol_act, np.where(step > 0.0, tol_act, -tol_act), step)
        root[i[conv]] = bi[conv]
        done[i[conv]] = True
        go = ~conv
        i, ai, bi, ci, fai, fbi, fci, step = (z[go] for z in (i, ai, bi, ci, fai, fbi, fci, step))
        ai, fai = bi, fbi
        bi = bi + step
        fbi = f(i, bi)
        nan = ~np.isfinite(fbi)
        bad[i[nan]] = done[i[nan]] = True
        flip = ((fbi > 0.0) & (fci > 0.0)) | ((fbi < 0.0) & (fci < 0.0))
        ci, fci = np.where(flip, ai, ci), np.where(flip, fai, fci)
        a[i], b[i], c[i], fa[i], fb[i], fc[i] = ai, bi, ci, fai, fbi, fci
    bad |= ~done
    return root, bad


def _subset_spread(sums: _SubsetSums, ids):
    """Each subset's population variance of y, an upper bound on its range, its number of
    rows and its mean sampling variance."""
    P, _ = sums.plain(_cols_closed, ids)
    n, sy, syy = P[:, 0], P[:, 1], P[:, 2]
    y = sums.y
    if sums.kind == "loo":
        rng = np.full(ids.size, float(np.ptp(y)))
    else:
        rng = (np.maximum.accumulate(y) - np.minimum.accumulate(y))[ids]
    return np.maximum((syy - sy * sy / n) / n, 0.0), rng, n, P[:, 3] / n


def _median_but(srt, q, m):
    """The median of the sorted values ``srt`` without the one at position q (per subset),
    m = len(srt) - 1 values, as :func:`numpy.median` computes it (the mean of the two middle
    values when m is even)."""
    last = srt.size - 1

    def stat(j):
        return np.where(j < q, srt[np.minimum(j, last)], srt[np.minimum(j + 1, last)])

    return (stat(np.full(q.size, (m - 1) // 2)) + stat(np.full(q.size, m // 2))) / 2.0


def _kth_of_two(A, B, kk: int) -> float:
    """The kk-th smallest (from 0) of the union of two ascending sequences."""
    lo, hi = max(0, kk + 1 - len(B)), min(kk + 1, len(A))
    while lo < hi:                                # how many of the kk + 1 smallest come from A
        a = (lo + hi) // 2
        if A[a] < B[kk - a]:
            lo = a + 1
        else:
            hi = a
    a, b = lo, kk + 1 - lo
    return max(A[a - 1] if a else -math.inf, B[b - 1] if b else -math.inf)


class _Seq:
    """A read-only sequence whose i-th item is ``at(i)``."""

    def __init__(self, at, n: int):
        self.at, self.n = at, n

    def __getitem__(self, i):
        return self.at(i)

    def __len__(self):
        return self.n


def _pm_uppers(sums: _SubsetSums, ids, rng) -> np.ndarray:
    """metafor's upper end of each subset's Paule-Mandel search, max(100, 10 mad^2) with mad
    the scaled median absolute deviation, to the bit as :func:`~.heterogeneity.pm_upper`
    computes it. A subset whose range is below sqrt(10) / 1.4826 has 100 at once; for the
    others the two medians are order statistics: of one sort per distinct median
    (leave-one-out: the median of k - 1 rows takes at most three values), or of a sorted
    list grown a row at a time (prefixes), read in O(log k) per subset."""
    from .heterogeneity import PM_TAU2_MAX

    out = np.full(ids.size, PM_TAU2_MAX)
    check = np.flatnonzero(rng > math.sqrt(PM_TAU2_MAX / 10.0) / 1.4826 * (1.0 - 1e-9))
    if not check.size:
        return out
    y = sums.y
    if sums.kind == "head":                      # a few long prefixes: each from its rows
        from .heterogeneity import pm_upper

        out[check] = [pm_upper(y[:int(j) + 1]) for j in ids[check]]
        return out
    mad = np.zeros(check.size)
    if sums.kind == "loo":
        k = y.size
        order = np.argsort(y, kind="stable")
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        rows = ids[check]
        med = _median_but(y[order], rank[rows], k - 1)
        for value in np.unique(med):
            sel = np.flatnonzero(med == value)
            dev = np.abs(y - value)
            by_dev = np.argsort(dev, kind="stable")
            pos = np.empty(k, dtype=np.int64)
            pos[by_dev] = np.arange(k)
            mad[sel] = _median_but(dev[by_dev], pos[rows[sel]], k - 1)
    else:
        import bisect

        want = {int(j): n for n, j in enumerate(ids[check])}
        grown: list = []
        for j in range(int(ids[check].max()) + 1):
            bisect.insort(grown, float(y[j]))
            if j in want:
                n = j + 1
                med = (grown[(n - 1) // 2] + grown[n // 2]) / 2.0
                p = bisect.bisect_right(grown, med)      # |g - med| ascending: below med read backwards,
                A = _Seq(lambda i: abs(grown[p - 1 - i] - med), p)   # ... and above med
                B = _Seq(lambda i: abs(grown[p + i] - med), n - p)
                mad[want[j]] = (_kth_of_two(A, B, (n - 1) // 2) + _kth_of_two(A, B, n // 2)) / 2.0
    # in Python floats, as pm_upper: x ** 2 there is pow(), which can differ from x * x in the last bit
    out[check] = [max(PM_TAU2_MAX, 10.0 * (1.4826 * float(m)) ** 2) for m in mad]
    return out


def _fast_root(sums: _SubsetSums, ids, method: str):
    """Paule-Mandel or empirical Bayes tau^2 of each subset, as
    :func:`~.heterogeneity.tau2_pm` and :func:`~.heterogeneity.tau2_eb` find them (the same
    brackets and Brent steps), on the generalised Q of each subset from O(1) sums; and the
    subsets left to the block code: sums not exact enough, or Q still above its target at
    the upper end of metafor's bracket (:func:`_pm_uppers`)."""
    from .heterogeneity import PM_TOL

    var, rng, n, mean_v = _subset_spread(sums, ids)
    bad = n < 2

    def q_minus_target(idx, t):
        S, _, ok = sums.at(ids[idx], t)
        with np.errstate(invalid="ignore", divide="ignore"):
            q = S[:, 2] - S[:, 1] ** 2 / S[:, 0]
            val = q - (n[idx] - 1.0) if method == "PM" else q * n[idx] / (n[idx] - 1.0) - n[idx]
        return np.where(ok, val, np.nan)

    # at tau^2 = 0 a precise study's weight dominates, and Q from the moment sums of the
    # uncentred effects would cancel: Q(0) from the sums about the fixed-effect mean
    q0, ok0 = sums.q0(ids)
    with np.errstate(invalid="ignore", divide="ignore"):
        f0 = q0 - (n - 1.0) if method == "PM" else q0 * n / (n - 1.0) - n
    f0 = np.where(ok0, f0, np.nan)
    bad |= ~np.isfinite(f0)
    tau2 = np.zeros(ids.size)
    todo = np.flatnonzero(~bad & (f0 > 0.0))
    if not todo.size:
        return tau2, bad
    if method == "PM":
        hi = _pm_uppers(sums, ids[todo], rng[todo])
        fhi = q_minus_target(todo, hi)
        above = ~(fhi <= 0.0)                    # Q above k - 1 even at the upper end
        bad[todo[above]] = True
        todo, hi, fhi = todo[~above], hi[~above], fhi[~above]
        tol = PM_TOL
    else:
        hi = np.maximum(var[todo], 1.0)          # :func:`~.heterogeneity._upper_bracket`
        fhi = q_minus_target(todo, hi)
        for _ in range(200):
            up = np.flatnonzero(~(fhi < 0.0) & np.isfinite(fhi))
            if not up.size:
                break
            hi[up] *= 4.0
            fhi[up] = q_minus_target(todo[up], hi[up])
        lost = ~(fhi < 0.0)
        bad[todo[lost]] = True
        todo, hi, fhi = todo[~lost], hi[~lost], fhi[~lost]
        tol = 0.0
    if todo.size:
        root, fail = _zeroin_many(lambda idx, t: q_minus_target(todo[idx], t), np.zeros(todo.size), hi,
                                  f0[todo], fhi, tol)
        # :func:`~.heterogeneity.estimate_tau2`'s floor: round-off is not heterogeneity
        tau2[todo] = np.where(root < 1e-14 * mean_v[todo], 0.0, root)
        bad[todo[fail]] = True
    return tau2, bad


def _fast_tau2(sums: _SubsetSums, ids, method: str, threshold: float):
    """tau^2 of each subset from O(1) sums, and which subsets need the block code instead;
    ML and REML scoring start from each subset's Hedges estimate, as metafor's."""
    if method == "FE":
        return np.zeros(ids.size), np.zeros(ids.size, dtype=bool)
    if method in ("PM", "EB"):
        return _fast_root(sums, ids, method)
    if method in ("REML", "ML"):
        start, ok = _fast_closed(sums, ids, "HE")
        bad = ~ok
        start = np.where(bad, 0.0, start)
        tau2, bad_s = _fast_scoring(sums, ids, start, method == "REML", threshold)
        return tau2, bad | bad_s
    tau2, ok = _fast_closed(sums, ids, method)
    return tau2, ~ok


def _fast_summary(sums: _SubsetSums, ids, tau2, fixed: bool):
    """:func:`summarise_subsets` from O(1) sums per subset, and which need the block code."""
    P, ok = sums.plain(_cols_n, ids)
    S, _, ok_s = sums.at(ids, tau2, dominance=False)
    n = P[:, 0]
    pair, tot, ok_p = sums.pairs(ids)
    q, ok_q = sums.q0(ids)
    ok = ok & ok_p & ok_q
    with np.errstate(invalid="ignore", divide="ignore"):
        vt = (n - 1.0) * tot / (2.0 * pair)
        if fixed:
            i2 = np.where((n > 1) & (q > 0), np.maximum(0.0, 100.0 * (q - (n - 1.0)) / q), 0.0)
            h2 = np.where(n > 1, q / (n - 1.0), 1.0)
        else:
            i2 = np.where(n > 1, 100.0 * tau2 / (vt + tau2), 0.0)
            h2 = np.where(n > 1, (vt + tau2) / vt, 1.0)
        fits = SubsetFits(k=n, estimate=S[:, 1] / S[:, 0], se=1.0 / np.sqrt(S[:, 0]), tau2=tau2, Q=q, I2=i2, H2=h2)
    return fits, ~(ok & ok_s)


def _put(fits: SubsetFits, where, part: SubsetFits) -> None:
    for name in ("k", "estimate", "se", "tau2", "Q", "I2", "H2"):
        getattr(fits, name)[where] = getattr(part, name)


def _loo_fast(y, v, method: str, threshold: float):
    """tau^2 and summaries of the k leave-one-out fits in O(k) (exact refits where flagged)."""
    k = y.size
    sums = _SubsetSums(y, v, "loo")
    ids = np.arange(k)

    def masks_of(sel):
        def masks(j):
            M = np.ones((j.size, k))
            M[np.arange(j.size), sel[j]] = 0.0
            return M
        return masks

    tau2, bad = _fast_tau2(sums, ids, method, threshold)
    fb = np.flatnonzero(bad)
    if fb.size:
        tau2[fb] = fit_subsets(y, v, masks_of(fb), fb.size, method=method, threshold=threshold)
    fits, bad = _fast_summary(sums, ids, tau2, method == "FE")
    fb = np.flatnonzero(bad)
    if fb.size:
        _put(fits, fb, summarise_subsets(y, v, masks_of(fb), fb.size, tau2[fb], fixed=method == "FE"))
    return tau2, fits


def _prefix_fast(y, v, method: str, threshold: float):
    """tau^2 and summaries of the fits of the first 1, 2, ..., k rows: the first CUM_EXACT
    by the block code, the rest from O(1) sums each (exact refits where flagged)."""
    k = y.size
    head = min(k, max(2, CUM_EXACT_ROOT if method in ("PM", "EB") else CUM_EXACT))

    def masks_of(sel, m):
        def masks(j):
            return (np.arange(m)[None, :] <= sel[j][:, None]).astype(float)
        return masks

    first = np.arange(head)
    tau2 = np.zeros(k)
    tau2[:head] = fit_subsets(y[:head], v[:head], masks_of(first, head), head, method=method, threshold=threshold)
    part = summarise_subsets(y[:head], v[:head], masks_of(first, head), head, tau2[:head], fixed=method == "FE")
    fits = SubsetFits(**{name: np.zeros(k) for name in ("k", "estimate", "se", "tau2", "Q", "I2", "H2")})
    _put(fits, first, part)
    if head == k:
        return tau2, fits
    sums = _SubsetSums(y, v, "prefix", first=head)
    ids = np.arange(head, k)
    t, bad = _fast_tau2(sums, ids, method, threshold)
    fb = ids[bad]
    if fb.size:
        m = int(fb.max()) + 1
        t[bad] = fit_subsets(y[:m], v[:m], masks_of(fb, m), fb.size, method=method, threshold=threshold)
    tau2[head:] = t
    rest, bad = _fast_summary(sums, ids, t, method == "FE")
    fb = ids[bad]
    if fb.size:
        m = int(fb.max()) + 1
        _put(rest, np.flatnonzero(bad), summarise_subsets(y[:m], v[:m], masks_of(fb, m), fb.size, tau2[fb],
                                                          fixed=method == "FE"))
    _put(fits, ids, rest)
    fits.tau2 = tau2
    return tau2, fits


def _check(y, v, method: str, least: int):
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    from .models import _as_arrays  # one set of input checks for every model

    y, v = _as_arrays(y, v)
    if y.size < least:
        raise InputError(f"this analysis needs at least {least} effect sizes with a value; found {y.size}")
    return y, v


def _clean_list(a) -> list:
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype=float)]


# --------------------------------------------------------------------------- leave-one-out


@dataclass
class LeaveOneOutResult:
    """Leave-one-out fits and influence diagnostics, one element per row in file order.

    ``estimate, se, tau2, I2, Q`` are those of the model fitted without the row (metafor's
    ``leave1out``); ``rstudent`` is the externally studentised residual of the row,
    ``cooks`` its Cook's distance and ``hat`` its leverage in the full model (metafor's
    ``influence``). Location values are on the analysis scale (Fisher z for correlations).
    """

    estimate: np.ndarray
    se: np.ndarray
    tau2: np.ndarray
    I2: np.ndarray
    Q: np.ndarray
    rstudent: np.ndarray
    cooks: np.ndarray
    hat: np.ndarray
    full_estimate: float
    full_se: float
    full_tau2: float
    method: str = "REML"
    rows: np.ndarray | None = None
    labels: list | None = None
    is_r: bool = False
    k_omitted: int = 0
    extra: dict = field(default_factory=dict)

    _KEYS = ("estimate", "se", "tau2", "I2", "Q", "rstudent", "cooks", "hat")

    def to_dict(self) -> dict:
        """The JSON contract of ``alliance-meta leave1out --json``: eight arrays, and ``row``
        (the data-row number of each element) when the rows are known."""
        out = {key: _clean_list(getattr(self, key)) for key in self._KEYS}
        if self.rows is not None:
            out["row"] = [int(r) for r in self.rows]
        return out

    def summary(self) -> str:
        """A readable table: one line per left-out row, flagged when influential."""
        k = self.estimate.size
        lines = [f"Leave-one-out analysis ({self.method}), k = {k}"
                 + (f" ({_left_out(self.k_omitted)})" if self.k_omitted else ""),
                 f"Full model: estimate {self.full_estimate:.4f} (SE {self.full_se:.4f}), tau^2 = {self.full_tau2:.5f}",
                 f"{'row':>6}  {'estimate':>9}  {'SE':>7}  {'tau^2':>8}  {'I^2':>6}  {'Q':>9}  {'rstudent':>8}  "
                 f"{'Cook':>7}  {'hat':>6}"]
        rows = self.rows if self.rows is not None else np.arange(1, k + 1)
        for i in range(k):
            flag = " *" if abs(self.rstudent[i]) > 1.96 or self.cooks[i] > 4.0 / k else ""
            lines.append(f"{rows[i]:>6}  {self.estimate[i]:9.4f}  {self.se[i]:7.4f}  {self.tau2[i]:8.5f}  "
                         f"{self.I2[i]:6.1f}  {self.Q[i]:9.3f}  {self.rstudent[i]:8.3f}  {self.cooks[i]:7.4f}  "
                         f"{self.hat[i]:6.4f}{flag}")
        lines.append("* |rstudent| > 1.96 or Cook's distance > 4/k")
        return "\n".join(lines)


def leave1out(yi, vi, *, method: str = "REML", threshold: float = THRESHOLD, rows=None, labels=None,
              is_r: bool = False, k_omitted: int = 0) -> LeaveOneOutResult:
    """Leave each row out in turn, and the influence of each row on the full fit.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z and 1/(n - 3) for correlations).
    method : str
        tau^2 estimator for every fit (default REML).
    threshold : float
        Convergence threshold of ML/REML scoring (metafor's ``control(threshold=)``).

    Returns
    -------
    LeaveOneOutResult
        Arrays ``estimate, se, tau2, I2, Q`` of the fits without each row and
        ``rstudent, cooks, hat`` of each row, in the order of ``yi``.

    Notes
    -----
    All k fits are done together, from O(k) sums from :data:`FAST_K` rows on (see the
    module's notes) and by :func:`fit_subsets` below; ML and REML start each fit from its
    own Hedges estimate, as metafor's refits do (a bimodal likelihood can have scoring
    from the full model's tau^2 land on the other peak). rstudent_i = (y_i - mu_-i) / sqrt(v_i + tau2_-i +
    SE_-i^2); Cook's distance (mu - mu_-i)^2 / SE^2 with the full model's SE; hat_i =
    w_i / sum(w) with the full model's weights.
    """
    y0, v = _check(yi, vi, method, 2)
    k = y0.size
    # every fit is shift-equivariant: fit the data centred on their median so that sums of
    # large, nearly equal values lose no digits, and add the centre back to the locations
    centre = float(np.median(y0))
    y = y0 - centre
    full_tau2 = float(fit_subsets(y, v, lambda ids: np.ones((ids.size, k)), 1, method=method,
                                  threshold=threshold)[0])

    def masks(ids):
        M = np.ones((ids.size, k))
        M[np.arange(ids.size), ids] = 0.0
        return M

    if k >= max(FAST_K, 3):
        tau2, fits = _loo_fast(y, v, method, threshold)
    else:
        tau2 = fit_subsets(y, v, masks, k, method=method, threshold=threshold)
        fits = summarise_subsets(y, v, masks, k, tau2, fixed=method == "FE")
    w = 1.0 / (v + full_tau2)
    full_est = float(np.dot(w, y) / w.sum())
    full_se = float(1.0 / math.sqrt(w.sum()))
    rstudent = (y - fits.estimate) / np.sqrt(v + tau2 + fits.se ** 2)
    cooks = (full_est - fits.estimate) ** 2 / full_se ** 2
    hat = w / w.sum()
    return LeaveOneOutResult(estimate=fits.estimate + centre, se=fits.se, tau2=tau2, I2=fits.I2, Q=fits.Q,
                             rstudent=rstudent, cooks=cooks, hat=hat, full_estimate=full_est + centre, full_se=full_se,
                             full_tau2=full_tau2, method=method, rows=rows, labels=labels, is_r=is_r,
                             k_omitted=k_omitted)


# --------------------------------------------------------------------------- cumulative


@dataclass
class CumulativeResult:
    """Cumulative meta-analysis: the j-th element is the fit of the first j rows in order.

    ``order`` holds the positions (0-based, in the input) of the rows in the order they
    were added. Location values are on the analysis scale.
    """

    estimate: np.ndarray
    se: np.ndarray
    tau2: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    I2: np.ndarray
    order: np.ndarray
    order_values: list
    method: str = "REML"
    order_by: str | None = None
    rows: np.ndarray | None = None
    labels: list | None = None
    is_r: bool = False
    k_omitted: int = 0
    level: float = 95.0

    def to_dict(self) -> dict:
        """The JSON contract of ``alliance-meta cumulative --json``: three arrays, and ``row``
        (the data-row number added at each step) when the rows are known."""
        out = {"estimate": _clean_list(self.estimate), "se": _clean_list(self.se), "tau2": _clean_list(self.tau2)}
        if self.rows is not None:
            out["row"] = [int(self.rows[i]) for i in self.order]
        return out

    def summary(self) -> str:
        """A readable table: one line per added row."""
        k = self.estimate.size
        head = f"Cumulative meta-analysis ({self.method})" + (f", ordered by {self.order_by}" if self.order_by else "")
        lines = [head + f", k = {k}" + (f" ({_left_out(self.k_omitted)})" if self.k_omitted else ""),
                 f"{'added row':>9}  {'order':>10}  {'estimate':>9}  {'SE':>7}  {self.level:g}% CI{'':12}  {'tau^2':>8}  "
                 f"{'I^2':>6}"]
        rows = self.rows if self.rows is not None else np.arange(1, k + 1)
        for j in range(k):
            i = self.order[j]
            ci = f"[{self.ci_lb[j]:.4f}, {self.ci_ub[j]:.4f}]"
            lines.append(f"{rows[i]:>9}  {_show(self.order_values[j]):>10}  {self.estimate[j]:9.4f}  {self.se[j]:7.4f}  "
                         f"{ci:<20}  {self.tau2[j]:8.5f}  {self.I2[j]:6.1f}")
        return "\n".join(lines)


def _show(x) -> str:
    """An order value as text: 2009.0 prints as 2009."""
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


def stable_order(values: Sequence) -> np.ndarray:
    """Positions that sort ``values`` ascending; ties keep input order (numbers numerically,
    anything else as text). Missing values (None, NaN, "") go last, in input order, as
    R's ``order()`` puts them and so metafor's ``cumul()``."""
    raw = list(values)
    missing = np.array([x is None or (isinstance(x, str) and x == "") or
                        (isinstance(x, (float, np.floating)) and np.isnan(x)) for x in raw], dtype=bool)
    present = [x for x, m in zip(raw, missing) if not m]
    try:
        arr = np.asarray(present, dtype=float)
    except (TypeError, ValueError):
        arr = np.asarray([str(x) for x in present])
    idx = np.flatnonzero(~missing)[np.argsort(arr, kind="stable")] if present else np.array([], dtype=int)
    return np.concatenate([idx, np.flatnonzero(missing)]).astype(int)


def cumulative(yi, vi, order_values: Sequence | None = None, *, method: str = "REML", threshold: float = THRESHOLD,
               level: float = 95.0, order_by: str | None = None, rows=None, labels=None, is_r: bool = False,
               k_omitted: int = 0) -> CumulativeResult:
    """Cumulative meta-analysis: add rows one at a time in the order of ``order_values``.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    order_values : sequence, optional
        Sort key of each row (e.g. publication year); ties keep input order. Default:
        input order.
    method : str
        tau^2 estimator (default REML); a single row is fitted with tau^2 = 0.

    Returns
    -------
    CumulativeResult
        Arrays ``estimate, se, tau2`` (and CI, I^2) of the fits of the first 1, 2, ..., k
        rows in that order, on the scale of ``yi``.
    """
    y, v = _check(yi, vi, method, 1)
    k = y.size
    order = np.arange(k) if order_values is None else stable_order(order_values)
    if order_values is not None and len(order_values) != k:
        raise InputError(f"the order column has {len(order_values)} values for {k} effect sizes")
    # centred on the first row's value (the first fit is that row alone), as in leave1out
    centre = float(y[order[0]])
    ys, vs = y[order] - centre, v[order]

    def masks(ids):
        return (np.arange(k)[None, :] <= ids[:, None]).astype(float)

    if k >= FAST_K:
        tau2, fits = _prefix_fast(ys, vs, method, threshold)
    else:
        tau2 = fit_subsets(ys, vs, masks, k, method=method, threshold=threshold)
        fits = summarise_subsets(ys, vs, masks, k, tau2, fixed=method == "FE")
    fits.estimate = fits.estimate + centre
    crit = float(dist.norm_isf((1.0 - level / 100.0) / 2.0))
    ov = list(np.asarray(order_values, dtype=object)[order]) if order_values is not None else list(order + 1)
    return CumulativeResult(estimate=fits.estimate, se=fits.se, tau2=tau2, ci_lb=fits.estimate - crit * fits.se,
                            ci_ub=fits.estimate + crit * fits.se, I2=fits.I2, order=order, order_values=ov,
                            method=method, order_by=order_by, rows=rows, labels=labels, is_r=is_r,
                            k_omitted=k_omitted, level=level)


__all__ = ["leave1out", "cumulative", "fit_subsets", "summarise_subsets", "LeaveOneOutResult",
           "CumulativeResult", "stable_order"]
