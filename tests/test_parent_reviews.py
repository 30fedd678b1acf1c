"""Sentences on the reviews' parent estimates: selection by dyad, newest first, and what a
missing interval means for the parent–child comparison."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.parent_reviews import contrast_account, newest_first, reviews_account


def row(study, dyad, subset, r, etype="subgroup", se=None, k=None):
    yi = math.atanh(r)
    vi = float("nan") if se is None else se ** 2
    half = 1.96 * math.sqrt(vi) if se is not None else float("nan")
    return {"study": study, "alliance_dyad": dyad, "subset": subset, "r": r, "estimate_type": etype,
            "yi": yi, "vi": vi, "r_lb": math.tanh(yi - half), "r_ub": math.tanh(yi + half), "k_studies": k}


@pytest.fixture
def refs():
    return {"old2003": Reference("old2003", "article", {"author": "Old, A.", "year": "2003"}),
            "new2023": Reference("new2023", "article", {"author": "New, B.", "year": "2023"})}


def test_none():
    empty = pd.DataFrame([row("old2003", "youth-therapist", "youth", 0.2)])
    assert reviews_account(empty, {}) .startswith("No coded review printed")
    assert contrast_account(empty).startswith("With no parent estimate")


def test_newest_first_and_counterparts_of_the_same_kind(refs):
    t = pd.DataFrame([row("old2003", "parent-therapist", "parent relationship", 0.23, "other"),
                      row("new2023", "parent-therapist", "parent alliance with child outcomes", 0.13),
                      row("new2023", "youth-therapist", "child alliance with child outcomes", 0.17),
                      row("new2023", "youth-therapist", "alliance change", 0.19, "alliance_change")])
    assert newest_first(t, refs) == ["new2023", "old2003"]
    text = reviews_account(t, refs)
    assert text.startswith("Two coded reviews printed two estimates specific to the parent–therapist alliance")
    assert text.index("`new2023`") < text.index("`old2003`")
    assert "beside r = .17 for the child alliance with child outcomes" in text
    assert "alliance change" not in text  # a different kind of estimate is not a counterpart
    assert contrast_account(t).startswith("None of these parent estimates")


def test_printed_uncertainty_is_said(refs):
    t = pd.DataFrame([row("new2023", "parent-therapist", "parent alliance", 0.13, se=0.05, k=7),
                      row("new2023", "parent-therapist", "parent alliance, parent outcomes", 0.24)])
    text = reviews_account(t, refs)
    assert "(95% CI [" in text and "seven studies" in text
    assert "no interval" not in text
    assert contrast_account(t).startswith("One of the two parent estimates comes with")


# ----------------------------------------------------------------------------- counts, table and levels

from alliance_meta.evidence.parent_reviews import (beside_table, estimate_counts, estimates_summary,
                                                   parent_estimates, single_levels)


def with_basis(rows):
    t = pd.DataFrame(rows)
    t["basis"] = ["se" if v == v else "" for v in t["vi"]]
    return t


def test_counts_and_summary(refs):
    none = with_basis([row("old2003", "youth-therapist", "youth", 0.2)])
    assert estimate_counts(none) == {"rows": 0, "works": 0, "rows_words": "no", "works_words": "no reviews",
                                     "with_var_words": "none"}
    assert estimates_summary(none) == "No coded review prints a parent–therapist estimate."
    one = with_basis([row("new2023", "parent-therapist", "parent alliance", 0.13, se=0.05, k=7)])
    assert estimate_counts(one)["works_words"] == "one review" and estimate_counts(one)["with_var_words"] == "one"
    assert estimates_summary(one) == (
        "Published reviews print one parent–therapist estimate (one review); one of them has a printed interval or "
        "standard error, so differences from the child's alliance are questions for the full texts unless both "
        "estimates carry one.")
    several = with_basis([row("old2003", "parent-therapist", "parent relationship", 0.23, "other"),
                          row("new2023", "parent-therapist", "a", 0.13), row("new2023", "parent-therapist", "b", 0.24),
                          row("new2023", "youth-therapist", "c", 0.17)])
    assert estimate_counts(several) == {"rows": 3, "works": 2, "rows_words": "three", "works_words": "two reviews",
                                        "with_var_words": "none"}
    assert estimates_summary(several).endswith("none of them have a printed interval or standard error, so "
                                               "differences from the child's alliance are questions for the full "
                                               "texts, not findings.")
    assert len(parent_estimates(several)) == 3


def test_beside_table(refs):
    several = with_basis([row("old2003", "parent-therapist", "parent relationship", 0.23, "other"),
                          row("new2023", "parent-therapist", "a", 0.13, se=0.05),
                          row("new2023", "youth-therapist", "c", 0.17), row("new2023", "client-therapist", "d", 0.3),
                          row("other2010", "youth-therapist", "e", 0.2)])
    t = beside_table(several, refs)
    assert list(t["subset"]) == ["parent relationship", "a", "c"]           # other reviews and dyads are left out
    assert list(t["alliance"]) == ["parent", "parent", "youth"]
    assert list(t["review"]) == ["Old, 2003", "New, 2023", "New, 2023"]
    assert t["basis"].tolist()[1] == "printed SE" and pd.isna(t["basis"].tolist()[0])   # no basis: empty
    assert beside_table(several[several["alliance_dyad"] != "parent-therapist"], refs).empty


def level_rows(specs):
    rows = []
    for study, level, k, se in specs:
        r = row(study, "family-therapist", f"referral: {level}", 0.2, "moderator_level", se=se, k=k)
        rows.append({**r, "moderator": "referral", "level": level})
    return with_basis(rows)


def test_single_levels(refs):
    assert single_levels(level_rows([("new2023", "voluntary", 5, 0.05)]), refs, "referral") == \
        "no level rests on a single study"
    one = level_rows([("new2023", "voluntary", 5, 0.05), ("new2023", "mandated", 1, None)])
    assert single_levels(one, refs, "referral") == "mandated in New, 2023"
    several = level_rows([("new2023", "mandated", 1, None), ("old2003", "mixed", 1, 0.1)])
    assert single_levels(several, refs, "referral") == "mandated in New, 2023; mixed in Old, 2003"
    assert single_levels(several, refs, "problem") == "no level rests on a single study"


def test_on_the_shipped_data():
    from alliance_meta import load_references, load_syntheses
    from alliance_meta.engine.wording import number_word
    from alliance_meta.evidence import overview_table

    syn, bib = load_syntheses(), load_references()
    ov = overview_table(syn, bib, approximate=False)
    parent = syn[syn["alliance_dyad"] == "parent-therapist"]
    c = estimate_counts(ov)
    assert (c["rows"], c["works"]) == (len(parent), parent["study"].nunique())
    assert estimates_summary(ov).startswith(f"Published reviews print {number_word(len(parent))} parent–therapist")
    t = beside_table(ov, bib)
    assert set(t["study"]) == set(parent["study"]) and (t["alliance"] == "parent").sum() == len(parent)
    ref = syn[(syn["moderator"] == "referral") & syn["r"].notna() & (syn["k_studies"] == 1)]
    text = single_levels(ov, bib, "referral")
    assert all(level in text for level in ref["level"]) and (text.startswith("no level") == ref.empty)
