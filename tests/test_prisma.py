"""PRISMA 2020 counts from the search log, and the drawn diagram."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.prisma import flow_counts, parse_reasons


def test_parse_reasons():
    got = parse_reasons("no alliance-outcome r: 3; Full text not readable: 2; duplicate: 1; remark")
    assert got == {"no alliance-outcome r": 3, "full text not readable": 2, "duplicate": 1}
    assert parse_reasons("") == {}


def _log():
    return pd.DataFrame({"records_found": [10, 5], "records_screened": [8, 5], "records_assessed": [4, 2],
                         "records_included": [2, 1], "excluded_reasons": ["no r: 2", "no r: 1"]})


def _effects():
    return pd.DataFrame({"study": ["a2000", "a2000", "b2001"], "sample": ["a2000-s1", "a2000-s2", "b2001-s1"]})


def test_flow_counts():
    c = flow_counts(_log(), _effects())
    assert (c.searches, c.identified, c.screened, c.assessed, c.included_from_searches) == (2, 15, 13, 6, 3)
    assert (c.reports, c.samples) == (2, 3)
    assert c.excluded_screening == 7
    assert c.excluded_full_text == 4  # 6 assessed, 2 reports included
    assert c.reasons_logged == 3


def test_log_summary_counts_per_source_and_in_all():
    import pandas as pd

    from alliance_meta.evidence.prisma import log_summary

    log = pd.DataFrame({"search_id": ["a-1", "a-2", "b-1"], "searched_on": ["2026-11-02", "2026-11-01", "2026-11-03"],
                        "source": ["pages", "pages", "docs"], "query": ["x", "y", "z"],
                        "records_found": ["8", "4", ""], "records_screened": ["8", "4", "0"],
                        "records_assessed": ["2", "0", "0"], "records_included": ["1", "0", "0"]})
    out = log_summary(log)
    assert out["source"].tolist() == ["pages", "docs", "all sources"]
    assert out.iloc[0][["searches", "first", "last", "found", "assessed", "included"]].tolist() == \
        [2, "2026-11-01", "2026-11-02", 12, 2, 1]
    assert out.iloc[-1][["searches", "found", "screened"]].tolist() == [3, 12, 12]


def _flow(**kw):
    from alliance_meta.evidence.prisma import FlowCounts

    base = dict(searches=2, identified=30, screened=30, assessed=5, included_from_searches=3, reports=3, samples=3)
    return FlowCounts(**{**base, **kw})


def test_flow_words_agree_with_their_counts():
    from collections import Counter

    from alliance_meta.evidence.prisma import flow_holds_words, flow_words

    many = _flow(excluded_reasons=Counter({"no r": 4}))
    assert flow_words(many) == (
        "The search log records 2 searches of stored public copies of the literature. They returned 30 records, "
        "of which 30 were screened and 5 assessed further (their abstract, results text or tables read for a "
        "correlation and its *n*); 2 assessed reports were not included. Coders logged a reason for 4 exclusions "
        "at either stage.")
    one = _flow(searches=1, identified=1, screened=1, assessed=1, reports=0, samples=0,
                excluded_reasons=Counter({"no r": 1}))
    assert flow_words(one) == (
        "The search log records 1 search of stored public copies of the literature. It returned 1 record, of which "
        "1 was screened and 1 assessed further (their abstract, results text or tables read for a correlation and "
        "its *n*); 1 assessed report was not included. Coders logged a reason for 1 exclusion at either stage.")
    assert flow_holds_words(many) == "The dataset holds 3 reports on 3 independent samples."
    assert flow_holds_words(_flow(reports=1, samples=1)) == "The dataset holds 1 report on 1 independent sample."


def test_synthesis_flow_words_agree_with_their_counts():
    from alliance_meta.evidence.prisma import synthesis_flow_words

    assert synthesis_flow_words(_flow(searches=412, identified=3954, screened=3954, assessed=212)) == (
        "412 searches returned 3,954 records, of which 3,954 were screened and 212 read beyond their title.")
    assert synthesis_flow_words(_flow(searches=1, identified=1, screened=1, assessed=1)) == (
        "1 search returned 1 record, of which 1 was screened and 1 read beyond its title.")
