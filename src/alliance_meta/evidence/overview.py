"""The overview of reviews: ``data/syntheses.csv`` made ready for a second-order synthesis.

Each published pooled estimate gets its Fisher z and sampling variance
(:func:`alliance_meta.engine.published_estimates`); estimates are then selected one per cell
(overlap group x what is pooled by, e.g. population) by a stated rule, so that overlapping
reviews are never pooled as if independent, and pooled with the engine.
Only rows with a harmonised ``r`` enter: a sign that could not be established stays out.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.errors import InputError
from ..engine.models import pool
from ..engine.second_order import RULES, published_estimates, second_order_error, select
from ..engine.sensitivity import leave1out
from .bibliography import publication_year

#: Estimates in one overlap group answer a question from largely the same primary studies.
GROUP = "overlap_group"

#: The variance bases of :func:`overview_table` in words.
BASIS_WORDS = {"ci": "printed CI", "se": "printed SE", "k_n": "approximated from k and N"}

#: The two-sided 95% normal quantile (as metafor uses it).
_Z95 = 1.959963984540054

#: Below this many pooled units a result is reported with the Knapp–Hartung interval and a
#: prediction interval on t(k − 2) (Higgins, Thompson & Spiegelhalter 2009; IntHout et al.
#: 2016); the normal-quantile figures become a sensitivity analysis.
SMALL_K = 10

#: The scope of the headline pool. The question is the therapeutic alliance of psychotherapy and
#: counselling, face to face or remote; these settings hold helping relationships beside it,
#: which are pooled apart and shown as a sensitivity analysis.
BESIDE = {"coaching": "workplace coaching", "career_counselling": "career counselling",
          "medical": "medical care", "rehabilitation": "rehabilitation"}

#: ``read_in`` values of estimates read only in a later work that quotes them: flagged, and
#: left out of the main analysis (a quotation cannot be checked against the review).
SECONDARY = "quoted_by:"


def scope(table):
    """Each estimate's place in the headline pool, from its coded setting and where it was read.

    Returns
    -------
    pandas.Series
        ``"in scope"``, ``"beside"`` (a setting of :data:`BESIDE`) or ``"read second-hand"``
        (``read_in`` starts with :data:`SECONDARY`), aligned with ``table``; a row that is both
        beside and second-hand is ``"beside"``.
    """
    import pandas as pd

    setting = table["setting"].fillna("")
    second = table["read_in"].fillna("").str.startswith(SECONDARY)
    out = pd.Series("in scope", index=table.index)
    out[second] = "read second-hand"
    out[setting.isin(list(BESIDE))] = "beside"
    return out


def in_scope(table):
    """The rows of ``table`` that the headline pool may select (see :func:`scope`)."""
    return table[scope(table) == "in scope"]


def small_k_pool(yi, vi, *, method: str = "REML"):
    """A random-effects pool reported as small k requires (Fisher z, back-transformed to r).

    Returns
    -------
    tuple of PoolResult
        ``(main, normal)``. Below :data:`SMALL_K` estimates ``main`` carries the
        Knapp–Hartung test and interval, and the prediction interval on t(k − 2) of the
        z-based model (the engine's ``pi="t"``); from :data:`SMALL_K` on, the z-based test with
        that prediction interval. ``normal`` is the z-based fit with its normal-quantile
        prediction interval, the sensitivity analysis.
    """
    import dataclasses

    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    normal = pool(y, v, method=method, back_transform=True)
    with_t = pool(y, v, method=method, pi="t", back_transform=True)
    if len(y) >= SMALL_K:
        return with_t, normal
    kh = pool(y, v, method=method, test="knha", back_transform=True)
    main = dataclasses.replace(kh, pi="t", pi_df=with_t.pi_df, pi_lb=with_t.pi_lb, pi_ub=with_t.pi_ub,
                               r_pi_lb=with_t.r_pi_lb, r_pi_ub=with_t.r_pi_ub)
    return main, normal


def pool_words(main, normal) -> str:
    """The sentence a results paragraph gives a pool of :func:`small_k_pool`: the estimate, its
    interval and the prediction interval named by their method, then the normal-quantile
    figures as a sensitivity analysis; and whether the prediction interval includes zero."""
    from .sentences import r_text

    ci = "Knapp–Hartung 95% CI" if main.test == "knha" else "95% CI"
    text = (f"r = {r_text(main.r)} ({ci} {r_text(main.r_ci_lb)} to {r_text(main.r_ci_ub)}; 95% prediction "
            f"interval on t({main.pi_df}) {r_text(main.r_pi_lb)} to {r_text(main.r_pi_ub)}; {main.k} estimates)")
    if main.test == "knha":
        text += (f". With normal quantiles, as a sensitivity analysis, the interval would be {r_text(normal.r_ci_lb)} "
                 f"to {r_text(normal.r_ci_ub)} and the prediction interval {r_text(normal.r_pi_lb)} to "
                 f"{r_text(normal.r_pi_ub)}")
    crosses = main.r_pi_lb <= 0 <= main.r_pi_ub
    text += (". The prediction interval includes zero: the data do not exclude a null association in a new "
             "setting like these." if crosses else
             ". The prediction interval excludes zero: in a new setting like these, the association is expected "
             "to be positive." if main.r_pi_lb > 0 else
             ". The prediction interval lies below zero.")
    return text


def overview_table(syn, refs, *, approximate: bool = True):
    """One row per published estimate with its Fisher z, variance and where the variance came from.

    Parameters
    ----------
    syn : pandas.DataFrame
        The ``syntheses`` table.
    refs : dict
        ``references.bib`` (for each review's year).
    approximate : bool
        Fill a variance from k and N where no interval or SE was printed (flagged ``k_n``).

    Returns
    -------
    pandas.DataFrame
        The columns of ``syn`` plus ``year``, ``yi`` (atanh of the harmonised r), ``vi``,
        ``basis`` (``ci``, ``se``, ``k_n`` or empty) and ``r_lb``, ``r_ub``: the 95% interval
        on r, as printed where the review printed one, otherwise ``tanh(yi ± 1.96 √vi)``
        (symmetric on Fisher z) from the variance of ``basis``; empty where there is none.
    """
    out = syn.copy()
    est = published_estimates(syn["r"].tolist(), syn["ci_lb"].tolist(), syn["ci_ub"].tolist(), syn["se"].tolist(),
                              syn["k_studies"].astype(float).tolist(), syn["n_participants"].astype(float).tolist(),
                              se_scale=syn["se_scale"].tolist() if "se_scale" in syn else "r", approximate=approximate)
    years = (publication_year(refs, k) for k in syn["study"])
    out["year"] = [float("nan") if y is None else float(y) for y in years]
    out["yi"], out["vi"], out["basis"] = est.yi, est.vi, est.basis
    half = _Z95 * np.sqrt(np.asarray(est.vi, dtype=float))
    printed = syn["ci_lb"].notna().to_numpy() & syn["ci_ub"].notna().to_numpy()
    yi = np.asarray(est.yi, dtype=float)
    out["r_lb"] = np.where(printed, syn["ci_lb"].astype(float), np.tanh(yi - half))
    out["r_ub"] = np.where(printed, syn["ci_ub"].astype(float), np.tanh(yi + half))
    return out


def selected(table, *, by=("population",), rule: str = "comprehensive", types=("overall",), bases=("ci", "se")):
    """The estimates a re-analysis may pool together: one per overlap group and level of
    ``by``, chosen by ``rule``.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`overview_table`.
    by : tuple of str
        The columns a later analysis pools by (e.g. ``("population",)`` or
        ``("population", "alliance_dyad")``): within each of their levels, one estimate per
        overlap group.
    rule : {"comprehensive", "recent", "earliest"}
        See :func:`alliance_meta.engine.select`.
    types : tuple of str
        The ``estimate_type`` values eligible (default: the reviews' overall estimates only,
        so that subgroups, components and split alliances are never mixed in).
    bases : tuple of str
        Variance bases allowed (default: printed intervals and SEs; add ``"k_n"`` for the
        sensitivity analysis with approximated variances).

    Returns
    -------
    pandas.DataFrame
        The chosen rows, in table order.
    """
    ok = (table["estimate_type"].isin(types) & table["basis"].isin(bases) & table["yi"].notna()
          & table["vi"].notna()).to_numpy()
    cells = list(zip(*(table[c].astype(str) for c in (GROUP, *by))))
    idx = select(cells, table["k_studies"].astype(float).tolist(), table["year"].tolist(), rule=rule, eligible=ok)
    return table.iloc[idx]


def pooled_by(chosen, by: str = "population", *, method: str = "REML", min_k: int = 3):
    """A random-effects pool per level of ``by`` (Fisher z, back-transformed to r), from rows
    chosen by :func:`selected` with the same ``by``.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``k`` (estimates), ``reviews`` (their synthesis ids), ``r``, ``ci_lb``, ``ci_ub``,
        ``pi_lb``, ``pi_ub``, ``tau2``, ``I2`` as :func:`small_k_pool` reports them (Knapp–Hartung
        and a t(k − 2) prediction interval below :data:`SMALL_K` estimates); a level with fewer than ``min_k`` estimates is
        listed with its estimates' ids and no pooled values: with one or two estimates a
        between-review variance and a prediction interval say nothing.
    """
    import pandas as pd

    rows = []
    for level, part in chosen.groupby(by, sort=True):
        row = {by: level, "k": int(len(part)), "reviews": ", ".join(part["synthesis_id"])}
        if len(part) >= min_k:
            fit, _ = small_k_pool(part["yi"], part["vi"], method=method)
            row.update(r=fit.r, ci_lb=fit.r_ci_lb, ci_ub=fit.r_ci_ub, pi_lb=fit.r_pi_lb, pi_ub=fit.r_pi_ub,
                       tau2=fit.tau2, I2=fit.I2)
        rows.append(row)
    cols = [by, "k", "reviews", "r", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2"]
    return pd.DataFrame(rows).reindex(columns=cols)


def spread(chosen):
    """How much of the spread of independent published estimates is second-order sampling
    error (Schmidt & Oh, 2013), from rows chosen by :func:`selected`.

    Returns
    -------
    alliance_meta.engine.SecondOrderError
        On Fisher z; raises :class:`alliance_meta.engine.errors.InputError` below three estimates.
    """
    return second_order_error(chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float))


def pool_paragraph(chosen, fit, normal, wide, fit_wide, wide_normal, refs) -> str:
    """MyST paragraph on the headline pool: the selected estimates, the pool as
    :func:`pool_words` writes it (or why there is none), between-body heterogeneity, and the
    pool with the estimates outside the scope added back.

    ``fit, normal`` (and ``fit_wide, wide_normal``) are :func:`small_k_pool`'s results for
    ``chosen`` (and ``wide``), or None where fewer than two estimates were selected.
    """
    from .bibliography import labels
    from .sentences import r_text

    if not len(chosen):
        return ("No overall estimate within the scope has a harmonised r with a printed interval or standard "
                "error, so nothing is pooled.")
    listed = "; ".join(f"{lab} ({grp}, r = {r_text(r)})" for lab, grp, r in
                       zip(labels(refs, list(chosen["study"])), chosen["overlap_group"], chosen["r"]))
    text = f"The selected estimates are {listed}."
    if fit is None:
        return text + (" With one body of evidence there is nothing to pool: its own estimate and interval are the "
                       "result, and no spread between bodies of evidence can be estimated.")
    if fit.k < SMALL_K:
        text += (f" With fewer than {SMALL_K} of them, the result is reported with the Knapp–Hartung interval and a "
                 "prediction interval on t(k − 2) {cite:p}`higgins2009,inthout2016`, which allow for how little a "
                 "handful of estimates says about the spread between them.")
    text += f" Pooled by REML on Fisher z: {pool_words(fit, normal)}"
    text += (f" Between the bodies of evidence, τ² = {fit.tau2:.4f} (95% CI {fit.tau2_ci_lb:.4f} to "
             f"{fit.tau2_ci_ub:.4f}; I² = {fit.I2:.0f}%).")
    if fit_wide is not None and len(wide) != len(chosen):
        text += (f" With the helping relationships beside the question and the second-hand estimates added back "
                 f"({fit_wide.k} bodies of evidence): {pool_words(fit_wide, wide_normal)}")
    groups = ", ".join(g.replace("-", " ") for g in chosen["overlap_group"])
    return text + (" The estimates are not a sample of comparable reviews: the prediction interval describes the "
                   f"spread among these bodies of evidence ({groups}), not what a particular new service should "
                   "expect.")


def spread_words(chosen, wide=None) -> str:
    """The results sentence on second-order sampling error: observed and expected variance of the
    selected estimates and the share the expected explains; the same share with the estimates
    outside the scope added back (``wide``), when that adds any; or why it cannot be computed.
    """
    if len(chosen) == 0:
        return ("With no selected estimate, the share of the spread that second-order sampling error explains is "
                "not computed.")
    if len(chosen) < 3:
        return (f"With {len(chosen)} selected estimate{'s' * (len(chosen) != 1)}, fewer than three, the share of "
                "their spread that second-order sampling error explains is not computed.")
    so = spread(chosen)
    text = (f"Across the {so.k} selected estimates, the observed variance on Fisher z is {so.observed_var:.4f} and "
            f"the mean sampling variance of the estimates is {so.expected_var:.4f}: second-order sampling error "
            f"accounts for about {100 * so.proportion:.0f}% of the spread.")
    if wide is not None and len(wide) >= 3 and len(wide) != len(chosen):
        text += (f" With the estimates outside the scope added back ({len(wide)} in all), it accounts for "
                 f"{100 * spread(wide).proportion:.0f}%.")
    return text


def leave_one_review_out(chosen, *, method: str = "REML"):
    """The pooled estimate with each chosen review left out in turn (metafor's ``leave1out``
    on the rows of :func:`selected`), back-transformed to r.

    Returns
    -------
    pandas.DataFrame
        One row per left-out estimate: ``left_out`` (its synthesis id), ``study``, ``k`` (the
        estimates that remain), ``r``, ``ci_lb``, ``ci_ub`` (95%: Knapp–Hartung when fewer than
        :data:`SMALL_K` remain, else the normal quantile as metafor's
        default ``test="z"``), ``tau2`` (on z) and ``shift`` (the pooled r without it minus the
        pooled r with every estimate). Needs at least three estimates, so that every fit pools two or more.
    """
    import pandas as pd

    k = len(chosen)
    if k < 3:
        raise InputError(f"leaving one review out needs at least 3 independent estimates; found {k}")
    yi, vi = chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float)
    if k - 1 < SMALL_K:
        # each remaining set is small: its interval is Knapp–Hartung's, as the main pool's
        full = small_k_pool(yi, vi, method=method)[0].r
        fits = [small_k_pool(np.delete(yi, i), np.delete(vi, i), method=method)[0] for i in range(k)]
        r = np.array([f.r for f in fits])
        return pd.DataFrame({"left_out": chosen["synthesis_id"].to_numpy(), "study": chosen["study"].to_numpy(),
                             "k": k - 1, "r": r, "ci_lb": [f.r_ci_lb for f in fits],
                             "ci_ub": [f.r_ci_ub for f in fits], "tau2": [f.tau2 for f in fits],
                             "shift": r - full})
    res = leave1out(yi, vi, method=method)
    full = math.tanh(res.full_estimate)
    half = _Z95 * res.se
    return pd.DataFrame({"left_out": chosen["synthesis_id"].to_numpy(), "study": chosen["study"].to_numpy(),
                         "k": k - 1, "r": np.tanh(res.estimate), "ci_lb": np.tanh(res.estimate - half),
                         "ci_ub": np.tanh(res.estimate + half), "tau2": res.tau2,
                         "shift": np.tanh(res.estimate) - full})


def rule_sensitivity(table, *, by=(), method: str = "REML", min_k: int = 3):
    """The same random-effects pool under each selection rule, with printed variances only and
    with approximated (k and N) variances added.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`overview_table`.
    by : tuple of str
        Passed to :func:`selected`; the default ``()`` keeps one overall estimate per overlap
        group, i.e. one per independent body of evidence.

    Returns
    -------
    pandas.DataFrame
        One row per rule and variance basis: ``rule``, ``variances`` (``printed`` or
        ``printed + k, N``), ``k``, ``reviews``, ``r``, ``ci_lb``, ``ci_ub``, ``pi_lb``,
        ``pi_ub``, ``tau2``, ``I2`` (pooled values empty below ``min_k`` estimates; ``k`` 0
        and ``reviews`` empty where a rule selects nothing).
    """
    import pandas as pd

    rows = []
    for bases, words in ((("ci", "se"), "printed"), (("ci", "se", "k_n"), "printed + k, N")):
        for rule in RULES:
            chosen = selected(table, by=by, rule=rule, bases=bases)
            one = pooled_by(chosen.assign(_all="all"), by="_all", method=method, min_k=min_k)
            # a rule that selects nothing is a row with k = 0, not a missing row
            got = one.drop(columns="_all").iloc[0].to_dict() if len(one) else {"k": 0, "reviews": ""}
            rows.append({"rule": rule, "variances": words, **got})
    cols = ["rule", "variances", "k", "reviews", "r", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2"]
    return pd.DataFrame(rows).reindex(columns=cols)


__all__ = ["overview_table", "selected", "pooled_by", "spread", "leave_one_review_out", "rule_sensitivity", "GROUP",
           "scope", "in_scope", "small_k_pool", "pool_words", "spread_words", "pool_paragraph", "SMALL_K", "BESIDE", "SECONDARY"]
