"""The cumulative pool of the primary samples in order of publication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_meta.evidence.accumulation import COLUMNS, cumulative_fit, cumulative_table, cumulative_words
from alliance_meta.evidence.aggregate import by_sample


def samples(rs, ns, years):
    names = [f"s{i}-s1" for i in range(len(rs))]
    per = by_sample(pd.DataFrame({"study": [n[:2] for n in names], "sample": names, "r": rs, "n": ns}))
    per["year"] = years
    return per


def test_shipped():
    from alliance_meta import load_effect_sizes, load_references
    from alliance_meta.evidence.primary_pool import samples_with_year

    per = samples_with_year(load_effect_sizes(), load_references())
    table = cumulative_table(per, cumulative_fit(per))
    assert list(table.columns) == COLUMNS and len(table) == 9
    assert table["year"].tolist() == sorted(table["year"].tolist())
    assert cumulative_words(table) == ("Adding samples in order of publication from 2008, the estimate ends at 0.27; the "
                                       "table shows how much each new study moved it.")


@pytest.mark.parametrize("k", [0, 1, 2])
def test_below_three_samples(k):
    per = samples([0.2, 0.4][:k], [50, 80][:k], [2001, 2002][:k])
    cum = cumulative_fit(per)
    table = cumulative_table(per, cum)
    assert cum is None and len(table) == 0 and list(table.columns) == COLUMNS
    assert cumulative_words(table) == "With fewer than three samples, there is no accumulation to show."


def test_order_and_last_step_equal_the_full_pool():
    from alliance_meta.engine.models import pool

    per = samples([0.1, 0.5, 0.3, 0.2], [100, 40, 60, 80], [2015, 1999, 2020, 1999])
    table = cumulative_table(per, cumulative_fit(per))
    # ties keep table order
    assert table["sample"].tolist() == ["s1-s1", "s3-s1", "s0-s1", "s2-s1"]
    assert table["r"].iloc[-1] == pytest.approx(pool(per["yi"], per["vi"], back_transform=True).r, abs=1e-8)
    assert cumulative_words(table).startswith("Adding samples in order of publication from 1999, the estimate ends at "
                                              f"{table['r'].iloc[-1]:.2f};")
    assert np.all(table["ci_lb"] <= table["r"]) and np.all(table["r"] <= table["ci_ub"])
