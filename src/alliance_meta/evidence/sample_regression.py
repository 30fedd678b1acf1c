"""A meta-regression of the primary samples on their population and year of publication.

Each sample is one averaged Fisher z (:func:`~alliance_meta.evidence.aggregate.by_sample`). A
moderator enters only when it varies between samples, and the model is fitted only when it has
more samples than coefficients plus one; year enters centred on its mean, so that the intercept is
the expected z of an average-year sample. The sentences say what was fitted, and why a figure is
not read (fewer than ten samples, fewer than ten per coefficient, a residual variance at zero).
"""

from __future__ import annotations

#: The order in which populations are named (the codebook's).
POPULATIONS = ("adult", "adolescent", "child", "family")

#: The dyad whose alliance is the young person's.
YOUTH_DYAD = "youth-therapist"


def regression_samples(es, refs):
    """One row per sample with ``yi``, ``vi``, ``study``, ``population``, ``alliance_dyad`` and
    ``year`` (:func:`~alliance_meta.evidence.primary_pool.samples_with_year`; a column that differs
    within a sample reads ``mixed``)."""
    from .primary_pool import samples_with_year

    return samples_with_year(es, refs, keep=("study", "population", "alliance_dyad"))


def regression_moderators(per) -> tuple[dict, int]:
    """The moderators that vary between the samples, and the number of coefficients they make.

    Returns
    -------
    tuple
        ``(mods, n_coef)``: ``{"population": list}`` when populations differ and
        ``{"year_centred": array}`` (year minus its mean) when years differ; ``n_coef`` counts the
        intercept, one coefficient per population beyond the first and one for year.
    """
    mods = {}
    if per["population"].nunique() > 1:
        mods["population"] = per["population"].tolist()
    if per["year"].nunique() > 1:
        year = per["year"].to_numpy(float)
        mods["year_centred"] = year - year.mean()
    n_coef = 1 + sum(len(set(v)) - 1 if name == "population" else 1 for name, v in mods.items())
    return mods, n_coef


def regression_fit(per):
    """:func:`alliance_meta.engine.metareg` (REML, z tests) of the samples on
    :func:`regression_moderators`, or None when no moderator varies or there are not more samples
    than coefficients plus one."""
    from ..engine.models import metareg

    mods, n_coef = regression_moderators(per)
    if not mods or len(per) <= n_coef + 1:
        return None
    return metareg(per["yi"], per["vi"], mods)


def regression_words(per, reg) -> str:
    """What the meta-regression of :func:`regression_fit` says, or why it was not fitted.

    Returns
    -------
    str
        The number of coefficients and samples with the omnibus test; below ten samples, that the
        test and coefficients are a description; whether R² is read (not when the residual τ² is at
        zero or there are fewer than ten samples per coefficient); the year coefficient when it
        entered. Without a fit, the numbers of samples and coefficients (or that no moderator
        varies) and that the model is not fitted.
    """
    from ..engine.wording import p_text

    if reg is None:
        mods, n_coef = regression_moderators(per)
        k = len(per)
        return (f"With {k} sample{'s' * (k != 1)} and "
                f"{'no moderator that varies' if not mods else f'{n_coef} coefficients'}, the meta-regression is not "
                "fitted.")
    per_coef = reg.k / len(reg.coefficients)
    r2 = ("The residual between-sample variance is estimated at its boundary of zero, so the share of variance "
          "the moderators account for (R² in the output) is not interpreted." if reg.tau2 < 1e-8 else
          f"With {reg.k} samples for {len(reg.coefficients)} coefficients (fewer than ten per coefficient), the share "
          "of variance the moderators account for (R² in the output) is too unstable to interpret." if per_coef < 10
          else f"Together, the moderators account for {reg.R2:.0f}% of the between-sample variance.")
    small = (f" With {reg.k} samples, fewer than ten, the test and the coefficients are shown as a description of "
             "these samples, not read as findings." if reg.k < 10 else "")
    year = next((c for c in reg.coefficients if c.name == "year_centred"), None)
    year_words = ("" if year is None else
                  f" The year coefficient, {year.estimate:.4f} on the z scale per year ({p_text(year.pval)}), asks "
                  "whether later studies find weaker or stronger associations.")
    return (f"The model fits {len(reg.coefficients)} coefficients to {reg.k} samples (omnibus test of the "
            f"moderators: {p_text(reg.QM_pval)}).{small} {r2}{year_words}")


def regression_counts(per) -> dict:
    """``{"k": samples, "p": coefficients}`` of the model :func:`regression_fit` would fit."""
    return {"k": int(len(per)), "p": int(regression_moderators(per)[1])}


def regression_scope_words(per) -> str:
    """What the meta-regression weighs, as a phrase for 'here ...': the populations present and
    whether the population also separates the young person's alliance from the adult dyads.

    Returns
    -------
    str
        'the population (adult or adolescent, which also separates the youth–therapist alliance
        from the adult dyads) and the year of publication', the clause only when the samples of a
        non-adult population are exactly the youth–therapist samples and adults are present; when a
        moderator does not vary, that it does not enter.
    """
    from .sentences import join

    present = list(dict.fromkeys(per["population"].dropna()))
    pops = [p for p in POPULATIONS if p in present] + sorted(p for p in present if p not in POPULATIONS)
    if not pops:
        population = "the population"
    elif len(pops) == 1:
        population = f"the population (every sample is {pops[0]} here, so it does not enter the model)"
    else:
        youth = set(per.loc[per["alliance_dyad"] == YOUTH_DYAD, "sample"])
        young = set(per.loc[per["population"] != "adult", "sample"])
        separates = bool(youth) and youth == young and "adult" in pops
        clause = ", which also separates the youth–therapist alliance from the adult dyads" if separates else ""
        population = f"the population ({join(pops).replace(' and ', ' or ')}{clause})"
    years = per["year"].nunique()
    year = ("the year of publication" if years != 1 else
            "the year of publication (a single year here, so it does not enter the model)")
    return f"{population} and {year}"


def year_only_fit(per):
    """:func:`alliance_meta.engine.metareg` of the samples on ``year`` alone (the bubble plot's
    line), or None when the years do not vary or there are fewer than three samples."""
    from ..engine.models import metareg

    if per["year"].nunique() < 2 or len(per) < 3:
        return None
    return metareg(per["yi"], per["vi"], {"year": per["year"].to_numpy(float)})


__all__ = ["POPULATIONS", "YOUTH_DYAD", "regression_samples", "regression_moderators", "regression_fit",
           "regression_words", "regression_counts", "regression_scope_words", "year_only_fit"]
