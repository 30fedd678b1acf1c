"""How the published overall estimate of one body of evidence moved over the years.

A series is the overall estimates of one overlap group in one setting, oldest first: each
review re-pools most of its predecessors' studies, so a series shows how stable the
published figure has been, not a trend that could be tested. It is selected by coded fields
(``overlap_group``, ``setting``, ``estimate_type``), never by a review's key, and every
function says what it finds when the series holds no, one or several estimates.
"""

from __future__ import annotations

from ..engine.wording import number_word
from .overview import GROUP, SECONDARY
from .sentences import has, r_text

#: The series the overview chapter follows: the broad adult series of individual
#: psychotherapy, since the classic syntheses.
ADULT_SERIES = {GROUP: "adult-individual", "setting": "psychotherapy"}


def series(ov, refs, *, where=None):
    """The overall estimates of one series, oldest first (ties by synthesis id).

    Parameters
    ----------
    ov : pandas.DataFrame
        From :func:`alliance_meta.evidence.overview_table`.
    refs : dict
        ``references.bib`` (for the reviews' labels).
    where : dict, optional
        Column -> coded value that every row of the series has (default :data:`ADULT_SERIES`).

    Returns
    -------
    pandas.DataFrame
        The matching rows with ``estimate_type`` ``overall`` and ``review`` (the label) added;
        no rows when none matches.
    """
    from .bibliography import labels

    keep = ov["estimate_type"] == "overall"
    for column, value in (ADULT_SERIES if where is None else where).items():
        keep &= ov[column] == value
    rows = ov[keep].sort_values(["year", "synthesis_id"])
    return rows.assign(review=labels(refs, list(rows["study"])))


def _items(rows, fmt) -> str:
    with_r = rows[rows["r"].notna()]
    return "; ".join(f"{lab} {fmt(r)}" + (f" (k = {int(k)})" if has(k) else "")
                     for lab, r, k in zip(with_r["review"], with_r["r"], with_r["k_studies"]))


def series_list(rows) -> str:
    """'Horvath & Symonds, 1991 0.26 (k = 26); ...': each estimate of :func:`series` with a
    harmonised r (two decimals, with leading zero) and its k where printed; empty when none."""
    return _items(rows, lambda r: f"{r:.2f}")


def series_words(rows) -> str:
    """The series in words, oldest first: each review's r (APA style) and k; over how many years
    the estimate stayed within which range (with two or more figures); how many figures were
    read only as quoted by a later work (in words); with two or more figures, that the series
    is no sequence of independent tests; or that no estimate carries an r."""
    with_r = rows[rows["r"].notna()]
    if with_r.empty:
        return "No overall estimate of the broad adult series carries a harmonised r."
    text = "The classic syntheses and their successors, oldest first: " + _items(rows, r_text)
    years = with_r["year"].dropna()
    if len(with_r) > 1:
        span = int(years.max() - years.min()) if len(years) else 0
        text += (f". Over {span} year{'s' * (span != 1)} the published overall estimate stayed between "
                 f"{r_text(with_r['r'].min())} and {r_text(with_r['r'].max())}.")
        tail = (" The series is not a sequence of independent tests: each review re-pools most of its predecessors' "
                "studies, so it shows how stable the published figure has been, not a trend that could be tested.")
    else:
        text, tail = text + ".", ""
    quoted = int(with_r["read_in"].fillna("").str.startswith(SECONDARY).sum())
    if quoted:
        who = ("It is" if len(with_r) == 1 else
               f"{number_word(quoted).capitalize()} of these figures {'is' if quoted == 1 else 'are'}")
        text += (f" {who} read only as quoted by a later work (the table's notes and \"read in\" column say where "
                 "each figure was read).")
    return text + tail


def series_summary(rows) -> str:
    """The summary's line on the series: how many figures over which years and within which
    range, and that shared studies make their stability or drift no independent replication;
    or that the series holds no figure."""
    with_r = rows[rows["r"].notna()]
    n = len(with_r)
    if n == 0:
        return "No overall estimate of the broad adult series carries a harmonised r, so no series is shown."
    years = with_r["year"].dropna()
    if n == 1:
        when = f" ({int(years.iloc[0])})" if len(years) else ""
        return (f"The broad adult series holds one figure{when}, r = {r_text(with_r['r'].iloc[0])}: with one review "
                "there is no series to read.")
    when = f" from {int(years.min())} to {int(years.max())}" if len(years) else ""
    return (f"The broad adult series is shown oldest first ({number_word(n)} figures{when}, between "
            f"{r_text(with_r['r'].min())} and {r_text(with_r['r'].max())}); its reviews share their studies, so its "
            "stability or drift says little about independent replication.")


__all__ = ["ADULT_SERIES", "series", "series_list", "series_words", "series_summary"]
