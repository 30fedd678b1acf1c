"""What the primary studies of the parent's alliance say about three barriers to partnership.

The direction-of-effect table (:mod:`alliance_meta.evidence.directions`) speaks to barriers
in three places, each selected by a written rule on coded fields or on the source's own words:

* engagement and retention: the results in the ``engagement`` outcome domain;
* mandated and involuntary contact: samples in the ``child_welfare`` setting;
* fathers: rows whose quoted words from the source name fathers (``father``), since the table
  codes no parent gender; a rule on words, stated as such.
"""

from __future__ import annotations

import re

from .directions import plural, proportion_text, synthesise

_FATHER = re.compile(r"\bfathers?\b|\bfather's\b|\bpaternal\b", re.I)


def _count_words(res, missing: str, lead: str) -> str:
    """``lead`` and the proportion favouring of ``res``, or ``missing`` when there is no sample."""
    if res is None or res.k == 0:
        return missing
    return f"{lead}{plural(res.k, 'sample')}; {proportion_text(res)} ({{ref}}`ch-parent`)."


def engagement_words(rows) -> str:
    """The direction of the parent's alliance with engagement and retention, in one sentence."""
    return _count_words(synthesise(rows).by_domain.get("engagement"),
                        "No study of the parent's alliance in the direction table reports engagement or retention.",
                        "In the primary studies of the parent's alliance, engagement or retention (attendance, "
                        "dropout, completion) is reported for ")


def mandated_words(rows) -> str:
    """The direction of the parent's alliance in child-welfare samples, in one sentence."""
    return _count_words(synthesise(rows).by_setting.get("child_welfare"),
                        "No study of the parent's alliance in the direction table comes from child welfare.",
                        "In child welfare, where contact is often not chosen, the direction table holds the parent's "
                        "alliance of ")


def father_rows(rows):
    """Rows of the parent's alliance whose quoted words name fathers."""
    parent = rows[rows["alliance_with"] == "parent"]
    return parent[parent["quote"].fillna("").str.contains(_FATHER)]


def father_words(rows) -> str:
    """How many samples' quoted results name fathers, and which way those results went."""
    hit = father_rows(rows)
    if hit.empty:
        return ("No quoted result in the direction table names fathers: the parent's alliance is reported for "
                "parents or mothers without a father's result of its own.")
    samples = hit["sample"].nunique()
    counts = hit["direction"].value_counts()
    parts = [f"{plural(int(counts.get(d, 0)), 'result')} {w}" for d, w in
             (("favours", "favouring a stronger alliance"), ("against", "against it"),
              ("no_clear_direction", "with no clear direction"), ("not_reported", "without a direction"))
             if counts.get(d, 0)]
    return (f"In the direction table, the quoted results of {plural(samples, 'sample')} name fathers: "
            + ", ".join(parts) + " (the table codes no parent gender, so this counts the sources' own words).")


def direction_bullets(rows) -> str:
    """The three sentences of this module as a Markdown list: engagement, child welfare, fathers."""
    return "\n".join(f"- {text}" for text in (engagement_words(rows), mandated_words(rows), father_words(rows)))


__all__ = ["engagement_words", "mandated_words", "father_rows", "father_words", "direction_bullets"]
