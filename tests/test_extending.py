"""``book/extending.md``: its worked example, performed on a copy of the repository.

The example rows, the commands and the messages the guide prints are read from the guide
itself (its ``code-block`` directives named ``extending-example-*`` and
``extending-broken-*``, through ``guide_example.py``), so the guide cannot drift from the
validator: the example must validate cleanly, and each broken variant must give exactly the
message the guide shows. The whole book is built on data with the example applied in
``test_perturbations.py`` (the ``add`` copy).
The table of messages must name only phrases the validator prints.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from guide_example import GUIDE, ROOT, TABLES, apply, blocks


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """A copy of the repository's data/ and references.bib with the guide's example applied;
    the working directory is the copy's root, as in the guide."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    apply(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _validate(run_cli, command: str):
    args = command.split()
    assert args[0].endswith("alliance-meta"), command
    return run_cli(*args[1:])


def test_the_example_is_fictitious_and_not_in_the_shipped_data():
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"@\w+\{(\w+),", blocks()["extending-example-bib"])
    assert keys and all(k.startswith("fictitious") for k in keys)
    for key in keys:
        assert key not in bib
        for table in TABLES.values():
            assert key not in (ROOT / "data" / table).read_text(encoding="utf-8")


def test_the_worked_example_validates(copy, run_cli):
    lines = blocks()["extending-example-valid"].splitlines()
    command, expected = lines[0].removeprefix("$ "), lines[1:]
    result = _validate(run_cli, command)
    assert result.err == "" and result.code == 0
    assert result.out.splitlines() == expected


def _broken():
    return sorted(name for name in blocks() if name.startswith("extending-broken-"))


def test_the_guide_shows_broken_variants():
    assert len(_broken()) >= 3


@pytest.mark.parametrize("name", _broken())
def test_each_broken_variant_gives_the_message_the_guide_shows(copy, run_cli, name):
    change, command, *expected = blocks()[name].splitlines()
    where = re.fullmatch(r"# in the new row of (\S+): (.+)", change)
    table, edits = where.group(1), dict(e.split(" = ", 1) for e in where.group(2).split("; "))
    # apply the change to the example's row, the last of its table
    path = copy / "data" / table
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for column, value in edits.items():
        rows[-1][header.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")

    result = _validate(run_cli, command.removeprefix("$ "))
    assert result.code == 2 and result.out == ""
    got = result.err.splitlines()
    assert len(got) == len(expected), (got, expected)
    for line, want in zip(got, expected):
        # '…' in the guide stands for what depends on the data (row numbers, known values)
        pattern = ".*".join(re.escape(part) for part in want.split("…"))
        assert re.fullmatch(pattern, line), (line, want)


def test_every_message_the_guide_explains_is_one_the_validator_prints():
    text = GUIDE.read_text(encoding="utf-8")
    table = text.split("### What the validator's messages mean", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "alliance_meta").rglob("*.py"))
    phrases = [p for row in rows for p in re.findall(r"`([^`]+)`", row.split(" | ")[0])]
    assert len(phrases) >= 20
    for phrase in phrases:
        assert phrase in source, phrase
