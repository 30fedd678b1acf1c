"""Diagrams: the PRISMA 2020 flow of the search, and conceptual models for the narrative
chapters (no statistics)."""

from __future__ import annotations

#: Vischer et al. (2019): professional qualities parents named as building a connection,
#: and what a connection made possible for them.
CONNECTION_QUALITIES = ("humanity", "respectfulness", "availability and\nresponsiveness", "communication\nskills")
CONNECTION_STEPS = ("connection between\nparent and professional", "trust", "safety to share stories,\ndoubts and emotions",
                    "change in the family")


def connection_model(qualities=CONNECTION_QUALITIES, steps=CONNECTION_STEPS):
    """Draw the connection model: qualities on the left feed a chain of steps.

    Returns
    -------
    matplotlib.figure.Figure
        White background; one box per quality and per step, arrows from every quality to
        the first step and from each step to the next.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    fig, ax = plt.subplots(figsize=(11, 4.4), facecolor="white")
    ax.set_facecolor("white")
    ax.set_xlim(0, 14)
    ax.set_ylim(0, 10)
    ax.axis("off")

    def box(x, y, w, h, text, face):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.08", fc=face, ec="black"))
        ax.text(x, y, text, ha="center", va="center", fontsize=9)

    ys = [8.6 - i * (7.2 / max(len(qualities) - 1, 1)) for i in range(len(qualities))]
    for y, q in zip(ys, qualities):
        box(1.4, y, 2.4, 1.3, q, "#f2f2f2")
    width, gap = 2.2, 0.55
    xs = [4.5 + i * (width + gap) for i in range(len(steps))]
    for x, s in zip(xs, steps):
        box(x, 5.0, width, 2.2, s, "white")
    for y in ys:
        ax.annotate("", xy=(xs[0] - width / 2 - 0.1, 5.0), xytext=(2.7, y),
                    arrowprops={"arrowstyle": "->", "color": "0.3"})
    for a, b in zip(xs, xs[1:]):
        ax.annotate("", xy=(b - width / 2 - 0.08, 5.0), xytext=(a + width / 2 + 0.08, 5.0),
                    arrowprops={"arrowstyle": "->"})
    ax.text(1.4, 9.75, "What professionals bring", ha="center", fontsize=9, fontweight="bold")
    ax.text(xs[0] + (xs[-1] - xs[0]) / 2, 7.0, "What it opens up for parents", ha="center", fontsize=9,
            fontweight="bold")
    fig.tight_layout()
    return fig


def flow_diagram(counts, top_reasons: int = 5):
    """Draw the PRISMA 2020 flow diagram (identification, screening, included).

    Parameters
    ----------
    counts : FlowCounts
        From :func:`alliance_meta.evidence.flow_counts`.

    Returns
    -------
    matplotlib.figure.Figure
        White background; boxes in the order of the PRISMA 2020 template for new
        systematic reviews that searched databases only.
    """
    import matplotlib.pyplot as plt  # the active backend: inline in a notebook, Agg headless
    from matplotlib.patches import FancyBboxPatch

    reasons = counts.excluded_reasons.most_common()
    shown = reasons[:top_reasons]
    rest = sum(c for _, c in reasons[top_reasons:])
    lines = [f"{why}: {c}" for why, c in shown] + ([f"other reasons: {rest}"] if rest else [])
    boxes = [
        ("Identification", f"Records identified by {counts.searches} searches\n(n = {counts.identified})",
         None),
        ("Screening", f"Records screened\n(n = {counts.screened})",
         f"Records excluded at screening\n(n = {counts.excluded_screening})"),
        ("", f"Reports assessed for eligibility\n(n = {counts.assessed})",
         "Reports excluded (n = {})\nReasons logged at either stage:\n{}".format(
             counts.excluded_full_text, "\n".join(lines) or "none logged")),
        ("Included", f"{counts.included_title}\n(n = {counts.reports} {counts.report_label},\n"
                     f"{counts.samples} {counts.sample_label})", None),
    ]
    fig, ax = plt.subplots(figsize=(8, 7.5), facecolor="white")
    ax.set_facecolor("white")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    ys = [8.8, 6.4, 4.0, 1.4]
    for (stage, main, side), y in zip(boxes, ys):
        ax.add_patch(FancyBboxPatch((1.3, y - 0.7), 4.0, 1.4, boxstyle="round,pad=0.05", fc="white", ec="black"))
        ax.text(3.3, y, main, ha="center", va="center", fontsize=9)
        if stage:
            ax.text(0.5, y, stage, rotation=90, ha="center", va="center", fontsize=10, fontweight="bold")
        if side:
            height = 1.4 if side.count("\n") < 3 else 0.3 * side.count("\n") + 0.6
            ax.add_patch(FancyBboxPatch((6.0, y - height / 2), 3.8, height, boxstyle="round,pad=0.05",
                                        fc="white", ec="black"))
            ax.text(7.9, y, side, ha="center", va="center", fontsize=8)
            ax.annotate("", xy=(6.0, y), xytext=(5.3, y), arrowprops={"arrowstyle": "->"})
    for upper, lower in zip(ys, ys[1:]):
        ax.annotate("", xy=(3.3, lower + 0.75), xytext=(3.3, upper - 0.75), arrowprops={"arrowstyle": "->"})
    fig.tight_layout()
    return fig
