"""Reading a researcher's CSV of effect sizes, with one-line errors that say where.

The file is read by :mod:`alliance_meta.engine.csvtext` (R's read.csv conventions where
they are unambiguous; no pandas). Row numbers in messages count data rows from 1 and name
the physical line each starts on. A column whose every value is a number (or a missing
value: empty, NA, N/A, NaN, #N/A) is numeric, as R's type.convert makes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine.errors import InputError



@dataclass
class EffectTable:
    """Effect sizes ready for a model, with the rows that were left out counted.

    Attributes
    ----------
    yi, vi : ndarray
        Effect sizes and sampling variances (Fisher z and 1/(n - 3) when read from r and n).
    rows : ndarray of int
        The data-row number (from 1) of each effect size kept, in file order.
    omitted : int
        Rows left out because a value the model needs was empty.
    is_r : bool
        Whether the input was r and n (results are then back-transformed to r).
    extra : dict of str to ndarray
        Further columns the model uses (moderators, cluster, order), aligned with ``yi``:
        float arrays for numeric columns, object arrays of str otherwise.
    text : dict of str to ndarray
        The same columns as the stripped text of their cells.
    lines : ndarray of int
        The physical line of the file each kept row starts on.
    rows_read : int
        The data rows of the file (blank lines are not rows).
    left_out : list of dict
        Each row left out: ``row``, ``line`` and ``empty`` (the columns with no value).
    """

    path: str
    yi: np.ndarray
    vi: np.ndarray
    rows: np.ndarray
    omitted: int
    is_r: bool
    r: np.ndarray | None = None
    n: np.ndarray | None = None
    extra: dict = field(default_factory=dict)
    text: dict = field(default_factory=dict)
    lines: np.ndarray | None = None
    rows_read: int = 0
    left_out: list = field(default_factory=list)

    @property
    def k(self) -> int:
        return int(self.yi.size)


def _read_text(path: str) -> str:
    """The file's text (see :func:`alliance_meta.engine.csvtext.read_text`)."""
    from ..engine.csvtext import read_text

    return read_text(path)


def read_table(path: str):
    """The whole CSV as a :class:`~alliance_meta.engine.csvtext.CsvTable` (rows, lines)."""
    from ..engine.csvtext import load

    return load(path)


def read_columns(path: str, needed: list[str], table=None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Read the ``needed`` columns of a CSV as stripped strings.

    Returns
    -------
    (dict, ndarray)
        Column name -> object array of str, and the data-row number (from 1) of each row.
        Blank lines (and lines of separators alone) are not rows.
    """
    table = table if table is not None else read_table(path)
    idx = {c: table.index(c) for c in dict.fromkeys(needed)}
    if table.n_rows == 0:
        raise InputError("has a header but no data rows", file=str(path))
    cols = {c: np.array(cells, dtype=object) for c, cells in table.columns(list(idx)).items()}
    return cols, np.arange(1, table.n_rows + 1)


def to_numbers(values: np.ndarray, rows: np.ndarray, column: str, label: str, lines=None) -> np.ndarray:
    """Convert stripped strings to floats; empty cells and NA, N/A, NaN, #N/A become NaN.

    Raises
    ------
    InputError
        At the first cell that is not a finite number (naming a decimal comma, a thousands
        separator, '_' or digits other than 0-9 as such).
    """
    from ..engine.csvtext import to_numbers as convert

    rows = np.asarray(rows)
    cells = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return convert(cells, rows, rows + 1 if lines is None else lines, column, label)


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def read_effects(path: str, *, r: str | None = None, n: str | None = None, yi: str | None = None,
                 vi: str | None = None, extra: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> EffectTable:
    """Read effect sizes from ``path``: either ``r`` and ``n`` columns or ``yi`` and ``vi``.

    Correlations are converted to Fisher z with variance 1/(n - 3). Rows with a missing
    effect size, variance or ``extra`` value (empty, or NA, N/A, NaN, #N/A in a numeric
    column; empty or NA in a text column, as R reads them) are left out and counted, as
    metafor does. ``optional`` columns are read too but a missing value there keeps the row
    (for a sort key such as the order of a cumulative analysis): numeric columns hold NaN,
    others "". A column whose every value is a number is numeric (cluster ids 1, 01 and 1.0
    are one cluster, as in R).

    Returns
    -------
    EffectTable

    Raises
    ------
    InputError
        Missing file or column, a cell that is not a number, r outside [-1, 1] (or exactly
        +/-1), n < 4 or not whole, a variance <= 0, a numeric column written with decimal
        commas; the message names file, row, physical line and column.
    """
    from ..engine.csvtext import comma_numbers, looks_numeric, number_problem

    label = str(path)
    if (r is None) != (n is None) or (yi is None) != (vi is None) or (r is None) == (yi is None):
        raise InputError("give either --r and --n, or --yi and --vi")
    for option, col in (("--r", r), ("--n", n), ("--yi", yi), ("--vi", vi)):
        if col is not None and not " ".join(str(col).split()):
            raise InputError(f"{option} needs a column name")
    is_r = r is not None
    a_col, b_col = (r, n) if is_r else (yi, vi)
    table = read_table(path)
    cols = table.columns([a_col, b_col, *extra, *optional])       # lists of stripped cells
    if table.n_rows == 0:
        raise InputError("has a header but no data rows", file=label)
    rows = np.arange(1, table.n_rows + 1)
    lines = np.asarray(table.lines, dtype=np.int64)

    def where(i):
        return {"file": label, "row": int(rows[i]), "line": int(lines[i])}

    a = to_numbers(cols[a_col], rows, a_col, label, lines)
    b = to_numbers(cols[b_col], rows, b_col, label, lines)
    if is_r:
        bad = np.abs(a) > 1
        if bad.any():
            i = _first(bad)
            raise InputError(f"r = {cols[a_col][i]} is outside [-1, 1]", column=a_col, **where(i))
        bad = np.abs(a) == 1
        if bad.any():
            i = _first(bad)
            raise InputError(f"r = {cols[a_col][i]} has an infinite Fisher z; a correlation of exactly +/-1 cannot be "
                             "pooled", column=a_col, **where(i))
        bad = b < 4
        if bad.any():
            i = _first(bad)
            raise InputError(f"n = {cols[b_col][i]} is below 4 (the variance 1/(n - 3) needs n >= 4)", column=b_col,
                             **where(i))
        bad = np.isfinite(b) & (b != np.floor(b))
        if bad.any():
            i = _first(bad)
            raise InputError(f"n = {cols[b_col][i]} is not a whole number", column=b_col, **where(i))
    else:
        bad = b <= 0
        if bad.any():
            i = _first(bad)
            raise InputError(f"variance {cols[b_col][i]} is not positive", column=b_col, **where(i))
    typed, present = {}, {}
    for col in dict.fromkeys([*extra, *optional]):
        cells = cols[col]
        if looks_numeric(cells):
            typed[col] = to_numbers(cells, rows, col, label, lines)
            present[col] = np.isfinite(typed[col])
            continue
        i = comma_numbers(cells)
        if i is not None:
            raise InputError(number_problem(cells[i]), column=col, **where(i))
        _refuse_non_finite(cells, col, where)
        miss = np.array([c == "" or c == "NA" for c in cells], dtype=bool)
        typed[col] = np.where(miss, "", np.array(cells, dtype=object)).astype(object)
        present[col] = ~miss
    keep = np.isfinite(a) & np.isfinite(b)
    for col in dict.fromkeys(extra):
        keep &= present[col]
    left_out = []
    for i in np.flatnonzero(~keep):
        empty = [c for c, ok in ((a_col, np.isfinite(a[i])), (b_col, np.isfinite(b[i])),
                                 *((c, present[c][i]) for c in dict.fromkeys(extra))) if not ok]
        left_out.append({"row": int(rows[i]), "line": int(lines[i]), "empty": list(dict.fromkeys(empty))})
    omitted = int(rows.size - keep.sum())
    a, b, kept_rows, kept_lines = a[keep], b[keep], rows[keep], lines[keep]
    out_extra = {col: typed[col][keep] for col in typed}
    out_text = {col: np.array(cols[col], dtype=object)[keep] for col in dict.fromkeys(extra)}
    common = dict(extra=out_extra, text=out_text, lines=kept_lines, rows_read=int(rows.size), left_out=left_out)
    if is_r:
        return EffectTable(label, np.arctanh(a), 1.0 / (b - 3.0), kept_rows, omitted, True, r=a, n=b, **common)
    return EffectTable(label, a, b, kept_rows, omitted, False, **common)


#: Cell texts that stand for a non-finite number in other tools' exports: in a column whose
#: other cells are numbers they are an error, not a category (a missing value is NA or empty).
_NON_FINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "null", "none", "#num!", "#div/0!",
               "#value!", "."}


def _refuse_non_finite(cells: list, column: str, where) -> None:
    """A column whose cells are numbers but for some spelled inf, null, #DIV/0! (and the
    like) is numeric with a bad cell: refused at the first, instead of silently turning the
    whole column into categories (or its sort order into text order).

    Raises
    ------
    InputError
    """
    from ..engine.csvtext import MISSING, is_number

    spelled = [i for i, c in enumerate(cells) if c.lower() in _NON_FINITE]
    if not spelled:
        return
    rest = [c for c in cells if c.lower() not in _NON_FINITE and c.lower() not in MISSING]
    if not rest or not all(is_number(c) for c in rest):
        return  # a text column (a category may well be called "none")
    i = spelled[0]
    raise InputError(f"'{cells[i]}' is not a finite number; leave the cell empty or write NA for a missing value",
                     column=column, **where(i))


def describe_omitted(n: int) -> str:
    """'1 row' / '3 rows' for messages."""
    return f"{n} row" if n == 1 else f"{n} rows"


__all__ = ["EffectTable", "read_effects", "read_columns", "to_numbers", "describe_omitted"]
