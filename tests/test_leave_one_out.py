"""Leaving one primary sample out: the table and its sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from alliance_meta.evidence.aggregate import by_sample
from alliance_meta.evidence.leave_one_out import (COLUMNS, drop_interval_words, drop_paragraph, drop_words,
                                                  influence_sentence, leave_one_out_fit, leave_one_out_table,
                                                  most_influential, range_words)


def samples(rs, ns):
    names = [f"s{i}-s1" for i in range(len(rs))]
    return by_sample(pd.DataFrame({"study": [n[:2] for n in names], "sample": names, "r": rs, "n": ns}))


def test_shipped():
    from alliance_meta import load_effect_sizes

    per = by_sample(load_effect_sizes())
    l1o = leave_one_out_fit(per)
    table = leave_one_out_table(per, l1o)
    assert list(table.columns) == COLUMNS and len(table) == 9
    assert range_words(table) == "Leaving out one sample at a time, the pooled correlation ranges from 0.23 to 0.33."
    assert most_influential(table) == "saguihenson2022-s1"
    assert drop_paragraph(per, table) == (
        "without saguihenson2022-s1 the pooled r is .33 (.26 to .39), against .27 with it; the interval still "
        "excludes zero, so the conclusion does not rest on that sample (Knapp–Hartung intervals, as for every pool "
        "of fewer than ten samples)")
    assert influence_sentence(table, l1o) == (
        "Leaving saguihenson2022-s1 out moves the pooled estimate most, and it also has the largest Cook's distance. "
        "metafor's rule flags saguihenson2022-s1, steinert2019-s1 as influential.")


@pytest.mark.parametrize("k", [0, 1, 2])
def test_below_three_samples_nothing_is_left_out(k):
    per = samples([0.2, 0.3][:k], [50, 60][:k])
    l1o = leave_one_out_fit(per)
    table = leave_one_out_table(per, l1o)
    assert l1o is None and len(table) == 0 and list(table.columns) == COLUMNS
    assert range_words(table) == "With fewer than three samples, no sample can be left out with two still to pool."
    assert influence_sentence(table, l1o) == ""
    assert most_influential(table) is None
    assert drop_paragraph(per, table) == "with fewer than three samples there is no sample to drop and still pool"
    assert drop_interval_words(table) == ""


@pytest.mark.parametrize("rs, ns, drop, reading", [
    ([0.30, 0.28, 0.32, -0.40], [200, 180, 220, 20], "s2-s1",
     "the interval now includes zero, so the conclusion rests on that sample"),
    ([0.02, -0.03, 0.01, 0.60], [40, 40, 40, 400], "s3-s1", "the interval still includes zero"),
    ([0.30, 0.25, 0.35, 0.05, 0.9], [100, 100, 100, 100, 60], "s4-s1", "the interval now excludes zero"),
])
def test_the_interval_reading_follows_the_data(rs, ns, drop, reading):
    per = samples(rs, ns)
    table = leave_one_out_table(per, leave_one_out_fit(per))
    assert most_influential(table) == drop
    text = drop_words(per, table)
    assert text.startswith(f"without {drop} the pooled r is ") and text.endswith(reading)


def test_ten_samples_left_means_normal_intervals():
    rs = [0.1 + 0.02 * i for i in range(11)]
    per = samples(rs, [60 + 5 * i for i in range(11)])
    table = leave_one_out_table(per, leave_one_out_fit(per))
    assert drop_interval_words(table) == " (normal-quantile intervals, as for every pool of ten samples or more)"
