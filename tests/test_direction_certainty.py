"""The certainty of the vote count of the parent's alliance (alliance_meta.evidence.direction_certainty)."""

from __future__ import annotations

from alliance_meta.evidence.certainty import rate_direction_body
from alliance_meta.evidence.direction_certainty import (BODY, REASON_COLUMNS, SOF_COLUMNS, certainty_sentence,
                                                        direction_certainty)
from alliance_meta.evidence.directions import synthesise


def test_several_samples(directions_several):
    s = synthesise(directions_several)
    sof = direction_certainty(s, directions_several)
    assert len(sof) == 1 and sof.iloc[0]["body"] == BODY and sof.iloc[0]["k"] == 5
    assert set(SOF_COLUMNS) <= set(sof.columns) and set(REASON_COLUMNS) <= set(sof.columns)
    assert sof.iloc[0]["risk_of_bias_reason"].startswith("100% of the studies read only in an abstract")
    assert certainty_sentence(sof) == ("Rated as a body of evidence by the same written rules as the overview's "
                                       f"pools, the direction of the parent's alliance has {sof.iloc[0]['certainty']} "
                                       "certainty.")


def test_one_and_no_sample(directions_one, directions_none):
    sof = direction_certainty(synthesise(directions_one), directions_one)
    assert sof.iloc[0]["k"] == 1 and sof.iloc[0]["imprecision"] != "not serious"
    empty = direction_certainty(synthesise(directions_none), directions_none)
    assert empty.empty and set(SOF_COLUMNS) <= set(empty.columns)
    assert certainty_sentence(empty) == "With no sample, there is nothing to rate."


def test_on_the_shipped_data():
    from alliance_meta.evidence.directions import SETTINGS, load_directions

    rows = load_directions()
    s = synthesise(rows)
    o = s.overall
    sof = direction_certainty(s, rows)
    parent = rows[rows["alliance_with"] == "parent"]
    second_hand = int(parent.groupby("sample")["read_in"].agg(lambda v: set(v) <= {"abstract", "summary"}).sum())
    from alliance_meta.evidence.certainty import Question

    expected = rate_direction_body(BODY, o.favours, o.against, o.unclear, o.not_reported, o.k,
                                   [str(g).split("+")[0] for g in s.samples["setting"]],
                                   Question("q", settings=frozenset(SETTINGS)), second_hand=second_hand,
                                   prop_ci=(o.to_dict()["ci_lb"], o.to_dict()["ci_ub"]))
    assert sof.iloc[0]["certainty"] == expected.iloc[0]["certainty"] and sof.iloc[0]["k"] == s.k_samples
    assert expected.iloc[0]["certainty"] in certainty_sentence(sof)
