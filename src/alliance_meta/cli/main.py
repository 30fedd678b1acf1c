"""The ``alliance-meta`` parser and its one way of ending: a result, or one line and exit 2.

Each group of subcommands lives in its own module and adds itself with ``register(sub)``;
this module imports them, never the other way round.
"""

from __future__ import annotations

import argparse
import sys

from . import diagnostics, directions, plotting, pooling, report, validation
from .common import EXIT_INPUT

GROUPS = (pooling, validation, diagnostics, directions, plotting, report)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2 (argparse prints usage too)."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}{self._suggest(message)} (see '{self.prog} --help')\n")

    def _options(self) -> list[str]:
        """Every option string of this parser and of its subcommands."""
        names = list(self._option_string_actions)
        for action in self._actions:
            for sub in (getattr(action, "choices", None) or {}).values() if isinstance(
                    getattr(action, "choices", None), dict) else ():
                names += list(sub._option_string_actions)
        return sorted(set(names))

    def _suggest(self, message: str) -> str:
        """'; did you mean --method?' for a mistyped option (or a choice in the wrong case)."""
        import difflib
        import re

        m = re.search(r"unrecognized arguments: (\S+)", message)
        if m and m.group(1).startswith("-"):
            word = m.group(1).split("=")[0]
            close = difflib.get_close_matches(word, [o for o in self._options() if o.startswith("--")], n=1,
                                              cutoff=0.6)
            return f"; did you mean {close[0]}?" if close else ""
        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:
            choices = re.findall(r"'([^']*)'", m.group(2)) or [c.strip() for c in m.group(2).split(",")]
            folded = [c for c in choices if c.casefold() == m.group(1).casefold()]
            close = folded or difflib.get_close_matches(m.group(1), choices, n=1, cutoff=0.6)
            return f"; did you mean '{close[0]}'?" if close else ""
        return ""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="alliance-meta",
                     description="Meta-analysis of correlations (and generic effect sizes) that agrees with "
                                 "R's metafor. See the README for examples.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for group in GROUPS:
        group.register(sub)
    return parser


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
    from ..engine.errors import InputError
    from ..engine.wording import printable
    from .progress import Ticker

    restore = _exit_on_sigterm()
    ticker = Ticker(f"alliance-meta {getattr(args, 'command', None) or 'command'}")
    try:
        with ticker:
            return args.func(args)
    except InputError as exc:
        if exc.file is None and getattr(args, "file", None):
            # a model-level problem (too few rows, collinear moderators) still names the file
            exc = InputError(exc.problem, file=args.file, row=exc.row, column=exc.column, line=exc.line)
        sys.stderr.write(printable(f"alliance-meta: error: {exc}") + "\n")
        return EXIT_INPUT
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an engine failure still gets one line, not a traceback
        sys.stderr.write(printable(f"alliance-meta: internal error: {type(exc).__name__}: {exc}") + "\n")
        return 1
    finally:
        restore()


def _exit_on_sigterm():
    """Turn SIGTERM into SystemExit(143) for the length of a command, so that a write in
    progress removes its temporary file on ``kill`` as it does on Ctrl-C; returns the
    function that puts the previous handler back."""
    import signal

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
