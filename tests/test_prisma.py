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
