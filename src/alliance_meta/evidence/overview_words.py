"""The overview of reviews in words: every count, table and sentence the overview chapter
states about the coded reviews, computed from the tables.

Each function takes the ``syntheses`` table or its overview (:func:`.overview.overview_table`),
the estimates the overview selected (:func:`.overview.selected`) or its pooled fits
(:func:`.overview.small_k_pool`), and returns a value, a table or a sentence that is true for
whatever rows are there: none, one or several. Judgements such as "none", "every", "includes
zero" or "more than the narrowest interval" are taken from the numbers, never typed for one
dataset. Rows are chosen by coded fields (``estimate_type``, ``basis``, ``alliance_dyad``,
``setting``, ``read_in``), never by an id or a review's key.
"""

from __future__ import annotations

from ..engine.wording import number_word
from .overview import BESIDE, GROUP, SMALL_K, in_scope, scope, selected, small_k_pool, spread
from .sentences import join, r_text

#: The order in which the published-estimates forest groups the kinds of estimate.
KIND_ORDER = ("overall", "subgroup", "moderator_level", "component", "split_alliance", "alliance_change", "adjusted",
              "other")

#: The alliance dyad of the parent's own alliance with the professional.
PARENT_DYAD = "parent-therapist"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


# --------------------------------------------------------------------------- what is coded


def coverage(syn) -> dict:
    """What the coded bibliography holds.

    Returns
    -------
    dict
        ``rows`` (published estimates), ``reviews`` (distinct review keys), ``parent_reviews``
        (reviews with at least one estimate of the parent–therapist dyad) and ``groups``
        (distinct overlap groups), each an ``int``; 0 for an empty table.
    """
    parent = syn["alliance_dyad"] == PARENT_DYAD
    return {"rows": int(len(syn)), "reviews": int(syn["study"].nunique()),
            "parent_reviews": int(syn.loc[parent, "study"].nunique()), "groups": int(syn[GROUP].nunique())}


def holdings_words(coverage: dict) -> str:
    """'The coded bibliography holds 89 published estimates from 37 meta-analyses.', from
    :func:`coverage`'s ``rows`` and ``reviews``, nouns agreeing with their counts."""
    from .sentences import counted

    if not coverage["rows"]:
        return "The coded bibliography holds no published estimate."
    return (f"The coded bibliography holds {counted(coverage['rows'], 'published estimate')} from "
            f"{counted(coverage['reviews'], 'meta-analysis', 'meta-analyses')}.")


def variance_bases(ov) -> dict:
    """Where the sampling variance of each published estimate comes from.

    Returns
    -------
    dict
        ``with_r`` (rows with a harmonised r), ``no_r`` (rows without), ``ci``, ``se`` and
        ``k_n`` (rows whose variance comes from a printed interval, a printed standard error,
        or only from k and N) and ``none`` (rows with an r and no variance), each an ``int``.
    """
    with_r = ov["r"].notna()
    basis = ov["basis"].fillna("")
    return {"with_r": int(with_r.sum()), "no_r": int((~with_r).sum()), "ci": int((basis == "ci").sum()),
            "se": int((basis == "se").sum()), "k_n": int((basis == "k_n").sum()),
            "none": int((with_r & (basis == "")).sum())}


def variance_words(bases: dict) -> str:
    """Where the published estimates' variances come from, from :func:`variance_bases`, as a
    paragraph whose verbs agree with their counts."""
    def verb(n, one, many):
        return f"{n} {one if n == 1 else many}"

    text = f"Of the published estimates, {verb(bases['with_r'], 'has', 'have')} a harmonised *r*"
    if bases["no_r"]:
        text += (f" (the other {verb(bases['no_r'], 'prints', 'print')} a different metric, no figure, or a sign "
                 "that could not be established)")
    text += (f". The variance of {bases['ci']} comes from a printed interval, of {bases['se']} from a printed "
             f"standard error and of {bases['k_n']} only from *k* and *N*")
    none = bases["none"]
    return text + ("; every estimate with an *r* has one." if not none else
                   f"; {verb(none, 'has', 'have')} none.")


def parent_reviews_words(n: int) -> str:
    """'3 print one specific to' / '1 prints one specific to' / 'none prints one specific to'."""
    n = int(n)
    return f"{n if n else 'none'} {'prints' if n <= 1 else 'print'} one specific to"


# --------------------------------------------------------------------------- scope


def beside_words() -> str:
    """The settings beside the question of the headline pool (:data:`.overview.BESIDE`), in
    words, comma-separated."""
    return ", ".join(BESIDE.values())


def outside_scope(ov, refs):
    """The estimates left out of the headline pool, and why.

    Returns
    -------
    pandas.DataFrame
        The rows of ``ov`` whose :func:`.overview.scope` is not ``"in scope"``, in table order,
        with ``scope`` (``beside`` or ``read second-hand``) and ``review`` (its label) added;
        no rows when every estimate lies within the scope.
    """
    from .bibliography import labels

    where = scope(ov)
    out = ov[where != "in scope"]
    return out.assign(scope=where[where != "in scope"], review=labels(refs, list(out["study"])))


def outside_words(ov) -> str:
    """One sentence counting the estimates outside the scope by reason (counts in words), or
    saying that none lies outside it."""
    where = scope(ov)
    beside = int((where == "beside").sum())
    second = int((where == "read second-hand").sum())
    if beside + second == 0:
        return "No estimate lies outside the scope."
    return (f"{number_word(beside, zero='no').capitalize()} estimate{'s' * (beside != 1)} "
            f"come{'s' * (beside == 1)} from helping relationships beside the question and "
            f"{number_word(second, zero='none')} {_plural(second, 'was', 'were')} read only as quoted by a later work.")


# --------------------------------------------------------------------------- selection


def overlap_words(ov) -> str:
    """The overlap groups whose overall estimates come from more than one review, each with the
    span of their years, or a sentence saying that no group holds two reviews."""
    overall = ov[ov["estimate_type"] == "overall"]
    parts = []
    for group, rows in overall.groupby(GROUP, sort=True):
        n = int(rows["study"].nunique())
        if n < 2:
            continue
        years = rows["year"].dropna()
        span = (f", {int(years.min())} to {int(years.max())}" if len(years) and years.min() != years.max()
                else f", all {int(years.min())}" if len(years) else "")
        parts.append(f"{group} ({number_word(n)} reviews{span})")
    n_groups = int(ov[GROUP].nunique())
    if not parts:
        return (f"No overlap group holds overall estimates of more than one review "
                f"({number_word(n_groups, zero='no')} group{'s' * (n_groups != 1)} in all).")
    if len(parts) == n_groups:
        head = ("The one overlap group holds" if n_groups == 1 else "Both overlap groups hold" if n_groups == 2
                else f"All {number_word(n_groups)} overlap groups hold")
    else:
        head = (f"Of the {number_word(n_groups)} overlap groups, {number_word(len(parts))} "
                f"hold{'s' * (len(parts) == 1)}")
    return f"{head} overall estimates of more than one review: {join(parts)}."


def rule_choices(ov):
    """The overall estimate each selection rule picks in each overlap group, within the scope.

    Returns
    -------
    pandas.DataFrame
        ``overlap_group`` (every group of ``ov``, sorted) and, for ``comprehensive``,
        ``recent`` and ``earliest``, the synthesis id chosen (missing where the group has no
        selectable estimate within the scope); no rows when ``ov`` has no group.
    """
    import pandas as pd

    rules = ("comprehensive", "recent", "earliest")
    picks = {rule: selected(in_scope(ov), by=(), rule=rule).set_index(GROUP)["synthesis_id"] for rule in rules}
    groups = sorted(set(ov[GROUP].dropna()))
    out = pd.DataFrame({rule: picks[rule].reindex(groups) for rule in rules}, index=pd.Index(groups, name=GROUP))
    return out.reset_index().reindex(columns=[GROUP, *rules])


def groups_without(ov) -> str:
    """The overlap groups in which the main rule selects nothing, comma-separated, or
    ``"none"``."""
    table = rule_choices(ov)
    return ", ".join(table.loc[table["comprehensive"].isna(), GROUP]) or "none"


def groups_without_words(ov) -> str:
    """Why each overlap group without a selected estimate has none: every estimate of the group
    lies outside the scope, none within it is an overall estimate, or none of its overall
    estimates within it has a harmonised r with a printed interval or standard error. A
    sentence; when every group has one, it says so."""
    table = rule_choices(ov)
    empty = list(table.loc[table["comprehensive"].isna(), GROUP])
    if not empty:
        return "Every overlap group has a selectable estimate."
    scoped = in_scope(ov)
    inside = set(scoped[GROUP].dropna())
    overall = set(scoped.loc[scoped["estimate_type"] == "overall", GROUP].dropna())
    outside = [g for g in empty if g not in inside]
    no_overall = [g for g in empty if g in inside and g not in overall]
    unprintable = [g for g in empty if g in overall]
    parts = []
    if outside:
        parts.append(f"{join(outside)} hold{'s' * (len(outside) == 1)} only estimates outside the scope")
    if no_overall:
        parts.append(f"{join(no_overall)} hold{'s' * (len(no_overall) == 1)} no overall estimate within the scope")
    if unprintable:
        parts.append(f"{join(unprintable)} print{'s' * (len(unprintable) == 1)} no interval or standard error with "
                     f"{_plural(len(unprintable), 'its', 'their')} overall estimate within the scope, or no estimate "
                     "whose direction could be established")
    head = f"{_plural(len(empty), 'One group has', f'{number_word(len(empty)).capitalize()} groups have')} no " \
           "selectable estimate: "
    return head + "; ".join(parts) + "."


def selection_words(chosen) -> str:
    """'The main rule keeps 4 overall estimates within the scope, one per overlap group.' with
    the count of ``chosen`` (a figure, as the chapter prints it), or that it keeps none."""
    k = len(chosen)
    if k == 0:
        return "The main rule keeps no overall estimate within the scope."
    return (f"The main rule keeps {k} overall estimate{'s' * (k != 1)} within the scope, one per overlap group.")


# --------------------------------------------------------------------------- forests


def published_rows(ov, refs):
    """The published estimates the side-by-side forest shows: those whose variance comes from a
    printed interval or standard error (never a k-and-N approximation), by kind
    (:data:`KIND_ORDER`) and, within a kind, by year.

    Returns
    -------
    pandas.DataFrame
        The rows of ``ov``, sorted, with ``label`` added: the review's label, what is estimated
        (``moderator = level`` for a moderator level or component with a level, else the
        subset, cut at 40 characters) and the kind in brackets. No rows when nothing qualifies.
    """
    from .bibliography import labels

    rows = ov[ov["basis"].isin(["ci", "se"])]
    rank = rows["estimate_type"].map(lambda t: KIND_ORDER.index(t) if t in KIND_ORDER else len(KIND_ORDER))
    rows = rows.assign(_rank=rank).sort_values(["_rank", "year"], kind="stable").drop(columns="_rank")
    what = [f"{m} = {lev}" if kind in ("moderator_level", "component") and isinstance(lev, str) else str(sub)
            for sub, kind, m, lev in zip(rows["subset"], rows["estimate_type"], rows["moderator"], rows["level"])]
    return rows.assign(label=[f"{lab}: {w[:40]} [{str(kind).replace('_', ' ')}]" for lab, w, kind in
                              zip(labels(refs, list(rows["study"])), what, rows["estimate_type"])])


def published_words(rows) -> str:
    """What the side-by-side forest shows, from :func:`published_rows`: how many estimates and
    how they are ordered, or that no estimate has a printed interval or standard error."""
    n = len(rows)
    if n == 0:
        return ("No published estimate has a variance derived from a printed interval or standard error, so the "
                "forest below has no rows.")
    return (f"The forest below shows the {_plural(n, 'one published estimate', f'{n} published estimates')} whose "
            f"variance could be derived from a printed interval or standard error"
            + (", grouped by kind and, within a kind, by year." if n > 1 else "."))


def selection_labels(chosen, refs) -> list[str]:
    """The row labels of the pooled forest: 'review: overlap group (k = n)', with the k clause
    only where the review printed its number of studies."""
    from .bibliography import labels
    from .sentences import has

    return [f"{lab}: {str(grp).replace('-', ' ')}" + (f" (k = {int(k)})" if has(k) else "")
            for lab, grp, k in zip(labels(refs, list(chosen["study"])), chosen[GROUP], chosen["k_studies"])]


def headline_pool(rows):
    """:func:`.overview.small_k_pool` of ``rows`` (``yi``, ``vi``), or ``(None, None)`` with
    fewer than two rows, where there is nothing to pool."""
    if len(rows) < 2:
        return None, None
    return small_k_pool(rows["yi"], rows["vi"])


def pooled_forest_title(chosen) -> str:
    """The title of the pooled forest: what it draws, or that nothing can be pooled."""
    if len(chosen) == 0:
        return "No overall estimate within the scope can be pooled"
    if len(chosen) == 1:
        return "One overall estimate in scope: nothing to pool"
    return "One overall estimate per body of evidence in scope (REML)"


def ci_method_words(fit) -> str:
    """The interval methods of a :func:`.overview.small_k_pool` fit in words, or that there is
    no pool (``fit`` None)."""
    if fit is None:
        return "no pool: fewer than two estimates"
    return ("Knapp–Hartung interval, prediction interval on t(k − 2)" if fit.test == "knha" else
            "prediction interval on t(k − 2)")


def pooled_caption_words(fit) -> str:
    """The end of the pooled forest's caption: the random-effects pool it draws, or that it
    draws none."""
    if fit is None:
        return "not pooled: with fewer than two of them there is no random-effects pool and no prediction interval."
    return (f"and their random-effects pool (REML on Fisher z, back-transformed to r; {ci_method_words(fit)}) with "
            "its 95% prediction interval.")


# --------------------------------------------------------------------------- by population


def population_pools(pooled) -> str:
    """'adult: r = .25 [.19, .31] from 3 bodies of evidence; ...' for each level of a
    :func:`.overview.pooled_by` table that was pooled, or ``"no population has three"``."""
    done = pooled[pooled["r"].notna()]
    return "; ".join(f"{row.population}: r = {r_text(row.r)} [{r_text(row.ci_lb)}, {r_text(row.ci_ub)}] from "
                     f"{row.k} bodies of evidence" for row in done.itertuples()) or "no population has three"


def thin_populations(pooled) -> str:
    """'adult (2), family (1)': the levels of a :func:`.overview.pooled_by` table not pooled,
    with their number of estimates, or ``"none"``."""
    thin = pooled[pooled["r"].isna()]
    return ", ".join(f"{row.population} ({row.k})" for row in thin.itertuples()) or "none"


def population_words(pooled, min_k: int = 3) -> str:
    """The sentence after 'By population (table above):': the pooled populations with their
    estimate, then those with fewer than ``min_k`` bodies of evidence; true when all, some or
    none are pooled, and when no population has an estimate."""
    if not len(pooled):
        return "no population has a selected estimate, so nothing is pooled."
    done = pooled["r"].notna()
    word = number_word(min_k)
    if not done.any():
        return (f"no population has {word}; the populations with fewer than {word} bodies of evidence, "
                f"{thin_populations(pooled)}, are not pooled.")
    text = population_pools(pooled)
    if done.all():
        return text + f"; every population has {word} or more bodies of evidence."
    return (text + f"; the populations with fewer than {word} bodies of evidence, {thin_populations(pooled)}, "
            "are not pooled.")


def setting_mix_words(by_pop, pooled) -> str:
    """For each population whose selected estimates (``by_pop``, from
    :func:`.overview.selected` by population) come from more than one setting, one sentence
    naming the settings: its pool answers a broader question than its label when it was pooled
    (``pooled``, from :func:`.overview.pooled_by`); empty when no population mixes settings."""
    pooled_levels = set(pooled.loc[pooled["r"].notna(), "population"]) if len(pooled) else set()
    out = []
    for population, rows in by_pop.groupby("population", sort=True):
        settings = sorted(set(rows["setting"].dropna()))
        if len(settings) < 2:
            continue
        if population in pooled_levels:
            out.append(f"The {population} pool mixes settings ({', '.join(settings)}), so it answers a broader "
                       "question than its label.")
        else:
            out.append(f"The selected {population} estimates mix settings ({', '.join(settings)}), so even a pool "
                       "of them would answer a broader question than its label.")
    return " ".join(out)


# --------------------------------------------------------------------------- spread


def spread_share(chosen) -> float:
    """The percentage of the spread of the selected estimates that second-order sampling error
    explains (:func:`.overview.spread`); NaN below three estimates, where it is not computed."""
    return float(100 * spread(chosen).proportion) if len(chosen) >= 3 else float("nan")


def spread_reading(chosen) -> str:
    """What the share of :func:`.overview.spread_words` leaves, and how far to trust it: the
    rest is real difference (or sampling error explains all of it), and below
    :data:`.overview.SMALL_K` estimates the shares are imprecise. Empty below three
    estimates, where no share is computed."""
    k = len(chosen)
    if k < 3:
        return ""
    if spread(chosen).proportion >= 1:
        text = ("Sampling error alone would produce at least the spread observed: nothing is left for real "
                "difference between bodies of evidence.")
    else:
        text = ("The rest is real difference between bodies of evidence, or differences in how the reviews coded and "
                "pooled: different populations, raters, outcomes and weighting schemes.")
    lead = "With so few estimates these shares are themselves imprecise" if k < SMALL_K else \
        "These shares are themselves estimates"
    return text + f" {lead}; they say whether the published figures all estimate one value, not which feature " \
                  "explains the difference."


# --------------------------------------------------------------------------- leaving one out


def leave_out_table(chosen, refs):
    """:func:`.overview.leave_one_review_out` of ``chosen`` with ``review`` (its label) and
    ``overlap_group`` added; no rows below three estimates, where it is not done.

    Returns
    -------
    pandas.DataFrame
        ``review``, ``left_out``, ``overlap_group``, ``k``, ``r``, ``ci_lb``, ``ci_ub``,
        ``tau2``, ``shift``.
    """
    import pandas as pd

    from .bibliography import labels
    from .overview import leave_one_review_out

    cols = ["review", "left_out", GROUP, "k", "r", "ci_lb", "ci_ub", "tau2", "shift"]
    if len(chosen) < 3:
        return pd.DataFrame(columns=cols)
    loo = leave_one_review_out(chosen)
    # rows of leave_one_review_out follow the rows of chosen, so the group is taken by position
    loo[GROUP] = chosen[GROUP].to_numpy()
    loo["review"] = labels(refs, list(loo["study"]))
    return loo[cols]


def leave_out_words(chosen, refs) -> str:
    """The leave-one-out result in words: the range of the pooled r, the review that moves it
    most, and whether every pool's interval lies above zero (naming those that include or lie
    below zero); or why it is not done below three estimates."""
    k = len(chosen)
    if k == 0:
        return "With no selected estimate, there is nothing to leave out."
    if k < 3:
        return (f"With {k} selected estimate{'s' * (k != 1)}, leaving one out would leave fewer than two to pool, "
                "so it is not done.")
    loo = leave_out_table(chosen, refs)
    most = loo.iloc[int(loo["shift"].abs().to_numpy().argmax())]
    text = (f"Leaving each selected review out in turn, the pooled r ranges from {r_text(loo['r'].min())} to "
            f"{r_text(loo['r'].max())}. The review that moves it most is {most['review']} ({most[GROUP]}): without it "
            f"the pooled r is {r_text(most['r'])}. ")
    above = loo["ci_lb"] > 0
    below = loo["ci_ub"] < 0
    if above.all():
        return text + ("Every one of these pools has a 95% interval above zero: no single body of evidence carries "
                       "the positive association.")
    if below.all():
        return text + ("Every one of these pools has a 95% interval below zero: no single body of evidence carries "
                       "the negative association.")
    parts = []
    cross = loo[~above & ~below]
    if len(cross):
        parts.append("Without " + join(list(dict.fromkeys(cross["review"]))) + " the 95% interval includes zero.")
    under = loo[below]
    if len(under):
        parts.append("Without " + join(list(dict.fromkeys(under["review"]))) + " the 95% interval lies below zero.")
    return text + " ".join(parts)


# --------------------------------------------------------------------------- selection rules


def rule_words(sens, fit) -> str:
    """The sensitivity to the selection rule in words, from :func:`.overview.rule_sensitivity`
    and the main pool ``fit`` (None when the main rule pools nothing): the range of the pooled r
    and whether it is narrower than the narrowest interval."""
    pooled = sens[sens["r"].notna()]
    if pooled.empty:
        return "No selection rule yields three or more estimates to pool."
    main = f"main rule: {r_text(fit.r)}" if fit is not None else "the main rule pools nothing"
    if len(pooled) == 1:
        row = pooled.iloc[0]
        return (f"Only one selection rule ({row['rule']}, {row['variances']} variances) yields three or more "
                f"estimates to pool: r = {r_text(row['r'])} ({main}).")
    narrowest = float((pooled["ci_ub"] - pooled["ci_lb"]).min())
    moved = float(pooled["r"].max() - pooled["r"].min())
    return (f"Under the most recent or the earliest estimate per body of evidence, and with the approximated variances "
            f"added, the pooled r lies between {r_text(pooled['r'].min())} and {r_text(pooled['r'].max())} ({main}). "
            + ("The choice of rule moves the answer less than the width of the narrowest of these intervals."
               if moved < narrowest else
               "The choice of rule moves the answer by more than the width of the narrowest of these intervals."))


# --------------------------------------------------------------------------- summary and exercises


def summary_pool_words(fit) -> str:
    """The summary's sentence on the headline pool (:func:`.overview.small_k_pool`'s main fit),
    with whether its prediction interval includes zero; or that nothing is pooled."""
    if fit is None:
        return "Fewer than two bodies of evidence lie within the scope, so nothing is pooled."
    ci = "Knapp–Hartung 95% CI" if fit.test == "knha" else "95% CI"
    return (f"One overall estimate per independent body of evidence within the scope ({fit.k} in all) pools to "
            f"r = {r_text(fit.r)} ({ci} {r_text(fit.r_ci_lb)} to {r_text(fit.r_ci_ub)}), with a 95% prediction "
            f"interval on t({fit.pi_df}) from {r_text(fit.r_pi_lb)} to {r_text(fit.r_pi_ub)}, which "
            f"{'includes' if fit.r_pi_lb <= 0 <= fit.r_pi_ub else 'excludes'} zero; the overview shows how far it "
            "moves when one review is left out or another selection rule is used.")


def wide_words(chosen, wide, fit, fit_wide) -> str:
    """How many estimates enter when those outside the scope are added back, and how the pooled
    r moves (only where both selections pool); that the same estimates enter when adding them
    back changes nothing."""
    if not len(wide) and not len(chosen):
        return "no estimate enters, with or without those outside the scope"
    if set(wide["synthesis_id"]) == set(chosen["synthesis_id"]):
        text = f"the same {len(chosen)} estimate{'s' * (len(chosen) != 1)} enter{'s' * (len(chosen) == 1)}"
        return text + (f", so the pooled r stays at {r_text(fit.r)}" if fit is not None else "")
    text = f"{len(wide)} estimate{'s' * (len(wide) != 1)} enter{'s' * (len(wide) == 1)} instead of {len(chosen)}"
    if fit is not None and fit_wide is not None:
        text += f", and the pooled r moves from {r_text(fit.r)} to {r_text(fit_wide.r)}"
    return text


def approximated_words(ov, chosen) -> str:
    """Which bodies of evidence enter when variances approximated from k and N are allowed, and
    in which the most comprehensive estimate changes (counts in words)."""
    wider = selected(in_scope(ov), by=(), bases=("ci", "se", "k_n"))
    extra = sorted(set(wider[GROUP]) - set(chosen[GROUP]))
    changed = sorted(g for g in set(wider[GROUP]) & set(chosen[GROUP])
                     if set(wider.loc[wider[GROUP] == g, "synthesis_id"])
                     != set(chosen.loc[chosen[GROUP] == g, "synthesis_id"]))
    n = len(extra)
    return (f"{number_word(n, zero='no').capitalize()} more bod{'y' if n == 1 else 'ies'} of evidence "
            f"enter{'s' * (n == 1)}" + (f" ({', '.join(extra)})" if extra else "")
            + (f"; in {', '.join(changed)} the most comprehensive estimate changes" if changed else
               "; no selected estimate changes"))


def parent_words(chosen) -> str:
    """Whether (and how many of) the selected estimates concern the parent's own alliance."""
    n = int((chosen["alliance_dyad"] == PARENT_DYAD).sum())
    if n == 0:
        return "No estimate of the parent's own alliance enters this analysis"
    return (f"{number_word(n).capitalize()} of the selected estimates concern{'s' * (n == 1)} the parent's own "
            "alliance")


__all__ = ["KIND_ORDER", "PARENT_DYAD", "coverage", "variance_bases", "beside_words", "outside_scope", "outside_words",
           "overlap_words", "rule_choices", "groups_without", "groups_without_words", "selection_words",
           "published_rows", "published_words", "selection_labels", "headline_pool", "pooled_forest_title", "ci_method_words",
           "pooled_caption_words", "population_pools", "thin_populations", "population_words", "setting_mix_words",
           "spread_share", "spread_reading", "leave_out_table", "leave_out_words", "rule_words", "summary_pool_words",
           "wide_words", "approximated_words", "parent_words"]
