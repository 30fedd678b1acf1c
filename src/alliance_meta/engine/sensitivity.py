"""Leave-one-out, influence diagnostics and cumulative meta-analysis.

Each analysis is many intercept-only random-effects fits on subsets of the same rows:
row i left out (leave-one-out), or the first j rows in some order (cumulative). From
:data:`~.subset_sums.FAST_K` rows on they are fitted from O(k) sums
(:mod:`.subset_sums`), so the whole analysis is O(k); below it, and for the few subsets
where the sums would lose digits, by the block code (:mod:`.subset_fits`). The results
agree with metafor's ``leave1out()``, ``influence()`` and ``cumul()`` (see
``tests/test_metafor_alignment_multilevel_bias_sensitivity.py`` and
``tests/test_metafor_alignment_breadth_influence.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import distributions as dist
from . import subset_sums as _sums
from .wording import left_out as _left_out
from .errors import InputError
from .heterogeneity import METHODS
from .subset_fits import THRESHOLD, SubsetFits, _put, fit_subsets, summarise_subsets
from .subset_sums import _fast_summary, _fast_tau2, _SubsetSums

#: ``cumulative`` fits the first this many prefixes with the block code (on those rows only):
#: there tau^2 moves most from one step to the next, and the fits are cheap.
CUM_EXACT = 500
#: ... and this many under PM and EB, whose block fits are one root search each.
CUM_EXACT_ROOT = 50


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
    ``cooks`` its Cook's distance and ``hat`` its leverage in the full model, and
    ``dffits, cov_r, tau2_del, QE_del, weight`` (percent), ``dfbetas`` (of the intercept)
    and ``influential`` (metafor's rule, see :func:`influence_flags`) complete metafor's
    ``influence()``. Location values are on the analysis scale (Fisher z for correlations).
    ``influential`` holds True, False, or None where a diagnostic could not be computed
    and no other one flags the row (R's NA). ``baujat_x`` and ``baujat_y`` are the
    coordinates of metafor's ``baujat()`` (not in the JSON): each row's squared Pearson
    residual (y_i - mu)^2 / (v_i + tau^2), its contribution to Q (with tau^2 = 0 under FE,
    where the terms add up to Q), and its influence on the pooled estimate
    (mu_-i - mu)^2 / SE_-i^2.
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
    dffits: np.ndarray | None = None
    cov_r: np.ndarray | None = None
    weight: np.ndarray | None = None
    dfbetas: np.ndarray | None = None
    influential: list | None = None
    baujat_x: np.ndarray | None = None
    baujat_y: np.ndarray | None = None

    _KEYS = ("estimate", "se", "tau2", "I2", "Q", "rstudent", "cooks", "hat")
    _INFLUENCE = ("dffits", "cov_r", "tau2_del", "QE_del", "weight", "dfbetas")

    @property
    def tau2_del(self) -> np.ndarray:
        """tau^2 of each fit without the row (metafor's ``tau2.del``): ``tau2``."""
        return self.tau2

    @property
    def QE_del(self) -> np.ndarray:
        """Q of each fit without the row (metafor's ``QE.del``): ``Q``."""
        return self.Q

    def to_dict(self) -> dict:
        """The JSON contract of ``alliance-meta leave1out --json``: the eight arrays of the
        leave-one-out fits, then metafor's ``influence()`` arrays ``dffits, cov_r, tau2_del,
        QE_del, weight, dfbetas`` and ``influential`` (true, false or null); and ``row`` (the
        data-row number of each element) when the rows are known."""
        out = {key: _clean_list(getattr(self, key)) for key in self._KEYS}
        if self.dffits is not None:
            out.update({key: _clean_list(getattr(self, key)) for key in self._INFLUENCE})
            out["influential"] = list(self.influential)
        if self.rows is not None:  # the data-row number of each element
            out["row"] = [int(r) for r in self.rows]
        return out

    def flagged(self) -> list[int]:
        """Positions (0-based, in the order of the rows used) that metafor's rule flags."""
        return [i for i, f in enumerate(self.influential or []) if f]

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
        if self.influential is not None:
            lines.append(influence_line(self, rows))
        return "\n".join(lines)


def influence_line(res: "LeaveOneOutResult", rows=None) -> str:
    """One sentence naming the rows that metafor's ``influence()`` rule flags, by the row
    numbers ``rows`` (default: the result's ``rows``, else 1..k)."""
    k = res.estimate.size
    if rows is None:
        rows = res.rows if res.rows is not None else np.arange(1, k + 1)
    hit = [str(rows[i]) for i in res.flagged()]
    rule = (f"|DFFITS| > {3.0 * math.sqrt(1.0 / max(k - 1, 1)):.3f}, Cook's distance above the chi-square(1) "
            f"median, hat > {3.0 / k:.3f} or |DFBETAS| > 1")
    if not hit:
        return f"Influential by metafor's rule ({rule}): none"
    return f"Influential by metafor's rule ({rule}): row{'s' if len(hit) > 1 else ''} {', '.join(hit)}"


def influence_flags(dffits, cooks, hat, dfbetas, p: int = 1) -> list:
    """metafor's ``is.infl`` rule of ``influence.rma.uni`` for each row.

    A row is influential when |DFFITS| > 3 sqrt(p / (k - p)), or its Cook's distance is
    above the median of chi-square(p) (``pchisq(cook.d, p) > .5``), or its hat value is above
    3 p / k, or any |DFBETAS| > 1 (``dfbetas`` is (k,) for one coefficient or (k, p)).

    Returns
    -------
    list of bool or None
        True or False per row; None (R's NA) when a diagnostic is missing (NaN) and no
        other one flags the row.
    """
    dffits, cooks, hat = (np.asarray(a, dtype=float) for a in (dffits, cooks, hat))
    dfb = np.asarray(dfbetas, dtype=float).reshape(dffits.size, -1)
    k = dffits.size
    with np.errstate(invalid="ignore"):
        parts = [np.abs(dffits) > 3.0 * math.sqrt(p / (k - p)) if k > p else np.zeros(k, dtype=bool),
                 dist.chi2_sf(cooks, p) < 0.5,
                 hat > 3.0 * p / k,
                 (np.abs(dfb) > 1.0).any(axis=1)]
    hit = np.logical_or.reduce(parts)
    unknown = np.isnan(dffits) | np.isnan(cooks) | np.isnan(hat) | np.isnan(dfb).any(axis=1)
    return [True if h else (None if u else False) for h, u in zip(hit.tolist(), unknown.tolist())]


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
        ``rstudent, cooks, hat, dffits, cov_r, weight, dfbetas, influential`` of each row
        (metafor's ``influence()``), in the order of ``yi``.

    Notes
    -----
    All k fits are done together, from O(k) sums from :data:`~.subset_sums.FAST_K` rows on (see the
    module's notes) and by :func:`fit_subsets` below; ML and REML start each fit from its
    own Hedges estimate, as metafor's refits do (a bimodal likelihood can have scoring
    from the full model's tau^2 land on the other peak). rstudent_i = (y_i - mu_-i) / sqrt(v_i + tau2_-i +
    SE_-i^2); Cook's distance (mu - mu_-i)^2 / SE^2 with the full model's SE; hat_i =
    w_i / sum(w) with the full model's weights, and weight_i = 100 hat_i (percent).

    The rest of metafor's ``influence()`` (z tests, so its s2w = 1) needs only the deleted
    fits' sums of weights S_-i = 1 / SE_-i^2, so it costs O(1) per row, O(k) in all:
    DFFITS_i = (mu - mu_-i) / sqrt(hat_i (tau2_-i + v_i)); the covariance ratio is
    SE_-i^2 / SE^2 (a ratio of determinants of 1 x 1 matrices); DFBETAS_i =
    (mu - mu_-i) / sqrt(V_i) with V_i = 1 / sum_j 1 / (v_j + tau2_-i), the full data's
    variance at the deleted tau^2, which is 1 / (S_-i + 1 / (v_i + tau2_-i)): row i's own
    weight added back to the deleted fit's sum, no k x k matrix and no second pass.
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

    if k >= max(_sums.FAST_K, 3):
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
    shift = full_est - fits.estimate
    with np.errstate(invalid="ignore", divide="ignore"):
        dffits = shift / np.sqrt(hat * (tau2 + v))
        cov_r = fits.se ** 2 / full_se ** 2
        s_del = 1.0 / fits.se ** 2                       # the deleted fit's sum of weights
        dfbetas = shift * np.sqrt(s_del + 1.0 / (v + tau2))
    return LeaveOneOutResult(estimate=fits.estimate + centre, se=fits.se, tau2=tau2, I2=fits.I2, Q=fits.Q,
                             rstudent=rstudent, cooks=cooks, hat=hat, full_estimate=full_est + centre, full_se=full_se,
                             full_tau2=full_tau2, method=method, rows=rows, labels=labels, is_r=is_r,
                             k_omitted=k_omitted, dffits=dffits, cov_r=cov_r, weight=100.0 * hat, dfbetas=dfbetas,
                             influential=influence_flags(dffits, cooks, hat, dfbetas),
                             baujat_x=(y - full_est) ** 2 * w, baujat_y=shift ** 2 * s_del)


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

    if k >= _sums.FAST_K:
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


__all__ = ["leave1out", "influence_flags", "cumulative", "fit_subsets", "summarise_subsets", "LeaveOneOutResult",
           "CumulativeResult", "stable_order"]
