"""The pooled correlation of the primary samples, and the sentences that report it.

The pooling chapter averages the rows of each sample (:func:`~alliance_meta.evidence.aggregate.by_sample`)
and pools the samples with :func:`~alliance_meta.evidence.overview.small_k_pool` (Knapp–Hartung and a
t(k − 2) prediction interval below ten samples). With fewer than two samples nothing is pooled, and
every sentence says so instead of reporting a number.
"""

from __future__ import annotations

from ..engine.wording import p_text
from .aggregate import by_sample
from .overview import small_k_pool

#: The fewest samples that are pooled.
MIN_POOL = 2


def _plural(k: int, word: str = "sample") -> str:
    return f"{k} {word}{'s' * (k != 1)}"


def samples_with_year(es, refs, keep=("study",)):
    """One row per sample (:func:`by_sample`) with the publication year of its first study.

    Parameters
    ----------
    es : pandas.DataFrame
        Primary correlations.
    refs : dict
        The bibliography (key -> entry with ``year``), as :func:`load_references` returns it.
    keep : tuple of str
        Columns to carry over; ``study`` is added when missing.

    Returns
    -------
    pandas.DataFrame
        :func:`by_sample`'s columns plus ``year`` (int, the first four characters of the entry's
        year); a study without a year in the bibliography raises ``KeyError`` naming it, as the
        validator guarantees every key is there.
    """
    keep = tuple(keep) if "study" in keep else ("study", *keep)
    per = by_sample(es, keep=keep)
    per["year"] = [int(refs[key].year[:4]) for key in per["study"]]
    return per


def primary_pool(es):
    """The samples of ``es`` and their random-effects pool.

    Returns
    -------
    tuple
        ``(per_sample, main, normal)``: one row per sample (keeping ``study`` and
        ``alliance_dyad``), and the two fits of :func:`small_k_pool` (Fisher z, r back-transformed),
        both None with fewer than :data:`MIN_POOL` samples.
    """
    per = by_sample(es, keep=("study", "alliance_dyad"))
    if len(per) < MIN_POOL:
        return per, None, None
    main, normal = small_k_pool(per["yi"], per["vi"])
    return per, main, normal


def pool_sentences(main, normal, k: int, zero_order_samples: int | None = None) -> dict:
    """The pooling chapter's sentences on a pool of :func:`primary_pool`.

    Returns
    -------
    dict
        ``pool_result`` (estimate, intervals named by method, the heterogeneity test and I²),
        ``pool_pi`` (the prediction interval) and ``pool_summary`` (one line for the summary);
        with no pool, sentences saying that nothing is pooled and ``pool_pi`` empty. The summary
        says the pool is reported with and without converted values, unless
        ``zero_order_samples`` (samples resting only on zero-order correlations) is below two,
        when it says that those samples are too few to pool alone.
    """
    from .overview import pool_words

    if main is None:
        result = ("The dataset holds no sample, so nothing is pooled." if k == 0 else
                  f"With {k} independent sample{'s' * (k != 1)}, nothing is pooled: a single study is not "
                  "a synthesis.")
        return {"pool_result": result, "pool_pi": "",
                "pool_summary": f"With {_plural(k)}, the dataset gives no pooled correlation."}
    verdict_words = ("vary more than sampling error allows" if main.Q_pval < 0.05
                     else "do not vary detectably more than sampling error allows")
    result = ("Estimated with restricted maximum likelihood, the pooled correlation of all samples is "
              + pool_words(main, normal)
              + (" With few samples the Knapp–Hartung interval and a prediction interval on t(k − 2) are the result; "
                 "the normal-quantile figures are a sensitivity analysis." if main.test == "knha" else "")
              + f" The correlations {verdict_words}: Q({main.Q_df}) = {main.Q:.1f} ({p_text(main.Q_pval)}), and "
              f"I² = {main.I2:.0f}% of the variation is between samples (95% CI {main.I2_ci_lb:.0f}% to "
              f"{main.I2_ci_ub:.0f}%).")
    return {"pool_result": result,
            "pool_pi": f"The prediction interval, {main.r_pi_lb:.2f} to {main.r_pi_ub:.2f}, adds the estimated "
                       "differences between samples to the uncertainty of the mean.",
            "pool_summary": f"The pooled alliance–outcome correlation in this dataset is {main.r:.2f}, with a "
                            f"prediction interval from {main.r_pi_lb:.2f} to {main.r_pi_ub:.2f}; "
                            + ("pooled with and without converted values, it is reported both ways."
                               if zero_order_samples is None or zero_order_samples >= MIN_POOL else
                               "the samples resting only on zero-order correlations are too few to pool alone.")}


def fit_summary(fit, k: int) -> str:
    """The printed summary of a fit, or a sentence saying that no model was fitted to ``k`` samples."""
    if fit is None:
        return f"No model is fitted: {_plural(k)}, fewer than {MIN_POOL}."
    return fit.summary()


def dyad_pools(per_sample, *, min_samples: int = MIN_POOL):
    """Pool the samples of each alliance dyad that holds at least ``min_samples`` of them.

    Parameters
    ----------
    per_sample : pandas.DataFrame
        One row per sample with ``yi``, ``vi`` and ``alliance_dyad`` (:func:`primary_pool`).

    Returns
    -------
    pandas.DataFrame
        Columns ``dyad, samples, r, ci_lb, ci_ub, I2`` (REML, z test, r back-transformed), one row
        per dyad in sorted order; no row for a dyad with fewer samples (possibly no rows at all).
    """
    import pandas as pd

    from ..engine.models import pool

    rows = []
    for dyad, group in per_sample.groupby("alliance_dyad"):
        if len(group) < min_samples:
            continue
        sub = pool(group["yi"], group["vi"], back_transform=True)
        rows.append({"dyad": dyad, "samples": sub.k, "r": sub.r, "ci_lb": sub.r_ci_lb, "ci_ub": sub.r_ci_ub,
                     "I2": sub.I2})
    return pd.DataFrame(rows, columns=["dyad", "samples", "r", "ci_lb", "ci_ub", "I2"])


def dyad_pools_words(table) -> str:
    """What :func:`dyad_pools` leaves out, in one sentence: empty when at least one dyad is pooled."""
    if len(table):
        return ""
    return "*No dyad holds two or more samples, so none is pooled on its own.*"


__all__ = ["MIN_POOL", "samples_with_year", "primary_pool", "pool_sentences", "fit_summary", "dyad_pools",
           "dyad_pools_words"]
