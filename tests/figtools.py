"""Finding drawn elements in a figure by their ``gid``, and checking its background."""

from __future__ import annotations

from matplotlib.colors import to_rgba

#: The two-sided 95% normal quantile, as the figures use it.
Z = 1.959963984540054


def by_gid(fig, prefix):
    """Every line, patch and collection whose gid is ``prefix`` or starts ``prefix-``."""
    found = []
    for ax in fig.axes:
        for art in [*ax.lines, *ax.patches, *ax.collections]:
            gid = art.get_gid()
            if gid and (gid == prefix or gid.startswith(prefix + "-")):
                found.append(art)
    return found


def is_white(fig):
    return to_rgba(fig.get_facecolor()) == to_rgba("white")
