"""The citation metadata the appendix prints."""

from __future__ import annotations

from pathlib import Path

from alliance_meta.evidence.citation_file import citation_text

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_file_as_written():
    text = citation_text(ROOT)
    assert text == (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert text.startswith("cff-version: 1.2.0\n")


def test_a_copy_without_the_file_says_so(tmp_path):
    assert citation_text(tmp_path) == "This copy of the project has no CITATION.cff; cite the repository it came from."
    (tmp_path / "CITATION.cff").write_text("cff-version: 1.2.0\ntitle: x\n", encoding="utf-8")
    assert citation_text(tmp_path) == "cff-version: 1.2.0\ntitle: x\n"
