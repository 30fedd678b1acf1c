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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
    """

    w: np.ndarray
    beta: np.ndarray
    cov: np.ndarray
    resid: np.ndarray
    X: np.ndarray

    @property
    def intercept_only(self) -> bool:
        return self.X.shape[1] == 1 and bool(np.all(self.X[:, 0] == 1.0))

    @property
    def rss(self) -> float:
        """Weighted residual sum of squares, Y'PY."""
        return float(np.dot(self.w, self.resid * self.resid))

    def _xtwnx(self, power: int) -> np.ndarray:
        wp = self.w ** power
        return self.X.T @ (self.X * wp[:, None])

    def tr_p(self) -> float:
        """tr(P)."""
        if self.intercept_only:
            s_others = _sum_of_others(self.w)
            return float(np.dot(self.w, s_others) / self.w.sum())
        return float(self.w.sum() - np.trace(self.cov @ self._xtwnx(2)))

    def tr_pp(self) -> float:
        """tr(PP), i.e. the sum of squared elements of the symmetric P."""
        if self.intercept_only:
            w = self.w
            s = w.sum()
            s_others, t_others = _sum_of_others(w), _sum_of_others(w * w)
            return float(np.dot(w * w, s_others ** 2 + t_others) / (s * s))
        b2 = self.cov @ self._xtwnx(2)
        return float((self.w ** 2).sum() - 2.0 * np.trace(self.cov @ self._xtwnx(3)) + np.trace(b2 @ b2))

    def ypp_y(self) -> float:
        """Y'PPY = ||PY||^2, with PY = W e."""
        we = self.w * self.resid
        return float(np.dot(we, we))


def _sum_of_others(a: np.ndarray) -> np.ndarray:
    """For each i, the sum of a_j over j != i, added up from both sides (no subtraction, so
    a dominant element does not swallow the others)."""
    before = np.concatenate(([0.0], np.cumsum(a[:-1])))
    after = np.concatenate((np.cumsum(a[::-1][:-1])[::-1], [0.0]))
    return before + after


def wls(y: np.ndarray, v: np.ndarray, X: np.ndarray, tau2: float = 0.0) -> WLSFit:
    """Fit y = X beta with weights 1 / (v + tau2).

    Raises
    ------
    numpy.linalg.LinAlgError
        When X'WX is singular (collinear moderators).
    """
    w = 1.0 / (v + tau2)
    xw = X * w[:, None]
    xtwx = X.T @ xw
    cov = np.linalg.inv(xtwx)
    beta = cov @ (xw.T @ y)
    return WLSFit(w=w, beta=beta, cov=cov, resid=y - X @ beta, X=X)


def typical_variance(v: np.ndarray, X: np.ndarray) -> float:
    """The 'typical' within-study variance s^2 = (k - p) / tr(P) at tau2 = 0.

    This is metafor's ``vt`` (Higgins & Thompson, 2002, generalised to meta-regression),
    used to turn tau2 into I^2 = 100 tau2 / (tau2 + s^2) and H^2 = (tau2 + s^2) / s^2.
    """
    k, p = X.shape
    return (k - p) / wls(np.zeros_like(v), v, X).tr_p()
