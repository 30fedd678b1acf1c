"""Numbers as the phrases a results paragraph uses: a p-value, and the wording of a test's
result chosen by the computation rather than typed for one data set."""

from __future__ import annotations


def p_text(p: float) -> str:
    """'p < 0.001' or 'p = 0.025' (three decimals), as a reader expects to see a p-value."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict(p: float, yes: str, no: str, alpha: float = 0.05) -> str:
    """``yes`` when ``p`` is below ``alpha``, otherwise ``no``: the wording of a test's result
    follows the computation instead of being typed for one data set."""
    return yes if p < alpha else no
