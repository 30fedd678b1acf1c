"""Sentences on where the primary correlations' spread comes from."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.aggregate import by_sample
from alliance_meta.evidence.primary_spread import q_drivers_sentence, rater_groups_sentence


def test_q_drivers_names_the_top_samples_and_judges_by_the_data():
    per = pd.DataFrame({"sample": ["a-s1", "b-s1", "c-s1"], "es_method": ["from_beta", "reported_r", "reported_r"]})
    text = q_drivers_sentence(per, [60.0, 30.0, 10.0], 12.34)
    assert text.startswith("The two samples that contribute most to Cochran's Q = 12.3 carry 90% of it: "
                           "a-s1 (60%, from beta) and b-s1 (30%, reported r).")
    assert "one of them converted from other statistics" in text
    even = q_drivers_sentence(per.assign(es_method="reported_r"), [34.0, 33.0, 33.0], 2.0)
    assert even.endswith("When the spread rests on so few rows, it describes those rows more than the field.")
    assert q_drivers_sentence(per.iloc[:1], [100.0], 0.0).startswith("With fewer than two samples")


def test_q_drivers_without_conversions():
    per = pd.DataFrame({"sample": ["a", "b", "c", "d"], "es_method": ["reported_r"] * 4})
    assert q_drivers_sentence(per, [40.0, 30.0, 20.0, 10.0], 5.0).endswith(
        "When the spread rests on so few rows, it describes those rows more than the field.")
    # the top two carry exactly half: no judgement
    assert "rests on" not in q_drivers_sentence(per, [25.0, 25.0, 25.0, 25.0], 5.0)


def test_rater_groups_counts_samples():
    es = pd.DataFrame({"study": ["a", "b", "c", "d"], "sample": ["a-s1", "b-s1", "c-s1", "d-s1"],
                       "r": [0.1, 0.2, 0.3, 0.4], "n": [50, 60, 70, 80],
                       "alliance_rater": ["parent", "parent", "youth", "mixed"],
                       "outcome_rater": ["parent", "youth", "parent", "parent"]})
    assert rater_groups_sentence(es, by_sample) == ("the same-rater group holds one sample and the different-rater "
                                                    "group two, so the comparison cannot be made (each group needs "
                                                    "two or more samples)")
    both = es.assign(alliance_rater=["parent", "youth", "youth", "parent"], outcome_rater=["parent", "youth", "parent", "youth"])
    assert rater_groups_sentence(both, by_sample).endswith("so both can be pooled and compared")


def test_between_sample_words_and_q_drivers_on_the_shipped_data():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.primary_spread import between_sample_words, q_drivers_words

    es = load_effect_sizes()
    assert between_sample_words(es) == (
        "On the Fisher z scale the between-sample variance is τ² = 0.0128 (95% Q-profile CI 0.0021 to 0.0438), so the "
        "true correlations spread with a standard deviation of about 0.11 on that scale; I² = 66% of the observed "
        "variation is real.")
    assert q_drivers_words(es) == (
        "The two samples that contribute most to Cochran's Q = 39.7 carry 94% of it: saguihenson2022-s1 (53%, from "
        "beta) and steinert2019-s1 (41%, from d). When the spread rests on so few rows, some of them converted from "
        "other statistics, it describes those rows more than the field.")


def rows(rs, ns, methods=None):
    names = [f"s{i}-s1" for i in range(len(rs))]
    return pd.DataFrame({"study": [n[:2] for n in names], "sample": names, "r": rs, "n": ns,
                         "es_method": methods or ["reported_r"] * len(rs)})


def test_between_sample_words_zero_one_several():
    from alliance_meta.evidence.primary_spread import between_sample_words, q_drivers_words

    assert between_sample_words(rows([], [])) == "With 0 samples, there is no spread between samples to measure."
    assert between_sample_words(rows([0.3], [50])) == "With 1 sample, there is no spread between samples to measure."
    assert q_drivers_words(rows([], [])) == "" and q_drivers_words(rows([0.3], [50])) == ""
    # identical correlations: no spread, τ² at zero, Q below its degrees of freedom
    same = rows([0.3, 0.3, 0.3], [50, 60, 70])
    assert between_sample_words(same) == (
        "On the Fisher z scale the between-sample variance is estimated at its boundary of zero (95% Q-profile CI "
        "0.0000 to 0.0000), and I² = 0%: these samples do not vary detectably more than sampling error allows.")
    assert q_drivers_words(same) == ("Cochran's Q = 0.0 on 2 degrees of freedom is no larger than sampling error alone "
                                     "would make it, so there is no excess spread to attribute to single samples.")
    text = q_drivers_words(rows([0.1, 0.5, 0.3], [100, 100, 100], ["from_t", "reported_r", "reported_r"]))
    assert text.startswith("The two samples that contribute most to Cochran's Q = ")
    assert "carry 100% of it: s1-s1 (52%, reported r) and s0-s1 (48%, from t)." in text
    assert text.endswith("one of them converted from other statistics, it describes those rows more than the field.")


def test_zero_order_samples_zero_one_several():
    from alliance_meta.evidence.primary_spread import zero_order_samples

    assert zero_order_samples(rows([], [])) == 0
    assert zero_order_samples(rows([0.3], [50], ["from_t"])) == 0
    assert zero_order_samples(rows([0.3], [50], ["spearman_rho"])) == 1
    mixed = pd.DataFrame({"sample": ["a", "a", "b", "c"], "es_method": ["reported_r", "from_d", "reported_r",
                                                                        "spearman_rho"]})
    assert zero_order_samples(mixed) == 2  # a has a converted row


def test_rater_groups_say_none_for_an_empty_group():
    es = pd.DataFrame({"study": ["a"], "sample": ["a-s1"], "r": [0.1], "n": [50],
                       "alliance_rater": ["parent"], "outcome_rater": ["parent"]})
    assert rater_groups_sentence(es, by_sample) == ("the same-rater group holds one sample and the different-rater "
                                                    "group none, so the comparison cannot be made (each group needs "
                                                    "two or more samples)")
    assert rater_groups_sentence(es.iloc[0:0], by_sample).startswith("the same-rater group holds no samples and the "
                                                                      "different-rater group none")


def test_zero_order_words_with_one_converted_sample():
    from alliance_meta.evidence.overview import small_k_pool
    from alliance_meta.evidence.primary_spread import zero_order_words

    es = rows([0.3, 0.2, 0.25], [50, 60, 70], ["reported_r", "reported_r", "from_t"])
    text = zero_order_words(es, by_sample, small_k_pool)
    assert text.startswith("Of the 3 samples, two rest only on zero-order correlations as printed (r or ρ); the other "
                           "one holds at least one value converted")
    assert "The zero-order samples alone give r = " in text
