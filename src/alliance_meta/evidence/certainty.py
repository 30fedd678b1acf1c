"""Certainty of evidence: a summary-of-findings table with GRADE ratings for prognostic factors.

The alliance is a prognostic factor: it is measured during treatment and its association
with the outcome is observed, not assigned. GRADE's guidance for prognostic factors
(Foroutan et al. 2020) starts a body of observational prognostic evidence at **high**
certainty and rates it down for risk of bias, inconsistency, imprecision, indirectness and
publication bias. This module judges every domain by a *written rule* from the coded data,
so that a rating is computed, never typed, and can be disputed rule by rule:

Risk of bias (read-in level and design)
    Two concerns. (a) More than half of the body's weight rests on estimates read only in an
    abstract or as quoted by a later work: neither the review's methods nor its appraisal of
    its primary studies could be read. (b) More than half of the weight rests on unadjusted
    correlations (any ``estimate_type`` but ``adjusted``): the alliance is measured during
    treatment, so earlier improvement can raise both alliance and outcome (reverse
    causation), the main bias for this prognostic factor. Either concern: serious (down 1).
    Every estimate read only as quoted by a later work (no part of any review read): very
    serious (down 2).
Inconsistency (I² and the prediction interval)
    One estimate: not assessable, not rated down (there is nothing to be inconsistent with).
    Two estimates: serious when I² ≥ 50% (no prediction interval exists on t(k − 2)).
    Three or more: serious when I² ≥ 50% *and* the 95% prediction interval crosses zero (the
    bodies disagree about whether there is an association at all, not only about its size);
    I² ≥ 50% with a prediction interval on one side of zero is not rated down; without a
    prediction interval, I² ≥ 50% alone is serious.
Imprecision (interval width and k)
    Three concerns: the 95% CI includes zero; it is wider than 0.20 on r (it spans more than
    one of the conventional steps .10, .30, .50); the pool rests on two to four independent
    estimates (a τ² from fewer than five is too unstable for the interval to be taken at face
    value; a single review's own interval reflects its own k and is exempt). One concern:
    serious; the CI including zero together with another concern: very serious.
Indirectness (population and setting against the question)
    For each of population and setting, the share of the body's weight outside the
    :class:`Question`; a share above a quarter is a concern. One dimension: serious; both:
    very serious.
Publication bias (small-study tests only where k ≥ 10)
    Below ten estimates: *not assessable* and not rated down (a small-study test has too
    little power to mean anything). From ten: serious when the small-study test's p < .10;
    no test given: not assessed, not rated down, and said.

The overall rating is high, moderate, low or very low: four minus the levels rated down,
never below very low. Nothing is rated up (a large association or a dose-response gradient
cannot be read from published pooled correlations).

A direction-of-effect body (vote counting, for reviews that print no pooled estimate) is
judged by :func:`rate_direction_body` with rules of the same kind, stated there. As a second
lens, :func:`credibility_class` gives the credibility class of umbrella reviews (Fusar-Poli &
Radua 2018) from whichever of its inputs exist, and says which are missing.

The weights are the random-effects weights ``1 / (v_i + τ²)`` when variances and a τ² are
given, otherwise equal. Every function returns plain values and frames without NaN: a
quantity that does not exist for a body (a prediction interval from one estimate) is said
in words. Time and memory are linear in the number of estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

#: GRADE's four levels, from the starting point of observational prognostic evidence down.
LEVELS = ("high", "moderate", "low", "very low")
#: The domains, in the order of the summary-of-findings table.
DOMAINS = ("risk_of_bias", "inconsistency", "imprecision", "indirectness", "publication_bias")
#: Words for the levels a domain rates down.
JUDGEMENTS = {0: "not serious", 1: "serious", 2: "very serious"}
NOT_ASSESSABLE = "not assessable"
NOT_ASSESSED = "not assessed"

#: Rule thresholds (named so that the book can print them and a test can hold them).
MAJORITY = 0.5           # risk of bias: share of weight read second-hand, or unadjusted
I2_SUBSTANTIAL = 50.0    # inconsistency: I² in percent
WIDE_CI = 0.20           # imprecision: CI width on r
FEW_ESTIMATES = 5        # imprecision: a pool of 2 to FEW_ESTIMATES - 1 estimates
OUTSIDE_SHARE = 0.25     # indirectness: share of weight outside the question
SMALL_STUDY_K = 10       # publication bias: the fewest estimates for a small-study test
SMALL_STUDY_ALPHA = 0.10 # publication bias: the small-study test's threshold
DIRECTION_AGREE = 0.70   # direction body: share of studies with a direction that must agree
DIRECTION_MIN = 10       # direction body: fewest studies with a direction for a precise count
MISSING_SHARE = 0.25     # direction body: share of studies reporting no direction

COLUMNS = ("body", "k", "estimate", "heterogeneity", *(c for d in DOMAINS for c in (d, f"{d}_reason")),
           "levels_down", "certainty")


@dataclass(frozen=True)
class Question:
    """What the evidence should answer: the populations and settings of the question.

    ``populations`` and ``settings`` use the vocabularies of ``syntheses.csv``; an empty set
    means any value is direct.
    """

    name: str
    populations: frozenset = field(default_factory=frozenset)
    settings: frozenset = field(default_factory=frozenset)


#: The overview's question: the therapeutic alliance in psychotherapy and counselling (any
#: population; coaching, career counselling, medicine and rehabilitation are helping
#: relationships beside it).
THERAPEUTIC_ALLIANCE = Question(
    "the therapeutic alliance in psychotherapy and counselling",
    settings=frozenset({"psychotherapy", "internet", "telehealth", "group", "couple_family"}))
#: The book's question: the parent's own alliance with the professional in child and family
#: services.
PARENT_ALLIANCE = Question(
    "the parent's alliance with the professional in child and family services",
    populations=frozenset({"parent"}),
    settings=frozenset({"psychotherapy", "internet", "telehealth", "group", "couple_family", "case_management",
                        "child_welfare"}))


@dataclass(frozen=True)
class Judgement:
    """One domain: how many levels it rates down (0 to 2), in words, and why."""

    levels: int
    words: str
    reason: str


@dataclass(frozen=True)
class Body:
    """One pooled body of evidence, as plain numbers and per-estimate labels.

    ``r``, ``ci_lb``, ``ci_ub`` are on the correlation scale; ``pi_lb``, ``pi_ub`` and ``I2``
    (percent) are None where they do not exist (one estimate; a prediction interval from two).
    The per-estimate sequences have one entry per estimate pooled (``k`` entries).
    """

    name: str
    r: float
    ci_lb: float
    ci_ub: float
    read_in: tuple
    estimate_types: tuple
    populations: tuple
    settings: tuple
    weights: tuple
    pi_lb: float | None = None
    pi_ub: float | None = None
    I2: float | None = None
    small_study_p: float | None = None
    k_studies: int | None = None   # for a single review: the studies its estimate pools

    @property
    def k(self) -> int:
        return len(self.read_in)


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _shares(weights: Sequence[float], hit: Iterable[bool]) -> float:
    total = math.fsum(weights)
    if not total > 0:
        raise ValueError("a share of the weight needs at least one estimate with a positive weight")
    return math.fsum(w for w, h in zip(weights, hit) if h) / total


def body(name: str, rows, fit=None, *, small_study_p: float | None = None) -> Body:
    """A :class:`Body` from rows of :func:`alliance_meta.evidence.overview.overview_table`.

    Parameters
    ----------
    name : str
        How the summary-of-findings table names the body.
    rows : pandas.DataFrame
        The estimates pooled (columns ``r``, ``r_lb``, ``r_ub``, ``vi``, ``read_in``,
        ``estimate_type``, ``population``, ``setting``, ``k_studies``).
    fit : PoolResult, optional
        The pool of ``rows`` as the overview reports it (its ``r``, ``r_ci_lb``, ``r_ci_ub``,
        ``r_pi_lb``, ``r_pi_ub``, ``I2``, ``tau2``): the interval method (Knapp–Hartung,
        a prediction interval on t(k − 2)) is the caller's, so the rating follows whatever the
        overview reports. Required for two or more rows; ignored for one, whose estimate and
        interval are the review's own.
    small_study_p : float, optional
        The p-value of a small-study test on these rows, if one was run.

    Returns
    -------
    Body
        Weights ``1 / (vi + τ²)`` where every ``vi`` is known, otherwise equal.

    Raises
    ------
    ValueError
        No rows; two or more rows without a fit; an estimate without r or interval.
    """
    k = len(rows)
    if k == 0:
        raise ValueError(f"body {name!r} has no estimates")
    labels = {c: tuple(str(v) for v in rows[c]) for c in ("read_in", "estimate_type", "population", "setting")}
    vi = [float(v) if _finite(v) else None for v in rows["vi"]] if "vi" in rows else [None] * k
    if k == 1:
        row = rows.iloc[0]
        r, lb, ub = row["r"], row["r_lb"], row["r_ub"]
        if not all(_finite(x) for x in (r, lb, ub)):
            raise ValueError(f"body {name!r}: its one estimate needs r and a 95% interval")
        ks = row["k_studies"] if "k_studies" in rows else None
        return Body(name, float(r), float(lb), float(ub), labels["read_in"], labels["estimate_type"],
                    labels["population"], labels["setting"], (1.0,),
                    k_studies=int(ks) if _finite(ks) else None, small_study_p=small_study_p)
    if fit is None:
        raise ValueError(f"body {name!r} pools {k} estimates: give the fit the overview reports")
    tau2 = getattr(fit, "tau2", None)
    if all(v is not None for v in vi) and _finite(tau2):
        weights = tuple(1.0 / (v + float(tau2)) for v in vi)
    else:
        weights = (1.0,) * k

    def opt(x):
        return float(x) if _finite(x) else None

    return Body(name, float(fit.r), float(fit.r_ci_lb), float(fit.r_ci_ub), labels["read_in"],
                labels["estimate_type"], labels["population"], labels["setting"], weights,
                pi_lb=opt(getattr(fit, "r_pi_lb", None)), pi_ub=opt(getattr(fit, "r_pi_ub", None)),
                I2=opt(getattr(fit, "I2", None)), small_study_p=small_study_p)


def bodies_from_selection(chosen, fit=None, *, name: str = "all bodies of evidence", each: bool = True) -> list:
    """The bodies a summary-of-findings table rates, from the estimates the overview selected.

    Parameters
    ----------
    chosen : pandas.DataFrame
        Rows of :func:`alliance_meta.evidence.overview.selected` (one estimate per body of
        evidence), or any subset of them (a scope, a population).
    fit : callable, optional
        ``fit(rows) -> PoolResult``: how the overview pools them (its estimator, its interval
        method and its prediction interval), called once when there are two or more rows.
        Without it only the single-review bodies are returned.
    name : str
        The name of the pooled body.
    each : bool
        Also return each selected estimate as a body of its own, named by its synthesis id.

    Returns
    -------
    list of Body
        The pooled body first (when there are two or more rows and a fit), then one body per
        row in table order; an empty list for no rows.
    """
    out = []
    if len(chosen) >= 2 and fit is not None:
        out.append(body(name, chosen, fit(chosen)))
    if each:
        out.extend(body(str(sid), chosen.iloc[[i]]) for i, sid in enumerate(chosen["synthesis_id"]))
    return out


# ---------------------------------------------------------------------------------------
# The five domains
# ---------------------------------------------------------------------------------------


def judge_risk_of_bias(read_in: Sequence[str], estimate_types: Sequence[str], weights: Sequence[float]) -> Judgement:
    """Risk of bias from what was read and from the design of the estimates.

    Parameters
    ----------
    read_in : sequence of str
        Per estimate, the ``read_in`` of ``syntheses.csv`` (``abstract``, ``full_text``,
        ``table`` or ``quoted_by:<key>``).
    estimate_types : sequence of str
        Per estimate, its ``estimate_type`` (only ``adjusted`` counts as adjusted).
    weights : sequence of float
        Per estimate, its weight in the body.

    Returns
    -------
    Judgement
        Very serious (2) when every estimate was read only as quoted by a later work; serious
        (1) when more than half the weight was read only in an abstract or as quoted, or more
        than half is unadjusted; otherwise not serious (0).
    """
    if not read_in or len(read_in) != len(estimate_types) or len(read_in) != len(weights):
        raise ValueError("risk of bias needs one read-in level, estimate type and weight per estimate")
    second_hand = [ri == "abstract" or ri.startswith("quoted_by:") for ri in read_in]
    quoted = [ri.startswith("quoted_by:") for ri in read_in]
    unadjusted = [t != "adjusted" for t in estimate_types]
    s_hand, s_unadj = _shares(weights, second_hand), _shares(weights, unadjusted)
    said = (f"{_pct(s_hand)} of the weight read only in an abstract or as quoted by a later work; "
            f"{_pct(s_unadj)} unadjusted associations with an alliance measured during treatment")
    if all(quoted):
        return Judgement(2, JUDGEMENTS[2], "every estimate was read only as quoted by a later work: no part of "
                         "the reviews, nor their appraisal of their studies, was read")
    concerns = []
    if s_hand > MAJORITY:
        concerns.append("the reviews' methods and their appraisal of their studies could not be read")
    if s_unadj > MAJORITY:
        concerns.append("earlier improvement can raise both alliance and outcome (reverse causation)")
    if concerns:
        return Judgement(1, JUDGEMENTS[1], f"{said}: {'; '.join(concerns)}")
    return Judgement(0, JUDGEMENTS[0], f"{said}: most weight read in full text or tables and adjusted")


def judge_inconsistency(k: int, I2: float | None, pi_lb: float | None, pi_ub: float | None) -> Judgement:
    """Inconsistency from I² and whether the 95% prediction interval crosses zero.

    Parameters
    ----------
    k : int
        Estimates pooled.
    I2 : float or None
        I² in percent (required from two estimates).
    pi_lb, pi_ub : float or None
        The 95% prediction interval on r, as the overview reports it.

    Returns
    -------
    Judgement
        Not assessable (0) for one estimate; serious (1) for two with I² ≥ 50%, and from three
        when I² ≥ 50% and the prediction interval (if given) reaches zero; otherwise not serious.

    Raises
    ------
    ValueError
        Two or more estimates without I².
    """
    if k == 1:
        return Judgement(0, NOT_ASSESSABLE, "one estimate: there is nothing it could be inconsistent with "
                         "(not rated down)")
    if not _finite(I2):
        raise ValueError(f"inconsistency of {k} estimates needs I²")
    i2 = f"I² = {float(I2):.0f}%"
    if float(I2) < I2_SUBSTANTIAL:
        return Judgement(0, JUDGEMENTS[0], f"{i2}, below {I2_SUBSTANTIAL:.0f}%")
    if k == 2 or not (_finite(pi_lb) and _finite(pi_ub)):
        why = "two estimates give no prediction interval" if k == 2 else "no prediction interval was given"
        return Judgement(1, JUDGEMENTS[1], f"{i2} and {why}, so the direction in a new setting cannot be shown")
    pi = f"95% PI {float(pi_lb):.2f} to {float(pi_ub):.2f}"
    if float(pi_lb) <= 0.0 <= float(pi_ub):
        return Judgement(1, JUDGEMENTS[1], f"{i2} and the {pi} crosses zero: the bodies disagree about whether "
                         "there is an association, not only about its size")
    return Judgement(0, JUDGEMENTS[0], f"{i2}, but the {pi} lies on one side of zero: the bodies differ in size, "
                     "not in direction")


def judge_imprecision(k: int, ci_lb: float, ci_ub: float, k_studies: int | None = None) -> Judgement:
    """Imprecision from the width of the 95% CI, whether it includes zero, and k.

    Parameters
    ----------
    k : int
        Independent estimates pooled (1 for a single review's own estimate).
    ci_lb, ci_ub : float
        The 95% confidence interval on r, lower limit first.
    k_studies : int, optional
        For a single review, the studies it pooled (said in the reason).

    Returns
    -------
    Judgement
        One level per concern (the CI includes zero; it is wider than 0.20; it rests on two to
        four estimates), at most two, and two only when the CI includes zero.

    Raises
    ------
    ValueError
        A missing or reversed interval.
    """
    if not (_finite(ci_lb) and _finite(ci_ub)) or float(ci_lb) > float(ci_ub):
        raise ValueError(f"imprecision needs a 95% interval with its lower limit first, not [{ci_lb}, {ci_ub}]")
    lb, ub = float(ci_lb), float(ci_ub)
    width = ub - lb
    zero = lb <= 0.0 <= ub
    concerns = []
    if zero:
        concerns.append("includes zero")
    if width > WIDE_CI:
        concerns.append(f"is wider than {WIDE_CI:.2f}")
    few = 2 <= k < FEW_ESTIMATES
    said = f"95% CI {lb:.2f} to {ub:.2f} (width {width:.2f})"
    if k == 1:
        said += (f", one review's own interval over its {k_studies} studies" if k_studies
                 else ", one review's own interval")
    else:
        said += f" from {k} independent estimates"
    if few:
        concerns.append(f"rests on fewer than {FEW_ESTIMATES} estimates, too few for a stable τ²")
    if not concerns:
        return Judgement(0, JUDGEMENTS[0], said)
    levels = 2 if zero and len(concerns) > 1 else 1
    return Judgement(levels, JUDGEMENTS[levels], f"{said}: the interval {' and '.join(concerns)}")


def judge_indirectness(populations: Sequence[str], settings: Sequence[str], weights: Sequence[float],
                       question: Question) -> Judgement:
    """Indirectness from the share of weight whose population or setting lies outside the question.

    Parameters
    ----------
    populations, settings : sequence of str
        Per estimate, its ``population`` and ``setting`` (vocabulary of ``syntheses.csv``).
    weights : sequence of float
        Per estimate, its weight in the body.
    question : Question
        The populations and settings that answer the question (an empty set: any).

    Returns
    -------
    Judgement
        One level for each of population and setting whose share of weight outside the
        question is above a quarter; the reason names the values outside and their share.
    """
    parts, concerns = [], 0
    for what, values, allowed in (("population", populations, question.populations),
                                  ("setting", settings, question.settings)):
        if not allowed:
            parts.append(f"any {what} is within the question")
            continue
        outside = [v not in allowed for v in values]
        share = _shares(weights, outside)
        names = sorted({v for v, o in zip(values, outside) if o})
        if share > OUTSIDE_SHARE:
            concerns += 1
            parts.append(f"{_pct(share)} of the weight from a {what} outside the question ({', '.join(names)})")
        elif names:
            parts.append(f"{_pct(share)} of the weight from a {what} outside the question ({', '.join(names)}), "
                         f"not above {_pct(OUTSIDE_SHARE)}")
        else:
            parts.append(f"every {what} within the question")
    return Judgement(concerns, JUDGEMENTS[concerns], f"against {question.name}: {'; '.join(parts)}")


def judge_publication_bias(k: int, small_study_p: float | None = None) -> Judgement:
    """Publication bias from a small-study test, only where k ≥ 10.

    Parameters
    ----------
    k : int
        Estimates pooled.
    small_study_p : float, optional
        The p-value of a small-study test (Egger's regression or the like) on those estimates.

    Returns
    -------
    Judgement
        Not assessable (0) below ten estimates, whatever the test says; not assessed (0) from
        ten without a test; serious (1) when p < .10; otherwise not serious (0).
    """
    if k < SMALL_STUDY_K:
        return Judgement(0, NOT_ASSESSABLE, f"{k} estimate{'s' if k != 1 else ''}: a small-study test needs at least "
                         f"{SMALL_STUDY_K} (not rated down)")
    if not _finite(small_study_p):
        return Judgement(0, NOT_ASSESSED, f"{k} estimates but no small-study test was given (not rated down)")
    p = float(small_study_p)
    if p < SMALL_STUDY_ALPHA:
        return Judgement(1, JUDGEMENTS[1], f"small-study test p = {p:.3f}, below {SMALL_STUDY_ALPHA:.2f}")
    return Judgement(0, JUDGEMENTS[0], f"small-study test p = {p:.3f}, not below {SMALL_STUDY_ALPHA:.2f}")


def overall(levels_down: int) -> str:
    """The GRADE level after rating down from high.

    Parameters
    ----------
    levels_down : int
        Levels rated down over all domains (0 or more).

    Returns
    -------
    str
        ``high``, ``moderate``, ``low`` or ``very low`` (never below very low).
    """
    if levels_down < 0:
        raise ValueError("levels rated down cannot be negative (nothing is rated up here)")
    return LEVELS[min(levels_down, len(LEVELS) - 1)]


# ---------------------------------------------------------------------------------------
# Summary-of-findings rows
# ---------------------------------------------------------------------------------------


def _row(name: str, k: int, estimate: str, heterogeneity: str, judged: Mapping[str, Judgement]) -> dict:
    row = {"body": name, "k": int(k), "estimate": estimate, "heterogeneity": heterogeneity}
    for d in DOMAINS:
        row[d], row[f"{d}_reason"] = judged[d].words, judged[d].reason
    down = sum(judged[d].levels for d in DOMAINS)
    row["levels_down"], row["certainty"] = int(down), overall(down)
    return row


def rate_body(b: Body, question: Question = THERAPEUTIC_ALLIANCE) -> dict:
    """The summary-of-findings row of one pooled body of evidence.

    Returns
    -------
    dict
        ``body``, ``k``, ``estimate`` (r with its 95% CI, in words), ``heterogeneity`` (I² and
        the prediction interval, or why there are none), for each domain of :data:`DOMAINS`
        its judgement and ``<domain>_reason``, ``levels_down`` and ``certainty``.
    """
    k = b.k
    if not (len(b.estimate_types) == len(b.populations) == len(b.settings) == len(b.weights) == k):
        raise ValueError(f"body {b.name!r}: the per-estimate labels and weights need one entry per estimate")
    if any(not _finite(w) or w <= 0 for w in b.weights):
        raise ValueError(f"body {b.name!r}: weights must be positive numbers")
    judged = {
        "risk_of_bias": judge_risk_of_bias(b.read_in, b.estimate_types, b.weights),
        "inconsistency": judge_inconsistency(k, b.I2, b.pi_lb, b.pi_ub),
        "imprecision": judge_imprecision(k, b.ci_lb, b.ci_ub, b.k_studies),
        "indirectness": judge_indirectness(b.populations, b.settings, b.weights, question),
        "publication_bias": judge_publication_bias(k, b.small_study_p),
    }
    estimate = f"r = {b.r:.2f} (95% CI {b.ci_lb:.2f} to {b.ci_ub:.2f})"
    if k == 1:
        het = "one estimate: no between-review heterogeneity"
    else:
        het = f"I² = {b.I2:.0f}%" if _finite(b.I2) else "I² not given"
        het += (f"; 95% PI {b.pi_lb:.2f} to {b.pi_ub:.2f}" if _finite(b.pi_lb) and _finite(b.pi_ub)
                else "; no prediction interval")
    return _row(b.name, k, estimate, het, judged)


def summary_of_findings(bodies: Iterable[Body], question: Question = THERAPEUTIC_ALLIANCE):
    """The summary-of-findings table: one row per body of evidence (see :func:`rate_body`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per body in the order given; no body gives an empty
        frame with those columns. No cell is NaN.

    Examples
    --------
    The overview's bodies, pooled as the chapter pools them (here REML with Knapp–Hartung)::

        chosen = selected(overview_table(syn, refs), by=())
        fit = lambda rows: pool(rows["yi"].to_numpy(float), rows["vi"].to_numpy(float),
                                test="knha", back_transform=True)
        sof = summary_of_findings(bodies_from_selection(chosen, fit), THERAPEUTIC_ALLIANCE)
    """
    import pandas as pd

    return pd.DataFrame([rate_body(b, question) for b in bodies], columns=list(COLUMNS))


def rate_direction_body(name: str, favours: int, against: int, unclear: int, not_reported: int, k: int,
                        settings: Mapping[str, int] | Sequence[str], question: Question = PARENT_ALLIANCE, *,
                        second_hand: int = 0, adjusted: int = 0, prop_ci: tuple[float, float] | None = None):
    """The summary-of-findings row of a direction-of-effect body (vote counting).

    Parameters
    ----------
    favours, against, unclear, not_reported : int
        Studies whose (prioritised) result favours a stronger alliance, goes against it, has
        no clear direction, or reports none (only "not significant"); they sum to ``k``.
    k : int
        The studies in the body.
    settings : mapping or sequence
        Studies per setting (``{"child_welfare": 4, ...}``) or one setting per study, in the
        vocabulary of ``syntheses.csv``.
    question : Question
        Only its settings are used: the body is a population by construction.
    second_hand : int
        Studies whose direction was read only in an abstract or in a later work.
    adjusted : int
        Studies whose direction comes from an analysis adjusted for earlier change.
    prop_ci : (float, float), optional
        The 95% interval of the proportion favouring among studies with a direction, as the
        vote-counting engine computes it (Wilson; ``(result.main.ci_lb, result.main.ci_ub)``
        of ``engine.directions.count_directions``, whose ``favours``, ``against``, ``unclear``,
        ``not_reported`` and ``k`` are the counts above); without it, or with missing limits,
        imprecision rests on the count.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :func:`summary_of_findings`. The rules: risk of bias as
        for a pooled body, with study counts as weights; inconsistency serious when fewer
        than 70% of the studies with a direction point the same way, or when more than half
        of all studies show no clear direction; imprecision serious when fewer than ten
        studies have a direction or the interval of the proportion includes one half, very
        serious when both; indirectness from the share of studies in a setting outside the
        question (above a quarter: serious); publication bias serious when a quarter or more
        of the studies report no direction (their results are missing selectively, leaning
        the count towards significance); a small-study test is not assessable without effect
        sizes.
    """
    import pandas as pd

    counts = {"favours": favours, "against": against, "unclear": unclear, "not_reported": not_reported,
              "k": k, "second_hand": second_hand, "adjusted": adjusted}
    for key, v in counts.items():
        if int(v) != v or v < 0:
            raise ValueError(f"{key} = {v} must be a whole number of studies, not negative")
    if favours + against + unclear + not_reported != k:
        raise ValueError(f"favours + against + unclear + not_reported = "
                         f"{favours + against + unclear + not_reported}, not k = {k}")
    if k < 1:
        raise ValueError("a direction body needs at least one study")
    if second_hand > k or adjusted > k:
        raise ValueError("second_hand and adjusted count studies of the body: at most k")
    if prop_ci is not None and not all(_finite(x) for x in prop_ci):
        prop_ci = None   # the engine gives no interval when no study has a direction
    per_study = ([s for s, n in settings.items() for _ in range(int(n))] if isinstance(settings, Mapping)
                 else [str(s) for s in settings])
    if len(per_study) != k:
        raise ValueError(f"settings describe {len(per_study)} studies, not k = {k}")

    ones = [1.0] * k
    read = ["abstract"] * second_hand + ["full_text"] * (k - second_hand)
    kinds = ["adjusted"] * adjusted + ["overall"] * (k - adjusted)
    rob = judge_risk_of_bias(read, kinds, ones)
    rob = Judgement(rob.levels, rob.words, rob.reason.replace("of the weight", "of the studies"))

    directed = favours + against
    if directed == 0:
        inc = Judgement(1, JUDGEMENTS[1], f"none of the {k} studies reports a direction either way")
    else:
        agree = max(favours, against) / directed
        way = "favour" if favours >= against else "go against"
        said = (f"{max(favours, against)} of the {directed} studies with a direction {way} a stronger alliance "
                f"({_pct(agree)})")
        if agree < DIRECTION_AGREE:
            inc = Judgement(1, JUDGEMENTS[1], f"{said}, fewer than {_pct(DIRECTION_AGREE)}")
        elif unclear > k / 2:
            inc = Judgement(1, JUDGEMENTS[1], f"{said}, but {unclear} of {k} studies show no clear direction")
        else:
            inc = Judgement(0, JUDGEMENTS[0], f"{said}; {unclear} of {k} with no clear direction")

    concerns = []
    if directed < DIRECTION_MIN:
        concerns.append(f"only {directed} studies have a direction (fewer than {DIRECTION_MIN})")
    if prop_ci is not None:
        lo, hi = (float(x) for x in prop_ci)
        if not (0.0 <= lo <= hi <= 1.0):
            raise ValueError(f"prop_ci = {prop_ci} is not an interval of a proportion, lower limit first")
        if lo <= 0.5 <= hi:
            concerns.append(f"the 95% interval of the proportion favouring, {lo:.2f} to {hi:.2f}, includes one half")
    levels = min(len(concerns), 2)
    imp = Judgement(levels, JUDGEMENTS[levels], "; ".join(concerns) if concerns else
                    f"{directed} studies with a direction" + (
                        f"; proportion favouring 95% CI {prop_ci[0]:.2f} to {prop_ci[1]:.2f}, above one half"
                        if prop_ci is not None else ""))

    ind = judge_indirectness(["(the body's population)"] * k, per_study, ones,
                             Question(question.name, frozenset(), question.settings))
    ind = Judgement(ind.levels, ind.words, ind.reason.replace("of the weight", "of the studies").replace(
        "any population is within the question", "the population is the body's by its selection"))

    missing = not_reported / k
    small = "a small-study test is not assessable without effect sizes"
    if missing >= MISSING_SHARE:
        pub = Judgement(1, JUDGEMENTS[1], f"{not_reported} of {k} studies ({_pct(missing)}) report no direction, "
                        f"at least {_pct(MISSING_SHARE)}: results are missing selectively; {small}")
    else:
        pub = Judgement(0, JUDGEMENTS[0], f"{not_reported} of {k} studies report no direction; {small}")

    judged = {"risk_of_bias": rob, "inconsistency": inc, "imprecision": imp, "indirectness": ind,
              "publication_bias": pub}
    estimate = f"{favours} favour, {against} against, {unclear} no clear direction, {not_reported} not reported"
    if prop_ci is not None and directed:
        estimate += f"; proportion favouring {favours / directed:.2f} (95% CI {prop_ci[0]:.2f} to {prop_ci[1]:.2f})"
    return pd.DataFrame([_row(name, k, estimate, "vote count: no I² or prediction interval", judged)],
                        columns=list(COLUMNS))


# ---------------------------------------------------------------------------------------
# A second lens: the credibility classes of umbrella reviews
# ---------------------------------------------------------------------------------------

#: Class criteria as umbrella reviews that stratify evidence tabulate them (Fusar-Poli &
#: Radua 2018 name the stratification as one of their rules; the thresholds below were read
#: in such tables, e.g. PMC10074550 Table 2 and BMC Medicine 2021, doi 10.1186/s12916-021-02020-6,
#: Table 1). A correlation is a continuous outcome, so the size criterion is participants.
CREDIBILITY_PARTICIPANTS = 20_000
CREDIBILITY_P = {"I": 1e-6, "II": 1e-6, "III": 1e-3, "IV": 0.05}


def credibility_class(p: float, *, n_participants: int | None = None, I2: float | None = None,
                      pi_lb: float | None = None, pi_ub: float | None = None, small_study_p: float | None = None,
                      excess_significance_p: float | None = None,
                      largest_significant: bool | None = None) -> tuple[str, str]:
    """The credibility class of a pooled association (I convincing, II highly suggestive,
    III suggestive, IV weak, NS non-significant), from the inputs that exist.

    Class I needs more than 20,000 participants, p < 10⁻⁶ (random effects), I² < 50%, a 95%
    prediction interval excluding zero, and no small-study effect or excess significance
    (each p > .10); class II the size, p < 10⁻⁶ and a significant largest study; class III the
    size and p < .001; class IV p < .05. A criterion whose input is missing is *not
    assessable*: a class resting on it is neither granted nor ruled out, and the label says
    "at least" the highest class that can be shown. (Some of the tables that state these
    criteria also ask class I for a significant largest study; PMC10074550's does not, and
    neither does this function.)

    Returns
    -------
    (str, str)
        The label (``"I"`` ... ``"IV"``, ``"NS"``, or ``"at least IV"`` and the like) and the
        reason in words.
    """
    if not _finite(p) or not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"p = {p} is not a p-value")
    p = float(p)

    def known(x):
        return _finite(x)

    size = None if n_participants is None or not known(n_participants) else n_participants > CREDIBILITY_PARTICIPANTS
    pi_out = (None if not (known(pi_lb) and known(pi_ub)) else not (float(pi_lb) <= 0.0 <= float(pi_ub)))
    crit = {
        "I": {"participants": size, "p < 1e-6": p < CREDIBILITY_P["I"],
              "I² < 50%": None if not known(I2) else float(I2) < 50.0, "PI excludes zero": pi_out,
              "no small-study effect": None if not known(small_study_p) else float(small_study_p) > 0.10,
              "no excess significance": (None if not known(excess_significance_p)
                                         else float(excess_significance_p) > 0.10)},
        "II": {"participants": size, "p < 1e-6": p < CREDIBILITY_P["II"], "largest study significant":
               largest_significant},
        "III": {"participants": size, "p < 0.001": p < CREDIBILITY_P["III"]},
        "IV": {"p < 0.05": p < CREDIBILITY_P["IV"]},
    }
    open_above = []   # higher classes neither granted nor ruled out
    for cls, conds in crit.items():
        if any(v is False for v in conds.values()):
            continue
        missing = [name for name, v in conds.items() if v is None]
        if missing:
            open_above.append(f"{cls} ({', '.join(missing)} not known)")
            continue
        if open_above:
            return f"at least {cls}", f"meets class {cls}; not assessable: {'; '.join(open_above)}"
        return cls, f"meets every criterion of class {cls}"
    return "NS", f"p = {p:.3g} is not below 0.05"


def credibility_words(chosen, fit) -> str:
    """The credibility class of the pool ``fit`` of the selected estimates ``chosen`` as the
    end of a sentence: 'class <label> (<reason>).', from :func:`credibility_class` with the
    participants summed only when every estimate printed its number; or why there is no class
    (``fit`` None: fewer than two bodies of evidence)."""
    if fit is None:
        return "with fewer than two bodies of evidence there is no pool to grade."
    n = chosen["n_participants"].astype("Float64")
    label, why = credibility_class(fit.pval, n_participants=int(n.sum()) if n.notna().all() else None,
                                   I2=fit.I2, pi_lb=fit.r_pi_lb, pi_ub=fit.r_pi_ub)
    return f"class {label} ({why})."


def headline_certainty_words(sof, name: str) -> str:
    """'The headline pool is rated <certainty> certainty.' from the row of a
    :func:`summary_of_findings` table whose body is ``name`` (the pooled body of
    :func:`bodies_from_selection`); that no pool is rated when there is no such row."""
    rows = sof[sof["body"] == name] if len(sof) else sof
    if not len(rows):
        return "With fewer than two bodies of evidence, no pool is rated."
    return f"The headline pool is rated {rows['certainty'].iloc[0]} certainty."


__all__ = ["Question", "Body", "Judgement", "THERAPEUTIC_ALLIANCE", "PARENT_ALLIANCE", "LEVELS", "DOMAINS",
           "COLUMNS", "body", "bodies_from_selection", "rate_body", "summary_of_findings", "rate_direction_body",
           "judge_risk_of_bias", "judge_inconsistency", "judge_imprecision", "judge_indirectness",
           "judge_publication_bias", "overall", "credibility_class", "credibility_words",
           "headline_certainty_words"]
