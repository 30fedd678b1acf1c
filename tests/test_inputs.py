"""Reading researchers' CSVs: encodings, line ends, empty cells, and one-line errors."""

from __future__ import annotations

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
    ("r,n\n\"0,3\",50\n", "row 1 (line 2), column 'r'", "decimal separator"),
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


@pytest.mark.parametrize("spelling", ["NA", "nan", "NaN", "inf", "-Inf", "N/A", "null", "#N/A"])
def test_a_missing_value_spelled_out_in_a_numeric_moderator_is_an_error(tmp_path, spelling):
    """It never turns the column into categories (dose[NA]) or its order into text order."""
    path = tmp_path / "m.csv"
    path.write_text(f"r,n,dose\n0.3,40,1\n0.1,100,{spelling}\n0.2,60,10\n0.25,80,2\n", encoding="utf-8")
    for kwargs in ({"extra": ("dose",)}, {"optional": ("dose",)}):
        with pytest.raises(InputError) as err:
            read_effects(str(path), r="r", n="n", **kwargs)
        assert f"row 2 (line 3), column 'dose': '{spelling}' is not a finite number" in str(err.value)


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


def test_cluster_labels_are_compared_as_written(write_csv, run_cli):
    """'01' and '1' are two clusters, as a spreadsheet shows them, not one number."""
    import json

    path = write_csv("yi,vi,c\n0.1,0.01,01\n0.2,0.01,1\n0.3,0.01,2\n0.4,0.01,2\n")
    res = run_cli("pool", path, "--yi", "yi", "--vi", "vi", "--cluster", "c", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out)["n_clusters"] == 3


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
