"""One way of showing a table in a chapter or a report.

Every table in the book goes through :func:`show`: no index column, empty cells for missing
values, numbers rounded by what they are (correlations and their limits to two decimals, τ²
to four, p in APA style), column names in words. Long tables are made interactive with
``interactive=True``: the book's own script (``book/_static/tables.js``, shipped with the
build, no request leaving the machine) adds a search box, a filter per categorical column
and sortable headers.
"""

from __future__ import annotations

import html
import math
from typing import Iterable, Mapping

#: Column names as a reader should see them; a column not listed keeps its name with
#: underscores turned into spaces.
LABELS: dict[str, str] = {
    "ci_lb": "CI lower", "ci_ub": "CI upper", "r_lb": "95% CI lower", "r_ub": "95% CI upper", "pi_lb": "PI lower", "pi_ub": "PI upper",
    "tau2": "τ²", "tau": "τ", "i2": "I² (%)", "I2": "I² (%)", "h2": "H²", "q": "Q", "Q": "Q",
    "df": "df", "p": "p", "pval": "p", "p_value": "p", "se": "SE", "k": "k", "n": "N",
    "r": "r", "z": "z", "yi": "yi", "vi": "vi", "k_studies": "k (studies)",
    "k_effects": "k (effects)", "n_participants": "N", "r_printed": "r as printed",
    "r_without": "r without it", "synthesis_id": "estimate", "study": "study",
    "alliance_dyad": "dyad", "alliance_rater": "alliance rater", "outcome_domain": "outcome domain",
    "estimate_type": "estimate type", "read_in": "read in", "sign_basis": "sign basis",
    "conflict_with": "conflicts with", "source_access": "source access",
    "pmc_fulltext": "PMC full text", "alliance_measure": "alliance measure",
}

#: Decimals by column name (original names); p columns are formatted apart.
DIGITS: dict[str, int] = {
    "r": 2, "ci_lb": 2, "ci_ub": 2, "r_lb": 2, "r_ub": 2, "pi_lb": 2, "pi_ub": 2, "r_printed": 2, "r_without": 2,
    "estimate": 3, "z": 2, "yi": 3, "se": 3, "vi": 4, "tau2": 4, "tau": 3, "i2": 1, "I2": 1,
    "h2": 2, "q": 2, "Q": 2, "weight": 1,
}

P_COLUMNS = frozenset({"p", "pval", "p_value", "QEp", "QMp", "p_q"})


def format_p(p) -> str:
    """A p value in APA style: ``< .001`` below .001, otherwise three decimals, no leading zero.

    Returns the empty string for a missing value.
    """
    if _missing(p):
        return ""
    from ..engine.wording import p_text

    return p_text(float(p)).removeprefix("p ").removeprefix("= ")


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)
    except (TypeError, ValueError):  # pandas.NA refuses a truth value
        return True


def _number(x, digits: int | None) -> str:
    if isinstance(x, bool):
        return str(x)
    if x == 0:  # an exact zero (a variance at its boundary) is not a rounded one
        return "0"
    if digits is None:
        if isinstance(x, float) and math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return str(x)
    text = f"{x:.{digits}f}"
    # a small negative value rounds to "-0.000": the sign of a rounded zero says nothing
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def label(column: str) -> str:
    """The column's name in words (see :data:`LABELS`)."""
    return LABELS.get(column, str(column).replace("_", " "))


class Table:
    """A table ready to display: ``_repr_html_`` for notebooks, :meth:`to_html` for files."""

    def __init__(self, header: list[str], rows: list[list[str]], caption: str | None,
                 interactive: bool, numeric: list[bool]):
        self.header, self.rows, self.caption = header, rows, caption
        self.interactive, self.numeric = interactive, numeric

    def to_html(self) -> str:
        """The table as HTML: a focusable, labelled region (it may scroll sideways); a table
        without rows is one sentence naming it."""
        if not self.rows:
            # no rows: a sentence, never a table with a header and nothing under it
            what = html.escape(self.caption) + ": " if self.caption else ""
            return f'<p class="am-table-empty"><em>{what}none in the data.</em></p>'
        name = html.escape(self.caption or "Table", quote=True)
        attrs = ' data-interactive="true"' if self.interactive else ""
        out = [f'<div class="am-table" role="region" aria-label="{name}" tabindex="0"{attrs}>',
               '<table class="table am-table-body">']
        if self.caption:
            out.append(f"<caption>{html.escape(self.caption)}</caption>")
        out.append("<thead><tr>")
        for head, num in zip(self.header, self.numeric):
            cls = ' class="am-num"' if num else ""
            out.append(f'<th scope="col"{cls}>{html.escape(head)}</th>')
        out.append("</tr></thead><tbody>")
        for row in self.rows:
            cells = "".join(f'<td class="am-num">{c}</td>' if num else f"<td>{c}</td>"
                            for c, num in zip(row, self.numeric))
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table></div>")
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __len__(self) -> int:
        return len(self.rows)


def show(frame, *, names: Mapping[str, str] | None = None, digits: Mapping[str, int] | None = None,
         caption: str | None = None, interactive: bool = False, p: Iterable[str] = (),
         html_columns: Iterable[str] = (), words: bool = True) -> Table:
    """``frame`` as a :class:`Table` ready to display.

    Parameters
    ----------
    frame : pandas.DataFrame
        A named index (a crosstab's rows, say) becomes the first column; an unnamed one is
        dropped.
    names : mapping, optional
        Column -> its name in words; only the columns named are shown, in this order
        (default: every column, named by :func:`label`).
    digits : mapping, optional
        Column (original name) -> decimals; it overrides :data:`DIGITS`. A numeric column
        named in neither prints whole numbers without decimals and other values as they are.
    caption : str, optional
        Shown above the table and used as the accessible name of its region.
    interactive : bool
        Mark the table for the book's search, filter and sort script.
    p : iterable of str
        Further columns to format as p values (:func:`format_p`); columns named ``p``,
        ``pval``, ``p_value``, ``QEp`` or ``QMp`` always are.
    html_columns : iterable of str
        Columns whose cells are trusted HTML (links built by the engine); every other cell
        is escaped, so a label such as ``<script>`` stays text.
    words : bool
        Print underscores in text cells as spaces (coded values such as
        ``family_functioning``).

    Returns
    -------
    Table
        Without the index; missing values (NaN, ``<NA>``, None) as empty cells.
    """
    import pandas as pd

    view = frame
    if any(n is not None for n in view.index.names):
        view = view.reset_index()
    view = view if names is None else view[list(names)]
    rounding = {**DIGITS, **dict(digits or {})}
    p_cols = set(P_COLUMNS) | set(p)
    trusted = set(html_columns)
    header = [names[c] if names is not None else label(c) for c in view.columns]
    numeric = [pd.api.types.is_numeric_dtype(view[c]) and not pd.api.types.is_bool_dtype(view[c])
               for c in view.columns]
    columns = []
    for col, num in zip(view.columns, numeric):
        values = view[col].tolist()
        if col in p_cols:
            cells = [html.escape(format_p(v)) for v in values]
        elif num:
            d = rounding.get(col)
            cells = ["" if _missing(v) else _number(v, d) for v in values]
        else:
            cells = []
            for v in values:
                if _missing(v):
                    cells.append("")
                    continue
                text = str(v)
                if col in trusted:
                    cells.append(text)
                    continue
                if words and "_" in text and " " not in text and "/" not in text:
                    text = text.replace("_", " ")
                cells.append(html.escape(text))
        columns.append(cells)
    rows = [list(r) for r in zip(*columns)] if columns else []
    return Table(header, rows, caption, interactive, numeric)
