"""How the pooled primary correlation accumulated, sample by sample, in order of publication.

The fits come from :func:`alliance_meta.engine.cumulative` (REML, Fisher z, samples ordered by the
year of their first report, ties in table order); below
:data:`~alliance_meta.evidence.small_study.MIN_FIT` samples there is no accumulation to show and
the sentence says so.
"""

from __future__ import annotations

import numpy as np

from .small_study import MIN_FIT

#: The columns of :func:`cumulative_table`.
COLUMNS = ["sample", "year", "r", "ci_lb", "ci_ub"]


def cumulative_fit(per_sample):
    """:func:`alliance_meta.engine.cumulative` of the samples ordered by ``year``, or None with
    fewer than :data:`MIN_FIT` samples.

    Parameters
    ----------
    per_sample : pandas.DataFrame
        One row per sample with ``sample``, ``yi``, ``vi`` and ``year``
        (:func:`~alliance_meta.evidence.primary_pool.samples_with_year`).
    """
    if len(per_sample) < MIN_FIT:
        return None
    from ..engine.sensitivity import cumulative

    return cumulative(per_sample["yi"], per_sample["vi"], per_sample["year"].to_list(), method="REML",
                      order_by="year", is_r=True)


def cumulative_table(per_sample, cum):
    """One row per step: the sample added, its year and the pooled r with its interval so far.

    Returns
    -------
    pandas.DataFrame
        Columns ``sample, year, r, ci_lb, ci_ub`` (r scale), in the order of addition; no rows
        when ``cum`` is None.
    """
    import pandas as pd

    if cum is None:
        return pd.DataFrame(columns=COLUMNS)
    ordered = per_sample.iloc[cum.order]
    return ordered[["sample", "year"]].assign(r=np.tanh(cum.estimate), ci_lb=np.tanh(cum.ci_lb),
                                              ci_ub=np.tanh(cum.ci_ub))


def cumulative_words(table) -> str:
    """The first year and the final estimate of :func:`cumulative_table`, or why there is none."""
    if not len(table):
        return "With fewer than three samples, there is no accumulation to show."
    return (f"Adding samples in order of publication from {int(table['year'].iloc[0])}, the estimate ends at "
            f"{table['r'].iloc[-1]:.2f}; the table shows how much each new study moved it.")


__all__ = ["COLUMNS", "cumulative_fit", "cumulative_table", "cumulative_words"]
