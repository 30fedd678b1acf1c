"""Tail probabilities and quantiles of the reference distributions.

The normal and chi-square functions that every pooled fit needs are computed here with the
standard library (``math.erfc``, :class:`statistics.NormalDist`, and the regularised
incomplete gamma function by its series and continued fraction), so that a fit does not
import :mod:`scipy.special`: with SciPy's array-API layer that import alone takes about
0.3 s, more than the command line's whole start-up budget. Student's t and F (Knapp-Hartung,
the three-level model's t tests) use :mod:`scipy.special` (the routines :mod:`scipy.stats`
calls), imported on first use; so do chi-square arguments outside the usual range (df <= 0).
"""

from __future__ import annotations

import math

import numpy as np

_EPS = 1e-16
_TINY = 1e-300


def _special():
    from scipy import special

    return special


def _elementwise(f, *args):
    """``f`` over scalars or arrays (broadcast), a float for scalar arguments."""
    if all(np.ndim(a) == 0 for a in args):
        return float(f(*(float(a) for a in args)))
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    out = np.empty(arrays[0].shape)
    for idx in np.ndindex(out.shape):
        out[idx] = f(*(float(a[idx]) for a in arrays))
    return out


def _norm_sf(x: float) -> float:
    return 0.5 * math.erfc(x / math.sqrt(2.0)) if not math.isnan(x) else math.nan


def _norm_isf(p: float) -> float:
    if math.isnan(p) or p < 0.0 or p > 1.0:
        return math.nan
    if p == 0.0:
        return math.inf
    if p == 1.0:
        return -math.inf
    from statistics import NormalDist

    # Wichura's AS 241 (as in R's qnorm), on the smaller tail for full relative accuracy
    return -NormalDist().inv_cdf(p) if p <= 0.5 else NormalDist().inv_cdf(1.0 - p)


def _gamma_pq(a: float, x: float) -> tuple[float, float]:
    """The regularised incomplete gamma functions (P(a, x), Q(a, x)) for a > 0, x >= 0:
    below x = a + 1 the series of P (Q = 1 - P), above it the continued fraction of Q
    (modified Lentz; P = 1 - Q), so that the smaller of the two keeps its relative accuracy."""
    if x <= 0.0:
        return 0.0, 1.0
    if math.isinf(x):
        return 1.0, 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        ap = a
        for _ in range(100_000):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        lower = total * math.exp(log_front)
        return lower, max(0.0, 1.0 - lower)
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    upper = math.exp(log_front) * h
    return max(0.0, 1.0 - upper), upper


def _chi2_sf(x: float, df: float) -> float:
    if math.isnan(x) or math.isnan(df) or df <= 0.0 or math.isinf(df):
        return float(_special().chdtrc(df, x))
    if x < 0.0:
        return math.nan        # as scipy's chdtrc
    return _gamma_pq(0.5 * df, 0.5 * x)[1]


def _chi2_isf(p: float, df: float) -> float:
    """x with P(X > x) = p for chi-square(df): Newton's method on the smaller tail (the
    upper one for p <= 1/2, else the lower one, each computed to full relative accuracy),
    from the Wilson-Hilferty start, inside a bracket that bisection shrinks whenever a
    Newton step would leave it."""
    if math.isnan(p) or math.isnan(df) or df <= 0.0 or math.isinf(df) or not 0.0 <= p <= 1.0:
        return float(_special().chdtri(df, p))
    if p == 1.0:
        return 0.0
    if p == 0.0:
        return math.inf
    a = 0.5 * df
    upper = p <= 0.5
    target = p if upper else 1.0 - p
    z = _norm_isf(p)
    h = 2.0 / (9.0 * df)
    x = df * (1.0 - h + z * math.sqrt(h)) ** 3
    if not x > 0.0:       # far in the lower tail: P(a, x/2) ~ (x/2)^a / Gamma(a + 1)
        x = 2.0 * math.exp((math.log(target) + math.lgamma(a + 1.0)) / a)
    lo, hi = 0.0, math.inf
    log_norm = math.lgamma(a) + a * math.log(2.0)
    for _ in range(300):
        P, Q = _gamma_pq(a, 0.5 * x)
        g = (Q if upper else P) - target
        if (g > 0.0) == upper:            # x is below the quantile
            lo = x
        else:
            hi = x
        if g == 0.0:
            return x
        dens = math.exp((a - 1.0) * math.log(x) - 0.5 * x - log_norm) if x > 0.0 else 0.0
        new = x + (g / dens if upper else -g / dens) if dens > 0.0 else math.nan
        if math.isfinite(new) and abs(new - x) <= 4.0 * _EPS * abs(new):
            return new
        if not math.isfinite(hi):
            new = min(new, 4.0 * x + 10.0) if math.isfinite(new) else 4.0 * x + 10.0
        if not (lo < new < hi):
            new = 0.5 * (lo + hi) if math.isfinite(hi) else 4.0 * x + 10.0
            if hi - lo <= 4.0 * _EPS * hi:
                return new
        x = new
    return x


def norm_sf(x):
    """Upper tail of N(0, 1): P(Z > x)."""
    return _elementwise(_norm_sf, x)


def norm_isf(p):
    """x with P(Z > x) = p."""
    return _elementwise(_norm_isf, p)


def t_sf(x, df):
    """Upper tail of Student's t with ``df`` degrees of freedom."""
    return _special().stdtr(df, -x)


def t_isf(p, df):
    """x with P(T_df > x) = p."""
    return -_special().stdtrit(df, p)


def chi2_sf(x, df):
    """Upper tail of chi-square with ``df`` degrees of freedom."""
    return _elementwise(_chi2_sf, x, df)


def chi2_ppf(q, df):
    """The q-quantile of chi-square with ``df`` degrees of freedom."""
    return _elementwise(lambda qq, d: _chi2_isf(1.0 - qq, d), q, df)


def f_sf(x, dfn, dfd):
    """Upper tail of F(dfn, dfd)."""
    return _special().fdtrc(dfn, dfd, x)
