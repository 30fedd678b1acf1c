"""The parent's alliance by direction of effect (alliance_meta.evidence.directions): units by
the engine's rule, counts, the youth-versus-parent comparison, second-coding agreement, the
flow and the sentences, on tables of no, one and several samples."""

from __future__ import annotations

import re
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from alliance_meta.engine.directions import PRIORITISATION_RULE, count_directions
from alliance_meta.evidence import directions as D
from conftest import LOG, direction_frame

WORDS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9}


def number(word: str) -> int:
    return WORDS[word] if word in WORDS else int(word)


def counts(res):
    return (res.k, res.favours, res.against, res.unclear, res.not_reported)


# ----------------------------------------------------------------------------- units


def test_units_follow_the_rule(directions_several):
    u = D.units(directions_several).set_index(["sample", "outcome_domain"])
    assert len(u) == 8 and list(D.units(directions_several).columns) == D.UNIT_COLUMNS
    assert u.loc[("a2001-s1", "child_symptoms"), ["direction", "branch", "n_used"]].tolist() == \
        ["no_clear_direction", "no_majority", 3]
    assert u.loc[("a2001-s1", "child_symptoms"), "share"] == pytest.approx(2 / 3)
    assert u.loc[("b2002-s1", "parenting"), ["direction", "branch"]].tolist() == ["not_reported", "not_reported_only"]
    assert u.loc[("b2002-s1", "parenting"), "share"] is None
    c = u.loc[("c2003-s1", "child_symptoms")]
    assert (c["direction"], c["primary_only"], c["n_rows"], c["n_used"]) == ("against", True, 2, 1)
    d = u.loc[("d2004-s1", "satisfaction")]
    assert (d["direction"], d["branch"], d["share"]) == ("favours", "majority", 0.75)
    # the sample's printed n and setting, the first report's key, the unit's row ids
    assert u.loc[("b2002-s1", "engagement"), "n"] is None
    assert u.loc[("d2004-s1", "engagement"), ["n", "study", "row_ids"]].tolist() == [80, "d2004", "d2005-01"]
    assert u.loc[("c2003-s2", "child_symptoms"), ["setting", "alliance_rater"]].tolist() == ["family_therapy",
                                                                                              "observer"]
    youth = D.units(directions_several, "youth")
    assert youth[["sample", "direction", "alliance_rater"]].values.tolist() == [["c2003-s1", "favours", "youth"]]
    assert len(D.units(directions_several, None)) == 9


def test_one_direction_per_sample(directions_several):
    s = D.sample_directions(directions_several).set_index("sample")
    assert s["direction"].to_dict() == {"a2001-s1": "no_clear_direction", "b2002-s1": "favours",
                                        "c2003-s1": "against", "c2003-s2": "not_reported", "d2004-s1": "favours"}
    assert s.loc["a2001-s1", "domains"] == "child_symptoms+engagement" and s.loc["a2001-s1", "n_units"] == 2
    by = D.sample_directions(directions_several, by="alliance_rater")
    assert sorted(zip(by["sample"], by["group"])) == [("a2001-s1", "parent"), ("b2002-s1", "therapist"),
                                                      ("c2003-s1", "parent"), ("c2003-s2", "observer"),
                                                      ("d2004-s1", "parent")]


def test_the_rule_is_the_engines():
    assert D.RULE == PRIORITISATION_RULE and len(D.RULE) == 6


# ----------------------------------------------------------------------------- counts


def test_counts_of_several_samples(directions_several):
    s = D.synthesise(directions_several)
    assert counts(s.overall) == (5, 2, 1, 1, 1)
    assert s.overall.proportion == pytest.approx(2 / 3)
    assert s.overall.sensitivity.proportion == pytest.approx(2 / 4)
    ref = count_directions(["no_clear_direction", "favours", "against", "not_reported", "favours"])
    assert (s.overall.ci_lb, s.overall.ci_ub, s.overall.sign_test_pval) == (ref.ci_lb, ref.ci_ub, ref.sign_test_pval)
    assert list(s.by_domain) == ["child_symptoms", "parenting", "engagement", "satisfaction"]
    assert counts(s.by_domain["child_symptoms"]) == (3, 0, 1, 1, 1)
    assert counts(s.by_domain["engagement"]) == (3, 3, 0, 0, 0)
    assert not s.by_domain["parenting"].estimable and s.by_domain["parenting"].proportion is None
    assert {k: counts(v) for k, v in s.by_rater.items()} == {
        "parent": (3, 1, 1, 1, 0), "therapist": (1, 1, 0, 0, 0), "observer": (1, 0, 0, 0, 1)}
    assert list(s.by_rater) == ["parent", "therapist", "observer"]
    assert {k: counts(v) for k, v in s.by_setting.items()} == {
        "parent_training": (2, 1, 0, 1, 0), "home_visiting": (1, 1, 0, 0, 0), "family_therapy": (2, 0, 1, 0, 1)}
    assert (s.k_samples, s.reports, s.n_printed, s.settings) == (
        5, 5, 4, ["parent_training", "home_visiting", "family_therapy"])
    table = s.counts_table()
    assert len(table) == 1 + 4 + 3 + 3
    assert table.iloc[0][["grouping", "level", "k", "favours"]].tolist() == ["overall", "all samples", 5, 2]
    assert table.loc[table["level"] == "parenting", "proportion"].tolist() == [None]


def test_counts_of_one_sample(directions_one):
    s = D.synthesise(directions_one)
    assert counts(s.overall) == (1, 1, 0, 0, 0)
    assert (s.overall.proportion, s.overall.ci_ub, s.overall.sign_test_pval) == (1.0, 1.0, 1.0)
    assert {k: counts(v) for k, v in s.by_domain.items()} == {"child_symptoms": (1, 1, 0, 0, 0),
                                                              "engagement": (1, 0, 0, 0, 1)}


def test_counts_of_no_sample(directions_none):
    s = D.synthesise(directions_none)
    assert counts(s.overall) == (0, 0, 0, 0, 0) and not s.overall.estimable
    assert s.by_domain == {} and s.by_rater == {} and s.by_setting == {}
    assert (s.k_samples, s.reports, s.n_printed, s.settings) == (0, 0, 0, [])
    assert s.counts_table()["proportion"].tolist() == [None]


def test_youth_versus_parent(directions_several, directions_one, directions_none):
    c = D.youth_versus_parent(directions_several)
    assert c.samples == ["c2003-s1"]
    assert c.pairs.values.tolist() == [["c2003-s1", "child_symptoms", "against", "favours", False]]
    assert counts(c.parent) == (1, 0, 1, 0, 0) and counts(c.youth) == (1, 1, 0, 0, 0) and c.same == 0
    for frame in (directions_one, directions_none):
        c = D.youth_versus_parent(frame)
        assert c.samples == [] and len(c.pairs) == 0 and c.parent.k == c.youth.k == 0 and c.same == 0


# ----------------------------------------------------------------------------- reliability


def _second(first, **change):
    """The first coding of a2001-s1 and b2002-s1 as a second pass, with S ids, after ``change``
    (row_id -> {column: value}); plus a parenting row for a2001-s1 only the second coder found."""
    rows = first[first["sample"].isin(["a2001-s1", "b2002-s1"])].copy()
    for rid, cells in change.items():
        for col, value in cells.items():
            rows.loc[rows["row_id"] == rid, col] = value
    extra = direction_frame([{"sample": "a2001-s1", "n": "100", "outcome_domain": "parenting",
                              "direction": "favours"}])
    out = pd.concat([rows, extra], ignore_index=True)
    out["row_id"] = [f"{s}-S{i:02d}" for i, s in enumerate(out["study"], start=1)]
    return out


def test_agreement_unit_by_unit(directions_several):
    first = directions_several
    a = D.agreement(first, _second(first, **{"b2002-01": {"direction": "no_clear_direction"}}))
    assert (a.samples, a.matched, a.first_only, a.second_only) == (2, 4, 0, 1)
    t = a.table.set_index("field")
    assert list(t.index) == ["direction", "alliance_rater", "outcome_domain", "n"]
    # direction: first [nc, f, f, nr], second [nc, f, nc, nr]: p_o = 3/4, p_e = 5/16
    assert t.loc["direction", "items"] == 4 and t.loc["direction", "agreement"] == 0.75
    assert t.loc["direction", "kappa"] == pytest.approx(float(Fraction(7, 11)))
    assert (t.loc["alliance_rater", "agreement"], t.loc["alliance_rater", "kappa"]) == (1.0, 1.0)
    # domain coded or not over 2 samples x 7 domains: 4 and 5 coded, one differs
    assert t.loc["outcome_domain", "items"] == 14
    assert t.loc["outcome_domain", "agreement"] == pytest.approx(13 / 14)
    assert t.loc["outcome_domain", "kappa"] == pytest.approx(36 / 43)
    assert t.loc["n", "agreement"] == 1.0 and t.loc["n", "kappa"] is None
    assert a.disagreements.values.tolist() == [["b2002-s1", "parent", "engagement", "favours", "no_clear_direction"]]


def test_agreement_on_n(directions_several):
    second = _second(directions_several)
    second.loc[second["sample"] == "b2002-s1", "n"] = 50
    t = D.agreement(directions_several, second).table.set_index("field")
    assert t.loc["n", "agreement"] == 0.5
    assert t.loc["direction", "agreement"] == 1.0 and t.loc["direction", "kappa"] == 1.0


def test_agreement_without_a_second_pass(directions_several, directions_none):
    a = D.agreement(directions_several, directions_none)
    assert (a.samples, a.matched, a.first_only, a.second_only) == (0, 0, 0, 0)
    assert a.table["agreement"].tolist() == [None] * 4 and a.table["kappa"].tolist() == [None] * 4
    assert "No sample has been coded a second time yet." == \
        D.sentences(D.synthesise(directions_several), agree=a)["agreement"]


# ----------------------------------------------------------------------------- flow and sentences


def test_flow(directions_several):
    log = pd.DataFrame([{**LOG, "search_id": f"A-00{i}"} for i in (1, 2)])
    for col in ("records_found", "records_screened", "records_assessed", "records_included"):
        log[col] = log[col].astype(int)
    f = D.flow(log, directions_several)
    assert (f.searches, f.identified, f.screened, f.assessed, f.reports, f.samples) == (2, 10, 10, 4, 5, 5)
    text = D.sentences(D.synthesise(directions_several), flow_counts=f)["flow"]
    assert text == ("The two searches returned 10 records; 10 were screened and four read for eligibility, and "
                    "five reports of five independent samples entered the table.")
    assert D.sentences(D.synthesise(directions_several), flow_counts=D.flow(log.iloc[:0], directions_several))[
        "flow"] == "No search has been logged yet."


def test_sentences_of_several_samples(directions_several):
    s = D.synthesise(directions_several)
    out = D.sentences(s, D.youth_versus_parent(directions_several))
    assert out["samples"] == ("The table holds five independent samples of the parent's alliance (five reports) that "
                              "state which way its association with an outcome went, in three settings (parent "
                              "training, home visiting and family therapy); the sample size is printed for four of "
                              "them.")
    assert out["overall"].startswith("Taking one direction per sample, of the five samples two favour a stronger "
                                     "alliance, one goes against it, one shows no clear direction and one reports only")
    assert "two of the three samples with a direction favour it: 67% (95% CI 21% to 94%; sign test p = 1.000)" \
        in out["overall"]
    assert out["sensitivity"].startswith("Counting the one sample that report")
    assert "two of 4 favour" not in out["sensitivity"] and "two of 4" not in out["sensitivity"]
    assert "for parenting, of one sample none favour a stronger alliance" in out["by_domain"]
    assert "no sample favours or goes against a stronger alliance, so no proportion favouring can be given" \
        in out["by_domain"]
    assert "for engagement and retention, of three samples three favour a stronger alliance" in out["by_domain"]
    assert "all three samples with a direction favour it: 100% (95% CI 44% to 100%" in out["by_domain"]
    assert out["by_rater"].startswith("Rated by the parent, one of the two samples with a direction favour it: 50%")
    assert "The sources of two sample-by-domain results reported only" in out["cannot_say"]
    assert "one further row of that kind was set aside" in out["cannot_say"]
    assert out["youth"].startswith("In one sample both the parent's and the youth's alliance are reported: for the "
                                   "parent's, the one sample with a direction goes against it")
    assert out["youth"].endswith("In the one domain both report, the two alliances do not point the same way.")


def test_sentences_of_one_sample(directions_one):
    out = D.sentences(D.synthesise(directions_one), D.youth_versus_parent(directions_one))
    assert out["samples"].startswith("The table holds one independent sample of the parent's alliance (one report)"
                                     " that state")
    assert "in one setting (parent training); its sample size is printed." in out["samples"]
    assert "the one sample with a direction favours it: 100% (95% CI 21% to 100%; sign test p = 1.000)" \
        in out["overall"]
    assert out["sensitivity"].startswith("No sample reports only")
    assert out["youth"].startswith("No sample reports both")


def test_sentences_of_no_sample(directions_none):
    out = D.sentences(D.synthesise(directions_none), D.youth_versus_parent(directions_none),
                      D.agreement(directions_none, directions_none))
    assert out["samples"] == "The table holds no sample of the parent's alliance yet, so nothing can be counted."
    assert out["overall"] == "With no sample, there is no count and no proportion favouring."
    assert out["by_domain"] == "No outcome domain has a sample yet."
    assert "No sample-by-domain result rests only on" in out["cannot_say"]
    assert all("nan" not in v.lower().split() and "None" not in v for v in out.values())


@pytest.mark.parametrize("x,text", [(0.0, "0%"), (1.0, "100%"), (0.996, "99.6%"), (0.004, "0.4%"),
                                    (0.9999, ">99.9%"), (0.0001, "<0.1%"), (0.675, "68%")])
def test_percentages_never_round_to_the_edge(x, text):
    assert D._pct(x) == text


# ----------------------------------------------------------------------------- properties

SAMPLES = [f"{k}200{i}-s1" for i, k in enumerate("abcdef")]
row = st.fixed_dictionaries({
    "sample": st.sampled_from(SAMPLES), "outcome_domain": st.sampled_from(list(D.DOMAINS)),
    "direction": st.sampled_from(["favours", "against", "no_clear_direction", "not_reported"]),
    "primary_outcome": st.sampled_from(["yes", "no"]), "alliance_rater": st.sampled_from(["parent", "therapist"]),
    "alliance_with": st.sampled_from(["parent", "parent", "youth"]),
    "setting": st.sampled_from(["parent_training", "home_visiting"])})
TALLY = re.compile(r"of (?:the )?(\w+) samples? (\w+) favours? a stronger alliance, (\w+) go(?:es)? against it, (\w+) "
                   r"shows? no clear direction and (\w+) reports? only")


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.lists(row, max_size=12))
def test_the_counts_in_words_are_the_counts(specs):
    frame = direction_frame(specs)
    s = D.synthesise(frame)
    out = D.sentences(s, D.youth_versus_parent(frame), D.agreement(frame, frame))
    assert all("nan" not in v.lower().split() and "None" not in v and "nan%" not in v for v in out.values())
    parents = {r["sample"] for r in specs if r["alliance_with"] == "parent"}
    assert s.overall.k == len(parents) == s.k_samples
    assert sum(r.k for r in s.by_domain.values()) == len(s.units)
    assert sum(r.k for r in s.by_setting.values()) == s.k_samples
    if s.k_samples:
        m = TALLY.search(out["overall"])
        assert tuple(number(g) for g in m.groups()) == counts(s.overall)
        found = TALLY.findall(out["by_domain"])
        assert [tuple(number(g) for g in f) for f in found] == [counts(r) for r in s.by_domain.values()]
        if s.overall.estimable:
            m = re.search(r"(?:(\w+) of the (\w+)|all (\w+)|both|the one) samples? with a direction", out["overall"])
            x, n = s.overall.main.x, s.overall.main.n
            if m.group(1):
                assert (number(m.group(1)), number(m.group(2))) == (x, n)
            elif m.group(3):
                assert x == n == number(m.group(3))
    # a second pass identical to the first agrees fully
    a = D.agreement(frame, frame).table.set_index("field")
    if len(frame):
        assert a.loc["direction", "agreement"] == 1.0 and a.loc["n", "agreement"] == 1.0


def test_plot_arguments(directions_several):
    s = D.synthesise(directions_several)
    args = D.plot_arguments(s)
    assert len(args["samples"]) == len(args["domains"]) == len(args["directions"]) == 8
    assert args["domain_order"] == ["child_symptoms", "parenting", "engagement", "satisfaction"]
    assert args["n"]["b2002-s1"] is None and args["n"]["a2001-s1"] == 100
    assert args["groups"]["c2003-s2"] == "family therapy"
    assert args["group_order"] == ["parent training", "home visiting", "family therapy"]
    by_rater = D.plot_arguments(s, group="alliance_rater")
    assert by_rater["groups"]["b2002-s1"] == "rated by the professional"
    from alliance_meta.evidence.bibliography import Reference

    bib = {k: Reference(k, "article", {"author": f"{k[0].upper()}name, A.", "year": k[1:5]})
           for k in ("a2001", "b2002", "c2003", "d2004")}
    labelled = D.plot_arguments(s, refs=bib)["sample_labels"]
    assert labelled["a2001-s1"] == "Aname, 2001" and labelled["c2003-s2"] == labelled["c2003-s1"] == "Cname, 2003"
    assert D.plot_arguments(D.synthesise(direction_frame([])))["samples"] == []


# ----------------------------------------------------------------------------- chapter inputs


def test_plot_inputs_and_caption(directions_several, directions_none):
    s = D.synthesise(directions_several)
    args = D.plot_inputs(s)
    assert len(args["samples"]) == len(args["domains"]) == len(args["directions"]) == 8
    assert args["domain_order"] == ["child symptoms", "parenting", "engagement and retention", "satisfaction"]
    assert "child symptoms" in args["domains"] and "child_symptoms" not in args["domains"]
    assert args["n"]["b2002-s1"] is None and args["n"]["a2001-s1"] == 100
    assert args["groups"]["b2002-s1"] == "home visiting" and "sample_labels" not in args
    assert D.setting_words("home_visiting+child_welfare") == "home visiting + child welfare"
    assert D.setting_words("") == "" and D.domain_words("new_domain") == "new domain"
    assert D.plot_caption(s).startswith("5 samples in rows")
    harvest = D.harvest_inputs(s)
    assert list(harvest) == ["child\nsymptoms", "parenting", "engagement\nand\nretention", "satisfaction"]
    empty = D.synthesise(directions_none)
    assert D.plot_inputs(empty)["samples"] == [] and D.harvest_inputs(empty) == {}
    assert D.plot_caption(empty) == "No sample has been coded yet."


def test_domain_result(directions_several, directions_one, directions_none):
    s = D.synthesise(directions_several)
    assert D.domain_result(s, "engagement") == "3 of 3 samples with a direction favour it (100%, 95% CI 44% to 100%)"
    assert D.domain_result(s, "parenting") == "no sample reports parenting with a direction"
    assert D.domain_result(D.synthesise(directions_one), "engagement") == \
        "no sample reports engagement and retention with a direction"
    assert D.domain_result(D.synthesise(directions_none), "engagement").startswith("no sample reports")


def test_summary_sentence(directions_several, directions_one, directions_none):
    assert D.summary_sentence(D.synthesise(directions_several)) == (
        "Of 5 independent samples of the parent's alliance read for the direction of their result, "
        + D.proportion_text(D.synthesise(directions_several).overall) + ".")
    assert "the one sample with a direction favours it" in D.summary_sentence(D.synthesise(directions_one))
    assert D.summary_sentence(D.synthesise(directions_none)).startswith("The table holds no sample")


def test_samples_with_r_and_second_hand(directions_several, directions_none):
    frame = directions_several.copy()
    assert D.samples_with_r(frame) == 0
    frame.loc[0, "r"] = 0.3
    frame.loc[frame["alliance_with"] == "youth", "r"] = 0.2      # the youth's alliance is not counted
    assert D.samples_with_r(frame) == 1 and D.samples_with_r(directions_none) == 0
    assert D.second_hand_samples(frame) == 5                     # every fixture row was read in an abstract
    frame.loc[frame["sample"] == "a2001-s1", "read_in"] = ["full_text", "abstract", "abstract", "abstract"]
    assert D.second_hand_samples(frame) == 4
    frame.loc[frame["alliance_with"] == "youth", "read_in"] = "full_text"   # youth rows: not the parent's body
    assert D.second_hand_samples(frame) == 4 and D.second_hand_samples(directions_none) == 0


def test_chapter_inputs_on_the_shipped_data():
    rows = D.load_directions()
    s = D.synthesise(rows)
    args = D.plot_inputs(s)
    assert len(args["samples"]) == len(s.units) and set(args["n"]) == set(s.samples["sample"])
    assert D.plot_caption(s).startswith(f"{s.k_samples} samples in rows")
    parent = rows[rows["alliance_with"] == "parent"]
    assert D.samples_with_r(rows) == parent.loc[parent["r"].notna(), "sample"].nunique()
    eng = count_directions(list(s.units.loc[s.units["outcome_domain"] == "engagement", "direction"]))
    assert D.domain_result(s, "engagement").startswith(f"{eng.favours} of {eng.favours + eng.against} samples")
    assert D.summary_sentence(s).startswith(f"Of {s.k_samples} independent samples")


def test_one_sample_is_singular(directions_one):
    s = D.synthesise(directions_one)
    assert D.plot_caption(s).startswith("1 sample in rows")
    assert D.domain_result(s, "child_symptoms") == "the one sample with a direction favours it (100%, 95% CI 21% to 100%)"
    assert D.summary_sentence(s) == ("One independent sample of the parent's alliance was read for the direction of "
                                     "its result; " + D.proportion_text(s.overall) + ".")


@pytest.mark.parametrize("read_in, start", [
    (["abstract"] * 3 + ["thesis_page"], "Of the 4 associations, 3 were read in an abstract: "),
    (["abstract", "summary"], "Of the 2 associations, 1 was read in an abstract: "),
    (["abstract"] * 2, "Both associations were read in an abstract: "),
    (["abstract"] * 5, "All 5 associations were read in an abstract: "),
    (["abstract"], "The one association was read in an abstract: "),
    (["thesis_page"], "The one association was read on a thesis page or in a secondary summary"),
    (["thesis_page", "summary"], "None of the 2 associations was read in an abstract; "),
])
def test_abstract_caveat_counts_what_it_says(read_in, start):
    import pandas as pd

    from alliance_meta.evidence.directions import abstract_caveat_words

    assert abstract_caveat_words(pd.DataFrame({"read_in": read_in})).startswith(start)
    assert abstract_caveat_words(pd.DataFrame({"read_in": []})) == ""
