"""Barriers as data (alliance_meta.evidence.barriers): the selector rule, the estimates each
barrier selects from the overview of reviews, and the summary the chapter shows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from alliance_meta.evidence import evidence_summary, load_barrier_sources, load_barriers, overview_table, review_rows
from alliance_meta.evidence.rules import SELECTABLE, mask, parse, problems
from alliance_meta.evidence import load_references


def _barriers():
    return pd.DataFrame({
        "barrier": ["coercion", "structures", "split", "blame"],
        "name": ["Mandated", "Structures", "Split", "Blame"],
        "review_evidence": ["moderator=referral", "outcome_domain=engagement_retention",
                            "estimate_type=split_alliance;population=parent", ""],
    })


def _overview():
    return pd.DataFrame({
        "synthesis_id": ["w2018-01", "w2018-02", "w2018-03", "s2019-01", "p2020-01", "a2010-01"],
        "study": ["w2018", "w2018", "w2018", "s2019", "p2020", "a2010"],
        "moderator": ["", "referral", "referral", "", "", ""],
        "estimate_type": ["overall", "moderator_level", "moderator_level", "split_alliance", "overall", "overall"],
        "population": ["family", "family", "family", "parent", "parent", "adult"],
        "outcome_domain": ["mixed", "mixed", "mixed", "mixed", "mixed", "engagement_retention"],
        "r": [0.18, 0.25, 0.12, 0.10, None, 0.20],
        "basis": ["se", "se", "se", "", "", "k_n"],
    })


def test_rules_parse_alternatives_and_conditions():
    assert parse("moderator=referral; population = parent") == [[("moderator", "referral")], [("population", "parent")]]
    assert parse("population=parent&alliance_rater=parent") == [[("population", "parent"), ("alliance_rater", "parent")]]
    assert parse("") == [] and parse(None) == [] and parse(float("nan")) == []
    with pytest.raises(ValueError, match="country"):
        parse("country=US")
    for bad in ("moderator=", "moderator", "population=parent&"):
        with pytest.raises(ValueError):
            parse(bad)
    assert "moderator" in SELECTABLE and "study" not in SELECTABLE


def test_a_row_matches_every_condition_of_one_alternative():
    ov = _overview()
    assert list(mask("population=parent&estimate_type=split_alliance", ov)) == [0, 0, 0, 1, 0, 0]
    assert list(mask("population=parent;moderator=referral", ov)) == [0, 1, 1, 1, 1, 0]
    assert not mask("", ov).any() and not mask("moderator=gender", ov).any()
    # a missing value matches nothing, not the text 'nan'
    assert not mask("moderator=nan", ov.assign(moderator=None)).any()


def test_rule_problems_name_the_value_outside_the_vocabulary():
    vocab = {"population": ["adult", "parent"], "moderator": []}
    assert problems("population=parent&moderator=anything", vocab) == []
    assert problems("population=parents", vocab) == ["'parents' is not a value of population (adult, parent)"]
    assert "cannot select on 'country=US'" in problems("country=US", vocab)[0]


def test_each_barrier_gets_the_estimates_its_rule_selects_once():
    rows = review_rows(_barriers(), _overview())
    got = rows.groupby("barrier", sort=False)["synthesis_id"].apply(list).to_dict()
    assert got == {"coercion": ["w2018-02", "w2018-03"], "structures": ["a2010-01"],
                   # s2019-01 is both a split alliance and a parent estimate: counted once
                   "split": ["s2019-01", "p2020-01"]}
    assert list(rows.columns[:2]) == ["barrier", "synthesis_id"]


def test_no_rule_anywhere_gives_an_empty_frame_with_the_columns():
    rows = review_rows(_barriers().assign(review_evidence=""), _overview())
    assert rows.empty and "barrier" in rows.columns and "r" in rows.columns


def test_summary_counts_works_estimates_and_intervals():
    sources = pd.DataFrame({"barrier": ["blame", "blame", "coercion"], "read_in": ["not_read", "abstract", "abstract"]})
    s = evidence_summary(_barriers(), sources, _overview()).set_index("barrier")
    assert list(s.index) == ["coercion", "structures", "split", "blame"]
    assert s.loc["blame"].to_dict() == {"name": "Blame", "works": 1, "not_read": 1, "estimates": 0, "reviews": 0,
                                        "with_interval": 0, "with_r": 0}
    assert s.loc["coercion", "estimates"] == 2 and s.loc["coercion", "reviews"] == 1
    assert s.loc["coercion", "with_interval"] == 2
    # an interval from an approximation (k_n) is not a printed uncertainty
    assert s.loc["structures", "with_interval"] == 0 and s.loc["structures", "with_r"] == 1
    # an estimate without r has no interval either
    assert s.loc["split", "with_r"] == 1 and s.loc["split", "with_interval"] == 0


def test_shipped_barriers_join_the_shipped_reviews():
    from alliance_meta.evidence import load_table

    barriers, sources = load_barriers(), load_barrier_sources()
    assert barriers["barrier"].is_unique and set(sources["barrier"]) <= set(barriers["barrier"])
    refs = load_references()
    assert set(sources["study"]) <= set(refs)
    table = overview_table(load_table("syntheses"), refs, approximate=False)
    rows = review_rows(barriers, table)
    summary = evidence_summary(barriers, sources, table).set_index("barrier")
    # every selected estimate really has the value its barrier's rule names
    for b in barriers.itertuples():
        picked = rows[rows["barrier"] == b.barrier]
        for _, est in picked.iterrows():
            assert any(all(str(est[c]) == v for c, v in alt) for alt in parse(b.review_evidence))
        assert summary.loc[b.barrier, "estimates"] == len(picked)
    # a barrier with no rule has no estimates, and its notes say why
    for b in barriers[barriers["review_evidence"].fillna("") == ""].itertuples():
        assert summary.loc[b.barrier, "estimates"] == 0 and isinstance(b.notes, str) and "No" in b.notes
    # the referral contrast rests on moderator levels with printed uncertainty
    ref = rows[rows["barrier"] == "coercive_context"]
    assert len(ref) >= 2 and ref["basis"].isin(["ci", "se"]).all()
    assert all(math.isfinite(v) and lb < r < ub for v, lb, r, ub in zip(ref["vi"], ref["r_lb"], ref["r"], ref["r_ub"]))


def test_evidence_words_say_the_absence_and_the_uncertainty():
    from alliance_meta.evidence.barriers import evidence_words

    b = _barriers().assign(notes=["", "", "", "No review tested blame."])
    sources = pd.DataFrame({"barrier": ["blame"], "read_in": ["abstract"]})
    words = evidence_words(b, evidence_summary(b, sources, _overview()))
    assert words["blame"] == "No review tested blame."
    assert words["coercion"] == ("The coded reviews hold two published estimates from one review on it, "
                                 "all with a printed interval or standard error.")
    assert words["structures"] == ("The coded reviews hold one published estimate from one review on it, "
                                   "none with a printed interval or standard error.")
    assert words["split"].startswith("The coded reviews hold two published estimates from two reviews")
