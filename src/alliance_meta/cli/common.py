"""What every subcommand shares: the option values, the effect-size options, reading the
CSV, and printing a result (a summary, or one JSON object with the contract's keys).

Imports nothing heavy at module level, so that ``alliance-meta --help`` answers at once.
"""

from __future__ import annotations

import json
import sys

#: The tau^2 estimators (and FE); kept here as plain strings so that parsing the options
#: does not import NumPy (the engine's own list is :data:`alliance_meta.engine.METHODS`).
METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "HS", "EB", "FE")
EXIT_INPUT = 2


def effect_args(p) -> None:
    """FILE, --r/--n, --yi/--vi and --json: how every analysis names its data."""
    p.add_argument("file", help="CSV file, one effect size per row (UTF-8, header row)")
    p.add_argument("--r", metavar="COL", help="column of correlations (analysed as Fisher z)")
    p.add_argument("--n", metavar="COL", help="column of sample sizes (with --r)")
    p.add_argument("--yi", metavar="COL", help="column of effect sizes on any scale")
    p.add_argument("--vi", metavar="COL", help="column of their sampling variances (with --yi)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")


def method_arg(p, fe: str = " for a fixed-effect model") -> None:
    p.add_argument("--method", default="REML", choices=METHODS, metavar="METHOD",
                   help=f"tau^2 estimator: REML (default), DL, PM, ML, HE, SJ, HS, EB, or FE{fe}")


def mod_args(p, what: str = "moderator columns for a meta-regression") -> None:
    """--mods COL[,COL...] and the repeatable --mod COL (for a column name with a comma)."""
    p.add_argument("--mods", metavar="COL[,COL...]", help=what + ' (a name with a comma in quotes: \'a,"b, c"\')')
    p.add_argument("--mod", metavar="COL", action="append", default=[],
                   help="one moderator column, repeatable (for a name with a comma)")


def moderators(args) -> list[str]:
    """The moderator columns of --mods and every --mod, in order, each once.

    Raises
    ------
    InputError
        An empty name in --mods (``a,,b``) or an empty --mod.
    """
    from ..engine.errors import InputError

    mods = []
    if getattr(args, "mods", None):
        import csv

        # read as one CSV line, so that a quoted name may hold a comma: --mods 'year,"dose, mg"'
        mods = [m.strip() for m in next(csv.reader([args.mods], skipinitialspace=True), [""])]
    if any(not m for m in mods):
        raise InputError("--mods has an empty column name")
    extra = [m.strip() for m in getattr(args, "mod", None) or []]
    if any(not m for m in extra):
        raise InputError("--mod has an empty column name")
    return list(dict.fromkeys(mods + extra))


def read(args, extra=(), optional=()):
    """The effect sizes the options name, as an :class:`~alliance_meta.cli.inputs.EffectTable`."""
    from .inputs import read_effects

    table = read_effects(args.file, r=args.r, n=args.n, yi=args.yi, vi=args.vi, extra=tuple(extra),
                         optional=tuple(optional))
    _check_range(table, args)
    return table


def _check_range(table, args) -> None:
    """The engine's bounds on effect sizes and variances (beyond them double precision
    overflows), checked here so that the message names the row, its line and the column.

    Raises
    ------
    InputError
    """
    import re

    from ..engine.errors import InputError
    from ..engine.models import _as_arrays

    try:
        _as_arrays(table.yi, table.vi)
    except InputError as exc:
        m = re.search(r"effect size (\d+) in use", exc.problem)
        if not m or table.k == 0:
            raise
        i = int(m.group(1)) - 1
        y, v = float(table.yi[i]), float(table.vi[i])
        if "beyond" in exc.problem:
            big_y = abs(y) > v
            what = f"effect size {y:g}" if big_y else f"sampling variance {v:g}"
            problem = exc.problem[exc.problem.index("is beyond"):]
            problem = f"{what} {problem}"
        else:
            big_y = False
            problem = exc.problem.replace(f" ({m.group(0)})", "")
        column = (args.r or args.yi) if big_y else (args.n or args.vi)
        raise InputError(problem, file=table.path, row=int(table.rows[i]), line=int(table.lines[i]),
                         column=column) from None


def check_output(path: str, suffixes: tuple[str, ...], must: str, source: str | None = None) -> None:
    """Refuse an output path before any work is done: a wrong suffix (``must`` says what it
    must end in), a missing folder, a directory, or the input file ``source`` itself."""
    import os

    from ..engine.errors import InputError

    if source and os.path.exists(path) and os.path.exists(source) and os.path.samefile(path, source):
        raise InputError(f"-o {path}: is the input file; writing there would replace the data")
    if os.path.splitext(path)[1].lower() not in suffixes:
        raise InputError(f"-o {path}: {must}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"-o {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise InputError(f"-o {path}: is a directory")


def rows_of(table) -> dict:
    """The rows of the file: how many were read and used, and each left out with its
    physical line and the columns with no value (a labelled row with empty r and n
    included); the ``rows`` of ``plot --json``."""
    return {"read": int(table.rows_read), "used": int(table.k), "left_out": list(table.left_out)}


def rows_text(table, limit: int = 10) -> str:
    """'Rows: 6 read, 5 used, 1 left out (row 6, line 7: r, n empty)'."""
    head = f"Rows: {table.rows_read} read, {table.k} used, {table.omitted} left out"
    if not table.left_out:
        return head
    shown = "; ".join(f"row {d['row']}, line {d['line']}: {', '.join(d['empty'])} empty"
                      for d in table.left_out[:limit])
    more = f"; and {len(table.left_out) - limit} more" if len(table.left_out) > limit else ""
    return f"{head} ({shown}{more})"


def omitted_note(table) -> None:
    """One line on stderr when rows were left out: how many, which (the first three), and
    the rows read and used."""
    if table.omitted:
        from ..engine.wording import left_out, printable

        which = "; ".join(f"row {d['row']}, line {d['line']}: {', '.join(d['empty'])} empty"
                          for d in table.left_out[:3])
        more = f"; and {len(table.left_out) - 3} more" if len(table.left_out) > 3 else ""
        sys.stderr.write(printable(f"note: {table.path}: {left_out(table.omitted)} ({which}{more}); "
                                   f"{table.rows_read} read, {table.k} used") + "\n")


def emit(result, as_json: bool, table) -> int:
    """Print ``result``: one JSON object (``to_dict()``: exactly the contract's keys; the
    rows left out are listed in one note on stderr), or the readable summary headed by the
    file name and its rows read, used and left out."""
    if as_json:
        omitted_note(table)
        sys.stdout.write(json.dumps(result.to_dict(), allow_nan=False) + "\n")
    else:
        from ..engine.wording import printable

        sys.stdout.write(printable(f"File: {table.path}\n{rows_text(table)}\n" + result.summary() + "\n", keep="\n"))
    return 0
