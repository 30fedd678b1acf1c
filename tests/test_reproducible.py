"""Two builds from an empty ``_build`` give the same numbers and the same tables.

The book built by ``make test`` is compared with a second, independent build of the same
sources into a temporary folder: every glued value (``span.pasted-text``), every glued
figure's caption and every table in each page's article must be identical, in order. The
execution-status page is left out: its table records when and how fast each chapter ran.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

_GLUE = re.compile(r'<span class="pasted-text">(.*?)</span>', re.S)
_TABLE = re.compile(r"<table.*?</table>", re.S)
_ARTICLE = re.compile(r'<article class="bd-article">(.*?)</article>', re.S)


def fingerprint(html: str) -> tuple[list[str], list[str]]:
    """Glued values and tables of a page's article, in document order."""
    m = _ARTICLE.search(html)
    body = m.group(1) if m else html
    return _GLUE.findall(body), [re.sub(r'id="[^"]*"', "", t) for t in _TABLE.findall(body)]


def test_fingerprint_reads_glue_and_tables():
    page = ('<article class="bd-article"><p>r = <span class="pasted-text">0.25</span></p>'
            '<table id="x"><tr><td>1</td></tr></table></article>')
    assert fingerprint(page) == (["0.25"], ['<table ><tr><td>1</td></tr></table>'])


@pytest.fixture(scope="module")
def second_build(tmp_path_factory):
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no built book at {HTML}: run `make book` (make test builds it first)")
    out = tmp_path_factory.mktemp("rebuild")
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    yield out / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)


def test_two_builds_agree(second_build):
    pages = sorted(p.relative_to(HTML) for p in (HTML / "book").glob("*.html") if p.name != "status.html")
    assert pages, "no chapter pages in the build"
    glued = 0
    for rel in pages:
        first = fingerprint((HTML / rel).read_text(encoding="utf-8"))
        again = fingerprint((second_build / rel).read_text(encoding="utf-8"))
        assert first == again, f"{rel}: glued values or tables differ between two builds"
        glued += len(first[0])
    assert glued > 50, "too few glued values: is the book executing its chapters?"
