"""Small helpers that turn numbers into the phrases chapters glue into prose."""

from __future__ import annotations


def p_text(p: float) -> str:
    """'p < 0.001' or 'p = 0.025' (three decimals), as a reader expects to see a p-value."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict(p: float, yes: str, no: str, alpha: float = 0.05) -> str:
    """``yes`` when ``p`` is below ``alpha``, otherwise ``no``: the wording of a test's result
    follows the computation instead of being typed for one data set."""
    return yes if p < alpha else no


def as_image(fig, dpi: int = 150):
    """A figure as a PNG ``IPython.display.Image``, ready to glue into a chapter.

    Rendering here (instead of relying on the notebook's matplotlib formatter) makes the
    output the same for figures made by pyplot and for bare ``matplotlib.figure.Figure``
    objects, which have no notebook backend attached.
    """
    import io

    from IPython.display import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches="tight")
    return Image(data=buf.getvalue(), format="png")
