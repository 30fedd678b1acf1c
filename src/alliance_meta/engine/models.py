"""Random-effects pooling and meta-regression (the models of metafor's ``rma.uni``).

Both fits use the weighted-least-squares identities of :mod:`alliance_meta.engine.weights`, so
time and memory grow linearly with the number of effect sizes k. The conventions follow
metafor 3.8 (Viechtbauer, 2010, *J. Stat. Softw.* 36(3)), against whose output every
reported number is tested:

* ``test="z"``: Wald tests and intervals from the standard normal distribution;
* ``test="knha"``: Knapp & Hartung (2003): the covariance of the coefficients is
  multiplied by Q_gen(tau^2) / (k - p), and tests and intervals use t with k - p df
  (metafor's default form, without truncating that factor at 1);
* prediction interval: estimate +/- crit * sqrt(se^2 + tau^2), crit from N(0, 1) or
  t(k - p) to match the test; with ``pi="t"``, crit from t(k - 2) (Higgins, Thompson &
  Spiegelhalter, 2009), which is metafor's ``predict(fit, pi.type = "riley")`` for the
  intercept-only model: its df are k - p minus the one variance parameter, and at least 1
  (so k = 2 gives t(1)); se is the model's own (Knapp-Hartung's under ``test="knha"``);
* I^2 and H^2: tau^2-based (Higgins & Thompson, 2002) for random-effects models, Q-based
  for the fixed-effect model.

When the input was r, :func:`pool_correlations` works on Fisher z and adds the estimate,
CI and PI back-transformed to r with tanh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
from . import distributions as dist

from . import effects
from .collation import r_sorted
from .wording import left_out as _left_out
from .errors import InputError
from .heterogeneity import METHODS, estimate_tau2, q_profile_ci
from .weights import typical_variance, wls

TESTS = ("z", "knha")
#: Prediction intervals: on the normal (or on t(k - p) under Knapp-Hartung) or on t(k - 2).
PI_TYPES = ("z", "t")


def _check_options(method: str, test: str) -> None:
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if test not in TESTS:
        raise InputError(f"unknown test {test!r}; choose 'z' or 'knha'")


#: Bounds of the numbers a model can take (see :func:`_as_arrays`).
MIN_VARIANCE = 1e-100
MAX_EFFECT = 1e100


def _as_arrays(yi, vi) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape:
        raise InputError(f"yi has {y.size} values but vi has {v.size}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise InputError("effect sizes and variances must be finite numbers")
    if np.any(v <= 0):
        raise InputError("sampling variances must be positive")
    # Beyond these bounds weights (1/v) or squared residuals overflow double precision in the
    # sums every estimator needs; such values are errors in the data, not effect sizes.
    tiny = v < MIN_VARIANCE
    if tiny.any():
        i = int(np.argmax(tiny))
        raise InputError(f"sampling variance {v[i]:g} (effect size {i + 1} in use) is below {MIN_VARIANCE:g}: "
                         "its weight 1/v cannot be computed in double precision")
    huge = (np.abs(y) > MAX_EFFECT) | (v > MAX_EFFECT)
    if huge.any():
        i = int(np.argmax(huge))
        raise InputError(f"effect size {i + 1} in use ({y[i]:g}, variance {v[i]:g}) is beyond {MAX_EFFECT:g} in "
                         "magnitude: rescale the effect sizes")
    return y, v


def _clean(x: float | None):
    if x is None:
        return None
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    # JSON has no NaN or infinity (a z statistic is infinite when the Knapp-Hartung SE is 0)
    return x if math.isfinite(x) else None


@dataclass
class PoolResult:
    """Result of a random- or fixed-effects meta-analysis (intercept-only model).

    All location statistics are on the analysis scale (Fisher z for correlations);
    ``r``, ``r_ci_lb`` ... are their tanh back-transforms when the input was r.
    ``to_dict()`` returns exactly the keys of the CLI's ``--json`` output.
    """

    k: int
    method: str
    test: str
    estimate: float
    se: float
    stat: float
    pval: float
    ci_lb: float
    ci_ub: float
    tau2: float
    I2: float
    H2: float
    Q: float
    Q_df: int
    Q_pval: float
    tau2_ci_lb: float | None = None
    tau2_ci_ub: float | None = None
    I2_ci_lb: float | None = None
    I2_ci_ub: float | None = None
    pi_lb: float | None = None
    pi_ub: float | None = None
    df: int | None = None
    r: float | None = None
    r_ci_lb: float | None = None
    r_ci_ub: float | None = None
    r_pi_lb: float | None = None
    r_pi_ub: float | None = None
    k_omitted: int = 0
    level: float = 95.0
    pi_df: int | None = None
    pi: str = "z"

    _KEYS = ("k", "estimate", "se", "stat", "pval", "ci_lb", "ci_ub", "tau2", "tau2_ci_lb",
             "tau2_ci_ub", "I2", "I2_ci_lb", "I2_ci_ub", "H2", "Q", "Q_df", "Q_pval", "pi_lb",
             "pi_ub", "pi_df", "df", "r", "r_ci_lb", "r_ci_ub", "r_pi_lb", "r_pi_ub")

    @property
    def is_fixed(self) -> bool:
        return self.method == "FE"

    def to_dict(self) -> dict:
        """The JSON contract: keys of ``alliance-meta pool --json`` (absent ones omitted)."""
        out = {}
        for key in self._KEYS:
            value = getattr(self, key)
            if value is None:
                continue
            if key in ("tau2_ci_lb", "tau2_ci_ub", "I2_ci_lb", "I2_ci_ub", "pi_lb", "pi_ub", "pi_df",
                       "r_pi_lb", "r_pi_ub") and self.is_fixed:
                continue
            out[key] = _clean(value)
        return out

    def pi_label(self) -> str:
        """Which prediction interval this is, in words: its critical value's distribution."""
        if self.pi == "t":
            return f"t({self.pi_df}), Higgins et al. 2009"
        return "normal" if self.test == "z" else f"t({self.df}), Knapp-Hartung"

    def summary(self) -> str:
        """A readable report: the numbers a methods section needs."""
        model = "Fixed-effect model" if self.is_fixed else f"Random-effects model (tau^2 estimator: {self.method})"
        crit = "z" if self.test == "z" else f"t({self.df}), Knapp-Hartung"
        lines = [model, f"k = {self.k}" + (f" ({_left_out(self.k_omitted)})" if self.k_omitted else "")]
        scale = "Fisher z" if self.r is not None else "input scale"
        lines.append(f"Estimate ({scale}): {self.estimate:.4f}  SE {self.se:.4f}  {crit} = {self.stat:.3f}, "
                     f"{_p(self.pval)}")
        lines.append(f"{self.level:g}% CI: [{self.ci_lb:.4f}, {self.ci_ub:.4f}]")
        if not self.is_fixed:
            lines.append(f"{self.level:g}% prediction interval ({self.pi_label()}): [{self.pi_lb:.4f}, {self.pi_ub:.4f}]")
        if self.r is not None:
            lines.append(f"Back-transformed r = {self.r:.3f}, {self.level:g}% CI [{self.r_ci_lb:.3f}, {self.r_ci_ub:.3f}]"
                         + ("" if self.is_fixed else f", PI [{self.r_pi_lb:.3f}, {self.r_pi_ub:.3f}]"))
        lines.append(f"Heterogeneity: Q({self.Q_df}) = {self.Q:.3f}, {_p(self.Q_pval)}; "
                     f"I^2 = {self.I2:.1f}%; H^2 = {self.H2:.2f}")
        if not self.is_fixed:
            lines.append(f"tau^2 = {self.tau2:.5f} (Q-profile {self.level:g}% CI [{self.tau2_ci_lb:.5f}, {self.tau2_ci_ub:.5f}]); "
                         f"tau = {math.sqrt(self.tau2):.4f}; I^2 CI [{self.I2_ci_lb:.1f}%, {self.I2_ci_ub:.1f}%]")
        return "\n".join(lines)


def _p(p: float) -> str:
    return "p < .0001" if p < 1e-4 else f"p = {p:.4f}"


def _inference(beta, cov, test: str, df: int, level: float):
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):  # SE 0 (Knapp-Hartung, no residual): z is infinite
        stat = beta / se
    alpha = 1.0 - level / 100.0
    if test == "z":
        pval = 2.0 * dist.norm_sf(np.abs(stat))
        crit = dist.norm_isf(alpha / 2.0)
    else:
        pval = 2.0 * dist.t_sf(np.abs(stat), df)
        crit = dist.t_isf(alpha / 2.0, df)
    return se, stat, pval, beta - crit * se, beta + crit * se, crit


def knha_factor(rss: float, df: int) -> float:
    """The Knapp-Hartung scale of the coefficients' covariance, RSS / (k - p) with the
    weights 1 / (v + tau^2). A residual sum of squares at round-off level (at most machine
    epsilon, as when every effect is identical) is taken as exactly 0, as metafor does,
    so that the result does not depend on the order in which the rows were summed."""
    return 0.0 if rss <= np.finfo(float).eps else rss / df


def _fit(y, v, X, method: str, test: str, level: float, threshold: float | None = None):
    k, p = X.shape
    tau2 = estimate_tau2(y, v, X, method, threshold)
    fit = wls(y, v, X, tau2)
    cov = fit.cov
    if test == "knha":
        cov = cov * knha_factor(fit.rss, k - p)
    se, stat, pval, lb, ub, crit = _inference(fit.beta, cov, test, k - p, level)
    fe = fit if tau2 == 0.0 else wls(y, v, X)
    q = fe.rss
    return tau2, fit, cov, se, stat, pval, lb, ub, crit, q


def _i2_h2(tau2: float, vt: float, q: float, df: int, fixed: bool) -> tuple[float, float]:
    if fixed:
        i2 = max(0.0, 100.0 * (q - df) / q) if q > 0 else 0.0
        h2 = q / df
    else:
        i2 = 100.0 * tau2 / (vt + tau2)
        h2 = (vt + tau2) / vt
    return i2, h2


def pool(yi, vi, *, method: str = "REML", test: str = "z", level: float = 95.0,
         back_transform: bool = False, k_omitted: int = 0, threshold: float | None = None,
         tau2_ci: bool = True, pi: str = "z") -> PoolResult:
    """Pool effect sizes with a random-effects (or fixed-effect) model.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances on one scale (Fisher z for correlations).
    method : str
        tau^2 estimator: ``REML`` (default), ``DL``, ``PM``, ``ML``, ``HE``, ``SJ``, ``HS``,
        ``EB``; or ``FE`` for the fixed-effect model.
    test : {"z", "knha"}
        Normal-theory Wald inference or the Knapp-Hartung adjustment.
    level : float
        Confidence level in percent for the CI, PI and tau^2 interval.
    back_transform : bool
        Whether ``yi`` are Fisher z values whose results should also be reported as r.
    threshold : float, optional
        Convergence threshold for ML/REML (see :func:`~alliance_meta.engine.heterogeneity.estimate_tau2`).
    tau2_ci : bool
        Whether to compute the Q-profile interval for tau^2 and I^2 (the costly part of a
        fit; leave-one-out and cumulative analyses skip it).
    pi : {"z", "t"}
        The prediction interval's critical value: ``"z"`` that of the test (N(0, 1), or
        t(k - 1) under Knapp-Hartung, metafor's default); ``"t"`` t(k - 2) (Higgins,
        Thompson & Spiegelhalter 2009; metafor's ``pi.type = "riley"``), whose df
        ``pi_df = max(k - 2, 1)`` are reported. Either way the half-width is
        crit * sqrt(se^2 + tau^2) with the model's se. The fixed-effect model has no PI.

    Returns
    -------
    PoolResult
        Estimate, SE, test, CI, tau^2 with its Q-profile CI, I^2, H^2, Q and the
        prediction interval (``pi_df`` with ``pi="t"``), on the scale of ``yi`` (plus r
        when back-transformed).
    """
    _check_options(method, test)
    if pi not in PI_TYPES:
        raise InputError(f"unknown prediction interval {pi!r}; choose 'z' or 't'")
    y, v = _as_arrays(yi, vi)
    k = y.size
    if k < 2:
        raise InputError(f"pool needs at least 2 effect sizes with a value; found {k}")
    X = np.ones((k, 1))
    tau2, fit, cov, se, stat, pval, lb, ub, crit, q = _fit(y, v, X, method, test, level, threshold)
    df = k - 1
    fixed = method == "FE"
    vt = typical_variance(v, X)
    i2, h2 = _i2_h2(tau2, vt, q, df, fixed)
    res = PoolResult(
        k=k, method=method, test=test, estimate=float(fit.beta[0]), se=float(se[0]), stat=float(stat[0]),
        pval=float(pval[0]), ci_lb=float(lb[0]), ci_ub=float(ub[0]), tau2=float(tau2), I2=i2, H2=h2,
        Q=q, Q_df=df, Q_pval=float(dist.chi2_sf(q, df)), df=df if test == "knha" else None,
        k_omitted=k_omitted, level=level)
    if not fixed:
        if tau2_ci:
            t_lb, t_ub = q_profile_ci(y, v, X, level)
            res.tau2_ci_lb, res.tau2_ci_ub = t_lb, t_ub
            res.I2_ci_lb = 100.0 * t_lb / (vt + t_lb)
            res.I2_ci_ub = 100.0 * t_ub / (vt + t_ub)
        if pi == "t":
            # t(k - 2): k - p df less one for tau^2 (metafor's pi.type = "riley", which
            # raises df below 1 to 1)
            res.pi, res.pi_df = "t", max(k - 2, 1)
            crit = float(dist.t_isf((1.0 - level / 100.0) / 2.0, res.pi_df))
        half = crit * math.sqrt(se[0] ** 2 + tau2)
        res.pi_lb, res.pi_ub = res.estimate - half, res.estimate + half
    if back_transform:
        res.r, res.r_ci_lb, res.r_ci_ub = (float(np.tanh(x)) for x in (res.estimate, res.ci_lb, res.ci_ub))
        if not fixed:
            res.r_pi_lb, res.r_pi_ub = float(np.tanh(res.pi_lb)), float(np.tanh(res.pi_ub))
    return res


def pool_correlations(r, n, **kwargs) -> PoolResult:
    """Pool correlations on the Fisher z scale (yi = atanh r, vi = 1/(n - 3)).

    Returns the :class:`PoolResult` of :func:`pool` with ``back_transform=True``: z-scale
    estimate, CI and PI plus their tanh back-transforms ``r``, ``r_ci_lb`` ...
    """
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(np.abs(r) >= 1):
        raise InputError("every r must lie strictly between -1 and 1")
    if np.any(n < 4):
        raise InputError("every n must be at least 4 (the variance of z is 1/(n - 3))")
    return pool(effects.r_to_z(r), effects.var_z(n), back_transform=True, **kwargs)


# --------------------------------------------------------------------------- meta-regression


@dataclass
class Coefficient:
    """One meta-regression coefficient with its test and confidence interval."""

    name: str
    estimate: float
    se: float
    stat: float
    pval: float
    ci_lb: float
    ci_ub: float

    def to_dict(self) -> dict:
        return {"name": self.name, **{k: _clean(getattr(self, k)) for k in
                                      ("estimate", "se", "stat", "pval", "ci_lb", "ci_ub")}}


@dataclass
class MetaRegResult:
    """Result of a mixed-effects meta-regression (metafor ``rma(yi, vi, mods = ...)``).

    Coefficients are on the analysis scale (Fisher z for correlations). ``QM`` is the
    omnibus Wald chi-square of all moderators (an F statistic with ``test="knha"``),
    ``tau2`` the residual heterogeneity, ``R2`` the percentage of tau^2 of the
    intercept-only model that the moderators account for (0 when that tau^2 is 0, as in
    metafor; None for the fixed-effect model), ``Q`` the residual
    heterogeneity test and ``I2`` the residual I^2.
    """

    k: int
    method: str
    test: str
    coefficients: list[Coefficient]
    QM: float
    QM_df: int
    QM_pval: float
    tau2: float
    R2: float | None
    Q: float
    Q_df: int
    Q_pval: float
    I2: float
    df: int | None = None
    k_omitted: int = 0
    level: float = 95.0

    def to_dict(self) -> dict:
        """The JSON contract of ``alliance-meta pool --mods ... --json``."""
        return {"k": self.k, "coefficients": [c.to_dict() for c in self.coefficients],
                "QM": _clean(self.QM), "QM_df": self.QM_df, "QM_pval": _clean(self.QM_pval),
                "tau2": _clean(self.tau2), "R2": _clean(self.R2), "Q": _clean(self.Q),
                "Q_pval": _clean(self.Q_pval), "I2": _clean(self.I2)}

    def summary(self) -> str:
        head = ("Fixed-effects meta-regression" if self.method == "FE"
                else f"Mixed-effects meta-regression (tau^2 estimator: {self.method})")
        crit = "z" if self.test == "z" else f"t({self.df})"
        lines = [head, f"k = {self.k}" + (f" ({_left_out(self.k_omitted)})" if self.k_omitted else "")]
        width = max(len(c.name) for c in self.coefficients)
        lines.append(f"{'':{width}}  estimate        SE  {crit:>8}         p   {self.level:g}% CI")
        for c in self.coefficients:
            lines.append(f"{c.name:{width}}  {c.estimate:8.4f}  {c.se:8.4f}  {c.stat:8.3f}  {_p(c.pval).removeprefix('p = ').replace('p < ', '<'):>8}   "
                         f"[{c.ci_lb:.4f}, {c.ci_ub:.4f}]")
        test = "QM" if self.test == "z" else "F"
        lines.append(f"Moderators: {test}({self.QM_df}{'' if self.test == 'z' else ', ' + str(self.df)}) = {self.QM:.3f}, "
                     f"{_p(self.QM_pval)}")
        r2 = "n/a" if self.R2 is None else f"{self.R2:.1f}%"
        lines.append(f"Residual heterogeneity: tau^2 = {self.tau2:.5f}, I^2 = {self.I2:.1f}%, "
                     f"Q({self.Q_df}) = {self.Q:.3f}, {_p(self.Q_pval)}; R^2 = {r2}")
        return "\n".join(lines)


@dataclass
class Design:
    """A design matrix with named columns (the intercept first)."""

    X: np.ndarray
    names: list[str] = field(default_factory=list)


def _is_numeric(values: Sequence) -> bool:
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return True
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


#: Largest absolute value of a numeric moderator: k x^2 must stay finite in the fit's sums
#: (metafor fails there too, with "infinite or missing values").
MAX_MODERATOR = 1e150

#: Largest design matrix built (k x p doubles, 2 GiB): beyond it a moderator is an identifier.
MAX_DESIGN_CELLS = 2**28


def full_rank(X) -> bool:
    """Whether the columns of ``X`` are linearly independent, judged on columns scaled to unit
    length: a moderator measured in large units (a standard error of 1e50, a year in days)
    is not collinear with the intercept because of its scale alone."""
    X = np.asarray(X, dtype=float)
    # divided by its largest entry first, so that the length of a column of values near
    # 1e200 does not overflow (its square would) into a false "collinear"
    peak = np.max(np.abs(X), axis=0) if X.shape[0] else np.zeros(X.shape[1])
    if np.any(peak == 0) or not np.all(np.isfinite(peak)):
        return False
    X = X / peak
    norms = np.linalg.norm(X, axis=0)
    return bool(np.linalg.matrix_rank(X / norms) == X.shape[1])


def design_matrix(moderators: Mapping[str, Sequence], k: int) -> Design:
    """Build the design matrix for ``moderators`` (name -> values, one per effect size).

    A column whose values are all numbers enters as it is; any other column is
    categorical, treatment-coded with its first level in R's order as reference (the
    order R's ``factor`` gives the same labels: :mod:`.collation`, so that the reference is
    metafor's), one column ``name[level]`` per other level.
    """
    # Count the coefficients before building anything: a moderator with as many levels as
    # rows would otherwise allocate a k x k matrix only to be refused.
    numeric, levels_of = {}, {}
    for name, values in moderators.items():
        if len(values) != k:
            raise InputError(f"moderator {name!r} has {len(values)} values for {k} effect sizes")
        numeric[name] = _is_numeric(values)
        if not numeric[name]:
            levels_of[name] = len(set(str(x) for x in values))
    p = 1 + sum(1 if numeric[m] else max(levels_of[m] - 1, 0) for m in moderators)
    if p >= k and len(moderators):
        raise InputError(f"meta-regression with {p} coefficients needs more than {p} effect sizes; found {k}")
    if k * p > MAX_DESIGN_CELLS:
        raise InputError(f"a design of {k} effect sizes x {p} coefficients would need {k * p * 8 / 2**30:.1f} GiB; "
                         "a moderator with this many levels is an identifier, not a moderator")
    cols = [np.ones(k)]
    names = ["intercept"]
    for name, values in moderators.items():
        if numeric[name]:
            col = np.asarray(values, dtype=float)
            big = float(np.max(np.abs(col))) if col.size else 0.0
            if big > MAX_MODERATOR:   # squares and cross-products of the fit would overflow
                raise InputError(f"moderator {name!r} has values as large as {big:.3g}; the model's sums of "
                                 "squares would overflow: divide the column by a power of ten", column=name)
            cols.append(col)
            names.append(name)
        else:
            labels = np.asarray([str(x) for x in values])
            levels = r_sorted(set(labels.tolist()))
            if len(levels) < 2:
                raise InputError(f"moderator {name!r} has a single level ({levels[0]!r}); it cannot explain anything",
                                 column=name)
            for level in levels[1:]:
                cols.append((labels == level).astype(float))
                names.append(f"{name}[{level}]")
    return Design(np.column_stack(cols), names)


def metareg(yi, vi, moderators: Mapping[str, Sequence], *, method: str = "REML", test: str = "z",
            level: float = 95.0, k_omitted: int = 0) -> MetaRegResult:
    """Mixed-effects meta-regression of ``yi`` on ``moderators``.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z for correlations).
    moderators : mapping of str to sequence
        Moderator columns, each one value per effect size (see :func:`design_matrix`).
    method, test, level
        As in :func:`pool`; the residual tau^2 is estimated with ``method``.

    Returns
    -------
    MetaRegResult
        Coefficients (``intercept``, numeric names, ``column[level]``), QM, residual tau^2,
        R^2 against the intercept-only model fitted with the same estimator (for FE, as
        metafor, the adjusted R^2 of the weighted least-squares fit), residual Q and I^2.
    """
    _check_options(method, test)
    y, v = _as_arrays(yi, vi)
    k = y.size
    design = design_matrix(moderators, k)
    X = design.X
    p = X.shape[1]
    if p < 2:
        raise InputError("meta-regression needs at least one moderator")
    if k <= p:
        raise InputError(f"meta-regression with {p} coefficients needs more than {p} effect sizes; found {k}")
    if not full_rank(X):
        raise InputError("the moderators are collinear (one column is a combination of others); drop one")
    tau2, fit, cov, se, stat, pval, lb, ub, crit, q = _fit(y, v, X, method, test, level)
    coefs = [Coefficient(n, float(b), float(s), float(z), float(pv), float(lo), float(hi))
             for n, b, s, z, pv, lo, hi in zip(design.names, fit.beta, se, stat, pval, lb, ub)]
    b = fit.beta[1:]
    sub = cov[1:, 1:]
    qm = float(b @ np.linalg.solve(sub, b))
    m = p - 1
    if test == "knha":
        qm /= m
        qm_p = float(dist.f_sf(qm, m, k - p))
    else:
        qm_p = float(dist.chi2_sf(qm, m))
    fixed = method == "FE"
    vt = typical_variance(v, X)
    i2, _ = _i2_h2(tau2, vt, q, k - p, fixed)
    if fixed:
        # metafor's R^2 of a fixed-effect meta-regression: the adjusted R^2 of the weighted
        # least-squares fit lm(yi ~ X, weights = 1/vi), 1 - (Q_E / Q_0) (k - 1) / (k - p), with
        # Q_0 the weighted sum of squares about the weighted mean (0 when every yi is equal)
        w = 1.0 / v
        yc = y - float(np.dot(w, y) / w.sum())
        q0 = float(np.dot(w, yc * yc))
        r2 = 0.0 if np.all(y == y[0]) or q0 <= 0 else max(0.0, 100.0 * (1.0 - (q / q0) * (k - 1) / (k - p)))
    else:
        tau2_0 = estimate_tau2(y, v, np.ones((k, 1)), method)
        # metafor: with no heterogeneity to explain (tau^2 of the intercept-only model
        # exactly 0) the moderators explain 0%.
        r2 = 0.0 if tau2_0 == 0.0 else max(0.0, 100.0 * (tau2_0 - tau2) / tau2_0)
    return MetaRegResult(k=k, method=method, test=test, coefficients=coefs, QM=qm, QM_df=m, QM_pval=qm_p,
                         tau2=float(tau2), R2=r2, Q=q, Q_df=k - p, Q_pval=float(dist.chi2_sf(q, k - p)),
                         I2=i2, df=k - p if test == "knha" else None, k_omitted=k_omitted, level=level)
