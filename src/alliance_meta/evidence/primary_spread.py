"""Where the spread of the primary correlations comes from, in sentences computed from the rows.

Two questions a reader of a heterogeneity section asks: which samples carry Cochran's Q (and
how their correlations were obtained, since a converted statistic is not a zero-order r), and
whether correlations with the alliance and the outcome rated by the same person differ from
those rated by different people. Both answers are counts of the data in hand; none is typed.
"""

from __future__ import annotations

from ..engine.wording import number_word

#: Statistics converted to r that are not zero-order correlations.
CONVERTED = {"partial_r", "from_beta", "from_d", "from_t", "from_F", "from_chi2", "from_means"}

#: A share of Q above this, held by the top contributors, means the spread rests on them.
DOMINANT = 50.0

#: A between-sample variance below this is at its boundary of zero (the engine's convention).
BOUNDARY = 1e-8


def q_drivers_sentence(per_method, share, q: float, top: int = 2) -> str:
    """The samples that contribute most to Cochran's Q, with how their r was obtained.

    Parameters
    ----------
    per_method : pandas.DataFrame
        One row per sample with ``sample`` and ``es_method`` (:func:`by_sample` keeping it).
    share : array-like
        Each sample's percentage of Q (summing to 100).
    q : float
        Cochran's Q of the same fit.
    top : int
        How many samples to name.

    Returns
    -------
    str
        A sentence naming up to ``top`` samples and their share; when they carry more than
        :data:`DOMINANT` percent and any of them is a converted statistic, a second sentence
        says that the spread describes those rows more than the field.
    """
    frame = per_method.assign(share=list(share)).sort_values("share", ascending=False)
    if len(frame) < 2:
        return "With fewer than two samples there is no spread to attribute."
    head = frame.head(min(top, len(frame)))
    total = float(head["share"].sum())
    names = " and ".join(f"{row.sample} ({row.share:.0f}%, {str(row.es_method).replace('_', ' ')})"
                         for row in head.itertuples())
    n = len(head)
    text = (f"The {number_word(n)} samples that contribute most to Cochran's Q = {q:.1f} carry {total:.0f}% of it: "
            f"{names}.")
    converted = [row.sample for row in head.itertuples() if row.es_method in CONVERTED]
    if total > DOMINANT and converted:
        text += (f" When the spread rests on so few rows, {'one' if len(converted) == 1 else 'some'} of them "
                 "converted from other statistics, it describes those rows more than the field.")
    elif total > DOMINANT:
        text += " When the spread rests on so few rows, it describes those rows more than the field."
    return text


def rater_groups_sentence(es, by_sample) -> str:
    """Whether same-rater and different-rater correlations can be compared: each group's number
    of samples, and what follows when either holds fewer than two.

    ``by_sample`` is :func:`alliance_meta.evidence.aggregate.by_sample` (passed in so that this
    module stays a module of sentences).
    """
    known = es.dropna(subset=["alliance_rater", "outcome_rater"])
    known = known[(known["alliance_rater"] != "mixed") & (known["outcome_rater"] != "mixed")]
    same = known[known["alliance_rater"] == known["outcome_rater"]]
    other = known[known["alliance_rater"] != known["outcome_rater"]]
    n_same = len(by_sample(same)) if len(same) else 0
    n_other = len(by_sample(other)) if len(other) else 0
    counts = (f"the same-rater group holds {number_word(n_same)} sample{'s' * (n_same != 1)} and the "
              f"different-rater group {number_word(n_other, zero='none')}")
    if min(n_same, n_other) < 2:
        return f"{counts}, so the comparison cannot be made (each group needs two or more samples)"
    return f"{counts}, so both can be pooled and compared"


#: Statistics that are zero-order correlations as printed.
ZERO_ORDER = ("reported_r", "spearman_rho")


def zero_order_samples(es) -> int:
    """The number of samples whose every row is a zero-order correlation as printed
    (``es_method`` in :data:`ZERO_ORDER`)."""
    converted = set(es.loc[~es["es_method"].isin(ZERO_ORDER), "sample"])
    return int(len(set(es["sample"]) - converted))


def zero_order_words(es, by_sample, pool_fn) -> str:
    """The pooled correlation of the samples whose every value is a zero-order correlation,
    beside the pool of all samples (converted and partial values included).

    ``by_sample`` aggregates rows to samples; ``pool_fn(yi, vi)`` returns ``(main, normal)`` as
    :func:`alliance_meta.evidence.overview.small_k_pool` does (both passed in, so that this module
    stays one of sentences).
    """
    from .sentences import r_text

    per_all = by_sample(es) if len(es) else es
    zero_rows = es[es["es_method"].isin(ZERO_ORDER)]
    samples_all = set(es["sample"])
    converted = set(es.loc[~es["es_method"].isin(ZERO_ORDER), "sample"])
    zero_samples = samples_all - converted
    zero = zero_rows[zero_rows["sample"].isin(zero_samples)]

    def words(main) -> str:
        ci = "Knapp–Hartung 95% CI" if main.test == "knha" else "95% CI"
        return f"r = {r_text(main.r)} ({ci} {r_text(main.r_ci_lb)} to {r_text(main.r_ci_ub)})"

    n_all, n_zero = len(samples_all), len(zero_samples)
    if n_all < 2:
        return "With fewer than two samples, nothing is pooled."
    text = (f"Of the {n_all} samples, {number_word(n_zero, zero='none')} "
            f"{'rests' if n_zero == 1 else 'rest'} only on zero-order correlations as printed (r or ρ); the other "
            f"{number_word(n_all - n_zero, zero='none')} {'holds' if n_all - n_zero == 1 else 'hold'} at least one "
            "value converted from another statistic or adjusted for other variables (a partial r, a standardised β, "
            "d from a group split). ")
    main_all, _ = pool_fn(per_all["yi"], per_all["vi"])
    if n_zero < 2:
        return text + (f"Fewer than two samples rest on zero-order correlations, so they are not pooled alone; all "
                       f"samples together give {words(main_all)}.")
    per_zero = by_sample(zero)
    main_zero, _ = pool_fn(per_zero["yi"], per_zero["vi"])
    return text + (f"The zero-order samples alone give {words(main_zero)}; all samples together give "
                   f"{words(main_all)}.")


def between_sample_words(es) -> str:
    """τ² (with its Q-profile interval), τ and I² of the samples of ``es`` in one sentence.

    Rows are averaged per sample (:func:`~alliance_meta.evidence.aggregate.by_sample`) and pooled
    with REML on the Fisher z scale (z test). With fewer than two samples, a sentence saying there
    is no spread to measure; a τ² at its boundary of zero (below :data:`BOUNDARY`) is said as such.
    """
    from ..engine.models import pool
    from .aggregate import by_sample

    per = by_sample(es)
    k = len(per)
    if k < 2:
        return f"With {k} sample{'s' * (k != 1)}, there is no spread between samples to measure."
    fit = pool(per["yi"], per["vi"], back_transform=True)
    if fit.tau2 < BOUNDARY:
        return (f"On the Fisher z scale the between-sample variance is estimated at its boundary of zero (95% "
                f"Q-profile CI {fit.tau2_ci_lb:.4f} to {fit.tau2_ci_ub:.4f}), and I² = {fit.I2:.0f}%: these samples do "
                "not vary detectably more than sampling error allows.")
    return (f"On the Fisher z scale the between-sample variance is τ² = {fit.tau2:.4f} (95% Q-profile CI "
            f"{fit.tau2_ci_lb:.4f} to {fit.tau2_ci_ub:.4f}), so the true correlations spread with a standard "
            f"deviation of about {fit.tau2 ** 0.5:.2f} on that scale; I² = {fit.I2:.0f}% of the observed variation "
            "is real.")


def q_drivers_words(es, top: int = 2) -> str:
    """:func:`q_drivers_sentence` computed from the rows: each sample's share of Cochran's Q
    (:func:`alliance_meta.engine.q_contributions`, samples by ``study`` and ``es_method``) and Q of
    the REML pool of the samples.

    Returns
    -------
    str
        The sentence of :func:`q_drivers_sentence`; when Q is no larger than its degrees of freedom
        (its expectation without heterogeneity), a sentence saying there is no excess spread to
        attribute; empty with fewer than two samples (the sentence of :func:`between_sample_words`
        says there is no spread).
    """
    import numpy as np

    from ..engine.models import pool
    from ..engine.heterogeneity import q_contributions
    from .aggregate import by_sample

    per_method = by_sample(es, keep=("study", "es_method"))
    if len(by_sample(es)) < 2:
        return ""
    per = by_sample(es)
    fit = pool(per["yi"], per["vi"], back_transform=True)
    if fit.Q <= fit.Q_df:
        # Q no larger than its degrees of freedom (its expectation without heterogeneity): nothing to attribute
        return (f"Cochran's Q = {fit.Q:.1f} on {fit.Q_df} degrees of freedom is no larger than sampling error alone "
                "would make it, so there is no excess spread to attribute to single samples.")
    share = q_contributions(per_method["yi"], per_method["vi"])
    share = 100 * share / share.sum() if share.sum() > 0 else share
    return q_drivers_sentence(per_method, np.asarray(share, dtype=float), fit.Q, top=top)


__all__ = ["q_drivers_sentence", "rater_groups_sentence", "zero_order_words", "zero_order_samples", "between_sample_words",
           "q_drivers_words", "BOUNDARY", "CONVERTED", "DOMINANT", "ZERO_ORDER"]
