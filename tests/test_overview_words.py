"""The overview chapter's counts, tables and sentences (alliance_meta.evidence.overview_words):
true for no, one or several matching rows, and on the shipped data what the chapter prints."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from alliance_meta.engine import pool
from alliance_meta.evidence import overview_table, pooled_by, rule_sensitivity, selected
from alliance_meta.evidence import overview_words as w
from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.overview import in_scope, small_k_pool


def _syn(rows=None):
    """A small syntheses table; each row: id, group, population, setting, type, k, r, lb, ub, se,
    read_in, dyad."""
    rows = rows if rows is not None else [
        ("a1991-01", "adult-individual", "adult", "psychotherapy", "overall", 24, 0.26, None, None, None,
         "quoted_by:b2011", "mixed"),
        ("b2011-01", "adult-individual", "adult", "psychotherapy", "overall", 190, 0.275, 0.25, 0.30, None,
         "abstract", "mixed"),
        ("c2018-01", "adult-individual", "adult", "psychotherapy", "overall", 295, 0.278, 0.256, 0.299, None,
         "abstract", "mixed"),
        ("c2018-02", "adult-individual", "adult", "psychotherapy", "moderator_level", 5, 0.30, 0.20, 0.40, None,
         "abstract", "mixed"),
        ("d2019-01", "adult-remote", "adult", "internet", "overall", 23, 0.252, 0.19, 0.31, None, "abstract",
         "mixed"),
        ("e2020-01", "coaching", "adult", "coaching", "overall", 20, 0.41, 0.34, 0.48, None, "abstract", "mixed"),
        ("f2018-01", "youth-individual", "youth", "psychotherapy", "overall", 28, 0.19, 0.13, 0.25, None,
         "abstract", "mixed"),
        ("g2018-01", "couple-family", "family", "couple_family", "overall", 20, 0.183, None, None, 0.044,
         "abstract", "parent-therapist"),
        ("h2020-01", "group-therapy", "adult", "group", "overall", 57, None, None, None, None, "abstract", "mixed"),
    ]
    cols = ["synthesis_id", "overlap_group", "population", "setting", "estimate_type", "k_studies", "r", "ci_lb",
            "ci_ub", "se", "read_in", "alliance_dyad"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["study"] = frame["synthesis_id"].str[:5]
    frame["subset"] = "overall"
    frame["moderator"] = ["rater" if t == "moderator_level" else None for t in frame["estimate_type"]]
    frame["level"] = ["client" if t == "moderator_level" else None for t in frame["estimate_type"]]
    frame["outcome_domain"] = "mixed"
    frame["n_participants"] = pd.array([None] * len(frame), dtype="Int64")
    frame["k_studies"] = frame["k_studies"].astype("Int64")
    for c in ("r", "ci_lb", "ci_ub", "se"):
        frame[c] = frame[c].astype(float)
    return frame


REFS = {k: Reference(k, "article", {"author": f"{k[0].upper()}author, A.", "year": k[1:5]}) for k in
        ("a1991", "b2011", "c2018", "d2019", "e2020", "f2018", "g2018", "h2020")}


def _ov(keep=None):
    syn = _syn()
    if keep is not None:
        syn = syn[syn["synthesis_id"].str[:1].isin(list(keep))].reset_index(drop=True)
    return overview_table(syn, REFS)


@pytest.fixture(scope="module")
def shipped():
    from alliance_meta import load_references, load_syntheses

    refs = load_references()
    syn = load_syntheses()
    return syn, overview_table(syn, refs), refs


# --------------------------------------------------------------------------- counts


def test_coverage_counts_rows_reviews_parent_reviews_and_groups():
    assert w.coverage(_syn()) == {"rows": 9, "reviews": 8, "parent_reviews": 1, "groups": 6}
    assert w.coverage(_syn().iloc[:0]) == {"rows": 0, "reviews": 0, "parent_reviews": 0, "groups": 0}


def test_variance_bases_add_up():
    got = w.variance_bases(_ov())
    # a1991 has r but no interval, SE or N; h2020 has no r
    assert got == {"with_r": 8, "no_r": 1, "ci": 6, "se": 1, "k_n": 0, "none": 1}
    assert got["ci"] + got["se"] + got["k_n"] + got["none"] == got["with_r"]


def test_shipped_counts(shipped):
    syn, ov, _ = shipped
    got = w.coverage(syn)
    assert got["rows"] == len(syn) and got["reviews"] == syn["study"].nunique()
    parent = {s for s, d in zip(syn["study"], syn["alliance_dyad"]) if d == "parent-therapist"}
    assert got["parent_reviews"] == len(parent)
    bases = w.variance_bases(ov)
    assert bases["with_r"] + bases["no_r"] == len(ov)
    assert bases["ci"] + bases["se"] + bases["k_n"] + bases["none"] == bases["with_r"]


# --------------------------------------------------------------------------- scope


def test_outside_scope_lists_beside_and_second_hand_rows():
    out = w.outside_scope(_ov(), REFS)
    assert list(out["synthesis_id"]) == ["a1991-01", "e2020-01"]
    assert list(out["scope"]) == ["read second-hand", "beside"]
    assert list(out["review"]) == ["Aauthor, 1991", "Eauthor, 2020"]
    assert w.outside_scope(_ov("bcd"), REFS).empty


def test_outside_words_for_none_one_and_several():
    assert w.outside_words(_ov("bcd")) == "No estimate lies outside the scope."
    assert w.outside_words(_ov()) == ("One estimate comes from helping relationships beside the question and one was "
                                      "read only as quoted by a later work.")
    two_beside = _syn()
    two_beside.loc[two_beside["synthesis_id"] == "f2018-01", "setting"] = "medical"
    two_beside = two_beside[two_beside["synthesis_id"] != "a1991-01"]
    assert w.outside_words(overview_table(two_beside, REFS)) == (
        "Two estimates come from helping relationships beside the question and none were read only as quoted by a "
        "later work.")
    assert w.beside_words() == "workplace coaching, career counselling, medical care, rehabilitation"


# --------------------------------------------------------------------------- selection


def test_overlap_words_name_groups_with_several_reviews():
    assert w.overlap_words(_ov()) == ("Of the six overlap groups, one holds overall estimates of more than one "
                                      "review: adult-individual (three reviews, 1991 to 2018).")
    assert w.overlap_words(_ov("bc")) == ("The one overlap group holds overall estimates of more than one review: "
                                         "adult-individual (two reviews, 2011 to 2018).")
    assert w.overlap_words(_ov("bcfk")).startswith("Of the two overlap groups, one holds")
    both = _syn()
    both.loc[both["synthesis_id"] == "d2019-01", "overlap_group"] = "youth-individual"
    both = both[both["synthesis_id"].str[:1].isin(list("bcdf"))]
    assert w.overlap_words(overview_table(both, REFS)) == (
        "Both overlap groups hold overall estimates of more than one review: adult-individual (two reviews, 2011 to "
        "2018) and youth-individual (two reviews, 2018 to 2019).")
    assert w.overlap_words(_ov("bd")) == ("No overlap group holds overall estimates of more than one review (two "
                                         "groups in all).")
    assert w.overlap_words(_ov("")) == ("No overlap group holds overall estimates of more than one review (no groups "
                                       "in all).")


def test_rule_choices_and_groups_without():
    table = w.rule_choices(_ov())
    assert list(table["overlap_group"]) == ["adult-individual", "adult-remote", "coaching", "couple-family",
                                            "group-therapy", "youth-individual"]
    assert list(table["comprehensive"].fillna("")) == ["c2018-01", "d2019-01", "", "g2018-01", "", "f2018-01"]
    assert list(table["earliest"].fillna(""))[0] == "b2011-01"    # a1991 is second-hand: outside the scope
    assert w.groups_without(_ov()) == "coaching, group-therapy"
    assert w.groups_without_words(_ov()) == (
        "Two groups have no selectable estimate: coaching holds only estimates outside the scope; group-therapy "
        "prints no interval or standard error with its overall estimate within the scope, or no estimate whose "
        "direction could be established.")
    assert w.groups_without(_ov("bcdfg")) == "none"
    assert w.groups_without_words(_ov("bcdfg")) == "Every overlap group has a selectable estimate."
    assert w.groups_without_words(_ov("e")) == ("One group has no selectable estimate: coaching holds only estimates "
                                                "outside the scope.")
    assert w.rule_choices(_ov("")).empty
    only_moderator = _ov("c")[lambda t: t["estimate_type"] != "overall"]
    assert w.groups_without_words(only_moderator) == ("One group has no selectable estimate: adult-individual holds "
                                                      "no overall estimate within the scope.")


def test_selection_words_count_what_is_kept():
    ov = _ov()
    assert w.selection_words(selected(in_scope(ov), by=())) == (
        "The main rule keeps 4 overall estimates within the scope, one per overlap group.")
    assert w.selection_words(selected(in_scope(_ov("b")), by=())) == (
        "The main rule keeps 1 overall estimate within the scope, one per overlap group.")
    assert w.selection_words(selected(in_scope(_ov("ah")), by=())) == (
        "The main rule keeps no overall estimate within the scope.")


# --------------------------------------------------------------------------- forests


def test_published_rows_are_printed_figures_by_kind_then_year():
    rows = w.published_rows(_ov(), REFS)
    assert list(rows["synthesis_id"]) == ["b2011-01", "c2018-01", "f2018-01", "g2018-01", "d2019-01", "e2020-01",
                                          "c2018-02"]
    assert rows["label"].iloc[0] == "Bauthor, 2011: overall [overall]"
    assert rows["label"].iloc[-1] == "Cauthor, 2018: rater = client [moderator level]"
    assert w.published_rows(_ov("ah"), REFS).empty
    assert w.published_words(rows) == ("The forest below shows the 7 published estimates whose variance could be "
                                       "derived from a printed interval or standard error, grouped by kind and, "
                                       "within a kind, by year.")
    assert w.published_words(rows.iloc[:1]) == ("The forest below shows the one published estimate whose variance "
                                                "could be derived from a printed interval or standard error.")
    assert w.published_words(rows.iloc[:0]).startswith("No published estimate has a variance")


def test_selection_labels_and_the_pool_of_none_one_and_several():
    chosen = selected(in_scope(_ov()), by=())
    assert w.selection_labels(chosen, REFS)[0] == "Cauthor, 2018: adult individual (k = 295)"
    no_k = chosen.assign(k_studies=pd.array([None] * len(chosen), dtype="Int64"))
    assert w.selection_labels(no_k, REFS)[0] == "Cauthor, 2018: adult individual"
    fit, normal = w.headline_pool(chosen)
    ref = small_k_pool(chosen["yi"], chosen["vi"])
    assert fit.r == pytest.approx(ref[0].r) and normal.r_ci_lb == pytest.approx(ref[1].r_ci_lb)
    assert w.headline_pool(chosen.iloc[:1]) == (None, None) and w.headline_pool(chosen.iloc[:0]) == (None, None)
    assert w.pooled_forest_title(chosen) == "One overall estimate per body of evidence in scope (REML)"
    assert w.pooled_forest_title(chosen.iloc[:1]) == "One overall estimate in scope: nothing to pool"
    assert w.pooled_forest_title(chosen.iloc[:0]) == "No overall estimate within the scope can be pooled"
    assert w.ci_method_words(fit) == "Knapp–Hartung interval, prediction interval on t(k − 2)"
    assert w.ci_method_words(None) == "no pool: fewer than two estimates"
    assert w.pooled_caption_words(fit).startswith("and their random-effects pool (REML on Fisher z")
    assert w.pooled_caption_words(None).startswith("not pooled")


def test_ci_method_words_from_ten_estimates_on():
    import numpy as np

    fit, _ = small_k_pool(np.linspace(0.1, 0.4, 10), np.full(10, 0.01))
    assert w.ci_method_words(fit) == "prediction interval on t(k − 2)"


# --------------------------------------------------------------------------- by population


def _pooled(levels):
    """A pooled_by-like table: (population, k, r or None)."""
    rows = [{"population": p, "k": k, "r": r, "ci_lb": None if r is None else r - 0.05,
             "ci_ub": None if r is None else r + 0.05} for p, k, r in levels]
    return pd.DataFrame(rows, columns=["population", "k", "r", "ci_lb", "ci_ub"]).astype(
        {"r": float, "ci_lb": float, "ci_ub": float})


def test_population_words_for_none_some_and_all_pooled():
    none = _pooled([("adult", 2, None), ("youth", 1, None)])
    assert w.population_words(none) == ("no population has three; the populations with fewer than three bodies of "
                                        "evidence, adult (2), youth (1), are not pooled.")
    assert w.population_pools(none) == "no population has three" and w.thin_populations(none) == "adult (2), youth (1)"
    some = _pooled([("adult", 4, 0.25), ("youth", 1, None)])
    assert w.population_words(some) == ("adult: r = .25 [.20, .30] from 4 bodies of evidence; the populations with "
                                        "fewer than three bodies of evidence, youth (1), are not pooled.")
    every = _pooled([("adult", 4, 0.25), ("youth", 3, 0.19)])
    assert w.population_words(every) == ("adult: r = .25 [.20, .30] from 4 bodies of evidence; youth: r = .19 "
                                         "[.14, .24] from 3 bodies of evidence; every population has three or more "
                                         "bodies of evidence.")
    assert w.thin_populations(every) == "none"
    assert w.population_words(_pooled([])) == "no population has a selected estimate, so nothing is pooled."


def test_setting_mix_words_only_for_populations_that_mix():
    ov = _ov()
    by_pop = selected(in_scope(ov))
    # adult: psychotherapy and internet, not pooled (two estimates); youth and family one setting each
    assert w.setting_mix_words(by_pop, pooled_by(by_pop)) == (
        "The selected adult estimates mix settings (internet, psychotherapy), so even a pool of them would answer a "
        "broader question than its label.")
    assert w.setting_mix_words(by_pop, pooled_by(by_pop, min_k=2)) == (
        "The adult pool mixes settings (internet, psychotherapy), so it answers a broader question than its label.")
    one = by_pop[by_pop["population"] == "youth"]
    assert w.setting_mix_words(one, pooled_by(one)) == ""
    assert w.setting_mix_words(by_pop.iloc[:0], pooled_by(by_pop.iloc[:0])) == ""


# --------------------------------------------------------------------------- spread


def test_spread_share_and_reading():
    chosen = selected(in_scope(_ov()), by=())
    from alliance_meta.evidence import spread

    assert w.spread_share(chosen) == pytest.approx(100 * spread(chosen).proportion)
    assert math.isnan(w.spread_share(chosen.iloc[:2]))
    assert w.spread_reading(chosen.iloc[:2]) == ""
    text = w.spread_reading(chosen)
    if spread(chosen).proportion < 1:
        assert text.startswith("The rest is real difference")
    else:
        assert text.startswith("Sampling error alone")
    assert "With so few estimates" in text
    # identical estimates: sampling error explains everything
    same = chosen.assign(yi=chosen["yi"].iloc[0] + pd.Series([0.0, 1e-4, -1e-4, 0.0], index=chosen.index))
    assert w.spread_reading(same).startswith("Sampling error alone would produce at least the spread observed")


# --------------------------------------------------------------------------- leaving one out


def test_leave_out_table_and_words():
    chosen = selected(in_scope(_ov()), by=())
    table = w.leave_out_table(chosen, REFS)
    assert list(table["left_out"]) == list(chosen["synthesis_id"])
    assert list(table["overlap_group"]) == list(chosen["overlap_group"])
    assert list(table["review"]) == ["Cauthor, 2018", "Dauthor, 2019", "Fauthor, 2018", "Gauthor, 2018"]
    text = w.leave_out_words(chosen, REFS)
    most = table.iloc[int(table["shift"].abs().to_numpy().argmax())]
    assert f"The review that moves it most is {most['review']} ({most['overlap_group']})" in text
    rest = chosen[chosen["synthesis_id"] != most["left_out"]]
    refit = pool(rest["yi"].to_numpy(float), rest["vi"].to_numpy(float), test="knha", back_transform=True)
    assert f"without it the pooled r is .{round(100 * refit.r):02d}." in text
    if (table["ci_lb"] > 0).all():
        assert text.endswith("no single body of evidence carries the positive association.")
    assert w.leave_out_table(chosen.iloc[:2], REFS).empty
    assert w.leave_out_words(chosen.iloc[:2], REFS) == ("With 2 selected estimates, leaving one out would leave fewer "
                                                        "than two to pool, so it is not done.")
    assert w.leave_out_words(chosen.iloc[:1], REFS).startswith("With 1 selected estimate,")
    assert w.leave_out_words(chosen.iloc[:0], REFS) == "With no selected estimate, there is nothing to leave out."


def test_leave_out_words_name_the_pools_whose_interval_includes_zero():
    rows = [(f"{c}2001-01", f"g{i}", "adult", "psychotherapy", "overall", 10, r, r - 0.15, r + 0.15, None,
             "abstract", "mixed") for i, (c, r) in enumerate(zip("abcd", (0.02, 0.30, 0.05, 0.04)))]
    refs = {f"{c}2001": Reference(f"{c}2001", "article", {"author": f"{c.upper()}x, A.", "year": "2001"})
            for c in "abcd"}
    chosen = selected(overview_table(_syn(rows), refs), by=())
    text = w.leave_out_words(chosen, refs)
    table = w.leave_out_table(chosen, refs)
    crossing = list(table.loc[(table["ci_lb"] <= 0) & (table["ci_ub"] >= 0), "review"])
    assert crossing, "the case must have an interval that includes zero"
    assert text.endswith(" the 95% interval includes zero.")
    for review in crossing:
        assert review in text.split("Without ")[-1]


# --------------------------------------------------------------------------- rules


def test_rule_words_for_no_one_and_several_pooled_rules():
    ov = _ov()
    chosen = selected(in_scope(ov), by=())
    fit, _ = w.headline_pool(chosen)
    sens = rule_sensitivity(in_scope(ov))
    text = w.rule_words(sens, fit)
    pooled = sens[sens["r"].notna()]
    assert f"main rule: .{round(100 * fit.r):02d}" in text
    width = (pooled["ci_ub"] - pooled["ci_lb"]).min()
    assert ("less than the width" in text) == (pooled["r"].max() - pooled["r"].min() < width)
    assert w.rule_words(sens.assign(r=float("nan")), fit) == "No selection rule yields three or more estimates to pool."
    one = sens.copy()
    one.loc[one.index[1:], "r"] = float("nan")
    assert w.rule_words(one, None).startswith("Only one selection rule (comprehensive, printed variances)")
    assert w.rule_words(one, None).endswith("(the main rule pools nothing).")


# --------------------------------------------------------------------------- summary


def test_summary_pool_words():
    chosen = selected(in_scope(_ov()), by=())
    fit, _ = w.headline_pool(chosen)
    text = w.summary_pool_words(fit)
    assert text.startswith("One overall estimate per independent body of evidence within the scope (4 in all)")
    assert ("which includes zero" in text) == (fit.r_pi_lb <= 0 <= fit.r_pi_ub)
    assert w.summary_pool_words(None) == "Fewer than two bodies of evidence lie within the scope, so nothing is pooled."


def test_wide_and_approximated_words():
    ov = _ov()
    chosen = selected(in_scope(ov), by=())
    wide = selected(ov, by=())
    fit, fit_wide = w.headline_pool(chosen)[0], w.headline_pool(wide)[0]
    assert w.wide_words(chosen, wide, fit, fit_wide) == (
        f"5 estimates enter instead of 4, and the pooled r moves from .{round(100 * fit.r):02d} to "
        f".{round(100 * fit_wide.r):02d}")
    assert w.wide_words(chosen.iloc[:1], wide.iloc[1:2], None, None) == "1 estimate enters instead of 1"
    assert w.wide_words(chosen, chosen, fit, fit) == (f"the same 4 estimates enter, so the pooled r stays at "
                                                      f".{round(100 * fit.r):02d}")
    assert w.wide_words(chosen.iloc[:1], chosen.iloc[:1], None, None) == "the same 1 estimate enters"
    assert w.wide_words(chosen.iloc[:0], chosen.iloc[:0], None, None) == (
        "no estimate enters, with or without those outside the scope")
    # no k-and-N variance in the small table: nothing changes
    assert w.approximated_words(ov, chosen) == "No more bodies of evidence enter; no selected estimate changes"
    # with N printed, a1991 (second-hand, out of scope) stays out and h2020 has no r: still none
    syn = _syn()
    syn["n_participants"] = pd.array([2000] * len(syn), dtype="Int64")
    syn.loc[syn["synthesis_id"] == "h2020-01", "r"] = 0.17
    ov2 = overview_table(syn, REFS)
    chosen2 = selected(in_scope(ov2), by=())
    assert w.approximated_words(ov2, chosen2) == ("One more body of evidence enters (group-therapy); no selected "
                                                  "estimate changes")


def test_parent_words_for_none_one_and_several():
    chosen = selected(in_scope(_ov()), by=())
    assert w.parent_words(chosen) == "One of the selected estimates concerns the parent's own alliance"
    assert w.parent_words(chosen.assign(alliance_dyad="mixed")) == (
        "No estimate of the parent's own alliance enters this analysis")
    assert w.parent_words(chosen.assign(alliance_dyad="parent-therapist")) == (
        "Four of the selected estimates concern the parent's own alliance")


# --------------------------------------------------------------------------- the shipped data


def test_the_shipped_sentences_are_those_the_chapter_printed(shipped):
    _, ov, refs = shipped
    chosen = selected(in_scope(ov), by=())
    fit, _ = w.headline_pool(chosen)
    outside = w.outside_scope(ov, refs)
    n_beside = int((outside["scope"] == "beside").sum())
    assert w.outside_words(ov).startswith(
        f"{['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine'][n_beside]} estimate")
    assert w.selection_words(chosen) == f"The main rule keeps {len(chosen)} overall estimates within the scope, one " \
                                        "per overlap group."
    without = w.groups_without(ov).split(", ")
    assert set(without) == set(ov["overlap_group"]) - set(chosen["overlap_group"])
    # a group beside the question is said to lie outside the scope, not to print no interval
    text = w.groups_without_words(ov)
    for group in without:
        assert group in text
    for group in set(without) - set(in_scope(ov)["overlap_group"]):
        assert group in text.split(" hold")[0]
    loo = w.leave_out_words(chosen, refs)
    cited = re.search(r"moves it most is (.+?) \(", loo).group(1)
    assert cited in set(w.leave_out_table(chosen, refs)["review"])
    assert w.summary_pool_words(fit).startswith(f"One overall estimate per independent body of evidence within the "
                                                f"scope ({len(chosen)} in all)")
    assert w.parent_words(chosen) == "No estimate of the parent's own alliance enters this analysis"
    assert len(w.published_rows(ov, refs)) == int(ov["basis"].isin(["ci", "se"]).sum())


# --------------------------------------------------------------------------- the shipped data, changed

#: Row filters a researcher's edit could leave behind (rows kept), selected by coded fields.
CHANGES = {
    "shipped": lambda s: s["synthesis_id"].notna(),
    "no-youth": lambda s: s["population"] != "youth",
    "no-coaching": lambda s: ~s["setting"].isin(["coaching", "career_counselling"]),
    "no-overall": lambda s: s["estimate_type"] != "overall",
    "one-overlap-group": lambda s: s["overlap_group"] == "adult-individual",
    "no-adult-individual": lambda s: s["overlap_group"] != "adult-individual",
    "first-hand-only": lambda s: ~s["read_in"].fillna("").str.startswith("quoted_by:"),
    "nothing": lambda s: s["synthesis_id"].isna(),
}
_BAD = re.compile(r"\bnan\b|<NA>|\bNone\b")


@pytest.mark.parametrize("change", list(CHANGES))
def test_sentences_stay_true_when_the_data_change(shipped, change):
    from alliance_meta.engine.wording import number_word
    from alliance_meta.evidence.drift import series, series_summary, series_words

    syn, _, refs = shipped
    syn = syn[CHANGES[change](syn)].reset_index(drop=True)
    ov = overview_table(syn, refs)
    chosen = selected(in_scope(ov), by=())
    fit, _ = w.headline_pool(chosen)
    wide = selected(ov, by=())
    by_pop = selected(in_scope(ov))
    pooled = pooled_by(by_pop)
    rows = series(ov, refs)
    texts = [w.outside_words(ov), w.overlap_words(ov), w.groups_without(ov), w.groups_without_words(ov),
             w.selection_words(chosen), w.pooled_forest_title(chosen), w.ci_method_words(fit),
             w.pooled_caption_words(fit), w.population_words(pooled), w.setting_mix_words(by_pop, pooled),
             w.spread_reading(chosen), w.leave_out_words(chosen, refs),
             w.rule_words(rule_sensitivity(in_scope(ov)), fit),
             w.summary_pool_words(fit), w.wide_words(chosen, wide, fit, w.headline_pool(wide)[0]),
             w.approximated_words(ov, chosen), w.parent_words(chosen), series_words(rows), series_summary(rows)]
    for text in texts:
        assert not _BAD.search(text), (change, text)
    # counts in words equal the counts
    outside = w.outside_scope(ov, refs)
    n_beside = int((outside["scope"] == "beside").sum())
    if outside.empty:
        assert w.outside_words(ov) == "No estimate lies outside the scope."
    else:
        assert w.outside_words(ov).startswith(number_word(n_beside).capitalize() + " estimate")
    assert (str(len(chosen)) in w.selection_words(chosen)) == (len(chosen) > 0)
    # the groups said to have no estimate are those without one, and only they
    empty = set(ov["overlap_group"]) - set(chosen["overlap_group"])
    assert set(filter(None, w.groups_without(ov).replace("none", "").split(", "))) == empty
    # a review said to move the pool most is one of those left out
    if len(chosen) >= 3:
        named = re.search(r"moves it most is (.+?) \(", w.leave_out_words(chosen, refs)).group(1)
        assert named in set(w.leave_out_table(chosen, refs)["review"])
    # every figure of the series is named, and "none" means none
    with_r = rows[rows["r"].notna()]
    for review in with_r["review"]:
        assert review in series_words(rows)
    assert series_words(rows).startswith("No overall estimate") == with_r.empty
    n_parent = int((chosen["alliance_dyad"] == "parent-therapist").sum())
    assert w.parent_words(chosen).startswith("No estimate") == (n_parent == 0)


def test_holdings_words_agree_with_their_counts():
    from alliance_meta.evidence.overview_words import holdings_words

    assert holdings_words({"rows": 89, "reviews": 37}) == (
        "The coded bibliography holds 89 published estimates from 37 meta-analyses.")
    assert holdings_words({"rows": 1, "reviews": 1}) == (
        "The coded bibliography holds 1 published estimate from 1 meta-analysis.")
    assert holdings_words({"rows": 0, "reviews": 0}) == "The coded bibliography holds no published estimate."


def test_variance_and_parent_words_agree_with_their_counts():
    from alliance_meta.evidence.overview_words import parent_reviews_words, variance_words

    many = {"with_r": 80, "no_r": 9, "ci": 50, "se": 10, "k_n": 18, "none": 2}
    assert variance_words(many) == (
        "Of the published estimates, 80 have a harmonised *r* (the other 9 print a different metric, no figure, or a "
        "sign that could not be established). The variance of 50 comes from a printed interval, of 10 from a "
        "printed standard error and of 18 only from *k* and *N*; 2 have none.")
    one = {"with_r": 1, "no_r": 0, "ci": 1, "se": 0, "k_n": 0, "none": 0}
    assert variance_words(one) == (
        "Of the published estimates, 1 has a harmonised *r*. The variance of 1 comes from a printed interval, of 0 "
        "from a printed standard error and of 0 only from *k* and *N*; every estimate with an *r* has one.")
    assert parent_reviews_words(3) == "3 print one specific to"
    assert parent_reviews_words(1) == "1 prints one specific to"
    assert parent_reviews_words(0) == "none prints one specific to"
