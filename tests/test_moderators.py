"""Moderator levels read as published: selection by coded fields, single-study levels, and
the pairwise differences with their labels, for zero, one and several reviews."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.moderators import (levels, moderator_account, moderator_summary, pairwise,
                                               pairwise_table)


def table(rows):
    """An overview-like table: r, interval and variance from (review, level, k, r, se)."""
    out = []
    for study, level, k, r, se in rows:
        yi = math.atanh(r)
        vi = float("nan") if se is None else se ** 2
        half = 1.959963984540054 * math.sqrt(vi) if se is not None else float("nan")
        out.append({"study": study, "moderator": "referral", "level": level, "k_studies": k, "r": r,
                    "yi": yi, "vi": vi, "r_lb": math.tanh(yi - half), "r_ub": math.tanh(yi + half),
                    "subset": f"referral = {level}"})
    frame = pd.DataFrame(out)
    frame["k_studies"] = frame["k_studies"].astype("Int64")
    return frame


@pytest.fixture
def refs():
    return {"a2018": Reference("a2018", "article", {"author": "Alpha, A.", "year": "2018"}),
            "b2024": Reference("b2024", "article", {"author": "Beta, B. and Gamma, C. and Delta, D.", "year": "2024"})}


def test_levels_flags_single_study_and_comparable_levels():
    t = table([("a2018", "help-seeking", 9, 0.28, 0.06), ("a2018", "mandated", 1, 0.12, 0.16),
               ("a2018", "mixed", 5, 0.01, None)])
    got = levels(t, "referral")
    assert list(got["single"]) == [False, True, False]
    # mixed has no variance, mandated one study: only help-seeking is comparable
    assert list(got["comparable"]) == [True, False, False]
    assert levels(t, "problem type").empty


def test_pairwise_uses_independent_levels_and_marks_the_largest():
    t = levels(table([("a2018", "x", 9, 0.30, 0.06), ("a2018", "y", 5, 0.01, 0.075),
                      ("a2018", "z", 3, 0.26, 0.10)]), "referral")
    pairs = pairwise(t)
    assert [(c["first"], c["second"]) for c in pairs] == [("x", "y"), ("x", "z"), ("y", "z")]
    diff = math.atanh(0.30) - math.atanh(0.01)
    se = math.sqrt(0.06 ** 2 + 0.075 ** 2)
    assert pairs[0]["diff"] == pytest.approx(diff, abs=1e-15) and pairs[0]["se"] == pytest.approx(se, abs=1e-15)
    assert pairs[0]["p"] == pytest.approx(math.erfc(abs(diff / se) / math.sqrt(2)), rel=1e-12)
    assert [c["largest"] for c in pairs] == [True, False, False]
    assert pairwise(t.iloc[:1]) == []


def test_account_for_no_review(refs):
    assert moderator_account(table([("a2018", "x", 2, 0.1, 0.1)]), refs, "nothing", "x") == \
        "No coded review printed the alliance–outcome correlation by x."


def test_account_names_single_study_levels_and_makes_no_contrast_without_two_comparable(refs):
    t = table([("a2018", "help-seeking", 9, 0.28, 0.06), ("a2018", "mandated", 1, 0.12, 0.16)])
    text = moderator_account(t, refs, "referral", "referral route")
    assert text.startswith("One coded review printed")
    assert "The mandated level rests on a single study" in text
    assert "Only one level rests on two or more studies" in text and "minus" not in text


def test_account_with_two_reviews_orders_them_by_year_and_labels_post_hoc(refs):
    t = table([("b2024", "help-seeking", 12, 0.31, 0.05), ("b2024", "mandated", 8, 0.09, 0.07),
               ("b2024", "mixed", 6, 0.18, 0.07),
               ("a2018", "help-seeking", 9, 0.28, 0.06), ("a2018", "mixed", 5, 0.01, 0.075)])
    text = moderator_account(t, refs, "referral", "referral route")
    assert text.startswith("Two coded reviews printed")
    assert text.index("`a2018`") < text.index("`b2024`")
    assert "The one difference between levels" in text  # a2018: two comparable levels
    assert "all three differences" in text and "picked out here only after seeing all three" in text
    assert "single study" not in text
    summary = moderator_summary(t, refs, "referral", "referral route")
    assert summary.startswith("Two coded reviews (Alpha, 2018; Beta et al., 2024)")
    assert "in two of them levels resting on two or more studies can be compared" in summary
    tab = pairwise_table(t, refs, "referral")
    assert len(tab) == 4 and tab["largest"].sum() == 2


def test_negative_values_print_with_a_true_minus_sign(refs):
    t = table([("a2018", "x", 3, -0.12, 0.1), ("a2018", "y", 3, 0.2, 0.1)])
    text = moderator_account(t, refs, "referral", "r")
    assert "\u2212.12" in text and "-0.12" not in text and "-." not in text


from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_meta.engine.wording import number_word

_level = st.tuples(st.sampled_from(["a2018", "b2024"]), st.sampled_from(["help-seeking", "mandated", "mixed", "court"]),
                   st.one_of(st.none(), st.integers(1, 30)), st.floats(-0.6, 0.8),
                   st.one_of(st.none(), st.floats(0.02, 0.3)))


@settings(max_examples=150)
@given(st.lists(_level, min_size=0, max_size=8, unique_by=lambda t: (t[0], t[1])))
def test_the_account_is_true_for_any_levels(rows):
    refs = {"a2018": Reference("a2018", "article", {"author": "Alpha, A.", "year": "2018"}),
            "b2024": Reference("b2024", "article", {"author": "Beta, B.", "year": "2024"})}
    if not rows:
        frame = table([("a2018", "x", 2, 0.1, 0.1)]).iloc[0:0]
    else:
        frame = table(rows)
    text = moderator_account(frame, refs, "referral", "referral route")
    assert "nan" not in text and "None" not in text and "<NA>" not in text
    keys = sorted({r[0] for r in rows})
    if not keys:
        assert text.startswith("No coded review printed")
        return
    assert text.startswith(("One" if len(keys) == 1 else number_word(len(keys)).capitalize()) + " coded review")
    got = levels(frame, "referral")
    for key in keys:
        own = got[got["study"] == key]
        para = next(p for p in text.split("\n\n") if p.startswith(f"{{cite:t}}`{key}`"))
        singles = list(own.loc[own["single"], "level"])
        assert ("single study" in para) == bool(singles)
        n = int(own["comparable"].sum())
        pairs = n * (n - 1) // 2
        assert ("picked out here only after seeing" in para) == (pairs > 1)
        assert ("no difference between levels is computed" in para) == (pairs == 0)


def _tests(rows):
    cols = ["test_id", "study", "analysis", "moderator", "levels", "statistic", "p_or_statement", "result", "finding",
            "source_locator"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def test_printed_tests_follow_the_levels_and_reviews_without_levels_are_named(refs):
    from alliance_meta.evidence.moderators import whose_alliance_account

    t = table([("a2018", "help-seeking", 9, 0.28, 0.06), ("a2018", "mixed", 5, 0.01, 0.075)])
    t["synthesis_id"] = ["a2018-04", "a2018-05"]
    t["estimate_type"] = "moderator_level"
    overall = t.iloc[[0]].assign(synthesis_id="a2018-01", estimate_type="overall", moderator=None, level=None)
    t = pd.concat([overall, t], ignore_index=True)
    tests = _tests([("a2018-m1", "a2018", "a2018-01", "referral source", "", "", "significant", "significant",
                     "larger for help-seeking", "p. 39"),
                    ("b2024-m1", "b2024", "b2024-01", "referral (voluntary vs involuntary)", "", "", "stronger",
                     "significant", "stronger when voluntary", "abstract"),
                    ("a2018-m2", "a2018", "a2018-01", "type of alliance", "", "", "not significant",
                     "not_significant", "no difference", "p. 39")])
    text = moderator_account(t, refs, "referral", "referral route", tests)
    assert "The review's own test of the moderator, as printed: significant: larger for help-seeking (p. 39)." in text
    assert text.endswith("{cite:t}`b2024` printed a test of referral (voluntary vs involuntary) (significant: "
                         "stronger when voluntary; abstract), without an estimate per level.")
    assert whose_alliance_account(tests, refs) == ("{cite:t}`a2018` tested as moderators type of alliance "
                                                   "(not significant: no difference; p. 39).")
    assert whose_alliance_account(tests.iloc[:2], refs).startswith("No coded review printed a test")


def test_a_test_without_a_coded_finding_prints_its_result_only():
    from alliance_meta.evidence.moderators import tests_sentence

    tests = pd.DataFrame({"statistic": ["Q(1) = 0.5"], "result": ["not_significant"], "finding": [None],
                          "source_locator": ["p. 39"]})
    text = tests_sentence(tests)
    assert "nan" not in text and "None" not in text
    assert text.endswith("(p. 39).") and "Q(1) = 0.5, " in text
