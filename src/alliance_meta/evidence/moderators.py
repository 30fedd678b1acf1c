"""Moderators that reviews printed, read as published: every level, what rests on one study,
and which differences between levels can be given an interval.

A review that pools the alliance–outcome correlation by the levels of a moderator (referral
route, problem type) prints one estimate per level; the coded rows carry ``moderator`` and
``level``. The functions here select those rows by the coded fields (never by a review's
key or a row's id), so that any number of reviews, levels and studies per level gives a true
account: zero reviews, one, or several; levels resting on one study; levels without a
printed uncertainty.

Differences between levels are computed only between levels that rest on at least two
studies and have a variance. Levels of one moderator are built from different studies, so
the two estimates are taken as independent (ρ = 0). When several levels are compared, every
pairwise difference is shown; the largest is labelled as chosen after seeing the data, since
its p-value, read alone, overstates the evidence.
"""

from __future__ import annotations

import math

from ..engine.distributions import norm_sf
from ..engine.wording import number_word, p_text
from .bibliography import labels
from .sentences import has, join, num, r_text, studies

#: Fewer studies than this behind a level: the level is reported but not compared.
MIN_STUDIES = 2


def levels(table, moderator: str):
    """The published estimates of ``moderator``'s levels, one row per review and level.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~alliance_meta.evidence.overview_table` (its ``yi``, ``vi``, ``r_lb``, ``r_ub``).
    moderator : str
        The coded ``moderator`` (e.g. ``"referral"``).

    Returns
    -------
    pandas.DataFrame
        The matching rows in file order, with ``comparable`` (at least :data:`MIN_STUDIES`
        studies and a variance) and ``single`` (a level that rests on one study).
    """
    rows = table[(table["moderator"] == moderator) & table["r"].notna()].copy()
    k = rows["k_studies"].astype("Float64")
    rows["single"] = (k == 1).fillna(False).astype(bool)
    rows["comparable"] = ((k >= MIN_STUDIES).fillna(False) & rows["vi"].notna()).astype(bool)
    return rows


def reviews(rows, refs) -> list[str]:
    """The review keys among ``rows``, oldest first (ties by key)."""
    keys = list(dict.fromkeys(rows["study"]))
    year = {k: (refs[k].year if k in refs else "") for k in keys}
    return sorted(keys, key=lambda k: (year[k], k))


def pairwise(rows):
    """Every difference between two comparable levels of one review, on Fisher z.

    Returns
    -------
    list of dict
        ``first``, ``second`` (levels, in the order printed), ``diff`` (z1 − z2), ``se``
        (√(v1 + v2): levels from different studies, ρ = 0), ``z`` and two-sided ``p``; the
        entry with the largest |z| has ``largest = True``. Empty with fewer than two
        comparable levels.
    """
    usable = rows[rows["comparable"]]
    out = []
    recs = list(usable.itertuples(index=False))
    for i in range(len(recs)):
        for j in range(i + 1, len(recs)):
            a, b = recs[i], recs[j]
            diff = float(a.yi) - float(b.yi)
            se = math.sqrt(float(a.vi) + float(b.vi))
            z = diff / se
            out.append({"first": a.level, "second": b.level, "diff": diff, "se": se, "z": z,
                        "p": 2.0 * float(norm_sf(abs(z))), "largest": False})
    if out:
        max(out, key=lambda c: abs(c["z"]))["largest"] = True
    return out


def _level_phrase(row) -> str:
    ci = f" [{r_text(row.r_lb)}, {r_text(row.r_ub)}]" if has(row.r_lb) and has(row.r_ub) else ""
    return f"{r_text(row.r)}{ci} for {row.level} ({studies(row.k_studies)})"


def review_paragraph(rows, key: str, what: str) -> str:
    """MyST text for one review's levels of a moderator: every level with its interval and k,
    the levels that rest on one study, and the pairwise differences where there are any.

    ``rows`` are that review's rows from :func:`levels`; ``what`` names the moderator in
    words ("referral route"). Citations are MyST roles (``{cite:t}``).
    """
    own = rows[rows["study"] == key]
    parts = [_level_phrase(r) for r in own.itertuples(index=False)]
    text = (f"{{cite:t}}`{key}` printed the alliance–outcome correlation by {what}: r = " + join(parts)
            + " (95% intervals in brackets).")
    single = list(own.loc[own["single"], "level"])
    if single:
        text += (f" The {join(single)} level{'s rest' if len(single) > 1 else ' rests'} on a single study"
                 f"{' each' if len(single) > 1 else ''}: a single study is not a synthesis, so "
                 f"{'they are' if len(single) > 1 else 'it is'} shown but not compared.")
    pairs = pairwise(own)
    if not pairs:
        n = int(own["comparable"].sum())
        text += (f" {'No level' if n == 0 else 'Only one level'} rests on {number_word(MIN_STUDIES)} or more studies "
                 "with a printed uncertainty, so no difference between levels is computed.")
        return text
    shown = "; ".join(f"{c['first']} minus {c['second']}: {num(c['diff'])} (SE {num(c['se'])}, "
                      f"z = {num(c['z'])}, {p_text(c['p'])})" for c in pairs)
    if len(pairs) == 1:
        text += (f" The one difference between levels resting on {number_word(MIN_STUDIES)} or more studies, on "
                 f"Fisher z with the levels taken as independent (they come from different studies), is {shown}.")
    else:
        top = next(c for c in pairs if c["largest"])
        zs = [c["z"] for c in pairs]
        listed = (f"are: {shown}" if len(pairs) <= 3 else
                  f"range from z = {num(min(zs))} to {num(max(zs))} (each is listed in the table of differences)")
        text += (f" Between the {number_word(int(own['comparable'].sum()))} levels that rest on "
                 f"{number_word(MIN_STUDIES)} or more studies, all {number_word(len(pairs))} differences on "
                 f"Fisher z, with the levels taken as independent (they come from different studies), {listed}. "
                 f"The largest, {top['first']} minus {top['second']} (z = {num(top['z'])}, {p_text(top['p'])}), "
                 f"is picked out here only after seeing all {number_word(len(pairs))}; read alone, its p-value "
                 "would overstate the evidence.")
    return text


def pairwise_table(table, refs, moderator: str):
    """Every pairwise difference of :func:`pairwise`, for every review, as a table
    (review label, levels, difference, SE, z, p, and whether it is the largest of its review)."""
    import pandas as pd

    rows = levels(table, moderator)
    out = []
    for key, label in zip(reviews(rows, refs), labels(refs, reviews(rows, refs))):
        for c in pairwise(rows[rows["study"] == key]):
            out.append({"review": label, **c})
    return pd.DataFrame(out, columns=["review", "first", "second", "diff", "se", "z", "p", "largest"])


#: ``result`` codes of ``moderator_tests.csv`` in words.
RESULT_WORDS = {"significant": "significant", "not_significant": "not significant",
                "trend": "a trend that did not reach significance"}


def printed_tests(tests, table, key: str, moderator: str):
    """The review's own tests of ``moderator`` in the analysis of its overall estimate: rows of
    ``moderator_tests.csv`` of review ``key`` whose moderator names ``moderator`` (case
    ignored) and whose ``analysis`` is an ``overall`` estimate of ``table``."""
    if tests is None or not len(tests):
        return tests
    overall = set(table.loc[(table["study"] == key) & (table["estimate_type"] == "overall"), "synthesis_id"])
    names = tests["moderator"].fillna("").str.lower()
    return tests[(tests["study"] == key) & names.str.contains(moderator.lower(), regex=False)
                 & tests["analysis"].isin(overall)]


def _result(row) -> str:
    """A printed test's result in words, with its finding after a colon when one was coded
    (``finding`` is optional: a missing one adds nothing, never 'nan')."""
    words = RESULT_WORDS.get(row.result, str(row.result).replace("_", " "))
    finding = row.finding.strip() if isinstance(row.finding, str) else ""
    return f"{words}: {finding}" if finding else words


def tests_sentence(tests) -> str:
    """The printed test(s) of a moderator in one sentence: what the review found, as it printed
    it, with where it was read; empty when there is none."""
    if tests is None or not len(tests):
        return ""
    parts = []
    for row in tests.itertuples(index=False):
        stat = f"{row.statistic}, " if isinstance(row.statistic, str) and row.statistic else ""
        parts.append(f"{stat}{_result(row)} ({row.source_locator})")
    return " The review's own test of the moderator, as printed: " + "; ".join(parts) + "."


def moderator_account(table, refs, moderator: str, what: str, tests=None) -> str:
    """MyST paragraphs on every review that printed ``moderator``'s levels, oldest first, or a
    sentence saying that none did. With ``tests`` (``moderator_tests.csv``), each review's own
    omnibus test of the moderator follows its levels, as printed."""
    rows = levels(table, moderator)
    keys = reviews(rows, refs)
    others = _tests_without_levels(tests, table, refs, moderator, set(keys))
    if not keys:
        return f"No coded review printed the alliance–outcome correlation by {what}." + (
            "\n\n" + others if others else "")
    head = ("One coded review printed" if len(keys) == 1 else
            f"{number_word(len(keys)).capitalize()} coded reviews printed")
    body = "\n\n".join(review_paragraph(rows, k, what) + tests_sentence(printed_tests(tests, table, k, moderator))
                        for k in keys)
    return f"{head} the alliance–outcome correlation by {what}.\n\n{body}" + ("\n\n" + others if others else "")


def _tests_without_levels(tests, table, refs, moderator: str, skip: set) -> str:
    """Reviews that printed a test of ``moderator`` but no estimate per level: their finding as
    printed, one sentence each (empty when there is none)."""
    if tests is None or not len(tests):
        return ""
    names = tests["moderator"].fillna("").str.lower()
    hit = tests[names.str.contains(moderator.lower(), regex=False) & ~tests["study"].isin(skip)]
    out = []
    for key in reviews(hit, refs):
        own = hit[hit["study"] == key]
        parts = [f"{row.moderator} ({_result(row)}; {row.source_locator})" for row in own.itertuples(index=False)]
        out.append(f"{{cite:t}}`{key}` printed a test of {join(parts)}, without an estimate per level.")
    return " ".join(out)


#: Moderators that ask whose alliance it is, or who rated it.
WHOSE = ("type of alliance", "alliance rater", "informant")


def whose_alliance_account(tests, refs) -> str:
    """What the reviews' printed moderator tests say about whose alliance it is (youth, parent,
    family) and who rated it, review by review; or a sentence saying that no coded review
    printed such a test."""
    if tests is None or not len(tests):
        return "No coded review printed a test of whose alliance it is or who rated it."
    names = tests["moderator"].fillna("").str.lower()
    hit = tests[names.apply(lambda n: any(w in n for w in WHOSE))]
    if hit.empty:
        return "No coded review printed a test of whose alliance it is or who rated it."
    out = []
    for key in reviews(hit, refs):
        own = hit[hit["study"] == key]
        parts = [f"{row.moderator} ({_result(row)}; {row.source_locator})" for row in own.itertuples(index=False)]
        out.append(f"{{cite:t}}`{key}` tested as moderators " + join(parts) + ".")
    return " ".join(out)


def moderator_summary(table, refs, moderator: str, what: str) -> str:
    """One summary line: how many reviews printed ``moderator``, and what can be compared."""
    rows = levels(table, moderator)
    keys = reviews(rows, refs)
    if not keys:
        return f"No coded review printed the alliance–outcome correlation by {what}."
    cites = "; ".join(labels(refs, keys))   # labels hold commas ("Author et al., 2018")
    comparable = [k for k in keys if int(rows.loc[rows["study"] == k, "comparable"].sum()) >= 2]
    singles = int(rows["single"].sum())
    text = (f"{number_word(len(keys)).capitalize()} coded review{'s' * (len(keys) != 1)} ({cites}) printed the "
            f"correlation by {what}; ")
    if comparable:
        text += (f"{'in ' + number_word(len(comparable)) + ' of them ' if len(keys) > 1 else ''}levels resting on "
                 "two or more studies can be compared")
    else:
        text += "no two levels rest on two or more studies with a printed uncertainty, so none is compared"
    if singles:
        text += f", and {number_word(singles)} level{'s rest' if singles != 1 else ' rests'} on a single study"
    return text + "."


__all__ = ["levels", "reviews", "pairwise", "review_paragraph", "pairwise_table", "moderator_account", "printed_tests", "tests_sentence",
           "whose_alliance_account", "RESULT_WORDS", "WHOSE", "moderator_summary",
           "MIN_STUDIES"]
