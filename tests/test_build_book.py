"""The book build: a cache keyed on content, a book replaced only by a successful build, and
one line per failing chapter (``book/_ext/build_book.py``)."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

import build_book  # noqa: E402


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "data" / "effect_sizes.csv").write_text("es_id,r\na2000-01,0.19\n")
    (root / "references.bib").write_text("@article{a2000, year = {2000}}\n")
    (root / "_config.yml").write_text("title: x\n")
    return root


def test_digest_follows_content_not_timestamps(project):
    before = build_book.inputs_digest(project)
    data = project / "data" / "effect_sizes.csv"
    stat = data.stat()
    data.write_text("es_id,r\na2000-01,0.39\n")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `cp -p` or an unzip leave it
    assert build_book.inputs_digest(project) != before
    data.write_text("es_id,r\na2000-01,0.19\n")
    os.utime(data, ns=(stat.st_atime_ns + 10**9, stat.st_mtime_ns + 10**9))  # newer, same bytes
    assert build_book.inputs_digest(project) == before


def stand_in(tmp_path, body: str) -> list[str]:
    """A fake jupyter-book: ``build ROOT --path-output STAGE ...`` runs ``body`` with STAGE known."""
    script = tmp_path / "fake_jb.py"
    script.write_text(textwrap.dedent("""
        import sys
        from pathlib import Path
        stage = Path(sys.argv[sys.argv.index("--path-output") + 1])
        html = stage / "_build" / "html"
        html.mkdir(parents=True, exist_ok=True)
    """) + textwrap.dedent(body))
    return [sys.executable, str(script)]


def test_a_good_build_replaces_the_book_and_a_failing_one_keeps_it(project, tmp_path, capsys):
    good = stand_in(tmp_path, """
        (html / "index.html").write_text("new book")
        sys.exit(0)
    """)
    assert build_book.build(project, command=good) == 0
    assert (project / "_build" / "html" / "index.html").read_text() == "new book"
    bad = stand_in(tmp_path, """
        (html / "index.html").write_text("half a book")
        rep = html / "reports" / "book"
        rep.mkdir(parents=True, exist_ok=True)
        (rep / "barriers.err.log").write_text("Traceback ...\\nKeyError: 'welmersvandepoll2018-04'\\n")
        print("book/barriers.md: WARNING: Executing notebook failed: CellExecutionError")
        sys.exit(1)
    """)
    assert build_book.build(project, command=bad) == 1
    assert (project / "_build" / "html" / "index.html").read_text() == "new book"
    err = capsys.readouterr().err
    assert "book build failed (the previous book is kept in _build/html):" in err
    assert ("  book/barriers.md: KeyError: 'welmersvandepoll2018-04' (data rows named: welmersvandepoll2018-04)"
            in err.splitlines())


def test_the_cache_is_emptied_when_the_inputs_change(project, tmp_path):
    marker = stand_in(tmp_path, """
        cache = stage / "_build" / ".jupyter_cache"
        runs = int((cache / "runs").read_text()) if (cache / "runs").is_file() else 0
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "runs").write_text(str(runs + 1))
        (html / "index.html").write_text(str(runs + 1))
    """)
    build_book.build(project, command=marker)
    build_book.build(project, command=marker)
    assert (project / "_build" / "html" / "index.html").read_text() == "2"  # cache kept
    (project / "references.bib").write_text("@article{a2000, year = {2001}}\n")
    build_book.build(project, command=marker)
    assert (project / "_build" / "html" / "index.html").read_text() == "1"  # cache emptied
    build_book.build(project, command=marker, fresh=True)
    assert (project / "_build" / "html" / "index.html").read_text() == "1"


def test_failures_keep_sphinx_warnings_and_drop_kernel_chatter(tmp_path):
    log = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption.\n"
           "\x1b[91m/x/book/index.md:15: WARNING: No key 'a' found in glue data\x1b[39;49;00m\n"
           "/x/book/bibliography.md:3: WARNING: missing author in g2002\n")
    assert build_book.failures(tmp_path, log) == ["/x/book/index.md:15: WARNING: No key 'a' found in glue data",
                                                  "/x/book/bibliography.md:3: WARNING: missing author in g2002"]
