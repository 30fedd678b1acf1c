"""Agreement statistics for the double-coded studies."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_meta.evidence.reliability import agreement, cohen_kappa, icc_a1


def test_kappa_worked_example():
    # 10 items, two categories: 8 agreements; each rater says "x" 6 times.
    a = list("xxxxxxyyyy")
    b = list("xxxxxyyyyx")
    # p_o = 0.8; p_e = 0.6*0.6 + 0.4*0.4 = 0.52 -> kappa = 0.28 / 0.48 = 7/12
    assert cohen_kappa(a, b) == pytest.approx(7 / 12)


def test_kappa_single_category_and_empty():
    assert cohen_kappa(["x", "x"], ["x", "x"]) == 1.0
    assert math.isnan(cohen_kappa([], []))
    with pytest.raises(ValueError):
        cohen_kappa(["x"], ["x", "y"])


def test_icc_worked_example():
    # Two raters, three items; ANOVA by hand: grand mean 0.3, row means .15 .35 .40,
    # MS_R = 2 * (0.0225 + 0.0025 + 0.01) / 2 = 0.035; column means .3 .3 -> MS_C = 0;
    # MS_E = SSE / (n - 1) from the two-way residuals, computed below.
    x = np.array([0.1, 0.35, 0.45])
    y = np.array([0.2, 0.35, 0.35])
    table = np.column_stack([x, y])
    resid = table - table.mean(1, keepdims=True) - table.mean(0, keepdims=True) + table.mean()
    ms_e = (resid ** 2).sum() / 2
    ms_r = 0.035
    expected = (ms_r - ms_e) / (ms_r + ms_e + 2 * (0.0 - ms_e) / 3)
    assert icc_a1(x, y) == pytest.approx(expected)


@given(st.lists(st.floats(-0.9, 0.9), min_size=2, max_size=30))
def test_icc_perfect_agreement_is_one(values):
    if np.ptp(values) < 1e-6:
        return
    assert icc_a1(values, values) == pytest.approx(1.0)


@given(st.lists(st.sampled_from("abc"), min_size=1, max_size=40))
def test_kappa_is_one_for_identical_codes(codes):
    assert cohen_kappa(codes, codes) == pytest.approx(1.0)


def test_agreement_matches_on_es_id():
    first = pd.DataFrame({"es_id": ["a2000-01", "a2000-02", "a2000-03", "b2001-01"],
                          "study": ["a2000", "a2000", "a2000", "b2001"], "r": [0.2, 0.3, 0.1, 0.5],
                          "n": [50, 50, 50, 20], "alliance_rater": ["parent", "youth", "parent", "client"]})
    second = pd.DataFrame({"es_id": ["a2000-01", "a2000-02", "a2000-09"], "study": ["a2000"] * 3,
                           "r": [0.2, 0.35, 0.4], "n": [50, 48, 50], "alliance_rater": ["parent", "parent", "youth"]})
    ag = agreement(first, second, columns=("alliance_rater",))
    assert (ag.studies, ag.matched, ag.first_only, ag.second_only) == (1, 2, 1, 1)
    assert ag.r_mad == pytest.approx(0.025)
    assert ag.r_max_diff == pytest.approx(0.05)
    assert ag.r_exact == 0.5 and ag.n_exact == 0.5
    assert ag.kappa["alliance_rater"][1] == 0.5
    assert list(ag.kappa_table()["column"]) == ["alliance_rater"]


def test_empty_cells_agree_whatever_their_missing_type():
    first = pd.DataFrame({"es_id": ["a2000-01"], "study": ["a2000"], "r": [0.2], "n": [50],
                          "outcome_rater": pd.array([pd.NA], dtype="string")})
    second = pd.DataFrame({"es_id": ["a2000-01"], "study": ["a2000"], "r": [0.2], "n": [50],
                           "outcome_rater": [np.nan]})
    assert agreement(first, second, columns=("outcome_rater",)).kappa["outcome_rater"][1] == 1.0


def test_synthesis_agreement_by_field():
    import pandas as pd

    from alliance_meta.evidence.reliability import synthesis_agreement

    first = pd.DataFrame({"synthesis_id": ["a-01", "a-02", "b-01", "c-01"],
                          "estimate_type": ["overall", "subgroup", "overall", "overall"],
                          "k_studies": [10, None, 5, 3], "r": [0.2, 0.3, None, 0.1]})
    second = pd.DataFrame({"synthesis_id": ["a-01", "a-02", "b-01"],
                           "estimate_type": ["overall", "overall", "overall"],
                           "k_studies": [10, None, 6], "r": [0.2, 0.3, None]})
    out = synthesis_agreement(first, second, categories=("estimate_type",), figures=("k_studies", "r")).set_index("field")
    assert out.loc["estimate_type", "rows"] == 3                       # c-01 was not coded twice
    assert out.loc["estimate_type", "agreement"] == pytest.approx(2 / 3)
    assert out.loc["estimate_type", "kappa"] == pytest.approx(0.0)     # p_o = 2/3 = p_e
    assert out.loc["k_studies", "agreement"] == pytest.approx(2 / 3)   # both empty agrees; 5 vs 6 does not
    assert out.loc["r", "agreement"] == 1.0


# ----------------------------------------------------------------------------- sentences


def _syn_rows(specs):
    """Published estimates with every field synthesis_agreement compares (defaults agree)."""
    from alliance_meta.evidence.reliability import SYNTHESIS_CATEGORIES, SYNTHESIS_FIGURES

    base = {**{c: "x" for c in SYNTHESIS_CATEGORIES}, **{f: 1.0 for f in SYNTHESIS_FIGURES}}
    return pd.DataFrame([{**base, **s} for s in specs],
                        columns=["synthesis_id", "study", *SYNTHESIS_CATEGORIES, *SYNTHESIS_FIGURES])


def test_synthesis_reliability_sentences_of_several_rows():
    from alliance_meta.evidence.reliability import (disagreement_words, disagreements, synthesis_reliability,
                                                    synthesis_reliability_sentences, weakest_field,
                                                    synthesis_agreement)

    first = _syn_rows([{"synthesis_id": f"a-0{i}", "study": s, "alliance_rater": ar, "k_studies": k}
                       for i, (s, ar, k) in enumerate([("a", "mixed", 10), ("a", "client", 5), ("b", "mixed", 3),
                                                       ("c", "client", 4)], start=1)])
    second = _syn_rows([{"synthesis_id": f"a-0{i}", "study": s, "alliance_rater": ar, "k_studies": k}
                        for i, (s, ar, k) in enumerate([("a", None, 10), ("a", "client", 6), ("b", None, 3)],
                                                       start=1)])
    assert disagreements(first, second, "alliance_rater") == [("mixed", "", 2)]
    assert disagreements(first, second, "population") == []
    worst = weakest_field(synthesis_agreement(first, second))
    assert worst["field"] == "alliance_rater" and worst["text"].startswith("alliance rater (kappa = ")
    c = synthesis_reliability(first, second)
    assert (c["reviews"], c["rows"], c["share"]) == (2, 3, pytest.approx(200 / 3))
    assert c["fig_min"] == pytest.approx(200 / 3)                # k_studies: 5 against 6
    text = synthesis_reliability_sentences(first, second)
    assert text.startswith("A second coder found 3 estimates of 2 meta-analyses (67% of the reviews)")
    assert "at least 67% of rows" in text
    assert "the first pass codes \u201cmixed\u201d" in text      # the reason the coders recorded
    assert "nan" not in text.lower()
    # a pattern without a recorded reason is described by what each coder coded
    assert disagreement_words(first.assign(population="adult"), second, "population") == \
        "in 3 rows the first pass coded \u201cadult\u201d where the second coded \u201cx\u201d"


def test_synthesis_reliability_sentences_of_one_and_no_row():
    from alliance_meta.evidence.reliability import synthesis_reliability, synthesis_reliability_sentences

    first = _syn_rows([{"synthesis_id": "a-01", "study": "a"}, {"synthesis_id": "b-01", "study": "b"}])
    one = synthesis_reliability_sentences(first, first.iloc[:1])
    assert one.startswith("A second coder found 1 estimate of 1 meta-analysis (50% of the reviews)")
    assert one.endswith("Every categorical field agreed in every row.")
    none = first.iloc[:0]
    assert synthesis_reliability_sentences(first, none).startswith("No published estimate has been coded a second")
    c = synthesis_reliability(first, none)
    assert c["fig_min"] is None and c["worst"] == "" and c["share"] == 0.0


def test_synthesis_reliability_on_the_shipped_data():
    from alliance_meta import load_syntheses, load_table
    from alliance_meta.evidence.reliability import synthesis_agreement, synthesis_reliability

    syn, second = load_syntheses(), load_table("syntheses_second_pass")
    c = synthesis_reliability(syn, second)
    assert c["reviews"] == second["study"].nunique() and c["rows"] == len(second)
    agree = synthesis_agreement(syn, second)
    kappas = agree[agree["kind"] == "kappa"]
    worst = kappas.loc[kappas["kappa"].idxmin()]
    assert c["worst"] == f"{worst['field'].replace('_', ' ')} (kappa = {worst['kappa']:.2f})"
    assert c["fig_min"] == pytest.approx(100 * agree.loc[agree["kind"] == "exact", "agreement"].min())


def _es_pass(specs):
    return pd.DataFrame([{"study": s.split("-")[0], "r": 0.2, "n": 50, "notes": "", "alliance_rater": "parent",
                          **{"es_id": s}, **extra} for s, extra in specs])


def test_coding_paragraph_of_several_one_and_no_row():
    from alliance_meta.evidence.reliability import coding_paragraph, coding_summary, coding_values

    first = _es_pass([("a2000-01", {}), ("a2000-02", {"r": 0.3}), ("b2001-01", {})])
    second = _es_pass([("a2000-01", {}), ("a2000-02", {"r": 0.3, "notes": "x"})])
    ag = agreement(first, second, columns=("alliance_rater",))
    v = coding_values(ag, 4)
    assert (v["studies"], v["share"], v["matched"], v["exact"]) == (1, 25.0, 2, 100.0)
    text = coding_paragraph(ag, 4)
    assert text.startswith("A second coder re-coded 1 study (25% of the dataset)")
    assert "2 correlations were coded by both; 0 only by the first coder and 0 only by the second" in text
    assert "ICC(A,1) {cite:p}`mcgraw1996` is 1.000" in text and "median of 1.00" in text
    assert coding_summary(ag, 4) == ("One of the four studies (25%) was coded twice, independently; agreement is "
                                     "reported above.")
    one = coding_paragraph(agreement(first, second.iloc[:1], columns=("alliance_rater",)), 4)
    assert "1 correlation was coded by both" in one and "needs two or more matched rows" in one
    assert "nan" not in one.lower()
    none = agreement(first, second.iloc[:0], columns=("alliance_rater",))
    assert coding_paragraph(none, 4).startswith("No study has been coded a second time")
    assert coding_summary(none, 4) == "No study has been coded twice yet."


def test_column_disagreements_and_sentence():
    from alliance_meta.evidence.reliability import column_disagreements, disagreement_sentence

    first = _es_pass([("a2000-01", {}), ("a2000-02", {"r": 0.3})])
    second = _es_pass([("a2000-01", {"notes": "x"}), ("a2000-02", {"r": 0.3, "notes": "y", "alliance_rater": "youth"})])
    counts = column_disagreements(first, second)
    assert counts["notes"] == 2 and counts["alliance_rater"] == 1 and counts["r"] == 0
    assert list(counts.index[:2]) == ["notes", "alliance_rater"]
    text = disagreement_sentence(first, second)
    assert text == ("Of the two correlations coded by both, the columns that differ most often are notes (2 of 2) "
                    "and alliance rater (1 of 2); the correlation itself never differs.")
    assert disagreement_sentence(first, first).startswith("The two codings agree in every column")
    assert disagreement_sentence(first, second.iloc[:0]).startswith("No correlation was coded by both")


def test_coding_on_the_shipped_data():
    from alliance_meta import load_effect_sizes, load_table
    from alliance_meta.evidence.reliability import coding_values, column_disagreements, disagreement_sentence

    es = load_effect_sizes()
    first, second = load_table("reliability/first_pass.csv"), load_table("reliability/second_pass.csv")
    ag = agreement(first, second)
    v = coding_values(ag, es["study"].nunique())
    assert v["studies"] == second["study"].nunique()
    assert v["share"] == pytest.approx(100 * second["study"].nunique() / es["study"].nunique())
    assert v["kappa_min"] == pytest.approx(ag.kappa_table()["kappa"].min())
    counts = column_disagreements(first, second)
    top = counts.index[0]
    assert f"{top.replace('_', ' ')} ({counts.iloc[0]} of {ag.matched})" in disagreement_sentence(first, second)


def test_one_study_and_one_correlation_are_singular():
    from alliance_meta.evidence.reliability import coding_summary, disagreement_sentence

    first = _es_pass([("a2000-01", {}), ("a2000-02", {"r": 0.3})])
    second = _es_pass([("a2000-01", {"notes": "x", "alliance_rater": "youth"})])
    assert disagreement_sentence(first, second) == ("In the one correlation coded by both, notes and alliance rater "
                                                    "differ; the correlation itself does not.")
    assert disagreement_sentence(first, second, top=1) == ("In the one correlation coded by both, notes and one "
                                                           "further column differ; the correlation itself does not.")
    ag = agreement(first, second, columns=("alliance_rater",))
    assert coding_summary(ag, 1) == "The one study was coded twice, independently; agreement is reported above."
    both = _es_pass([("a2000-01", {}), ("b2001-01", {})])
    assert coding_summary(agreement(both, both, columns=("alliance_rater",)), 2).startswith("Both studies (100%)")
