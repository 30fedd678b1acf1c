"""Combining dependent correlations within a sample into one effect size.

Rows of ``data/effect_sizes.csv`` that share ``sample`` come from the same participants
(several raters, outcomes or time points). Before a model that assumes independence, they
are averaged on the Fisher z scale. The variance of that mean is taken as if the
correlations were perfectly correlated with one another: (mean of the standard errors)^2,
the conservative bound of the composite of multiple outcomes in Borenstein, Hedges,
Higgins & Rothstein (2009) when the correlation between outcomes is set to 1. The three-level model
(:mod:`alliance_meta.engine.multilevel`) is the alternative that keeps every row.
"""

from __future__ import annotations

import numpy as np


def by_sample(frame, r: str = "r", n: str = "n", sample: str = "sample", keep: tuple[str, ...] = ()):
    """One row per sample: mean Fisher z, its conservative variance, and kept columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        Effect sizes with columns ``r``, ``n`` and ``sample``.
    keep : tuple of str
        Columns to carry over; a column whose value differs within a sample becomes "mixed".

    Returns
    -------
    pandas.DataFrame
        Columns ``sample``, ``k_rows``, ``yi`` (mean z), ``vi`` ((mean SE)^2),
        ``r`` (tanh of ``yi``), ``n`` (largest n in the sample) and the ``keep`` columns,
        in order of first appearance.
    """
    import pandas as pd

    z = np.arctanh(frame[r].to_numpy(dtype=float))
    se = 1.0 / np.sqrt(frame[n].to_numpy(dtype=float) - 3.0)
    work = pd.DataFrame({"sample": frame[sample].to_numpy(), "z": z, "se": se,
                         "n": frame[n].to_numpy(dtype=float)})
    for col in keep:
        work[col] = frame[col].to_numpy()
    grouped = work.groupby("sample", sort=False)
    out = pd.DataFrame({
        "sample": list(grouped.groups.keys()),
        "k_rows": grouped.size().to_numpy(),
        "yi": grouped["z"].mean().to_numpy(),
        "vi": grouped["se"].mean().to_numpy() ** 2,
        "n": grouped["n"].max().to_numpy().astype(int),
    })
    out["r"] = np.tanh(out["yi"])
    for col in keep:
        vals = grouped[col].agg(lambda s: s.iloc[0] if s.nunique(dropna=False) == 1 else "mixed")
        out[col] = vals.to_numpy()
    return out
