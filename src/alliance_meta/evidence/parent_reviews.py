"""What the coded reviews printed on the parent's alliance, in sentences computed from the rows.

The rows are selected by their coded dyad (``alliance_dyad == "parent-therapist"``), never by a
review's key, so that the account stays true for any set of reviews: none, one or several, with
or without printed intervals. Beside each review's parent estimates stand the same review's
estimates for the child's own alliance of the same kind (``estimate_type``), the comparison the
review itself offers.
"""

from __future__ import annotations

from ..engine.wording import number_word
from .sentences import estimate, join

PARENT = "parent-therapist"
YOUTH = "youth-therapist"


def parent_rows(table):
    """The rows of :func:`~alliance_meta.evidence.overview_table` on the parent's alliance that
    carry a harmonised r."""
    return table[(table["alliance_dyad"] == PARENT) & table["r"].notna()]


def _year(refs, key) -> str:
    return refs[key].year if key in refs else ""


def newest_first(rows, refs) -> list[str]:
    """Review keys of ``rows``, newest first (ties by key)."""
    keys = list(dict.fromkeys(rows["study"]))
    return sorted(keys, key=lambda k: (-int(_year(refs, k)) if _year(refs, k).isdigit() else 0, k))


def review_sentence(table, refs, key: str) -> str:
    """One review's parent estimates, beside its child-alliance estimates of the same kind."""
    own = table[(table["study"] == key) & table["r"].notna()]
    parent = own[own["alliance_dyad"] == PARENT]
    youth = own[(own["alliance_dyad"] == YOUTH) & own["estimate_type"].isin(set(parent["estimate_type"]))]
    text = f"{{cite:t}}`{key}` printed " + join([estimate(r) for r in parent.itertuples(index=False)])
    if len(youth):
        text += ", beside " + join([estimate(r) for r in youth.itertuples(index=False)])
    with_var = int(parent["vi"].notna().sum())
    if with_var == 0:
        text += ("; no interval, standard error or number of studies was printed for the parent estimates"
                 if not parent["k_studies"].notna().any() else
                 "; no interval or standard error was printed for the parent estimates")
    return text + "."


def reviews_account(table, refs) -> str:
    """MyST text: how many coded reviews printed an estimate of the parent's alliance, the most
    recent first, each with its estimates; or a sentence saying that none did."""
    rows = parent_rows(table)
    keys = newest_first(rows, refs)
    if not keys:
        return "No coded review printed an alliance–outcome estimate specific to the parent–therapist alliance."
    n_rows = len(rows)
    head = (f"{number_word(len(keys)).capitalize()} coded review{'s' * (len(keys) != 1)} printed "
            f"{number_word(n_rows)} estimate{'s' * (n_rows != 1)} specific to the parent–therapist alliance")
    if len(keys) > 1:
        head += ", listed here from the most recent"
    return head + ". " + " ".join(review_sentence(table, refs, k) for k in keys)


def contrast_account(table) -> str:
    """Whether the parent and child estimates printed by one review can be compared with an
    uncertainty: only when both carry a variance."""
    rows = parent_rows(table)
    if not len(rows):
        return "With no parent estimate in the coded reviews, there is no parent–child comparison to make."
    usable = int(rows["vi"].notna().sum())
    if usable == 0:
        return ("None of these parent estimates comes with a printed interval, standard error or k, so a "
                "difference from the child's alliance in the same review is a difference of point estimates "
                "only: a question for the full text, not a finding.")
    return (f"{number_word(usable).capitalize()} of the {number_word(len(rows))} parent estimates "
            f"come{'s' * (usable == 1)} with a printed interval or standard error; differences from the child's "
            "alliance are given an uncertainty only where both estimates have one.")


def parent_estimates(table):
    """Every row of :func:`~alliance_meta.evidence.overview_table` on the parent's alliance,
    with or without a harmonised r."""
    return table[table["alliance_dyad"] == PARENT]


def estimate_counts(table) -> dict:
    """How many parent–therapist estimates the coded reviews print, in numbers and words.

    Returns
    -------
    dict
        ``rows`` and ``works`` (ints: estimates and reviews), ``rows_words`` ('three'),
        ``works_words`` ('two reviews') and ``with_var_words`` (how many carry a variance from a
        printed interval or standard error: 'none', 'one', ...).
    """
    rows = parent_estimates(table)
    works = int(rows["study"].nunique())
    usable = int(rows["vi"].notna().sum())
    return {"rows": int(len(rows)), "works": works, "rows_words": number_word(len(rows)),
            "works_words": f"{number_word(works)} review{'s' * (works != 1)}",
            "with_var_words": number_word(usable, zero="none")}


def estimates_summary(table) -> str:
    """The chapter summary's line: how many parent–therapist estimates the reviews print, how
    many carry a printed uncertainty, and what follows for a comparison with the child's alliance."""
    rows = parent_estimates(table)
    n, works = len(rows), int(rows["study"].nunique())
    if n == 0:
        return "No coded review prints a parent–therapist estimate."
    usable = int(rows["vi"].notna().sum())
    return (f"Published reviews print {number_word(n)} parent–therapist estimate{'s' * (n != 1)} "
            f"({number_word(works)} review{'s' * (works != 1)}); {number_word(usable, zero='none')} of them "
            f"{'has' if usable == 1 else 'have'} a printed interval or standard error, so differences from the "
            "child's alliance are questions for the full texts"
            + (", not findings." if usable == 0 else " unless both estimates carry one."))


#: Dyads shown beside a review's parent estimates.
BESIDE = ("parent-therapist", "youth-therapist", "family-therapist")
#: The columns of :func:`beside_table` with their names in words, in order.
BESIDE_COLUMNS = {"review": "Review", "alliance": "Alliance", "subset": "Estimate", "estimate_type": "Kind",
                  "k_studies": "k", "r": "r", "r_lb": "CI lower", "r_ub": "CI upper", "basis": "Interval from"}


def beside_table(table, refs):
    """The parent estimates of the reviews that print one, beside the same reviews' child and
    family estimates.

    Returns
    -------
    pandas.DataFrame
        The rows of ``table`` of the reviews with a parent–therapist row and a dyad in
        :data:`BESIDE`, in file order, with ``review`` (author–year label), ``alliance``
        (``parent``, ``youth`` or ``family``) and ``basis`` in words
        (:data:`~alliance_meta.evidence.overview.BASIS_WORDS`); no row when no review prints a
        parent estimate.
    """
    from .bibliography import labels
    from .overview import BASIS_WORDS

    reviews = set(parent_estimates(table)["study"])
    rows = table[table["study"].isin(reviews) & table["alliance_dyad"].isin(BESIDE)]
    return rows.assign(review=labels(refs, list(rows["study"])),
                       alliance=rows["alliance_dyad"].str.replace("-therapist", "", regex=False),
                       basis=rows["basis"].map(BASIS_WORDS))


def single_levels(table, refs, moderator: str) -> str:
    """The levels of ``moderator`` that rest on a single study, each with its review
    ('mandated in Welmers-van de Poll et al., 2018a; ...'), or 'no level rests on a single study'."""
    from .bibliography import labels
    from .moderators import levels

    single = levels(table, moderator)
    single = single[single["single"]]
    if single.empty:
        return "no level rests on a single study"
    return "; ".join(f"{lev} in {lab}" for lev, lab in zip(single["level"], labels(refs, list(single["study"]))))


__all__ = ["parent_rows", "newest_first", "review_sentence", "reviews_account", "contrast_account",
           "parent_estimates", "estimate_counts", "estimates_summary", "BESIDE", "BESIDE_COLUMNS", "beside_table",
           "single_levels"]
