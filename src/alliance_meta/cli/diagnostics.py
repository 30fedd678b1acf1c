"""``alliance-meta bias``, ``leave1out`` and ``cumulative``: small-study effects and the
sensitivity of a pooled estimate to single rows and to their order.

Each reads the CSV, calls one engine function and prints its result (``--json``: the
contract's keys). NumPy and SciPy are imported inside the commands, so ``--help`` stays
instant.
"""

from __future__ import annotations

import sys

from .common import effect_args, emit, method_arg, read

#: Above this many rows, a run of leave1out or cumulative whose subsets are refitted one at a
#: time (Paule-Mandel on effects on a wide scale: one root search per subset, work growing
#: with k squared) is announced before it starts. Every other case fits all subsets from
#: shared sums in linear time.
QUADRATIC_NOTE_K = 5_000


def _quadratic_note(command: str, yi, method: str) -> None:
    from ..engine.sensitivity import refits_one_by_one

    k = len(yi)
    if k > QUADRATIC_NOTE_K and refits_one_by_one(yi, method):
        sys.stderr.write(f"note: {command} with {method} on effects this spread out refits the model {k:,} times "
                         f"on up to {k:,} rows each; its time grows with the square of k (about "
                         f"{(k / QUADRATIC_NOTE_K) ** 2:,.0f} times that of {QUADRATIC_NOTE_K:,} rows)\n")


def register(sub) -> None:
    p = sub.add_parser("bias", help="small-study effects: Egger, PET-PEESE, rank test, trim-and-fill, fail-safe N",
                       description="Tests for small-study effects and publication bias.")
    effect_args(p)
    method_arg(p, fe="")
    p.set_defaults(func=cmd_bias)

    p = sub.add_parser("leave1out", help="leave-one-out fits and influence diagnostics",
                       description="Refit without each row in turn; studentised residuals, Cook's distances, hat values.")
    effect_args(p)
    method_arg(p, fe="")
    p.set_defaults(func=cmd_leave1out)

    p = sub.add_parser("cumulative", help="cumulative meta-analysis in the order of a column",
                       description="Add rows one at a time in ascending order of --order (ties keep file order).")
    effect_args(p)
    method_arg(p, fe="")
    p.add_argument("--order", metavar="COL", required=True, help="column to order by (e.g. year)")
    p.set_defaults(func=cmd_cumulative)


def cmd_bias(args) -> int:
    from ..engine.bias import bias_tests

    table = read(args)
    result = bias_tests(table.yi, table.vi, method=args.method, is_r=table.is_r, k_omitted=table.omitted)
    return emit(result, args.json, table)


def cmd_leave1out(args) -> int:
    from ..engine.sensitivity import leave1out

    table = read(args)
    _quadratic_note("leave1out", table.yi, args.method)
    result = leave1out(table.yi, table.vi, method=args.method, rows=table.rows, is_r=table.is_r,
                       k_omitted=table.omitted)
    return emit(result, args.json, table)


def cmd_cumulative(args) -> int:
    from ..engine.sensitivity import cumulative

    table = read(args, optional=[args.order])
    _quadratic_note("cumulative", table.yi, args.method)
    result = cumulative(table.yi, table.vi, table.extra[args.order], method=args.method, order_by=args.order,
                        rows=table.rows, is_r=table.is_r, k_omitted=table.omitted)
    return emit(result, args.json, table)
