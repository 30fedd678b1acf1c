"""Reading researchers' CSVs: encodings, line ends, empty cells, and one-line errors."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from alliance_meta.engine.errors import InputError
from alliance_meta.cli.inputs import read_effects

GOOD = "study,r,n\nA,0.30,50\nB,0.10,120\nC,0.25,80\n"


def test_bom_and_crlf_read_like_plain_utf8(write_csv):
    plain = read_effects(write_csv(GOOD), r="r", n="n")
    bom_crlf = read_effects(write_csv(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()), r="r", n="n")
    np.testing.assert_array_equal(plain.yi, bom_crlf.yi)
    np.testing.assert_array_equal(plain.vi, bom_crlf.vi)


def test_quoted_fields_and_spaces(write_csv):
    t = read_effects(write_csv('study,r,n\n"Smith, J.", 0.30 ,50\n"Doe ""Jr""",0.1,20\n'), r="r", n="n")
    assert t.k == 2
    assert t.yi[0] == pytest.approx(np.arctanh(0.3))


def test_empty_effect_sizes_are_dropped_and_counted(write_csv):
    t = read_effects(write_csv("r,n\n0.3,50\n,40\n0.2,\n0.1,30\n\n"), r="r", n="n")
    assert t.k == 2 and t.omitted == 2
    assert t.rows.tolist() == [1, 4]


def test_empty_moderator_drops_the_row(write_csv):
    t = read_effects(write_csv("r,n,m\n0.3,50,1\n0.2,40,\n0.1,30,2\n"), r="r", n="n", extra=("m",))
    assert t.k == 2 and t.omitted == 1
    assert t.extra["m"].tolist() == [1.0, 2.0]


def test_categorical_extra_stays_text(write_csv):
    t = read_effects(write_csv("r,n,m\n0.3,50,a\n0.2,40,b\n"), r="r", n="n", extra=("m",))
    assert t.extra["m"].tolist() == ["a", "b"]


def test_yi_vi_input(write_csv):
    t = read_effects(write_csv("yi,vi\n0.5,0.1\n-0.2,0.05\n"), yi="yi", vi="vi")
    assert not t.is_r and t.yi.tolist() == [0.5, -0.2] and t.vi.tolist() == [0.1, 0.05]


@pytest.mark.parametrize("content,where,words", [
    ("r,n\n0.3,50\n1.2,40\n", "row 2 (line 3), column 'r'", "outside [-1, 1]"),
    ("r,n\n0.3,50\n-1,40\n", "row 2 (line 3), column 'r'", "infinite Fisher z"),
    ("r,n\n0.3,50\n0.2,3\n", "row 2 (line 3), column 'n'", "below 4"),
    ("r,n\n0.3,50.5\n", "row 1 (line 2), column 'n'", "not a whole number"),
    ("r,n\n0.3,50\nabc,40\n", "row 2 (line 3), column 'r'", "'abc' is not a finite number"),
    ("r,n\n0,3,50\n", "row 1 (line 2)", "fields where the header has"),
    ("r,n\n\"0,3\",50\n", "row 1 (line 2), column 'r'", "'0,3' has a decimal comma; write 0.3"),
    ("r,n\n0.3,inf\n", "row 1 (line 2), column 'n'", "not a finite number"),
    ("r,x\n0.3,50\n", "column 'n'", "no column 'n'"),
    ("", "", "is empty"),
    ("\n\n  \n", "", "is empty"),
    ("r,n\n", "", "no data rows"),
    ("r,r,n\n0.1,0.2,30\n", "column 'r'", "twice"),
])
def test_bad_input_gets_one_located_line(write_csv, content, where, words):
    path = write_csv(content)
    with pytest.raises(InputError) as err:
        read_effects(path, r="r", n="n")
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(str(path))
    assert where in msg and words in msg


def test_variance_must_be_positive(write_csv):
    with pytest.raises(InputError, match=r"row 2 \(line 3\), column 'vi': variance 0 is not positive"):
        read_effects(write_csv("yi,vi\n0.1,0.2\n0.3,0\n"), yi="yi", vi="vi")


@pytest.mark.parametrize("raw,words", [
    (b"r,n\n0.3,50\n\xff\xfe0.2,40\n", "not UTF-8"),
    (b"\xff\xfer\x00,\x00n\x00", "UTF-16"),
    (b"r,n\n0.3\x00,50\n", "NUL"),
])
def test_wrong_encodings(write_csv, raw, words):
    with pytest.raises(InputError, match=words):
        read_effects(write_csv(raw), r="r", n="n")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_effects(tmp_path / "nope.csv", r="r", n="n")
    with pytest.raises(InputError, match="directory"):
        read_effects(tmp_path, r="r", n="n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_bytes_give_a_result_or_one_clean_error(write_csv, blob):
    path = write_csv(b"r,n\n" + blob)
    try:
        t = read_effects(path, r="r", n="n")
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert np.all(np.isfinite(t.yi)) and np.all(t.vi > 0)


@pytest.mark.parametrize("spelling", ["inf", "-Inf", "null", "#DIV/0!"])
def test_a_non_finite_number_spelled_out_in_a_numeric_moderator_is_an_error(tmp_path, spelling):
    """It never turns the column into categories (dose[inf]) or its order into text order."""
    path = tmp_path / "m.csv"
    path.write_text(f"r,n,dose\n0.3,40,1\n0.1,100,{spelling}\n0.2,60,10\n0.25,80,2\n", encoding="utf-8")
    for kwargs in ({"extra": ("dose",)}, {"optional": ("dose",)}):
        with pytest.raises(InputError) as err:
            read_effects(str(path), r="r", n="n", **kwargs)
        assert f"row 2 (line 3), column 'dose': '{spelling}' is not a finite number" in str(err.value)


@pytest.mark.parametrize("spelling", ["NA", "nan", "NaN", "N/A", "#N/A", "na", ""])
def test_r_s_missing_values_are_missing_in_every_numeric_column(tmp_path, spelling):
    """R's write.csv writes NA for a missing value; Excel #N/A; other tools NaN or N/A."""
    path = tmp_path / "m.csv"
    path.write_text(f"r,n,dose\n0.3,40,1\n0.1,100,{spelling}\n0.2,60,10\n0.25,80,2\n{spelling},50,3\n"
                    f"0.2,{spelling},3\n", encoding="utf-8")
    table = read_effects(str(path), r="r", n="n", extra=("dose",))
    assert table.k == 3 and table.omitted == 3 and table.rows.tolist() == [1, 3, 4]
    assert table.extra["dose"].tolist() == [1.0, 10.0, 2.0]
    assert [d["empty"] for d in table.left_out] == [["dose"], ["r"], ["n"]]
    ordered = read_effects(str(path), r="r", n="n", optional=("dose",))
    assert ordered.k == 4 and np.isnan(ordered.extra["dose"][1])


def test_an_empty_cell_is_the_way_to_leave_a_moderator_out(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("r,n,dose\n0.3,40,1\n0.1,100,\n0.2,60,10\n0.25,80,2\n", encoding="utf-8")
    table = read_effects(str(path), r="r", n="n", extra=("dose",))
    assert table.omitted == 1 and table.extra["dose"].dtype == float
    ordered = read_effects(str(path), r="r", n="n", optional=("dose",))
    assert list(ordered.extra["dose"][[0, 2, 3]]) == [1.0, 10.0, 2.0] and np.isnan(ordered.extra["dose"][1])


def test_a_text_category_called_none_stays_a_category(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("r,n,g\n0.3,40,none\n0.1,100,x\n0.2,60,x\n", encoding="utf-8")
    assert list(read_effects(str(path), r="r", n="n", extra=("g",)).extra["g"]) == ["none", "x", "x"]


def test_header_names_padded_with_spaces_are_the_names(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(" r , n \n0.3,40\n0.1,100\n0.2,60\n", encoding="utf-8")
    table = read_effects(str(path), r="r", n="n")
    assert table.k == 3 and table.r[0] == pytest.approx(0.3)


def test_an_endless_device_is_refused_at_once():
    with pytest.raises(InputError, match="contains NUL bytes"):
        read_effects("/dev/zero", r="r", n="n")


def test_cluster_ids_that_are_numbers_are_numbers(write_csv, run_cli):
    """1, 01 and 1.0 are one cluster, as R reads the column (and metafor finds); issue 28
    replaced the earlier rule that kept them apart."""
    import json

    path = write_csv("yi,vi,c\n0.1,0.01,01\n0.2,0.01,1\n0.25,0.02,1.0\n0.3,0.01,2\n0.4,0.01,2\n")
    res = run_cli("pool", path, "--yi", "yi", "--vi", "vi", "--cluster", "c", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["n_clusters"] == 2
    path = write_csv("yi,vi,c\n0.1,0.01,a01\n0.2,0.01,a1\n0.3,0.01,a1\n0.4,0.01,b\n")
    assert json.loads(run_cli("pool", path, "--yi", "yi", "--vi", "vi", "--cluster", "c", "--json").out)["n_clusters"] == 3


@pytest.mark.parametrize("body,row,fields", [("0.1,0.01\n0.2\n0.3,0.01\n", 2, 1),
                                             ("0.1,0.01,a\n0.3,0.01,b\n0.2,0.02\n", 3, 2)])
def test_a_short_row_is_an_error_like_a_long_one(write_csv, run_cli, body, row, fields):
    header = "yi,vi\n" if body.count(",", 0, body.index("\n")) == 1 else "yi,vi,g\n"
    res = run_cli("pool", write_csv(header + body), "--yi", "yi", "--vi", "vi")
    assert res.code == 2 and res.err.count("\n") == 1
    assert f"row {row}" in res.err and f"has {fields} field" in res.err


def test_blank_lines_and_empty_trailing_cells_are_not_short_rows(write_csv, run_cli):
    res = run_cli("pool", write_csv("yi,vi\n0.1,0.01\n\n0.3,\n0.3,0.01\n0.2,0.02\n"), "--yi", "yi", "--vi", "vi", "--json")
    assert res.code == 0, res.err
    assert "1 row with an empty value left out" in res.err


def test_an_input_above_the_size_limit_is_refused_in_one_line(write_csv, run_cli, monkeypatch):
    monkeypatch.setenv("ALLIANCE_META_MAX_BYTES", "100")
    res = run_cli("pool", write_csv("r,n\n" + "0.1,40\n" * 30), "--r", "r", "--n", "n")
    assert res.code == 2 and res.err.count("\n") == 1
    assert "larger than 100 bytes" in res.err and "ALLIANCE_META_MAX_BYTES" in res.err
    monkeypatch.setenv("ALLIANCE_META_MAX_BYTES", "1000")
    assert run_cli("pool", write_csv("r,n\n" + "0.1,40\n" * 30), "--r", "r", "--n", "n").code == 0
    monkeypatch.setenv("ALLIANCE_META_MAX_BYTES", "lots")
    res = run_cli("pool", write_csv("r,n\n0.1,40\n0.2,50\n"), "--r", "r", "--n", "n")
    assert res.code == 2 and "not a whole number of bytes" in res.err


# ---------------------------------------------------------------- issue 28: files as researchers export them

@pytest.mark.parametrize("header", ['study, "r", "n"', 'study,"r" , "n"', ',r,n', 'study,r\x0c,n', 'study,\u2028r,n',
                                    'study,r\x85,n', '"study",r,"n\u2028"', 'study;r;n', 'study\tr\tn'])
def test_headers_as_r_reads_them(write_csv, header):
    sep = ";" if ";" in header else "\t" if "\t" in header else ","
    body = "".join(sep.join(row) + "\n" for row in (["A", "0.3", "50"], ["B", "0.1", "120"], ["C", "0.25", "80"]))
    t = read_effects(write_csv(header + "\n" + body), r="r", n="n")
    assert t.k == 3 and t.r.tolist() == [0.3, 0.1, 0.25] and t.rows_read == 3


def test_a_header_cell_with_a_line_break_is_one_column(write_csv):
    """Excel's Alt-Enter in a header cell: one column, named with the break read as a space."""
    t = read_effects(write_csv('study,"effect\nsize",n\nA,0.3,50\nB,0.1,120\n'), r="effect size", n="n")
    assert t.k == 2 and t.lines.tolist() == [3, 4]
    with pytest.raises(InputError, match=r"row 2 \(line 4\), column 'n'"):
        read_effects(write_csv('study,"effect\nsize",n\nA,0.3,50\nB,0.1,1\n'), r="effect size", n="n")


@pytest.mark.parametrize("content,where", [
    ('study,r,n\n"A\nB",0.3,50\n"C\n\nD",0.2,40\nE,abc,30\n', "row 3 (line 7), column 'r'"),
    ("\n\n\nr,n\n0.3,50\n\n0.2,4.5\n", "row 2 (line 7), column 'n'"),
    ('study,r,n\r\n"A\r\nB",0.3,50\r\nE,0.2,40,9\r\n', "row 2 (line 4)"),
])
def test_errors_name_the_physical_line(write_csv, run_cli, content, where):
    with pytest.raises(InputError, match=re.escape(where)):
        read_effects(write_csv(content), r="r", n="n")
    res = run_cli("pool", write_csv(content), "--r", "r", "--n", "n")
    assert res.code == 2 and res.err.count("\n") == 1 and where in res.err


@pytest.mark.parametrize("cell,words", [
    ('"0,5"', "'0,5' has a decimal comma; write 0.5"),
    ('"1,200"', "write 1200 if it is a thousands separator, or 1.200 if it is a decimal comma"),
    ('"1,200.5"', "thousands separator (',')"),
    ('"1.200,5"', "thousands separator ('.')"),
    ("1 200", "thousands separator (' ')"),
    ("1_200", "'_'"),
    ("\uff11\uff12", "digits other than 0-9"),
    ("\u0661\u0662", "digits other than 0-9"),
])
def test_numbers_written_for_another_locale_are_named(write_csv, cell, words):
    with pytest.raises(InputError) as err:
        read_effects(write_csv(f"r,n\n0.3,50\n0.2,{cell}\n"), r="r", n="n")
    assert "row 2 (line 3), column 'n'" in str(err.value) and words in str(err.value)


def test_a_moderator_with_decimal_commas_is_refused_not_categorical(write_csv):
    path = write_csv('r,n,dose\n0.3,50,"0,5"\n0.2,60,"1,0"\n0.1,70,2\n0.3,80,"1,5"\n')
    with pytest.raises(InputError, match=r"row 1 \(line 2\), column 'dose': '0,5' has a decimal comma"):
        read_effects(path, r="r", n="n", extra=("dose",))


def test_an_unquoted_decimal_comma_is_named_in_the_field_count(write_csv):
    with pytest.raises(InputError, match="has 3 fields where the header has 2; a decimal comma"):
        read_effects(write_csv("r,n\n0.3,50\n0,2,60\n"), r="r", n="n")


def test_a_missing_column_shows_the_header_as_the_file_has_it(write_csv):
    with pytest.raises(InputError) as err:
        read_effects(write_csv("study\tR\tn\nA\t0.3\t50\n"), r="r", n="n")
    assert "no column 'r'; did you mean 'R'? (the file has: 'study', 'R', 'n'; tab-separated)" in str(err.value)


def test_a_quote_never_closed_names_its_line(write_csv):
    with pytest.raises(InputError, match="line 3: a quoted cell opened there is never closed"):
        read_effects(write_csv('study,r,n\nA,0.3,50\n"B,0.2,60\nC,0.1,70\n'), r="r", n="n")


label_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00\r"), max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(label_text, st.floats(-0.99, 0.99), st.integers(4, 10_000)), min_size=1, max_size=8),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]), st.sampled_from(["\n", "\r\n"]))
def test_what_python_s_csv_writes_is_read_back_on_its_lines(write_csv, rows, quoting, end):
    """Cells, rows and physical lines of any file a csv writer makes (labels with commas,
    quotes and line breaks included)."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=quoting, lineterminator=end)
    w.writerow(["study", "r", "n"])
    for row in rows:
        w.writerow(row)
    t = read_effects(write_csv(buf.getvalue().encode("utf-8")), r="r", n="n", extra=("study",))
    filled = [i for i, row in enumerate(rows) if row[0].strip() and row[0].strip() != "NA"]
    assert t.k == len(filled) and t.r.tolist() == [rows[i][1] for i in filled]
    assert t.text["study"].tolist() == [rows[i][0].replace("\r\n", "\n").replace("\r", "\n").strip() for i in filled]
    line, lines = 2, []
    for label, _, _ in rows:
        lines.append(line)
        line += 1 + label.replace("\r\n", "\n").replace("\r", "\n").count("\n")
    assert t.lines.tolist() == [lines[i] for i in filled] and t.rows_read == len(rows)


def test_an_empty_column_option_is_named(write_csv):
    with pytest.raises(InputError, match="--r needs a column name"):
        read_effects(write_csv(GOOD), r=" ", n="n")
