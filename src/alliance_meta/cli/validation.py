"""``alliance-meta validate``: the project's data package checked against its schema and
``references.bib`` (:func:`alliance_meta.evidence.validate_package`), one line a problem."""

from __future__ import annotations

import sys

from .common import EXIT_INPUT


def register(sub) -> None:
    p = sub.add_parser("validate", help="check the project's dataset against its schema and references.bib")
    p.add_argument("data_dir", nargs="?", default="data", help="the data folder (default: ./data)")
    p.add_argument("--bib", default=None, help="BibTeX file (default: references.bib beside DATA_DIR)")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args) -> int:
    from ..engine.wording import printable
    from ..evidence.dataset import validate_package

    problems = validate_package(args.data_dir, bib=args.bib)
    for line in problems:
        sys.stderr.write(printable(line) + "\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found\n")
        return EXIT_INPUT
    sys.stdout.write(f"{args.data_dir}: valid\n")
    return 0
