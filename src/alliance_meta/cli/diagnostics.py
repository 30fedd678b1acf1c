"""``alliance-meta bias``, ``leave1out`` and ``cumulative``: small-study effects and the
sensitivity of a pooled estimate to single rows and to their order.

Each reads the CSV, calls one engine function and prints its result (``--json``: the
contract's keys). NumPy and SciPy are imported inside the commands, so ``--help`` stays
instant.
"""

from __future__ import annotations

from .common import effect_args, emit, method_arg, read


def register(sub) -> None:
    p = sub.add_parser("bias", help="small-study effects: Egger, PET-PEESE, rank test, trim-and-fill, fail-safe N",
                       description="Tests for small-study effects and publication bias.")
    effect_args(p)
    method_arg(p, fe="")
    p.set_defaults(func=cmd_bias)

    p = sub.add_parser("leave1out", help="leave-one-out fits and influence diagnostics",
                       description="Refit without each row in turn; studentised residuals, Cook's distances, hat values "
                                   "and the rest of metafor's influence() (DFFITS, DFBETAS, covariance ratios, "
                                   "weights, the influential flag).")
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
    result = leave1out(table.yi, table.vi, method=args.method, rows=table.rows, is_r=table.is_r,
                       k_omitted=table.omitted)
    return emit(result, args.json, table)


def cmd_cumulative(args) -> int:
    from ..engine.sensitivity import cumulative

    table = read(args, optional=[args.order])
    result = cumulative(table.yi, table.vi, table.extra[args.order], method=args.method, order_by=args.order,
                        rows=table.rows, is_r=table.is_r, k_omitted=table.omitted)
    return emit(result, args.json, table)
