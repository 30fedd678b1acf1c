"""Estimators side by side."""

from __future__ import annotations

import math

import pytest

from alliance_meta.evidence.comparison import estimator_table
from alliance_meta.engine.models import pool


def test_rows_equal_single_fits(molloy):
    yi, vi, _ = molloy
    table = estimator_table(yi, vi)
    assert list(zip(table["method"], table["test"])) == [("REML", "z"), ("DL", "z"), ("PM", "z"),
                                                         ("REML", "knha"), ("FE", "z")]
    for _, row in table.iterrows():
        fit = pool(yi, vi, method=row["method"], test=row["test"], back_transform=True)
        assert row["estimate"] == pytest.approx(fit.r, abs=1e-12)
        assert row["ci_lb"] == pytest.approx(fit.r_ci_lb, abs=1e-12)
    assert math.isnan(table.iloc[-1]["pi_lb"])


def test_z_scale(molloy):
    yi, vi, _ = molloy
    row = estimator_table(yi, vi, settings=(("DL", "z"),), back_transform=False).iloc[0]
    assert row["estimate"] == pytest.approx(pool(yi, vi, method="DL").estimate, abs=1e-12)


class Fit:
    """The part of a PoolResult that :func:`estimator_words` reads."""

    def __init__(self, q_pval):
        self.Q_pval = q_pval


def test_side_by_side_below_two_and_its_words():
    from alliance_meta.evidence.comparison import (COLUMNS, estimator_shift_words, estimator_words,
                                                   estimators_side_by_side)

    for k in (0, 1):
        side = estimators_side_by_side([0.3][:k], [0.01][:k])
        assert len(side) == 0 and list(side.columns) == COLUMNS
        assert estimator_words(side, None) == "With fewer than two samples there is nothing to estimate."
        assert estimator_shift_words(side) == "on these data nothing is pooled, so there is nothing to compare"


def test_estimator_words_follow_the_test_of_heterogeneity(molloy):
    from alliance_meta.evidence.comparison import estimator_shift_words, estimator_words, estimators_side_by_side

    yi, vi, _ = molloy
    side = estimators_side_by_side(yi, vi)
    spread = side["estimate"].max() - side["estimate"].min()
    assert estimator_words(side, Fit(0.01)).startswith(f"The pooled correlation moves by at most {spread:.3f} across")
    assert estimator_words(side, Fit(0.01)).endswith("which the test of heterogeneity above rejects.")
    assert estimator_words(side, Fit(0.5)).endswith("does not reject, though with few samples that test has little power.")
    random = side[side["method"] != "FE"]["estimate"]
    assert estimator_shift_words(side) == (f"on these data the random-effects estimates lie within "
                                           f"{random.max() - random.min():.3f} of one another")


def test_shipped_estimator_words():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.aggregate import by_sample
    from alliance_meta.evidence.comparison import estimator_shift_words, estimator_words, estimators_side_by_side

    per = by_sample(load_effect_sizes())
    side = estimators_side_by_side(per["yi"], per["vi"])
    assert estimator_words(side, Fit(1e-5)) == (
        "The pooled correlation moves by at most 0.024 across the settings of the table; the estimator changes the "
        "weights, and the test the width of the intervals. The fixed-effect row is there for contrast only: it assumes "
        "one true correlation for every service, which the test of heterogeneity above rejects.")
    assert estimator_shift_words(side) == "on these data the random-effects estimates lie within 0.011 of one another"


def test_shift_words_when_the_estimates_agree():
    import pandas as pd

    from alliance_meta.evidence.comparison import estimator_shift_words

    side = pd.DataFrame({"method": ["REML", "DL", "FE"], "estimate": [0.3001, 0.3003, 0.25]})
    assert estimator_shift_words(side) == "on these data the random-effects estimates agree to three decimals"
    side = pd.DataFrame({"method": ["REML", "DL", "FE"], "estimate": [0.301, 0.305, 0.25]})
    assert estimator_shift_words(side) == "on these data the random-effects estimates lie within 0.004 of one another"


def test_estimator_words_when_the_estimates_agree():
    import pandas as pd

    from alliance_meta.evidence.comparison import estimator_words

    side = pd.DataFrame({"method": ["REML", "FE"], "estimate": [0.3001, 0.3003]})
    assert estimator_words(side, Fit(0.9)).startswith("The pooled correlation is the same to three decimals across the "
                                                      "settings of the table; the estimator changes the weights")
