"""Rules that link barriers and agenda items to estimates: what counts as printed
uncertainty, and duplicates counted once."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.rules import first_hand, mask, with_uncertainty


def test_uncertainty_needs_a_printed_interval_and_more_than_one_study():
    frame = pd.DataFrame({"basis": ["ci", "se", "ci", "k_n", "ci"], "r": [0.2, 0.1, 0.3, 0.2, None],
                          "k_studies": pd.array([9, 1, None, 12, 5], dtype="Int64")})
    # a level that rests on one study is that study's sampling error; k not printed counts as pooled
    assert with_uncertainty(frame).tolist() == [True, False, True, False, False]


def test_duplicates_count_once_keeping_the_first_hand_reading():
    frame = pd.DataFrame({"synthesis_id": ["f2011-02", "f2011-04", "w2018-01", "a-01", "a-02"],
                          "conflict_with": ["f2011-04", "f2011-02", None, "a-02", "a-01"],
                          "read_in": ["abstract", "quoted_by:w2018", "table", "abstract", "abstract"]})
    assert first_hand(frame)["synthesis_id"].tolist() == ["f2011-02", "w2018-01", "a-01"]
    # a partner outside the selection is no duplicate of it
    assert first_hand(frame.iloc[[1, 2]])["synthesis_id"].tolist() == ["f2011-04", "w2018-01"]


def test_mask_alternatives():
    frame = pd.DataFrame({"population": ["parent", "youth", "family"], "estimate_type": ["other", "alliance_change",
                                                                                          "alliance_change"]})
    assert mask("estimate_type=alliance_change&population=parent", frame).tolist() == [False, False, False]
    assert mask("population=parent;estimate_type=alliance_change&population=family", frame).tolist() == \
        [True, False, True]
