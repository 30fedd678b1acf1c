"""Which alliances the data measure: instruments per dyad, samples that rate several alliances,
and the published estimates that pooled a split alliance.

Counts come from the primary table (``effect_sizes.csv``) and the coded syntheses
(``syntheses.csv``, rows whose ``estimate_type`` is ``split_alliance``), so the sentences stay
true when rows are added or removed.
"""

from __future__ import annotations

#: ``estimate_type`` of a pooled split- or unbalanced-alliance measure.
SPLIT = "split_alliance"


def measures_by_dyad(es):
    """Studies per alliance dyad and instrument code.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``alliance_dyad``, one column per ``alliance_measure`` code, cells the number of
        distinct studies (0 where none); rows with an empty dyad or measure are not counted.
    """
    return es.groupby(["alliance_dyad", "alliance_measure"])["study"].nunique().unstack(fill_value=0)


def measure_count(es) -> int:
    """The number of distinct instrument codes (``alliance_measure``, empty values not counted)."""
    return int(es["alliance_measure"].nunique())


def several_alliances_counts(es) -> dict:
    """Child, adolescent and family samples, and how many of them rate several alliances.

    Returns
    -------
    dict
        ``samples``: samples whose (first) population is not ``adult``; ``multi_dyad``: those with
        rows on more than one ``alliance_dyad``; ``multi_rater``: those with more than one coded
        ``alliance_rater`` (empty raters not counted). Ints.
    """
    per = es.groupby("sample").agg(dyads=("alliance_dyad", "nunique"), raters=("alliance_rater", "nunique"),
                                   population=("population", "first"))
    young = per[per["population"] != "adult"]
    return {"samples": int(len(young)), "multi_dyad": int((young["dyads"] > 1).sum()),
            "multi_rater": int((young["raters"] > 1).sum())}


def several_alliances_words(counts) -> str:
    """The sentence on :func:`several_alliances_counts`.

    Returns
    -------
    str
        'Of the 3 child, adolescent and family samples in the dataset, 0 report the alliance of
        more than one dyad and 0 report it from more than one rater.' (the singular verb for a
        count of one); 'The dataset holds no child, adolescent or family sample, so none reports
        the alliance of more than one dyad or rater.' when there is none.
    """
    n = counts["samples"]
    if n == 0:
        return ("The dataset holds no child, adolescent or family sample, so none reports the alliance of more than "
                "one dyad or rater.")
    dyads, raters = counts["multi_dyad"], counts["multi_rater"]
    return (f"Of the {n} child, adolescent and family sample{'s' * (n != 1)} in the dataset, {dyads} "
            f"report{'s' * (dyads == 1)} the alliance of more than one dyad and {raters} report{'s' * (raters == 1)} it "
            "from more than one rater.")


def split_alliance_rows(syn):
    """The coded syntheses' split-alliance estimates (``estimate_type == 'split_alliance'``), in
    table order; possibly no rows."""
    return syn[syn["estimate_type"] == SPLIT]


def split_alliance_words(rows) -> str:
    """The sentence under the table of :func:`split_alliance_rows`: how many reviews it lists, or
    that none was found.

    Returns
    -------
    str
        'Published syntheses that pooled split-alliance measures are listed above with their
        sources.' for two or more reviews; the singular for one; 'No published synthesis that
        pooled a split-alliance measure was found in a readable source.' for none.
    """
    reviews = int(rows["study"].nunique()) if len(rows) else 0
    if reviews == 0:
        return "No published synthesis that pooled a split-alliance measure was found in a readable source."
    if reviews == 1:
        return "One published synthesis that pooled split-alliance measures is listed above with its source."
    return "Published syntheses that pooled split-alliance measures are listed above with their sources."


def dyad_vocabulary(root=None) -> list[str]:
    """The alliance dyads the codebook allows (``alliance_dyad`` of ``effect_sizes.csv`` in
    ``data/datapackage.json``), in the schema's order."""
    from .dataset import codebook

    book = codebook("effect_sizes.csv", root)
    values = book.loc[book["column"] == "alliance_dyad", "values"]
    return [v for v in (values.iloc[0].split(", ") if len(values) else []) if v]


def missing_dyads_words(es, vocabulary) -> str:
    """Which dyads of ``vocabulary`` have no correlation in ``es``, as a clause (no capital, no
    full stop).

    Returns
    -------
    str
        'the codebook's parent-therapist, family-therapist and couple-therapist dyads have no
        correlation' (the singular for one), or 'every dyad of the codebook has at least one
        correlation'.
    """
    from .sentences import join

    present = set(es["alliance_dyad"].dropna())
    missing = [d for d in vocabulary if d not in present]
    if not missing:
        return "every dyad of the codebook has at least one correlation"
    return (f"the codebook's {join(missing)} dyad{'s' * (len(missing) != 1)} "
            f"{'have' if len(missing) != 1 else 'has'} no correlation")


__all__ = ["several_alliances_words", "dyad_vocabulary", "missing_dyads_words", "SPLIT", "measures_by_dyad", "measure_count", "several_alliances_counts", "split_alliance_rows",
           "split_alliance_words"]
