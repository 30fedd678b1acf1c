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


# --------------------------------------------------------------------------- the chapter's words

from alliance_meta.evidence.founding import (agreement_words, largest_themes_words, list_words,  # noqa: E402
                                             reference_list_values, theme_counts, themes_words)


def _refs(themes, years=None, kinds=None):
    n = len(themes)
    return pd.DataFrame({"ref_id": [f"r{i}" for i in range(n)], "theme": themes,
                         "theme_secondary": [pd.NA] * n,
                         "year": pd.array(years if years is not None else [1990] * n, dtype="Int64"),
                         "kind": kinds if kinds is not None else ["journal_article"] * n})


def test_shipped_reference_list_in_words():
    values = reference_list_values(load_founding_references(), load_founding_second_pass())
    assert values["list"] == ("The list holds 74 works published between 1979 and 1999 (median year 1994; "
                              "65 from the 1990s), 53 of them journal articles.")
    assert values["themes"] == (
        "The alliance, in psychotherapy and in case management and community services, is the main theme of 26 works "
        "(35%); family–professional collaboration, partnership and empowerment of 22 (30%); the blame of parents of 4 "
        "and culture and family diversity of 6.")
    assert set(values) == {"list", "themes", "largest", "agreement"}
    assert values["largest"] == ("The two largest themes are the alliance in psychotherapy (20 works) and "
                                 "family–professional collaboration and partnership (17 works).")
    assert values["agreement"] == ("A second coder, blind to the first, coded every fifth work (15 works): the two "
                                   "agreed on the theme of 100% (Cohen's κ = 1.00) and on the kind of 100%.")


def test_list_words_for_none_one_and_several_works():
    assert list_words(_refs([])) == "The coded list holds no work."
    assert list_words(_refs(["other"], [1994], ["book"])) == \
        "The list holds 1 work published in 1994, not a journal article."
    assert list_words(_refs(["other"] * 3, [1979, 2001, 2003], ["book", "journal_article", "book"])) == \
        ("The list holds 3 works published between 1979 and 2003 (median year 2001; 2 from the 2000s), "
         "1 of them journal article.")
    undated = _refs(["other"] * 2, [None, None])
    assert list_words(undated) == "The list holds 2 works, none of them with a year, 2 of them journal articles."


def test_theme_counts_select_by_code_and_survive_absent_themes():
    refs = _refs(["alliance_psychotherapy", "alliance_community", "parent_blame", "other"])
    got = theme_counts(refs)
    assert (got["alliance"], got["alliance_pct"], got["blame"], got["partnership"], got["partnership_pct"]) == \
        (2, "50", 1, 0, "0")
    assert theme_counts(_refs([]))["alliance_pct"] == "0"
    assert themes_words(_refs([])) == ""
    assert themes_words(refs).startswith("The alliance, in psychotherapy and in case management and community "
                                         "services, is the main theme of 2 works (50%); family–professional "
                                         "collaboration, partnership and empowerment of 0 (0%); the blame of parents "
                                         "of 1 and")
    assert "main theme of 1 work (100%);" in themes_words(_refs(["alliance_community"]))


def test_largest_themes_name_ties_and_leave_out_other():
    assert largest_themes_words(theme_profile(_refs([]))) == ""
    assert largest_themes_words(theme_profile(_refs(["other", "other", "parent_blame"]))) == \
        "The largest theme is blame of parents (1 work)."
    tied = theme_profile(_refs(["parent_blame", "parent_blame", "diversity_culture", "services_policy"]))
    assert largest_themes_words(tied) == ("The three largest themes are blame of parents (2 works), culture and "
                                          "family diversity (1 work) and systems of care and service policy (1 work).")


def test_agreement_words_without_a_second_coding():
    empty = coding_agreement(_refs([]), _refs([]))
    assert agreement_words(empty) == "No work was coded a second time, so no agreement between coders can be reported."
    one = _refs(["other"])
    assert agreement_words(coding_agreement(one, one)).startswith(
        "A second coder, blind to the first, coded every fifth work (1 work): the two agreed on the theme of 100%")


def test_profile_of_an_empty_list_has_its_columns():
    prof = theme_profile(_refs([]))
    assert prof.empty and {"theme", "code", "primary", "share"} <= set(prof.columns)
