"""``alliance-meta plot forest|funnel|cumulative|leave1out|baujat``: fit with the engine, draw with
:mod:`alliance_meta.figures`, write one SVG or PNG (atomically: nothing half-written)."""

from __future__ import annotations

import json
import sys

from .common import check_output, effect_args, method_arg, read

PLOTS = ("forest", "funnel", "cumulative", "leave1out", "baujat")
FORMATS = (".svg", ".png")
#: A forest-type plot draws one line per row; beyond this many nobody can read it, and the
#: figure's memory grows with every row (about 3.7 GB at 2,000,000 rows).
MAX_ROWS = 5_000


def register(sub) -> None:
    p = sub.add_parser("plot", help="draw a forest, funnel, cumulative, leave-one-out or Baujat plot",
                       description="Write one figure (SVG or PNG, from the suffix of -o).")
    p.add_argument("kind", choices=PLOTS, metavar="KIND", help="forest, funnel, cumulative, leave1out or baujat")
    effect_args(p)
    method_arg(p, fe="")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="output file, .svg or .png")
    p.add_argument("--labels", metavar="COL", help="column of row labels (default: row numbers)")
    p.add_argument("--order", metavar="COL", help="order column (cumulative plot)")
    p.add_argument("--groups", metavar="COL", help="subgroup column (forest plot: a diamond per subgroup)")
    p.add_argument("--max-rows", metavar="N", type=_positive_int, default=MAX_ROWS,
                   help=f"most rows a forest, cumulative, leave-one-out or Baujat plot draws (default {MAX_ROWS:,})")
    p.set_defaults(func=cmd_plot)


def _positive_int(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return n


def cmd_plot(args) -> int:
    from ..engine.errors import InputError

    check_output(args.output, FORMATS, "the output must end in .svg or .png", source=args.file)
    if args.kind == "cumulative" and not args.order:
        raise InputError("plot cumulative needs --order COL")
    extra = [args.groups] if args.kind == "forest" and args.groups else []
    optional = [args.order] if args.kind == "cumulative" else []
    table = read(args, extra, optional)
    if args.kind != "funnel" and table.k > args.max_rows:
        raise InputError(f"plot {args.kind}: {table.k:,} rows are more than a readable plot holds (one line per "
                         f"row; the limit is {args.max_rows:,}); pass --max-rows {table.k} to draw it anyway",
                         file=table.path)
    labels = _labels(args, table)
    fig = _draw(args, table, labels)
    from ..figures.base import save

    try:
        save(fig, args.output)
    except OSError as exc:  # the folder refuses files, the disk is full, a file-size limit ...
        raise InputError(f"-o {args.output}: cannot be written ({exc.strerror or type(exc).__name__})") from None
    from .common import omitted_note, rows_of

    omitted_note(table)
    if not args.json:
        from ..engine.wording import printable

        sys.stdout.write(printable(f"wrote {args.output}") + "\n")
    else:
        sys.stdout.write(json.dumps({"output": args.output, "kind": args.kind, "k": table.k,
                                     "rows": rows_of(table)}) + "\n")
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


def subgroup_fits(yi, vi, groups, *, method: str = "REML", level: float = 95.0) -> dict:
    """One pooled fit per subgroup with at least two rows (level as ``str`` -> PoolResult),
    the diamonds a forest plot draws under each subgroup."""
    import numpy as np

    from ..engine.models import pool

    g = np.asarray([str(x) for x in groups])
    fits = {}
    for lev in dict.fromkeys(g.tolist()):
        members = g == lev
        if members.sum() >= 2:
            fits[lev] = pool(yi[members], vi[members], method=method, level=level)
    return fits


def _draw(args, table, labels):
    if args.kind == "forest":
        from ..engine.errors import InputError
        from ..engine.models import pool
        from ..figures.forests import forest

        if table.k < 2:
            raise InputError(f"a forest plot needs at least 2 effect sizes with a value; found {table.k}", file=table.path)
        res = pool(table.yi, table.vi, method=args.method)
        groups = list(table.extra[args.groups]) if args.groups else None
        subs = subgroup_fits(table.yi, table.vi, groups, method=args.method) if groups is not None else None
        return forest(table.yi, table.vi, labels, result=res, is_r=table.is_r, groups=groups, subgroup_results=subs)
    if args.kind == "funnel":
        from ..engine.bias import bias_tests
        from ..engine.errors import InputError
        from ..figures.funnels import funnel

        if table.k < 3:   # too few for trim-and-fill (and the bias tests): the funnel alone
            from ..engine.models import pool

            if table.k < 1:
                raise InputError("a funnel plot needs at least 1 effect size with a value; found 0", file=table.path)
            est = pool(table.yi, table.vi, method=args.method).estimate
            return funnel(table.yi, table.vi, estimate=est, trimfill=None, is_r=table.is_r)
        b = bias_tests(table.yi, table.vi, method=args.method, is_r=table.is_r)
        return funnel(table.yi, table.vi, estimate=b.estimate, trimfill=b.trimfill, is_r=table.is_r)
    if args.kind == "cumulative":
        from ..engine.sensitivity import cumulative
        from ..figures.forests import cumulative_forest

        cum = cumulative(table.yi, table.vi, table.extra[args.order], method=args.method, order_by=args.order,
                         is_r=table.is_r)
        return cumulative_forest(cum, labels)
    from ..engine.sensitivity import leave1out

    l1o = leave1out(table.yi, table.vi, method=args.method, is_r=table.is_r)
    if args.kind == "baujat":
        from ..figures.baujats import baujat

        return baujat(l1o, labels)
    from ..figures.forests import leave1out_plot

    return leave1out_plot(l1o, labels)
