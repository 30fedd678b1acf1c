"""Per-sample aggregation (alliance_meta.evidence.aggregate.by_sample): the mean Fisher z of a
sample's correlations and the conservative variance (mean SE)², for no, one and several rows
per sample."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from alliance_meta.evidence.aggregate import by_sample


def test_several_rows_of_one_sample_become_their_mean_z_and_mean_se_squared():
    frame = pd.DataFrame({"r": [0.2, 0.4, 0.3], "n": [50, 103, 80], "sample": ["s1", "s1", "s2"],
                          "rater": ["client", "therapist", "client"]})
    out = by_sample(frame, keep=("rater",))
    assert list(out["sample"]) == ["s1", "s2"] and list(out["k_rows"]) == [2, 1]
    z = (math.atanh(0.2) + math.atanh(0.4)) / 2
    se = (1 / math.sqrt(47) + 1 / math.sqrt(100)) / 2
    assert out.loc[0, "yi"] == pytest.approx(z) and out.loc[0, "vi"] == pytest.approx(se ** 2)
    assert out.loc[0, "r"] == pytest.approx(math.tanh(z)) and out.loc[0, "n"] == 103
    # a kept column that differs within the sample is "mixed"; one row keeps its own
    assert list(out["rater"]) == ["mixed", "client"]
    # a sample of one row is that row: z = atanh(r), v = 1 / (n - 3)
    assert out.loc[1, "yi"] == pytest.approx(math.atanh(0.3)) and out.loc[1, "vi"] == pytest.approx(1 / 77)


def test_samples_keep_the_order_of_first_appearance_and_named_columns():
    frame = pd.DataFrame({"rr": [0.1, 0.2, 0.3], "nn": [20, 30, 40], "site": ["b", "a", "b"]})
    out = by_sample(frame, r="rr", n="nn", sample="site")
    assert list(out["sample"]) == ["b", "a"] and list(out["k_rows"]) == [2, 1]
    assert list(out["n"]) == [40, 30]


def test_no_rows_give_no_samples():
    out = by_sample(pd.DataFrame({"r": [], "n": [], "sample": []}))
    assert out.empty and list(out.columns) == ["sample", "k_rows", "yi", "vi", "n", "r"]


def test_the_shipped_samples_add_up():
    from alliance_meta import load_effect_sizes

    es = load_effect_sizes()
    out = by_sample(es)
    assert out["k_rows"].sum() == len(es) and len(out) == es["sample"].nunique()
    assert np.all(out["vi"] > 0) and np.all(np.abs(out["r"]) < 1)


@given(st.lists(st.tuples(st.floats(-0.9, 0.9), st.integers(5, 500)), min_size=1, max_size=8))
def test_the_mean_lies_between_the_rows_and_the_variance_is_no_smaller_than_the_smallest(rows):
    frame = pd.DataFrame({"r": [r for r, _ in rows], "n": [n for _, n in rows], "sample": "s"})
    out = by_sample(frame)
    z = np.arctanh(frame["r"].to_numpy())
    v = 1 / (frame["n"].to_numpy() - 3)
    assert z.min() - 1e-12 <= out.loc[0, "yi"] <= z.max() + 1e-12
    # (mean SE)² lies between the smallest and the largest row variance
    assert v.min() - 1e-12 <= out.loc[0, "vi"] <= v.max() + 1e-12
