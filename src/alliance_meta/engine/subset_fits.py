"""Batched intercept-only fits on many subsets of the same rows (the block code).

Leave-one-out, cumulative and trim-and-fill analyses fit one random-effects model per subset
of the rows. Here the subsets are fitted together: for a block of subsets, the weights
1 / (v_j + tau2_s) of every row j under every subset's own tau2_s form one (block x k) matrix,
and each sum the estimators need (sum w, sum w y, sum w^2 y^2, ...) is a product of that
matrix with a few columns. ML and REML use metafor's Fisher scoring for all subsets at once;
the closed-form estimators (DL, HE, HS, SJ) are evaluated directly; the root-finding ones
(PM, EB) fall back to one fit per subset. This is O(subsets x k): it serves small k, and the
few subsets that the O(k) sums of :mod:`.subset_sums` mark for an exact refit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .heterogeneity import _LL_TOL, METAFOR_DEFAULT_THRESHOLD, _TOL, estimate_tau2
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


def _put(fits: SubsetFits, where, part: SubsetFits) -> None:
    for name in ("k", "estimate", "se", "tau2", "Q", "I2", "H2"):
        getattr(fits, name)[where] = getattr(part, name)

