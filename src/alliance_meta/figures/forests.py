"""Forest plots: effect sizes with the pooled diamond, and the forests of a cumulative
and a leave-one-out analysis.

Drawn elements carry a ``gid`` so that tests and readers can find them: ``ci-<i>`` for the
interval of row i, ``box-<i>`` for its square, ``pooled`` for the summary diamond, ``pi``
for the prediction interval, ``subgroup-<name>`` for subgroup diamonds.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from ..engine import distributions as dist
from .base import Z95, axis_label, diamond, interval_text, new_figure, text_columns, to_scale


def forest(yi, vi, labels: Sequence | None = None, *, result, is_r: bool = False,
           groups: Sequence | None = None, subgroup_results: Mapping | None = None, level: float = 95.0,
           title: str | None = None, show_pi: bool = True):
    """Forest plot: one row per effect size with its CI, box area proportional to its
    weight, the pooled diamond, the prediction interval, and optional subgroup diamonds.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z for correlations).
    labels : sequence, optional
        Row labels (default ``1, 2, ...``).
    result : PoolResult or None
        The pooled fit to draw (from :func:`alliance_meta.engine.pool`); its ``tau2`` sets
        the weights and its estimate, interval and prediction interval are drawn. None draws
        the rows only (equal boxes, no weights, no pooled diamond): for estimates that must
        not be pooled together, such as published estimates of different kinds.
    is_r : bool
        Draw on the r scale (tanh of the Fisher z values).
    groups : sequence, optional
        A subgroup per row: rows are drawn by subgroup (first appearance order), each
        followed by its own pooled diamond when ``subgroup_results`` has a fit for it.
    subgroup_results : mapping, optional
        Subgroup level (as ``str``) -> its :class:`~alliance_meta.engine.PoolResult`, fitted
        by the caller: this module draws, it never fits.

    Returns
    -------
    matplotlib.figure.Figure
        Rows top to bottom in input (or subgroup) order; x axis on the r scale when
        ``is_r``, else on the scale of ``yi``.
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = y.size
    labels = [str(i + 1) for i in range(k)] if labels is None else [str(x) for x in labels]
    crit = float(dist.norm_isf((1.0 - level / 100.0) / 2.0))
    tx = to_scale(is_r)
    w = 1.0 / (v + result.tau2) if result is not None else np.ones(k)
    wpct = 100.0 * w / w.sum()
    # layout: rows from the top; subgroup diamonds after their rows
    order, group_rows = list(range(k)), []
    if groups is not None:
        g = [str(x) for x in groups]
        levels = list(dict.fromkeys(g))
        order = [i for lev in levels for i in range(k) if g[i] == lev]
        group_rows = [(lev, [i for i in range(k) if g[i] == lev]) for lev in levels]
    n_lines = k + (len(group_rows) if groups is not None else 0) + 2
    height = min(max(3.0, 0.2 * n_lines + 1.6), 60.0)
    fig = new_figure(10.5, height)
    ax = fig.add_axes([0.26, 0.9 / height, 0.38, 1 - 1.6 / height])
    ypos_of = {}
    ypos = n_lines + 1.0
    label_rows, right_rows, pos_rows, weight_rows = [], [], [], []
    g_list = [str(x) for x in groups] if groups is not None else None
    for idx, i in enumerate(order):
        ypos -= 1.0
        ypos_of[i] = ypos
        lo, hi = y[i] - crit * math.sqrt(v[i]), y[i] + crit * math.sqrt(v[i])
        ax.plot(tx([lo, hi]), [ypos, ypos], color="black", lw=0.9, gid=f"ci-{i}")
        # square markers stay square on screen; area proportional to the weight
        size = 2.0 + 7.0 * math.sqrt(wpct[i] / wpct.max())
        ax.plot([float(tx(y[i]))], [ypos], marker="s", ms=size, color="black", ls="none", gid=f"box-{i}")
        label_rows.append(labels[i])
        right_rows.append(interval_text(float(tx(y[i])), float(tx(lo)), float(tx(hi))))
        pos_rows.append(ypos)
        weight_rows.append(wpct[i])
        last_in_group = g_list is not None and (idx == k - 1 or g_list[order[idx + 1]] != g_list[i])
        if last_in_group:
            lev = g_list[i]
            members = [j for j in range(k) if g_list[j] == lev]
            ypos -= 1.0
            sub = (subgroup_results or {}).get(lev)
            if sub is not None:
                diamond(ax, float(tx(sub.estimate)), float(tx(sub.ci_lb)), float(tx(sub.ci_ub)), ypos,
                         gid=f"subgroup-{lev}", color="dimgray")
                label_rows.append(f"{lev} (k = {len(members)})")
                right_rows.append(interval_text(float(tx(sub.estimate)), float(tx(sub.ci_lb)), float(tx(sub.ci_ub))))
                pos_rows.append(ypos)
                weight_rows.append(float(wpct[members].sum()))
    if result is None:
        ax.axvline(0.0, color="black", lw=0.7)
        text_columns(fig, ax, label_rows, right_rows, pos_rows)
        ax.set_ylim(ypos - 0.5, n_lines + 1.5)
        ax.set_yticks([])
        for spine in ("left", "right", "top"):
            ax.spines[spine].set_visible(False)
        ax.set_xlabel(axis_label(is_r))
        ax.set_title(title or f"k = {k}; not pooled", fontsize=9, loc="left")
        return fig
    ypos -= 1.5
    diamond(ax, float(tx(result.estimate)), float(tx(result.ci_lb)), float(tx(result.ci_ub)), ypos, gid="pooled")
    model = "Fixed-effect model" if result.method == "FE" else f"Random-effects model ({result.method})"
    label_rows.append(model)
    right_rows.append(interval_text(float(tx(result.estimate)), float(tx(result.ci_lb)), float(tx(result.ci_ub))))
    pos_rows.append(ypos)
    weight_rows.append(100.0)
    if show_pi and result.pi_lb is not None:
        ypos -= 1.0
        ax.plot(tx([result.pi_lb, result.pi_ub]), [ypos, ypos], color="black", lw=2.5, solid_capstyle="butt", gid="pi")
        label_rows.append(f"{level:g}% prediction interval")
        right_rows.append(f"      [{float(tx(result.pi_lb)):5.2f}, {float(tx(result.pi_ub)):5.2f}]")
        pos_rows.append(ypos)
        weight_rows.append(float("nan"))
    ax.axvline(float(tx(result.estimate)), color="gray", lw=0.7, ls="--")
    ax.axvline(0.0, color="black", lw=0.7)
    text_columns(fig, ax, label_rows, right_rows, pos_rows, weights=weight_rows)
    ax.set_ylim(ypos - 1.0, n_lines + 1.5)
    ax.set_yticks([])
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.set_xlabel(axis_label(is_r))
    heading = title or f"k = {k}; tau^2 = {result.tau2:.4f}, I^2 = {result.I2:.1f}%"
    ax.set_title(heading, fontsize=9, loc="left")
    return fig


def _estimate_rows(est, lb, ub, labels, *, reference: float | None, is_r: bool, xlabel: str, title: str | None,
                   headers=("Study", "Estimate [95% CI]")):
    """A forest of model estimates (cumulative or leave-one-out): one diamond-less row each."""
    tx = to_scale(is_r)
    k = len(est)
    height = min(max(3.0, 0.2 * k + 1.8), 60.0)
    fig = new_figure(9.0, height)
    ax = fig.add_axes([0.3, 0.9 / height, 0.38, 1 - 1.6 / height])
    ypos = np.arange(k, 0, -1, dtype=float)
    right = []
    for i in range(k):
        ax.plot(tx([lb[i], ub[i]]), [ypos[i], ypos[i]], color="black", lw=0.9, gid=f"ci-{i}")
        ax.plot([float(tx(est[i]))], [ypos[i]], marker="s", color="black", ms=4, gid=f"box-{i}")
        right.append(interval_text(float(tx(est[i])), float(tx(lb[i])), float(tx(ub[i]))))
    if reference is not None:
        ax.axvline(float(tx(reference)), color="gray", lw=0.8, ls="--", gid="reference")
    text_columns(fig, ax, labels, right, list(ypos), header_left=headers[0], header_right=headers[1])
    ax.set_ylim(0.3, k + 1.6)
    ax.set_yticks([])
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=9, loc="left")
    return fig


def cumulative_forest(cum, labels: Sequence | None = None, *, title: str | None = None):
    """Cumulative forest plot: row j is the pooled estimate after adding the j-th row.

    Parameters
    ----------
    cum : CumulativeResult
        From :func:`alliance_meta.engine.cumulative`.
    labels : sequence, optional
        Label of each input row (in input order); each plotted row is labelled
        "+ label (order value)".

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = cum.estimate.size
    base = [str(i + 1) for i in range(k)] if labels is None else [str(x) for x in labels]
    labs = [f"+ {base[cum.order[j]]}" + (f" ({cum.order_values[j]})" if cum.order_by else "") for j in range(k)]
    return _estimate_rows(cum.estimate, cum.ci_lb, cum.ci_ub, labs, reference=float(cum.estimate[-1]), is_r=cum.is_r,
                          xlabel=axis_label(cum.is_r, "Cumulative estimate"), title=title,
                          headers=("Added", "Estimate [95% CI]"))


def leave1out_plot(l1o, labels: Sequence | None = None, *, level: float = 95.0, title: str | None = None):
    """Leave-one-out plot: row i is the pooled estimate with row i left out; the dashed
    line is the full estimate.

    Returns
    -------
    matplotlib.figure.Figure
    """
    k = l1o.estimate.size
    labs = [str(i + 1) for i in range(k)] if labels is None else [str(x) for x in labels]
    lb = l1o.estimate - Z95 * l1o.se
    ub = l1o.estimate + Z95 * l1o.se
    return _estimate_rows(l1o.estimate, lb, ub, [f"without {x}" for x in labs], reference=l1o.full_estimate,
                          is_r=l1o.is_r, xlabel=axis_label(l1o.is_r, "Estimate without the row"), title=title,
                          headers=("Left out", "Estimate [95% CI]"))



__all__ = ["forest", "cumulative_forest", "leave1out_plot"]
