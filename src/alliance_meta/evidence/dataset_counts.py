"""The primary-correlation table in counts: what a first look at the data reports.

Every count is taken from the tables passed in (``effect_sizes.csv`` and, where named,
``syntheses.csv``), so the sentences around them stay true when rows are added or removed.
"""

from __future__ import annotations

from .sentences import counted


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


def holds_words(counts: dict) -> str:
    """What the primary table holds, from :func:`primary_counts`, as one sentence.

    Returns
    -------
    str
        'The dataset holds 9 correlations from 9 studies and 9 independent samples.' with each
        noun agreeing with its count; 'The dataset holds no correlation.' for an empty table.
    """
    if not counts["rows"]:
        return "The dataset holds no correlation."
    return (f"The dataset holds {counted(counts['rows'], 'correlation')} from "
            f"{counted(counts['studies'], 'study', 'studies')} and "
            f"{counted(counts['samples'], 'independent sample')}.")


def glance_words(glance: dict) -> str:
    """The introduction's first look, from :func:`glance_counts`, as one sentence.

    Returns
    -------
    str
        'The dataset holds 19 alliance–outcome correlations from 9 studies, 2 of them on the
        parent–therapist alliance, and 89 pooled estimates published by 33 meta-analyses.', each
        noun agreeing with its count ('none of them' for zero parent rows; 'no ... correlation'
        or 'no pooled estimate' for an empty table).
    """
    if glance["rows"]:
        parent = glance["parent_rows"]
        primary = (f"{counted(glance['rows'], 'alliance–outcome correlation')} from "
                   f"{counted(glance['studies'], 'study', 'studies')}, "
                   f"{'none' if not parent else parent} of {'it' if glance['rows'] == 1 else 'them'} on the "
                   "parent–therapist alliance,")
    else:
        primary = "no primary alliance–outcome correlation"
    published = (f"{counted(glance['syn_rows'], 'pooled estimate')} published by "
                 f"{counted(glance['syn_works'], 'meta-analysis', 'meta-analyses')}" if glance["syn_rows"]
                 else "no pooled estimate from a meta-analysis")
    return f"The dataset holds {primary} and {published}."


__all__ = ["primary_counts", "glance_counts", "dyad_counts", "holds_words", "glance_words"]
