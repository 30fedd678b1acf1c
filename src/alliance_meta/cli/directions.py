"""``alliance-meta directions``: synthesis without meta-analysis, a vote count by the
direction of effect (:mod:`alliance_meta.engine.directions`), overall and within the levels
of a column.

The direction column holds ``favours``, ``against``, ``no_clear_direction`` or
``not_reported``; an empty cell or ``NA`` is a missing direction, left out and counted (a
note on stderr says how many). Any other value is the one-line error naming file, row and
column (exit 2). With ``--sample`` the rows of one sample are first reduced to one
direction by the effect-direction-plot rule
(:func:`~alliance_meta.engine.directions.prioritise_directions`), ``--primary`` naming the
column that flags a primary outcome: within each level of ``--by`` for the groups, and
across all its rows for the overall count (so that a sample votes once overall, and once
in each level where it has a row).
"""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("directions", help="vote count by direction of effect (synthesis without meta-analysis)",
                       description="Count studies by the direction of effect: the proportion favouring among "
                                   "those with a direction (favours / (favours + against)) with its Wilson 95% "
                                   "interval and the two-sided sign test, and a sensitivity analysis counting "
                                   "not_reported as against. Directions: favours, against, no_clear_direction, "
                                   "not_reported; an empty cell or NA is missing.")
    p.add_argument("file", help="CSV file, one study (or result) per row (UTF-8, header row)")
    p.add_argument("--direction", metavar="COL", required=True, help="column of direction labels")
    p.add_argument("--by", metavar="COL", help="also count within each level of this column")
    p.add_argument("--sample", metavar="COL",
                   help="reduce the rows of each sample to one direction by the 70%% rule of the effect "
                        "direction plot before counting (overall: across all its rows; in a --by group: "
                        "across its rows in that group)")
    p.add_argument("--primary", metavar="COL", help="with --sample: column flagging a primary outcome (yes/no)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    p.set_defaults(func=cmd_directions)


def cmd_directions(args) -> int:
    import json

    from ..engine.errors import InputError
    from ..engine.wording import printable

    if args.primary and not args.sample:
        raise InputError("--primary needs --sample COL")
    overall, groups, omitted, no_group = directions_table(args.file, args.direction, by=args.by, sample=args.sample,
                                                          primary=args.primary)
    notes = []
    if omitted:
        what = "sample" if args.sample else "row"
        notes.append(f"{omitted} {what}{'s' if omitted != 1 else ''} with an empty or NA direction left out")
    if no_group:
        notes.append(f"{no_group} row{'s' if no_group != 1 else ''} with an empty or NA '{args.by}' left out "
                     "of the groups")
    if args.json:
        for note in notes:
            sys.stderr.write(printable(f"note: {args.file}: {note}") + "\n")
        out = {"overall": overall.to_dict()}
        if args.by:
            out["groups"] = {lev: res.to_dict() for lev, res in groups.items()}
        sys.stdout.write(json.dumps(out, allow_nan=False) + "\n")
        return 0
    parts = [f"File: {args.file}"]
    if args.sample:
        parts.append(f"One direction per sample ('{args.sample}') by the effect-direction-plot rule "
                     "(primary outcomes first; at least 70% in one direction, else no clear direction)")
    parts.append(overall.summary())
    for res in groups.values():
        parts.append(res.summary(caveat=False))
    parts.extend(f"Note: {note}" for note in notes)
    sys.stdout.write(printable("\n".join(parts) + "\n", keep="\n"))
    return 0


def directions_table(path: str, direction: str, *, by: str | None = None, sample: str | None = None,
                     primary: str | None = None):
    """Read ``path`` and count its directions, overall and by ``by``.

    Returns
    -------
    (DirectionsResult, dict of str to DirectionsResult, int, int)
        The overall count, the count within each level of ``by`` (empty without it), the
        rows (with ``sample``: samples) left out for a missing direction, and the rows
        left out of the groups for a missing ``by`` value.

    Raises
    ------
    InputError
        A missing file or column, a label that is not a direction, a malformed CSV.
    """
    from ..engine.directions import count_by, count_directions, normalise_directions, prioritise_directions
    from ..engine.errors import InputError
    from .inputs import read_columns

    # every column is read so that a row whose direction is empty is told from a blank line:
    # the first is a study left out and counted, the second is no row at all
    header = _header_names(path)
    needed = [c for c in dict.fromkeys([direction, *(c for c in (by, sample, primary) if c), *header])]
    cols, rows = read_columns(path, needed)
    labels = normalise_directions(cols[direction], rows=rows, file=str(path), column=direction)
    group = None if by is None else [None if v in ("", "NA") else v for v in cols[by]]
    no_group = 0 if group is None else sum(g is None for g in group)
    if sample:
        samples = [None if v in ("", "NA") else v for v in cols[sample]]
        if None in samples:
            i = samples.index(None)
            raise InputError("the sample is empty (with --sample every row needs one)", file=str(path),
                             row=int(rows[i]), column=sample)
        flags = None if primary is None else list(cols[primary])
        whole = prioritise_directions(samples, [""] * len(labels), labels, flags)
        overall = count_directions(whole.directions, label=f"one direction per {sample}")
        overall = _with_omitted(overall, whole.k_omitted)
        groups = {}
        if group is not None:
            keep = [i for i, g in enumerate(group) if g is not None]
            per = prioritise_directions([samples[i] for i in keep], [group[i] for i in keep],
                                        [labels[i] for i in keep], None if flags is None else [flags[i] for i in keep])
            levels: dict[str, list] = {}
            dropped: dict[str, int] = {}
            for lev, d in zip(per.domains, per.directions):
                levels.setdefault(lev, []).append(d)
            # a sample whose rows in a level all lack a direction is left out of that level
            for (s, lev), idx in _units([samples[i] for i in keep], [group[i] for i in keep]).items():
                if all(labels[keep[j]] is None for j in idx):
                    dropped[lev] = dropped.get(lev, 0) + 1
            for lev in sorted(set(levels) | set(dropped)):
                res = count_directions(levels.get(lev, []), label=f"{by} = {lev}, one direction per {sample}")
                groups[lev] = _with_omitted(res, dropped.get(lev, 0))
        return overall, groups, whole.k_omitted, no_group
    overall = count_directions(labels)
    groups = {} if group is None else count_by(labels, group, group_column=by)
    return overall, groups, overall.k_omitted, no_group


def _units(samples, levels) -> dict:
    out: dict = {}
    for i, key in enumerate(zip(samples, levels)):
        out.setdefault(key, []).append(i)
    return out


def _with_omitted(result, k_omitted: int):
    from dataclasses import replace

    return replace(result, k_omitted=k_omitted)


def _header_names(path: str) -> list[str]:
    """The column names of the header line, read cheaply (a malformed file is refused by the
    full reader afterwards, with its own message)."""
    import csv
    import io

    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 20)
    except OSError:
        return []  # the full reader says what is wrong with the file
    text = first.decode("utf-8-sig", errors="replace")
    names = next(csv.reader(io.StringIO(text)), [])
    return [n.strip() for n in names if n.strip()]
