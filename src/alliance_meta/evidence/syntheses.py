"""Published pooled estimates (``data/syntheses.csv``) as a readable table (the chart is
:func:`alliance_meta.figures.synthesis_figure`).

Nothing here is re-estimated: the figures are those the meta-analyses printed, and each
row says what was read (``read_in``: the abstract, the full text, a table, or a later work
that quotes the figure, ``quoted_by:<key>``).
"""

from __future__ import annotations

import math


#: The coded fields shown beside each estimate: table name -> column of ``syntheses.csv``.
CODED = {"estimate type": "estimate_type", "dyad": "alliance_dyad", "alliance rater": "alliance_rater",
         "outcome": "outcome_domain", "setting": "setting"}


def synthesis_table(frame, refs):
    """One row per published estimate, oldest first, with author–year labels.

    Returns
    -------
    pandas.DataFrame
        Columns ``synthesis``, ``year``, ``population``, ``subset``, the coded fields in
        words (``estimate type``, ``dyad``, ``alliance rater``, ``outcome``, ``setting``;
        empty where the frame lacks them), ``k``, ``N``, ``r``
        (harmonised: positive = stronger alliance, better outcome), ``95% CI``, ``read in``
        (``abstract``, ``full text``, ``table``, or ``quoted by <label>`` for a figure read in a
        later work) and ``synthesis_id``. Empty cells stay empty: a figure that was not read,
        or a sign that could not be established, is not filled in.
    """
    import pandas as pd

    from .bibliography import labels, publication_year

    out = pd.DataFrame({
        "synthesis": labels(refs, list(frame["study"])),
        "year": [publication_year(refs, k) or 0 for k in frame["study"]],
        "population": frame["population"].to_numpy(),
        "subset": frame["subset"].to_numpy(),
        **{name: (frame[col].astype(object).where(frame[col].notna(), "").astype(str).str.replace("_", " ").to_numpy()
                  if col in frame else [""] * len(frame))
           for name, col in CODED.items()},
        "k": frame["k_studies"].astype("Int64").array,
        "N": frame["n_participants"].astype("Int64").array,
        "r": frame["r"].to_numpy(),
        "95% CI": [f"[{lo:.2f}, {hi:.2f}]" if not (math.isnan(lo) or math.isnan(hi)) else ""
                   for lo, hi in zip(frame["ci_lb"].astype(float), frame["ci_ub"].astype(float))],
        "read in": ["quoted by " + labels(refs, [ev.split(":", 1)[1]])[0] if ev.startswith("quoted_by:")
                    else ev.replace("_", " ") for ev in frame["read_in"]],
        "synthesis_id": frame["synthesis_id"].to_numpy(),
    })
    return out.sort_values(["year", "synthesis_id"], kind="stable").reset_index(drop=True)
