"""One way of showing a table in a chapter: no index, empty cells for missing values,
numbers rounded by column, column names in words."""

from __future__ import annotations

from typing import Mapping


def show(frame, *, names: Mapping[str, str] | None = None, digits: Mapping[str, int] | None = None,
         caption: str | None = None):
    """``frame`` as a pandas ``Styler`` ready to display.

    Parameters
    ----------
    frame : pandas.DataFrame
    names : mapping, optional
        Column -> its name in words; only the columns named are shown, in this order
        (default: every column, as it is).
    digits : mapping, optional
        Column (original name) -> decimals; other numeric columns print as they are,
        integers without decimals.
    caption : str, optional

    Returns
    -------
    pandas.io.formats.style.Styler
        Without the index; missing values (NaN, ``<NA>``, None) shown as empty cells.
    """
    digits = dict(digits or {})
    view = frame if names is None else frame[list(names)]
    fmt = {}
    for col in view.columns:
        if col in digits:
            fmt[col] = (lambda d: (lambda x: "" if x is None or x != x else f"{x:.{d}f}"))(digits[col])
    styler = view.style.format(fmt, na_rep="").hide(axis="index")
    if names is not None:
        styler = styler.relabel_index([names[c] for c in view.columns], axis="columns")
    if caption:
        styler = styler.set_caption(caption)
    return styler
