"""Weighted least squares for the mixed-effects model, in O(k p^2) time and O(k p) memory.

Every quantity that a textbook writes with the k x k matrix
P = W - W X (X'WX)^-1 X'W is computed here from p x p products instead, so nothing ever
grows with k squared:

* Y'PY  = sum(w e^2) with e the weighted-least-squares residuals,
* Y'PPY = sum((w e)^2),
* tr(P) = sum(w) - tr(A X'W^2 X) with A = (X'WX)^-1,
* tr(PP) = sum(w^2) - 2 tr(A X'W^3 X) + tr((A X'W^2 X)^2).

For the intercept-only model (X a column of ones), the commonest, those differences of
large terms are replaced by sums of positive terms, which lose no digits when one weight
dwarfs the others (a study with n = 10^12 beside studies of 40): with S = sum(w),
S_-i = the sum of the other weights and T_-i = the sum of the other squared weights (both
summed, never subtracted),

* tr(P)  = sum_i w_i S_-i / S,
* tr(PP) = sum_i w_i^2 (S_-i^2 + T_-i) / S^2.

With moderators, the same sums are written with the leverages h_i = w_i x_i'A x_i (the
diagonal of the hat matrix H of W^(1/2) X), so that every term is positive while no
h_i exceeds 1/2:

* tr(P)  = sum_i w_i (1 - h_i),
* tr(PP) = sum_i w_i^2 (1 - 2 h_i) + tr((A X'W^2 X)^2).

A row with h_i > 1/2 (a study so precise that it pins a coefficient down, or a small k)
would make its term negative and the sum cancel. Such fits are done by Householder QR of
W^(1/2) X instead (rows in decreasing order of size, for row-wise accuracy), and the
quantities of each such row j come from the j-th column of M = I - H:

* its entries with the other rows, -q_i'q_j, lose nothing;
* its diagonal M_jj = 1 - h_j comes from the idempotence of M
  (M_jj = M_jj^2 + sum_{i != j} M_ij^2), not from a subtraction;
* among the precise rows themselves (M_jj small) the entries are solved from the same
  identity (:func:`_small_block`), as -q_i'q_j keeps only Q's absolute accuracy there;
* for the (at most p) heaviest rows, PY = W e comes from X'We = 0 and the other rows,
  as w (y - x'beta) would multiply the rounding of the residual by the weight.

The cost is O(k p) per such row, and there are fewer than 2p of them. A fit with more
precise rows than coefficients, whose residuals would lose digits, is refused with an
:class:`~.errors.InputError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import InputError


@dataclass(frozen=True)
class WLSFit:
    """Weighted least-squares fit with weights ``w``.

    Attributes
    ----------
    w : ndarray (k,)
        The weights, 1 / (v + tau2).
    beta : ndarray (p,)
        Coefficients.
    cov : ndarray (p, p)
        (X'WX)^-1, the model-based covariance of ``beta``.
    resid : ndarray (k,)
        y - X beta.
    X : ndarray (k, p)
        The design.
    we : ndarray (k,) or None
        PY = W e, accurate also in rows whose leverage is near 1 (None: ``w * resid``).
    traces : (float, float) or None
        tr(P) and tr(PP) from positive terms, for a model with moderators.
    """

    w: np.ndarray
    beta: np.ndarray
    cov: np.ndarray
    resid: np.ndarray
    X: np.ndarray
    we: np.ndarray | None = None
    traces: tuple[float, float] | None = None

    @property
    def intercept_only(self) -> bool:
        return self.X.shape[1] == 1 and bool(np.all(self.X[:, 0] == 1.0))

    def _we(self) -> np.ndarray:
        if self.we is not None:
            return self.we
        we = self.w * self.resid
        if self.intercept_only and we.size > 1 and self.w.max() > 0.5 * self.w.sum():
            we = balance_dominant(self.w[None, :], we[None, :])[0]
        return we

    @property
    def rss(self) -> float:
        """Weighted residual sum of squares, Y'PY."""
        we = self._we()
        return float(np.dot(we, we / self.w))

    def _xtwnx(self, power: int) -> np.ndarray:
        wp = self.w ** power
        return self.X.T @ (self.X * wp[:, None])

    def tr_p(self) -> float:
        """tr(P)."""
        if self.traces is not None:
            return self.traces[0]
        if self.intercept_only:
            s_others = _sum_of_others(self.w)
            return float(np.dot(self.w, s_others) / self.w.sum())
        return float(self.w.sum() - np.trace(self.cov @ self._xtwnx(2)))

    def tr_pp(self) -> float:
        """tr(PP), i.e. the sum of squared elements of the symmetric P."""
        if self.traces is not None:
            return self.traces[1]
        if self.intercept_only:
            w = self.w
            s = w.sum()
            s_others, t_others = _sum_of_others(w), _sum_of_others(w * w)
            return float(np.dot(w * w, s_others ** 2 + t_others) / (s * s))
        b2 = self.cov @ self._xtwnx(2)
        return float((self.w ** 2).sum() - 2.0 * np.trace(self.cov @ self._xtwnx(3)) + np.trace(b2 @ b2))

    def ypp_y(self) -> float:
        """Y'PPY = ||PY||^2, with PY = W e."""
        we = self._we()
        return float(np.dot(we, we))


def balance_dominant(W: np.ndarray, we: np.ndarray, rest=0.0) -> np.ndarray:
    """Rows of w e (intercept-only fits, one per row of ``W``) with the entry of each row's
    largest weight replaced by minus the sum of the others and of ``rest`` (the part of
    the row's sum(w e) held elsewhere): the weighted mean makes sum(w e) = 0, while a
    dominant row's own w (y - mu) multiplies the rounding of mu by its weight."""
    out = we.copy()
    rows = np.arange(we.shape[0])
    top = W.argmax(axis=1)
    others = we.copy()
    others[rows, top] = 0.0
    out[rows, top] = -(others.sum(axis=1) + rest)
    return out


def _sum_of_others(a: np.ndarray) -> np.ndarray:
    """For each i, the sum of a_j over j != i, added up from both sides (no subtraction, so
    a dominant element does not swallow the others)."""
    before = np.concatenate(([0.0], np.cumsum(a[:-1])))
    after = np.concatenate((np.cumsum(a[::-1][:-1])[::-1], [0.0]))
    return before + after


#: Above this condition number of X'WX (columns scaled to unit length) the normal
#: equations give way to QR.
_MAX_COND = 1e10


def wls(y: np.ndarray, v: np.ndarray, X: np.ndarray, tau2: float = 0.0) -> WLSFit:
    """Fit y = X beta with weights 1 / (v + tau2).

    The normal equations serve while every leverage is at most 1/2 and X'WX is well
    conditioned; otherwise the fit is redone by QR (:func:`_wls_qr`), see the module's
    docstring.

    Raises
    ------
    numpy.linalg.LinAlgError
        When X'WX is singular (collinear moderators).
    """
    w = 1.0 / (v + tau2)
    xw = X * w[:, None]
    xtwx = X.T @ xw
    intercept_only = X.shape[1] == 1 and bool(np.all(X[:, 0] == 1.0))
    try:
        cov = np.linalg.inv(xtwx)
    except np.linalg.LinAlgError:
        if intercept_only:
            raise
        return _wls_qr(y, w, X)                # decides on singularity itself
    beta = cov @ (xw.T @ y)
    fit = WLSFit(w=w, beta=beta, cov=cov, resid=y - X @ beta, X=X)
    if intercept_only:
        return fit
    h = w * np.einsum("ij,ij->i", X @ cov, X)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.sqrt(np.diag(xtwx))          # a moderator's units are no ill-conditioning
        cond = np.linalg.cond(xtwx / np.outer(unit, unit))
    if not (h.max(initial=0.0) <= 0.5 and cond < _MAX_COND):
        return _wls_qr(y, w, X)
    b2 = cov @ fit._xtwnx(2)
    traces = (float(np.dot(w, 1.0 - h)), float(np.dot(w * w, 1.0 - 2.0 * h) + np.sum(b2 * b2.T)))
    return WLSFit(w=w, beta=beta, cov=cov, resid=fit.resid, X=X, traces=traces)


def _wls_qr(y: np.ndarray, w: np.ndarray, X: np.ndarray) -> WLSFit:
    """:func:`wls` by Householder QR of W^(1/2) X, for fits in which a row's leverage
    exceeds 1/2 or X'WX is ill conditioned; PY, tr(P) and tr(PP) are sums of positive
    terms (see the module's docstring)."""
    k, p = X.shape
    # with an intercept the fit is shift-equivariant: centring the effects keeps the
    # residuals' rounding (and the check on it below) to the scale of their spread
    ones = np.flatnonzero(np.all(X == 1.0, axis=0))
    centre = float(np.median(y)) if ones.size and k else 0.0
    y = y - centre
    sw = np.sqrt(w)
    order = np.argsort(-(w * np.einsum("ij,ij->i", X, X)), kind="stable")
    Z = X[order] * sw[order, None]
    yz = y[order] * sw[order]
    ws = w[order]
    # Householder QR is unaffected by the columns' scales, and with the largest rows first
    # the small rows keep their digits (normalising the columns first would lose them)
    Q, R = np.linalg.qr(Z)
    unit = np.sqrt(np.einsum("ij,ij->j", Z, Z))
    with np.errstate(invalid="ignore", divide="ignore"):
        sv = np.linalg.svd(R / unit, compute_uv=False)    # rank judged on unit columns
    if not sv.min() > k * np.finfo(float).eps * sv.max():
        raise np.linalg.LinAlgError("Singular matrix")
    qty = Q.T @ yz
    beta = np.linalg.solve(R, qty)
    r_inv = np.linalg.inv(R)
    cov = r_inv @ r_inv.T
    h = np.einsum("ij,ij->i", Q, Q)
    mdiag = 1.0 - h
    # W^(1/2) e from the coefficients where h <= 1/2 (yz - Q Q'yz would carry the rounding
    # of the largest row's yz into every row)
    xs = X[order]
    r = (y[order] - xs @ beta) * sw[order]
    high = np.flatnonzero(h > 0.5)
    low = np.ones(k, dtype=bool)
    low[high] = False
    cols = {}
    for j in high:
        c = Q @ Q[j]                           # -M_ij for i != j
        c[j] = 0.0
        s2 = float(np.dot(c, c))
        mdiag[j] = 2.0 * s2 / (1.0 + np.sqrt(max(1.0 - 4.0 * s2, 0.0)))
        cols[j] = c
    _small_block(high, cols, mdiag)
    # a precise row's w e = w (y - x'beta) would carry its rounding times its weight: for
    # the (at most p) heaviest rows of leverage above 1/2 it comes from X'We = 0 and the
    # other rows instead
    heavy = high[np.argsort(-ws[high], kind="stable")][:p]
    rest = np.ones(k, dtype=bool)
    rest[heavy] = False
    if heavy.size:
        rhs = -(xs[rest].T @ (r[rest] * np.sqrt(ws[rest])))
        u, _, rank, _ = np.linalg.lstsq(xs[heavy].T, rhs, rcond=None)
        if rank == heavy.size:
            r[heavy] = u / np.sqrt(ws[heavy])
        else:
            rest[:] = True
    ql = Q[low] * np.sqrt(ws[low])[:, None]
    g = ql.T @ ql                              # Q_N' W_N Q_N
    tr_pp = float(np.dot(ws[low] ** 2, 1.0 - 2.0 * h[low]) + np.sum(g * g))
    for j, c in cols.items():                  # column j of M: its pairs with D once, with N twice
        m2 = c * c
        m2[j] = mdiag[j] ** 2
        tr_pp += float(ws[j] * (np.dot(ws[~low], m2[~low]) + 2.0 * np.dot(ws[low], m2[low])))
    tr_p = float(np.dot(ws, mdiag))
    # what the residuals of the other rows lost to rounding, in units of w e, against the
    # two terms of the score Y'PPY - tr(P) (residuals that are truly zero lose nothing
    # that matters: the score is then -tr(P))
    lost = 4.0 * np.finfo(float).eps * ws[rest] * (np.abs(y[order][rest]) + np.abs(xs[rest]) @ np.abs(beta))
    lost = float(np.sqrt(np.dot(lost, lost)))
    ypp = float(np.dot(r, r * ws))
    if lost * (2.0 * math.sqrt(ypp) + lost) > 1e-9 * (ypp + tr_p):
        raise InputError("the model could not be fitted: more studies have near-zero sampling variances than "
                         "the moderators can absorb (the variances differ by too many orders of magnitude)")
    back = np.empty(k, dtype=np.int64)
    back[order] = np.arange(k)
    resid = (r / np.sqrt(ws))[back]
    we = (r * np.sqrt(ws))[back]
    if ones.size:
        beta = beta.copy()
        beta[ones[0]] += centre
    return WLSFit(w=w, beta=beta, cov=cov, resid=resid, X=X, we=we, traces=(tr_p, tr_pp))


def _small_block(high, cols, mdiag) -> None:
    """Replace the entries of M = I - H among the rows whose M_jj is small (below 0.05:
    the precise rows, of M_jj of the order of 1 / w). There -q_i'q_j keeps only the
    absolute accuracy of Q, far less than the entries' size. Their entries with the other
    rows lose nothing, and M's idempotence ties the two: the block X among those rows
    solves X - X^2 = S with S = M_hr M_rh, whose small root is the limit of X <- S + X^2
    from X = S (a contraction there)."""
    heavy = high[mdiag[high] < 0.05]
    if not heavy.size:
        return
    rest = np.ones(mdiag.size, dtype=bool)
    rest[heavy] = False
    m_hr = np.array([cols[j][rest] for j in heavy])     # signs cancel in S
    s = m_hr @ m_hr.T
    x = s
    for _ in range(100):
        nxt = s + x @ x
        done = np.all(np.abs(nxt - x) <= 4.0 * np.finfo(float).eps * np.abs(nxt))
        x = nxt
        if done:
            break
    for a, j in enumerate(heavy):
        cols[j][heavy] = -x[:, a]
        cols[j][j] = 0.0
        mdiag[j] = x[a, a]


def typical_variance(v: np.ndarray, X: np.ndarray) -> float:
    """The 'typical' within-study variance s^2 = (k - p) / tr(P) at tau2 = 0.

    This is metafor's ``vt`` (Higgins & Thompson, 2002, generalised to meta-regression),
    used to turn tau2 into I^2 = 100 tau2 / (tau2 + s^2) and H^2 = (tau2 + s^2) / s^2.
    """
    k, p = X.shape
    return (k - p) / wls(np.zeros_like(v), v, X).tr_p()
