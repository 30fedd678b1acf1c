"""Agreement between two independent codings of the same effect sizes.

The second pass (``data/reliability/second_pass.csv``) re-codes a subset of studies from
their sources by a coder who had not seen the first pass. Rows are matched on ``es_id``
(the merge step gives a second-pass row the id of the first-pass row it codes, or a new
id when the first pass has no such row). Categories are compared with Cohen's kappa, the
correlations with the mean absolute difference and the single-rater absolute-agreement
intraclass correlation ICC(A,1) of McGraw & Wong (1996).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CATEGORIES = ("es_method", "alliance_dyad", "alliance_rater", "alliance_timing", "outcome_rater",
              "outcome_domain", "population", "referral", "design")


def cohen_kappa(a, b) -> float:
    """Cohen's kappa for two raters' nominal codes of the same items.

    Returns
    -------
    float
        (p_o - p_e) / (1 - p_e); 1.0 when both raters used one and the same category
        throughout (perfect agreement with no chance to disagree), NaN for no items.
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    if a.shape != b.shape:
        raise ValueError("both codings need the same number of items")
    if a.size == 0:
        return float("nan")
    p_o = float(np.mean(a == b))
    levels = sorted(set(a.tolist()) | set(b.tolist()), key=str)
    p_e = sum(float(np.mean(a == lv)) * float(np.mean(b == lv)) for lv in levels)
    if p_e == 1.0:
        return 1.0
    return (p_o - p_e) / (1.0 - p_e)


def icc_a1(x, y) -> float:
    """Two-way, absolute-agreement, single-measure ICC(A,1) for two raters.

    Returns
    -------
    float
        (MS_R - MS_E) / (MS_R + MS_E + 2 (MS_C - MS_E) / n) from the two-way ANOVA of the
        n x 2 table (McGraw & Wong, 1996, case A,1); NaN for fewer than two items.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = x.size
    if n < 2:
        return float("nan")
    table = np.column_stack([x, y])
    grand = table.mean()
    ms_r = 2.0 * np.sum((table.mean(axis=1) - grand) ** 2) / (n - 1)
    ms_c = n * np.sum((table.mean(axis=0) - grand) ** 2)  # k - 1 = 1 column degree of freedom
    resid = table - table.mean(axis=1, keepdims=True) - table.mean(axis=0, keepdims=True) + grand
    ms_e = np.sum(resid ** 2) / (n - 1)
    denom = ms_r + ms_e + 2.0 * (ms_c - ms_e) / n
    return float((ms_r - ms_e) / denom) if denom > 0 else float("nan")


@dataclass
class Agreement:
    """Agreement of a second coding pass with the first."""

    studies: int
    matched: int
    first_only: int
    second_only: int
    r_mad: float
    r_max_diff: float
    r_icc: float
    r_exact: float
    n_exact: float
    kappa: dict

    def kappa_table(self):
        """Cohen's kappa and raw agreement per category, as a DataFrame."""
        import pandas as pd

        return pd.DataFrame([{"column": k, "kappa": v[0], "agreement": v[1]} for k, v in self.kappa.items()])


def agreement(first, second, columns=CATEGORIES) -> Agreement:
    """Compare the first-pass rows of the double-coded studies with the second pass.

    Parameters
    ----------
    first, second : pandas.DataFrame
        ``effect_sizes`` and ``second_pass`` tables (see :mod:`alliance_meta.evidence.dataset`).

    Returns
    -------
    Agreement
        Counts of matched and unmatched rows, mean and largest absolute difference in r,
        ICC(A,1) for r, the share of identical r and n, and per category Cohen's kappa and
        raw agreement on the matched rows.
    """
    studies = set(second["study"])
    mine = first[first["study"].isin(studies)]
    both = mine.merge(second, on="es_id", suffixes=("_1", "_2"))
    diff = np.abs(both["r_1"].to_numpy(float) - both["r_2"].to_numpy(float))
    kappa = {}
    def codes(column):  # an empty cell is a code of its own ("not reported"), equal in both passes
        values = both[column].astype(object)
        return values.where(values.notna(), "").astype(str).to_numpy()

    for col in columns:
        a, b = codes(f"{col}_1"), codes(f"{col}_2")
        kappa[col] = (cohen_kappa(a, b), float(np.mean(a == b)) if len(a) else float("nan"))
    return Agreement(
        studies=len(studies),
        matched=len(both),
        first_only=int((~mine["es_id"].isin(second["es_id"])).sum()),
        second_only=int((~second["es_id"].isin(mine["es_id"])).sum()),
        r_mad=float(diff.mean()) if len(diff) else float("nan"),
        r_max_diff=float(diff.max()) if len(diff) else float("nan"),
        r_icc=icc_a1(both["r_1"], both["r_2"]),
        r_exact=float(np.mean(diff < 5e-5)) if len(diff) else float("nan"),
        n_exact=float(np.mean(both["n_1"].to_numpy(float) == both["n_2"].to_numpy(float))) if len(both) else float("nan"),
        kappa=kappa,
    )


#: Categorical codes of ``syntheses.csv`` compared by Cohen's kappa.
SYNTHESIS_CATEGORIES = ("population", "estimate_type", "alliance_dyad", "alliance_rater", "outcome_domain",
                        "setting", "model")
#: Figures of ``syntheses.csv`` compared for exact agreement (equal numbers, or both empty).
SYNTHESIS_FIGURES = ("k_studies", "n_participants", "r_printed", "r", "ci_lb", "ci_ub")


def synthesis_agreement(first, second, categories=SYNTHESIS_CATEGORIES, figures=SYNTHESIS_FIGURES):
    """Agreement of a blind second coding of published estimates with the first.

    Rows are matched on ``synthesis_id`` (the second coder was told which estimates to find,
    not their values).

    Returns
    -------
    pandas.DataFrame
        One row per field: ``field``, ``kind`` (``kappa`` or ``exact``), ``rows`` (matched rows),
        ``agreement`` (share of rows with the same code or figure; an empty cell in both
        passes agrees) and ``kappa`` (Cohen's kappa for categorical fields, NaN for figures).
    """
    import pandas as pd

    both = first.merge(second, on="synthesis_id", suffixes=("_1", "_2"))
    out = []

    def codes(column):
        values = both[column].astype(object)
        return values.where(values.notna(), "").astype(str).to_numpy()

    for col in categories:
        a, b = codes(f"{col}_1"), codes(f"{col}_2")
        out.append({"field": col, "kind": "kappa", "rows": len(both),
                    "agreement": float(np.mean(a == b)) if len(a) else float("nan"), "kappa": cohen_kappa(a, b)})
    for col in figures:
        a = both[f"{col}_1"].astype(float).to_numpy()
        b = both[f"{col}_2"].astype(float).to_numpy()
        same = (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) < 5e-5)
        out.append({"field": col, "kind": "exact", "rows": len(both),
                    "agreement": float(np.mean(same)) if len(same) else float("nan"), "kappa": float("nan")})
    return pd.DataFrame(out)
