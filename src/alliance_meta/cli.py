"""``alliance-meta``: the command line over the engine.

Thin by design: parse options, read the CSV, call one function, print its result. Heavy
libraries (NumPy, SciPy, pandas) are imported inside the subcommands so that ``--help``
and argument errors answer at once. Bad input ends with one line on stderr naming file,
row and column, and exit status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys

METHODS = ("REML", "DL", "PM", "ML", "HE", "SJ", "HS", "EB", "FE")
EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2 (argparse prints usage too)."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _effect_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="CSV file, one effect size per row (UTF-8, header row)")
    p.add_argument("--r", metavar="COL", help="column of correlations (analysed as Fisher z)")
    p.add_argument("--n", metavar="COL", help="column of sample sizes (with --r)")
    p.add_argument("--yi", metavar="COL", help="column of effect sizes on any scale")
    p.add_argument("--vi", metavar="COL", help="column of their sampling variances (with --yi)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="alliance-meta",
                     description="Meta-analysis of correlations (and generic effect sizes) that agrees with "
                                 "R's metafor. See the README for examples.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("pool", help="random-effects pooling or meta-regression",
                       description="Pool effect sizes with a random-effects model (or meta-regression with --mods).")
    _effect_args(p)
    p.add_argument("--method", default="REML", choices=METHODS, metavar="METHOD",
                   help="tau^2 estimator: REML (default), DL, PM, ML, HE, SJ, HS, EB, or FE for a fixed-effect model")
    p.add_argument("--test", default=None, choices=("z", "knha", "t"), metavar="TEST",
                   help="z (default), knha (Knapp-Hartung), or t (three-level model)")
    p.add_argument("--mods", metavar="COL[,COL...]", help="moderator columns for a meta-regression")
    p.add_argument("--cluster", metavar="COL", help="cluster column for the three-level model")
    p.add_argument("--robust", action="store_true", help="CR2 cluster-robust inference (with --cluster)")
    p.set_defaults(func=cmd_pool)

    p = sub.add_parser("validate", help="check the project's dataset against its schema and references.bib")
    p.add_argument("data_dir", nargs="?", default="data", help="the data folder (default: ./data)")
    p.add_argument("--bib", default=None, help="BibTeX file (default: references.bib beside DATA_DIR)")
    p.set_defaults(func=cmd_validate)

    _register_extensions(sub)
    return parser


def _register_extensions(sub) -> None:
    """Subcommands that live with their statistics (bias, sensitivity, plots), if present."""
    try:
        from . import cli_extra  # noqa: WPS433 - optional module, keeps this file small
    except ImportError:
        return
    cli_extra.register(sub, _effect_args)


def _read(args, extra=(), optional=()):
    from .inputs import read_effects
    return read_effects(args.file, r=args.r, n=args.n, yi=args.yi, vi=args.vi, extra=tuple(extra),
                        optional=tuple(optional))


def _emit(result, as_json: bool, header: str = "") -> None:
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), allow_nan=False) + "\n")
    else:
        sys.stdout.write((header + "\n" if header else "") + result.summary() + "\n")


def _omitted_note(table) -> None:
    if table.omitted:
        from .inputs import describe_omitted
        sys.stderr.write(f"note: {table.path}: {describe_omitted(table.omitted)} with an empty value left out\n")


def cmd_pool(args) -> int:
    from .errors import InputError

    mods = [m.strip() for m in args.mods.split(",")] if args.mods else []
    if any(not m for m in mods):
        raise InputError("--mods has an empty column name")
    if args.robust and not args.cluster:
        raise InputError("--robust needs --cluster COL")
    test = args.test or ("z" if not args.cluster else "z")
    if args.cluster:
        from . import multilevel  # three-level model and robust variance
        extra = [*mods, args.cluster]
        table = _read(args, extra)
        result = multilevel.fit_from_table(table, cluster=args.cluster, mods=mods, test=test, robust=args.robust,
                                           method=args.method)
    else:
        if test == "t":
            raise InputError("--test t applies to the three-level model (--cluster); use z or knha")
        from .models import metareg, pool
        table = _read(args, mods)
        if mods:
            result = metareg(table.yi, table.vi, {m: table.extra[m] for m in mods}, method=args.method, test=test,
                             k_omitted=table.omitted)
        else:
            result = pool(table.yi, table.vi, method=args.method, test=test, back_transform=table.is_r,
                          k_omitted=table.omitted)
    _omitted_note(table) if args.json else None
    _emit(result, args.json, header=f"File: {table.path}")
    return 0


def cmd_validate(args) -> int:
    from .dataset import validate_package
    problems = validate_package(args.data_dir, bib=args.bib)
    for line in problems:
        sys.stderr.write(line + "\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found\n")
        return EXIT_INPUT
    sys.stdout.write(f"{args.data_dir}: valid\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from importlib.metadata import version
        print(f"alliance-meta {version('alliance-meta')}")
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_INPUT
    from .errors import InputError
    try:
        return args.func(args)
    except InputError as exc:
        if exc.file is None and getattr(args, "file", None):
            # a model-level problem (too few rows, collinear moderators) still names the file
            exc = InputError(exc.problem, file=args.file, row=exc.row, column=exc.column)
        sys.stderr.write(f"alliance-meta: error: {exc}\n")
        return EXIT_INPUT
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an engine failure still gets one line, not a traceback
        sys.stderr.write(f"alliance-meta: internal error: {type(exc).__name__}: {exc}\n")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
