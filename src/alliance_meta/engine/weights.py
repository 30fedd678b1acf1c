"""Weighted least squares for the mixed-effects model, in O(k p^2) time and O(k p) memory.

Every quantity that a textbook writes with the k x k matrix
P = W - W X (X'WX)^-1 X'W is computed here from p x p products instead, so nothing ever
grows with k squared:

* Y'PY  = sum(w e^2) with e the weighted-least-squares residuals,
* Y'PPY = sum((w e)^2),
* tr(P) = sum(w) - tr(A X'W^2 X) with A = (X'WX)^-1,
* tr(PP) = sum(w^2) - 2 tr(A X'W^3 X) + tr((A X'W^2 X)^2).
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
    def rss(self) -> float:
        """Weighted residual sum of squares, Y'PY."""
        return float(np.dot(self.w, self.resid * self.resid))

    def _xtwnx(self, power: int) -> np.ndarray:
        wp = self.w ** power
        return self.X.T @ (self.X * wp[:, None])

    def tr_p(self) -> float:
        """tr(P)."""
        return float(self.w.sum() - np.trace(self.cov @ self._xtwnx(2)))

    def tr_pp(self) -> float:
        """tr(PP), i.e. the sum of squared elements of the symmetric P."""
        b2 = self.cov @ self._xtwnx(2)
        return float((self.w ** 2).sum() - 2.0 * np.trace(self.cov @ self._xtwnx(3)) + np.trace(b2 @ b2))

    def ypp_y(self) -> float:
        """Y'PPY = ||PY||^2, with PY = W e."""
        we = self.w * self.resid
        return float(np.dot(we, we))


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
