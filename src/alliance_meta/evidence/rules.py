"""Rules that select published estimates: the link from a barrier or an agenda item to the
coded reviews, written as data so that it can be read, disputed and changed.

A rule is a list of alternatives separated by ``;``; an alternative is one or more
``column=value`` conditions joined by ``&``. A row of ``syntheses.csv`` matches the rule
when it meets every condition of at least one alternative::

    moderator=referral                              one condition
    estimate_type=split_alliance;population=parent  either
    population=parent&alliance_rater=parent         both

An empty rule selects nothing: the coders found no review that bears on the question.
"""

from __future__ import annotations

#: The columns of ``syntheses.csv`` a rule may select on.
SELECTABLE = ("moderator", "level", "estimate_type", "population", "outcome_domain", "alliance_dyad",
              "alliance_rater", "setting")


def parse(rule) -> list[list[tuple[str, str]]]:
    """``"a=1&b=2;c=3"`` -> ``[[("a", "1"), ("b", "2")], [("c", "3")]]``.

    An empty or missing rule gives ``[]``. A condition that is not ``column=value`` with a
    column from :data:`SELECTABLE` raises ``ValueError`` naming it (the validator reports it
    with file, row and column).
    """
    if rule is None or rule != rule or not str(rule).strip():
        return []
    out = []
    for alternative in str(rule).split(";"):
        conditions = []
        for part in alternative.split("&"):
            column, sep, value = part.partition("=")
            column, value = column.strip(), value.strip()
            if not sep or column not in SELECTABLE or not value:
                raise ValueError(f"cannot select on {part.strip()!r}: write column=value with a column from "
                                 f"{', '.join(SELECTABLE)}")
            conditions.append((column, value))
        out.append(conditions)
    return out


def mask(rule, frame):
    """Boolean Series: which rows of ``frame`` (``syntheses.csv`` or its overview) match ``rule``."""
    import pandas as pd

    hit = pd.Series(False, index=frame.index)
    for alternative in parse(rule):
        every = pd.Series(True, index=frame.index)
        for column, value in alternative:
            every &= frame[column].astype("string").fillna("").eq(value)
        hit |= every
    return hit


def with_uncertainty(frame):
    """Boolean Series: rows of an overview (:func:`alliance_meta.evidence.overview_table`) with a
    harmonised r and a printed CI or SE behind their variance (not a k-and-N approximation),
    pooled from more than one study: an interval around a single study's correlation is that
    study's sampling error, not a synthesis's uncertainty. A row whose number of studies was
    not printed counts as pooled (a review's estimate)."""
    k = frame["k_studies"].astype("Float64") if "k_studies" in frame else None
    single = (k == 1).fillna(False).astype(bool) if k is not None else False
    return frame["basis"].isin(["ci", "se"]) & frame["r"].notna() & ~single


def first_hand(frame):
    """``frame`` with each coded duplicate counted once.

    Two rows that name each other in ``conflict_with`` code the same estimate as two sources
    gave it (the review and a later work quoting it). When both are in ``frame``, the row read
    in the review itself is kept (``read_in`` not ``quoted_by:``), else the one with the lower id.
    """
    if "conflict_with" not in frame or "synthesis_id" not in frame:
        return frame
    ids = set(frame["synthesis_id"])
    second = frame["read_in"].fillna("").str.startswith("quoted_by:") if "read_in" in frame else None
    drop = set()
    for i, (sid, other) in enumerate(zip(frame["synthesis_id"], frame["conflict_with"].fillna(""))):
        if not other or other not in ids or sid in drop or other in drop:
            continue
        mine = bool(second.iloc[i]) if second is not None else False
        theirs = bool(second[frame["synthesis_id"] == other].iloc[0]) if second is not None else False
        # keep the first-hand reading; between equals, the lower id
        drop.add(sid if (mine and not theirs) or (mine == theirs and sid > other) else other)
    return frame[~frame["synthesis_id"].isin(drop)]


def problems(rule, allowed: dict[str, list[str]]) -> list[str]:
    """What is wrong with ``rule``: a malformed condition, or a value outside the
    vocabulary of its column (``allowed``: column -> levels; columns without one are free)."""
    try:
        alternatives = parse(rule)
    except ValueError as exc:
        return [str(exc)]
    out = []
    for column, value in (c for alt in alternatives for c in alt):
        levels = allowed.get(column)
        if levels and value not in levels:
            out.append(f"'{value}' is not a value of {column} ({', '.join(levels)})")
    return out


__all__ = ["SELECTABLE", "parse", "mask", "with_uncertainty", "first_hand", "problems"]
