"""The parent–therapist correlations of the primary-study table, in counts, a pool and sentences.

Rows are selected by their coded dyad (``alliance_dyad == "parent-therapist"``), never by a
study key, so that the sentences stay true for none, one or many rows: with no row the table
says so; with one independent sample nothing is pooled (a single study is not a synthesis);
from two samples on, the rows are averaged within samples and pooled with REML as the
overview pools (:func:`alliance_meta.evidence.overview.small_k_pool`).
"""

from __future__ import annotations

from ..engine.wording import number_word

PARENT = "parent-therapist"
#: Outcome domains that are the parent's or the family's own; every other domain is the child's
#: (or the treatment's, such as engagement).
PARENT_OUTCOMES = ("parenting", "family_functioning")
#: The two kinds of outcome, in the order of the table.
OUTCOME_OF = ("child or treatment", "parent or family")


def _s(k: int, one: str, many: str) -> str:
    return one if k == 1 else many


def parent_correlations(es):
    """The rows of ``effect_sizes`` on the parent–therapist alliance (a copy)."""
    return es[es["alliance_dyad"] == PARENT].copy()


def counts(es) -> dict:
    """``rows``, ``studies`` and ``samples`` of the parent–therapist correlations (ints)."""
    rows = parent_correlations(es)
    return {"rows": int(len(rows)), "studies": int(rows["study"].nunique()), "samples": int(rows["sample"].nunique())}


def holds_sentence(es) -> str:
    """How many parent–therapist correlations the table holds, from how many studies and
    independent samples, in words; or that it holds none."""
    c = counts(es)
    if c["rows"] == 0:
        return "The dataset holds no correlation between a parent–therapist alliance and an outcome."
    return (f"The dataset holds {number_word(c['rows'])} {_s(c['rows'], 'correlation', 'correlations')} between a "
            f"parent–therapist alliance and an outcome, from {number_word(c['studies'])} "
            f"{_s(c['studies'], 'study', 'studies')} and {number_word(c['samples'])} independent "
            f"{_s(c['samples'], 'sample', 'samples')}.")


def pooled_sentence(rows, what: str) -> str:
    """A sentence with the pooled r of ``rows`` (averaged within samples, REML), or why there is none.

    Parameters
    ----------
    rows : pandas.DataFrame
        Effect sizes (``r``, ``n``, ``sample``, ``study``).
    what : str
        What is pooled, as the sentence names it.

    Returns
    -------
    str
        '' for no row; a sentence that a single sample is not pooled; otherwise 'Averaged within
        samples and pooled with REML, <what> is r = ...' with the interval, the prediction
        interval and the sensitivity analysis of :func:`~alliance_meta.evidence.overview.pool_words`.
    """
    from .aggregate import by_sample
    from .overview import pool_words, small_k_pool

    k = rows["sample"].nunique()
    if k == 0:
        return ""
    if k < 2:
        return f"With one independent sample, this book does not pool {what}; a single study is not a synthesis."
    agg = by_sample(rows)
    fit, normal = small_k_pool(agg["yi"], agg["vi"])
    return f"Averaged within samples and pooled with REML, {what} is " + pool_words(fit, normal)


def outcome_of(domain) -> str:
    """'parent or family' for an outcome of the parent or family (:data:`PARENT_OUTCOMES`),
    'child or treatment' for any other."""
    return OUTCOME_OF[1] if domain in PARENT_OUTCOMES else OUTCOME_OF[0]


def outcome_split(es):
    """The parent–therapist correlations pooled separately for outcomes of the child (or the
    treatment) and of the parent (or the family).

    Returns
    -------
    pandas.DataFrame
        :func:`~alliance_meta.evidence.subgroups.subgroup_table` by ``outcome of`` (its first
        column), both kinds in :data:`OUTCOME_OF` order (a kind without a row has counts 0 and
        empty estimates); no row when the table holds no parent–therapist correlation.
    """
    import pandas as pd

    from .subgroups import subgroup_table

    rows = parent_correlations(es)
    if not len(rows):
        return pd.DataFrame(columns=["outcome of", "studies", "samples", "rows", "r", "ci_lb", "ci_ub", "pi_lb",
                                     "pi_ub", "tau2", "I2"])
    rows["outcome_of"] = rows["outcome_domain"].map(outcome_of)
    return subgroup_table(rows, "outcome_of", order=list(OUTCOME_OF)).rename(columns={"level": "outcome of"})


def outcome_split_note(es) -> str:
    """What stands in place of :func:`outcome_split` when it has no row (Markdown), else ''."""
    if len(parent_correlations(es)):
        return ""
    return ("*No parent–therapist correlation could be read for the dataset yet, so there is nothing to split by "
            "outcome or rater.*")


def missing_sentence(directions, synth, es) -> str:
    """What is missing: of the samples of the parent's alliance read for their direction, how many
    print a correlation, and how many parent–therapist rows the correlation table holds.

    Parameters
    ----------
    directions : pandas.DataFrame
        ``parent_directions``.
    synth : alliance_meta.evidence.directions.Synthesis
        The vote count of the parent's alliance.
    es : pandas.DataFrame
        ``effect_sizes``.
    """
    from .directions import samples_with_r

    with_r = samples_with_r(directions, "parent")
    n = counts(es)["rows"]
    if synth.k_samples == 0:
        text = "No sample of the parent's alliance has been read for its direction yet"
        return text + (", and the correlation table holds no parent–therapist row." if n == 0 else
                       f"; the correlation table holds {number_word(n)} parent–therapist {_s(n, 'row', 'rows')}.")
    if synth.k_samples == 1:
        prints = "prints a" if with_r else "prints no"
        text = (f"The one sample of the parent's alliance read for its direction {prints} "
                "correlation, or a statistic that converts to one, in what could be read")
    else:
        text = (f"Of the {synth.k_samples} samples of the parent's alliance read for their direction, "
                f"{number_word(with_r, zero='none')} print{'s' * (with_r == 1)} a correlation, or a statistic that "
                "converts to one, in what could be read")
    if n == 0:
        return text + (", and the correlation table holds no parent–therapist row: the parent's alliance is rarely "
                       "reported in a form that an open synthesis can pool.")
    return text + f"; the correlation table holds {number_word(n)} parent–therapist {_s(n, 'row', 'rows')}."


#: Below this share of samples printing a correlation, the literature is said to print almost none.
ALMOST_NONE = 0.1


def scarcity_sentence(directions) -> str:
    """How rarely the studies of the parent's alliance print a correlation an open synthesis can
    read, judged on the samples of ``parent_directions``: 'Almost no study ...' below
    :data:`ALMOST_NONE` of the samples, otherwise how many of them do."""
    from .directions import samples_with_r

    part = directions[directions["alliance_with"] == "parent"]
    k, x = int(part["sample"].nunique()), samples_with_r(directions, "parent")
    if k == 0:
        return "No primary study of it has been read for this book yet."
    if x / k < ALMOST_NONE:
        return ("Almost no study of it prints a correlation where an open synthesis can read it, but their abstracts "
                "say which way the association went.")
    if x == k == 1:
        return ("The one sample of it read for this book prints a correlation where an open synthesis can read it, "
                "and its abstract says which way the association went.")
    if x == k:
        return (f"Every one of the {number_word(k)} samples of it read for this book prints a correlation where an "
                "open synthesis can read it, and their abstracts say which way the association went.")
    return (f"Only {number_word(x)} of the {number_word(k)} samples of it read for this book print a correlation where "
            "an open synthesis can read it, but their abstracts say which way the association went.")


__all__ = ["PARENT", "PARENT_OUTCOMES", "OUTCOME_OF", "ALMOST_NONE", "parent_correlations", "counts",
           "holds_sentence", "pooled_sentence", "outcome_of", "outcome_split", "outcome_split_note",
           "missing_sentence", "scarcity_sentence"]
