"""Conceptual diagrams for the narrative chapters (no statistics)."""

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
