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
    harmonised r and a printed CI or SE behind their variance (not a k-and-N approximation)."""
    return frame["basis"].isin(["ci", "se"]) & frame["r"].notna()


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


__all__ = ["SELECTABLE", "parse", "mask", "with_uncertainty", "problems"]
