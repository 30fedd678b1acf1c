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
