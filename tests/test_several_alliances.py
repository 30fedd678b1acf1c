"""Instruments per dyad, samples rating several alliances, and published split-alliance estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_meta.evidence.several_alliances import (measure_count, measures_by_dyad, several_alliances_counts,
                                                      split_alliance_rows, split_alliance_words)


def test_shipped():
    from alliance_meta import load_effect_sizes, load_syntheses

    es, syn = load_effect_sizes(), load_syntheses()
    assert measure_count(es) == 4
    table = measures_by_dyad(es)
    assert list(table.columns) == ["WAI", "WAI-S", "WAI-SR", "other"]
    assert table.loc["youth-therapist"].tolist() == [0, 0, 0, 3]
    assert several_alliances_counts(es) == {"samples": 3, "multi_dyad": 0, "multi_rater": 0}
    split = split_alliance_rows(syn)
    assert split["study"].tolist() == ["welmersvandepoll2018", "friedlander2018"]
    assert split_alliance_words(split) == ("Published syntheses that pooled split-alliance measures are listed above "
                                           "with their sources.")


def test_several_alliances_in_one_family_sample():
    es = pd.DataFrame({"study": ["a", "a", "a", "b", "c"], "sample": ["a-s1", "a-s1", "a-s1", "b-s1", "c-s1"],
                       "alliance_dyad": ["parent-therapist", "youth-therapist", "youth-therapist", "client-therapist",
                                         "youth-therapist"],
                       "alliance_rater": ["parent", "youth", "therapist", "client", np.nan],
                       "alliance_measure": ["WAI", "WAI", np.nan, "other", "WAI-S"],
                       "population": ["child", "child", "child", "adult", "adolescent"]})
    assert several_alliances_counts(es) == {"samples": 2, "multi_dyad": 1, "multi_rater": 1}
    assert measure_count(es) == 3
    assert several_alliances_counts(es.iloc[3:4]) == {"samples": 0, "multi_dyad": 0, "multi_rater": 0}
    assert several_alliances_counts(es.iloc[0:0]) == {"samples": 0, "multi_dyad": 0, "multi_rater": 0}


def test_split_words_zero_one_several():
    syn = pd.DataFrame({"study": ["x", "x", "y", "z"],
                        "estimate_type": ["split_alliance", "split_alliance", "overall", "split_alliance"]})
    assert split_alliance_words(split_alliance_rows(syn)).startswith("Published syntheses that pooled")
    assert split_alliance_words(split_alliance_rows(syn.iloc[:3])) == (
        "One published synthesis that pooled split-alliance measures is listed above with its source.")
    none = split_alliance_rows(syn.iloc[2:3])
    assert len(none) == 0
    assert split_alliance_words(none) == ("No published synthesis that pooled a split-alliance measure was found in a "
                                          "readable source.")



@settings(max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(["x", "y", "z"]), st.sampled_from(["split_alliance", "overall"])),
                max_size=8))
def test_split_words_count_the_reviews(pairs):
    syn = pd.DataFrame({"study": [p[0] for p in pairs], "estimate_type": [p[1] for p in pairs]})
    n = len({s for s, t in pairs if t == "split_alliance"})
    words = split_alliance_words(split_alliance_rows(syn))
    assert words.startswith({0: "No published", 1: "One published"}.get(n, "Published syntheses"))


def test_missing_dyads_zero_one_several():
    from pathlib import Path

    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.several_alliances import dyad_vocabulary, missing_dyads_words

    vocabulary = dyad_vocabulary(Path(__file__).resolve().parents[1])
    assert vocabulary == ["parent-therapist", "youth-therapist", "client-therapist", "family-therapist",
                          "couple-therapist", "patient-physician", "client-provider"]
    assert missing_dyads_words(load_effect_sizes(), vocabulary) == (
        "the codebook's parent-therapist, family-therapist and couple-therapist dyads have no correlation")
    es = pd.DataFrame({"alliance_dyad": ["a", "b"]})
    assert missing_dyads_words(es, ["a", "b"]) == "every dyad of the codebook has at least one correlation"
    assert missing_dyads_words(es, ["a", "b", "c"]) == "the codebook's c dyad has no correlation"
    assert missing_dyads_words(es.iloc[0:0], ["a", "b"]) == "the codebook's a and b dyads have no correlation"


def test_several_alliances_words_zero_one_several():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.several_alliances import several_alliances_words

    assert several_alliances_words(several_alliances_counts(load_effect_sizes())) == (
        "Of the 3 child, adolescent and family samples in the dataset, 0 report the alliance of more than one dyad and "
        "0 report it from more than one rater.")
    assert several_alliances_words({"samples": 0, "multi_dyad": 0, "multi_rater": 0}) == (
        "The dataset holds no child, adolescent or family sample, so none reports the alliance of more than one dyad "
        "or rater.")
    assert several_alliances_words({"samples": 1, "multi_dyad": 1, "multi_rater": 0}) == (
        "Of the 1 child, adolescent and family sample in the dataset, 1 reports the alliance of more than one dyad and "
        "0 report it from more than one rater.")
