"""Small-study effects and publication bias: Egger's tests, PET-PEESE, Begg's rank
correlation, trim-and-fill and Rosenthal's fail-safe N.

Each follows the definition metafor 3.8 uses, against whose output it is tested
(``tests/test_metafor_alignment_multilevel_bias_sensitivity.py``):

* Egger (``regtest``): the random-effects meta-regression of y on its standard error
  (``egger_rma_z``: the Wald z of the slope), and the classical weighted least-squares
  form, ``lm(y ~ sei, weights = 1/vi)`` (``egger_lm_t`` with k - 2 df);
* PET and PEESE: the intercepts (the effect at a standard error, or variance, of zero)
  of the weighted least-squares regressions on sei and on vi;
* rank correlation (``ranktest``, Begg & Mazumdar, 1994): Kendall's tau-b between the
  standardised deviations from the fixed-effect estimate, (y_i - mu) / sqrt(v_i - var(mu)),
  and the variances v_i, with the p-value metafor gets from R's ``cor.test(exact = TRUE)``
  (exact without ties, up to k = 300 here; otherwise the normal approximation with the
  tie-corrected variance);
* trim-and-fill (``trimfill``, Duval & Tweedie, 2000): the L0 estimator; the side to
  fill is opposite the sign of Egger's slope; iterate trimming the k0 most extreme
  effects and re-estimating until k0 is stable, then refit with the k0 mirrored effects
  (each refit of a long prefix from totals minus the trimmed rows: :class:`_PrefixFits`);
* fail-safe N (``fsn``, Rosenthal, 1979): the number of null studies that would bring
  the Stouffer combined one-tailed z below 1.645.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import distributions as dist
from . import subset_sums as _sums
from .wording import left_out as _left_out
from .effects import effect_arrays
from .errors import InputError
from .heterogeneity import METHODS
from .models import _clean, _p
from .selection import SelectionModelError, SelectionResult, selection_model
from .subset_fits import DEFAULT_THRESHOLD, THRESHOLD, fit_subsets


# --------------------------------------------------------------------------- small fits


@dataclass
class _Uni:
    """An intercept-only fit: estimate, SE, CI and tau^2 on the scale of y."""

    estimate: float
    se: float
    ci_lb: float
    ci_ub: float
    tau2: float
    k: int


def _uni(y, v, method: str, threshold: float = THRESHOLD, level: float = 95.0) -> _Uni:
    k = y.size
    # the fit is shift-equivariant: fit the effects centred on their median, so that sums
    # of large, nearly equal values keep their digits, and add the centre back
    centre = float(np.median(y)) if k else 0.0
    y = y - centre
    if k < 2 or method == "FE":
        tau2 = 0.0
    else:
        tau2 = float(fit_subsets(y, v, lambda ids: np.ones((ids.size, k)), 1, method=method,
                                 threshold=threshold)[0])
    w = 1.0 / (v + tau2)
    est = centre + float(np.dot(w, y) / w.sum())
    se = float(1.0 / math.sqrt(w.sum()))
    crit = float(dist.norm_isf((1.0 - level / 100.0) / 2.0))
    return _Uni(est, se, est - crit * se, est + crit * se, tau2, k)


class _PrefixFits:
    """The estimate of intercept-only fits of the first m rows of fixed (y, v).

    From :data:`~.subset_sums.FAST_K` rows on, a fit costs little more than the rows that
    changed since the last one, after O(k) set-up: its sums are the totals minus the rows
    after the prefix (:class:`~.subset_sums._SubsetSums`, kind ``"head"``), and Fisher
    scoring (or the PM and EB root search) runs on them as in :func:`_uni`. A fit whose
    sums would lose digits is done by :func:`_uni` on the rows themselves, as every fit is
    below FAST_K rows.

    The rows are centred at their median first: the moment sums of the series are taken
    about zero, and effects far from it (all near 1e6, say) would cancel their digits in
    the sums of squares. Every estimator is shift-equivariant, so the centre is added back.
    """

    def __init__(self, y, v, method: str, threshold: float):
        self.centre = float(np.median(y)) if y.size else 0.0
        self.rows = y               # a refit on the rows is the very computation of _uni
        y = y - self.centre
        self.y, self.v, self.method, self.threshold = y, v, method, threshold
        self.sums = _sums._SubsetSums(y, v, "head") if y.size >= _sums.FAST_K else None

    def estimate(self, m: int) -> float:
        if self.sums is not None and m >= 2:
            ids = np.array([m - 1])
            tau2, bad = _sums._fast_tau2(self.sums, ids, self.method, self.threshold)
            if not bad[0]:
                S, _, ok = self.sums.at(ids, tau2, dominance=False)
                if ok[0]:
                    return self.centre + float(S[0, 1] / S[0, 0])
        return _uni(self.rows[:m], self.v[:m], self.method, self.threshold).estimate


def _wls_lm(y, v, x):
    """``lm(y ~ x, weights = 1/v)``: intercept, slope, their SEs and the residual df.

    A fit that is perfect to round-off (every effect the same, or exactly on a line) has no
    residual variance to test against: its SEs are NaN, so that no t or p is made from
    rounding noise (metafor's ``regtest(model = "lm")`` gives NaN there too)."""
    w = 1.0 / v
    X = np.column_stack([np.ones_like(y), x])
    xtwx = X.T @ (X * w[:, None])
    cov = np.linalg.inv(xtwx)
    beta = cov @ (X.T @ (w * y))
    e = y - X @ beta
    df = y.size - 2
    s2 = float(np.dot(w, e * e)) / df
    scale = float(np.max(np.abs(y))) if y.size else 0.0
    if not np.max(np.abs(e)) > 1e3 * np.finfo(float).eps * max(scale, np.finfo(float).tiny):
        return beta, np.full(2, np.nan), df
    se = np.sqrt(np.diag(cov) * s2)
    return beta, se, df


def _egger_rma(y, v, method: str):
    """Wald z and p of the slope on sei in the mixed-effects meta-regression."""
    from .models import metareg

    fit = metareg(y, v, {"sei": np.sqrt(v)}, method=method)
    slope = fit.coefficients[1]
    return slope.stat, slope.pval, slope.estimate


# --------------------------------------------------------------------------- rank test


def _inversions(a: np.ndarray) -> int:
    """The number of pairs i < j with a[i] > a[j], for non-negative integers a.

    O(k log max(a)) without a Python loop over the rows: a pair is counted at the highest
    bit where its two values differ, which is the bit below the longest prefix they share.
    Going down the bits, the rows stay grouped by the bits above (each group in row order)
    and every group is split stably by the current bit, zeros first; at each bit, each row
    whose bit is 0 counts the rows of its group before it whose bit is 1.
    """
    n = a.size
    if n < 2 or not a.any():
        return 0
    order = np.arange(n)
    label = np.zeros(n, dtype=np.int64)          # group of each slot (the bits above)
    slots = np.arange(n)
    total = 0
    for b in range(int(a.max()).bit_length() - 1, -1, -1):
        bit = (a[order] >> b) & 1
        start = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
        size = np.diff(np.r_[start, n])
        gid = np.repeat(np.arange(start.size), size)
        ones_before = np.cumsum(bit) - bit       # rows with bit 1 in earlier slots
        ones_in_group = ones_before - ones_before[start][gid]
        total += int(ones_in_group[bit == 0].sum())
        zeros_in_group = (slots - start[gid]) - ones_in_group
        end = start + size - 1
        zeros_of_group = size - (ones_before[end] + bit[end] - ones_before[start])
        pos = start[gid] + np.where(bit == 0, zeros_in_group, zeros_of_group[gid] + ones_in_group)
        new_order = np.empty_like(order)
        new_order[pos] = order
        new_label = np.empty_like(label)
        new_label[pos] = 2 * gid + bit
        order, label = new_order, new_label
    return total


def _tied_pairs(counts: np.ndarray) -> int:
    """Pairs within groups of these sizes."""
    c = counts.astype(np.int64)
    return int(np.sum(c * (c - 1) // 2))


def kendall_tau_b(x, y) -> tuple[float, float]:
    """Kendall's tau-b and the score S (concordant minus discordant pairs); see
    :func:`_kendall`."""
    tau, s, _, _ = _kendall(x, y)
    return tau, s


def _kendall(x, y):
    """Kendall's tau-b, the score S and the sizes of the groups of ties in x and in y.

    S is an exact integer, from Knight's O(k log k) algorithm: with the rows sorted by one
    variable and then the other, the discordant pairs are the inversions of the other's
    ranks (:func:`_inversions`), and S = n0 - n1 - n2 + n3 - 2 * discordant, with n0 the
    pairs, n1 and n2 the pairs tied in x and in y, and n3 those tied in both. The variable
    with fewer distinct values gives the ranks, whose bits set the number of passes (the
    rank test's variances often take a few hundred values).
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = x.size
    n0 = n * (n - 1) // 2
    ux, rx, cx = np.unique(x, return_inverse=True, return_counts=True)
    uy, ry, cy = np.unique(y, return_inverse=True, return_counts=True)
    n1, n2 = _tied_pairs(cx), _tied_pairs(cy)
    denom = float(n0 - n1) * float(n0 - n2)
    if not denom > 0:  # a constant variable: every pair is tied, S = 0 and tau is undefined
        return float("nan"), 0.0, cx, cy
    rx, ry = rx.ravel().astype(np.int64), ry.ravel().astype(np.int64)
    if ux.size < uy.size:                        # S is symmetric in x and y
        rx, ry, uy = ry, rx, ux
    key = rx * uy.size + ry
    order = np.argsort(key)                      # rows with equal keys are tied in both
    ks = key[order]
    runs = np.diff(np.r_[np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]]), n])
    s = float(n0 - n1 - n2 + _tied_pairs(runs) - 2 * _inversions(ry[order]))
    return s / math.sqrt(denom), s, cx, cy


def _kendall_exact_cdf(q: int, n: int) -> float:
    """P(T <= q) for T the number of concordant pairs among n untied pairs (H0)."""
    # the distribution of inversions of a random permutation (Mahonian numbers), built by
    # convolving with a uniform on 0..m-1 for m = 2..n; kept as probabilities (n! overflows)
    # and each convolution done with a running sum, so the whole is O(n^3) in vector steps.
    if q < 0:
        return 0.0
    probs = np.array([1.0])
    for m in range(2, n + 1):
        c = np.concatenate([[0.0], np.cumsum(np.concatenate([probs, np.zeros(m - 1)]))])
        j = np.arange(probs.size + m - 1)
        probs = (c[j + 1] - c[np.maximum(j - m + 1, 0)]) / m
    return float(min(1.0, probs[: q + 1].sum()))


def kendall_test(x, y, exact: bool | None = None) -> tuple[float, float]:
    """Kendall's tau (tau-b) and its two-sided p-value as R's ``cor.test(method = "kendall")``.

    The exact null distribution is used when ``exact`` is None, k < 50 and neither
    variable has ties; otherwise the normal approximation of S with the tie-corrected
    variance (no continuity correction).

    Returns
    -------
    (float, float)
        tau-b and the two-sided p-value.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = x.size
    tau, s, cx, cy = _kendall(x, y)
    if math.isnan(tau):
        return tau, float("nan")
    tx, ty = cx[cx > 1].astype(float), cy[cy > 1].astype(float)   # sizes of the groups of ties
    ties = tx.size > 0 or ty.size > 0
    if exact is None:
        exact = n < 50 and not ties
    if exact and not ties:
        q = int(round((tau + 1.0) * n * (n - 1) / 4.0))
        if q > n * (n - 1) / 4.0:
            p = 1.0 - _kendall_exact_cdf(q - 1, n)
        else:
            p = _kendall_exact_cdf(q, n)
        return tau, min(2.0 * p, 1.0)
    v0 = n * (n - 1) * (2 * n + 5)
    vt = float(np.sum(tx * (tx - 1) * (2 * tx + 5)))
    vu = float(np.sum(ty * (ty - 1) * (2 * ty + 5)))
    v1 = float(np.sum(tx * (tx - 1))) * float(np.sum(ty * (ty - 1)))
    v2 = float(np.sum(tx * (tx - 1) * (tx - 2))) * float(np.sum(ty * (ty - 1) * (ty - 2)))
    var_s = (v0 - vt - vu) / 18.0 + v1 / (2.0 * n * (n - 1)) + v2 / (9.0 * n * (n - 1) * (n - 2))
    z = s / math.sqrt(var_s)
    return tau, float(2.0 * min(dist.norm_sf(z), dist.norm_sf(-z)))


def rank_test(y, v) -> tuple[float, float]:
    """Begg & Mazumdar's rank correlation test (metafor ``ranktest``).

    Returns
    -------
    (float, float)
        Kendall's tau between standardised effects and variances, and its p-value.
    """
    w = 1.0 / v
    mu = float(np.dot(w, y) / w.sum())
    vb = 1.0 / float(w.sum())
    ystar = (y - mu) / np.sqrt(v - vb)
    # metafor's ranktest() asks cor.test() for the exact p-value whatever k (R falls back
    # to the normal approximation only when there are ties); above EXACT_MAX studies this
    # engine uses the approximation too, which differs from the exact value by far less
    # than the p-value's own sampling error.
    return kendall_test(ystar, v, exact=ystar.size <= EXACT_MAX)


#: Largest k for which the rank test's exact null distribution is computed (O(k^3)).
EXACT_MAX = 300


# --------------------------------------------------------------------------- trim and fill


@dataclass
class TrimFillResult:
    """Trim-and-fill (L0): the side filled, the number of filled effects ``k0``, and the
    random-effects fit of the observed plus filled effects (estimate, SE, CI, tau^2 on the
    analysis scale). ``yi_fill, vi_fill`` are the filled (imputed) effects for plots."""

    side: str
    k0: int
    estimate: float
    se: float
    ci_lb: float
    ci_ub: float
    tau2: float
    yi_fill: np.ndarray = field(default_factory=lambda: np.zeros(0))
    vi_fill: np.ndarray = field(default_factory=lambda: np.zeros(0))
    method: str = "REML"
    stopped_early: bool = False     # refits at metafor's threshold ended far from the maximum

    #: What a summary says when ``stopped_early`` is set.
    STOPPED_EARLY_NOTE = ("Trim-and-fill refits, as metafor's do, until a step in tau^2 is below 1e-5. Here a study "
                          "of very small variance stops them far from the likelihood maximum (the converged fit of "
                          "the same rows differs by more than a tenth of a standard error), so the number of "
                          "filled effects and the adjusted estimate are not reliable.")

    def to_dict(self) -> dict:
        return {"side": self.side, "k0": int(self.k0), "estimate": self.estimate, "se": self.se,
                "ci_lb": self.ci_lb, "ci_ub": self.ci_ub, "tau2": self.tau2}


def _l0(yc: np.ndarray) -> float:
    """Duval & Tweedie's L0 from centred effects (sorted order irrelevant)."""
    k = yc.size
    order = np.argsort(np.abs(yc), kind="stable")      # ranks of |y - mu|, ties by position
    ranks = np.empty(k)
    ranks[order] = np.arange(1, k + 1)
    sr = float(np.sum(ranks[yc > 0]))
    return (4.0 * sr - k * (k + 1)) / (2.0 * k - 1.0)


def _l0_sorted(yc: np.ndarray) -> float:
    """:func:`_l0` for centred effects sorted ascending, without sorting them again.

    The ranks of |y - mu| (ties by position, as in :func:`_l0`) of the positive effects
    follow from a merge of two sorted runs: the positive effects, ascending, and the
    absolute values of the others, which come first in the array and so win every tie.
    """
    k = yc.size
    p = int(np.searchsorted(yc, 0.0, side="right"))       # yc[:p] <= 0 < yc[p:]
    pos = yc[p:]
    others = -yc[:p][::-1]                                  # |yc| of the rest, ascending
    m = pos.size
    sr = float(m * (m + 1) // 2 + int(np.searchsorted(others, pos, side="right").sum()))
    return (4.0 * sr - k * (k + 1)) / (2.0 * k - 1.0)


def fill_side(slope: float) -> str:
    """Where trim-and-fill looks for missing effects, from the slope of Egger's regression on
    the SE: a positive slope means small studies lean right, so effects are missing on the left."""
    return "right" if slope < 0 else "left"


def trim_and_fill(y, v, *, method: str = "REML", side: str | None = None, maxiter: int = 100,
                  threshold: float = DEFAULT_THRESHOLD, level: float = 95.0) -> TrimFillResult:
    """Duval & Tweedie's trim-and-fill with the L0 estimator.

    Parameters
    ----------
    y, v : ndarray
        Effect sizes and sampling variances.
    method : str
        tau^2 estimator of every fit.
    side : {"left", "right"}, optional
        Where effects are missing; by default opposite the sign of the slope of Egger's
        regression (a positive slope means small studies lean right, so fill left).
    threshold : float
        Convergence threshold of the ML/REML refits. metafor's ``trimfill`` refits with
        its default control (1e-5), whatever the control of the model it was given.

    Returns
    -------
    TrimFillResult
    """
    y = np.asarray(y, float)
    v = np.asarray(v, float)
    k = y.size
    centre = float(np.median(y)) if k else 0.0   # every step is shift-equivariant (see _uni)
    y = y - centre
    if side is None:
        from .models import metareg

        side = fill_side(metareg(y, v, {"sei": np.sqrt(v)}, method=method).coefficients[1].estimate)
    if side not in ("left", "right"):
        raise InputError(f"side must be 'left' or 'right', not {side!r}")
    sign = -1.0 if side == "right" else 1.0
    ys = sign * y
    idx = np.argsort(ys, kind="stable")
    ys, vs = ys[idx], v[idx]
    fits = _PrefixFits(ys, vs, method, threshold)
    k0, prev, it = 0, -1, 0
    mu = 0.0
    while k0 != prev:
        prev = k0
        it += 1
        if it > maxiter:
            raise InputError("trim-and-fill did not converge")
        mu = fits.estimate(k - k0)
        k0 = max(0, int(_round_half_even(_l0_sorted(ys - mu))))
        k0 = min(k0, k - 1)
    # the last refit (scoring stopped by metafor's rule: a step in tau^2 below
    # ``threshold``) against the converged fit of the same rows: a study of very small
    # variance makes the information so large that the steps fall below 1e-5 long before
    # the maximum, and k0 then follows unconverged estimates
    check = method in ("REML", "ML") and threshold > THRESHOLD
    if k0 == 0:
        fit = _uni(y, v, method, THRESHOLD, level)          # the rows of the last refit
        early = check and abs(mu - sign * fit.estimate) > 0.1 * fit.se
        return TrimFillResult(side, 0, centre + fit.estimate, fit.se, centre + fit.ci_lb, centre + fit.ci_ub,
                              fit.tau2, method=method, stopped_early=bool(early))
    tight = _uni(ys[:k - k0], vs[:k - k0], method, THRESHOLD) if check else None
    early = check and abs(mu - tight.estimate) > 0.1 * tight.se
    fill_y = sign * (2.0 * mu - ys[k - k0:])
    fill_v = vs[k - k0:]
    fit = _uni(np.concatenate([y, fill_y]), np.concatenate([v, fill_v]), method, threshold, level)
    return TrimFillResult(side, k0, centre + fit.estimate, fit.se, centre + fit.ci_lb, centre + fit.ci_ub,
                          fit.tau2, centre + fill_y, fill_v, method, stopped_early=bool(early))


def _round_half_even(x: float) -> float:
    """R's round(): halves go to the even integer."""
    return float(np.round(x))


# --------------------------------------------------------------------------- fail-safe N


def fail_safe_n(y, v, alpha: float = 0.05) -> int:
    """Rosenthal's fail-safe N: null studies needed to make Stouffer's z non-significant
    (one-tailed ``alpha``), rounded up; 0 when the combined z is already below it."""
    z = np.asarray(y, float) / np.sqrt(np.asarray(v, float))
    k = z.size
    zbar = abs(float(z.sum())) / math.sqrt(k)
    crit = float(dist.norm_isf(alpha))
    return int(math.ceil(max(0.0, k * (zbar / crit) ** 2 - k)))


# --------------------------------------------------------------------------- all together


@dataclass
class BiasResult:
    """Every small-study / publication-bias statistic of one data set.

    Slopes, intercepts and trim-and-fill estimates are on the analysis scale (Fisher z for
    correlations). ``to_dict()`` gives the keys of ``alliance-meta bias --json``.
    """

    k: int
    method: str
    egger_rma_z: float
    egger_rma_pval: float
    egger_lm_t: float
    egger_lm_df: int
    egger_lm_pval: float
    pet_estimate: float
    peese_estimate: float
    rank_tau: float
    rank_pval: float
    trimfill: TrimFillResult
    fsn_rosenthal: int
    estimate: float = float("nan")
    is_r: bool = False
    k_omitted: int = 0
    selmodel: SelectionResult | None = None
    selmodel_note: str = ""

    def to_dict(self) -> dict:
        """Keys ``egger_rma_z, egger_rma_pval, egger_lm_t, egger_lm_df, egger_lm_pval,
        pet_estimate, peese_estimate, rank_tau, rank_pval, trimfill{...}, fsn_rosenthal,
        selmodel{estimate, se, ci_lb, ci_ub, tau2, delta, lrt, lrt_pval, logLik}``; ``selmodel``
        is null, with ``selmodel_note`` saying why, when the selection model cannot be fitted."""
        out = {key: _clean(getattr(self, key)) for key in
               ("egger_rma_z", "egger_rma_pval", "egger_lm_t", "egger_lm_df", "egger_lm_pval", "pet_estimate",
                "peese_estimate", "rank_tau", "rank_pval")}
        out["trimfill"] = self.trimfill.to_dict()
        out["fsn_rosenthal"] = int(self.fsn_rosenthal)
        out["selmodel"] = self.selmodel.to_dict() if self.selmodel is not None else None
        if self.selmodel is None and self.selmodel_note:
            out["selmodel_note"] = self.selmodel_note
        return out

    def summary(self) -> str:
        """A readable report of every test."""
        tf = self.trimfill
        back = (lambda z: f" (r = {math.tanh(z):.3f})") if self.is_r else (lambda z: "")
        lines = [f"Small-study effects and publication bias (k = {self.k}, tau^2 estimator {self.method})"
                 + (f"; {_left_out(self.k_omitted)}" if self.k_omitted else ""),
                 f"Egger's regression test (mixed-effects, predictor SE): z = {self.egger_rma_z:.3f}, "
                 f"{_p(self.egger_rma_pval)}",
                 (f"Egger's regression test (weighted least squares): t({self.egger_lm_df}) = {self.egger_lm_t:.3f}, "
                  f"{_p(self.egger_lm_pval)}" if math.isfinite(self.egger_lm_t) else
                  "Egger's regression test (weighted least squares): not defined (the effects lie exactly on the "
                  "regression line: no residual variance)"),
                 f"PET estimate (effect at SE = 0): {self.pet_estimate:.4f}{back(self.pet_estimate)}",
                 f"PEESE estimate (effect at variance = 0): {self.peese_estimate:.4f}{back(self.peese_estimate)}",
                 (f"Begg's rank correlation: Kendall's tau = {self.rank_tau:.3f}, {_p(self.rank_pval)}"
                  if math.isfinite(self.rank_tau) else
                  "Begg's rank correlation: not defined (the standardised effects or the variances do not vary)"),
                 f"Trim-and-fill (L0): {tf.k0} effect(s) filled on the {tf.side}; adjusted estimate "
                 f"{tf.estimate:.4f}{back(tf.estimate)}, 95% CI [{tf.ci_lb:.4f}, {tf.ci_ub:.4f}], tau^2 = {tf.tau2:.5f}",
                 f"Rosenthal's fail-safe N: {self.fsn_rosenthal}"]
        if tf.stopped_early:
            lines.append("Note: " + tf.STOPPED_EARLY_NOTE)
        if self.selmodel is not None:
            lines.append(self.selmodel.summary())
        elif self.selmodel_note:
            lines.append(f"Selection model: not fitted ({self.selmodel_note})")
        return "\n".join(lines)


def bias_tests(yi, vi, *, method: str = "REML", is_r: bool = False, k_omitted: int = 0) -> BiasResult:
    """Run every bias test on one data set.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z and 1/(n - 3) for correlations).
    method : str
        tau^2 estimator of the random-effects fits (Egger's mixed-effects test and
        trim-and-fill); default REML.

    Returns
    -------
    BiasResult
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    y, v = effect_arrays(yi, vi)
    k = y.size
    if k < 3:
        raise InputError(f"the bias tests need at least 3 effect sizes with a value; found {k}")
    if np.ptp(v) == 0:
        raise InputError("all sampling variances are equal: the regression tests need studies of different sizes")
    # every test but the fail-safe N is shift-equivariant: run them on the effects centred
    # on their median (large, nearly equal values keep their digits), intercepts shifted back
    centre = float(np.median(y))
    yc = y - centre
    ez, ep, slope = _egger_rma(yc, v, method)
    sei = np.sqrt(v)
    b, se, df = _wls_lm(yc, v, sei)
    lm_t = float(b[1] / se[1])
    lm_p = float(2.0 * dist.t_sf(abs(lm_t), df)) if np.isfinite(lm_t) else math.nan
    peese, _, _ = _wls_lm(yc, v, v)
    tau, rank_p = rank_test(yc, v)
    # trim-and-fill's default side comes from this same Egger slope: fitted once, not twice
    tf = trim_and_fill(y, v, method=method, side=fill_side(slope))
    estimate = _uni(y, v, method).estimate
    sel, sel_note = None, ""
    try:  # the selection model needs rows on both sides of its step; without them the other tests stand
        sel = selection_model(y, v, is_r=is_r, fixed_effect=method == "FE")
    except SelectionModelError as exc:
        sel_note = str(exc)
    return BiasResult(k=k, method=method, egger_rma_z=float(ez), egger_rma_pval=float(ep), egger_lm_t=lm_t,
                      egger_lm_df=int(df), egger_lm_pval=lm_p, pet_estimate=centre + float(b[0]),
                      peese_estimate=centre + float(peese[0]), rank_tau=float(tau), rank_pval=float(rank_p),
                      trimfill=tf, fsn_rosenthal=fail_safe_n(y, v), estimate=estimate, is_r=is_r,
                      k_omitted=k_omitted, selmodel=sel, selmodel_note=sel_note)


__all__ = ["bias_tests", "BiasResult", "trim_and_fill", "TrimFillResult", "rank_test", "kendall_test",
           "fail_safe_n"]
