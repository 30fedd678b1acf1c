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


# --------------------------------------------------------------------------- the chapter's words

from alliance_meta.evidence.barriers import (agreement_moderators, basis_words, engagement_population_words,  # noqa: E402
                                             estimates_table, names_words, primary_referral_words,
                                             quant_summary_words, sources_table, split_alliance_account,
                                             without_estimates, without_words)


def _shipped():
    from alliance_meta.evidence import load_table

    barriers, sources, refs = load_barriers(), load_barrier_sources(), load_references()
    table = overview_table(load_table("syntheses"), refs, approximate=False)
    return barriers, sources, refs, table, evidence_summary(barriers, sources, table)


def _summary(estimates, with_interval, names=None):
    names = names or [f"B{i}" for i in range(len(estimates))]
    return pd.DataFrame({"barrier": [n.lower() for n in names], "name": names, "estimates": estimates,
                         "with_interval": with_interval})


def test_shipped_barrier_sentences():
    barriers, sources, refs, table, summary = _shipped()
    assert names_words(barriers, sources) == names_words(barriers) == (
        "Seven barriers are coded as data, each with the primary works that document it and the rule that links it "
        "to the coded reviews: blaming parents; professionals' views of parents; cultural and ethnic distance; "
        "mandated and involuntary contact; practical and organisational barriers; leaving fathers out; parent and "
        "young person disagreeing.")
    assert basis_words(barriers, sources, summary) == (
        "The chapter names seven barriers. They rest on 23 primary works read in their abstracts (the full texts "
        "could not be read here) and on the coded reviews; one cited work could not be read at all and is cited as "
        "cited. For four of the barriers the coded reviews hold no alliance–outcome estimate, and only two have one "
        "with a printed uncertainty.")
    assert without_estimates(summary) == ["Blaming parents", "Professionals' views of parents",
                                          "Cultural and ethnic distance", "Leaving fathers out"]
    assert without_words(summary) == "; ".join(without_estimates(summary))
    assert quant_summary_words(summary) == (
        "Four barriers have no alliance–outcome estimate in the coded reviews, and two (Mandated and involuntary "
        "contact; Parent and young person disagreeing) have one with a printed interval or standard error.")
    assert engagement_population_words(table) == ("Those estimates concern engagement in therapy and dropout, for "
                                                  "the adult population; none is about parents or families.")
    from alliance_meta.evidence import load_table

    text = split_alliance_account(table, refs, load_table("moderator_tests"))
    assert text.startswith("{cite:t}`friedlander2018` printed the association between a split alliance and outcome "
                           "as r = .32")
    assert text.endswith("No coded review printed agreement on goals between parent and young person as a moderator.")


def test_names_and_basis_for_no_barrier():
    empty = _barriers().iloc[0:0]
    assert names_words(empty) == "No barrier is coded as data."
    sources = pd.DataFrame({"barrier": [], "study": [], "read_in": []})
    assert basis_words(empty, sources, _summary([], [])) == \
        "No barrier is coded in data/barriers.csv, so the chapter names none."
    assert without_words(_summary([], [])) == "no barrier is coded"
    assert quant_summary_words(_summary([], [])) == "No barrier is coded as data."


def test_basis_words_count_works_and_say_how_they_were_read():
    one = _barriers().iloc[:1]
    sources = pd.DataFrame({"barrier": ["coercion"] * 4, "study": ["a2001", "a2001", "b2002", "c2003"],
                            "read_in": ["abstract", "full_text", "not_read", "not_read"]})
    text = basis_words(one, sources, _summary([1], [1]))
    assert text == ("The chapter names one barrier. It rests on 1 primary work read in full and on the coded "
                    "reviews; two cited works could not be read at all and are cited as cited. For it the coded "
                    "reviews hold an alliance–outcome estimate, one with a printed uncertainty.")
    mixed = pd.DataFrame({"barrier": ["coercion"] * 2, "study": ["a2001", "b2002"], "read_in": ["abstract", "full_text"]})
    assert "read in full (1) or in their abstracts (1) and on the coded reviews. For" in \
        basis_words(_barriers().iloc[:2], mixed, _summary([0, 0], [0, 0]))
    assert basis_words(_barriers().iloc[:2], mixed, _summary([0, 0], [0, 0])).endswith(
        "For none of the barriers do the coded reviews hold an alliance–outcome estimate.")
    unread = pd.DataFrame({"barrier": ["coercion"], "study": ["a2001"], "read_in": ["not_read"]})
    assert "It rests on the coded reviews alone: no primary work documenting it could be read; one cited work" \
        in basis_words(one, unread, _summary([1], [0]))
    assert basis_words(one, unread, _summary([0], [0])).endswith("For it the coded reviews hold no alliance–outcome "
                                                                 "estimate.")
    assert basis_words(_barriers().iloc[:2], unread, _summary([1, 0], [1, 0])).endswith(
        "For one of the barriers the coded reviews hold no alliance–outcome estimate, and the one barrier with an "
        "estimate has one with a printed uncertainty.")
    assert basis_words(_barriers(), mixed, _summary([2, 2, 0, 0], [2, 1, 0, 0])).endswith(
        "For two of the barriers the coded reviews hold no alliance–outcome estimate, and both with an estimate "
        "have one with a printed uncertainty.")
    assert basis_words(_barriers(), mixed, _summary([2, 2, 1, 0], [2, 1, 1, 0])).endswith(
        "For one of the barriers the coded reviews hold no alliance–outcome estimate, and all three with an estimate "
        "have one with a printed uncertainty.")


def test_quant_summary_for_zero_one_and_several():
    assert quant_summary_words(_summary([1, 2], [0, 0])) == (
        "Every barrier has an alliance–outcome estimate in the coded reviews, and none has one with a printed "
        "interval or standard error.")
    assert quant_summary_words(_summary([0, 2], [0, 1], ["A", "B"])) == (
        "One barrier has no alliance–outcome estimate in the coded reviews, and one (B) has one with a printed "
        "interval or standard error.")
    assert without_words(_summary([1, 2], [0, 0])) == "every barrier has at least one estimate"
    assert without_estimates(_summary([0, 2, 0], [0, 0, 0], ["A", "B", "C"])) == ["A", "C"]


def test_engagement_populations_by_outcome_domain():
    ov = _overview()
    assert engagement_population_words(ov) == ("Those estimates concern engagement in therapy and dropout, for the "
                                               "adult population; none is about parents or families.")
    more = pd.concat([ov, ov.iloc[[3]].assign(outcome_domain="engagement_retention")], ignore_index=True)
    assert engagement_population_words(more) == ("Those estimates concern engagement in therapy and dropout, for "
                                                 "the adult, parent populations.")
    assert engagement_population_words(ov.assign(outcome_domain="mixed")) == ""


class _Ref:
    def __init__(self, year):
        self.year = year


def test_split_alliance_account_zero_one_and_agreement_tested():
    ov = _overview().assign(k_studies=[None] * 6, r_lb=[None] * 6, r_ub=[None] * 6, vi=[None] * 6,
                            subset=["x"] * 6)
    refs = {"s2019": _Ref("2019"), "w2018": _Ref("2018")}
    text = split_alliance_account(ov, refs)
    assert text == ("{cite:t}`s2019` printed the association between a split alliance and outcome as r = .10 for "
                    "the x. No coded review printed agreement on goals between parent and young person as a "
                    "moderator.")
    none = split_alliance_account(ov.assign(estimate_type="overall"), refs)
    assert none.startswith("No coded review prints an alliance–outcome estimate for split alliances. No coded review")
    tests = pd.DataFrame({"study": ["w2018"], "moderator": ["Goal agreement"]})
    assert agreement_moderators(ov, tests).to_dict("list") == {"study": ["w2018"], "moderator": ["Goal agreement"]}
    assert split_alliance_account(ov, refs, tests).endswith("{cite:t}`w2018` printed Goal agreement as a moderator.")


def test_tables_name_barriers_and_works():
    refs = load_references()
    rows = review_rows(_barriers(), _overview().assign(study="welmersvandepoll2018"))
    shown = estimates_table(rows, _barriers(), refs)
    assert list(shown["barrier"]) == ["Mandated", "Mandated", "Structures", "Split", "Split"]
    assert shown["basis"].tolist()[:2] == ["printed SE", "printed SE"] and pd.isna(shown["basis"].iloc[3])
    assert set(shown["study"]) == {"Welmers-van de Poll et al., 2018"}
    sources = pd.DataFrame({"barrier": ["blame"], "study": ["welmersvandepoll2018"]})
    assert sources_table(sources, _barriers(), refs).iloc[0].tolist() == ["Blame", "Welmers-van de Poll et al., 2018"]


def test_primary_referral_words_for_zero_one_and_several_studies():
    from alliance_meta import load_effect_sizes

    assert primary_referral_words(load_effect_sizes()) == (
        "None of the 9 primary studies in this book's own dataset sampled mandated or mixed referrals, so the "
        "dataset cannot add to the referral contrast")
    es = pd.DataFrame({"study": ["a", "a", "b", "c"], "referral": ["mandated", "voluntary", "voluntary", "mixed"]})
    assert primary_referral_words(es) == "Two of the 3 primary studies in this book's own dataset sampled mandated or mixed referrals"
    assert primary_referral_words(es.iloc[:3]).startswith("Only one of the 2 primary studies")
    assert primary_referral_words(es.iloc[0:0]) == ("This book's own dataset holds no primary study, so it cannot add "
                                                    "to the referral contrast")


def test_a_rule_that_selects_nothing_is_said_so_not_the_coders_notes():
    from alliance_meta.evidence.barriers import chapter_words, evidence_words

    b = _barriers().assign(notes=["Referral levels only.", "", "", "No review tested blame."])
    ov = _overview().assign(moderator="", estimate_type="overall", outcome_domain="mixed", population="adult")
    words = evidence_words(b, evidence_summary(b, pd.DataFrame({"barrier": [], "read_in": []}), ov))
    assert words["coercion"] == "No coded review holds an estimate that the barrier's rule selects."
    assert words["blame"] == "No review tested blame."
    got = chapter_words(b, evidence_summary(b, pd.DataFrame({"barrier": [], "read_in": []}), ov), ["blame", "gone"])
    assert got["blame"] == "No review tested blame." and set(got) == {"coercion", "structures", "split", "blame", "gone"}
    assert got["gone"] == ("This barrier is not coded in data/barriers.csv, so what the coded reviews hold on it is "
                           "not computed.")


def test_one_barrier_is_written_in_the_singular():
    one = _barriers().iloc[:1]
    assert names_words(one) == ("One barrier is coded as data, with the primary works that document it and the rule "
                                "that links it to the coded reviews: mandated.")
    sources = pd.DataFrame({"barrier": ["coercion"], "study": ["a2001"], "read_in": ["abstract"]})
    assert basis_words(one, sources, _summary([2], [0])) == (
        "The chapter names one barrier. It rests on 1 primary work read in its abstract (the full text could not be "
        "read here) and on the coded reviews. For it the coded reviews hold an alliance–outcome estimate, none with a "
        "printed uncertainty.")


from hypothesis import given, strategies as st  # noqa: E402

from alliance_meta.engine.wording import number_word  # noqa: E402


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=12))
def test_summary_sentences_count_what_they_say(pairs):
    estimates = [e for e, _ in pairs]
    with_interval = [min(e, w) for e, w in pairs]
    summary = _summary(estimates, with_interval)
    text = quant_summary_words(summary)
    if not pairs:
        assert text == "No barrier is coded as data."
        return
    without = estimates.count(0)
    with_unc = sum(w > 0 for w in with_interval)
    assert text.startswith("Every barrier has" if without == 0 else number_word(without).capitalize() + " barrier")
    assert (", and none has one" in text) == (with_unc == 0)
    if with_unc:
        assert f", and {number_word(with_unc)} (" in text
        assert text.count("; ") == with_unc - 1
    assert without_estimates(summary) == [n for n, e in zip(summary["name"], estimates) if e == 0]
    basis = basis_words(summary.assign(review_evidence=""), pd.DataFrame({"barrier": [], "study": [], "read_in": []}),
                        summary)
    n = len(pairs)
    assert basis.startswith(f"The chapter names {number_word(n)} barrier{'s' * (n != 1)}.")
    if 0 < without < n:
        assert f"For {number_word(without)} of the barriers the coded reviews hold no" in basis
    assert "nan" not in basis and "None" not in basis


def test_names_words_say_which_barriers_primary_works_document():
    sources = pd.DataFrame({"barrier": ["coercion", "coercion", "blame"]})
    assert names_words(_barriers(), sources) == (
        "Four barriers are coded as data, each with the rule that links it to the coded reviews and, for two of them, "
        "the primary works that document it: mandated; structures; split; blame.")
    assert names_words(_barriers().iloc[1:3], sources) == (
        "Two barriers are coded as data, each with the rule that links it to the coded reviews (no primary work "
        "documenting it is coded): structures; split.")
