"""The table of published pooled estimates (alliance_meta.evidence.syntheses)."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.syntheses import synthesis_table


def test_table_orders_by_year_and_labels(syn, refs):
    table = synthesis_table(syn, refs)
    assert list(table["synthesis_id"]) == ["old1991-01", "old1991-02", "new2011-01"]
    assert list(table["synthesis"]) == ["Old & Older, 1991", "Old & Older, 1991", "New et al., 2011"]
    assert table.loc[2, "95% CI"] == "[0.25, 0.30]" and table.loc[0, "95% CI"] == ""
    assert table.loc[1, "read in"] == "quoted by New et al., 2011"
    assert table.loc[0, "N"] is pd.NA


def test_table_carries_the_coded_fields_in_words(syn, refs):
    coded = syn.assign(estimate_type=["overall", "moderator_level", "overall"],
                       alliance_dyad=["client-therapist", None, "client-therapist"])
    table = synthesis_table(coded, refs)
    row = table.set_index("synthesis_id")
    assert row.loc["old1991-01", "estimate type"] == "moderator level"
    assert row.loc["old1991-01", "dyad"] == "" and row.loc["new2011-01", "dyad"] == "client-therapist"
    assert set(table["setting"]) == {""}  # a field the frame lacks stays empty, not invented
