"""The series of one body of evidence's overall estimates (alliance_meta.evidence.drift):
selected by coded fields, oldest first, and said in words for no, one or several figures."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence import overview_table
from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.drift import ADULT_SERIES, series, series_list, series_summary, series_words


def _syn():
    rows = [  # id, group, setting, type, k, r, read_in
        ("h1991-01", "adult-individual", "psychotherapy", "overall", 26, 0.26, "quoted_by:h2011"),
        ("m2000-01", "adult-individual", "psychotherapy", "overall", None, 0.22, "quoted_by:h2011"),
        ("s2010-01", "adult-individual", "psychotherapy", "overall", 11, None, "abstract"),
        ("h2011-01", "adult-individual", "psychotherapy", "overall", 190, 0.275, "abstract"),
        ("h2011-02", "adult-individual", "psychotherapy", "subgroup", 40, 0.30, "abstract"),
        ("x2021-01", "adult-individual", "mixed", "overall", 30, 0.31, "abstract"),
        ("k2018-01", "youth-individual", "psychotherapy", "overall", 28, 0.19, "abstract"),
    ]
    frame = pd.DataFrame(rows, columns=["synthesis_id", "overlap_group", "setting", "estimate_type", "k_studies", "r",
                                        "read_in"])
    frame["study"] = frame["synthesis_id"].str[:5]
    frame["k_studies"] = frame["k_studies"].astype("Int64")
    frame["r"] = frame["r"].astype(float)
    for c in ("ci_lb", "ci_ub", "se"):
        frame[c] = float("nan")
    frame["n_participants"] = pd.array([None] * len(frame), dtype="Int64")
    return frame


REFS = {k: Reference(k, "article", {"author": f"{k[0].upper()}author, A.", "year": k[1:5]})
        for k in ("h1991", "m2000", "s2010", "h2011", "x2021", "k2018")}


def _series(keep=None):
    syn = _syn()
    if keep is not None:
        syn = syn[syn["synthesis_id"].isin(keep)]
    return series(overview_table(syn, REFS), REFS)


def test_series_takes_the_overall_estimates_of_the_coded_group_and_setting_oldest_first():
    rows = _series()
    # the subgroup, the mixed setting and the youth group are not in the series
    assert list(rows["synthesis_id"]) == ["h1991-01", "m2000-01", "s2010-01", "h2011-01"]
    assert list(rows["review"]) == ["Hauthor, 1991", "Mauthor, 2000", "Sauthor, 2010", "Hauthor, 2011"]
    assert ADULT_SERIES == {"overlap_group": "adult-individual", "setting": "psychotherapy"}
    youth = series(overview_table(_syn(), REFS), REFS, where={"overlap_group": "youth-individual"})
    assert list(youth["synthesis_id"]) == ["k2018-01"]


def test_series_in_words_with_several_figures():
    rows = _series()
    assert series_list(rows) == "Hauthor, 1991 0.26 (k = 26); Mauthor, 2000 0.22; Hauthor, 2011 0.28 (k = 190)"
    assert series_words(rows) == (
        "The classic syntheses and their successors, oldest first: Hauthor, 1991 .26 (k = 26); Mauthor, 2000 .22; "
        "Hauthor, 2011 .28 (k = 190). Over 20 years the published overall estimate stayed between .22 and .28. "
        "Two of these figures are read only as quoted by a later work (the table's notes and \"read in\" column say "
        "where each figure was read). The series is not a sequence of independent tests: each review re-pools most "
        "of its predecessors' studies, so it shows how stable the published figure has been, not a trend that could be "
        "tested.")
    assert series_summary(rows) == (
        "The broad adult series is shown oldest first (three figures from 1991 to 2011, between .22 and .28); its "
        "reviews share their studies, so its stability or drift says little about independent replication.")


def test_series_in_words_with_one_figure():
    rows = _series(["h1991-01", "s2010-01"])
    assert series_words(rows) == ("The classic syntheses and their successors, oldest first: Hauthor, 1991 .26 "
                                  "(k = 26). It is read only as quoted by a later work (the table's notes and "
                                  "\"read in\" column say where each figure was read).")
    one_of_two = _series(["h1991-01", "h2011-01"])
    assert "Over 20 years" in series_words(one_of_two)
    assert " One of these figures is read only as quoted by a later work" in series_words(one_of_two)
    assert "independent tests" not in series_words(rows)
    assert series_summary(rows) == ("The broad adult series holds one figure (1991), r = .26: with one review there is "
                                    "no series to read.")


def test_series_in_words_with_no_figure():
    rows = _series(["s2010-01"])
    assert series_list(rows) == ""
    assert series_words(rows) == "No overall estimate of the broad adult series carries a harmonised r."
    assert series_summary(rows).startswith("No overall estimate of the broad adult series")
    none = _series([])
    assert none.empty and series_words(none) == "No overall estimate of the broad adult series carries a harmonised r."


def test_the_shipped_series():
    from alliance_meta import load_references, load_syntheses

    refs = load_references()
    ov = overview_table(load_syntheses(), refs)
    rows = series(ov, refs)
    assert set(rows["overlap_group"]) == {"adult-individual"} and set(rows["setting"]) == {"psychotherapy"}
    assert list(rows["year"]) == sorted(rows["year"])
    with_r = rows[rows["r"].notna()]
    text = series_words(rows)
    for review in with_r["review"]:
        assert review in text
    span = int(with_r["year"].max() - with_r["year"].min())
    assert f"Over {span} years" in text
