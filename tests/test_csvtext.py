"""The CSV reader shared by the command line and the validator (engine/csvtext.py)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from alliance_meta.engine.csvtext import (comma_numbers, did_you_mean, looks_numeric, name_key, parse, to_numbers)
from alliance_meta.engine.errors import InputError

cell = st.text(st.characters(codec="utf-8", exclude_characters="\x00\r"), max_size=10)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=10),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]), st.sampled_from([",", ";", "\t"]))
def test_cells_are_those_python_s_csv_reads(rows, quoting, sep):
    """Whatever a csv writer writes (separators, quotes, line breaks in cells) is read back
    cell for cell, on the physical line each row starts on; blank rows are not rows."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, quoting=quoting, lineterminator="\n")
    w.writerow(["a", "b", "c"])
    w.writerows(rows)
    table = parse(buf.getvalue(), "t.csv")
    assert table.sep == sep and table.header == ["a", "b", "c"]
    expected, lines, line = [], [], 2
    for row in rows:
        if any(c.strip() for c in row):
            expected.append([c.strip() for c in row])
            lines.append(line)
        line += 1 + sum(c.count("\n") for c in row)
    assert list(table.rows()) == expected
    assert table.lines == lines


def test_quotes_after_spaces_and_header_names():
    table = parse('study, "r" ,"effect\nsize",\n', "t.csv")
    assert table.header == ["study", "r", "effect size", ""]
    assert name_key(" effect \u2028 size ") == "effect size"
    with pytest.raises(InputError, match="names column 'r' twice"):
        parse("r, r ,n\n1,2,3\n", "t.csv")


def test_numbers_and_missing_values():
    cells = ["0.5", "", "NA", "n/a", "NaN", "#N/A", "-1e-3", "+.5"]
    out = to_numbers(cells, np.arange(1, 9), np.arange(2, 10), "x", "t.csv")
    assert out[0] == 0.5 and out[6] == -0.001 and out[7] == 0.5 and np.isnan(out[1:6]).all()
    assert looks_numeric(["1", "01", "1.0", "NA", ""]) and not looks_numeric(["1", "a"]) and not looks_numeric(["", "NA"])
    assert comma_numbers(["1", "0,5", "NA"]) == 1 and comma_numbers(["1", "a,b"]) is None
    for bad, words in (("1_0", "'_'"), ("٣", "digits other than 0-9"), ("1e999", "not a finite number")):
        with pytest.raises(InputError, match=words):
            to_numbers(["1", bad], [1, 2], [2, 5], "x", "t.csv")
    with pytest.raises(InputError, match=r"row 2 \(line 5\), column 'x'"):
        to_numbers(["1", "x"], [1, 2], [2, 5], "x", "t.csv")


def test_did_you_mean():
    assert did_you_mean("R", ["study", "r", "n"]) == "; did you mean 'r'?"
    assert did_you_mean("sutdy", ["study", "r", "n"]) == "; did you mean 'study'?"
    assert did_you_mean("zzz", ["study"]) == ""
