"""Published pooled estimates (``data/syntheses.csv``): a readable table and a chart.

Nothing here is re-estimated: the figures are those the meta-analyses printed, and each
row says whether it was read in the meta-analysis itself (``primary``) or only as quoted
by a later work (``secondary:<key>``).
"""

from __future__ import annotations

import math


def _year(refs, key) -> int:
    try:
        return int(refs[key].year[:4])
    except (KeyError, ValueError):
        return 0


def synthesis_table(frame, refs):
    """One row per published estimate, oldest first, with author–year labels.

    Returns
    -------
    pandas.DataFrame
        Columns ``synthesis``, ``year``, ``population``, ``subset``, ``k``, ``N``, ``r``,
        ``95% CI``, ``read in`` (the meta-analysis, or the later work that quotes it) and
        ``synthesis_id``. Empty cells stay empty: a figure that was not read is not filled in.
    """
    import pandas as pd

    from .bibliography import labels

    out = pd.DataFrame({
        "synthesis": labels(refs, list(frame["study"])),
        "year": [_year(refs, k) for k in frame["study"]],
        "population": frame["population"].to_numpy(),
        "subset": frame["subset"].to_numpy(),
        "k": frame["k_studies"].astype("Int64").array,
        "N": frame["n_participants"].astype("Int64").array,
        "r": frame["r"].to_numpy(),
        "95% CI": [f"[{lo:.2f}, {hi:.2f}]" if not (math.isnan(lo) or math.isnan(hi)) else ""
                   for lo, hi in zip(frame["ci_lb"].astype(float), frame["ci_ub"].astype(float))],
        "read in": ["the meta-analysis" if ev == "primary" else
                    "quoted by " + labels(refs, [ev.split(":", 1)[1]])[0] for ev in frame["evidence"]],
        "synthesis_id": frame["synthesis_id"].to_numpy(),
    })
    return out.sort_values(["year", "synthesis_id"], kind="stable").reset_index(drop=True)


def synthesis_figure(table, *, populations=("adult", "youth", "family", "couple", "parent")):
    """Published pooled correlations against publication year, with their intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`synthesis_table`; rows without ``r`` are skipped.

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
            primary = row["read in"] == "the meta-analysis"
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
