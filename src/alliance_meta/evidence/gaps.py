"""Evidence-gap counts: how many studies inform each combination of two codes.

A gap map counts *studies* (distinct ``study`` keys), not correlations, because a single
study that reports twenty correlations does not fill a gap twenty times. All levels that
the codebook allows are listed, so an empty cell (no study at all) is visible.
"""

from __future__ import annotations

import json


def allowed_levels(column: str, root=None, table: str = "effect_sizes") -> list[str]:
    """The values ``data/datapackage.json`` allows for a column of ``table`` (default
    ``effect_sizes``; ``syntheses`` for the coded reviews).

    Returns
    -------
    list of str
        The enum of the column's schema, in the order the codebook gives.
    """
    from .dataset import project_root

    pkg = json.loads((project_root(root) / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == table)
    fld = next(f for f in res["schema"]["fields"] if f["name"] == column)
    return list(fld.get("constraints", {}).get("enum", []))


def gap_counts(frame, rows: str, cols: str, *, row_levels=None, col_levels=None, unit: str = "study"):
    """Count distinct ``unit`` values (default: studies) for each ``rows`` x ``cols`` cell.

    Returns
    -------
    pandas.DataFrame
        Integer counts with every level in ``row_levels`` and ``col_levels`` (default: the
        levels present), zeros included.
    """
    import pandas as pd

    row_levels = list(row_levels) if row_levels is not None else sorted(frame[rows].dropna().unique())
    col_levels = list(col_levels) if col_levels is not None else sorted(frame[cols].dropna().unique())
    counts = frame.groupby([rows, cols])[unit].nunique()
    table = counts.unstack(fill_value=0).reindex(index=row_levels, columns=col_levels, fill_value=0)
    table.index.name, table.columns.name = rows, cols
    return table.astype(int)


def largest_gaps(table, n: int = 5):
    """The ``n`` cells with the fewest studies (ties in table order).

    Returns
    -------
    list of tuple
        ``(row level, column level, studies)`` sorted by count, then by position.
    """
    cells = [(r, c, int(table.loc[r, c])) for r in table.index for c in table.columns]
    return sorted(cells, key=lambda cell: cell[2])[:n]
