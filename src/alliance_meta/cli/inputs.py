"""Reading a researcher's CSV of effect sizes, with one-line errors that say where.

The reader accepts UTF-8 with or without a byte-order mark, LF or CRLF line ends, and
quoted fields. It converts only the columns a model needs, so a 1,000,000-row file is
read in about a second. Row numbers in messages count data rows from 1; the header is
line 1 of the file, so data row ``i`` is line ``i + 1`` when no field spans lines.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..engine.errors import InputError

_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")


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
        The same columns as the stripped text of their cells, for identifiers whose spelling
        matters (a cluster labelled ``01`` is not the cluster ``1``).
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

    @property
    def k(self) -> int:
        return int(self.yi.size)


def _read_text(path: str) -> str:
    from ..engine.limits import max_bytes, too_large

    label = str(path)
    limit = max_bytes()
    if os.path.isdir(path):
        raise InputError("is a directory, not a CSV file", file=label)
    try:
        with open(path, "rb") as fh:
            # read in chunks so that an endless device (/dev/zero) or a binary file is refused at
            # its first NUL byte instead of filling memory
            chunks, size = [], 0
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise InputError(too_large(limit), file=label)
                if not chunks and chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise InputError("is UTF-16 text; save it as UTF-8 CSV", file=label)
                if b"\x00" in chunk:
                    raise InputError("contains NUL bytes; it is not a text CSV file", file=label)
                chunks.append(chunk)
            raw = b"".join(chunks)
    except FileNotFoundError:
        raise InputError("no such file", file=label) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", file=label) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is UTF-16 text; save it as UTF-8 CSV", file=label)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8 CSV",
                         file=label) from None
    if "\x00" in text:
        raise InputError("contains NUL bytes; it is not a text CSV file", file=label)
    if not text.strip():
        raise InputError("is empty", file=label)
    return text


def _header(text: str, label: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text.splitlines()[0])), [])
    names = [h.strip() for h in first]
    if not any(names):
        raise InputError("has no header row", file=label)
    seen = set()
    for h in names:
        if h in seen and h:
            raise InputError(f"the header names column '{h}' twice", file=label, column=h)
        seen.add(h)
    return names


def read_columns(path: str, needed: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Read the ``needed`` columns of a CSV as stripped strings.

    Returns
    -------
    (dict, ndarray)
        Column name -> object array of str, and the data-row number (from 1) of each row.
        Entirely blank lines are skipped without shifting row numbers.
    """
    import pandas as pd

    label = str(path)
    text = _read_text(path).lstrip("\r\n")
    header = _header(text, label)
    for col in needed:
        if col not in header:
            raise InputError(f"no column '{col}' (the file has: {', '.join(h for h in header if h)})",
                             file=label, column=col)
    try:
        with warnings.catch_warnings():
            # pandas only warns (and drops data) when an early row is longer than the header
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, index_col=False, skipinitialspace=True, engine="c")
    except pd.errors.ParserWarning:
        row, width = _first_misfit_row(text, len(header), short=False)
        raise InputError(f"has {width} fields where the header has {len(header)}", file=label, row=row) from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:  # pandas counts lines from 1 including the header
            line = int(m.group(2))
            raise InputError(f"has {m.group(3)} fields where the header has {m.group(1)}", file=label,
                             row=line - 1) from None
        raise InputError(f"is not a well-formed CSV ({msg.strip().splitlines()[-1]})", file=label) from None
    except (ValueError, UnicodeError) as exc:
        raise InputError(f"is not a well-formed CSV ({exc})", file=label) from None
    if frame.shape[0] == 0:
        raise InputError("has a header but no data rows", file=label)
    if len(header) > 1 and (frame.iloc[:, -1] == "").any():
        # pandas pads a short row with empty cells; a short row is as malformed as a long one
        # (only rows whose last cell is empty can be short, so most files skip this scan)
        row, width = _first_misfit_row(text, len(header), short=True)
        if row is not None:
            raise InputError(f"has {width} field{'s' if width != 1 else ''} where the header has {len(header)}",
                             file=label, row=row)
    # the names as the header check read them (padded ' r ' is column 'r'), not pandas' raw ones
    frame.columns = [str(c).strip() for c in frame.columns]
    cols = {c: frame[c].str.strip().to_numpy(dtype=object) for c in dict.fromkeys(needed)}
    rows = np.arange(1, frame.shape[0] + 1)
    if needed:
        blank = np.all(np.vstack([cols[c] == "" for c in cols]), axis=0)
        # a line with only separators is blank for every needed column; truly blank lines too
        if blank.any():
            keep = ~blank
            cols = {c: a[keep] for c, a in cols.items()}
            rows = rows[keep]
    if rows.size == 0:
        raise InputError("has no data rows with a value in the needed columns", file=label)
    return cols, rows


def _first_misfit_row(text: str, width: int, *, short: bool) -> tuple[int | None, int]:
    """The first data row with fewer (``short``) or more fields than the header; a blank
    line is never short."""
    for i, fields in enumerate(csv.reader(io.StringIO(text, newline="")), start=0):
        if not i or not fields:
            continue
        if short and len(fields) < width and not (len(fields) == 1 and not fields[0].strip()):
            return i, len(fields)
        if not short and len(fields) > width:
            return i, len(fields)
    return None, width if short else width + 1


def to_numbers(values: np.ndarray, rows: np.ndarray, column: str, label: str) -> np.ndarray:
    """Convert stripped strings to floats; empty cells become NaN.

    Raises
    ------
    InputError
        At the first cell that is not a finite number.
    """
    import pandas as pd

    empty = values == ""
    num = pd.to_numeric(pd.Series(values, dtype=object).where(~empty, None), errors="coerce").to_numpy(dtype=float)
    bad = ~empty & ~np.isfinite(num)
    if bad.any():
        i = int(np.argmax(bad))
        cell = str(values[i])
        hint = " (use a point as the decimal separator)" if _DECIMAL_COMMA.match(cell) else ""
        shown = cell if len(cell) <= 40 else cell[:37] + "..."
        raise InputError(f"'{shown}' is not a finite number{hint}", file=label, row=int(rows[i]), column=column)
    return num


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def read_effects(path: str, *, r: str | None = None, n: str | None = None, yi: str | None = None,
                 vi: str | None = None, extra: tuple[str, ...] = (), optional: tuple[str, ...] = ()) -> EffectTable:
    """Read effect sizes from ``path``: either ``r`` and ``n`` columns or ``yi`` and ``vi``.

    Correlations are converted to Fisher z with variance 1/(n - 3). Rows with an empty
    effect size, variance or ``extra`` value are left out and counted (as metafor does).
    ``optional`` columns are read too but an empty cell there keeps the row (for a sort key
    such as the order of a cumulative analysis): numeric columns hold NaN, others "".

    Returns
    -------
    EffectTable

    Raises
    ------
    InputError
        Missing file or column, a non-numeric cell, r outside [-1, 1] (or exactly +/-1),
        n < 4 or not whole, a variance <= 0; the message names file, row and column.
    """
    label = str(path)
    if (r is None) != (n is None) or (yi is None) != (vi is None) or (r is None) == (yi is None):
        raise InputError("give either --r and --n, or --yi and --vi")
    is_r = r is not None
    a_col, b_col = (r, n) if is_r else (yi, vi)
    cols, rows = read_columns(path, [a_col, b_col, *extra, *optional])
    a = to_numbers(cols[a_col], rows, a_col, label)
    b = to_numbers(cols[b_col], rows, b_col, label)
    if is_r:
        bad = np.abs(a) > 1
        if bad.any():
            i = _first(bad)
            raise InputError(f"r = {cols[a_col][i]} is outside [-1, 1]", file=label, row=int(rows[i]), column=a_col)
        bad = np.abs(a) == 1
        if bad.any():
            i = _first(bad)
            raise InputError(f"r = {cols[a_col][i]} has an infinite Fisher z; a correlation of exactly +/-1 cannot be pooled",
                             file=label, row=int(rows[i]), column=a_col)
        bad = b < 4
        if bad.any():
            i = _first(bad)
            raise InputError(f"n = {cols[b_col][i]} is below 4 (the variance 1/(n - 3) needs n >= 4)",
                             file=label, row=int(rows[i]), column=b_col)
        bad = np.isfinite(b) & (b != np.floor(b))
        if bad.any():
            i = _first(bad)
            raise InputError(f"n = {cols[b_col][i]} is not a whole number", file=label, row=int(rows[i]), column=b_col)
    else:
        bad = b <= 0
        if bad.any():
            i = _first(bad)
            raise InputError(f"variance {cols[b_col][i]} is not positive", file=label, row=int(rows[i]), column=b_col)
    keep = np.isfinite(a) & np.isfinite(b)
    extras = {}
    for col in dict.fromkeys(extra):
        vals = cols[col]
        present = vals != ""
        keep &= present
        extras[col] = vals
    omitted = int(rows.size - keep.sum())
    a, b, kept_rows = a[keep], b[keep], rows[keep]
    out_extra, out_text = {}, {}
    for col, vals in extras.items():
        vals = vals[keep]
        out_text[col] = vals
        _refuse_missing_spellings(vals, kept_rows, col, label)
        num = _maybe_numeric(vals)
        out_extra[col] = num if num is not None else vals
    for col in dict.fromkeys(optional):
        if col in out_extra:
            continue
        vals = cols[col][keep]
        _refuse_missing_spellings(vals, kept_rows, col, label)
        filled = vals[vals != ""]
        num = _maybe_numeric(filled)
        out_extra[col] = vals if num is None else np.where(vals == "", "nan", vals).astype(float)
    if is_r:
        y = np.arctanh(a)
        v = 1.0 / (b - 3.0)
        return EffectTable(label, y, v, kept_rows, omitted, True, r=a, n=b, extra=out_extra, text=out_text)
    return EffectTable(label, a, b, kept_rows, omitted, False, extra=out_extra, text=out_text)


#: Cell texts that stand for a missing or non-finite number in other tools' exports.
_MISSING_SPELLINGS = {"na", "n/a", "nan", "null", "none", "inf", "+inf", "-inf", "infinity", "+infinity",
                      "-infinity", "#n/a", "#num!", "#div/0!", "."}


def _refuse_missing_spellings(vals: np.ndarray, rows: np.ndarray, column: str, label: str) -> None:
    """A column whose other cells are all numbers is numeric: a cell spelled NA, nan, inf
    (and the like) in it is an error, as in the effect-size columns, instead of silently
    turning the whole column into categories (or its sort order into text order).

    Raises
    ------
    InputError
        At the first such cell, naming file, row and column; an empty cell is the way to
        leave a value out.
    """
    filled = vals != ""
    if not filled.any():
        return
    spelled = np.array([str(v).strip().lower() in _MISSING_SPELLINGS for v in vals]) & filled
    if not spelled.any():
        return
    rest = vals[filled & ~spelled]
    if rest.size and _maybe_numeric(rest) is None:
        return  # a text column (a category may well be called "none")
    i = int(np.argmax(spelled))
    raise InputError(f"'{vals[i]}' is not a finite number; leave the cell empty for a missing value", file=label,
                     row=int(rows[i]), column=column)


def _maybe_numeric(vals: np.ndarray) -> np.ndarray | None:
    if vals.size == 0:
        return None
    try:
        out = np.asarray(vals, dtype=float)
    except ValueError:
        return None
    return out if np.all(np.isfinite(out)) else None


def describe_omitted(n: int) -> str:
    """'1 row' / '3 rows' for messages."""
    return f"{n} row" if n == 1 else f"{n} rows"


__all__ = ["EffectTable", "read_effects", "read_columns", "to_numbers", "describe_omitted"]
