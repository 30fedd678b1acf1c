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
