"""Tail probabilities and quantiles of the reference distributions.

Thin wrappers over :mod:`scipy.special` (the same routines :mod:`scipy.stats` calls),
imported instead of :mod:`scipy.stats` because that module alone takes half a second to
import, which the command line's start-up budget cannot spare.
"""

from __future__ import annotations

from scipy import special


def norm_sf(x):
    """Upper tail of N(0, 1): P(Z > x)."""
    return special.ndtr(-x)


def norm_isf(p):
    """x with P(Z > x) = p."""
    return -special.ndtri(p)


def t_sf(x, df):
    """Upper tail of Student's t with ``df`` degrees of freedom."""
    return special.stdtr(df, -x)


def t_isf(p, df):
    """x with P(T_df > x) = p."""
    return -special.stdtrit(df, p)


def chi2_sf(x, df):
    """Upper tail of chi-square with ``df`` degrees of freedom."""
    return special.chdtrc(df, x)


def chi2_ppf(q, df):
    """The q-quantile of chi-square with ``df`` degrees of freedom."""
    return special.chdtri(df, 1.0 - q)


def f_sf(x, dfn, dfd):
    """Upper tail of F(dfn, dfd)."""
    return special.fdtrc(dfn, dfd, x)
