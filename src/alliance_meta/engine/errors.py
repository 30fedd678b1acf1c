"""The one exception type the engine raises for bad input."""

from __future__ import annotations


class InputError(ValueError):
    """A problem with the user's data, described in one line.

    The message names the file, the row and the column where they are known, so that
    the command line can print it as it is (exit status 2, no traceback).

    Parameters
    ----------
    message
        What is wrong, in words a researcher can act on.
    file, row, column
        Where it is wrong. ``row`` counts data rows from 1 (the header is not a row).
    line
        The physical line of the file the row starts on (it differs from ``row + 1`` after
        blank lines or a quoted cell with line breaks); ``row + 1`` when not given.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.row = row
        self.line = line
        self.column = column
        self.problem = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row} (line {self.line if self.line is not None else self.row + 1})")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = " ".join(" ".join(self.problem.split()).splitlines())
        return f"{', '.join(where)}: {text}" if where else text
