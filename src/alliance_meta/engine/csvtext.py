"""One reader for a researcher's CSV, shared by the command line and the validator.

It follows R's ``read.csv`` where R's reading is unambiguous, and refuses the rest in one
line that names the file, the physical line, the column and the fix:

* UTF-8 with or without a byte-order mark; LF, CRLF or CR line ends;
* quoted cells (``""`` for a quote) that may hold separators and line breaks, a quote
  opening after spaces (``study, "r", "n"`` names the columns r and n, as in R);
* commas separate cells; a header without a comma but with tabs (or semicolons) makes the
  file tab- (or semicolon-) separated, and the messages say so;
* header names are stripped and their runs of white space (a line break typed with
  Alt-Enter in a spreadsheet, a form feed, U+2028) read as one space; an empty name is a
  column no option can name; a name given twice is refused;
* blank lines (and lines of separators alone) are not rows; every other line after the
  header is a data row, numbered from 1 in file order, and each row keeps the physical
  line it starts on (a quoted cell with line breaks, or blank lines, make them differ);
* a number is written in ASCII digits with a point for decimals (``1e-3`` allowed); a
  decimal comma or a thousands separator is named as such; ``NA``, ``N/A``, ``NaN``,
  ``#N/A`` and an empty cell are a missing value in a numeric column.

No pandas: the command line reads a file in the time of its imports of NumPy alone.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError

#: cell texts that are a missing value in a numeric column (compared in lower case);
#: R's write.csv writes NA, Excel #N/A, other tools NaN or N/A
MISSING = frozenset({"", "na", "n/a", "nan", "#n/a"})
#: a number as R's type.convert reads it in a CSV, ASCII digits only
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+", re.ASCII)
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:([,.' \u00a0\u202f])\d{3})+(?:[.,]\d+)?", re.ASCII)
_PLAIN_CHARS = re.compile(r"[^0-9.eE+\-\n]", re.ASCII)
_SEPARATOR_NAMES = {",": "comma", "\t": "tab", ";": "semicolon"}


def name_key(name: str) -> str:
    """A column name as the reader compares it: stripped, runs of white space as one space."""
    return " ".join(str(name).split())


def read_text(path) -> str:
    """The text of ``path``: UTF-8 (a byte-order mark dropped), line ends as ``\\n``.

    Raises
    ------
    InputError
        No such file, a directory, UTF-16, NUL bytes, bytes that are not UTF-8 (naming the
        line), an empty file, or a file above :func:`~.limits.max_bytes`.
    """
    from .limits import max_bytes, too_large

    label = str(path)
    limit = max_bytes()
    if os.path.isdir(path):
        raise InputError("is a directory, not a CSV file", file=label)
    try:
        with open(path, "rb") as fh:
            # in chunks, so that an endless device (/dev/zero) or a binary file is refused at
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
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8 CSV",
                         file=label) from None
    if not text.strip():
        raise InputError("is empty", file=label)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


@dataclass
class CsvTable:
    """A CSV read as text: its header, its data rows and where each starts.

    Attributes
    ----------
    label : str
        The file name used in messages.
    sep : str
        The separator found: ``","``, ``"\\t"`` or ``";"``.
    header : list of str
        The column names (see :func:`name_key`); an empty name is ``""``.
    header_line : int
        The physical line (from 1) the header starts on.
    records : list of (str or list of str)
        The data rows in file order, row ``i`` (from 1) at ``records[i - 1]``: a line with no
        quote as its text (split when a column is asked for, so that a file of a million
        rows keeps only the cells used), a record with quotes as its cells.
    lines : list of int
        The physical line each data row starts on.
    """

    label: str
    sep: str
    header: list
    header_line: int
    records: list = field(default_factory=list)
    lines: list = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.records)

    def line_of(self, row: int) -> int:
        """The physical line data row ``row`` (from 1) starts on."""
        return self.lines[row - 1]

    def shown_header(self) -> str:
        """The column names as a message shows them: quoted, with the separator named when
        it is not a comma."""
        names = ", ".join(f"'{h}'" for h in self.header if h)
        sep = "" if self.sep == "," else f"; {_SEPARATOR_NAMES[self.sep]}-separated"
        return f"{names}{sep}"

    def index(self, name: str) -> int:
        """The position of column ``name``; a missing one is refused with the names the file
        has and the closest of them ("did you mean").

        Raises
        ------
        InputError
        """
        key = name_key(name)
        if key and key in self.header:
            return self.header.index(key)
        hint = did_you_mean(key, [h for h in self.header if h])
        raise InputError(f"no column '{name}'{hint} (the file has: {self.shown_header()})", file=self.label,
                         column=name)

    def columns(self, names) -> dict:
        """The stripped cells of each column in ``names``, one list per name, one cell per
        data row (each row split once)."""
        import gc

        at = {name: self.index(name) for name in dict.fromkeys(names)}
        out = {name: [] for name in at}
        sep, recs = self.sep, self.records
        enabled = gc.isenabled()
        gc.disable()      # a million short-lived lists would set off full collections again and again
        try:
            for lo in range(0, len(recs), 100_000):       # a block of rows at a time: bounded memory
                split = [rec.split(sep) if type(rec) is str else rec for rec in recs[lo:lo + 100_000]]
                for name, j in at.items():
                    out[name].extend([cells[j].strip() for cells in split])
        finally:
            if enabled:
                gc.enable()
        return out

    def column(self, name: str) -> list:
        """The stripped cells of column ``name``, one per data row."""
        return self.columns([name])[name]

    def rows(self):
        """Each data row's stripped cells, in file order."""
        for rec in self.records:
            yield [c.strip() for c in (rec.split(self.sep) if type(rec) is str else rec)]


def did_you_mean(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` (case first), or ``""``."""
    import difflib

    choices = list(choices)
    folded = [c for c in choices if c.casefold() == word.casefold()]
    close = folded or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _separator(text: str, start: int) -> str:
    """The separator of the header starting at ``start``: a comma outside quotes, else a
    tab, else a semicolon, else (one column) a comma."""
    end = text.find("\n", start)
    first = text[start:] if end < 0 else text[start:end]
    if first.count('"') % 2:               # a quoted name spans lines: look at the whole record
        _, stop, _ = _quoted_record(text, start, ",", 0, "")
        first = text[start:stop]
    bare = re.sub(r'"(?:[^"]|"")*"', "", first)
    for sep in (",", "\t", ";"):
        if sep in bare:
            return sep
    return ","


def _quoted_record(text: str, pos: int, sep: str, line: int, label: str):
    """The cells of the record starting at ``pos`` that holds a quote, the position after
    it and the number of line breaks inside it. A quote opens a quoted cell at the start of
    a cell (after spaces); text after its closing quote is kept, as R and Python's csv do."""
    n = len(text)
    blanks = " " if sep == "\t" else " \t"
    cells = []
    i = pos
    while True:
        j = i
        while j < n and text[j] in blanks:
            j += 1
        if j < n and text[j] == '"':
            k, parts = j + 1, []
            while True:
                q = text.find('"', k)
                if q < 0:
                    opened = line + text.count("\n", pos, j)
                    raise InputError(f"line {opened}: a quoted cell opened there is never closed (a quote "
                                     'missing; a quote inside a cell is written "")', file=label or None)
                parts.append(text[k:q])
                if text.startswith('"', q + 1):
                    parts.append('"')
                    k = q + 2
                    continue
                k = q + 1
                break
            e = k
            while e < n and text[e] != sep and text[e] != "\n":
                e += 1
            cells.append("".join(parts) + text[k:e].rstrip(blanks))
        else:
            e = j
            while e < n and text[e] != sep and text[e] != "\n":
                e += 1
            cells.append(text[i:e])
        if e >= n or text[e] == "\n":
            return cells, e + 1, text.count("\n", pos, min(e, n))
        i = e + 1


def parse(text: str, label: str) -> CsvTable:
    """Split CSV ``text`` (line ends ``\\n``) into a :class:`CsvTable`.

    Raises
    ------
    InputError
        No header, a column name given twice, a row with more or fewer cells than the
        header (naming its physical line), a quoted cell never closed.
    """
    n = len(text)
    pos, line = 0, 1
    # leading blank lines: the header is the first line with something on it
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        if text[pos:end].strip():
            break
        pos, line = end + 1, line + 1
    if pos >= n:
        raise InputError("is empty", file=label)
    sep = _separator(text, pos)
    table = CsvTable(label, sep, [], line)
    first = True
    while pos < n:
        if not first and text.find('"', pos) < 0:
            _plain_rest(table, text[pos:], line, width)       # no quote left: every line at once
            break
        end = text.find("\n", pos)
        end = n if end < 0 else end
        seg = text[pos:end]
        if not first and '"' not in seg:
            # the common case, kept as the line's text: blank, or its number of cells
            if seg.strip() and seg.replace(sep, "").strip():
                width_here = seg.count(sep) + 1
                if width_here != width:
                    _misfit(seg, width_here, width, sep, label, len(table.records) + 1, line)
                table.records.append(seg)
                table.lines.append(line)
            line += 1
            pos = end + 1
            continue
        if '"' in seg:
            cells, nxt, breaks = _quoted_record(text, pos, sep, line, label)
        else:
            cells, nxt, breaks = seg.split(sep), end + 1, 0
        if first:
            names = [name_key(c) for c in cells]
            if not any(names):
                raise InputError("has no header row", file=label)
            seen = set()
            for h in names:
                if h and h in seen:
                    raise InputError(f"line {line}: the header names column '{h}' twice; give each column its "
                                     "own name", file=label, column=h)
                seen.add(h)
            table.header = names
            width = len(names)
            first = False
        else:
            if any(c.strip() for c in cells):
                if len(cells) != width:
                    _misfit(seg, len(cells), width, sep, label, len(table.records) + 1, line)
                table.records.append(cells)
                table.lines.append(line)
        line += 1 + breaks
        pos = nxt
    return table


def _plain_rest(table: CsvTable, rest: str, line: int, width: int) -> None:
    """Add the lines of ``rest`` (no quote in it; the first on physical line ``line``) to
    ``table``: each as its text, blank lines (and lines of separators alone) left out, a
    line whose number of cells is not the header's refused."""
    import gc

    sep = table.sep
    segs = rest.split("\n")
    # blank lines (white space and separators alone, as str.strip sees white space) are found
    # by one scan of the text: they are few, and a test per line would cost a million calls
    blank, at, count = set(), 0, 0
    for m in re.finditer(r"^(?:[^\S\n]|%s)*$" % re.escape(sep), rest, re.M):
        count += rest.count("\n", at, m.start())
        at = m.start()
        blank.add(count)
    enabled = gc.isenabled()
    gc.disable()
    try:
        keep = [i for i in range(len(segs)) if i not in blank] if blank else list(range(len(segs)))
    finally:
        if enabled:
            gc.enable()
    counts = [segs[i].count(sep) for i in keep]
    if counts and (min(counts) != width - 1 or max(counts) != width - 1):
        at = next(j for j, c in enumerate(counts) if c != width - 1)
        _misfit(segs[keep[at]], counts[at] + 1, width, sep, table.label, len(table.records) + at + 1, line + keep[at])
    table.records.extend(segs[i] for i in keep)
    table.lines.extend(line + i for i in keep)


def _misfit(seg: str, n: int, width: int, sep: str, label: str, row: int, line: int):
    """Refuse a row with ``n`` cells where the header has ``width``.

    Raises
    ------
    InputError
        Naming the row and its physical line, and a decimal comma when one may be the cause.
    """
    hint = ""
    if n > width and sep == "," and re.search(r"\d,\d", seg):
        hint = "; a decimal comma? write numbers with a point (0.25), or quote a cell that holds a comma"
    raise InputError(f"has {n} field{'s' if n != 1 else ''} where the header has {width}{hint}", file=label,
                     row=row, line=line)


def load(path) -> CsvTable:
    """:func:`read_text` then :func:`parse`."""
    return parse(read_text(path), str(path))


def _number_problem(cell: str) -> str:
    """Why ``cell`` is not a number, with the fix."""
    shown = cell if len(cell) <= 40 else cell[:37] + "..."
    m = _THOUSANDS.fullmatch(cell)
    if m and (m.group(1) != "," or not _DECIMAL_COMMA.fullmatch(cell)):
        return (f"'{shown}' has a thousands separator ('{m.group(1)}'); write the number without it and with a "
                "point for decimals")
    if _DECIMAL_COMMA.fullmatch(cell):
        if re.fullmatch(r"[-+]?\d{1,3},\d{3}", cell, re.ASCII):
            return (f"'{shown}' has a comma: write {cell.replace(',', '')} if it is a thousands separator, or "
                    f"{cell.replace(',', '.')} if it is a decimal comma (numbers take a point for decimals)")
        return f"'{shown}' has a decimal comma; write {cell.replace(',', '.')} (numbers take a point for decimals)"
    if "_" in cell and _NUMBER.fullmatch(cell.replace("_", "")):
        return f"'{shown}' has '_' in it; write the number without it"
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in cell):
        return f"'{shown}' has digits other than 0-9; write it with ASCII digits"
    low = cell.lower().lstrip("+-")
    if low in ("inf", "infinity"):
        return f"'{shown}' is not a finite number"
    return f"'{shown}' is not a finite number; leave the cell empty or write NA for a missing value"


def is_number(cell: str) -> bool:
    """Whether ``cell`` (stripped) is a finite number as this reader writes one."""
    return bool(_NUMBER.fullmatch(cell)) and np.isfinite(float(cell))


def is_missing(cell: str) -> bool:
    """Whether ``cell`` is a missing value in a numeric column (empty, NA, N/A, NaN, #N/A)."""
    return cell.lower() in MISSING


def to_numbers(cells, rows, lines, column: str, label: str) -> np.ndarray:
    """Cells to floats, a missing value (:data:`MISSING`) as NaN.

    ``rows`` and ``lines``: the row number and physical line of each cell, for messages.

    Raises
    ------
    InputError
        At the first cell that is not a finite number, naming why (a decimal comma, a
        thousands separator, '_', digits that are not ASCII, inf).
    """
    cells = list(cells)
    if cells and not _PLAIN_CHARS.search("\n".join(cells)):
        # digits, points, signs and exponents only (no NA spelled, no comma): numpy parses
        # the cells at once; an empty cell is the only missing value here
        missing = np.zeros(len(cells), dtype=bool) if "" not in cells else \
            np.fromiter((not c for c in cells), dtype=bool, count=len(cells))
        try:
            values = np.array(cells if not missing.any() else [c for c in cells if c], dtype=float)
        except ValueError:
            pass
        else:
            if np.all(np.isfinite(values)):
                out = np.full(len(cells), np.nan)
                out[~missing] = values
                return out
    missing = np.fromiter((c.lower() in MISSING for c in cells), dtype=bool, count=len(cells))
    filled = [c for c, m in zip(cells, missing) if not m]
    out = np.full(len(cells), np.nan)
    if not filled:
        return out
    # one pass over the joined text finds whether any cell may be more than digits, a
    # point, an exponent and a sign; only then are the cells checked one by one
    suspect = bool(_PLAIN_CHARS.search("\n".join(filled)))
    if not suspect:
        try:   # with those characters alone, what float() reads is what _NUMBER matches
            values = np.array(filled, dtype=float)
        except ValueError:
            suspect = True
    if suspect:
        for i, c in enumerate(cells):
            if not missing[i] and not is_number(c):
                raise InputError(_number_problem(c), file=label, row=int(rows[i]), line=int(lines[i]), column=column)
        values = np.array(filled, dtype=float)
    out[~missing] = values
    if not np.all(np.isfinite(values)):
        i = int(np.flatnonzero(~missing)[np.argmax(~np.isfinite(values))])
        raise InputError(_number_problem(cells[i]), file=label, row=int(rows[i]), line=int(lines[i]), column=column)
    return out


def looks_numeric(cells) -> bool:
    """Whether every cell that is not a missing value is a number (and one is): R's
    type.convert makes such a column numeric."""
    cells = list(cells)
    if cells and not _PLAIN_CHARS.search("\n".join(cells)):
        filled = [c for c in cells if c]
        try:
            return bool(filled) and bool(np.all(np.isfinite(np.array(filled, dtype=float))))
        except ValueError:
            pass
    seen = False
    for c in cells:
        if c.lower() in MISSING:
            continue
        if not is_number(c):
            return False
        seen = True
    return seen


def comma_numbers(cells) -> int | None:
    """The index of the first cell written with a decimal comma or thousands separator
    when every other filled cell is a number (a numeric column a spreadsheet wrote in
    another locale), else None."""
    first = None
    for i, c in enumerate(cells):
        if c.lower() in MISSING or is_number(c):
            continue
        if _DECIMAL_COMMA.fullmatch(c) or _THOUSANDS.fullmatch(c):
            first = i if first is None else first
            continue
        return None
    return first


def number_problem(cell: str) -> str:
    """The words of :func:`to_numbers` for a cell that is not a number."""
    return _number_problem(cell)


__all__ = ["CsvTable", "read_text", "parse", "load", "to_numbers", "is_number", "is_missing", "looks_numeric",
           "comma_numbers", "number_problem", "name_key", "did_you_mean", "MISSING"]
