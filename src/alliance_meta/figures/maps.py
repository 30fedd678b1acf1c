"""Maps of the evidence: where studies are (a two-way heat map of counts) and what the
published meta-analyses printed (their pooled correlations by year).

Both take tables the evidence layer builds; neither computes a statistic.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def evidence_gap_map(counts, row_labels: Sequence | None = None, col_labels: Sequence | None = None, *,
                     title: str | None = None):
    """Evidence-gap map: a heat map of counts in a two-way table, each count printed.

    Parameters
    ----------
    counts : pandas.DataFrame or array_like (rows x columns)
        Counts (e.g. studies per cell, from :func:`alliance_meta.evidence.gap_counts`).
    row_labels, col_labels : sequence, optional
        Level names when ``counts`` is an array.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import pandas as pd

    if not isinstance(counts, pd.DataFrame):
        arr = np.asarray(counts)
        counts = pd.DataFrame(arr, index=row_labels if row_labels is not None else range(arr.shape[0]),
                              columns=col_labels if col_labels is not None else range(arr.shape[1]))
    fig = _heat_map(counts, title=title)
    fig.patch.set_facecolor("white")
    return fig


def _heat_map(table, *, title: str | None = None):
    """Draw a gap-count table as a heat map with the count written in every cell.

    Returns
    -------
    matplotlib.figure.Figure
        White background; grey scale from white (no study) to dark, counts printed in each
        cell (white text on dark cells), row and column levels as tick labels.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    values = table.to_numpy(dtype=float)
    rows, cols = values.shape
    fig, ax = plt.subplots(figsize=(0.95 * cols + 3.2, 0.62 * rows + 2.2), facecolor="white")
    top = max(values.max(), 1.0)
    ax.imshow(values, cmap="Greys", vmin=0, vmax=top * 1.25, aspect="auto")
    for i in range(rows):
        for j in range(cols):
            v = int(values[i, j])
            ax.text(j, i, str(v), ha="center", va="center", fontsize=9,
                    color="white" if v > 0.6 * top else "black")
    ax.set_xticks(np.arange(cols), [str(c).replace("_", " ") for c in table.columns], rotation=30, ha="right")
    ax.set_yticks(np.arange(rows), [str(r) for r in table.index])
    ax.set_xlabel(str(table.columns.name or "").replace("_", " "))
    ax.set_ylabel(str(table.index.name or "").replace("_", " "))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def synthesis_figure(table, *, populations=("adult", "youth", "family", "couple", "parent")):
    """Published pooled correlations against publication year, with their intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`alliance_meta.evidence.synthesis_table`; rows without ``r`` are skipped.

    Returns
    -------
    matplotlib.figure.Figure
        One marker per estimate (shape by population, hollow when only quoted by a later
        work), horizontal offsets within a year so that markers do not overlap, vertical
        lines for published 95% intervals. White background.
    """
    import matplotlib.pyplot as plt  # the active backend: inline in a notebook, Agg headless
    from matplotlib.lines import Line2D

    markers = dict(zip(populations, "osD^v"))
    shown = table[table["r"].notna()].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 4.8), facecolor="white")
    ax.set_facecolor("white")
    offsets: dict[int, int] = {}
    handles = []
    for pop in populations:
        part = shown[shown["population"] == pop]
        if part.empty:
            continue
        for _, row in part.iterrows():
            j = offsets.get(row["year"], 0)
            offsets[row["year"]] = j + 1
            x = row["year"] + 0.25 * j
            primary = not str(row["read in"]).startswith("quoted by")
            if row["95% CI"]:
                lo, hi = (float(v) for v in row["95% CI"].strip("[]").split(","))
                ax.vlines(x, lo, hi, color="0.35", lw=1)
            ax.plot(x, row["r"], markers[pop], ms=7, mec="black", mfc="black" if primary else "white", ls="none")
        # The legend shows shapes only; fill is explained by its own entry, so the first
        # marker's fill does not stand for a whole population.
        handles.append(Line2D([], [], marker=markers[pop], color="black", ls="none", ms=7, label=pop))
    handles.append(Line2D([], [], marker="o", mec="black", mfc="white", ls="none", ms=7,
                          label="hollow: quoted by a later work"))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("Year of publication")
    ax.set_ylabel("Published pooled r")
    ax.legend(handles=handles, title="Population", fontsize=8, title_fontsize=8, frameon=False, loc="lower left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


__all__ = ["evidence_gap_map", "synthesis_figure"]
