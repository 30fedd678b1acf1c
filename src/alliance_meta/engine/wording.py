"""Numbers as the phrases a results paragraph uses: a p-value, and the wording of a test's
result chosen by the computation rather than typed for one data set."""

from __future__ import annotations


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
