"""The research agenda as data: each item names the question, the rule that finds the coded
reviews bearing on it, and a design a researcher could take up; the founding works' own
agendas sit beside it with what the coded reviews now hold on each.

The counts come from the overview of reviews (:func:`alliance_meta.evidence.overview_table`),
so an item's evidence changes when ``syntheses.csv`` grows, and an item whose rule selects
nothing is a gap in the published record, not in this project's reading of it alone.
"""

from __future__ import annotations

from .rules import first_hand, mask, with_uncertainty

#: Words for what the coded reviews hold on a question (the ``status`` of :func:`rule_evidence`).
STATUS = {
    "none": "no coded estimate",
    "point": "point estimates only",
    "interval": "estimates with printed uncertainty",
    "no_rule": "no rule: not assessable from the reviews",
}


def load_agenda(root=None):
    """``data/agenda.csv`` as a DataFrame (see :func:`~alliance_meta.evidence.dataset.load_table`)."""
    from .dataset import load_table

    return load_table("agenda", root)


def load_founding_agendas(root=None):
    """``data/founding_agendas.csv`` as a DataFrame."""
    from .dataset import load_table

    return load_table("founding_agendas", root)


def rule_evidence(table, overview, *, key: str, rule: str = "evidence_rule", after=None):
    """What the coded reviews hold on each row of ``table`` whose ``rule`` column selects estimates.

    Parameters
    ----------
    table : pandas.DataFrame
        ``agenda.csv`` or ``founding_agendas.csv``.
    overview : pandas.DataFrame
        :func:`alliance_meta.evidence.overview_table` of ``syntheses.csv`` (best built with
        ``approximate=False``, so that an interval means a printed CI or SE).
    key : str
        The column that identifies a row of ``table``.
    rule : str
        The column holding the rule (:mod:`alliance_meta.evidence.rules`).
    after : sequence of int, optional
        One year per row of ``table``: only reviews published later count (what has been
        published on a founding work's question since it was asked). Default: all reviews.

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``estimates`` (rows of the overview the rule selects), ``reviews``
        (distinct reviews among them), ``with_interval`` (those with a harmonised r and a
        printed CI or SE), ``populations`` (their populations, sorted, joined by ', ') and
        ``status``: a code of :data:`STATUS` (``no_rule`` for an empty rule, ``none`` when
        it selects nothing, ``point`` when nothing it selects has a printed uncertainty,
        ``interval`` otherwise).
    """
    out = table.copy()
    est, rev, unc, pops, status = [], [], [], [], []
    years = [None] * len(table) if after is None else list(after)
    if len(years) != len(table):
        raise ValueError(f"after gives {len(years)} years for {len(table)} rows")
    for value, year in zip(table[rule], years):
        hit = first_hand(overview[mask(value, overview)])
        if year is not None and year == year:
            hit = hit[hit["year"] > year]
        has_rule = isinstance(value, str) and value.strip() != ""
        n_unc = int(with_uncertainty(hit).sum())
        est.append(int(len(hit)))
        rev.append(int(hit["study"].nunique()))
        unc.append(n_unc)
        pops.append(", ".join(sorted(hit["population"].dropna().unique())))
        status.append("no_rule" if not has_rule else "none" if hit.empty else "point" if n_unc == 0 else "interval")
    out["estimates"], out["reviews"], out["with_interval"] = est, rev, unc
    out["populations"], out["status"] = pops, status
    return out.set_index(key, drop=False).rename_axis(None)


__all__ = ["STATUS", "load_agenda", "load_founding_agendas", "rule_evidence"]
