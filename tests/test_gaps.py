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


# --------------------------------------------------------------------------- the agenda's map in words

from alliance_meta.evidence.gaps import (dyads_with_words, empty_levels, map_words, population_words,  # noqa: E402
                                         review_map, share_text)


def _syn():
    return pd.DataFrame({"study": ["a2001", "a2001", "b2002", "c2003"],
                         "population": ["parent", "parent", "adult", "parent"],
                         "outcome_domain": ["symptoms", "mixed", "symptoms", "symptoms"],
                         "alliance_rater": ["mixed", "mixed", "client", "parent"],
                         "alliance_dyad": ["parent-therapist", "parent-therapist", "client-therapist", "mixed"],
                         "setting": ["outpatient_mh", "outpatient_mh", "outpatient_mh", "child_welfare"]})


def test_shipped_map_in_words():
    from alliance_meta import load_syntheses

    syn = load_syntheses()
    maps = [review_map(syn, c) for c in ("outcome_domain", "alliance_rater", "setting")]
    words = map_words(*maps)
    assert words["domains"] == "No coded review prints an estimate for these outcome domains: parenting, family functioning."
    assert words["raters"] == "No review prints an estimate rated by these raters alone: parent, observer."
    assert words["settings"] == ("By setting, no review prints one for these settings: case management, child "
                                 "welfare, substance use, medical, rehabilitation.")
    assert words["summary"] == (
        "The agenda is drawn from the evidence map of the coded meta-analyses: outcome domains with no published "
        "estimate (parenting, family functioning), raters never reported alone (parent, observer), and settings "
        "without a review (case management, child welfare, substance use, medical, rehabilitation).")
    assert population_words(syn, maps[0]) == ("The parent's own alliance appears in two reviews, in two of the "
                                              "seven outcome domains.")
    assert share_text(syn, "alliance_rater", "mixed") == "91"
    assert dyads_with_words(syn) == ("the dyads with a symptoms estimate are parent-therapist (1 review), "
                                     "youth-therapist (1 review), client-therapist (5 reviews), mixed (1 review)")


def test_review_map_lists_every_allowed_level():
    table = review_map(_syn(), "outcome_domain")
    assert list(table.index) == allowed_levels("population", table="syntheses")
    assert list(table.columns) == allowed_levels("outcome_domain", table="syntheses")
    assert table.loc["parent", "symptoms"] == 2 and table.loc["parent", "mixed"] == 1
    assert "family functioning" in empty_levels(table) and "symptoms" not in empty_levels(table)


def test_map_words_when_nothing_or_something_is_empty():
    full = pd.DataFrame({"x": [1], "y_z": [2]})
    words = map_words(full, full, full)
    assert words["domains"] == "Every outcome domain has an estimate in at least one coded review."
    assert words["raters"].startswith("Every rater has") and words["settings"].startswith("By setting, every setting")
    assert words["summary"].endswith("every outcome domain, rater and setting has at least one published estimate.")
    gap = pd.DataFrame({"x": [1], "y_z": [0]})
    words = map_words(gap, full, full)
    assert words["domains"] == "No coded review prints an estimate for these outcome domains: y z."
    assert words["summary"] == ("The agenda is drawn from the evidence map of the coded meta-analyses: outcome "
                                "domains with no published estimate (y z).")
    assert map_words(gap, gap, full)["summary"].endswith("(y z) and raters never reported alone (y z).")


def test_population_words_for_zero_one_and_several_reviews():
    syn = _syn()
    table = review_map(syn, "outcome_domain")
    assert population_words(syn, table) == "The parent's own alliance appears in two reviews, in two of the seven outcome domains."
    assert population_words(syn.iloc[:2], table) == ("The parent's own alliance appears in one review, in two of "
                                                     "the seven outcome domains.")
    assert population_words(syn.iloc[[2]], table) == "The parent's own alliance has no estimate in any coded review."


def test_share_and_dyads():
    syn = _syn()
    assert share_text(syn, "alliance_rater", "mixed") == "50" and share_text(syn.iloc[0:0], "alliance_rater", "mixed") == "0"
    assert dyads_with_words(syn) == ("the dyads with a symptoms estimate are parent-therapist (1 review), "
                                     "client-therapist (1 review), mixed (1 review)")
    assert dyads_with_words(syn, "parenting") == "no dyad has a published estimate for parenting"
    assert dyads_with_words(syn.iloc[0:0]) == "no dyad has a published estimate for symptoms"


def test_holdings_in_words():
    from alliance_meta import load_syntheses
    from alliance_meta.evidence.gaps import holdings_words

    assert holdings_words(load_syntheses()) == "The coded bibliography holds 89 published estimates from 37 meta-analyses."
    assert holdings_words(_syn()) == "The coded bibliography holds 4 published estimates from 3 meta-analyses."
    assert holdings_words(_syn().iloc[:1]) == "The coded bibliography holds 1 published estimate from 1 meta-analysis."
    assert holdings_words(_syn().iloc[0:0]) == "The coded bibliography holds no published estimate."
