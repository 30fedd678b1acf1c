"""Figures of a meta-analysis: forest, contour-enhanced funnel, cumulative forest, bubble,
leave-one-out and evidence-gap map.

Every function returns a :class:`matplotlib.figure.Figure` with a white background and
leaves saving to the caller. matplotlib is imported inside the functions, so importing
this module (or starting the command line) costs nothing. When the input was r
(``is_r=True``), the models work on Fisher z and the axes show r: points and interval
ends are back-transformed with tanh (funnel plots keep the z axis, whose geometry the
contours need, and add an r axis on top).

Drawn elements carry a ``gid`` so that tests and readers can find them: ``ci-<i>`` for the
interval of row i, ``box-<i>`` for its square, ``pooled`` for the summary diamond,
``pi`` for the prediction interval, ``subgroup-<name>`` for subgroup diamonds,
``study`` / ``filled`` for funnel points.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from . import distributions as dist

_Z95 = 1.959963984540054


def _figure(width: float, height: float):
    """A white figure not attached to pyplot (no global state, no GUI backend needed)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), facecolor="white")


def _tx(is_r: bool):
    return np.tanh if is_r else (lambda x: np.asarray(x, dtype=float))


def _fmt(est: float, lb: float, ub: float) -> str:
    return f"{est:5.2f} [{lb:5.2f}, {ub:5.2f}]"


def _diamond(ax, centre: float, lb: float, ub: float, ypos: float, gid: str, height: float = 0.4,
             color: str = "black"):
    from matplotlib.patches import Polygon

    verts = np.array([[lb, ypos], [centre, ypos + height], [ub, ypos], [centre, ypos - height]])
    patch = Polygon(verts, closed=True, facecolor=color, edgecolor=color, gid=gid)
    ax.add_patch(patch)
    return patch


def _axis_label(is_r: bool, what: str = "Effect size") -> str:
    return "Correlation r (back-transformed from Fisher z)" if is_r else what


def _text_columns(fig, ax, labels, right_text, ypos, header_left="Study", header_right="Estimate [95% CI]",
                  weights=None):
    """Labels to the left of the axes, estimates (and weights) to the right, one per row."""
    import matplotlib.transforms as mtrans

    left = mtrans.blended_transform_factory(ax.transAxes, ax.transData)
    for y, lab in zip(ypos, labels):
        ax.text(-0.02, y, str(lab), transform=left, ha="right", va="center", fontsize=8, gid="label")
    for y, txt in zip(ypos, right_text):
        ax.text(1.02, y, txt, transform=left, ha="left", va="center", fontsize=8, family="monospace")
    if weights is not None:
        for y, w in zip(ypos, weights):
            if not np.isfinite(w):
                continue
            ax.text(1.5, y, f"{w:5.1f}%", transform=left, ha="left", va="center", fontsize=8, family="monospace")
    top = max(ypos) + 1.2 if len(ypos) else 1.0
    ax.text(-0.02, top, header_left, transform=left, ha="right", va="center", fontsize=8, weight="bold")
    ax.text(1.02, top, header_right, transform=left, ha="left", va="center", fontsize=8, weight="bold")
    if weights is not None:
        ax.text(1.5, top, "Weight", transform=left, ha="left", va="center", fontsize=8, weight="bold")


def forest(yi, vi, labels: Sequence | None = None, *, result=None, method: str = "REML", is_r: bool = False,
           groups: Sequence | None = None, level: float = 95.0, title: str | None = None,
           show_pi: bool = True):
    """Forest plot: one row per effect size with its CI, box area proportional to its
    weight, the pooled diamond, the prediction interval, and optional subgroup diamonds.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z for correlations).
    labels : sequence, optional
        Row labels (default ``1, 2, ...``).
    result : PoolResult, optional
        The pooled fit to draw (default: :func:`alliance_meta.models.pool` with ``method``).
    is_r : bool
        Draw on the r scale (tanh of the Fisher z values).
    groups : sequence, optional
        A subgroup per row: rows are drawn by subgroup (first appearance order), each
        followed by its own pooled diamond (subgroups of one row get none).

    Returns
    -------
    matplotlib.figure.Figure
        Rows top to bottom in input (or subgroup) order; x axis on the r scale when
        ``is_r``, else on the scale of ``yi``.
    """
    from .models import pool

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = y.size
    labels = [str(i + 1) for i in range(k)] if labels is None else [str(x) for x in labels]
    if result is None:
        result = pool(y, v, method=method, level=level)
    crit = float(dist.norm_isf((1.0 - level / 100.0) / 2.0))
    tx = _tx(is_r)
    w = 1.0 / (v + result.tau2)
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
    fig = _figure(10.5, height)
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
        right_rows.append(_fmt(float(tx(y[i])), float(tx(lo)), float(tx(hi))))
        pos_rows.append(ypos)
        weight_rows.append(wpct[i])
        last_in_group = g_list is not None and (idx == k - 1 or g_list[order[idx + 1]] != g_list[i])
        if last_in_group:
            lev = g_list[i]
            members = [j for j in range(k) if g_list[j] == lev]
            ypos -= 1.0
            if len(members) >= 2:
                sub = pool(y[members], v[members], method=method, level=level)
                _diamond(ax, float(tx(sub.estimate)), float(tx(sub.ci_lb)), float(tx(sub.ci_ub)), ypos,
                         gid=f"subgroup-{lev}", color="dimgray")
                label_rows.append(f"{lev} (k = {len(members)})")
                right_rows.append(_fmt(float(tx(sub.estimate)), float(tx(sub.ci_lb)), float(tx(sub.ci_ub))))
                pos_rows.append(ypos)
                weight_rows.append(float(wpct[members].sum()))
    ypos -= 1.5
    _diamond(ax, float(tx(result.estimate)), float(tx(result.ci_lb)), float(tx(result.ci_ub)), ypos, gid="pooled")
    model = "Fixed-effect model" if result.method == "FE" else f"Random-effects model ({result.method})"
    label_rows.append(model)
    right_rows.append(_fmt(float(tx(result.estimate)), float(tx(result.ci_lb)), float(tx(result.ci_ub))))
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
    _text_columns(fig, ax, label_rows, right_rows, pos_rows, weights=weight_rows)
    ax.set_ylim(ypos - 1.0, n_lines + 1.5)
    ax.set_yticks([])
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    ax.set_xlabel(_axis_label(is_r))
    heading = title or f"k = {k}; tau^2 = {result.tau2:.4f}, I^2 = {result.I2:.1f}%"
    ax.set_title(heading, fontsize=9, loc="left")
    return fig


def funnel(yi, vi, *, estimate: float | None = None, trimfill=None, is_r: bool = False,
           contours: Sequence[float] = (0.90, 0.95, 0.99), method: str = "REML", title: str | None = None):
    """Contour-enhanced funnel plot (Peters et al., 2008) with trim-and-fill points.

    The shaded regions mark where an effect would be significant at the given two-sided
    levels (around zero); the vertical line is the pooled estimate (and a dashed one the
    trim-and-fill estimate). Filled-in effects are drawn as open circles.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (Fisher z for correlations).
    estimate : float, optional
        Pooled estimate (default: REML fit).
    trimfill : TrimFillResult, optional
        From :func:`alliance_meta.bias.trim_and_fill`; its filled effects are added.
    is_r : bool
        Add an r axis on top of the Fisher z axis.

    Returns
    -------
    matplotlib.figure.Figure
        x: effect size (Fisher z for correlations), y: standard error, inverted.
    """
    y = np.asarray(yi, dtype=float)
    se = np.sqrt(np.asarray(vi, dtype=float))
    if estimate is None:
        from .models import pool

        estimate = pool(y, se ** 2, method=method).estimate
    fig = _figure(8.0, 5.0)
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
    ax.plot(estimate - _Z95 * s, s, color="black", lw=0.6, ls=":")
    ax.plot(estimate + _Z95 * s, s, color="black", lw=0.6, ls=":")
    ax.set_ylim(smax, 0.0)
    ax.set_xlim(-xmax, xmax)
    ax.set_ylabel("Standard error")
    ax.set_xlabel("Fisher z" if is_r else "Effect size")
    if is_r:
        top = ax.secondary_xaxis("top", functions=(np.tanh, np.arctanh))
        top.set_xlabel("r")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _estimate_rows(est, lb, ub, labels, *, reference: float | None, is_r: bool, xlabel: str, title: str | None,
                   headers=("Study", "Estimate [95% CI]")):
    """A forest of model estimates (cumulative or leave-one-out): one diamond-less row each."""
    tx = _tx(is_r)
    k = len(est)
    height = min(max(3.0, 0.2 * k + 1.8), 60.0)
    fig = _figure(9.0, height)
    ax = fig.add_axes([0.3, 0.9 / height, 0.38, 1 - 1.6 / height])
    ypos = np.arange(k, 0, -1, dtype=float)
    right = []
    for i in range(k):
        ax.plot(tx([lb[i], ub[i]]), [ypos[i], ypos[i]], color="black", lw=0.9, gid=f"ci-{i}")
        ax.plot([float(tx(est[i]))], [ypos[i]], marker="s", color="black", ms=4, gid=f"box-{i}")
        right.append(_fmt(float(tx(est[i])), float(tx(lb[i])), float(tx(ub[i]))))
    if reference is not None:
        ax.axvline(float(tx(reference)), color="gray", lw=0.8, ls="--", gid="reference")
    _text_columns(fig, ax, labels, right, list(ypos), header_left=headers[0], header_right=headers[1])
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
        From :func:`alliance_meta.sensitivity.cumulative`.
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
                          xlabel=_axis_label(cum.is_r, "Cumulative estimate"), title=title,
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
    lb = l1o.estimate - _Z95 * l1o.se
    ub = l1o.estimate + _Z95 * l1o.se
    return _estimate_rows(l1o.estimate, lb, ub, [f"without {x}" for x in labs], reference=l1o.full_estimate,
                          is_r=l1o.is_r, xlabel=_axis_label(l1o.is_r, "Estimate without the row"), title=title,
                          headers=("Left out", "Estimate [95% CI]"))


def bubble(yi, vi, x, *, result=None, moderator: str = "moderator", is_r: bool = False, method: str = "REML",
           title: str | None = None):
    """Bubble plot of a meta-regression on one numeric moderator.

    Each effect is a circle with area proportional to its random-effects weight; the line
    is the fitted regression with its 95% confidence band.

    Parameters
    ----------
    yi, vi, x : array_like
        Effect sizes, sampling variances and moderator values.
    result : MetaRegResult, optional
        The fit (default: :func:`alliance_meta.models.metareg` with ``method``).

    Returns
    -------
    matplotlib.figure.Figure
        y axis on the r scale when ``is_r`` (the line is back-transformed point by point).
    """
    from .models import metareg

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    xv = np.asarray(x, dtype=float)
    if result is None:
        result = metareg(y, v, {moderator: xv}, method=method)
    b0, b1 = result.coefficients[0].estimate, result.coefficients[1].estimate
    tx = _tx(is_r)
    w = 1.0 / (v + result.tau2)
    fig = _figure(6.5, 4.8)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.12, top=0.92)
    ax = fig.add_subplot(1, 1, 1)
    sizes = 400.0 * w / w.max()
    ax.scatter(xv, tx(y), s=sizes, facecolor="0.75", edgecolor="black", alpha=0.8, gid="bubbles")
    grid = np.linspace(xv.min(), xv.max(), 100)
    ax.plot(grid, tx(b0 + b1 * grid), color="black", lw=1.2, gid="fit")
    # pointwise band from the covariance of (b0, b1), recovered from the SEs and the fit
    X = np.column_stack([np.ones_like(xv), xv])
    cov = np.linalg.inv(X.T @ (X * w[:, None]))
    if result.test != "z":
        cov = cov * (result.coefficients[0].se ** 2 / cov[0, 0])
    G = np.column_stack([np.ones_like(grid), grid])
    se = np.sqrt(np.einsum("ij,jk,ik->i", G, cov, G))
    ax.fill_between(grid, tx(b0 + b1 * grid - _Z95 * se), tx(b0 + b1 * grid + _Z95 * se), color="0.85", zorder=0,
                    gid="band")
    ax.set_xlabel(moderator)
    ax.set_ylabel(_axis_label(is_r))
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def evidence_gap_map(counts, row_labels: Sequence | None = None, col_labels: Sequence | None = None, *,
                     title: str | None = None):
    """Evidence-gap map: a heat map of counts in a two-way table, each count printed.

    Parameters
    ----------
    counts : pandas.DataFrame or array_like (rows x columns)
        Counts (e.g. studies per cell, from :func:`alliance_meta.gaps.gap_counts`).
    row_labels, col_labels : sequence, optional
        Level names when ``counts`` is an array.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import pandas as pd

    from .gaps import gap_map

    if not isinstance(counts, pd.DataFrame):
        arr = np.asarray(counts)
        counts = pd.DataFrame(arr, index=row_labels if row_labels is not None else range(arr.shape[0]),
                              columns=col_labels if col_labels is not None else range(arr.shape[1]))
    fig = gap_map(counts, title=title)
    fig.patch.set_facecolor("white")
    return fig


def save(fig, path: str, dpi: int = 150) -> None:
    """Write ``fig`` to ``path`` (format from the suffix: .svg or .png) atomically: to a
    temporary file in the same folder, then renamed, so nothing half-written is left."""
    import os
    import tempfile

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not hasattr(fig.canvas, "print_figure"):
        FigureCanvasAgg(fig)
    folder = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1].lower()
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        fig.savefig(tmp, format=suffix.lstrip("."), dpi=dpi, facecolor="white", bbox_inches="tight")
        mask = os.umask(0)  # mkstemp makes the file private; give it the usual permissions
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


__all__ = ["forest", "funnel", "cumulative_forest", "leave1out_plot", "bubble", "evidence_gap_map", "save"]
