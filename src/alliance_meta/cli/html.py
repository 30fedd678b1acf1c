"""The pieces of a self-contained HTML page: escaped text, numbers in APA style with their
exact value kept beside them, tables, inline figures and the page itself.

Everything that comes from a researcher's file (labels, column names, the file name) goes
through :func:`text`, so a label such as ``<script>`` is shown, never run. Numbers are
written twice: as the rounded text a reader sees and, in ``data-value``, as the engine's
exact value under a ``data-key`` (for example ``pool.tau2``), so that a test, or a reader
with the browser's inspector, can check every figure against ``--json``.
"""

from __future__ import annotations

import base64
import html
import json
import math

MINUS = "\u2212"

STYLE = """
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;
     max-width:60rem;margin:2rem auto;padding:0 1.25rem}
h1,h2,h3,p,li,td,th,caption,figcaption{overflow-wrap:anywhere}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd}
h3{font-size:1.05rem}
p.meta{color:#555;margin-top:0}
table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem;max-width:100%}
caption{text-align:left;font-weight:600;padding-bottom:.3rem}
th,td{padding:.3rem .7rem;border-bottom:1px solid #e3e3e3;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.flag td{background:#fff4e0}
figure{margin:1.2rem 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9rem;color:#333}
.note{background:#f6f7f9;border-left:4px solid #8a96a8;padding:.5rem .9rem;margin:.8rem 0}
.scroll{overflow-x:auto}
ol.refs li{margin-bottom:.35rem;font-size:.92rem}
code{font-size:.9em;background:#f3f3f3;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
"""


def text(value) -> str:
    """``value`` as HTML text: every ``<``, ``>``, ``&`` and quote escaped, and control
    characters (which HTML forbids) shown as their escapes."""
    from ..engine.wording import printable

    return html.escape(printable(value, keep="\n\t"), quote=True)


def _minus(s: str) -> str:
    return s.replace("-", MINUS)


def number(x, digits: int = 2, *, leading_zero: bool = True) -> str:
    """``x`` rounded to ``digits`` decimals with a true minus sign; ``leading_zero=False``
    drops the zero before the point, as APA style prints values that cannot exceed 1 (r,
    p). Missing or infinite values read 'n/a'."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    s = f"{x:.{digits}f}"
    if not leading_zero:
        s = s.replace("0.", ".", 1) if s.startswith(("0.", "-0.")) else s
    if set(s.strip("-")) <= {"0", "."}:  # -0.00 reads 0.00
        s = s.lstrip("-")
    return _minus(s)


def p_value(p) -> str:
    """'*p* < .001' below .001, else '*p* = .034' (APA style), as HTML."""
    if p is None or not math.isfinite(p):
        return "<i>p</i> = n/a"
    return "<i>p</i> &lt; .001" if p < 0.001 else f"<i>p</i> = {number(p, 3, leading_zero=False)}"


def value(key: str, x, shown: str) -> str:
    """A number as it is shown, carrying its exact value: ``<span data-key data-value>``."""
    exact = "" if x is None else repr(float(x)) if not isinstance(x, int) else str(x)
    return f'<span data-key="{text(key)}" data-value="{text(exact)}">{shown}</span>'


def table(head: list[str], rows: list[list[str]], *, caption: str, numeric: set[int] = frozenset(),
          flagged: set[int] = frozenset()) -> str:
    """An HTML table; cells are HTML already (escape text with :func:`text` first)."""
    cells = "".join(f'<th scope="col"{" class=num" if i in numeric else ""}>{h}</th>' for i, h in enumerate(head))
    body = []
    for r, row in enumerate(rows):
        tds = "".join(f'<td{" class=num" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row))
        body.append(f'<tr{" class=flag" if r in flagged else ""}>{tds}</tr>')
    return (f'<div class="scroll"><table><caption>{caption}</caption><thead><tr>{cells}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def figure(fig, *, alt: str, caption: str, dpi: int = 120) -> str:
    """A matplotlib figure inline as a PNG data URI, with alt text and a caption; the figure
    is closed once rendered (a report draws several and keeps none)."""
    import io

    import matplotlib.pyplot as plt

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not hasattr(fig.canvas, "print_figure"):
        FigureCanvasAgg(fig)
    from ..figures.base import quiet_rendering

    buf = io.BytesIO()
    with quiet_rendering():
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{text(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def embedded_json(obj, element_id: str) -> str:
    """``obj`` as a JSON data block (never executed); ``<``, ``>`` and ``&`` are written as
    ``\\u003c`` ... so that no string in it can close the element."""
    payload = json.dumps(obj, allow_nan=False, ensure_ascii=False, indent=1)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{text(element_id)}">{payload}</script>'


def page(title: str, body: str) -> str:
    """A complete HTML document: one inline style sheet, no external resource, and a
    content security policy that forbids any request (scripts included)."""
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{text(title)}</title><style>{STYLE}</style></head>\n<body><main>\n{body}\n</main></body></html>\n")
