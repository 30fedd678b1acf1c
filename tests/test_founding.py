"""The coded reference list of Alexander & Dore (1999): its summary and the agreement of
the blind second coding."""

from __future__ import annotations

import math

import pandas as pd

from alliance_meta.evidence.founding import (THEMES, coding_agreement, load_founding_references,
                                             load_founding_second_pass, theme_profile)


def test_the_shipped_list_has_every_printed_work_once():
    refs = load_founding_references()
    assert len(refs) == 74  # bullets between REFERENCES and "Download references" on the publisher's page
    assert refs["position"].tolist() == list(range(1, 75))
    assert refs.loc[0, "first_author"] == "Alexander" and refs.iloc[-1]["first_author"] == "Yeomans"
    assert set(refs["theme"]) <= set(THEMES)


def test_profile_counts_add_up_and_are_ordered():
    refs = load_founding_references()
    prof = theme_profile(refs)
    assert prof["primary"].sum() == len(refs)
    assert math.isclose(prof["share"].sum(), 100.0)
    assert prof["primary"].is_monotonic_decreasing
    assert (prof["any"] >= prof["primary"]).all()
    assert prof.loc[0, "code"] == "alliance_psychotherapy"


def test_profile_on_a_small_table():
    refs = pd.DataFrame({"theme": ["parent_blame", "other", "parent_blame"],
                         "theme_secondary": [pd.NA, "parent_blame", "power_paternalism"],
                         "year": pd.array([1985, 1990, 1970], dtype="Int64")})
    prof = theme_profile(refs).set_index("code")
    assert prof.loc["parent_blame", "primary"] == 2 and prof.loc["parent_blame", "any"] == 3
    assert (prof.loc["parent_blame", "first_year"], prof.loc["parent_blame", "last_year"]) == (1970, 1985)
    assert prof.loc["power_paternalism", "primary"] == 0 and pd.isna(prof.loc["power_paternalism", "first_year"])
    assert list(prof.index[:2]) == ["parent_blame", "other"]


def test_agreement_counts_disagreements():
    first = pd.DataFrame({"ref_id": ["a", "b", "c", "d"], "kind": ["book"] * 4,
                          "theme": ["other", "parent_blame", "other", "parent_blame"],
                          "theme_secondary": [pd.NA, pd.NA, "other", pd.NA]})
    second = first.copy()
    second.loc[1, "theme"] = "other"
    second.loc[2, "theme_secondary"] = pd.NA
    out = coding_agreement(first, second).set_index("field")
    assert out.loc["kind", "agree"] == 4 and out.loc["theme", "agree"] == 3
    assert math.isclose(out.loc["theme", "agreement"], 75.0)
    assert math.isclose(out.loc["theme", "kappa"], 0.5)  # p_o .75, p_e .5
    assert out.loc["theme_secondary", "agree"] == 3


def test_the_second_pass_is_every_fifth_work():
    second = load_founding_second_pass()
    assert second["position"].tolist() == list(range(1, 75, 5))
    out = coding_agreement(load_founding_references(), second)
    assert (out["works"] == 15).all()
