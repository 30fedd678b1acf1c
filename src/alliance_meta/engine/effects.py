"""Effect-size conversions to the correlation metric and its Fisher z scale.

Sign convention of the project: a positive correlation means that a stronger alliance goes
with a *better* outcome. Converters below take the sign of the statistic as given; the coder
signs it (see ``data/README.md``) before or after conversion.

All functions accept scalars or NumPy arrays and return floats or arrays of floats.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError

__all__ = [
    "r_to_z", "z_to_r", "var_z", "r_from_t", "r_from_f", "r_from_d", "r_from_chi2",
    "d_from_means", "r_from_means", "effect_arrays",
]


def r_to_z(r):
    """Fisher's variance-stabilising transformation, z = atanh(r).

    Returns
    -------
    float or ndarray
        Fisher z; infinite for |r| = 1.

    References
    ----------
    Fisher (1921); Borenstein, Hedges, Higgins & Rothstein (2009), *Introduction to
    Meta-Analysis*, eq. 6.2.
    """
    return np.arctanh(np.asarray(r, dtype=float))


def z_to_r(z):
    """Back-transform Fisher z to r, r = tanh(z) (Borenstein et al., 2009)."""
    return np.tanh(np.asarray(z, dtype=float))


def var_z(n):
    """Large-sample sampling variance of Fisher z, 1 / (n - 3).

    Returns
    -------
    float or ndarray
        The variance on the z scale (Borenstein et al., 2009); requires n > 3.
    """
    n = np.asarray(n, dtype=float)
    return 1.0 / (n - 3.0)


def r_from_t(t, df):
    """Correlation equivalent to a t statistic with ``df`` degrees of freedom.

    r = t / sqrt(t^2 + df), with the sign of t (Rosenthal, 1991, *Meta-Analytic Procedures
    for Social Research*, eq. 2.17; Lipsey & Wilson, 2001, Table B10). For a two-group
    comparison df = n1 + n2 - 2; for a test of a correlation df = n - 2, which returns
    that correlation exactly.
    """
    t = np.asarray(t, dtype=float)
    return t / np.sqrt(t * t + np.asarray(df, dtype=float))


def r_from_f(f, df_error, sign=1.0):
    """Correlation equivalent to F(1, ``df_error``); F carries no sign, so pass ``sign``.

    r = sign * sqrt(F / (F + df_error)), because F(1, df) = t(df)^2 (Rosenthal, 1991,
    eq. 2.18). Only valid for a one-degree-of-freedom numerator.
    """
    f = np.asarray(f, dtype=float)
    return np.sign(sign) * np.sqrt(f / (f + np.asarray(df_error, dtype=float)))


def r_from_d(d, n1=None, n2=None):
    """Point-biserial correlation equivalent to a standardised mean difference d.

    r = d / sqrt(d^2 + a) with a = (n1 + n2)^2 / (n1 n2); a = 4 when group sizes are
    unknown or equal (Borenstein et al., 2009).
    """
    d = np.asarray(d, dtype=float)
    if n1 is None or n2 is None:
        a = 4.0
    else:
        n1 = np.asarray(n1, dtype=float)
        n2 = np.asarray(n2, dtype=float)
        a = (n1 + n2) ** 2 / (n1 * n2)
    return d / np.sqrt(d * d + a)


def r_from_chi2(chi2, n, sign=1.0):
    """Phi coefficient from a 1-df chi-square on a 2 x 2 table: sign * sqrt(chi2 / n).

    (Rosenthal, 1991, eq. 2.20; Lipsey & Wilson, 2001, Table B10.) chi2 carries no sign,
    so pass the direction in ``sign``.
    """
    chi2 = np.asarray(chi2, dtype=float)
    return np.sign(sign) * np.sqrt(chi2 / np.asarray(n, dtype=float))


def d_from_means(m1, m2, sd1, sd2, n1, n2):
    """Cohen's d for two groups: (m1 - m2) / pooled SD.

    The pooled SD is sqrt(((n1 - 1) sd1^2 + (n2 - 1) sd2^2) / (n1 + n2 - 2))
    (Borenstein et al., 2009). No small-sample correction (that is g).
    """
    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    pooled = np.sqrt(((n1 - 1) * np.asarray(sd1, float) ** 2 + (n2 - 1) * np.asarray(sd2, float) ** 2)
                     / (n1 + n2 - 2))
    return (np.asarray(m1, float) - np.asarray(m2, float)) / pooled


def r_from_means(m1, m2, sd1, sd2, n1, n2):
    """Point-biserial r from two groups' means and SDs, via :func:`d_from_means` and
    :func:`r_from_d` with the actual group sizes. Positive when group 1 scores higher."""
    return r_from_d(d_from_means(m1, m2, sd1, sd2, n1, n2), n1, n2)


def effect_arrays(yi, vi) -> tuple[np.ndarray, np.ndarray]:
    """``yi`` and ``vi`` as flat float arrays, checked as every fit needs them.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)

    Raises
    ------
    InputError
        The two differ in length, a value is not finite, or a variance is not positive.
    """
    y = np.asarray(yi, float).ravel()
    v = np.asarray(vi, float).ravel()
    if y.shape != v.shape:
        raise InputError(f"yi has {y.size} values but vi has {v.size}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))) or np.any(v <= 0):
        raise InputError("effect sizes must be finite and sampling variances positive")
    return y, v
