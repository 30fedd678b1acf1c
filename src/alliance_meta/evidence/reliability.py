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


# --------------------------------------------------------------------------------- sentences


def _codes(values):
    """Coded cells as text, an empty cell as ''."""
    values = values.astype(object)
    return values.where(values.notna(), "").astype(str)


def _quote(code: str) -> str:
    return f"\u201c{code.replace('_', ' ')}\u201d"


def weakest_field(agree):
    """The categorical field of :func:`synthesis_agreement` with the lowest Cohen's kappa.

    Returns
    -------
    dict or None
        ``field`` (the column), ``kappa`` and ``text`` ('alliance rater (kappa = 0.50)'); the
        first in table order among ties; None when no field has a kappa (nothing double-coded).
    """
    kappas = agree[(agree["kind"] == "kappa") & agree["kappa"].notna()]
    if kappas.empty:
        return None
    row = kappas.sort_values("kappa", kind="stable").iloc[0]
    return {"field": row["field"], "kappa": float(row["kappa"]),
            "text": f"{row['field'].replace('_', ' ')} (kappa = {row['kappa']:.2f})"}


def disagreements(first, second, field: str):
    """How often each pair of codes differs between two codings of published estimates in one
    field, on the rows matched by ``synthesis_id``.

    Returns
    -------
    list of tuple
        ``(first code, second code, rows)``, most frequent first (ties by the codes); an empty
        cell is ''. Empty when the codings agree throughout or share no row.
    """
    from collections import Counter

    both = first.merge(second, on="synthesis_id", suffixes=("_1", "_2"))
    pairs = Counter((a, b) for a, b in zip(_codes(both[f"{field}_1"]), _codes(both[f"{field}_2"])) if a != b)
    return sorted(((a, b, n) for (a, b), n in pairs.items()), key=lambda t: (-t[2], t[0], t[1]))


#: Why a disagreement happens, for the patterns whose reason the coders recorded:
#: (field, first code, second code) -> the reason in words.
KNOWN_REASONS = {
    ("alliance_rater", "mixed", ""): ("where an abstract does not say who rated the alliance, the first pass codes "
                                      "\u201cmixed\u201d (a review pools several raters) and the second left the cell "
                                      "empty"),
}


def disagreement_words(first, second, field: str) -> str:
    """The most frequent disagreement in ``field`` in words: its recorded reason
    (:data:`KNOWN_REASONS`) or, otherwise, what each coder coded and in how many rows; '' when
    the codings do not differ."""
    pairs = disagreements(first, second, field)
    if not pairs:
        return ""
    a, b, n = pairs[0]
    if (field, a, b) in KNOWN_REASONS:
        return KNOWN_REASONS[(field, a, b)]
    second_words = "left the cell empty" if b == "" else f"coded {_quote(b)}"
    first_words = "left the cell empty" if a == "" else f"coded {_quote(a)}"
    return (f"in {n} row{'s' * (n != 1)} the first pass {first_words} where the second {second_words}")


def synthesis_reliability(first, second) -> dict:
    """The blind second coding of published estimates in numbers (plain ints and floats).

    Parameters
    ----------
    first, second : pandas.DataFrame
        ``syntheses`` and ``syntheses_second_pass``.

    Returns
    -------
    dict
        ``reviews`` (meta-analyses coded twice), ``share`` (their percentage of the reviews
        of ``first``, 0 when there is none), ``rows`` (estimates coded twice), ``fig_min``
        (the lowest percentage agreement of a printed figure; None when nothing is matched)
        and ``worst`` (:func:`weakest_field`'s text, '' when no field has a kappa).
    """
    agree = synthesis_agreement(first, second)
    reviews, all_reviews = int(second["study"].nunique()), int(first["study"].nunique())
    figures = agree.loc[(agree["kind"] == "exact") & agree["agreement"].notna(), "agreement"]
    worst = weakest_field(agree)
    return {"reviews": reviews, "share": float(100 * reviews / all_reviews) if all_reviews else 0.0,
            "rows": int(len(second)), "fig_min": float(100 * figures.min()) if len(figures) else None,
            "worst": worst["text"] if worst else ""}


def synthesis_reliability_sentences(first, second) -> str:
    """How the blind second coding of published estimates agreed with the first, in plain
    sentences: what was coded twice, the lowest agreement of a printed figure, and the weakest
    categorical field with its most frequent disagreement; or that nothing was coded twice."""
    agree = synthesis_agreement(first, second)
    matched = int(agree["rows"].max()) if len(agree) else 0
    if matched == 0:
        return "No published estimate has been coded a second time yet, so the agreement of two coders cannot be given."
    c = synthesis_reliability(first, second)
    text = (f"A second coder found {c['rows']} estimate{'s' * (c['rows'] != 1)} of {c['reviews']} "
            f"meta-analys{'e' if c['reviews'] != 1 else 'i'}s ({c['share']:.0f}% of the reviews) in their sources, "
            "told which estimates to look for but not the first coder's values.")
    if c["fig_min"] is not None:
        text += f" Printed figures agreed in at least {c['fig_min']:.0f}% of rows for every field."
    worst = weakest_field(agree)
    if worst is not None and worst["kappa"] >= 1:
        text += " Every categorical field agreed in every row."
    elif worst is not None:
        why = disagreement_words(first, second, worst["field"])
        text += f" The weakest categorical field is {worst['text']}" + (f": {why}." if why else ".")
    return text


def coding_values(ag: Agreement, n_studies: int) -> dict:
    """The double coding of the primary studies in numbers (plain ints and floats).

    Parameters
    ----------
    ag : Agreement
        :func:`agreement` of the first and second pass.
    n_studies : int
        Studies in ``effect_sizes`` (for the share coded twice).

    Returns
    -------
    dict
        ``studies``, ``share`` (percentage of ``n_studies``; 0 when there is none), ``matched``,
        ``first_only``, ``second_only``, ``mad``, ``icc``, ``exact`` (percentage of matched rows
        with the same r), ``kappa_min`` and ``kappa_median`` (over the coded fields with a kappa).
        A value that cannot be computed (no matched row, ICC from one row) is NaN: show it
        through :func:`coding_paragraph`, which says so in words.
    """
    kt = ag.kappa_table()
    k = kt["kappa"].dropna() if len(kt) else kt
    return {"studies": int(ag.studies), "share": float(100 * ag.studies / n_studies) if n_studies else 0.0,
            "matched": int(ag.matched), "first_only": int(ag.first_only), "second_only": int(ag.second_only),
            "mad": float(ag.r_mad), "icc": float(ag.r_icc), "exact": float(100 * ag.r_exact),
            "kappa_min": float(k.min()) if len(k) else float("nan"),
            "kappa_median": float(k.median()) if len(k) else float("nan")}


def coding_paragraph(ag: Agreement, n_studies: int) -> str:
    """How the blind second coding of the primary studies agreed with the first (MyST: it cites
    McGraw & Wong, 1996, for the ICC), or what cannot be said and why.

    Returns
    -------
    str
        What was coded twice and by whom; on the matched rows the exact agreement of r, its mean
        absolute difference and ICC(A,1) (from two matched rows on), and the median and minimum
        Cohen's kappa of the categorical codes. No NaN: a figure that cannot be computed is said
        to be missing.
    """
    import math

    v = coding_values(ag, n_studies)
    if v["studies"] == 0:
        return "No study has been coded a second time yet, so the agreement of two coders cannot be given."
    text = (f"A second coder re-coded {v['studies']} stud{'ies' if v['studies'] != 1 else 'y'} "
            f"({v['share']:.0f}% of the dataset) from their sources without seeing the first pass. ")
    text += (f"{v['matched']} correlation{'s were' if v['matched'] != 1 else ' was'} coded by both; "
             f"{v['first_only']} only by the first coder and {v['second_only']} only by the second.")
    if v["matched"] == 0:
        return text + " With no correlation coded by both, their agreement cannot be given."
    text += (f" On the matched rows the correlations agree exactly in {v['exact']:.0f}% of cases, the mean absolute "
             f"difference is {v['mad']:.3f}")
    text += (f" and the intraclass correlation ICC(A,1) {{cite:p}}`mcgraw1996` is {v['icc']:.3f}."
             if not math.isnan(v["icc"]) else
             "; the intraclass correlation ICC(A,1) {cite:p}`mcgraw1996` needs two or more matched rows.")
    if not math.isnan(v["kappa_median"]):
        text += (f" Cohen's \u03ba for the categorical codes has a median of {v['kappa_median']:.2f} and a minimum of "
                 f"{v['kappa_min']:.2f}.")
    return text


def coding_summary(ag: Agreement, n_studies: int) -> str:
    """The chapter summary's line on double coding: how many of the studies were coded twice."""
    from ..engine.wording import number_word

    v = coding_values(ag, n_studies)
    if v["studies"] == 0:
        return "No study has been coded twice yet."
    if v["studies"] == n_studies == 1:
        return "The one study was coded twice, independently; agreement is reported above."
    if v["studies"] == n_studies:
        every = "Both" if n_studies == 2 else "All " + number_word(n_studies)
        return f"{every} studies (100%) were coded twice, independently; agreement is reported above."
    return (f"{number_word(v['studies']).capitalize()} of the {number_word(n_studies)} studies ({v['share']:.0f}%) "
            f"{'was' if v['studies'] == 1 else 'were'} coded twice, independently; agreement is reported above.")


def column_disagreements(first, second):
    """For each column both codings share (``es_id`` aside), the matched rows whose cells differ
    (an empty cell equals an empty cell).

    Returns
    -------
    pandas.Series
        Column -> rows that differ, most first (ties in column order); empty when no row is
        matched.
    """
    import pandas as pd

    both = first.merge(second, on="es_id", suffixes=("_1", "_2"))
    columns = [c[:-2] for c in both.columns if c.endswith("_1") and c[:-2] + "_2" in both.columns]
    counts = pd.Series({c: int((_codes(both[c + "_1"]) != _codes(both[c + "_2"])).sum()) for c in columns},
                       dtype=int)
    return counts.sort_values(ascending=False, kind="stable") if len(both) else counts.iloc[:0]


def disagreement_sentence(first, second, top: int = 4) -> str:
    """Which columns the two codings of the primary studies disagree on most, and on how many of
    the matched rows; whether the correlation itself differs."""
    from ..engine.wording import number_word
    from .sentences import join

    counts = column_disagreements(first, second)
    matched = len(first.merge(second, on="es_id"))
    if matched == 0:
        return "No correlation was coded by both coders, so nothing can be compared."
    differ = counts[counts > 0]
    if differ.empty:
        return f"The two codings agree in every column of the {number_word(matched)} correlations coded by both."
    r = int(counts.get("r", 0))
    if matched == 1:
        names = [c.replace("_", " ") for c in differ.index[:top]]
        more = len(differ) - len(names)
        if more > 0:
            names.append(f"{number_word(more)} further column{'s' * (more != 1)}")
        return (f"In the one correlation coded by both, {join(names)} differ{'s' * (len(differ) == 1)}; the "
                "correlation itself "
                + ("does not." if r == 0 else "does too."))
    head = join([f"{c.replace('_', ' ')} ({n} of {matched})" for c, n in differ.iloc[:top].items()])
    tail = ("the correlation itself never differs" if r == 0 else
            f"the correlation itself differs in {r} of {matched}")
    return (f"Of the {number_word(matched)} correlations coded by both, the columns that differ most often are "
            f"{head}; {tail}.")
