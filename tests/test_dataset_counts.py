"""The primary table in counts: what the pooling chapter and the introduction report."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.dataset_counts import dyad_counts, glance_counts, primary_counts


def rows(studies, samples, dyads):
    return pd.DataFrame({"study": studies, "sample": samples, "alliance_dyad": dyads,
                         "r": [0.2] * len(studies), "n": [50] * len(studies)})


def test_shipped_counts():
    from alliance_meta import load_effect_sizes, load_syntheses

    es, syn = load_effect_sizes(), load_syntheses()
    assert primary_counts(es) == {"rows": 10, "studies": 9, "samples": 9}
    assert glance_counts(es, syn) == {"rows": 10, "studies": 9, "parent_rows": 0, "syn_rows": 89, "syn_works": 37}
    table = dyad_counts(es)
    assert table.to_dict("index") == {"client-provider": {"correlations": 1, "studies": 1},
                                      "client-therapist": {"correlations": 4, "studies": 4},
                                      "patient-physician": {"correlations": 1, "studies": 1},
                                      "youth-therapist": {"correlations": 4, "studies": 3}}


def test_no_rows():
    es = rows([], [], [])
    syn = pd.DataFrame({"study": []})
    assert primary_counts(es) == {"rows": 0, "studies": 0, "samples": 0}
    assert glance_counts(es, syn) == {"rows": 0, "studies": 0, "parent_rows": 0, "syn_rows": 0, "syn_works": 0}
    assert len(dyad_counts(es)) == 0


def test_one_and_several():
    one = rows(["a"], ["a-s1"], ["parent-therapist"])
    assert primary_counts(one) == {"rows": 1, "studies": 1, "samples": 1}
    assert glance_counts(one, pd.DataFrame({"study": ["x", "x", "y"]}))["parent_rows"] == 1
    several = rows(["a", "a", "b"], ["a-s1", "a-s2", "b-s1"], ["parent-therapist", "youth-therapist", "youth-therapist"])
    assert primary_counts(several) == {"rows": 3, "studies": 2, "samples": 3}
    assert glance_counts(several, pd.DataFrame({"study": ["x", "x", "y"]}))["syn_works"] == 2
    assert dyad_counts(several).to_dict("index") == {"parent-therapist": {"correlations": 1, "studies": 1},
                                                     "youth-therapist": {"correlations": 2, "studies": 2}}


def test_holds_words_agree_with_their_counts():
    from alliance_meta.evidence.dataset_counts import holds_words

    assert holds_words({"rows": 0, "studies": 0, "samples": 0}) == "The dataset holds no correlation."
    assert holds_words({"rows": 1, "studies": 1, "samples": 1}) == (
        "The dataset holds 1 correlation from 1 study and 1 independent sample.")
    assert holds_words({"rows": 19, "studies": 9, "samples": 10}) == (
        "The dataset holds 19 correlations from 9 studies and 10 independent samples.")


def test_glance_words_agree_with_their_counts():
    from alliance_meta.evidence.dataset_counts import glance_words

    one = {"rows": 1, "studies": 1, "parent_rows": 0, "syn_rows": 1, "syn_works": 1}
    assert glance_words(one) == ("The dataset holds 1 alliance–outcome correlation from 1 study, none of it on the "
                                 "parent–therapist alliance, and 1 pooled estimate published by 1 meta-analysis.")
    many = {"rows": 19, "studies": 9, "parent_rows": 2, "syn_rows": 89, "syn_works": 33}
    assert glance_words(many) == ("The dataset holds 19 alliance–outcome correlations from 9 studies, 2 of them on "
                                  "the parent–therapist alliance, and 89 pooled estimates published by 33 "
                                  "meta-analyses.")
    empty = {"rows": 0, "studies": 0, "parent_rows": 0, "syn_rows": 0, "syn_works": 0}
    assert glance_words(empty) == ("The dataset holds no primary alliance–outcome correlation and no pooled "
                                   "estimate from a meta-analysis.")


def test_glance_words_on_the_shipped_data():
    from alliance_meta import load_effect_sizes, load_syntheses
    from alliance_meta.evidence.dataset_counts import glance_words

    assert glance_words(glance_counts(load_effect_sizes(), load_syntheses())) == (
        "The dataset holds 10 alliance–outcome correlations from 9 studies, none of them on the parent–therapist "
        "alliance, and 89 pooled estimates published by 37 meta-analyses.")
