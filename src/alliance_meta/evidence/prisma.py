"""PRISMA 2020 flow counts from ``data/search_log.csv`` or ``data/synthesis_search_log.csv`` (the diagram is
:func:`alliance_meta.figures.flow_diagram`).

The search log has one row per query: records found, screened (titles and abstracts
looked at), assessed (full text or table read for eligibility) and included, with
exclusion reasons written as ``reason: count; reason: count``. The flow diagram of
Page et al. (2021) needs the totals of those columns plus the number of studies and
reports that entered the dataset, which come from ``effect_sizes.csv``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .sentences import counted, were

_REASON = re.compile(r"^\s*(?P<reason>[^:;]+?)\s*:\s*(?P<count>\d+)\s*$")


def parse_reasons(text: str) -> Counter:
    """``'no r: 3; not readable: 2'`` -> Counter({'no r': 3, 'not readable': 2}).

    Parts without a count are ignored (a free-text remark is not a number of records).
    """
    out: Counter = Counter()
    for part in (text or "").split(";"):
        m = _REASON.match(part)
        if m:
            out[m["reason"].strip().lower()] += int(m["count"])
    return out


@dataclass
class FlowCounts:
    """Totals for each box of a PRISMA 2020 flow diagram (databases and registers only)."""

    searches: int
    identified: int
    screened: int
    assessed: int
    included_from_searches: int
    reports: int
    samples: int
    excluded_reasons: Counter = field(default_factory=Counter)
    #: What a report and a sample are in the included table (the diagram's last box).
    report_label: str = "reports"
    sample_label: str = "independent samples"
    included_title: str = "Studies included in the dataset"

    @property
    def excluded_screening(self) -> int:
        """Records screened but not sought in full (screened minus assessed)."""
        return max(self.screened - self.assessed, 0)

    @property
    def excluded_full_text(self) -> int:
        """Reports assessed but not included (assessed minus included reports)."""
        return max(self.assessed - self.reports, 0)

    @property
    def reasons_logged(self) -> int:
        """Records with a logged exclusion reason, at screening or at full text (coders
        logged reasons at both stages, so this is not a count of either box)."""
        return int(sum(self.excluded_reasons.values()))


def flow_counts(search_log, effect_sizes, *, sample: str | None = "sample", report_label: str = "reports",
                sample_label: str = "independent samples",
                included_title: str = "Studies included in the dataset") -> FlowCounts:
    """Add up the search log and count what was included.

    Parameters
    ----------
    search_log : pandas.DataFrame
        The ``search_log`` table (or ``synthesis_search_log`` for the overview of reviews).
    effect_sizes : pandas.DataFrame
        The included table: reports are its distinct ``study`` keys (one bibliographic
        record each), samples its distinct values of ``sample`` (its rows when ``sample`` is
        None, e.g. the pooled estimates of ``syntheses``).
    report_label, sample_label, included_title : str
        What the diagram calls them ("meta-analyses", "pooled estimates", "Included in the
        overview" for the overview of reviews).

    Returns
    -------
    FlowCounts
    """
    reasons: Counter = Counter()
    for text in search_log["excluded_reasons"].fillna(""):
        reasons.update(parse_reasons(str(text)))

    def total(col: str) -> int:
        return int(search_log[col].fillna(0).astype(int).sum())

    return FlowCounts(
        searches=len(search_log),
        identified=total("records_found"),
        screened=total("records_screened"),
        assessed=total("records_assessed"),
        included_from_searches=total("records_included"),
        reports=int(effect_sizes["study"].nunique()),
        samples=int(effect_sizes[sample].nunique()) if sample else int(len(effect_sizes)),
        excluded_reasons=reasons,
        report_label=report_label,
        sample_label=sample_label,
        included_title=included_title,
    )


def flow_words(counts: FlowCounts) -> str:
    """The flow of the search for primary studies (``dataset.md``), as a paragraph.

    Returns
    -------
    str
        The searches, records found, screened and assessed, the assessed reports not included
        and the exclusions with a logged reason; every noun and verb agrees with its count.
    """
    return (f"The search log records {counted(counts.searches, 'search', 'searches')} of stored public copies of the "
            f"literature. {'It' if counts.searches == 1 else 'They'} returned "
            f"{counted(counts.identified, 'record', 'records')}, of which {were(counts.screened)} screened and "
            f"{counts.assessed:,} assessed further (their abstract, results text or tables read for a correlation "
            f"and its *n*); {counted(counts.excluded_full_text, 'assessed report', 'assessed reports')} "
            f"{'was' if counts.excluded_full_text == 1 else 'were'} not included. Coders logged a reason for "
            f"{counted(counts.reasons_logged, 'exclusion', 'exclusions')} at either stage.")


def flow_holds_words(counts: FlowCounts) -> str:
    """'The dataset holds 9 reports on 9 independent samples.', nouns agreeing with counts."""
    return (f"The dataset holds {counted(counts.reports, 'report', 'reports')} on "
            f"{counted(counts.samples, 'independent sample', 'independent samples')}.")


def synthesis_flow_words(counts: FlowCounts) -> str:
    """The flow of the search for meta-analyses (``syntheses.md``), as a clause after a colon.

    Returns
    -------
    str
        '412 searches returned 3,954 records, of which 3,954 were screened and 212 read beyond
        their title.', nouns and verbs agreeing with their counts.
    """
    return (f"{counted(counts.searches, 'search', 'searches')} returned {counted(counts.identified, 'record', 'records')}, "
            f"of which {were(counts.screened)} screened and {counts.assessed:,} read beyond "
            f"{'its' if counts.assessed == 1 else 'their'} title.")


def log_summary(search_log):
    """A search log in one table: per source, the searches run and the records they found,
    screened, read for eligibility and included, with the dates of the first and last search.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, searches, first, last, found, screened, assessed, included``, one row
        per source (most searches first) and a last row ``all sources``; empty counts are 0.
    """
    import pandas as pd

    cols = ["records_found", "records_screened", "records_assessed", "records_included"]
    log = search_log.copy()
    for c in cols:
        log[c] = pd.to_numeric(log[c], errors="coerce").fillna(0).astype(int)
    names = {"records_found": "found", "records_screened": "screened", "records_assessed": "assessed",
             "records_included": "included"}

    def block(part, source):
        dates = part["searched_on"].dropna().astype(str)
        return {"source": source, "searches": int(len(part)), "first": dates.min() if len(dates) else "",
                "last": dates.max() if len(dates) else "", **{names[c]: int(part[c].sum()) for c in cols}}

    rows = [block(part, str(src)) for src, part in log.groupby(log["source"].fillna("(no source)"), sort=False)]
    rows.sort(key=lambda r: -r["searches"])
    rows.append(block(log, "all sources"))
    return pd.DataFrame(rows, columns=["source", "searches", "first", "last", "found", "screened", "assessed",
                                       "included"])
