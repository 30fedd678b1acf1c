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
