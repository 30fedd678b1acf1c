"""The research agenda as data (alliance_meta.evidence.agenda): what the coded reviews hold
on each item, computed from its rule, and the shipped agenda's links to barriers."""

from __future__ import annotations

import pandas as pd
import pytest

from alliance_meta.evidence import load_agenda, load_barriers, load_references, load_table, overview_table, rule_evidence
from alliance_meta.evidence.agenda import STATUS
from alliance_meta.evidence.rules import mask


def _overview():
    return pd.DataFrame({
        "study": ["w2018", "w2018", "f2020", "r2023", "r2023"],
        "moderator": ["referral", "referral", "", "", ""],
        "level": ["help-seeking", "mandated", "", "", ""],
        "estimate_type": ["moderator_level", "moderator_level", "adjusted", "subgroup", "subgroup"],
        "population": ["family", "family", "adult", "parent", "parent"],
        "r": [0.28, 0.12, 0.22, 0.13, 0.24],
        "basis": ["se", "se", "ci", "", ""],
        "year": [2018, 2018, 2020, 2023, 2023],
    })


def _items():
    return pd.DataFrame({"item": ["mandated", "causal", "parent", "blame", "fathers"],
                         "evidence_rule": ["moderator=referral&level=mandated", "estimate_type=adjusted",
                                           "population=parent", "", "moderator=parent gender"]})


def test_each_item_gets_its_counts_and_status():
    got = rule_evidence(_items(), _overview(), key="item")
    assert list(got.index) == ["mandated", "causal", "parent", "blame", "fathers"]
    assert got.loc["mandated", ["estimates", "reviews", "with_interval"]].tolist() == [1, 1, 1]
    assert got.loc["parent", ["estimates", "reviews", "with_interval"]].tolist() == [2, 1, 0]
    assert list(got["status"]) == ["interval", "interval", "point", "no_rule", "none"]
    assert got.loc["causal", "populations"] == "adult" and got.loc["fathers", "populations"] == ""
    assert set(got["status"]) <= set(STATUS)


def test_shipped_agenda_counts_match_its_rules():
    agenda, barriers = load_agenda(), load_barriers()
    assert agenda["item"].is_unique
    assert set(agenda["barrier"].dropna()) - {""} <= set(barriers["barrier"])
    ov = overview_table(load_table("syntheses"), load_references(), approximate=False)
    got = rule_evidence(agenda, ov, key="item")
    for item in got.itertuples():
        assert item.estimates == int(mask(item.evidence_rule, ov).sum())
        assert item.with_interval <= item.estimates and item.reviews <= item.estimates
    # every barrier that has no estimate of its own is taken up by an agenda item
    empty = set(barriers.loc[barriers["review_evidence"].fillna("") == "", "barrier"])
    assert empty <= set(agenda["barrier"].dropna())
    # the mandated level of the one referral moderator rests on a single study, as the item's notes say
    mand = ov[mask("moderator=referral&level=mandated", ov)]
    assert len(mand) == 1 and int(mand["k_studies"].iloc[0]) == 1


def test_after_counts_only_later_reviews():
    items = _items().iloc[[0, 2]]
    got = rule_evidence(items, _overview(), key="item", after=[2018, 2010])
    assert got.loc["mandated", "status"] == "none" and got.loc["parent", "estimates"] == 2
    assert rule_evidence(items, _overview(), key="item", after=[None, float("nan")])["estimates"].tolist() == [1, 2]
    with pytest.raises(ValueError, match="1 years for 2 rows"):
        rule_evidence(items, _overview(), key="item", after=[2018])


def test_shipped_founding_agendas():
    from alliance_meta.evidence import load_founding_agendas
    from alliance_meta.evidence.bibliography import publication_year

    fa, refs = load_founding_agendas(), load_references()
    assert set(fa["study"]) <= set(refs) and fa["agenda_id"].is_unique
    # a work that could not be read has no question attributed to it
    assert (fa.loc[fa["kind"] == "not_read", "question"].fillna("") == "").all()
    ov = overview_table(load_table("syntheses"), refs, approximate=False)
    years = [publication_year(refs, k) for k in fa["study"]]
    got = rule_evidence(fa, ov, key="agenda_id", after=years)
    # Alexander & Dore asked for the clinician-parent alliance: later reviews print estimates of it
    ad = got[(got["study"] == "alexander1999") & (got["evidence_rule"].fillna("") != "")]
    assert len(ad) >= 1 and (ad["estimates"] > 0).all()
    # no review counts as answering a question asked in the same year or later
    for row in got.itertuples():
        hit = ov[mask(row.evidence_rule, ov)]
        assert row.estimates == int((hit["year"] > publication_year(refs, row.study)).sum())
