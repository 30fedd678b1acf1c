"""What the founding article built on: the coded reference list of Alexander & Dore (1999).

The article's body cannot be read here, only its abstract and its complete reference list
(``data/founding_references.csv``, coded by the rule in
``data/search_notes/FOUNDING_REFERENCES_PROTOCOL.md``). These functions summarise that
table (which bodies of work, in what proportions, from which years) and the agreement of
the blind second coding; they say nothing about how the article used each work.
"""

from __future__ import annotations

#: theme code -> words for tables and prose, in the order of the coding rule
THEMES = {
    "alliance_psychotherapy": "the alliance in psychotherapy",
    "alliance_community": "the alliance in case management and community services",
    "family_collaboration": "family–professional collaboration and partnership",
    "parent_blame": "blame of parents",
    "power_paternalism": "power, paternalism and empowerment",
    "diversity_culture": "culture and family diversity",
    "engagement_participation": "engagement and participation",
    "family_experience": "families' experience of a child's illness",
    "services_policy": "systems of care and service policy",
    "other": "other",
}


def load_founding_references(root=None):
    """``data/founding_references.csv`` (one row per cited work, in printed order)."""
    from .dataset import load_table

    return load_table("founding_references", root)


def load_founding_second_pass(root=None):
    """``data/reliability/founding_references_second_pass.csv`` (every fifth work, blind)."""
    from .dataset import load_table

    return load_table("founding_references_second_pass", root)


def theme_profile(refs):
    """How many cited works bear on each theme.

    Returns
    -------
    pandas.DataFrame
        One row per theme that occurs, ordered by ``primary`` (descending, then the coding
        rule's order): ``theme`` (words), ``code``, ``primary`` (works whose main theme it
        is), ``share`` (percentage of all works, primary theme), ``any`` (works that name it
        as primary or secondary theme), ``first_year`` and ``last_year`` (of the works coded
        primary, integers).
    """
    import pandas as pd

    n = len(refs)
    rows = []
    for order, (code, words) in enumerate(THEMES.items()):
        prim = refs[refs["theme"] == code]
        anyt = refs[(refs["theme"] == code) | (refs["theme_secondary"] == code)]
        if anyt.empty:
            continue
        years = prim["year"].dropna()
        rows.append({"theme": words, "code": code, "primary": len(prim), "share": 100.0 * len(prim) / n,
                     "any": len(anyt), "first_year": int(years.min()) if len(years) else None,
                     "last_year": int(years.max()) if len(years) else None, "_order": order})
    out = pd.DataFrame(rows).sort_values(["primary", "_order"], ascending=[False, True], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def coding_agreement(first, second, columns=("kind", "theme", "theme_secondary")):
    """Agreement of the blind second coding with the first, matched on ``ref_id``.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``field``, ``works`` (double-coded), ``agree`` (same code; two
        empty cells agree), ``agreement`` (percentage) and ``kappa`` (Cohen's kappa, empty
        cells as their own category).
    """
    import pandas as pd

    from .reliability import cohen_kappa

    both = first.merge(second, on="ref_id", suffixes=("_1", "_2"))
    rows = []
    for col in columns:
        a = both[f"{col}_1"].fillna("(none)").tolist()
        b = both[f"{col}_2"].fillna("(none)").tolist()
        agree = sum(x == y for x, y in zip(a, b))
        rows.append({"field": col, "works": len(both), "agree": agree,
                     "agreement": 100.0 * agree / len(both) if len(both) else float("nan"),
                     "kappa": cohen_kappa(a, b)})
    return pd.DataFrame(rows)
