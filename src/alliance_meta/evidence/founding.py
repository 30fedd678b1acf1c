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

#: Theme codes the chapter reports together: the alliance (in psychotherapy and in community
#: services), and partnership (collaboration, and power and empowerment).
GROUPS = {
    "alliance": ("alliance_psychotherapy", "alliance_community"),
    "partnership": ("family_collaboration", "power_paternalism"),
    "blame": ("parent_blame",),
    "culture": ("diversity_culture",),
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
    columns = ["theme", "code", "primary", "share", "any", "first_year", "last_year", "_order"]
    out = pd.DataFrame(rows, columns=columns).sort_values(["primary", "_order"], ascending=[False, True],
                                                          kind="stable")
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


def _percent(part: int, whole: int) -> str:
    """``part`` as a whole-number percentage of ``whole`` ('0' when there is nothing to divide)."""
    return f"{100 * part / whole:.0f}" if whole else "0"


def list_words(refs) -> str:
    """One sentence on the coded list: how many works, from which years, how many articles.

    Returns
    -------
    str
        'The list holds 74 works published between 1979 and 1999 (median year 1994; 65 from
        the 1990s), 53 of them journal articles.' The decade counted is that of the latest
        year; works without a year are counted but not dated. With no work: a sentence saying
        the list holds none.
    """
    n = len(refs)
    if n == 0:
        return "The coded list holds no work."
    years = refs["year"].dropna().astype(int)
    articles = int((refs["kind"] == "journal_article").sum())
    head = f"The list holds {n} work{'s' * (n != 1)}"
    if years.empty:
        when = ", none of them with a year"
    elif years.min() == years.max():
        when = f" published in {years.min()}"
    else:
        decade = int(years.max()) // 10 * 10
        recent = int((years >= decade).sum())
        when = (f" published between {years.min()} and {years.max()} (median year {int(years.median())}; "
                f"{recent} from the {decade}s)")
    kind = (f"{articles} of them journal article{'s' * (articles != 1)}" if n != 1 else
            "a journal article" if articles else "not a journal article")
    return f"{head}{when}, {kind}."


def theme_counts(refs) -> dict:
    """Works whose main theme falls in each group of :data:`GROUPS`, with their share.

    Returns
    -------
    dict
        For each group name ``g``: ``g`` (number of works whose ``theme`` is one of the group's
        codes, int) and ``g_pct`` (its percentage of all works, whole number as text; '0' for
        an empty list). A code that no work has counts zero.
    """
    n = len(refs)
    out = {}
    for name, codes in GROUPS.items():
        works = int(refs["theme"].isin(codes).sum())
        out[name], out[f"{name}_pct"] = works, _percent(works, n)
    return out


def largest_themes_words(profile, n: int = 2) -> str:
    """The largest main themes of :func:`theme_profile`, 'other' left out, in one sentence.

    Returns
    -------
    str
        'The two largest themes are A (20 works) and B (17 works).'; a theme tied with the
        last one named is named too ('The three largest themes are ...'); 'The largest theme
        is A (20 works).' when one theme has works; empty when no theme has any.
    """
    from .sentences import join
    from ..engine.wording import number_word

    named = profile[(profile["code"] != "other") & (profile["primary"] > 0)]
    if named.empty:
        return ""
    counts = list(named["primary"])
    cut = counts[min(n, len(counts)) - 1]
    top = named[named["primary"] >= cut]
    parts = [f"{t} ({w} work{'s' * (w != 1)})" for t, w in zip(top["theme"], top["primary"])]
    if len(parts) == 1:
        return f"The largest theme is {parts[0]}."
    return f"The {number_word(len(parts))} largest themes are {join(parts)}."


def agreement_words(agreement) -> str:
    """The blind second coding's agreement with the first, in one sentence.

    Parameters
    ----------
    agreement : pandas.DataFrame
        :func:`coding_agreement` (rows ``theme`` and ``kind`` are used).

    Returns
    -------
    str
        'A second coder, blind to the first, coded every fifth work (15 works): the two agreed
        on the theme of 100% (Cohen's κ = 1.00) and on the kind of 100%.' With no double-coded
        work: a sentence saying that no agreement can be reported.
    """
    from .sentences import has, num

    by = {row.field: row for row in agreement.itertuples(index=False)}
    theme, kind = by.get("theme"), by.get("kind")
    if theme is None or kind is None or not theme.works:
        return "No work was coded a second time, so no agreement between coders can be reported."
    kappa = f" (Cohen's κ = {num(theme.kappa)})" if has(theme.kappa) else ""
    return (f"A second coder, blind to the first, coded every fifth work ({theme.works} "
            f"work{'s' * (theme.works != 1)}): the two agreed on the theme of {theme.agreement:.0f}%{kappa} "
            f"and on the kind of {kind.agreement:.0f}%.")


def themes_words(refs) -> str:
    """How many works have each group of :data:`GROUPS` as their main theme, in one sentence.

    Returns
    -------
    str
        'The alliance, in psychotherapy and in case management and community services, is the
        main theme of 26 works (35%); family–professional collaboration, partnership and
        empowerment of 22 (30%); the blame of parents of 4 and culture and family diversity of
        6.' (counts of :func:`theme_counts`); empty for an empty list, which
        :func:`list_words` already reports.
    """
    if len(refs) == 0:
        return ""
    c = theme_counts(refs)
    return (f"The alliance, in psychotherapy and in case management and community services, is the main theme of "
            f"{c['alliance']} work{'s' * (c['alliance'] != 1)} ({c['alliance_pct']}%); family–professional "
            f"collaboration, partnership and empowerment of {c['partnership']} ({c['partnership_pct']}%); the blame "
            f"of parents of {c['blame']} and culture and family diversity of {c['culture']}.")


def reference_list_values(refs, second) -> dict:
    """Every value the chapter glues about the coded reference list, by name.

    Returns
    -------
    dict
        ``list`` (:func:`list_words`), ``themes`` (:func:`themes_words`), ``largest``
        (:func:`largest_themes_words`) and ``agreement`` (:func:`agreement_words` of the blind
        second coding), each a sentence.
    """
    return {"list": list_words(refs), "themes": themes_words(refs),
            "largest": largest_themes_words(theme_profile(refs)),
            "agreement": agreement_words(coding_agreement(refs, second))}
