"""Leaving one primary sample out at a time: the table, and the sentences that read it.

The fits come from :func:`alliance_meta.engine.leave1out` (REML, Fisher z); the sentences say how
far the pooled correlation moves, which sample moves it most, and whether the conclusion holds
without the most influential sample (its pool with :func:`~alliance_meta.evidence.overview.small_k_pool`,
so Knapp–Hartung intervals below ten samples). Below :data:`~alliance_meta.evidence.small_study.MIN_FIT`
samples nothing is left out, and the sentences say so.
"""

from __future__ import annotations

import numpy as np

from .overview import SMALL_K, small_k_pool
from .sentences import r_text
from .small_study import MIN_FIT, influence_words

#: The columns of :func:`leave_one_out_table`.
COLUMNS = ["sample", "r_without", "rstudent", "cooks", "hat"]


def leave_one_out_fit(per_sample):
    """:func:`alliance_meta.engine.leave1out` on the samples (REML, ``is_r``), or None with fewer
    than :data:`MIN_FIT` samples.

    Parameters
    ----------
    per_sample : pandas.DataFrame
        One row per sample with ``sample``, ``yi`` (Fisher z) and ``vi``.
    """
    if len(per_sample) < MIN_FIT:
        return None
    from ..engine.sensitivity import leave1out

    return leave1out(per_sample["yi"], per_sample["vi"], method="REML", is_r=True)


def leave_one_out_table(per_sample, l1o):
    """One row per sample left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``sample, r_without`` (pooled r without it), ``rstudent``, ``cooks`` and ``hat``;
        no rows when ``l1o`` is None.
    """
    import pandas as pd

    if l1o is None:
        return pd.DataFrame(columns=COLUMNS)
    return per_sample[["sample"]].assign(r_without=np.tanh(l1o.estimate), rstudent=l1o.rstudent, cooks=l1o.cooks,
                                         hat=l1o.hat)


def range_words(table) -> str:
    """The range of the pooled correlation with each sample left out, or why there is none."""
    if not len(table):
        return "With fewer than three samples, no sample can be left out with two still to pool."
    return (f"Leaving out one sample at a time, the pooled correlation ranges from {table['r_without'].min():.2f} to "
            f"{table['r_without'].max():.2f}.")


def influence_sentence(table, l1o) -> str:
    """:func:`~alliance_meta.evidence.small_study.influence_words` for the table, or an empty
    string when nothing was left out (:func:`range_words` says why)."""
    if l1o is None:
        return ""
    return influence_words(list(table["sample"]), np.tanh(l1o.estimate) - np.tanh(l1o.full_estimate), l1o.cooks,
                           getattr(l1o, "influential", None))


def most_influential(table):
    """The sample with the largest Cook's distance (the first on a tie), or None when the table has
    fewer than :data:`MIN_FIT` rows or no finite distance."""
    if len(table) < MIN_FIT:
        return None
    cooks = table["cooks"].astype(float)
    if not np.isfinite(cooks).any():
        return None
    return table["sample"].iloc[int(np.nanargmax(cooks.to_numpy()))]


def drop_words(per_sample, table) -> str:
    """The pooled correlation without the most influential sample beside the full pool, and whether
    the conclusion (the interval's relation to zero) rests on that sample.

    Returns
    -------
    str
        A clause for running text (no capital, no full stop), with :func:`small_k_pool` on both
        sides; a clause saying there is no sample to drop when fewer than three samples are left out.
    """
    drop = most_influential(table)
    if drop is None:
        return "with fewer than three samples there is no sample to drop and still pool"
    keep = (per_sample["sample"] != drop).to_numpy()
    full, _ = small_k_pool(per_sample["yi"], per_sample["vi"])
    fit, _ = small_k_pool(per_sample.loc[keep, "yi"], per_sample.loc[keep, "vi"])

    def zero(f) -> bool:
        return f.r_ci_lb <= 0 <= f.r_ci_ub

    reading = ("still includes zero" if zero(fit) and zero(full) else
               "now includes zero, so the conclusion rests on that sample" if zero(fit) else
               "still excludes zero, so the conclusion does not rest on that sample" if not zero(full) else
               "now excludes zero")
    return (f"without {drop} the pooled r is {r_text(fit.r)} ({r_text(fit.r_ci_lb)} to {r_text(fit.r_ci_ub)}), "
            f"against {r_text(full.r)} with it; the interval {reading}")


def drop_interval_words(table) -> str:
    """Which intervals :func:`drop_words` reports: Knapp–Hartung when the pool without the sample
    holds fewer than :data:`~alliance_meta.evidence.overview.SMALL_K` samples, else normal-quantile
    (z) intervals; empty when nothing is dropped."""
    if most_influential(table) is None:
        return ""
    left = len(table) - 1
    if left < SMALL_K:
        return " (Knapp–Hartung intervals, as for every pool of fewer than ten samples)"
    return " (normal-quantile intervals, as for every pool of ten samples or more)"


def drop_paragraph(per_sample, table) -> str:
    """:func:`drop_words` followed by :func:`drop_interval_words`: the clause the exercise's
    solution gives (no capital, no full stop)."""
    return drop_words(per_sample, table) + drop_interval_words(table)


__all__ = ["drop_paragraph", "COLUMNS", "leave_one_out_fit", "leave_one_out_table", "range_words", "influence_sentence",
           "most_influential", "drop_words", "drop_interval_words"]
