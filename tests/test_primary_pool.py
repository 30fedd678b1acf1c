"""The pooled correlation of the primary samples and its sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.primary_pool import (dyad_pools, dyad_pools_words, fit_summary, pool_sentences,
                                                 primary_pool, samples_with_year)


def rows(rs, ns, dyads=None, samples=None):
    k = len(rs)
    samples = samples or [f"s{i}-s1" for i in range(k)]
    return pd.DataFrame({"study": [s.split("-")[0] for s in samples], "sample": samples, "r": rs, "n": ns,
                         "alliance_dyad": dyads or ["client-therapist"] * k})


def test_shipped_sentences():
    from alliance_meta import load_effect_sizes

    per, main, normal = primary_pool(load_effect_sizes())
    assert len(per) == 9 and main.test == "knha"
    words = pool_sentences(main, normal, len(per))
    assert words["pool_pi"] == ("The prediction interval, -0.02 to 0.52, adds the estimated differences between "
                                "samples to the uncertainty of the mean.")
    assert words["pool_summary"] == ("The pooled alliance–outcome correlation in this dataset is 0.27, with a "
                                     "prediction interval from -0.02 to 0.52; pooled with and without converted "
                                     "values, it is reported both ways.")
    assert words["pool_result"].startswith("Estimated with restricted maximum likelihood, the pooled correlation of "
                                           "all samples is r = .27 (Knapp–Hartung 95% CI .17 to .36;")
    assert words["pool_result"].endswith("The correlations vary more than sampling error allows: Q(8) = 39.7 "
                                         "(p < .001), and I² = 66% of the variation is between samples (95% CI 24% "
                                         "to 87%).")
    table = dyad_pools(per)
    assert list(table["dyad"]) == ["client-therapist", "youth-therapist"]
    assert list(table["samples"]) == [4, 3]
    assert table["r"].round(2).tolist() == [0.38, 0.25]
    assert dyad_pools_words(table) == ""


@pytest.mark.parametrize("k, result, summary", [
    (0, "The dataset holds no sample, so nothing is pooled.", "With 0 samples, the dataset gives no pooled correlation."),
    (1, "With 1 independent sample, nothing is pooled: a single study is not a synthesis.",
     "With 1 sample, the dataset gives no pooled correlation."),
])
def test_no_pool_below_two_samples(k, result, summary):
    per, main, normal = primary_pool(rows([0.3] * k, [50] * k))
    assert len(per) == k and main is None and normal is None
    words = pool_sentences(main, normal, k)
    assert words == {"pool_result": result, "pool_pi": "", "pool_summary": summary}
    assert fit_summary(main, k) == f"No model is fitted: {k} sample{'s' * (k != 1)}, fewer than 2."
    table = dyad_pools(per)
    assert len(table) == 0
    assert dyad_pools_words(table) == "*No dyad holds two or more samples, so none is pooled on its own.*"


def test_several_samples_without_heterogeneity():
    per, main, normal = primary_pool(rows([0.30, 0.31, 0.29], [100, 120, 90],
                                          dyads=["client-therapist", "youth-therapist", "parent-therapist"]))
    words = pool_sentences(main, normal, 3)
    assert "do not vary detectably more than sampling error allows: Q(2) = " in words["pool_result"]
    assert fit_summary(main, 3) == main.summary()
    # three dyads of one sample each: none is pooled alone
    assert dyad_pools_words(dyad_pools(per)).startswith("*No dyad")


def test_samples_with_year_takes_the_first_four_characters():
    refs = {"s0": Reference("s0", "article", {"year": "2019a"}), "s1": Reference("s1", "article", {"year": "2001"})}
    per = samples_with_year(rows([0.2, 0.3], [40, 50]), refs, keep=("alliance_dyad",))
    assert per["year"].tolist() == [2019, 2001]
    assert {"study", "alliance_dyad"} <= set(per.columns)


def test_summary_says_when_zero_order_samples_are_too_few():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.primary_spread import zero_order_samples

    es = load_effect_sizes()
    assert zero_order_samples(es) == 5
    per, main, normal = primary_pool(es)
    for count in (None, 2, 5):
        assert pool_sentences(main, normal, 9, count)["pool_summary"].endswith(
            "pooled with and without converted values, it is reported both ways.")
    for count in (0, 1):
        assert pool_sentences(main, normal, 9, count)["pool_summary"].endswith(
            "; the samples resting only on zero-order correlations are too few to pool alone.")
