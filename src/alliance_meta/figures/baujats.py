"""The Baujat plot (Baujat et al. 2002, *Stat. Med.* 21(18)): which rows add most to the
heterogeneity, and which move the pooled estimate most, as metafor's ``baujat()`` draws it.
"""

from __future__ import annotations

import numpy as np

from ..engine.wording import printable
from .base import new_figure


#: Beyond this many rows only the most extreme ones are labelled (see :func:`baujat`).
MAX_LABELS = 100
#: ... the rows among this many largest on either axis.
TOP_LABELS = 25


def baujat(result, labels=None, *, title: str | None = None, max_labels: int = MAX_LABELS):
    """Baujat plot of a leave-one-out analysis.

    Each row is drawn as its label at x = its squared Pearson residual in the full model,
    (y_i - mu)^2 / (v_i + tau^2) (under the fixed-effect model its contribution to Q), and
    y = the influence of leaving it out on the pooled estimate, (mu_-i - mu)^2 / SE_-i^2,
    the coordinates of metafor's ``baujat()``. Rows in the upper right both add much
    heterogeneity and move the result. Up to ``max_labels`` rows every point is labelled, as
    metafor labels them; beyond, hundreds of overlapping labels would hide the points (and
    take most of the drawing time), so only the rows among the :data:`TOP_LABELS` largest on
    either axis are, the ones a reader looks for.

    Parameters
    ----------
    result : LeaveOneOutResult
        From :func:`alliance_meta.engine.leave1out` (its ``baujat_x``, ``baujat_y``).
    labels : sequence of str, optional
        One label per row (default: row numbers 1..k).

    Returns
    -------
    matplotlib.figure.Figure
        White background; the labels are text, the points under them have gid ``points``.
    """
    x = np.asarray(result.baujat_x, dtype=float)
    y = np.asarray(result.baujat_y, dtype=float)
    k = x.size
    labels = [str(i + 1) for i in range(k)] if labels is None else [printable(str(s)) for s in labels]
    fig = new_figure(6.5, 5.0)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.11, top=0.93)
    ax = fig.add_subplot(1, 1, 1)
    ax.grid(True, color="lightgray", lw=0.6, zorder=0)
    ax.scatter(x, y, s=4, color="0.55", zorder=2, gid="points")
    show = np.ones(k, dtype=bool)
    if k > max_labels:
        show[:] = False
        for arr in (x, y):
            show[np.argsort(-np.nan_to_num(arr, nan=-np.inf), kind="stable")[:TOP_LABELS]] = True
    for xi, yi, lab, on in zip(x, y, labels, show):
        if on and np.isfinite(xi) and np.isfinite(yi):
            ax.annotate(lab, (xi, yi), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                        fontsize=7.5, zorder=3, annotation_clip=False, parse_math=False)
    fixed = result.method == "FE"
    ax.set_xlabel("Contribution to overall heterogeneity" if fixed else "Squared Pearson residual")
    ax.set_ylabel("Influence on overall result")
    fin = np.isfinite(x) & np.isfinite(y)
    if fin.any():
        for lo, hi, setter in ((x[fin].min(), x[fin].max(), ax.set_xlim), (y[fin].min(), y[fin].max(), ax.set_ylim)):
            pad = 0.06 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.1
            setter(lo - pad, hi + pad)
    if title:
        ax.set_title(printable(title), fontsize=10, parse_math=False)
    return fig


__all__ = ["baujat"]
