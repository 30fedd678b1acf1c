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
