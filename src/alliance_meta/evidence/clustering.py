"""Whether the primary correlations can support a model of their dependence, and what it says.

A three-level model separates the variance between samples from the variance between the
correlations of one sample. That split is identified only by samples that report several
correlations: with fewer than :data:`MIN_MULTI` of them the within-sample variance rests on one
sample's rows and the model is not fitted; the sentences say so instead. Robust (CR2) inference
is likewise read only with :data:`MIN_CLUSTERS` clusters or more.
"""

from __future__ import annotations

import math

from ..engine.wording import number_word

#: Samples with two or more correlations needed before the three-level model is fitted.
MIN_MULTI = 2
#: Clusters below which CR2 degrees of freedom are too few to read its interval as a finding.
MIN_CLUSTERS = 10


def cluster_counts(es) -> dict:
    """Rows, samples, samples with several rows and the largest number of rows in one sample."""
    per = es.groupby("sample").size()
    return {"rows": int(len(es)), "samples": int(per.size), "multi": int((per > 1).sum()),
            "max": int(per.max()) if per.size else 0}


def three_level_fit(es):
    """The three-level model of every correlation (REML, t test, CR2), or None when fewer than
    :data:`MIN_MULTI` samples report several correlations.

    Returns
    -------
    ThreeLevelResult or None
    """
    from ..engine.effects import r_to_z, var_z
    from ..engine.multilevel import three_level

    counts = cluster_counts(es)
    if counts["multi"] < MIN_MULTI or counts["samples"] < 3:
        return None
    yi = r_to_z(es["r"].to_numpy(float))
    vi = var_z(es["n"].to_numpy(float))
    return three_level(yi, vi, es["sample"].to_list(), test="t", robust_se=True, is_r=True)


def three_level_words(es, fit, two) -> str:
    """What the three-level model says, in sentences computed from its fit and the data.

    ``fit`` is :func:`three_level_fit`'s result (None when not fitted); ``two`` the
    sample-averaged pool of the same rows (a PoolResult with ``r``), for comparison.
    """
    from .sentences import r_text

    c = cluster_counts(es)
    rows = (f"The {c['rows']} correlation comes" if c["rows"] == 1 else f"The {c['rows']} correlations come")
    head = (f"{rows} from {c['samples']} sample{'s' * (c['samples'] != 1)}; {number_word(c['multi'])} "
            f"sample{'s' * (c['multi'] != 1)} contribute{'s' * (c['multi'] == 1)} more than one"
            + (f" (up to {c['max']})." if c["multi"] else "."))
    if fit is None:
        return (head + f" A three-level model needs at least {number_word(MIN_MULTI)} samples with several "
                "correlations to tell the variance between samples from the variance within them, so it is not "
                "fitted here; the sample-averaged model of the pooling chapter is the analysis, and the code below "
                "shows the model a researcher with more such samples would run.")
    est, lb, ub = math.tanh(fit.estimate), math.tanh(fit.ci_lb[0]), math.tanh(fit.ci_ub[0])
    text = (head + f" Keeping every correlation, the three-level model estimates r = {r_text(est)} (95% CI "
            f"{r_text(lb)} to {r_text(ub)}, t test with {fit.df} degrees of freedom); between samples "
            f"σ² = {fit.sigma2_between:.4f}, within samples σ² = {fit.sigma2_within:.4f}.")
    if min(fit.sigma2_between, fit.sigma2_within) < 1e-8:
        text += (" One of the two variances is estimated at its boundary of zero, so the split between them is not "
                 "interpreted.")
    elif c["multi"] < MIN_CLUSTERS:
        text += (f" With {number_word(c['multi'])} samples that report several correlations, the split is estimated "
                 "imprecisely.")
    rob = fit.robust
    text += (f" With CR2 standard errors the interval is {r_text(math.tanh(rob.ci_lb[0]))} to "
             f"{r_text(math.tanh(rob.ci_ub[0]))} (Satterthwaite df = {rob.df[0]:.1f})")
    text += ("; with so few clusters that interval is shown, not read as a finding." if c["samples"] < MIN_CLUSTERS
             else ".")
    if two is not None:
        text += f" The sample-averaged model gives r = {r_text(two.r)}."
    return text


def naive_comparison_words(fit) -> str:
    """Why the naive and the three-level standard errors differ, or agree, on these data."""
    if fit is None:
        return ("On these data the book does not fit the three-level model (too few samples report several "
                "correlations); fitted anyway for this exercise, its variance between samples rests on so few "
                "samples that a difference between the standard errors says little.")
    if fit.sigma2_between < 1e-8:
        return ("Here the between-sample variance is estimated at zero, so the three-level model reduces to the naive "
                "one and the two standard errors agree; the CR2 standard error is the one that does not depend on "
                "that estimate.")
    return ("Here the between-sample variance is above zero, so the three-level standard error is the larger; the CR2 "
            "standard error does not depend on the model being right.")


def row_arrays(es):
    """Every correlation of ``es`` on the Fisher z scale with its sampling variance 1/(n − 3).

    Returns
    -------
    tuple of numpy.ndarray
        ``(yi, vi)``, one element per row in table order.
    """
    from ..engine.effects import r_to_z, var_z

    return r_to_z(es["r"].to_numpy(float)), var_z(es["n"].to_numpy(float))


def sample_average_pool(es):
    """The random-effects pool (REML, z test, r back-transformed) of the samples of ``es``, each
    the average of its rows (:func:`~alliance_meta.evidence.aggregate.by_sample`); None with fewer
    than two samples."""
    from ..engine.models import pool
    from .aggregate import by_sample

    agg = by_sample(es)
    if len(agg) < 2:
        return None
    return pool(agg["yi"], agg["vi"], back_transform=True)


def three_level_printout(fit) -> str:
    """The summary of a :func:`three_level_fit`, or, when it was not fitted, the call a researcher
    with more samples of several correlations would run (marked as not fitted here)."""
    if fit is None:
        return "three_level(yi, vi, es['sample'].to_list(), test='t', robust_se=True, is_r=True)  # not fitted here"
    return fit.summary()


__all__ = ["row_arrays", "sample_average_pool", "three_level_printout", "cluster_counts", "three_level_fit", "three_level_words", "naive_comparison_words", "MIN_MULTI",
           "MIN_CLUSTERS"]
