"""The three-parameter selection model (Vevea & Hedges, 1995): one step in the one-sided p-value.

Each row's one-sided p-value (alternative "greater") is p_i = 1 - Phi(y_i / sqrt(v_i)); a
row with p_i <= alpha (default .025, the step) is published with weight 1, any other row
with relative weight delta. With y_i ~ N(mu, s_i^2), s_i^2 = v_i + tau^2, the likelihood of
the observed rows is the normal density reweighted and renormalised,

    ll = sum_i [ [p_i > alpha] log delta + log phi((y_i - mu) / s_i) - log s_i - log A_i ],
    A_i = P(Y_i > c_i) + delta P(Y_i <= c_i) = Phi(-z_i) + delta Phi(z_i),
    c_i = z_{1-alpha} sqrt(v_i),   z_i = (c_i - mu) / s_i,

which is metafor's ``selmodel(fit, type = "stepfun", steps = alpha)`` (3.8; its
``.selmodel.ll.stepfun``), fitted by maximum likelihood with delta in (0, 100] (metafor's
default bounds) and tested against delta = 1 (the ordinary random-effects model fitted
by ML) with a likelihood-ratio test on one degree of freedom. The SE of mu comes from the
inverse Hessian of -ll in (mu, tau^2, delta), as metafor's default (``htransf = FALSE``).

The likelihood is flat in delta and tau^2 near its maximum, so the maximum is found by a
damped Newton iteration on the analytic gradient and Hessian from several starting points
(up to :data:`MULTISTART_K` rows; from the no-selection fit alone above), keeping the
highest log-likelihood; every quantity is a sum over rows (time and memory linear in k).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from . import distributions as dist
from .effects import effect_arrays
from .errors import InputError

#: metafor's default upper bound of delta (``delta.max``); an estimate there is not interior
DELTA_MAX = 100.0
#: up to this many rows the fit is started from five values of delta and two of tau^2
MULTISTART_K = 10_000
_LOG2PI = math.log(2.0 * math.pi)


class SelectionModelError(InputError):
    """The selection model cannot be estimated on these data (an empty p-value interval,
    too few rows)."""


@dataclass
class SelectionResult:
    """A fitted step-function selection model.

    ``estimate`` is mu, the mean of the unselected effects on the analysis scale (Fisher z
    for correlations), with its Hessian-based ``se`` and Wald ``ci_lb, ci_ub`` (normal);
    ``tau2`` the ML between-study variance; ``delta`` the weights of the p-value intervals
    (the first, p <= step, fixed at 1); ``lrt`` and ``lrt_pval`` the likelihood-ratio test
    of delta = 1 (chi-square, 1 df); ``logLik`` the maximised (ML) log-likelihood and
    ``logLik0`` that of the random-effects model without selection. ``k_interval`` counts
    the rows in each interval. ``note`` is empty unless the fit sits on a boundary (delta
    at its upper bound of 100: no interior maximum; tau^2 = 0) or the Hessian is not
    invertible; then it says so and the results are to be read with caution.
    """

    k: int
    estimate: float
    se: float
    ci_lb: float
    ci_ub: float
    tau2: float
    delta: tuple[float, float]
    lrt: float
    lrt_pval: float
    logLik: float
    logLik0: float
    step: float
    k_interval: tuple[int, int]
    level: float = 95.0
    is_r: bool = False
    note: str = ""
    fixed_effect: bool = False

    def to_dict(self) -> dict:
        """Keys ``estimate, se, ci_lb, ci_ub, tau2, delta, lrt, lrt_pval, logLik`` (+ ``note``
        when the fit is on a boundary); non-finite values as None."""
        from .models import _clean

        out = {key: _clean(getattr(self, key)) for key in
               ("estimate", "se", "ci_lb", "ci_ub", "tau2")}
        out["delta"] = [_clean(d) for d in self.delta]
        out.update({key: _clean(getattr(self, key)) for key in ("lrt", "lrt_pval", "logLik")})
        if self.note:
            out["note"] = self.note
        return out

    def summary(self) -> str:
        """A readable report of the fit."""
        from .models import _p

        back = (f" (r = {math.tanh(self.estimate):.3f}, {self.level:g}% CI [{math.tanh(self.ci_lb):.3f}, "
                f"{math.tanh(self.ci_ub):.3f}])" if self.is_r and math.isfinite(self.se) else "")
        fit = "fixed effect, tau^2 = 0" if self.fixed_effect else "ML"
        lines = [f"Selection model (Vevea & Hedges, step at one-sided p = {self.step:g}; {fit}): "
                 f"{self.k_interval[0]} rows with p <= {self.step:g}, {self.k_interval[1]} above",
                 f"  adjusted estimate {self.estimate:.4f}, SE {self.se:.4f}, {self.level:g}% CI "
                 f"[{self.ci_lb:.4f}, {self.ci_ub:.4f}]{back}; tau^2 = {self.tau2:.5f}",
                 f"  relative publication weight of p > {self.step:g}: delta = {self.delta[1]:.4f}; "
                 f"LRT of delta = 1: chi2(1) = {self.lrt:.3f}, {_p(self.lrt_pval)}"]
        if self.note:
            lines.append("  Note: " + self.note)
        return "\n".join(lines)


# --------------------------------------------------------------------------- the likelihood


def _loglik(theta, y, v, c, nonsig, derivatives: int = 2):
    """Log-likelihood, gradient and Hessian in (mu, tau^2, delta).

    The derivatives are analytic: with e = y - mu, S = v + tau^2, s = sqrt(S), z = (c - mu)
    / s and A = Phi(-z) + delta Phi(z), the row terms are
    N = -1/2 log S - e^2 / (2S) and -log A, with z_mu = -1/s, z_t = -z / (2S),
    z_mu,t = 1 / (2 s S), z_t,t = 3z / (4 S^2), A_z = (delta - 1) phi(z),
    A_zz = -z A_z, A_delta = Phi(z), A_z,delta = phi(z).
    """
    mu, tau2, delta = theta
    S = v + tau2
    s = np.sqrt(S)
    e = y - mu
    z = (c - mu) / s
    Phi = special.ndtr(z)
    A = special.ndtr(-z) + delta * Phi
    n2 = float(np.count_nonzero(nonsig))
    ll = float(n2 * math.log(delta) - 0.5 * y.size * _LOG2PI
               - 0.5 * np.sum(np.log(S)) - 0.5 * np.sum(e * e / S) - np.sum(np.log(A)))
    if derivatives == 0:
        return ll, None, None
    phi = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    d = delta - 1.0
    ratio = phi / A
    z_m = -1.0 / s
    z_t = -z / (2.0 * S)
    # d log A / d a = A_a / A
    La_m = d * ratio * z_m
    La_t = d * ratio * z_t
    La_d = Phi / A
    g = np.array([
        np.sum(e / S) - np.sum(La_m),
        np.sum(-0.5 / S + 0.5 * e * e / (S * S)) - np.sum(La_t),
        n2 / delta - np.sum(La_d),
    ])
    if derivatives == 1:
        return ll, g, None
    z_mt = 1.0 / (2.0 * s * S)
    z_tt = 3.0 * z / (4.0 * S * S)
    # second derivatives of log A: A_ab / A - (A_a / A)(A_b / A)
    Lmm = d * ratio * (-z * z_m * z_m) - La_m * La_m
    Lmt = d * ratio * (-z * z_m * z_t + z_mt) - La_m * La_t
    Ltt = d * ratio * (-z * z_t * z_t + z_tt) - La_t * La_t
    Lmd = ratio * z_m - La_m * La_d
    Ltd = ratio * z_t - La_t * La_d
    Ldd = -La_d * La_d
    H = np.empty((3, 3))
    H[0, 0] = np.sum(-1.0 / S) - np.sum(Lmm)
    H[0, 1] = H[1, 0] = np.sum(-e / (S * S)) - np.sum(Lmt)
    H[1, 1] = np.sum(0.5 / (S * S) - e * e / (S * S * S)) - np.sum(Ltt)
    H[0, 2] = H[2, 0] = -np.sum(Lmd)
    H[1, 2] = H[2, 1] = -np.sum(Ltd)
    H[2, 2] = -n2 / (delta * delta) - np.sum(Ldd)
    return ll, g, H


def _newton(theta, free, lower, upper, scale, f, maxiter: int = 200):
    """Maximise ``f`` (returning ll, gradient, Hessian) over the ``free`` components within
    [lower, upper], by Newton steps on the scaled parameters with the Hessian's eigenvalues
    made negative (so every step is an ascent direction), step halving, and an active set
    for components that sit on a bound with the gradient pointing outside."""
    theta = np.clip(np.asarray(theta, float), lower, upper)
    ll, g, H = f(theta)
    for _ in range(maxiter):
        at_low = (theta <= lower) & (g < 0)
        at_up = (theta >= upper) & (g > 0)
        act = free & ~at_low & ~at_up
        if not act.any():
            break
        gs = g[act] * scale[act]
        Hs = H[np.ix_(act, act)] * np.outer(scale[act], scale[act])
        val, vec = np.linalg.eigh(Hs)
        floor = 1e-8 * max(1.0, float(np.max(np.abs(val))))
        val = -np.maximum(np.abs(val), floor)           # negative definite model of -ll's curvature
        step_s = -(vec @ ((vec.T @ gs) / val))
        step = np.zeros_like(theta)
        step[act] = step_s * scale[act]
        decrement = float(gs @ step_s)                   # predicted gain x 2 (>= 0)
        if decrement < 1e-20 * max(1.0, abs(ll)):
            break
        t = 1.0
        for _ in range(60):
            new = np.clip(theta + t * step, lower, upper)
            try:
                cand = f(new)
            except FloatingPointError:
                cand = (-math.inf, None, None)
            if math.isfinite(cand[0]) and cand[0] >= ll - 1e-13 * max(1.0, abs(ll)):
                break
            t /= 2.0
        else:
            break
        change = np.max(np.abs(new - theta) / scale)
        theta, (ll, g, H) = new, cand
        if change < 1e-13:
            break
    return theta, ll, g, H


def selection_model(yi, vi, *, step: float = 0.025, level: float = 95.0, is_r: bool = False,
                    fixed_effect: bool = False) -> SelectionResult:
    """Fit the three-parameter step-function selection model (Vevea & Hedges, 1995).

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z and 1/(n - 3) for correlations).
    step : float
        The one-sided p-value (alternative "greater") that splits the rows into two
        intervals; the weight of the first (p <= step) is fixed at 1.
    level : float
        Confidence level of the interval for mu, in percent.
    fixed_effect : bool
        Hold tau^2 at 0 (metafor's ``selmodel`` of a fixed-effect fit); otherwise tau^2 is
        estimated by ML, whatever estimator the fit it starts from used.

    Returns
    -------
    SelectionResult
        mu (``estimate``) with its SE and CI, tau^2, delta = (1, delta_2), the LRT of
        delta_2 = 1 and the log-likelihood, as metafor's ``selmodel(type = "stepfun")``.

    Raises
    ------
    SelectionModelError
        Fewer than 3 rows, or an interval of p-values without a row (its weight would not
        be identified; metafor refuses the same).
    """
    y, v = effect_arrays(yi, vi)
    if not 0.0 < step < 1.0:
        raise InputError(f"the step of the selection model must be a p-value in (0, 1); got {step:g}")
    k = y.size
    if k < 3:
        raise SelectionModelError(f"the selection model estimates 3 parameters and needs at least 3 effect sizes; "
                                  f"found {k}")
    pvals = dist.norm_sf(y / np.sqrt(v))
    nonsig = pvals > step
    n2 = int(np.count_nonzero(nonsig))
    n1 = k - n2
    if n1 == 0 or n2 == 0:
        which = f"p <= {step:g}" if n1 == 0 else f"p > {step:g}"
        raise SelectionModelError(f"no effect size has a one-sided p-value {which}: the selection model's weight "
                                  "for that interval cannot be estimated")
    c = float(dist.norm_isf(step)) * np.sqrt(v)
    f = lambda th: _loglik(th, y, v, c, nonsig)  # noqa: E731
    mv = float(np.mean(v))
    sd_y = float(np.std(y)) if k > 1 else 0.0
    # typical sizes of (mu, tau^2, delta): Newton's eigenvalue floor and stopping rule act on
    # the parameters divided by them, so that neither the scale of y nor k steers the search
    scale = np.array([max(math.sqrt(mv / k), 1e-3 * sd_y, 1e-12), max(mv, sd_y ** 2, 1e-12), 1.0])
    lower = np.array([-math.inf, 0.0, 1e-10])
    upper = np.array([math.inf, math.inf, DELTA_MAX])

    # the random-effects model by ML (delta = 1): the null of the LRT and the first start
    from .heterogeneity import estimate_tau2

    X1 = np.ones((k, 1))
    t0 = 0.0 if fixed_effect else estimate_tau2(y, v, X1, "ML")
    w = 1.0 / (v + t0)
    m0 = float(np.sum(w * y) / np.sum(w))
    free0 = np.array([True, not fixed_effect, False])
    th0, ll0, _, _ = _newton(np.array([m0, t0, 1.0]), free0, lower, upper, scale, f)

    free = np.array([True, not fixed_effect, True])
    best = None
    # several starts guard against a flat or two-humped likelihood in small samples; with
    # many rows it is sharply peaked and one start (no selection) is enough (linear time)
    small = k <= MULTISTART_K
    for d0 in ((1.0, 0.5, 2.0, 0.1, 10.0) if small else (1.0,)):
        for start_tau2 in ({th0[1], th0[1] + 0.001 * max(1.0, mv)} if small and not fixed_effect else {th0[1]}):
            th, ll, g, H = _newton(np.array([th0[0], start_tau2, d0]), free, lower, upper, scale, f)
            if best is None or ll > best[1]:
                best = (th, ll, g, H)
    theta, ll, g, H = best
    mu, tau2, delta = (float(x) for x in theta)

    notes = []
    if delta >= DELTA_MAX * (1.0 - 1e-9):
        notes.append(f"delta is at its upper bound of {DELTA_MAX:g}: the likelihood has no interior maximum "
                     "(the rows with p > step are far more frequent than any normal model explains)")
    hest = np.array([True, True, True])
    if fixed_effect:
        hest[1] = False
    elif tau2 <= 0.0:
        notes.append("tau^2 is estimated at its boundary of 0; the SE treats it as known")
        hest[1] = False
    Hn = -H[np.ix_(hest, hest)]
    se = math.nan
    try:
        L = np.linalg.cholesky(Hn)
        inv = np.linalg.inv(L.T) @ np.linalg.inv(L)
        se = math.sqrt(inv[0, 0])
    except np.linalg.LinAlgError:
        notes.append("the Hessian is not positive definite: no standard error")
    crit = float(dist.norm_isf((1.0 - level / 100.0) / 2.0))
    lrt = max(0.0, 2.0 * (ll - ll0))
    return SelectionResult(k=k, estimate=mu, se=se, ci_lb=mu - crit * se, ci_ub=mu + crit * se, tau2=tau2,
                           delta=(1.0, delta), lrt=lrt, lrt_pval=float(dist.chi2_sf(lrt, 1)), logLik=ll, logLik0=ll0,
                           step=step, k_interval=(n1, n2), level=level, is_r=is_r, note="; ".join(notes),
                           fixed_effect=fixed_effect)


__all__ = ["selection_model", "SelectionResult", "SelectionModelError", "DELTA_MAX"]
