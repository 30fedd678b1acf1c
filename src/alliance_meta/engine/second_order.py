"""Second-order synthesis: re-analysing the pooled correlations that meta-analyses published.

A published pooled r is an estimate with its own sampling error, the "second-order sampling
error" of Schmidt & Oh (2013): the error left after a first-order meta-analysis has pooled its
studies. To pool such estimates, each needs a sampling variance. Conventions here:

* everything is on the Fisher z scale, ``yi = atanh(r)``;
* from a printed confidence interval, assumed symmetric on z (as when the review pooled z and
  back-transformed): ``se = (atanh(ub) - atanh(lb)) / (2 q)`` with q the normal quantile of
  the interval's level; the asymmetry of the printed limits around ``atanh(r)`` is returned so
  that an interval that was not symmetric on z can be seen;
* from a printed standard error of r (delta method): ``se_z = se / (1 - r^2)``; a standard error
  printed on z is used as it is;
* where neither is printed, an approximation from the number of studies k and participants N:
  ``vi = 1 / (N - 3k)``, the variance of a fixed-effect pooled z whose studies had n_i - 3
  weights summing to N - 3k. It ignores between-study variance, so it is too small under a
  random-effects model; rows that use it are flagged (``basis == "k_n"``) and belong in a
  sensitivity analysis, not the main one.

Overlapping reviews pool largely the same primary studies, so their estimates are not
independent: :func:`select` keeps one estimate per cell (overlap group x question) by a stated
rule before anything is pooled. Pooling itself is :func:`alliance_meta.engine.models.pool`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Hashable, Sequence

import numpy as np

from . import distributions as dist
from .errors import InputError

BASES = ("ci", "se", "k_n")
RULES = ("comprehensive", "recent", "earliest")


@dataclass
class PublishedEstimates:
    """Published pooled correlations on Fisher z with the sampling variance of each.

    Attributes
    ----------
    yi : ndarray
        ``atanh(r)``; NaN where r is missing.
    vi : ndarray
        Sampling variance of ``yi``; NaN where no basis was available.
    basis : ndarray of str
        ``"ci"``, ``"se"``, ``"k_n"`` (approximation from k and N) or ``""`` (none), per row.
    asymmetry : ndarray
        For ``basis == "ci"``: ``|(ub_z - z) - (z - lb_z)| / (ub_z - lb_z)``, 0 for an
        interval exactly symmetric on z; NaN otherwise.
    """

    yi: np.ndarray
    vi: np.ndarray
    basis: np.ndarray
    asymmetry: np.ndarray

    @property
    def usable(self) -> np.ndarray:
        """Rows with both an estimate and a variance."""
        return np.isfinite(self.yi) & np.isfinite(self.vi)


def _floats(x, k: int) -> np.ndarray:
    if x is None:
        return np.full(k, np.nan)
    out = np.array([np.nan if v is None or (isinstance(v, str) and not v.strip()) else float(v) for v in x],
                   dtype=float)
    if out.size != k:
        raise InputError(f"expected {k} values, got {out.size}")
    return out


def published_estimates(r, ci_lb=None, ci_ub=None, se=None, k=None, n=None, *, level: float = 95.0,
                        se_scale: str = "r", approximate: bool = True) -> PublishedEstimates:
    """Fisher z and sampling variances of published pooled correlations.

    Parameters
    ----------
    r, ci_lb, ci_ub, se, k, n : array_like
        Pooled correlation, its printed interval, its printed standard error, number of
        studies and of participants; None or NaN where not printed.
    level : float
        Confidence level of the printed intervals, in percent.
    se_scale : {"r", "z"} or sequence of them
        The scale on which the standard errors were printed (one for all rows, or per row;
        a row without a standard error may have an empty scale).
    approximate : bool
        Use ``1 / (N - 3k)`` where neither an interval nor a standard error was printed.

    Returns
    -------
    PublishedEstimates
        ``yi = atanh(r)`` and ``vi`` per row; the basis of each variance is the interval
        where printed, else the standard error, else (with ``approximate``) k and N.
    """
    r = np.asarray(_floats(r, len(r)))
    m = r.size
    lb, ub, s, kk, nn = (_floats(x, m) for x in (ci_lb, ci_ub, se, k, n))
    scales = np.array([se_scale] * m if isinstance(se_scale, str) else
                      ["" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x) for x in se_scale],
                      dtype=object)
    if scales.size != m:
        raise InputError(f"expected {m} values of se_scale, got {scales.size}")
    wrong = [x for x, v in zip(scales, s) if np.isfinite(v) and x not in ("r", "z")]
    if wrong:
        raise InputError(f"se_scale must be 'r' or 'z' where a standard error is given, not {wrong[0]!r}")
    bad = np.isfinite(r) & (np.abs(r) >= 1)
    if bad.any():
        raise InputError(f"r = {r[bad][0]} is not inside (-1, 1)", row=int(np.flatnonzero(bad)[0]) + 1, column="r")
    q = float(dist.norm_isf((1.0 - level / 100.0) / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        yi = np.arctanh(r)
        lz, uz = np.arctanh(lb), np.arctanh(ub)
        from_ci = np.isfinite(yi) & np.isfinite(lz) & np.isfinite(uz) & (uz > lz)
        v_ci = ((uz - lz) / (2.0 * q)) ** 2
        asym = np.where(from_ci, np.abs((uz - yi) - (yi - lz)) / (uz - lz), np.nan)
        se_z = np.where(scales == "z", s, s / (1.0 - r * r))
        from_se = ~from_ci & np.isfinite(yi) & np.isfinite(se_z) & (se_z > 0)
        denom = nn - 3.0 * kk
        from_kn = (approximate & ~from_ci & ~from_se & np.isfinite(yi) & np.isfinite(denom) & (denom > 0)
                   & (kk >= 1))
    vi = np.full(m, np.nan)
    vi[from_ci] = v_ci[from_ci]
    vi[from_se] = se_z[from_se] ** 2
    vi[from_kn] = 1.0 / denom[from_kn]
    basis = np.full(m, "", dtype=object)
    basis[from_ci], basis[from_se], basis[from_kn] = "ci", "se", "k_n"
    return PublishedEstimates(yi=yi, vi=vi, basis=basis, asymmetry=asym)


def select(cells: Sequence[Hashable], k, year, *, rule: str = "comprehensive", eligible=None) -> np.ndarray:
    """One estimate per cell by a stated rule; returns the chosen row indices, in row order.

    Parameters
    ----------
    cells : sequence
        The cell of each row (e.g. ``(overlap_group, population, dyad, outcome_domain)``):
        estimates in one cell answer the same question from overlapping reviews.
    k, year : array_like
        Number of studies behind each estimate (NaN where not printed) and publication year.
    rule : {"comprehensive", "recent", "earliest"}
        ``comprehensive``: the largest k (ties: the more recent, then the first row);
        ``recent``: the latest year (ties: the larger k); ``earliest``: the earliest year
        (ties: the larger k). A missing k ranks below every printed k.
    eligible : array_like of bool, optional
        Rows that may be chosen (e.g. those with a variance); others are skipped.

    Returns
    -------
    ndarray of int
    """
    if rule not in RULES:
        raise InputError(f"unknown selection rule {rule!r}; choose one of {', '.join(RULES)}")
    m = len(cells)
    kk = np.nan_to_num(_floats(k, m), nan=-1.0)
    yy = _floats(year, m)
    ok = np.ones(m, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    best: dict = {}
    for i in range(m):
        if not ok[i]:
            continue
        if rule == "comprehensive":
            key = (kk[i], yy[i], -i)
        elif rule == "recent":
            key = (yy[i], kk[i], -i)
        else:
            key = (-yy[i], kk[i], -i)
        cell = cells[i]
        if cell not in best or key > best[cell][0]:
            best[cell] = (key, i)
    return np.array(sorted(i for _, i in best.values()), dtype=int)


@dataclass
class SecondOrderError:
    """How much of the spread of published estimates is second-order sampling error.

    Attributes
    ----------
    k : int
        Number of published estimates (on Fisher z).
    observed_var : float
        Their variance, ``sum((y - mean(y))^2) / (k - 1)``.
    expected_var : float
        The variance second-order sampling error alone would produce: the mean of ``vi``.
    proportion : float
        ``expected_var / observed_var``: the share of the observed spread that sampling error
        of the meta-analyses themselves accounts for (above 1 when the estimates agree more
        than their sampling error predicts). Schmidt & Oh (2013) define this quantity; its
        computation here is the plain, unweighted one just given.
    tau2, I2 : float
        Between-review variance (REML) and I^2 of the random-effects model of the same rows.
    """

    k: int
    observed_var: float
    expected_var: float
    proportion: float
    tau2: float
    I2: float

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def second_order_error(yi, vi) -> SecondOrderError:
    """The spread of published estimates against their second-order sampling error.

    Parameters
    ----------
    yi, vi : array_like
        Fisher z of independent published estimates and their sampling variances.

    Returns
    -------
    SecondOrderError
        Needs at least three estimates: a variance of two says nothing about spread.
    """
    from .models import pool

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.size < 3:
        raise InputError(f"a second-order error needs at least 3 independent estimates; found {y.size}")
    observed = float(np.var(y, ddof=1))
    expected = float(np.mean(v))
    fit = pool(y, v, method="REML")
    return SecondOrderError(k=int(y.size), observed_var=observed, expected_var=expected,
                            proportion=expected / observed if observed > 0 else math.inf,
                            tau2=float(fit.tau2), I2=float(fit.I2))


@dataclass
class Contrasts:
    """Within-review differences of two estimates on Fisher z, for assumed correlations.

    Attributes
    ----------
    diff : ndarray
        ``y1 - y2`` per review.
    rho : tuple of float
        The assumed correlations between the two estimates of a review.
    se : ndarray, shape (len(rho), k)
        ``sqrt(v1 + v2 - 2 rho sqrt(v1 v2))`` for each assumed rho.
    """

    diff: np.ndarray
    rho: tuple
    se: np.ndarray = field(repr=False)


def contrasts(y1, v1, y2, v2, rho: Sequence[float] = (0.0, 0.25, 0.5)) -> Contrasts:
    """Differences between two estimates printed by the same review (e.g. parent vs child
    alliance), with their standard errors over a stated range of correlations.

    The two estimates share studies or participants, so they are positively correlated by
    an amount the reviews do not print; a larger assumed ``rho`` gives a smaller SE of the
    difference. Reporting the result over a range shows how much the conclusion depends on it.

    Returns
    -------
    Contrasts
        On Fisher z: ``diff = y1 - y2`` and one row of standard errors per ``rho``.
    """
    a, b = np.asarray(y1, dtype=float), np.asarray(y2, dtype=float)
    va, vb = np.asarray(v1, dtype=float), np.asarray(v2, dtype=float)
    rhos = tuple(float(x) for x in rho)
    if any(not -1.0 < x < 1.0 for x in rhos):
        raise InputError("an assumed correlation must lie strictly between -1 and 1")
    cross = np.sqrt(va * vb)
    se = np.array([np.sqrt(va + vb - 2.0 * x * cross) for x in rhos])
    return Contrasts(diff=a - b, rho=rhos, se=se)


__all__ = ["published_estimates", "PublishedEstimates", "select", "second_order_error", "SecondOrderError",
           "contrasts", "Contrasts", "BASES", "RULES"]
