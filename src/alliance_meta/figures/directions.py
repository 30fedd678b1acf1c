"""Figures of a synthesis by direction of effect: the effect direction plot (Thomson &
Thomas 2013; Hilton Boon & Thomson 2021) and a harvest-style summary of the counts by
outcome domain.

Both draw what they are given (labels, or the engine's results from
:mod:`alliance_meta.engine.directions`); neither counts by a rule of its own nor fits
anything. Each returns a white :class:`matplotlib.figure.Figure`; every mark has a ``gid``
(``direction-<label>`` for a cell of the plot, ``harvest-<label>`` for a bar) so that tests
and accessibility checks can find them, and :func:`direction_alt_text` words what the plot
shows for a figure's alt text.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

#: The four labels in the order of legends and bars.
LABELS = ("favours", "against", "no_clear_direction", "not_reported")
#: Marker, face colour and legend text of each direction. Shapes differ as well as colours,
#: so that the plot reads in grey scale and for colour-blind readers.
STYLE = {
    "favours": dict(marker="^", face="#1b6b3a", edge="#1b6b3a", text="favours (stronger alliance, better outcome)"),
    "against": dict(marker="v", face="#a23b2a", edge="#a23b2a", text="against (stronger alliance, worse outcome)"),
    "no_clear_direction": dict(marker="o", face="white", edge="#333333", text="no clear direction (mixed or null)"),
    "not_reported": dict(marker="x", face="#888888", edge="#888888", text="not reported (\u201cnot significant\u201d only)"),
}


def _unpack(samples, domains, directions):
    """Accept a :class:`~alliance_meta.engine.directions.Prioritised` as the first argument."""
    if directions is None and hasattr(samples, "directions"):
        return list(samples.samples), list(samples.domains), list(samples.directions)
    if domains is None or directions is None:
        raise ValueError("give samples, domains and directions (or one Prioritised result)")
    return list(samples), list(domains), list(directions)


def _check_labels(directions) -> None:
    for d in directions:
        if d not in LABELS:
            raise ValueError(f"'{d}' is not a direction ({', '.join(LABELS)})")


def effect_direction_plot(samples, domains=None, directions=None, *, n=None, groups=None,
                          domain_order: Sequence | None = None, group_order: Sequence | None = None,
                          sample_labels: Mapping | None = None, title: str | None = None):
    """The effect direction plot: samples as rows (with their n), outcome domains as
    columns, the direction of each sample in each domain as a symbol.

    Parameters
    ----------
    samples, domains, directions : sequence of str
        One entry per unit (a sample in a domain), aligned; or a single
        :class:`~alliance_meta.engine.directions.Prioritised` as ``samples``. Each
        (sample, domain) may appear once: reduce several results first with
        :func:`~alliance_meta.engine.directions.prioritise_directions`.
    n : sequence or mapping, optional
        Sample sizes: aligned with the units, or a mapping sample -> n. The first non-empty
        value of a sample is shown; a sample without one shows ``n = ?`` (not printed).
    groups : sequence or mapping, optional
        A grouping of the rows (setting, rater ...): aligned with the units, or a mapping
        sample -> group. Rows are shown under a heading per group.
    domain_order, group_order : sequence, optional
        Column and group order (default: order of first appearance).
    sample_labels : mapping, optional
        Text to show for a sample instead of its id.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        White background; one marker per unit (``gid`` ``direction-<label>``): an up
        triangle where the stronger alliance went with the better outcome, a down triangle
        for the worse, an open circle for no clear direction, a grey cross for a direction
        not reported; a legend beneath.

    Raises
    ------
    ValueError
        An unknown direction, misaligned inputs, or a (sample, domain) given twice.
    """
    from matplotlib.lines import Line2D

    from ..engine.wording import printable
    from .base import new_figure

    samples, domains, directions = _unpack(samples, domains, directions)
    if not len(samples) == len(domains) == len(directions):
        raise ValueError("samples, domains and directions must have one value per unit")
    _check_labels(directions)
    n_of = _per_sample(samples, n, "n")
    group_of = _per_sample(samples, groups, "groups")
    cells = {}
    for s, d, lab in zip(samples, domains, directions):
        if (s, d) in cells:
            raise ValueError(f"sample '{s}' has two directions in domain '{d}'; reduce them first "
                             "(prioritise_directions)")
        cells[(s, d)] = lab
    cols = list(dict.fromkeys(domain_order or [])) + [d for d in dict.fromkeys(domains) if d not in (domain_order or [])]
    order = list(dict.fromkeys(samples))
    if groups is not None:
        levels = list(dict.fromkeys(group_order or [])) + [g for g in dict.fromkeys(group_of.get(s) for s in order)
                                                            if g not in (group_order or [])]
    else:
        levels = [None]
    # rows from the top: a heading per group, then its samples in order of first appearance
    layout = []
    for lev in levels:
        members = [s for s in order if groups is None or group_of.get(s) == lev]
        if not members:
            continue
        if groups is not None:
            layout.append(("heading", lev))
        layout.extend(("sample", s) for s in members)
    nrows = len(layout)
    fig = new_figure(max(5.5, 2.6 + 0.95 * len(cols)), 1.9 + 0.28 * max(nrows, 1))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor("white")
    ypos = {i: nrows - 1 - i for i in range(nrows)}
    ticks, ticklabels = [], []
    for i, (kind, what) in enumerate(layout):
        y = ypos[i]
        if kind == "heading":
            ax.text(-0.6, y, printable("(no group)" if what is None else str(what).replace("_", " ")),
                    ha="right", va="center", fontsize=8.5, weight="bold", parse_math=False, gid="group-heading")
            if i:
                ax.axhline(y + 0.5, color="0.8", lw=0.6)  # a rule between groups
            continue
        shown = (sample_labels or {}).get(what, what)
        size = n_of.get(what)
        ticks.append(y)
        ticklabels.append(printable(f"{shown} (n = {_n_text(size)})"))
        for j, d in enumerate(cols):
            lab = cells.get((what, d))
            if lab is None:
                continue
            st = STYLE[lab]
            ax.add_line(Line2D([j], [y], marker=st["marker"], markersize=8, linestyle="none",
                               markerfacecolor=st["face"], markeredgecolor=st["edge"], markeredgewidth=1.2,
                               gid=f"direction-{lab}"))
    ax.set_yticks(ticks, ticklabels, fontsize=8)
    for t in ax.get_yticklabels():
        t.set_parse_math(False)
    ax.set_xticks(range(len(cols)), [printable(str(c).replace("_", " ")) for c in cols], rotation=30, ha="left",
                  rotation_mode="anchor", fontsize=8.5)
    ax.set_xlim(-0.6, len(cols) - 0.4)
    ax.set_ylim(-0.6, nrows - 0.4)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    ax.tick_params(axis="y", length=0)
    for x in range(len(cols) - 1):
        ax.axvline(x + 0.5, color="0.9", lw=0.6)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    handles = [Line2D([], [], marker=STYLE[lab]["marker"], linestyle="none", markersize=8,
                      markerfacecolor=STYLE[lab]["face"], markeredgecolor=STYLE[lab]["edge"], label=STYLE[lab]["text"])
               for lab in LABELS]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=7.5, frameon=False)
    if title:
        fig.suptitle(printable(title), fontsize=10)
    fig.tight_layout()
    return fig


def direction_harvest(counts, directions=None, *, order: Sequence | None = None, title: str | None = None):
    """A harvest-style summary: bars of the number of units in each direction, per domain.

    Parameters
    ----------
    counts : mapping or sequence
        Either a mapping domain -> :class:`~alliance_meta.engine.directions.DirectionsResult`
        (as :func:`~alliance_meta.engine.directions.count_by` returns; the proportion
        favouring and its interval are then written under each domain), or a mapping domain
        -> dict with the keys ``favours, against, unclear, not_reported``; or a sequence of
        domains aligned with ``directions``.
    directions : sequence of str, optional
        The direction of each unit, when ``counts`` is a sequence of domains.
    order : sequence, optional
        Domain order (default: as given).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        White background; four bars per domain (``gid`` ``harvest-<label>``, height = count,
        the count printed above), a legend, and under each domain its proportion favouring
        ``x/n, p [lb, ub]`` when results with intervals are given.
    """
    from ..engine.wording import printable
    from .base import new_figure

    table, results = _harvest_table(counts, directions)
    domains = list(dict.fromkeys(order or [])) + [d for d in table if d not in (order or [])]
    fig = new_figure(max(5.5, 1.5 + 1.25 * len(domains)), 4.6)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor("white")
    width = 0.2
    top = max([max(table.get(d, {}).values(), default=0) for d in domains] + [1])
    for k, lab in enumerate(LABELS):
        key = "unclear" if lab == "no_clear_direction" else lab
        st = STYLE[lab]
        for j, d in enumerate(domains):
            h = int(table.get(d, {}).get(key, 0))
            x = j + (k - 1.5) * width
            ax.bar(x, h, width=width * 0.92, color={"no_clear_direction": "white", "not_reported": "#d0d0d0"}.get(
                   lab, st["face"]), edgecolor=st["edge"] if lab != "not_reported" else "#555555",
                   hatch="///" if lab == "not_reported" else None, gid=f"harvest-{lab}",
                   label=st["text"] if j == 0 else None)
            ax.text(x, h + top * 0.02, str(h), ha="center", va="bottom", fontsize=7.5)
    labels = []
    for d in domains:
        text = str(d).replace("_", " ")
        res = results.get(d)
        if res is not None and getattr(res, "proportion", None) is not None:
            text += f"\n{res.favours}/{res.favours + res.against} favour\n{res.proportion:.2f} [{res.ci_lb:.2f}, {res.ci_ub:.2f}]"
        elif res is not None:
            text += "\nno direction"
        labels.append(printable(text, keep="\n"))
    ax.set_xticks(range(len(domains)), labels, fontsize=8)
    for t in ax.get_xticklabels():
        t.set_parse_math(False)
    ax.set_ylim(0, top * 1.18)
    ax.set_ylabel("Samples (units) in each direction")
    ax.yaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if results:
        ax.set_xlabel("Outcome domain: favouring / with a direction; proportion [95% Wilson CI]", fontsize=8)
    ax.legend(fontsize=7.5, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3 if results else -0.12),
              ncol=2)
    if title:
        ax.set_title(printable(title), fontsize=10)
    fig.tight_layout()
    return fig


def direction_alt_text(samples, domains=None, directions=None, *, what: str = "samples") -> str:
    """One sentence for a figure's alt text: how many units, samples and domains the effect
    direction plot shows and how many point each way (counted from the same inputs).

    Returns
    -------
    str
    """
    samples, domains, directions = _unpack(samples, domains, directions)
    _check_labels(directions)
    c = {lab: directions.count(lab) for lab in LABELS}
    return (f"Effect direction plot of {len(set(samples))} {what} in {len(set(domains))} outcome domains "
            f"({len(directions)} sample-domain results): {c['favours']} favour (up triangles), {c['against']} go "
            f"against (down triangles), {c['no_clear_direction']} have no clear direction (open circles) and "
            f"{c['not_reported']} report none (crosses).")


def _harvest_table(counts, directions):
    """domain -> {favours, against, unclear, not_reported}, and domain -> result (if given)."""
    keys = ("favours", "against", "unclear", "not_reported")
    if directions is not None:
        domains = list(counts)
        directions = list(directions)
        if len(domains) != len(directions):
            raise ValueError("domains and directions must be aligned")
        _check_labels(directions)
        table: dict = {}
        for d, lab in zip(domains, directions):
            row = table.setdefault(d, dict.fromkeys(keys, 0))
            row["unclear" if lab == "no_clear_direction" else lab] += 1
        return table, {}
    if not isinstance(counts, Mapping):
        raise ValueError("give a mapping domain -> result (or counts), or domains with directions")
    table, results = {}, {}
    for d, res in counts.items():
        if hasattr(res, "to_dict"):
            results[d] = res
            res = res.to_dict()
        table[d] = {k: int(res.get(k, 0)) for k in keys}
    return table, results


def _per_sample(samples, values, name: str) -> dict:
    """A value per sample from an aligned sequence (first non-empty wins) or a mapping."""
    if values is None:
        return {}
    if isinstance(values, Mapping):
        return dict(values)
    values = list(values)
    if len(values) != len(samples):
        raise ValueError(f"{name} must be aligned with the units (or a mapping sample -> value)")
    out: dict = {}
    for s, v in zip(samples, values):
        if s not in out or _empty(out[s]):
            out[s] = v
    return out


def _empty(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() in ("", "NA")


def _n_text(v) -> str:
    if _empty(v):
        return "?"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return str(int(f)) if f == int(f) else str(v)
