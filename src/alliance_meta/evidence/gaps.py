"""Evidence-gap counts: how many studies inform each combination of two codes.

A gap map counts *studies* (distinct ``study`` keys), not correlations, because a single
study that reports twenty correlations does not fill a gap twenty times. All levels that
the codebook allows are listed, so an empty cell (no study at all) is visible.
"""

from __future__ import annotations

import json


def allowed_levels(column: str, root=None, table: str = "effect_sizes") -> list[str]:
    """The values ``data/datapackage.json`` allows for a column of ``table`` (default
    ``effect_sizes``; ``syntheses`` for the coded reviews).

    Returns
    -------
    list of str
        The enum of the column's schema, in the order the codebook gives.
    """
    from .dataset import project_root

    pkg = json.loads((project_root(root) / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == table)
    fld = next(f for f in res["schema"]["fields"] if f["name"] == column)
    return list(fld.get("constraints", {}).get("enum", []))


def gap_counts(frame, rows: str, cols: str, *, row_levels=None, col_levels=None, unit: str = "study"):
    """Count distinct ``unit`` values (default: studies) for each ``rows`` x ``cols`` cell.

    Returns
    -------
    pandas.DataFrame
        Integer counts with every level in ``row_levels`` and ``col_levels`` (default: the
        levels present), zeros included.
    """
    import pandas as pd

    row_levels = list(row_levels) if row_levels is not None else sorted(frame[rows].dropna().unique())
    col_levels = list(col_levels) if col_levels is not None else sorted(frame[cols].dropna().unique())
    counts = frame.groupby([rows, cols])[unit].nunique()
    table = counts.unstack(fill_value=0).reindex(index=row_levels, columns=col_levels, fill_value=0)
    table.index.name, table.columns.name = rows, cols
    return table.astype(int)


def largest_gaps(table, n: int = 5):
    """The ``n`` cells with the fewest studies (ties in table order).

    Returns
    -------
    list of tuple
        ``(row level, column level, studies)`` sorted by count, then by position.
    """
    cells = [(r, c, int(table.loc[r, c])) for r in table.index for c in table.columns]
    return sorted(cells, key=lambda cell: cell[2])[:n]


def review_map(syntheses, column: str, rows: str = "population", root=None):
    """Reviews (distinct meta-analyses) per level of ``rows`` and of ``column`` of
    ``syntheses.csv``, every level the codebook allows shown (zeros included).

    Returns
    -------
    pandas.DataFrame
        :func:`gap_counts` of ``syntheses`` with the allowed levels of both columns.
    """
    return gap_counts(syntheses, rows, column, row_levels=allowed_levels(rows, root, table="syntheses"),
                      col_levels=allowed_levels(column, root, table="syntheses"))


def empty_levels(table) -> list[str]:
    """The column levels of a gap map that no row fills, with spaces for underscores, in order."""
    return [str(c).replace("_", " ") for c in table.columns if table[c].sum() == 0]


def map_words(by_domain, by_rater, by_setting) -> dict:
    """What the evidence maps of the coded reviews leave empty, in sentences.

    Parameters
    ----------
    by_domain, by_rater, by_setting : pandas.DataFrame
        :func:`review_map` by ``outcome_domain``, ``alliance_rater`` and ``setting``.

    Returns
    -------
    dict
        ``domains``, ``raters``, ``settings``: one sentence each naming the levels no review
        prints an estimate for, or saying that every level has one; ``summary``: the
        summary line naming all three (the empty kinds left out).
    """
    from .sentences import join

    dom, rat, sett = empty_levels(by_domain), empty_levels(by_rater), empty_levels(by_setting)
    out = {
        "domains": ("No coded review prints an estimate for these outcome domains: " + ", ".join(dom) + "."
                    if dom else "Every outcome domain has an estimate in at least one coded review."),
        "raters": ("No review prints an estimate rated by these raters alone: " + ", ".join(rat) + "."
                   if rat else "Every rater has an estimate rated by that rater alone in at least one review."),
        "settings": ("By setting, no review prints one for these settings: " + ", ".join(sett) + "."
                     if sett else "By setting, every setting has an estimate in at least one review."),
    }
    parts = [f"{what} ({', '.join(levels)})" for what, levels in
             (("outcome domains with no published estimate", dom), ("raters never reported alone", rat),
              ("settings without a review", sett)) if levels]
    # a serial comma: the parts hold commas of their own
    listed = join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    out["summary"] = ("The agenda is drawn from the evidence map of the coded meta-analyses: " + listed + "."
                      if parts else "The agenda is drawn from the evidence map of the coded meta-analyses, in which "
                      "every outcome domain, rater and setting has at least one published estimate.")
    return out


def population_words(syntheses, by_domain, population: str = "parent",
                     who: str = "The parent's own alliance") -> str:
    """In how many reviews and outcome domains ``population`` has a published estimate.

    Returns
    -------
    str
        'The parent's own alliance appears in two reviews, in two of the seven outcome
        domains.' (domains counted among the columns of ``by_domain``), or a sentence saying
        that no coded review prints an estimate for it.
    """
    from ..engine.wording import number_word

    rows = syntheses[syntheses["population"] == population]
    n = rows["study"].nunique()
    if n == 0:
        return f"{who} has no estimate in any coded review."
    domains = len(set(rows["outcome_domain"].dropna()) & set(by_domain.columns))
    total = len(by_domain.columns)
    return (f"{who} appears in {number_word(n)} review{'s' * (n != 1)}, in {number_word(domains, zero='none')} "
            f"of the {number_word(total)} outcome domains.")


def share_text(frame, column: str, level: str) -> str:
    """The percentage of rows of ``frame`` whose ``column`` is ``level``, whole number as text
    ('0' for no rows)."""
    return f"{100 * (frame[column] == level).mean():.0f}" if len(frame) else "0"


def dyads_with_words(syntheses, domain: str = "symptoms", root=None) -> str:
    """Which alliance dyads have a published estimate for outcome ``domain``, with their reviews.

    Returns
    -------
    str
        'the dyads with a symptoms estimate are parent-therapist (1 review), ...' (in the
        codebook's order of dyads), or 'no dyad has a published estimate for symptoms'.
    """
    table = gap_counts(syntheses, "alliance_dyad", "outcome_domain",
                       row_levels=allowed_levels("alliance_dyad", root, table="syntheses"),
                       col_levels=allowed_levels("outcome_domain", root, table="syntheses"))
    counts = table[domain] if domain in table else None
    found = [f"{d} ({int(n)} review{'s' * (int(n) != 1)})" for d, n in counts.items() if n > 0] \
        if counts is not None else []
    if not found:
        return f"no dyad has a published estimate for {domain}"
    return f"the dyads with a {domain} estimate are " + ", ".join(found)


def holdings_words(syntheses) -> str:
    """How many published estimates from how many meta-analyses the coded bibliography holds.

    Returns
    -------
    str
        'The coded bibliography holds 89 published estimates from 37 meta-analyses.' (figures,
        as the chapter's counts), or a sentence saying it holds none.
    """
    n, k = len(syntheses), syntheses["study"].nunique()
    if n == 0:
        return "The coded bibliography holds no published estimate."
    return (f"The coded bibliography holds {n} published estimate{'s' * (n != 1)} from {k} "
            f"meta-analys{'i' if k == 1 else 'e'}s.")
