"""references.bib: parsing, labels, links, and clean errors for broken files."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from alliance_meta.evidence.bibliography import labels, plain, read_bib
from alliance_meta.engine.errors import InputError

BIB = r"""
@article{kazdin2006,
  author = {Kazdin, Alan E. and Whitley, Moira K. and Marciano, Paul L.},
  title = {Child-therapist and parent-therapist alliance},
  year = {2006}, doi = {10.1111/j.1469-7610.2005.01544.x}
}
@article{fluckiger2018,
  author = {Fl{\"u}ckiger, Christoph and Del Re, A. C.},
  title = {The alliance in adult psychotherapy}, year = {2018}, url = {https://example.org/x}
}
@book{solo2000, author = {Marieke de Greef}, title = {One}, year = {2000}}
@book{solo2000b, author = {Marieke de Greef}, title = {Two}, year = {2000}}
"""


@pytest.fixture
def refs(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(BIB, encoding="utf-8")
    return read_bib(path)


def test_labels_follow_apa(refs):
    assert refs["kazdin2006"].label == "Kazdin et al., 2006"
    assert refs["fluckiger2018"].label == "Flückiger & Del Re, 2018"
    assert refs["solo2000"].label == "de Greef, 2000"


def test_duplicate_labels_get_letters(refs):
    assert labels(refs, ["solo2000", "solo2000b", "kazdin2006"]) == [
        "de Greef, 2000a", "de Greef, 2000b", "Kazdin et al., 2006"]


def test_links(refs):
    assert refs["kazdin2006"].link == "https://doi.org/10.1111/j.1469-7610.2005.01544.x"
    assert refs["fluckiger2018"].link == "https://example.org/x"
    assert refs["solo2000"].link is None


def test_plain_strips_braces():
    assert plain("The {WAI} and {\\'e}") == "The WAI and e"


@pytest.mark.parametrize("text,words", [
    ("@article{a2000, title={x}}\n@article{a2000, title={y}}\n", "used twice"),
    ("@article{a2000, title={unbalanced}\n", "cannot be parsed"),
])
def test_broken_files_give_one_line(tmp_path, text, words):
    path = tmp_path / "bad.bib"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words) as err:
        read_bib(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_missing_and_non_utf8(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_bib(tmp_path / "nope.bib")
    bad = tmp_path / "latin1.bib"
    bad.write_bytes("@book{a2000, title={M\xfcller}}".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_bib(bad)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("@{}=,\"\\ abc12\n%")), max_size=120))
def test_any_text_parses_or_fails_cleanly(tmp_path, text):
    path = tmp_path / "fuzz.bib"
    path.write_text(text, encoding="utf-8")
    try:
        refs = read_bib(path)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        for ref in refs.values():
            assert isinstance(ref.label, str)


def test_every_shipped_entry_names_its_authors_in_words():
    """Author-year citations show an author for every work: a report without a byline
    names its publisher, and a work whose authors could not be read says so in words."""
    from pathlib import Path

    from alliance_meta.evidence.bibliography import read_bib

    refs = read_bib(Path(__file__).resolve().parents[1] / "references.bib")
    assert [k for k, r in refs.items() if not (r.fields.get("author") or "").strip("{} ")] == []
    assert refs["smithcollege2012"].fields["author"].strip("{}") == "Author not shown in the readable record"


def test_addresses_keep_their_ampersands(tmp_path):
    from alliance_meta.evidence.bibliography import read_bib

    bib = tmp_path / "r.bib"
    bib.write_text("@misc{a2001,\n  author = {A, B},\n  title = {T \\& U},\n  year = {2001},\n"
                   "  url = {http://x.org/?q=a&pg=3&id=E1}\n}\n", encoding="utf-8")
    ref = read_bib(bib)["a2001"]
    assert ref.fields["url"] == "http://x.org/?q=a&pg=3&id=E1"
    assert ref.fields["title"] == "T & U"


def test_and_others_in_bibtex_makes_et_al():
    from alliance_meta.evidence.bibliography import Reference

    assert Reference("k2005", "article", {"author": "Kazdin, Alan E. and others", "year": "2005"}).label == \
        "Kazdin et al., 2005"
    assert Reference("l2004", "article", {"author": "Lee, C. and Ayon, C. and others", "year": "2004"}).label == \
        "Lee et al., 2004"
