"""Subgroup tables and the test of subgroup differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
