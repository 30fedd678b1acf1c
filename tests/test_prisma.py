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
