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


# --------------------------------------------------------------------------- the chapter's words

from hypothesis import given, strategies as st  # noqa: E402

from alliance_meta.engine.wording import number_word  # noqa: E402
from alliance_meta.evidence.agenda import (agenda_summary_words, agenda_table, agenda_words,  # noqa: E402
                                           founding_table, founding_words, parent_request_words, pooled_dyad_words,
                                           primary_dyad_words, rule_count_words, single_study_words)


def _shipped_overview():
    return overview_table(load_table("syntheses"), load_references(), approximate=False)


def test_shipped_agenda_in_words():
    ov = _shipped_overview()
    table = agenda_table(load_agenda(), load_barriers(), ov)
    assert agenda_words(table) == (
        "The agenda has 12 items. For eight of them the coded reviews hold no estimate at all, for three only point "
        "estimates without a printed interval or standard error, and for one at least one estimate with its "
        "uncertainty: Split alliances over time (family).")
    assert agenda_summary_words(table) == ("For eight of the 12 items the reviews hold nothing; the others hold "
                                           "point estimates, and at most one estimate with a printed uncertainty per "
                                           "item.")
    assert single_study_words(ov, "referral") == (" Some rest on a single study: the referral moderator's mandated "
                                                  "level, for instance.")
    assert table.loc["fathers", "barrier_name"] == "Leaving fathers out"
    assert table.loc["parent_alliance_reported", "barrier_name"] == ""
    assert set(table["status_words"]) <= set(STATUS.values())
    syn = load_table("syntheses")
    assert rule_count_words("alliance_dyad=parent-therapist&alliance_rater=parent", syn) == \
        "the coded reviews hold no such estimates"
    from alliance_meta import load_effect_sizes

    assert primary_dyad_words(load_effect_sizes()) == "no parent–therapist correlations"
    assert pooled_dyad_words(syn) == ", although the reviews above pooled such studies."


def test_shipped_founding_agendas_in_words():
    from alliance_meta.evidence import load_founding_agendas

    refs = load_references()
    table = founding_table(load_founding_agendas(), _shipped_overview(), refs)
    assert founding_words(table) == (
        "The table holds 21 statements from nine works. Where a work's abstract states no open question (Martin et "
        "al., 2000) the table says so, and where no readable copy was found (Horvath & Symonds, 1991) nothing is "
        "attributed to it.")
    assert parent_request_words(table, refs) == (
        "Alexander and Dore's request, an alliance between clinician and parent studied in its own right, has since "
        "been met by three published estimates from two reviews, none of them with a printed uncertainty: the "
        "question has been asked of the literature, and the literature has not yet answered it with an interval a "
        "service could use.")
    assert (table.loc[table["kind"].isin(["not read", "none stated"]), "status_words"] == "").all()


def _status_table(statuses, with_interval=None, titles=None, pops=None):
    n = len(statuses)
    return pd.DataFrame({"status": statuses, "with_interval": with_interval or [0] * n,
                         "title": titles or [f"T{i}" for i in range(n)], "populations": pops or [""] * n})


def test_agenda_words_for_zero_one_and_several_items():
    assert agenda_words(_status_table([])) == "The agenda has no items."
    assert agenda_summary_words(_status_table([])) == "The agenda has no items."
    one = _status_table(["interval"], [2], ["Fathers"], ["parent"])
    assert agenda_words(one) == ("The agenda has one item. For it the coded reviews hold at least one estimate with "
                                 "its uncertainty: Fathers (parent).")
    assert agenda_summary_words(one) == ("For every item the reviews hold something; they hold point estimates, and "
                                         "at most two estimates with a printed uncertainty per item.")
    nothing = _status_table(["none", "no_rule"])
    assert agenda_words(nothing) == "The agenda has two items. For all of them the coded reviews hold no estimate at all."
    assert agenda_summary_words(nothing) == "For both items the reviews hold nothing."
    assert agenda_summary_words(_status_table(["none"] * 3)) == "For all three items the reviews hold nothing."
    assert agenda_summary_words(nothing.iloc[:1]) == "For the one item the reviews hold nothing."
    two = _status_table(["none", "point"])
    assert agenda_words(two) == ("The agenda has two items. For one of them the coded reviews hold no estimate at all, "
                                 "and for one only point estimates without a printed interval or standard error.")
    assert agenda_summary_words(two) == ("For one of the two items the reviews hold nothing; the others hold point "
                                         "estimates, and none with a printed uncertainty.")


@given(st.lists(st.sampled_from(["none", "no_rule", "point", "interval"]), max_size=15))
def test_agenda_words_count_what_they_say(statuses):
    table = _status_table(statuses, [1 if s == "interval" else 0 for s in statuses])
    text = agenda_words(table)
    if not statuses:
        assert text == "The agenda has no items."
        return
    n = len(statuses)
    assert text.startswith(f"The agenda has {number_word(n)} item{'s' * (n != 1)}. For ")
    for count, what in ((sum(s in ("none", "no_rule") for s in statuses), "no estimate at all"),
                        (statuses.count("point"), "only point estimates"),
                        (statuses.count("interval"), "at least one estimate with its uncertainty")):
        if count == 0:
            assert what not in text
        elif count == n:
            assert f"For {'it' if n == 1 else 'all of them'} the coded reviews hold {what}" in text
        else:
            assert f"{number_word(count)} {what}" in text or f"{number_word(count)} of them the coded reviews hold {what}" in text
    assert text.endswith(".") and "nan" not in text


def test_single_study_levels_zero_one_and_several():
    ov = pd.DataFrame({"moderator": ["referral"] * 3 + ["problem type"], "level": ["a", "b", "c", "d"],
                       "r": [0.1, 0.2, 0.3, 0.4], "k_studies": [1, 1, 5, 1], "vi": [0.01] * 4})
    assert single_study_words(ov, "referral") == (" Some rest on a single study: the referral moderator's a and b "
                                                  "levels, for instance.")
    assert single_study_words(ov, "problem type") == (" Some rest on a single study: the problem type moderator's d "
                                                      "level, for instance.")
    assert single_study_words(ov.assign(k_studies=5), "referral") == ""
    assert single_study_words(ov, "gender") == ""


def test_counts_of_rules_dyads_and_pooling():
    syn = pd.DataFrame({"alliance_dyad": ["parent-therapist", "mixed"], "alliance_rater": ["parent", "client"],
                        "population": ["parent", "adult"]})
    assert rule_count_words("alliance_dyad=parent-therapist&alliance_rater=parent", syn) == \
        "the coded reviews hold one such estimate"
    assert rule_count_words("population=adult;population=parent", syn) == "the coded reviews hold two such estimates"
    es = pd.DataFrame({"alliance_dyad": ["parent-therapist", "client-therapist", "parent-therapist"]})
    assert primary_dyad_words(es) == "two parent–therapist correlations"
    assert primary_dyad_words(es.iloc[:1]) == "one parent–therapist correlation"
    assert pooled_dyad_words(syn.iloc[1:]) == ", and no review above prints a parent–therapist estimate either."


class _Ref:
    def __init__(self, key, year, authors):
        self.key, self.year, self.authors = key, year, authors


def _founding(rows):
    return pd.DataFrame(rows, columns=["agenda_id", "study", "kind", "evidence_rule", "estimates", "reviews",
                                       "with_interval", "work"])


def test_founding_words_and_the_parent_request():
    refs = {"ad1999": _Ref("ad1999", "1999", ["Alexander", "Dore"]), "dg2017": _Ref("dg2017", "2017", ["Greef"]),
            "k2018": _Ref("k2018", "2018", ["Karver", "Shirk", "others"])}
    table = _founding([
        ["a1", "dg2017", "recommendation", "alliance_dyad=parent-therapist", 1, 1, 1, "de Greef, 2017"],
        ["a2", "ad1999", "open question", "population=parent;alliance_dyad=parent-therapist", 3, 2, 0, "A & D, 1999"],
        ["a3", "k2018", "not read", "", 0, 0, 0, "Karver et al., 2018"]])
    assert founding_words(table) == ("The table holds 3 statements from three works. Where no readable copy was found "
                                     "(Karver et al., 2018) nothing is attributed to it.")
    assert parent_request_words(table, refs).startswith(
        "Alexander and Dore's request, an alliance between clinician and parent studied in its own right, has since "
        "been met by three published estimates from two reviews, none of them with a printed uncertainty:")
    later = table.iloc[[0]]
    assert parent_request_words(later, refs) == (
        "Greef's request, an alliance between clinician and parent studied in its own right, has since been met by "
        "one published estimate from one review, one of them with a printed uncertainty.")
    assert parent_request_words(later.assign(estimates=0), refs).endswith(
        "has not been met by any published estimate of a later coded review.")
    assert parent_request_words(table.iloc[[2]], refs) == (
        "No founding work's request for the clinician–parent alliance is coded with a rule in the table.")
    assert founding_words(table.iloc[0:0]) == "The table holds no statement."
    assert founding_words(table.iloc[[0]]) == "The table holds 1 statement from one work."


def test_searches_text():
    from alliance_meta.evidence.agenda import searches_text

    assert searches_text(load_table("search_log")) == "1,214"
    assert searches_text(pd.DataFrame({"x": range(3)})) == "3" and searches_text(pd.DataFrame()) == "0"


def test_searches_words_agree_with_their_count():
    import pandas as pd

    from alliance_meta.evidence.agenda import searches_words

    assert searches_words(pd.DataFrame({"search_id": ["a"]})) == "1 logged search"
    assert searches_words(pd.DataFrame({"search_id": [str(i) for i in range(1214)]})) == "1,214 logged searches"
