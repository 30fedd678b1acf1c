"""Subgroup tables and the test of subgroup differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_meta.evidence.aggregate import by_sample
from alliance_meta.engine.models import pool
from alliance_meta.evidence.subgroups import provenance_restrictions, restricted_table, subgroup_table, subgroup_test


@pytest.fixture
def frame():
    return pd.DataFrame({
        "study": ["a2000", "a2000", "b2001", "c2002", "d2003", "e2004", "f2005"],
        "sample": ["a2000-s1", "a2000-s1", "b2001-s1", "c2002-s1", "d2003-s1", "e2004-s1", "f2005-s1"],
        "r": [0.30, 0.20, 0.25, 0.10, 0.40, 0.05, 0.15],
        "n": [60, 60, 100, 40, 80, 120, 30],
        "rater": ["parent", "parent", "parent", "youth", "youth", "youth", "therapist"],
    })


def test_table_pools_each_level_after_averaging_samples(frame):
    table = subgroup_table(frame, "rater")
    assert list(table["level"]) == ["parent", "therapist", "youth"]
    parent = table.iloc[0]
    assert (parent["studies"], parent["samples"], parent["rows"]) == (2, 2, 3)
    agg = by_sample(frame[frame["rater"] == "parent"])
    fit = pool(agg["yi"], agg["vi"], back_transform=True)
    assert parent["r"] == pytest.approx(fit.r, abs=1e-12)
    # one sample only: counts, no estimate
    assert np.isnan(table.iloc[1]["r"]) and table.iloc[1]["samples"] == 1


def test_order_and_missing_levels(frame):
    table = subgroup_table(frame, "rater", order=["youth", "observer"])
    assert list(table["level"]) == ["youth", "observer"]
    assert table.iloc[1]["samples"] == 0 and np.isnan(table.iloc[1]["r"])


def test_subgroup_test_is_the_metaregression_omnibus(frame):
    res = subgroup_test(frame, "rater")
    assert res is not None and res.QM_df == 1
    assert 0.0 <= res.QM_pval <= 1.0
    assert subgroup_test(frame[frame["rater"] == "parent"], "rater") is None


def test_describe_test(frame):
    from alliance_meta.evidence.subgroups import describe_test

    res = subgroup_test(frame, "rater")
    text = describe_test(res)
    assert text.startswith(f"QM(1) = {res.QM:.2f}, p ")
    # five samples: the test is shown, and the sentence says it is not read as a finding
    assert res.k == 5 and text.endswith("(on 5 samples, fewer than 10: shown, not read as a finding)")
    assert describe_test(None).startswith("no test")


def test_describe_test_reads_a_test_on_ten_or_more_samples(frame):
    from alliance_meta.evidence.subgroups import describe_test

    big = pd.concat([frame.assign(study=frame["study"] + f"x{i}", sample=frame["sample"] + f"x{i}")
                     for i in range(2)], ignore_index=True)
    res = subgroup_test(big, "rater")
    assert res.k >= 10 and describe_test(res) == f"QM({res.QM_df}) = {res.QM:.2f}, p " + (
        f"= {res.QM_pval:.3f}" if res.QM_pval >= 0.001 else "< 0.001")


def test_restricted_table_pools_what_each_rule_keeps(frame):
    frame = frame.assign(source_access=["abstract", "abstract", "secondary_table", "pmc_fulltext", "abstract",
                                        "abstract", "abstract"],
                         es_method=["reported_r", "reported_r", "reported_r", "from_t", "reported_r", "partial_r",
                                    "spearman_rho"])
    rules = provenance_restrictions(frame)
    assert list(rules) == ["all correlations", "read in the study itself", "printed as a zero-order r",
                           "read beyond an abstract"]
    table = restricted_table(frame, rules)
    assert list(table["samples"]) == [6, 5, 4, 2]
    kept = frame[frame["source_access"] != "secondary_table"]
    agg = by_sample(kept)
    assert table.iloc[1]["r"] == pytest.approx(pool(agg["yi"], agg["vi"], back_transform=True).r, abs=1e-12)
    # every row kept gives the unrestricted estimate
    whole = subgroup_table(frame.assign(all="x"), "all").iloc[0]
    assert table.iloc[0]["r"] == pytest.approx(whole["r"], abs=1e-12)


def test_provenance_counts_and_restriction_words_on_the_shipped_data():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.subgroups import provenance_counts, restriction_words

    es = load_effect_sizes()
    assert provenance_counts(es) == {"rows": 10, "abstract": 9, "secondary": 0, "converted": 5}
    assert restriction_words(restricted_table(es, provenance_restrictions(es))) == (
        "all correlations, r = 0.27 from 9 samples; read in the study itself, r = 0.27 from 9 samples; printed as a "
        "zero-order r, r = 0.30 from 5 samples; read beyond an abstract, no estimate (1 sample)")


def test_restriction_words_zero_one_several():
    from alliance_meta.evidence.subgroups import restriction_words

    table = pd.DataFrame({"analysis": ["none kept", "one kept", "three kept"], "samples": [0, 1, 3],
                          "r": [np.nan, np.nan, 0.214]})
    assert restriction_words(table) == ("none kept, no estimate (0 samples); one kept, no estimate (1 sample); "
                                        "three kept, r = 0.21 from 3 samples")
    assert restriction_words(table.iloc[0:0]) == "no restriction is applied"


def test_provenance_counts_by_coded_fields():
    from alliance_meta.evidence.subgroups import provenance_counts

    es = pd.DataFrame({"source_access": ["abstract", "secondary_table", "pmc_fulltext"],
                       "es_method": ["reported_r", "spearman_rho", "from_t"]})
    assert provenance_counts(es) == {"rows": 3, "abstract": 1, "secondary": 1, "converted": 1}
    assert provenance_counts(es.iloc[0:0]) == {"rows": 0, "abstract": 0, "secondary": 0, "converted": 0}


def test_subgroup_section_keeps_levels_outside_the_order(frame):
    from alliance_meta.evidence.subgroups import describe_test, subgroup_section

    table, words = subgroup_section(frame, "rater", "who rated", order=["youth", "observer"])
    # the vocabulary first (an absent level with zero counts), then every other level present, sorted
    assert list(table["who rated"]) == ["youth", "observer", "parent", "therapist"]
    assert table.loc[table["who rated"] == "observer", ["studies", "samples", "rows"]].iloc[0].tolist() == [0, 0, 0]
    assert words == describe_test(subgroup_test(frame, "rater"))
    plain, _ = subgroup_section(frame, "rater", "rater")
    assert list(plain["rater"]) == ["parent", "therapist", "youth"]
    single, words = subgroup_section(frame.assign(rater="parent"), "rater", "rater")
    assert len(single) == 1 and words == "no test (fewer than two subgroups with two or more samples)"


def test_level_words_zero_one_several(frame):
    from alliance_meta.evidence.subgroups import level_reach_words, level_studies_words

    frame = frame.assign(referral=["mandated", "mandated", "voluntary", "mandated", "voluntary", "voluntary",
                                   "mandated"])
    what = "sampled mandated clients"
    assert level_studies_words(frame, "referral", "mixed", what) == "No coded studies sampled mandated clients"
    assert level_studies_words(frame.iloc[:2], "referral", "mandated", what) == "One coded study sampled mandated clients"
    assert level_studies_words(frame, "referral", "mandated", what) == "Three coded studies sampled mandated clients"
    assert level_reach_words(frame, "referral", "mixed") == "so the dataset can say little about them"
    assert level_reach_words(frame.iloc[:2], "referral", "mandated") == "so the dataset can say little about them"
    assert level_reach_words(frame, "referral", "mandated") == ("pooled in the table above from 3 samples, a "
                                                               "description of those samples rather than a finding")


def test_shipped_referral_words():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.subgroups import level_reach_words, level_studies_words, subgroup_section

    es = load_effect_sizes()
    assert level_studies_words(es, "referral", "mandated", "sampled mandated clients") == (
        "No coded studies sampled mandated clients")
    assert level_reach_words(es, "referral", "mandated") == "so the dataset can say little about them"
    table, words = subgroup_section(es, "referral", "referral", order=["voluntary", "mixed", "mandated", "unknown"])
    assert table["referral"].tolist() == ["voluntary", "mixed", "mandated", "unknown"]
    assert table["samples"].tolist() == [2, 0, 0, 7]
    assert words == "QM(1) = 5.43, p = 0.020 (on 9 samples, fewer than 10: shown, not read as a finding)"



@settings(max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]),
                          st.sampled_from(["voluntary", "mandated", "mixed", "unknown"])), max_size=30))
def test_level_words_count_what_they_say(pairs):
    """The number in words is the number of studies with a row at the level; the reach clause
    pools only from two samples on."""
    from alliance_meta.engine.wording import number_word
    from alliance_meta.evidence.subgroups import level_reach_words, level_studies_words

    frame = pd.DataFrame({"study": [p[0] for p in pairs], "sample": [p[0] + "-s1" for p in pairs],
                          "referral": [p[1] for p in pairs]})
    n = len({s for s, ref in pairs if ref == "mandated"})
    words = level_studies_words(frame, "referral", "mandated", "did x")
    assert words.startswith(number_word(n, zero="no").capitalize() + " coded stud")
    assert words.endswith(("study did x" if n == 1 else "studies did x"))
    reach = level_reach_words(frame, "referral", "mandated")
    assert (f"from {n} samples" in reach) == (n >= 2)


def test_provenance_words_agree_with_their_counts():
    from alliance_meta.evidence.subgroups import provenance_words

    assert provenance_words({"rows": 0, "abstract": 0, "secondary": 0, "converted": 0}) == (
        "The dataset holds no correlation.")
    assert provenance_words({"rows": 1, "abstract": 1, "secondary": 0, "converted": 0}) == (
        "Of the 1 correlation, 1 was read in an abstract, 0 in a review's table, and 0 were not printed as a "
        "zero-order correlation.")
    assert provenance_words({"rows": 10, "abstract": 4, "secondary": 2, "converted": 1}) == (
        "Of the 10 correlations, 4 were read in an abstract, 2 in a review's table, and 1 was not printed as a "
        "zero-order correlation.")
