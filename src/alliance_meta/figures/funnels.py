"""Contour-enhanced funnel plot with the effects trim-and-fill adds (``gid``: ``study``
for observed points, ``filled`` for filled ones, ``estimate`` for the pooled line).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import distributions as dist
from .base import Z95, new_figure


def funnel(yi, vi, *, estimate: float, trimfill=None, is_r: bool = False,
           contours: Sequence[float] = (0.90, 0.95, 0.99), title: str | None = None):
    """Contour-enhanced funnel plot (Peters et al., 2008) with trim-and-fill points.

    The shaded regions mark where an effect would be significant at the given two-sided
    levels (around zero); the vertical line is the pooled estimate (and a dashed one the
    trim-and-fill estimate). Filled-in effects are drawn as open circles.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z for correlations).
    estimate : float
        The pooled estimate to centre the funnel on (from the caller's fit, on the scale of
        ``yi``).
    trimfill : TrimFillResult, optional
        From :func:`alliance_meta.engine.trim_and_fill`; its filled effects are added.
    is_r : bool
        Add an r axis on top of the Fisher z axis.

    Returns
    -------
    matplotlib.figure.Figure
        x: effect size (Fisher z for correlations), y: standard error, inverted.
    """
    y = np.asarray(yi, dtype=float)
    se = np.sqrt(np.asarray(vi, dtype=float))
    fig = new_figure(8.0, 5.0)
    fig.subplots_adjust(left=0.11, right=0.78, bottom=0.12, top=0.85 if is_r else 0.92)
    ax = fig.add_subplot(1, 1, 1)
    all_se = se if trimfill is None or trimfill.k0 == 0 else np.concatenate([se, np.sqrt(trimfill.vi_fill)])
    smax = float(all_se.max()) * 1.08
    s = np.linspace(0.0, smax, 100)
    shades = ["0.93", "0.83", "0.72"]
    bound = []
    for lev, shade in zip(sorted(contours), shades):
        z = float(dist.norm_isf((1.0 - lev) / 2.0))
        bound.append((lev, z, shade))
    xmax = max(float(np.max(np.abs(y))), bound[-1][1] * smax if bound else 0.0) * 1.05
    ax.fill_betweenx(s, -xmax * np.ones_like(s), xmax * np.ones_like(s), color="white", zorder=0)
    for lev, z, shade in bound:  # the widest (lightest) region first, narrower darker ones on top
        ax.fill_betweenx(s, z * s, xmax, color=shade, zorder=0, lw=0, label=f"p < {1 - lev:.2f}")
        ax.fill_betweenx(s, -xmax, -z * s, color=shade, zorder=0, lw=0)
    ax.scatter(y, se, s=22, color="black", zorder=3, gid="study", label="observed")
    if trimfill is not None and trimfill.k0 > 0:
        ax.scatter(trimfill.yi_fill, np.sqrt(trimfill.vi_fill), s=22, facecolor="white", edgecolor="black",
                   zorder=3, gid="filled", label=f"filled (k0 = {trimfill.k0})")
        ax.axvline(trimfill.estimate, color="black", ls="--", lw=0.8, gid="trimfill-estimate")
    ax.axvline(estimate, color="black", lw=0.9, gid="estimate")
    ax.plot(estimate - Z95 * s, s, color="black", lw=0.6, ls=":")
    ax.plot(estimate + Z95 * s, s, color="black", lw=0.6, ls=":")
    ax.set_ylim(smax, 0.0)
    ax.set_xlim(-xmax, xmax)
    ax.set_ylabel("Standard error")
    ax.set_xlabel("Fisher z" if is_r else "Effect size")
    if is_r:
        top = ax.secondary_xaxis("top", functions=(np.tanh, _atanh))
        top.set_xlabel("r")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig



def _atanh(r):
    # matplotlib probes the inverse at r = +-1 when it places ticks; the infinity it gets
    # there is harmless, the RuntimeWarning it would print is not
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.arctanh(r)


__all__ = ["funnel"]
