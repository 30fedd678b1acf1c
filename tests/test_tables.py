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


def test_p_values_in_apa_style():
    from alliance_meta.figures.tables import format_p

    assert [format_p(p) for p in (0.0, 1e-12, 0.000999, 0.001, 0.0254, 0.5, 1.0)] == \
        ["< .001", "< .001", "< .001", ".001", ".025", ".500", "1.000"]
    assert format_p(float("nan")) == "" and format_p(None) == "" and format_p(pd.NA) == ""
    html = show(pd.DataFrame({"Q": [42.2], "pval": [3e-9]})).to_html()
    assert ">&lt; .001<" in html and "0.0000" not in html and "e-09" not in html


def test_default_names_and_digits_by_column():
    df = pd.DataFrame({"r": [0.28304], "ci_lb": [0.2149], "tau2": [0.013186], "I2": [65.167], "k": [10]})
    table = show(df)
    assert table.header == ["r", "CI lower", "τ²", "I² (%)", "k"]
    assert table.rows == [["0.28", "0.21", "0.0132", "65.2", "10"]]


def test_a_named_index_becomes_a_column_and_an_unnamed_one_is_dropped():
    crosstab = pd.DataFrame({"family_functioning": [1, 0]}, index=pd.Index(["parent", "youth"], name="alliance_dyad"))
    table = show(crosstab)
    assert table.header == ["dyad", "family functioning"]
    assert [row[0] for row in table.rows] == ["parent", "youth"]
    assert show(pd.DataFrame({"x": [1]}, index=[26])).header == ["x"]


def test_cells_are_escaped_unless_trusted():
    df = pd.DataFrame({"label": ["<script>alert(1)</script>"], "link": ['<a href="#x">x</a>']})
    html = show(df, html_columns=["link"]).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="#x">x</a>' in html


def test_coded_values_read_as_words_but_free_text_is_kept():
    table = show(pd.DataFrame({"domain": ["family_functioning", "see notes_v2 and more"]}))
    assert [r[0] for r in table.rows] == ["family functioning", "see notes_v2 and more"]
    assert show(pd.DataFrame({"d": ["a_b"]}), words=False).rows == [["a_b"]]


def test_exact_zero_is_not_shown_as_a_rounded_value():
    table = show(pd.DataFrame({"tau2": [0.0, 0.00004]}))
    assert [r[0] for r in table.rows] == ["0", "0.0000"]


def test_interactive_tables_are_marked_and_every_table_is_a_labelled_focusable_region():
    html = show(pd.DataFrame({"x": [1]}), caption="Estimates & more", interactive=True).to_html()
    assert 'data-interactive="true"' in html
    assert 'role="region" aria-label="Estimates &amp; more" tabindex="0"' in html
    assert "<caption>Estimates &amp; more</caption>" in html
    assert 'data-interactive' not in show(pd.DataFrame({"x": [1]})).to_html()


def test_numbers_are_marked_for_right_alignment():
    html = show(pd.DataFrame({"name": ["a"], "k": [3]})).to_html()
    assert '<th scope="col" class="am-num">k</th>' in html and "<td>a</td>" in html


def test_a_rounded_zero_carries_no_sign():
    """-0.0002 at three decimals is 0.000, not -0.000; -0.002 keeps its sign; an exact zero is 0."""
    html = show(pd.DataFrame({"d": [-0.0002, -0.002, 0.0, 0.0004]}), digits={"d": 3}).to_html()
    assert "-0.000" not in html
    assert ">0.000<" in html and ">-0.002<" in html and ">0<" in html


def test_a_table_without_rows_is_a_sentence():
    import pandas as pd

    from alliance_meta.figures import show

    out = show(pd.DataFrame({"a": [], "b": []}), caption="Estimates <of> a kind").to_html()
    assert out == '<p class="am-table-empty"><em>Estimates &lt;of&gt; a kind: none in the data.</em></p>'
    assert "<table" not in show(pd.DataFrame({"a": []})).to_html()
