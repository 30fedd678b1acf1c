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
        ``pi_lb``, ``pi_ub``, ``tau2``, ``I2``; a level with fewer than ``min_k`` estimates is
        listed with its estimates' ids and no pooled values: with one or two estimates a
        between-review variance and a prediction interval say nothing.
    """
    import pandas as pd

    rows = []
    for level, part in chosen.groupby(by, sort=True):
        row = {by: level, "k": int(len(part)), "reviews": ", ".join(part["synthesis_id"])}
        if len(part) >= min_k:
            fit = pool(part["yi"].to_numpy(float), part["vi"].to_numpy(float), method=method, back_transform=True)
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


def leave_one_review_out(chosen, *, method: str = "REML"):
    """The pooled estimate with each chosen review left out in turn (metafor's ``leave1out``
    on the rows of :func:`selected`), back-transformed to r.

    Returns
    -------
    pandas.DataFrame
        One row per left-out estimate: ``left_out`` (its synthesis id), ``study``, ``k`` (the
        estimates that remain), ``r``, ``ci_lb``, ``ci_ub`` (95%, normal quantile, as metafor's
        default ``test="z"``), ``tau2`` (on z) and ``shift`` (the pooled r without it minus the
        pooled r with every estimate). Needs at least three estimates, so that every fit pools two or more.
    """
    import pandas as pd

    k = len(chosen)
    if k < 3:
        raise InputError(f"leaving one review out needs at least 3 independent estimates; found {k}")
    yi, vi = chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float)
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
        ``pi_ub``, ``tau2``, ``I2`` (pooled values empty below ``min_k`` estimates).
    """
    import pandas as pd

    rows = []
    for bases, words in ((("ci", "se"), "printed"), (("ci", "se", "k_n"), "printed + k, N")):
        for rule in RULES:
            chosen = selected(table, by=by, rule=rule, bases=bases)
            one = pooled_by(chosen.assign(_all="all"), by="_all", method=method, min_k=min_k)
            rows.append({"rule": rule, "variances": words, **one.drop(columns="_all").iloc[0].to_dict()})
    return pd.DataFrame(rows)


__all__ = ["overview_table", "selected", "pooled_by", "spread", "leave_one_review_out", "rule_sensitivity", "GROUP"]
