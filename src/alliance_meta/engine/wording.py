"""Numbers as the phrases a results paragraph uses: a p-value, and the wording of a test's
result chosen by the computation rather than typed for one data set; and text from a user's
file made safe to show."""

from __future__ import annotations

import re

#: C0 and C1 control characters and DEL: a terminal obeys them (colours, cursor moves, a
#: cleared screen) and XML forbids most of them, so text from a data file never shows them raw.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text, keep: str = "") -> str:
    """``text`` with every control character (other than those in ``keep``, e.g. ``"\\n"``)
    written as a visible escape such as ``\\x1b``, so that a label, header or cell from a CSV
    can be printed to a terminal or drawn in an SVG as what it is."""
    text = str(text)
    return _CONTROL.sub(lambda m: m.group(0) if m.group(0) in keep else f"\\x{ord(m.group(0)):02x}", text)


def p_text(p: float) -> str:
    """'p < .001' or 'p = .025' (three decimals, no leading zero), as APA style prints a p-value."""
    if p < 0.001:
        return "p < .001"
    text = f"{p:.3f}"
    return "p = " + (text[1:] if text.startswith("0") else text)


def verdict(p: float, yes: str, no: str, alpha: float = 0.05) -> str:
    """``yes`` when ``p`` is below ``alpha``, otherwise ``no``: the wording of a test's result
    follows the computation instead of being typed for one data set."""
    return yes if p < alpha else no


_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def number_word(n: int, zero: str = "no") -> str:
    """A count as APA style writes it in running text: words below ten ('no' or ``zero``
    for 0), figures from ten on."""
    n = int(n)
    if n == 0:
        return zero
    return _WORDS[n] if 0 < n < 10 else str(n)


def left_out(n: int) -> str:
    """'1 row with an empty value left out' / '3 rows with an empty value left out'."""
    return f"{n} row{'s' if n != 1 else ''} with an empty value left out"
