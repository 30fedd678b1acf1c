"""Evidence-gap counts."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.gaps import allowed_levels, gap_counts, largest_gaps


def test_counts_studies_not_rows():
    frame = pd.DataFrame({"study": ["a", "a", "b", "c"], "dyad": ["p", "p", "p", "y"], "rater": ["x", "x", "x", "z"]})
    table = gap_counts(frame, "dyad", "rater", row_levels=["p", "y", "q"], col_levels=["x", "z"])
    assert table.loc["p", "x"] == 2  # study a counted once
    assert table.loc["q"].tolist() == [0, 0]
    assert largest_gaps(table, 3) == [("p", "z", 0), ("y", "x", 0), ("q", "x", 0)]


def test_allowed_levels_come_from_the_schema():
    assert allowed_levels("alliance_dyad")[0] == "parent-therapist"
    assert "mandated" in allowed_levels("referral")


def test_allowed_levels_of_the_coded_reviews():
    assert allowed_levels("population", table="syntheses") == ["adult", "youth", "family", "couple", "parent"]
    assert "child_welfare" in allowed_levels("setting", table="syntheses")
