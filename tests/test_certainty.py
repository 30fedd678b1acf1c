"""evidence.certainty: every written rule of the GRADE domains on fixtures that sit on each
side of its threshold, the summary-of-findings table for zero, one and many bodies, and the
direction-of-effect body."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from alliance_meta.evidence import certainty as ce
from alliance_meta.evidence.certainty import (PARENT_ALLIANCE, THERAPEUTIC_ALLIANCE, Body, Question, body,
                                              judge_imprecision, judge_inconsistency, judge_indirectness,
                                              judge_publication_bias, judge_risk_of_bias, overall,
                                              rate_direction_body, summary_of_findings)


def _body(**change) -> Body:
    base = dict(name="b", r=0.25, ci_lb=0.2, ci_ub=0.3, read_in=("full_text",) * 3, estimate_types=("adjusted",) * 3,
                populations=("adult",) * 3, settings=("psychotherapy",) * 3, weights=(1.0, 1.0, 1.0),
                pi_lb=0.1, pi_ub=0.4, I2=30.0)
    return Body(**{**base, **change})


# ------------------------------------------------------------------ risk of bias

def test_risk_of_bias_full_text_and_adjusted_is_not_serious():
    j = judge_risk_of_bias(["full_text", "table"], ["adjusted", "adjusted"], [1, 1])
    assert (j.levels, j.words) == (0, "not serious")
    assert "0% of the weight read only in an abstract" in j.reason


def test_risk_of_bias_unadjusted_design_alone_is_serious():
    j = judge_risk_of_bias(["full_text", "table"], ["overall", "overall"], [1, 1])
    assert (j.levels, j.words) == (1, "serious")
    assert "reverse causation" in j.reason and "could not be read" not in j.reason


def test_risk_of_bias_read_second_hand_alone_is_serious():
    j = judge_risk_of_bias(["abstract", "quoted_by:x2000"], ["adjusted", "adjusted"], [1, 1])
    assert j.levels == 1 and "could not be read" in j.reason and "reverse causation" not in j.reason


def test_risk_of_bias_both_concerns_still_one_level():
    j = judge_risk_of_bias(["abstract", "abstract"], ["overall", "overall"], [1, 1])
    assert j.levels == 1 and "could not be read" in j.reason and "reverse causation" in j.reason


def test_risk_of_bias_everything_quoted_is_very_serious():
    j = judge_risk_of_bias(["quoted_by:a", "quoted_by:b"], ["adjusted", "adjusted"], [1, 1])
    assert (j.levels, j.words) == (2, "very serious")


def test_risk_of_bias_counts_weight_not_rows():
    # two of three rows read in abstracts, but they carry a quarter of the weight
    j = judge_risk_of_bias(["abstract", "abstract", "full_text"], ["adjusted"] * 3, [1, 1, 6])
    assert j.levels == 0 and j.reason.startswith("25% of the weight")
    # exactly half is not "more than half"
    assert judge_risk_of_bias(["abstract", "full_text"], ["adjusted"] * 2, [1, 1]).levels == 0


# ------------------------------------------------------------------ inconsistency

def test_inconsistency_one_estimate_is_not_assessable():
    j = judge_inconsistency(1, None, None, None)
    assert (j.levels, j.words) == (0, "not assessable")


@pytest.mark.parametrize("i2,levels", [(49.9, 0), (50.0, 1), (80.0, 1)])
def test_inconsistency_two_estimates_by_i2_alone(i2, levels):
    j = judge_inconsistency(2, i2, None, None)
    assert j.levels == levels
    if levels:
        assert "two estimates give no prediction interval" in j.reason


@pytest.mark.parametrize("i2,pi,levels", [
    (60.0, (-0.05, 0.50), 1),   # substantial and crossing zero
    (60.0, (0.00, 0.50), 1),    # touching zero counts as crossing
    (60.0, (0.04, 0.40), 0),    # substantial, but one side of zero
    (49.0, (-0.05, 0.50), 0),   # crossing, but I² below 50%
])
def test_inconsistency_needs_both_i2_and_a_prediction_interval_crossing_zero(i2, pi, levels):
    j = judge_inconsistency(5, i2, *pi)
    assert j.levels == levels
    assert f"I² = {i2:.0f}%" in j.reason


def test_inconsistency_without_a_prediction_interval_rests_on_i2():
    assert judge_inconsistency(4, 70.0, None, None).levels == 1
    with pytest.raises(ValueError, match="needs I²"):
        judge_inconsistency(3, None, -0.1, 0.5)


# ------------------------------------------------------------------ imprecision

def test_imprecision_narrow_single_review_is_not_serious():
    j = judge_imprecision(1, 0.25, 0.30, k_studies=190)
    assert (j.levels, j.words) == (0, "not serious") and "over its 190 studies" in j.reason


@pytest.mark.parametrize("k,ci,levels,words", [
    (1, (0.10, 0.35), 1, "wider than 0.20"),                 # width .25
    (1, (-0.02, 0.15), 1, "includes zero"),                  # zero alone
    (1, (-0.10, 0.30), 2, "includes zero and is wider"),     # zero and wide
    (3, (0.20, 0.30), 1, "fewer than 5 estimates"),          # few alone
    (3, (-0.01, 0.15), 2, "includes zero"),                  # zero and few
    (3, (0.10, 0.35), 1, "wider than 0.20 and rests on"),    # wide and few, no zero: one level
    (5, (0.20, 0.30), 0, "from 5 independent estimates"),    # five is not few
    (9, (0.13, 0.38), 1, "wider than 0.20"),
])
def test_imprecision_rules(k, ci, levels, words):
    j = judge_imprecision(k, *ci)
    assert j.levels == levels and words in j.reason, j.reason


def test_imprecision_width_of_exactly_020_is_not_wide():
    assert judge_imprecision(1, 0.25, 0.45).levels == 0


def test_imprecision_refuses_a_reversed_or_missing_interval():
    with pytest.raises(ValueError, match="lower limit first"):
        judge_imprecision(1, 0.3, 0.2)
    with pytest.raises(ValueError):
        judge_imprecision(1, float("nan"), 0.2)


# ------------------------------------------------------------------ indirectness

def test_indirectness_any_value_when_the_question_sets_none():
    j = judge_indirectness(["adult", "youth"], ["coaching", "medical"], [1, 1], Question("anything"))
    assert j.levels == 0 and "any population" in j.reason and "any setting" in j.reason


def test_indirectness_a_small_share_outside_is_said_but_not_rated_down():
    j = judge_indirectness(["adult"] * 4, ["psychotherapy"] * 3 + ["coaching"], [1, 1, 1, 1], THERAPEUTIC_ALLIANCE)
    assert j.levels == 0 and "25% of the weight from a setting outside the question (coaching), not above 25%" \
        in j.reason


def test_indirectness_one_dimension_serious_both_very_serious():
    j = judge_indirectness(["adult", "adult"], ["psychotherapy", "coaching"], [1, 1], THERAPEUTIC_ALLIANCE)
    assert (j.levels, j.words) == (1, "serious") and "50% of the weight from a setting" in j.reason
    j = judge_indirectness(["adult", "parent"], ["psychotherapy", "coaching"], [1, 1], PARENT_ALLIANCE)
    assert (j.levels, j.words) == (2, "very serious")
    assert "population outside the question (adult)" in j.reason and "(coaching)" in j.reason


# ------------------------------------------------------------------ publication bias

@pytest.mark.parametrize("k,p,levels,words", [
    (9, 0.001, 0, "not assessable"),    # a test below k = 10 is never used
    (10, None, 0, "not assessed"),
    (10, float("nan"), 0, "not assessed"),
    (12, 0.05, 1, "serious"),
    (12, 0.10, 0, "not serious"),       # the threshold is "below .10"
    (12, 0.40, 0, "not serious"),
])
def test_publication_bias_only_from_ten_estimates(k, p, levels, words):
    j = judge_publication_bias(k, p)
    assert (j.levels, j.words) == (levels, words)


def test_publication_bias_below_ten_says_why():
    assert "needs at least 10 (not rated down)" in judge_publication_bias(1).reason
    assert judge_publication_bias(1).reason.startswith("1 estimate:")


# ------------------------------------------------------------------ overall

@pytest.mark.parametrize("down,level", [(0, "high"), (1, "moderate"), (2, "low"), (3, "very low"), (7, "very low")])
def test_overall_starts_high_and_stops_at_very_low(down, level):
    assert overall(down) == level


def test_overall_never_rates_up():
    with pytest.raises(ValueError):
        overall(-1)


# ------------------------------------------------------------------ bodies from overview rows

def test_body_of_one_row_is_the_reviews_own_estimate(body_rows):
    b = body("one", body_rows.iloc[[1]])
    assert (b.r, b.ci_lb, b.ci_ub, b.k, b.k_studies, b.weights) == (0.20, 0.14, 0.26, 1, 28, (1.0,))
    assert b.I2 is None and b.pi_lb is None


def test_body_weights_are_random_effects_weights(body_rows, fake_fit):
    fit = fake_fit(0.3, 0.2, 0.4, -0.1, 0.6, 85.0, 0.0016)
    b = body("three", body_rows, fit)
    assert b.weights == pytest.approx((1 / 0.002, 1 / 0.0025, 1 / 0.0032))
    assert (b.r, b.pi_lb, b.pi_ub, b.I2) == (0.3, -0.1, 0.6, 85.0)
    # without a tau2 the weights are equal
    assert body("three", body_rows, fake_fit(0.3, 0.2, 0.4)).weights == (1.0, 1.0, 1.0)


def test_body_refuses_what_cannot_be_rated(body_rows, fake_fit):
    with pytest.raises(ValueError, match="no estimates"):
        body("none", body_rows.iloc[[]])
    with pytest.raises(ValueError, match="give the fit"):
        body("two", body_rows.iloc[:2])
    gone = body_rows.iloc[[0]].assign(r_lb=float("nan"))
    with pytest.raises(ValueError, match="needs r and a 95% interval"):
        body("one", gone)


def test_rate_body_refuses_labels_of_the_wrong_length_or_bad_weights():
    with pytest.raises(ValueError, match="one entry per estimate"):
        ce.rate_body(_body(settings=("psychotherapy",)))
    with pytest.raises(ValueError, match="positive"):
        ce.rate_body(_body(weights=(1.0, 0.0, 1.0)))


# ------------------------------------------------------------------ the table

def test_summary_of_findings_of_no_body_is_an_empty_table_with_its_columns():
    t = summary_of_findings([])
    assert list(t.columns) == list(ce.COLUMNS) and len(t) == 0


def test_summary_of_findings_of_one_and_many_bodies(body_rows, fake_fit):
    fit = fake_fit(0.30, 0.13, 0.45, -0.04, 0.58, 91.0, 0.01)
    bodies = [body("all", body_rows, fit)] + [body(s, body_rows.iloc[[i]]) for i, s in
                                              enumerate(body_rows["synthesis_id"])]
    t = summary_of_findings(bodies)
    assert list(t["body"]) == ["all", "a2001-01", "b2002-01", "c2003-01"]
    assert not t.isna().any().any()
    pooled = t.iloc[0]
    # unadjusted (serious); I² 91% with a PI across zero (serious); width .32 and k = 3 (serious, one
    # level: zero is not in the CI); coaching carries 1/0.0116 of 1/0.0104 + 1/0.0109 + 1/0.0116, 31%
    # of the random-effects weight: above a quarter (serious)
    assert (pooled["risk_of_bias"], pooled["inconsistency"], pooled["imprecision"], pooled["indirectness"]) == (
        "serious",) * 4
    assert "31% of the weight from a setting outside the question (coaching)" in pooled["indirectness_reason"]
    assert pooled["publication_bias"] == "not assessable" and pooled["levels_down"] == 4
    assert pooled["certainty"] == "very low"
    assert pooled["estimate"] == "r = 0.30 (95% CI 0.13 to 0.45)"
    assert pooled["heterogeneity"] == "I² = 91%; 95% PI -0.04 to 0.58"
    one = t.set_index("body").loc["b2002-01"]
    # full text, unadjusted: serious RoB only -> moderate
    assert (one["risk_of_bias"], one["inconsistency"], one["imprecision"], one["indirectness"]) == (
        "serious", "not assessable", "not serious", "not serious")
    assert (one["levels_down"], one["certainty"]) == (1, "moderate")
    coaching = t.set_index("body").loc["c2003-01"]
    # quoted only (very serious) and outside the question's settings (serious): three levels
    assert (coaching["risk_of_bias"], coaching["indirectness"], coaching["certainty"]) == (
        "very serious", "serious", "very low")


def test_the_question_changes_only_indirectness(body_rows):
    b = body("one", body_rows.iloc[[1]])
    a = ce.rate_body(b, THERAPEUTIC_ALLIANCE)
    p = ce.rate_body(b, PARENT_ALLIANCE)
    assert a["indirectness"] == "not serious" and p["indirectness"] == "serious"
    assert {d: a[d] for d in ce.DOMAINS if d != "indirectness"} == {d: p[d] for d in ce.DOMAINS if d != "indirectness"}


def test_a_high_rating_is_possible():
    five = dict(read_in=("full_text",) * 5, estimate_types=("adjusted",) * 5, populations=("adult",) * 5,
                settings=("psychotherapy",) * 5, weights=(1.0,) * 5)
    t = summary_of_findings([_body(**five)])
    assert t.loc[0, "certainty"] == "high" and t.loc[0, "levels_down"] == 0


def test_the_overview_bodies_of_the_project_are_rated():
    from alliance_meta import load_references, load_syntheses
    from alliance_meta.engine import pool
    from alliance_meta.evidence.overview import overview_table, selected

    ov = overview_table(load_syntheses(), load_references())
    chosen = selected(ov, by=())
    fit = pool(chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float), test="knha", back_transform=True)
    bodies = [body("all", chosen, fit)] + [body(s, chosen.iloc[[i]]) for i, s in enumerate(chosen["synthesis_id"])]
    t = summary_of_findings(bodies)
    assert len(t) == len(chosen) + 1 and not t.isna().any().any()
    assert set(t["certainty"]) <= set(ce.LEVELS)
    assert (t["publication_bias"] == "not assessable").all()   # no body has ten estimates


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.integers(1, 12), st.floats(0, 99), st.floats(-0.5, 0.5), st.floats(0.0, 0.6),
       st.lists(st.sampled_from(["abstract", "full_text", "table", "quoted_by:z"]), min_size=12, max_size=12),
       st.lists(st.sampled_from(["psychotherapy", "coaching", "medical"]), min_size=12, max_size=12),
       st.one_of(st.none(), st.floats(0, 1)))
def test_levels_down_is_the_sum_of_the_domains_and_nothing_is_nan(k, i2, lb, width, read, sett, p):
    b = _body(read_in=tuple(read[:k]), estimate_types=("overall",) * k, populations=("adult",) * k,
              settings=tuple(sett[:k]), weights=(1.0,) * k, ci_lb=lb, ci_ub=lb + width, I2=i2,
              pi_lb=lb - 0.2, pi_ub=lb + width + 0.2, small_study_p=p)
    row = ce.rate_body(b)
    levels = {"not serious": 0, "not assessable": 0, "not assessed": 0, "serious": 1, "very serious": 2}
    assert row["levels_down"] == sum(levels[row[d]] for d in ce.DOMAINS)
    assert row["certainty"] == ce.LEVELS[min(row["levels_down"], 3)]
    assert all(isinstance(v, str) and v for k_, v in row.items() if k_ not in ("k", "levels_down"))
    assert not any(isinstance(v, float) and math.isnan(v) for v in row.values())


# ------------------------------------------------------------------ direction-of-effect body

def _dir(**change):
    base = dict(name="d", favours=9, against=1, unclear=2, not_reported=2, k=14,
                settings={"child_welfare": 6, "psychotherapy": 8})
    return rate_direction_body(**{**base, **change}).iloc[0]


def test_direction_body_consistent_and_enough_is_rated_on_design_alone():
    row = _dir(prop_ci=(0.60, 0.98))
    assert (row["risk_of_bias"], row["inconsistency"], row["imprecision"], row["indirectness"],
            row["publication_bias"]) == ("serious", "not serious", "not serious", "not serious", "not serious")
    assert row["certainty"] == "moderate" and row["k"] == 14
    assert row["estimate"] == ("9 favour, 1 against, 2 no clear direction, 2 not reported; proportion favouring 0.90 "
                               "(95% CI 0.60 to 0.98)")
    assert "the population is the body's by its selection" in row["indirectness_reason"]
    assert "0% of the studies read only in an abstract" in row["risk_of_bias_reason"]


def test_direction_body_adjusted_and_read_in_full_is_not_rated_down_for_bias():
    assert _dir(adjusted=14)["risk_of_bias"] == "not serious"
    assert _dir(adjusted=14, second_hand=8)["risk_of_bias"] == "serious"


@pytest.mark.parametrize("counts,words", [
    (dict(favours=6, against=4, unclear=2, not_reported=2), "fewer than 70%"),   # 60% agree
    (dict(favours=4, against=1, unclear=8, not_reported=1), "show no clear direction"),
    (dict(favours=0, against=0, unclear=12, not_reported=2), "reports a direction either way"),
])
def test_direction_body_inconsistency(counts, words):
    row = _dir(**counts)
    assert row["inconsistency"] == "serious" and words in row["inconsistency_reason"]


def test_direction_body_seven_of_ten_agreeing_is_consistent():
    assert _dir(favours=7, against=3, unclear=2, not_reported=2)["inconsistency"] == "not serious"


def test_direction_body_imprecision_from_the_count_and_the_interval():
    assert _dir()["imprecision"] == "not serious"                      # 10 with a direction, no interval given
    few = _dir(favours=6, against=1, unclear=5, not_reported=2)
    assert few["imprecision"] == "serious" and "only 7 studies have a direction" in few["imprecision_reason"]
    both = _dir(favours=6, against=1, unclear=5, not_reported=2, prop_ci=(0.45, 0.97))
    assert both["imprecision"] == "very serious" and "includes one half" in both["imprecision_reason"]
    with pytest.raises(ValueError, match="not an interval of a proportion"):
        _dir(prop_ci=(0.9, 0.6))


def test_direction_body_missing_directions_rate_down_publication_bias():
    ok = _dir(favours=9, against=1, unclear=1, not_reported=3)           # 3 of 14 = 21%
    assert ok["publication_bias"] == "not serious"
    bad = _dir(favours=8, against=1, unclear=1, not_reported=4)          # 4 of 14 = 29%
    assert bad["publication_bias"] == "serious" and "4 of 14 studies (29%)" in bad["publication_bias_reason"]
    assert "not assessable without effect sizes" in bad["publication_bias_reason"]


def test_direction_body_settings_outside_the_question():
    row = _dir(settings=["medical"] * 4 + ["child_welfare"] * 10)        # 29% outside
    assert row["indirectness"] == "serious" and "(medical)" in row["indirectness_reason"]
    assert _dir(settings=["medical"] * 3 + ["child_welfare"] * 11)["indirectness"] == "not serious"


@pytest.mark.parametrize("change,words", [
    (dict(k=15), "not k = 15"),
    (dict(favours=-1, k=12), "not negative"),
    (dict(settings={"child_welfare": 3}), "describe 3 studies"),
    (dict(second_hand=20), "at most k"),
    (dict(favours=0, against=0, unclear=0, not_reported=0, k=0, settings={}), "at least one study"),
])
def test_direction_body_refuses_counts_that_do_not_add_up(change, words):
    with pytest.raises(ValueError, match=words):
        _dir(**change)


def test_direction_body_is_one_row_with_the_table_columns():
    row = rate_direction_body("d", 1, 0, 0, 0, 1, ["child_welfare"])
    assert list(row.columns) == list(ce.COLUMNS) and len(row) == 1 and not row.isna().any().any()
    # one study: imprecise (fewer than ten with a direction), nothing else can disagree
    assert row.iloc[0]["imprecision"] == "serious" and row.iloc[0]["inconsistency"] == "not serious"
    both = pd.concat([summary_of_findings([_body()]), row], ignore_index=True)
    assert list(both["body"]) == ["b", "d"]


# ------------------------------------------------------------------ credibility classes

FULL = dict(n_participants=30_000, I2=30.0, pi_lb=0.05, pi_ub=0.45, small_study_p=0.4, excess_significance_p=0.5,
            largest_significant=True)


@pytest.mark.parametrize("p,change,label", [
    (1e-8, {}, "I"),
    (1e-8, dict(I2=60.0), "II"),                               # heterogeneity rules out I only
    (1e-8, dict(I2=60.0, largest_significant=False), "III"),
    (1e-4, {}, "III"),                                         # p between 1e-6 and 1e-3
    (0.01, {}, "IV"),
    (0.01, dict(n_participants=500), "IV"),                    # too few participants for I to III
    (0.05, {}, "NS"),                                          # "below .05" is strict
    (0.20, dict(n_participants=None), "NS"),
])
def test_credibility_class_when_every_input_exists(p, change, label):
    got, reason = ce.credibility_class(p, **{**FULL, **change})
    assert got == label, reason


def test_credibility_class_says_at_least_when_an_input_is_missing():
    got, reason = ce.credibility_class(1e-8, **{**FULL, "n_participants": None})
    assert got == "at least IV"
    assert "I (participants not known)" in reason and "III (participants not known)" in reason
    got, reason = ce.credibility_class(1e-8, **{**FULL, "small_study_p": None})
    assert got == "at least II" and "no small-study effect not known" in reason
    # a missing input cannot rescue a class another criterion already rules out
    got, _ = ce.credibility_class(1e-8, **{**FULL, "small_study_p": None, "I2": 70.0})
    assert got == "II"
    got, _ = ce.credibility_class(1e-8, **{**FULL, "pi_lb": -0.1})
    assert got == "II"


def test_credibility_class_refuses_a_non_p_value():
    for bad in (1.5, -0.1, float("nan"), None):
        with pytest.raises(ValueError):
            ce.credibility_class(bad)


def test_domain_rules_refuse_empty_or_weightless_bodies():
    with pytest.raises(ValueError, match="one read-in level"):
        judge_risk_of_bias([], [], [])
    with pytest.raises(ValueError, match="one read-in level"):
        judge_risk_of_bias(["abstract"], ["overall", "overall"], [1])
    with pytest.raises(ValueError, match="positive weight"):
        judge_indirectness(["adult"], ["coaching"], [0.0], THERAPEUTIC_ALLIANCE)


def test_bodies_from_selection_for_zero_one_and_many_rows(body_rows, fake_fit):
    calls = []

    def fit(rows):
        calls.append(len(rows))
        return fake_fit(0.3, 0.2, 0.4, 0.1, 0.5, 40.0, 0.001)

    assert ce.bodies_from_selection(body_rows.iloc[[]], fit) == [] and calls == []
    one = ce.bodies_from_selection(body_rows.iloc[[2]], fit)
    assert [b.name for b in one] == ["c2003-01"] and calls == []
    many = ce.bodies_from_selection(body_rows, fit, name="pool")
    assert [b.name for b in many] == ["pool", "a2001-01", "b2002-01", "c2003-01"] and calls == [3]
    assert [b.k for b in many] == [3, 1, 1, 1]
    assert [b.name for b in ce.bodies_from_selection(body_rows, None)] == ["a2001-01", "b2002-01", "c2003-01"]
    only = ce.bodies_from_selection(body_rows, fit, each=False)
    assert [b.name for b in only] == ["all bodies of evidence"]


def test_direction_body_takes_a_missing_interval_as_none():
    row = _dir(favours=0, against=0, unclear=12, not_reported=2, prop_ci=(None, None))
    assert row["imprecision"] == "serious" and "includes one half" not in row["imprecision_reason"]
    assert "proportion favouring" not in row["estimate"]


# --------------------------------------------------------------------------- the chapter's sentences


def _selected(n_participants):
    from alliance_meta.evidence.overview import small_k_pool

    # three close, precise estimates: p < .001, so the participants decide between classes III and IV
    rows = pd.DataFrame({"synthesis_id": ["a-01", "b-01", "c-01"], "yi": [0.25, 0.26, 0.24],
                         "vi": [0.0005, 0.0006, 0.0004], "n_participants": pd.array(n_participants, dtype="Int64")})
    return rows, small_k_pool(rows["yi"], rows["vi"])[0]


def test_credibility_words_sum_participants_only_when_every_review_printed_them():
    from alliance_meta.evidence.certainty import credibility_class, credibility_words

    rows, fit = _selected([1000, 2000, None])
    label, why = credibility_class(fit.pval, n_participants=None, I2=fit.I2, pi_lb=fit.r_pi_lb, pi_ub=fit.r_pi_ub)
    assert credibility_words(rows, fit) == f"class {label} ({why})."
    assert "participants not known" in credibility_words(rows, fit)
    rows, fit = _selected([10000, 8000, 5000])   # 23,000 participants: the size criterion is met
    label, why = credibility_class(fit.pval, n_participants=23000, I2=fit.I2, pi_lb=fit.r_pi_lb, pi_ub=fit.r_pi_ub)
    assert credibility_words(rows, fit) == f"class {label} ({why})."
    assert "participants not known" not in credibility_words(rows, fit)
    assert credibility_words(rows.iloc[:1], None) == "with fewer than two bodies of evidence there is no pool to grade."


def test_headline_certainty_words_read_the_pooled_body():
    from alliance_meta.evidence.certainty import headline_certainty_words

    sof = pd.DataFrame({"body": ["a-01", "headline", "b-01"], "certainty": ["high", "low", "moderate"]})
    assert headline_certainty_words(sof, "headline") == "The headline pool is rated low certainty."
    assert headline_certainty_words(sof[sof["body"] != "headline"], "headline") == (
        "With fewer than two bodies of evidence, no pool is rated.")
    assert headline_certainty_words(sof.iloc[:0], "headline") == (
        "With fewer than two bodies of evidence, no pool is rated.")


def test_headline_certainty_on_the_shipped_overview():
    from alliance_meta import load_references, load_syntheses
    from alliance_meta.evidence.certainty import bodies_from_selection, headline_certainty_words
    from alliance_meta.evidence.overview import in_scope, overview_table, selected, small_k_pool

    chosen = selected(in_scope(overview_table(load_syntheses(), load_references())), by=())
    bodies = bodies_from_selection(chosen, lambda rows: small_k_pool(rows["yi"], rows["vi"])[0], name="pool")
    sof = summary_of_findings(bodies, THERAPEUTIC_ALLIANCE)
    assert headline_certainty_words(sof, "pool") == f"The headline pool is rated {sof.iloc[0]['certainty']} certainty."
    assert len(sof) == len(chosen) + 1
