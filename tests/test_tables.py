"""figures.tables.show: one way of showing a table (no index, empty missing cells, rounding)."""

from __future__ import annotations

import pandas as pd

from alliance_meta.figures.tables import show


def test_no_index_no_nan_rounded_and_renamed():
    df = pd.DataFrame({"a": [0.28304, None], "b": pd.array([3, None], dtype="Int64"), "c": ["x", pd.NA]},
                      index=[26, 36])
    html = show(df, names={"c": "Text", "a": "Estimate"}, digits={"a": 2}, caption="Cap").to_html()
    assert ">0.28<" in html and "0.283" not in html
    assert "nan" not in html.lower() and "&lt;NA&gt;" not in html and "None" not in html
    assert ">26<" not in html and ">36<" not in html  # the index is hidden
    assert html.index(">Text<") < html.index(">Estimate<") and ">b<" not in html
    assert "Cap" in html


def test_all_columns_by_default():
    html = show(pd.DataFrame({"x": [1, 2]})).to_html()
    assert ">x<" in html and ">1<" in html and ">2<" in html
