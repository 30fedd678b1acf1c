"""The worked example of ``book/extending.md``, read from the guide itself.

The guide's ``code-block`` directives named ``extending-example-*`` hold the rows a researcher
adds (one per table) and the BibTeX entries they cite; ``extending-broken-*`` hold the broken
variants and the validator's messages. :func:`apply` performs the example on a copy of the
project, as the guide tells a reader to, so that the tests can validate the copy
(``test_extending.py``) and build the whole book on it (``test_perturbations.py``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "book" / "extending.md"
BLOCK = re.compile(r"```\{code-block\}[^\n]*\n((?::\w+:[^\n]*\n)*)\n?(.*?)\n```", re.S)

#: block of the guide -> the table it extends
TABLES = {"extending-example-effect-sizes": "effect_sizes.csv", "extending-example-syntheses": "syntheses.csv",
          "extending-example-search-log": "search_log.csv",
          "extending-example-synthesis-search-log": "synthesis_search_log.csv"}


def blocks() -> dict[str, str]:
    """Named code blocks of the guide: name -> body."""
    out = {}
    for options, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        name = re.search(r":name: (\S+)", options)
        if name:
            out[name.group(1)] = body
    return out


def example_row(name: str) -> tuple[list[str], dict]:
    """The header and the one row of the guide's block ``name``."""
    header, row = list(csv.reader(io.StringIO(blocks()[name])))
    assert len(header) == len(row), name
    return header, dict(zip(header, row))


def apply(root: Path) -> None:
    """Perform the guide's example on the project copy at ``root``: append its BibTeX entries
    to ``references.bib`` and its rows to their tables (LF line endings, as the tables keep).

    Raises AssertionError when a header in the guide is not its table's: the guide would then
    tell readers to write a row the table cannot hold.
    """
    bib = (root / "references.bib").read_text(encoding="utf-8")
    (root / "references.bib").write_text(bib.rstrip("\n") + "\n\n" + blocks()["extending-example-bib"] + "\n",
                                         encoding="utf-8")
    for name, table in TABLES.items():
        path = root / "data" / table
        header, row = example_row(name)
        with path.open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == header, f"the guide's header for {table} is not the table's"
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([row[h] for h in header])
        path.write_text(text + buf.getvalue(), encoding="utf-8")
