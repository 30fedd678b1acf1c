"""Odd and hostile inputs: every outcome is a clean result or one clean line, never a
traceback; text from the data that reaches HTML is escaped."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_meta.evidence.dataset import validate_package

NASTY = ["", " ", "1e308", "-1e308", "1e-320", "nan", "NaN", "inf", "-0", "0,25", "0.25.1", '"', '""', ",", ";",
         "\t", "é", "\u00a0", "\x00", "<script>alert(1)</script>", "{", "}", "9" * 400, "-1", "1.0000001", "4", "3"]
PROFILE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = ["es_id", "study", "sample", "r", "n", "es_method", "reported", "alliance_rater", "country", "read_at"]


def _one_line_each(problems):
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, str) and "\n" not in p and "Traceback" not in p


@PROFILE
@given(column=st.sampled_from(FIELDS), value=st.one_of(st.sampled_from(NASTY), st.text(max_size=30)))
def test_validator_survives_any_cell(package, column, value):
    path = package / "effect_sizes.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0][column] = value
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    _one_line_each(validate_package(package))


@PROFILE
@given(blob=st.binary(max_size=300))
def test_validator_survives_any_bytes(package, blob):
    (package / "syntheses.csv").write_bytes(blob)
    _one_line_each(validate_package(package))


@PROFILE
@given(blob=st.text(alphabet=st.sampled_from(list("@{}=,\"\\ abc12\n%#")), max_size=200))
def test_validator_survives_any_bibliography(package, blob):
    (package.parent / "references.bib").write_text(blob, encoding="utf-8")
    problems = validate_package(package)
    _one_line_each(problems)
    assert problems, "an arbitrary bibliography cannot satisfy every study key"


@PROFILE
@given(cells=st.lists(st.tuples(st.sampled_from(NASTY + ["0.3", "0.1", "-0.2"]), st.sampled_from(NASTY + ["50", "120"])),
                      min_size=0, max_size=6),
       sep=st.sampled_from([",", ";", "\t"]), bom=st.booleans(), crlf=st.booleans())
def test_cli_pool_clean_result_or_clean_error(write_csv, run_cli, cells, sep, bom, crlf):
    nl = "\r\n" if crlf else "\n"
    text = nl.join([f"r{sep}n", *(f"{r}{sep}{n}" for r, n in cells)]) + nl
    path = write_csv(("\ufeff" if bom else "") + text)
    res = run_cli("pool", path, "--r", "r", "--n", "n", "--json")
    assert res.code in (0, 2), res
    if res.code == 2:
        assert res.out == ""
        lines = res.err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in res.err and lines[0].startswith("alliance-meta: ")
        assert str(path) in lines[0]


def test_a_real_process_prints_no_traceback(write_csv):
    path = write_csv("r,n\n0.3,50\n2,40\n")
    proc = subprocess.run([sys.executable, "-m", "alliance_meta.cli", "pool", str(path), "--r", "r", "--n", "n"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "row 2" in proc.stderr and "column 'r'" in proc.stderr


def test_tables_escape_text_from_the_data():
    from alliance_meta.evidence.bibliography import Reference
    from alliance_meta.evidence.characteristics import study_characteristics

    frame = pd.DataFrame({"study": ["x2001"], "country": ["US"], "population": ["child"], "design": ["rct"],
                          "treatment": ["<script>alert(1)</script>"], "alliance_dyad": ["parent-therapist"],
                          "alliance_rater": ["parent"], "n": [40]})
    refs = {"x2001": Reference("x2001", "article", {"author": "<b>Evil</b>, A.", "year": "2001"})}
    html = study_characteristics(frame, refs).to_html()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Evil" not in html


def test_bibliography_titles_render_as_text(tmp_path):
    """A title containing <script> reaches the HTML of a Sphinx build escaped."""
    (tmp_path / "refs.bib").write_text(
        "@article{evil2020, author={Evil, A.}, title={<script>alert(1)</script> and {\\&} co}, "
        "journal={J}, year={2020}, url={https://example.org}}\n", encoding="utf-8")
    (tmp_path / "conf.py").write_text(textwrap.dedent("""
        extensions = ["sphinxcontrib.bibtex"]
        bibtex_bibfiles = ["refs.bib"]
        bibtex_reference_style = "author_year"
    """), encoding="utf-8")
    (tmp_path / "index.rst").write_text("Test\n====\n\n:cite:p:`evil2020`\n\n.. bibliography::\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(tmp_path), str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_property_tests_are_derandomized_unless_exploring():
    """CI and ``make test`` replay the same examples (issue 28: a random example made a clean
    clone red once); ``make explore`` draws random ones, more of them."""
    import os
    from pathlib import Path

    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert settings.default.derandomize is True
        assert settings.default.deadline is None and settings.default.print_blob is True
    make = (Path(__file__).resolve().parents[1] / "Makefile").read_text(encoding="utf-8")
    assert "HYPOTHESIS_PROFILE=ci" in make and "HYPOTHESIS_PROFILE=explore" in make
    assert settings.get_profile("explore").derandomize is False
