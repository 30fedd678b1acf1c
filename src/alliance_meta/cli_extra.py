"""Subcommands ``bias``, ``leave1out``, ``cumulative`` and ``plot`` of ``alliance-meta``.

Registered by :func:`alliance_meta.cli.build_parser` through :func:`register`. Like the
rest of the command line they are thin: read the CSV, call one engine function, print
its result (``--json``: the contract's keys) or write one figure. Everything heavy
(NumPy, SciPy, matplotlib) is imported inside the command functions, so ``--help`` stays
instant. Bad input raises :class:`~alliance_meta.errors.InputError` (one line, exit 2).
"""

from __future__ import annotations

import json
import os
import sys

from .cli import METHODS, _read  # the same option values and CSV reading as `pool`

PLOTS = ("forest", "funnel", "cumulative", "leave1out")
FORMATS = (".svg", ".png")


def _method_arg(p) -> None:
    p.add_argument("--method", default="REML", choices=METHODS, metavar="METHOD",
                   help="tau^2 estimator: REML (default), DL, PM, ML, HE, SJ, HS, EB, or FE")


def register(sub, effect_args) -> None:
    """Add the subcommands to ``sub`` (argparse sub-parsers); ``effect_args(p)`` adds the
    shared FILE, --r/--n, --yi/--vi and --json options."""
    p = sub.add_parser("bias", help="small-study effects: Egger, PET-PEESE, rank test, trim-and-fill, fail-safe N",
                       description="Tests for small-study effects and publication bias.")
    effect_args(p)
    _method_arg(p)
    p.set_defaults(func=cmd_bias)

    p = sub.add_parser("leave1out", help="leave-one-out fits and influence diagnostics",
                       description="Refit without each row in turn; studentised residuals, Cook's distances, hat values.")
    effect_args(p)
    _method_arg(p)
    p.set_defaults(func=cmd_leave1out)

    p = sub.add_parser("cumulative", help="cumulative meta-analysis in the order of a column",
                       description="Add rows one at a time in ascending order of --order (ties keep file order).")
    effect_args(p)
    _method_arg(p)
    p.add_argument("--order", metavar="COL", required=True, help="column to order by (e.g. year)")
    p.set_defaults(func=cmd_cumulative)

    p = sub.add_parser("plot", help="draw a forest, funnel, cumulative or leave-one-out plot",
                       description="Write one figure (SVG or PNG, from the suffix of -o).")
    p.add_argument("kind", choices=PLOTS, metavar="KIND", help="forest, funnel, cumulative or leave1out")
    effect_args(p)
    _method_arg(p)
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="output file, .svg or .png")
    p.add_argument("--labels", metavar="COL", help="column of row labels (default: row numbers)")
    p.add_argument("--order", metavar="COL", help="order column (cumulative plot)")
    p.add_argument("--groups", metavar="COL", help="subgroup column (forest plot: a diamond per subgroup)")
    p.set_defaults(func=cmd_plot)


def _emit(result, as_json: bool, table) -> int:
    from .cli import _emit as emit, _omitted_note

    if as_json:
        _omitted_note(table)
    emit(result, as_json, header=f"File: {table.path}")
    return 0


def cmd_bias(args) -> int:
    from .bias import bias_tests

    table = _read(args)
    result = bias_tests(table.yi, table.vi, method=args.method, is_r=table.is_r, k_omitted=table.omitted)
    return _emit(result, args.json, table)


def cmd_leave1out(args) -> int:
    from .sensitivity import leave1out

    table = _read(args)
    result = leave1out(table.yi, table.vi, method=args.method, rows=table.rows, is_r=table.is_r,
                       k_omitted=table.omitted)
    return _emit(result, args.json, table)


def cmd_cumulative(args) -> int:
    from .sensitivity import cumulative

    table = _read(args, optional=[args.order])
    result = cumulative(table.yi, table.vi, table.extra[args.order], method=args.method, order_by=args.order,
                        rows=table.rows, is_r=table.is_r, k_omitted=table.omitted)
    return _emit(result, args.json, table)


def _check_output(path: str) -> None:
    from .errors import InputError

    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise InputError(f"-o {path}: the output must end in .svg or .png")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"-o {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise InputError(f"-o {path}: is a directory")


def cmd_plot(args) -> int:
    from .errors import InputError

    _check_output(args.output)
    if args.kind == "cumulative" and not args.order:
        raise InputError("plot cumulative needs --order COL")
    extra = [args.groups] if args.kind == "forest" and args.groups else []
    optional = [args.order] if args.kind == "cumulative" else []
    table = _read(args, extra, optional)
    labels = _labels(args, table)
    fig = _draw(args, table, labels)
    from .plots import save

    save(fig, args.output)
    if not args.json:
        sys.stdout.write(f"wrote {args.output}\n")
    else:
        sys.stdout.write(json.dumps({"output": args.output, "kind": args.kind, "k": table.k}) + "\n")
    return 0


def _labels(args, table) -> list[str]:
    """Row labels from --labels (an empty label falls back to the row number, so that a
    missing label never drops an effect size), else the data-row numbers."""
    if not args.labels:
        return [str(r) for r in table.rows]
    from .inputs import read_columns

    cols, rows = read_columns(args.file, [args.labels])
    by_row = dict(zip(rows.tolist(), cols[args.labels].tolist()))
    return [by_row.get(int(r)) or str(r) for r in table.rows]


def _draw(args, table, labels):
    from . import plots

    if args.kind == "forest":
        from .models import pool

        if table.k < 2:
            from .errors import InputError

            raise InputError(f"a forest plot needs at least 2 effect sizes with a value; found {table.k}", file=table.path)
        res = pool(table.yi, table.vi, method=args.method)
        groups = list(table.extra[args.groups]) if args.groups else None
        return plots.forest(table.yi, table.vi, labels, result=res, method=args.method, is_r=table.is_r, groups=groups)
    if args.kind == "funnel":
        from .bias import bias_tests

        b = bias_tests(table.yi, table.vi, method=args.method, is_r=table.is_r)
        return plots.funnel(table.yi, table.vi, estimate=b.estimate, trimfill=b.trimfill, is_r=table.is_r)
    if args.kind == "cumulative":
        from .sensitivity import cumulative

        cum = cumulative(table.yi, table.vi, table.extra[args.order], method=args.method, order_by=args.order,
                         is_r=table.is_r)
        return plots.cumulative_forest(cum, labels)
    from .sensitivity import leave1out

    l1o = leave1out(table.yi, table.vi, method=args.method, is_r=table.is_r)
    return plots.leave1out_plot(l1o, labels)


__all__ = ["register"]
