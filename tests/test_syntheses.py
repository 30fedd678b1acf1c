"""The table of published pooled estimates (alliance_meta.evidence.syntheses)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.syntheses import synthesis_table


@pytest.fixture
def refs():
    return {
        "old1991": Reference("old1991", "article", {"author": "Old, A. and Older, B.", "year": "1991"}),
        "new2011": Reference("new2011", "article", {"author": "New, C. and Newer, D. and Newest, E.", "year": "2011"}),
    }


@pytest.fixture
def syn():
    return pd.DataFrame({
        "synthesis_id": ["new2011-01", "old1991-01", "old1991-02"], "study": ["new2011", "old1991", "old1991"],
        "subset": ["overall", "overall", "overall"], "population": ["adult", "adult", "adult"],
        "k_studies": pd.array([190, 24, 26], dtype="Int64"), "n_participants": pd.array([None, None, None], dtype="Int64"),
        "r": [0.275, np.nan, 0.26], "ci_lb": [0.25, np.nan, np.nan], "ci_ub": [0.30, np.nan, np.nan],
        "evidence": ["primary", "primary", "secondary:new2011"],
    })


def test_table_orders_by_year_and_labels(syn, refs):
    table = synthesis_table(syn, refs)
    assert list(table["synthesis_id"]) == ["old1991-01", "old1991-02", "new2011-01"]
    assert list(table["synthesis"]) == ["Old & Older, 1991", "Old & Older, 1991", "New et al., 2011"]
    assert table.loc[2, "95% CI"] == "[0.25, 0.30]" and table.loc[0, "95% CI"] == ""
    assert table.loc[1, "read in"] == "quoted by New et al., 2011"
    assert table.loc[0, "N"] is pd.NA
