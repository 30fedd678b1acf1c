"""Estimators of the between-study variance tau^2, and its Q-profile confidence interval.

Every estimator works for an intercept-only model and for meta-regression (design matrix X
with p columns), on any effect-size scale (Fisher z in this project). Each returns tau^2
truncated at zero, as metafor's ``rma()`` does. References for each estimator are those
given by Viechtbauer (2005), *J. Educ. Behav. Stat.* 30, 261-293, and by the metafor
documentation (``?rma.uni``); the values are checked against metafor 3.8-1 in
``tests/test_heterogeneity.py`` and ``tests/test_metafor_alignment.py``.
"""

from __future__ import annotations

import math

import numpy as np
from . import distributions as dist

from .errors import InputError
from .weights import wls

#: Estimators of tau^2 that this module offers, with metafor's abbreviations.
METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "HS", "EB", "FE")

_TOL = 1e-12      # convergence threshold on tau^2 (metafor's control(threshold=))
#: metafor's default threshold, which some of its functions (e.g. trimfill) use for refits
#: whatever the control of the model they were given.
METAFOR_DEFAULT_THRESHOLD = 1e-5
_LL_TOL = np.finfo(float).eps ** 0.25  # metafor's control(tol=): how much higher ll(0) must be


class ConvergenceError(RuntimeError):
    """An iterative estimator did not converge."""


def _dof(X: np.ndarray) -> int:
    return X.shape[0] - X.shape[1]


def tau2_dl(y, v, X) -> float:
    """DerSimonian & Laird (1986) method-of-moments estimator, generalised to X:
    (Q_FE - (k - p)) / tr(P_FE)."""
    fit = wls(y, v, X)
    return max(0.0, (fit.rss - _dof(X)) / fit.tr_p())


def tau2_he(y, v, X) -> float:
    """Hedges (1983) / Hedges & Olkin (1985) estimator from unweighted least squares:
    (RSS_OLS - sum(v_i (1 - h_ii))) / (k - p), with h the OLS leverages."""
    a = np.linalg.inv(X.T @ X)
    beta = a @ (X.T @ y)
    e = y - X @ beta
    h = np.einsum("ij,jk,ik->i", X, a, X)
    return max(0.0, (float(e @ e) - float(np.dot(v, 1.0 - h))) / _dof(X))


def tau2_hs(y, v, X) -> float:
    """Hunter & Schmidt (2004) estimator: (Q_FE - k) / sum(1 / v_i)."""
    fit = wls(y, v, X)
    return max(0.0, (fit.rss - X.shape[0]) / fit.w.sum())


def tau2_sj(y, v, X) -> float:
    """Sidik & Jonkman (2005) two-step estimator.

    Starts from tau0 = the (biased, divisor k) variance of the effect sizes and returns
    tau0 * Q(tau0) / (k - p), where Q(tau0) is the weighted residual sum of squares with
    weights 1 / (v + tau0).
    """
    tau0 = float(np.mean((y - y.mean()) ** 2))
    if tau0 <= 0.0:  # all effect sizes equal: no spread to scale
        return 0.0
    return max(0.0, tau0 * wls(y, v, X, tau0).rss / _dof(X))


def generalised_q(tau2: float, y, v, X) -> float:
    """Generalised Q statistic, sum w_i(tau2) e_i(tau2)^2 (decreasing in tau2)."""
    return wls(y, v, X, tau2).rss


def _upper_bracket(f, start: float) -> float:
    hi = max(start, 1.0)
    for _ in range(200):
        if f(hi) < 0:
            return hi
        hi *= 4.0
    raise ConvergenceError("could not bracket tau^2: the effect sizes are too dispersed")


def q_contributions(y, v) -> np.ndarray:
    """Each effect size's share of Cochran's Q: ``w_i (y_i - ybar)^2`` with ``w_i = 1 / v_i``
    and ``ybar`` the fixed-effect mean (centred first, so large offsets lose no digits).

    Returns
    -------
    ndarray
        One contribution per row, on the scale of ``y`` squared over ``v``; they sum to Q
        (intercept-only model), so ``q_contributions(y, v) / Q`` names the rows that drive
        the heterogeneity test.
    """
    y = np.asarray(y, dtype=float)
    w = 1.0 / np.asarray(v, dtype=float)
    centre = y[np.argmax(w)]
    d = y - centre
    mean = float(np.dot(w, d) / w.sum())
    return w * (d - mean) ** 2


def zeroin(f, lower: float, upper: float, f_lower: float, f_upper: float, tol: float,
           maxiter: int = 1000) -> float:
    """Brent's (1973) root finder in the form R's ``uniroot()`` uses.

    metafor finds the Paule-Mandel tau^2 with ``uniroot(..., tol = .Machine$double.eps^0.25)``,
    i.e. to within about 1.2e-4, not to machine precision. Following the same iteration
    (Brent, *Algorithms for Minimization without Derivatives*, ch. 4: bisection guarded
    inverse quadratic interpolation) from the same bracket with the same tolerance
    reproduces metafor's estimate to the last digits, which an exact root would not.
    """
    eps = np.finfo(float).eps
    a, b, fa, fb = lower, upper, f_lower, f_upper
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2.0 * eps * abs(b) + tol / 2.0
        new_step = (c - b) / 2.0
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:  # secant step
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:  # inverse quadratic interpolation
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0.0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2.0) and p < abs(prev_step * q / 2.0):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0.0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0.0 and fc > 0.0) or (fb < 0.0 and fc < 0.0):
            c, fc = a, fa
    raise ConvergenceError("root search did not converge")


#: metafor's defaults for the Paule-Mandel search: the floor of tau2.max and uniroot's tolerance.
PM_TAU2_MAX = 100.0
PM_TOL = np.finfo(float).eps ** 0.25


def pm_upper(y) -> float:
    """metafor's upper end of the Paule-Mandel search: ``max(100, 10 * mad(yi)^2)``, with
    R's ``mad`` (the median absolute deviation scaled by 1.4826). Effect sizes on a wide
    scale (raw mean differences, say) need the wider bracket; a different bracket gives
    a different Brent iterate at uniroot's tolerance."""
    y = np.asarray(y, dtype=float)
    mad = 1.4826 * float(np.median(np.abs(y - np.median(y))))
    return max(PM_TAU2_MAX, 10.0 * mad**2)


def _exact_root(f, hi: float) -> float:
    """The root of a decreasing ``f`` on [0, hi] to machine precision."""
    return float(zeroin(f, 0.0, hi, f(0.0), f(hi), tol=0.0))


def tau2_pm(y, v, X) -> float:
    """Paule & Mandel (1982) estimator: the tau^2 at which the generalised Q equals its
    expected value k - p (zero when Q at tau^2 = 0 is already below k - p).

    The root is searched on [0, :func:`pm_upper`] with tolerance :data:`PM_TOL`, as metafor
    does (see :func:`zeroin`); when even the upper end leaves Q above k - p (metafor stops
    with an error there), the bracket is widened and the root found to machine precision.
    """
    target = _dof(X)

    def f(t):
        return generalised_q(t, y, v, X) - target

    f0 = f(0.0)
    if f0 <= 0.0:
        return 0.0
    upper = pm_upper(y)
    fmax = f(upper)
    if fmax <= 0.0:
        return float(zeroin(f, 0.0, upper, f0, fmax, PM_TOL))
    hi = _upper_bracket(f, upper)
    return _exact_root(f, hi)


def _loglik(tau2: float, y, v, X, reml: bool) -> float:
    fit = wls(y, v, X, tau2)
    k, p = X.shape
    ll = -0.5 * np.sum(np.log(v + tau2)) - 0.5 * fit.rss
    if reml:
        sign, logdet = np.linalg.slogdet(np.linalg.inv(fit.cov))
        return float(-0.5 * (k - p) * math.log(2 * math.pi) + ll - 0.5 * logdet)
    return float(-0.5 * k * math.log(2 * math.pi) + ll)


def _score(tau2: float, y, v, X, reml: bool) -> float:
    """Twice the derivative of the (restricted) log-likelihood with respect to tau^2."""
    fit = wls(y, v, X, tau2)
    return fit.ypp_y() - (fit.tr_p() if reml else fit.w.sum())


def _fisher_scoring(y, v, X, method: str, threshold: float = _TOL) -> float:
    """ML or REML tau^2 by Fisher scoring from the HE estimate, as metafor does.

    Plain scoring can oscillate without end (e.g. four equal effects and one precise
    outlier: each step overshoots the maximum). When it has not converged after 100 steps,
    the score is solved between the last two iterates on either side of the maximum,
    which is the point scoring would reach if it converged.
    """
    reml = method == "REML"
    tau2 = tau2_he(y, v, X)
    above = below = None  # iterates with positive / negative score
    for _ in range(100):
        fit = wls(y, v, X, tau2)
        score = fit.ypp_y() - (fit.tr_p() if reml else fit.w.sum())
        info = fit.tr_pp() if reml else float(np.sum(fit.w ** 2))
        if score > 0:
            above = tau2
        elif score < 0:
            below = tau2
        if not info > 0.0 or not math.isfinite(info):
            # tr(PP) lost to cancellation (weights many orders of magnitude apart in a model
            # with moderators): a step would be noise, so say so instead of dividing by it
            raise InputError(f"{method} could not be estimated: the Fisher information is not a positive number "
                             "(the sampling variances differ by too many orders of magnitude for this model)")
        step = score / info
        while tau2 + step < 0.0:  # step-halving keeps tau^2 admissible
            step /= 2.0
        tau2 += step
        if abs(step) <= threshold:
            break
    else:

        def f(t):
            return _score(t, y, v, X, reml)

        if above is not None and below is not None:
            lo, hi = sorted((above, below))
        else:
            # scoring wandered without bracketing the maximum: bracket the score's root
            # from the boundary instead (the score is positive below the maximum)
            lo = 0.0
            if f(lo) <= 0.0:
                return 0.0
            hi = _upper_bracket(f, max(float(np.var(y)), 1e-8))
        tau2 = float(zeroin(f, lo, hi, f(lo), f(hi), tol=0.0))
    tau2 = max(0.0, tau2)
    if tau2 > _TOL and _loglik(0.0, y, v, X, reml) - _loglik(tau2, y, v, X, reml) > _LL_TOL:
        tau2 = 0.0  # the boundary beats the interior maximum the scoring found
    return tau2


def tau2_eb(y, v, X) -> float:
    """Empirical Bayes estimator (Morris, 1983; Berkey et al., 1995): the tau^2 at which
    Q_gen(tau^2) k / (k - p) = k. Q_gen falls with tau^2, so the root is unique; it is the
    fixed point of metafor's scoring iteration, found here to machine precision."""
    k, p = X.shape

    def f(t):
        return generalised_q(t, y, v, X) * k / (k - p) - k

    if f(0.0) <= 0.0:
        return 0.0
    return _exact_root(f, _upper_bracket(f, float(np.var(y))))


def tau2_reml(y, v, X, threshold: float = _TOL) -> float:
    """Restricted maximum-likelihood estimator (Fisher scoring, as in metafor)."""
    return _fisher_scoring(y, v, X, "REML", threshold)


def tau2_ml(y, v, X, threshold: float = _TOL) -> float:
    """Maximum-likelihood estimator (Fisher scoring)."""
    return _fisher_scoring(y, v, X, "ML", threshold)


_ESTIMATORS = {
    "REML": tau2_reml, "ML": tau2_ml, "EB": tau2_eb, "DL": tau2_dl, "HE": tau2_he,
    "HS": tau2_hs, "SJ": tau2_sj, "PM": tau2_pm, "FE": lambda y, v, X: 0.0,
}


def estimate_tau2(y, v, X, method: str = "REML", threshold: float | None = None) -> float:
    """Estimate tau^2 with one of :data:`METHODS`.

    Parameters
    ----------
    y, v : ndarray (k,)
        Effect sizes and their sampling variances (same scale, e.g. Fisher z and 1/(n-3)).
    X : ndarray (k, p)
        Design matrix (a column of ones for the intercept-only model).
    method : str
        ``REML``, ``DL``, ``PM``, ``ML``, ``HE``, ``SJ``, ``HS``, ``EB`` or ``FE`` (tau^2 = 0).
    threshold : float, optional
        Convergence threshold of the ML/REML Fisher scoring (default 1e-12); pass
        :data:`METAFOR_DEFAULT_THRESHOLD` to reproduce a metafor refit made with default
        control.

    Returns
    -------
    float
        tau^2 >= 0 on the scale of ``y``.
    """
    try:
        est = _ESTIMATORS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}") from None
    args = (np.asarray(y, float), np.asarray(v, float), np.asarray(X, float))
    if threshold is not None and method in ("REML", "ML"):
        tau2 = float(est(*args, threshold=threshold))
    else:
        tau2 = float(est(*args))
    # Identical effect sizes leave round-off (~1e-65) in moment formulas such as SJ's;
    # that is not heterogeneity, so anything below this floor is reported as 0.
    return 0.0 if tau2 < 1e-14 * float(np.mean(args[1])) else tau2


def q_profile_ci(y, v, X, level: float = 95.0) -> tuple[float, float]:
    """Q-profile confidence interval for tau^2 (Viechtbauer, 2007, *Stat. Med.* 26, 37-52).

    The limits are the tau^2 at which the generalised Q equals the upper and lower
    (1 - level)/2 quantiles of chi-square with k - p degrees of freedom. A limit that
    would be negative is set to zero, as metafor does.

    Returns
    -------
    (float, float)
        Lower and upper confidence limit for tau^2.
    """
    y = np.asarray(y, float)
    v = np.asarray(v, float)
    X = np.asarray(X, float)
    df = _dof(X)
    alpha = 1.0 - level / 100.0
    crit_lb = dist.chi2_ppf(1.0 - alpha / 2.0, df)
    crit_ub = dist.chi2_ppf(alpha / 2.0, df)
    q0 = generalised_q(0.0, y, v, X)

    def root(crit):
        def f(t):
            return generalised_q(t, y, v, X) - crit
        hi = _upper_bracket(f, float(np.var(y)))
        return _exact_root(f, hi)

    lb = 0.0 if q0 < crit_lb else root(crit_lb)
    ub = 0.0 if q0 < crit_ub else root(crit_ub)
    return lb, ub
