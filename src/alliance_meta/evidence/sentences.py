"""Published estimates written as the sentences a results paragraph uses.

Every phrase is built from a row's coded fields (its ``subset``, ``r``, interval and ``k``), so
that a sentence says only what the row holds: an interval only where one was printed or can be
made from a printed standard error, a number of studies only where one was printed. Citations
are MyST roles, which the book renders as links to the bibliography.
"""

from __future__ import annotations

import math

from ..engine.wording import number_word


def r_text(x: float) -> str:
    """A correlation as APA prints it: two decimals, no leading zero, a true minus sign."""
    text = f"{x:.2f}"
    if text in ("-0.00", "0.00"):
        return ".00"
    return text.replace("0.", ".", 1).replace("-", "\u2212")


def num(x: float, digits: int = 2) -> str:
    """A number with ``digits`` decimals and a true minus sign (never a negative zero)."""
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def has(x) -> bool:
    """Whether ``x`` is a number (not empty, NA or NaN)."""
    try:
        return x is not None and not math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 sample', '9 samples', '3,954 records': a count in digits (thousands separated) with
    its noun in the number it agrees with.

    ``plural`` defaults to ``singular + 's'``."""
    n = int(n)
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def were(n: int) -> str:
    """'1 was', '4 were': a count in digits with the past of *to be* that agrees with it."""
    n = int(n)
    return f"{n:,} {'was' if n == 1 else 'were'}"


def studies(k) -> str:
    """'one study', 'nine studies', or 'an unstated number of studies'."""
    if not has(k):
        return "an unstated number of studies"
    k = int(k)
    return f"{number_word(k)} stud{'y' if k == 1 else 'ies'}"


def estimate(row, *, what: str | None = None) -> str:
    """'r = .13 for the <subset> (95% CI [.05, .21]; nine studies)', with only what the row holds.

    ``row`` is a row of :func:`~alliance_meta.evidence.overview_table` (attribute access);
    ``what`` replaces the row's ``subset`` as the thing estimated.
    """
    extra = []
    if has(row.r_lb) and has(row.r_ub) and has(row.vi):
        extra.append(f"95% CI [{r_text(row.r_lb)}, {r_text(row.r_ub)}]")
    if has(row.k_studies):
        extra.append(studies(row.k_studies))
    return (f"r = {r_text(row.r)} for the {what or row.subset}"
            + (f" ({'; '.join(extra)})" if extra else ""))


def reviews_account(rows, refs, *, none: str, lead: str = "printed") -> str:
    """One sentence per review in ``rows`` (oldest first) listing its estimates, or ``none``."""
    if not len(rows):
        return none
    keys = list(dict.fromkeys(rows["study"]))
    keys.sort(key=lambda k: (refs[k].year if k in refs else "", k))
    out = []
    for key in keys:
        own = rows[rows["study"] == key]
        out.append(f"{{cite:t}}`{key}` {lead} " + join([estimate(r) for r in own.itertuples(index=False)]) + ".")
    return " ".join(out)


__all__ = ["r_text", "num", "has", "join", "studies", "estimate", "reviews_account"]
