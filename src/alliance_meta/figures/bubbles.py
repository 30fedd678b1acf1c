"""Bubble plot of a meta-regression on one numeric moderator.
"""

from __future__ import annotations

import numpy as np

from ..engine.wording import printable
from .base import Z95, axis_label, new_figure, to_scale


def bubble(yi, vi, x, *, result, moderator: str = "moderator", is_r: bool = False, title: str | None = None):
    """Bubble plot of a meta-regression on one numeric moderator.

    Each effect is a circle with area proportional to its random-effects weight; the line
    is the fitted regression with its 95% confidence band.

    Parameters
    ----------
    yi, vi, x : array_like
        Effect sizes, sampling variances and moderator values.
    result : MetaRegResult or None
        The caller's fit of ``yi`` on ``x`` (intercept and slope, from
        :func:`alliance_meta.engine.metareg`); None draws the circles (weights 1 / vi) without a
        line, for data on which no regression can be fitted.

    Returns
    -------
    matplotlib.figure.Figure
        y axis on the r scale when ``is_r`` (the line is back-transformed point by point).
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    xv = np.asarray(x, dtype=float)
    tx = to_scale(is_r)
    w = 1.0 / (v + (result.tau2 if result is not None else 0.0))
    fig = new_figure(6.5, 4.8)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.12, top=0.92)
    ax = fig.add_subplot(1, 1, 1)
    sizes = 400.0 * w / w.max()
    ax.scatter(xv, tx(y), s=sizes, facecolor="0.75", edgecolor="black", alpha=0.8, gid="bubbles")
    ax.set_xlabel(printable(moderator), parse_math=False)
    ax.set_ylabel(axis_label(is_r))
    if title:
        ax.set_title(title, fontsize=10)
    if result is None:
        return fig
    b0, b1 = result.coefficients[0].estimate, result.coefficients[1].estimate
    grid = np.linspace(xv.min(), xv.max(), 100)
    ax.plot(grid, tx(b0 + b1 * grid), color="black", lw=1.2, gid="fit")
    # pointwise band from the covariance of (b0, b1), recovered from the SEs and the fit
    X = np.column_stack([np.ones_like(xv), xv])
    cov = np.linalg.inv(X.T @ (X * w[:, None]))
    if result.test != "z":
        cov = cov * (result.coefficients[0].se ** 2 / cov[0, 0])
    G = np.column_stack([np.ones_like(grid), grid])
    se = np.sqrt(np.einsum("ij,jk,ik->i", G, cov, G))
    ax.fill_between(grid, tx(b0 + b1 * grid - Z95 * se), tx(b0 + b1 * grid + Z95 * se), color="0.85", zorder=0,
                    gid="band")
    return fig



__all__ = ["bubble"]
