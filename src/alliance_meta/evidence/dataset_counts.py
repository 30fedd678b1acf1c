"""The primary-correlation table in counts: what a first look at the data reports.

Every count is taken from the tables passed in (``effect_sizes.csv`` and, where named,
``syntheses.csv``), so the sentences around them stay true when rows are added or removed.
"""

from __future__ import annotations


def primary_counts(es) -> dict:
    """Rows, studies and independent samples of the primary-correlation table.

    Returns
    -------
    dict
        ``{"rows": int, "studies": int, "samples": int}``; distinct ``study`` and ``sample``
        values (an empty table gives zeros).
    """
    return {"rows": int(len(es)), "studies": int(es["study"].nunique()), "samples": int(es["sample"].nunique())}


def glance_counts(es, syn) -> dict:
    """What the introduction's first look reports.

    Returns
    -------
    dict
        ``rows`` and ``studies`` of the primary table, ``parent_rows`` (its rows whose
        ``alliance_dyad`` is ``parent-therapist``), ``syn_rows`` (published pooled estimates) and
        ``syn_works`` (distinct reviews printing them); all ints.
    """
    return {"rows": int(len(es)), "studies": int(es["study"].nunique()),
            "parent_rows": int((es["alliance_dyad"] == "parent-therapist").sum()),
            "syn_rows": int(len(syn)), "syn_works": int(syn["study"].nunique())}


def dyad_counts(es):
    """Correlations and studies per alliance dyad.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``alliance_dyad`` (sorted), columns ``correlations`` (rows) and ``studies``
        (distinct studies); no row for a dyad without correlations, so an empty table has no rows.
    """
    return es.groupby("alliance_dyad").agg(correlations=("study", "size"), studies=("study", "nunique"))


__all__ = ["primary_counts", "glance_counts", "dyad_counts"]
