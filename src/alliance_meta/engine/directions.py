"""Synthesis without meta-analysis: vote counting by the direction of effect.

When the studies print no effect size that can be pooled, the Cochrane Handbook (chapter 12,
McKenzie & Brennan) and the SWiM guideline (Campbell et al. 2020) accept vote counting based
on the *direction* of each effect (never on its significance): how many studies point each
way, the proportion favouring among those with a direction and its confidence interval, and a
sign test. This module does that, and reduces several results of one sample in one outcome
domain to one direction by the written rule of the effect direction plot (Thomson & Thomas
2013, revised by Hilton Boon & Thomson 2021).

A direction is one of four labels (:data:`DIRECTIONS`):

``favours``
    the stronger alliance goes with the better outcome;
``against``
    the stronger alliance goes with the worse outcome;
``no_clear_direction``
    mixed results, or a null result whose direction is stated but neither way;
``not_reported``
    the source says only that the association was not significant, with no direction.

The proportion favouring is ``favours / (favours + against)``: the studies with no clear
direction and those that report none cannot vote. Its interval is the Wilson score interval
(R's ``prop.test(x, n, correct = FALSE)$conf.int``) and its test the two-sided exact sign
test of a proportion of one half (R's ``binom.test(x, n, 0.5)$p.value``). Because studies
that report only "not significant" are left out, the count leans towards the significant
direction; the sensitivity analysis counts every ``not_reported`` study as ``against``
(the least favourable assumption the data allow).

Time and memory are linear in the number of rows (the sign test sums at most n + 1
binomial probabilities).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .errors import InputError

#: The four direction labels, in the order counts and figures show them.
DIRECTIONS = ("favours", "against", "no_clear_direction", "not_reported")
#: Labels that say which way an effect went (they take part in the 70% rule).
_WITH_DIRECTION = ("favours", "against", "no_clear_direction")
#: The two-sided 95% normal quantile as R's qnorm(0.975) returns it; SciPy's ndtri(0.975)
#: is one unit in the last place larger, which would move the Wilson bounds by about 1e-16.
_Z975 = 1.9599639845400536
#: R's binom.test treats probabilities within this relative distance of the observed one as
#: "as extreme" (``relErr <- 1 + 1e-07``), so that rounding does not split a tie.
_REL_ERR = 1 + 1e-7


# ---------------------------------------------------------------------------------------
# The interval and the test
# ---------------------------------------------------------------------------------------


def wilson_interval(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion ``x / n``.

    Parameters
    ----------
    x, n : int
        Successes and trials, ``0 <= x <= n`` and ``n >= 1``.
    level : float
        Confidence level (two-sided).

    Returns
    -------
    (float, float)
        Lower and upper bound, equal to R's ``prop.test(x, n, correct = FALSE)$conf.int``:
        the same arithmetic in the same order, with the bound set to exactly 0 when
        ``x = 0`` and to exactly 1 when ``x = n`` (as R does).

    Raises
    ------
    ValueError
        ``n < 1`` or ``x`` outside ``[0, n]``.
    """
    x, n = _check_counts(x, n)
    if level == 0.95:
        z = _Z975
    else:
        from scipy.special import ndtri

        z = float(ndtri((1 + level) / 2))
    p = x / n
    z22n = z * z / (2 * n)
    # R's order of operations, so that the bounds agree to the last bits
    spread = z * math.sqrt(p * (1 - p) / n + z22n / (2 * n))
    upper = 1.0 if p >= 1 else (p + z22n + spread) / (1 + 2 * z22n)
    lower = 0.0 if p <= 0 else (p + z22n - spread) / (1 + 2 * z22n)
    return max(lower, 0.0), min(upper, 1.0)


def sign_test(x: int, n: int, p: float = 0.5) -> float:
    """Two-sided exact binomial test of ``x`` successes in ``n`` trials (the sign test when
    ``p = 0.5``).

    Parameters
    ----------
    x, n : int
        Successes and trials, ``0 <= x <= n`` and ``n >= 1``.
    p : float
        The proportion under the null hypothesis.

    Returns
    -------
    float
        The p-value by R's two-sided rule (``binom.test(x, n, p)$p.value``): the probability
        of every count whose probability is at most ``d * (1 + 1e-7)``, ``d`` being the
        probability of ``x``; exactly 1 when ``x = n p``; never above 1.

    Raises
    ------
    ValueError
        ``n < 1``, ``x`` outside ``[0, n]`` or ``p`` outside ``(0, 1)``.
    """
    x, n = _check_counts(x, n)
    if not 0 < p < 1:
        raise ValueError(f"p = {p} must lie strictly between 0 and 1")
    from scipy.stats import binom

    mean = n * p
    if x == mean:
        return 1.0
    d = binom.pmf(x, n, p) * _REL_ERR
    if x < mean:
        # the other tail: counts from ceil(np) up, how many are at most as probable as x
        others = binom.pmf(np.arange(math.ceil(mean), n + 1), n, p)
        y = int(np.count_nonzero(others <= d))
        pval = binom.cdf(x, n, p) + binom.sf(n - y, n, p)
    else:
        others = binom.pmf(np.arange(0, math.floor(mean) + 1), n, p)
        y = int(np.count_nonzero(others <= d))
        pval = binom.cdf(y - 1, n, p) + binom.sf(x - 1, n, p)
    return float(min(1.0, pval))


def _check_counts(x, n) -> tuple[int, int]:
    if int(x) != x or int(n) != n:
        raise ValueError(f"x = {x} and n = {n} must be whole numbers")
    x, n = int(x), int(n)
    if n < 1:
        raise ValueError(f"n = {n}: a proportion needs at least one study with a direction")
    if not 0 <= x <= n:
        raise ValueError(f"x = {x} must lie between 0 and n = {n}")
    return x, n


# ---------------------------------------------------------------------------------------
# The vote count
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proportion:
    """A proportion favouring with its Wilson interval and sign test, or nothing.

    All four values are ``None`` when no study has a direction that counts (``n = 0``):
    there is then no proportion to estimate, and the result says so instead of holding NaN.
    """

    x: int
    n: int
    proportion: float | None
    ci_lb: float | None
    ci_ub: float | None
    sign_test_pval: float | None

    @classmethod
    def of(cls, x: int, n: int) -> "Proportion":
        if n == 0:
            return cls(x, n, None, None, None, None)
        lb, ub = wilson_interval(x, n)
        return cls(x, n, x / n, lb, ub, sign_test(x, n))

    @property
    def estimable(self) -> bool:
        return self.n > 0

    def to_dict(self) -> dict:
        return {"proportion": self.proportion, "ci_lb": self.ci_lb, "ci_ub": self.ci_ub,
                "sign_test_pval": self.sign_test_pval}


@dataclass(frozen=True)
class DirectionsResult:
    """A vote count by direction of effect.

    Attributes
    ----------
    k : int
        Studies (units) counted: favours + against + unclear + not_reported.
    favours, against, unclear, not_reported : int
        Counts per direction (``unclear`` counts ``no_clear_direction``).
    main : Proportion
        favours / (favours + against), its 95% Wilson interval and the two-sided sign test.
    sensitivity : Proportion
        The same with every ``not_reported`` study counted as against:
        favours / (favours + against + not_reported).
    k_omitted : int
        Units left out because their direction was missing (empty or NA); not in ``k``.
    label : str or None
        What was counted (a group's level), used by :meth:`summary`.
    """

    k: int
    favours: int
    against: int
    unclear: int
    not_reported: int
    main: Proportion
    sensitivity: Proportion
    k_omitted: int = 0
    label: str | None = None

    @property
    def estimable(self) -> bool:
        """Whether any study has a direction (favours or against): without one the proportion,
        its interval and the sign test are ``None``."""
        return self.main.estimable

    @property
    def proportion(self) -> float | None:
        return self.main.proportion

    @property
    def ci_lb(self) -> float | None:
        return self.main.ci_lb

    @property
    def ci_ub(self) -> float | None:
        return self.main.ci_ub

    @property
    def sign_test_pval(self) -> float | None:
        return self.main.sign_test_pval

    def to_dict(self) -> dict:
        """The contract's keys: ``k, favours, against, unclear, not_reported, proportion,
        ci_lb, ci_ub, sign_test_pval`` and ``sensitivity{proportion, ci_lb, ci_ub,
        sign_test_pval}``; values that cannot be computed are ``None`` (JSON ``null``)."""
        out = {"k": self.k, "favours": self.favours, "against": self.against, "unclear": self.unclear,
               "not_reported": self.not_reported}
        out.update(self.main.to_dict())
        out["sensitivity"] = self.sensitivity.to_dict()
        return out

    def summary(self, caveat: bool = True) -> str:
        """A readable account: the counts, the proportion favouring with its interval and
        sign test, the sensitivity analysis, what cannot be computed and (``caveat``) what a
        vote count cannot say."""
        from .wording import p_text

        head = f"Vote count by direction of effect{f' ({self.label})' if self.label else ''}"
        lines = [head,
                 f"  studies counted: {self.k} (favours {self.favours}, against {self.against}, "
                 f"no clear direction {self.unclear}, not reported {self.not_reported})"]
        if self.k_omitted:
            lines.append(f"  left out (direction missing): {self.k_omitted}")
        if self.estimable:
            m = self.main
            lines.append(f"  proportion favouring: {m.x}/{m.n} = {m.proportion:.3f}, 95% CI "
                         f"[{m.ci_lb:.3f}, {m.ci_ub:.3f}] (Wilson); sign test {p_text(m.sign_test_pval)}")
        else:
            lines.append("  proportion favouring: not estimable (no study favours or goes against)")
        s = self.sensitivity
        if s.estimable:
            lines.append(f"  sensitivity, not reported counted against: {s.x}/{s.n} = {s.proportion:.3f}, "
                         f"95% CI [{s.ci_lb:.3f}, {s.ci_ub:.3f}]; sign test {p_text(s.sign_test_pval)}")
        else:
            lines.append("  sensitivity, not reported counted against: not estimable")
        if caveat:
            lines.append("  (counts directions, not magnitudes; studies with no clear or no reported direction "
                         "do not vote)")
        return "\n".join(lines)


def count_directions(directions, *, rows=None, file: str | None = None, column: str | None = None,
                     label: str | None = None) -> DirectionsResult:
    """Vote count of a sequence of direction labels.

    Parameters
    ----------
    directions : sequence of str or None
        One label per study (or per sample and domain, see :func:`prioritise_directions`):
        ``favours``, ``against``, ``no_clear_direction`` or ``not_reported``. ``None``, NaN,
        an empty string and ``NA`` are a missing direction: left out and counted in
        ``k_omitted``. Surrounding spaces are ignored; case is not (labels are lower case).
    rows : sequence of int, optional
        The data-row number of each label, for the error message.
    file, column : str, optional
        Where the labels come from, for the error message.
    label : str, optional
        A name for what is counted (shown by ``summary()``).

    Returns
    -------
    DirectionsResult
        Counts; the proportion favouring (favours / (favours + against)) with its 95% Wilson
        interval and two-sided sign test; and the sensitivity analysis counting
        ``not_reported`` as against. With no study favouring or against, the proportion,
        interval and test are ``None`` and ``estimable`` is False.

    Raises
    ------
    InputError
        At the first label that is none of the four, naming file, row and column.
    """
    labels = normalise_directions(directions, rows=rows, file=file, column=column)
    counts = {d: 0 for d in DIRECTIONS}
    missing = 0
    for lab in labels:
        if lab is None:
            missing += 1
        else:
            counts[lab] += 1
    fav, aga, unc, nr = (counts[d] for d in DIRECTIONS)
    return DirectionsResult(k=fav + aga + unc + nr, favours=fav, against=aga, unclear=unc, not_reported=nr,
                            main=Proportion.of(fav, fav + aga), sensitivity=Proportion.of(fav, fav + aga + nr),
                            k_omitted=missing, label=label)


def count_by(directions, groups, *, rows=None, file: str | None = None, column: str | None = None,
             group_column: str | None = None) -> dict[str, DirectionsResult]:
    """:func:`count_directions` within each level of ``groups``.

    Parameters
    ----------
    directions : sequence of str or None
        Direction labels, as for :func:`count_directions`.
    groups : sequence of str
        The group of each label, aligned with ``directions``. A missing group (``None``,
        empty, ``NA``) leaves its row out of every group (it still counts in the overall
        result a caller computes).
    rows, file, column : optional
        For error messages, as for :func:`count_directions`.
    group_column : str, optional
        Name of the grouping column, for the ``label`` of each result.

    Returns
    -------
    dict of str to DirectionsResult
        One result per level, levels in sorted order.
    """
    labels = normalise_directions(directions, rows=rows, file=file, column=column)
    groups = list(groups)
    if len(groups) != len(labels):
        raise InputError(f"{len(labels)} directions but {len(groups)} group values")
    keyed: dict[str, list] = {}
    for lab, g in zip(labels, groups):
        if _is_missing(g):
            continue
        keyed.setdefault(str(g).strip(), []).append(lab)
    name = f"{group_column} = " if group_column else ""
    return {lev: count_directions(keyed[lev], label=f"{name}{lev}") for lev in sorted(keyed)}


def normalise_directions(directions, *, rows=None, file=None, column=None) -> list[str | None]:
    """The labels stripped of spaces, with every missing spelling as ``None``.

    Raises
    ------
    InputError
        At the first label that is not one of :data:`DIRECTIONS` (nor missing).
    """
    out = []
    rows = None if rows is None else list(rows)
    for i, value in enumerate(directions):
        if _is_missing(value):
            out.append(None)
            continue
        text = str(value).strip()
        if text not in DIRECTIONS:
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise InputError(f"'{shown}' is not a direction (use {', '.join(DIRECTIONS)}; "
                             "leave the cell empty when it is missing)", file=file,
                             row=None if rows is None else int(rows[i]), column=column)
        out.append(text)
    return out


def _is_missing(value) -> bool:
    if value is None or type(value).__name__ == "NAType":  # pandas' NA, without importing pandas
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip() in ("", "NA")


# ---------------------------------------------------------------------------------------
# One direction per sample and domain
# ---------------------------------------------------------------------------------------

#: The prioritisation rule, as applied by :func:`prioritise_directions`, one choice a line.
PRIORITISATION_RULE = (
    "1. Unit: the rows sharing a sample and an outcome domain give one direction.",
    "2. Primary outcome first: if any row of the unit is flagged primary, only the primary rows are used "
    "(even when all of them are not_reported); otherwise all rows are used.",
    "3. Rows with a direction: among the rows used, those labelled favours, against or no_clear_direction; "
    "not_reported rows are set aside whenever at least one row has a direction.",
    "4. The 70% rule: if at least 70% of the rows with a direction are favours, the unit favours; if at least "
    "70% are against, it is against; otherwise it has no_clear_direction (no_clear_direction rows count in "
    "the denominator, so they dilute a majority; a single row gives its own direction).",
    "5. No row with a direction: the unit is not_reported.",
    "6. Rows with a missing direction are left out of the unit; a unit with only such rows is left out and "
    "counted.",
)

#: The names of the rule's branches, as :attr:`Prioritised.branch` reports them.
BRANCHES = ("single", "majority", "no_majority", "not_reported_only")


@dataclass(frozen=True)
class Prioritised:
    """One direction per unit (sample x domain), with the branch of the rule that gave it.

    Attributes
    ----------
    samples, domains : list of str
        The unit's sample and domain, units in order of first appearance in the input.
    directions : list of str
        The unit's direction (one of :data:`DIRECTIONS`).
    branches : list of str
        Which branch of the rule decided (:data:`BRANCHES`): ``single`` (one row with a
        direction), ``majority`` (at least ``threshold`` of the rows share favours or
        against), ``no_majority`` (several rows, no such share: ``no_clear_direction``),
        ``not_reported_only`` (no row has a direction).
    primary_only : list of bool
        Whether the unit's primary-outcome rows were used instead of all its rows.
    n_rows : list of int
        Rows of the unit (with a known direction).
    n_used : list of int
        Rows the rule weighed (after the primary filter and setting not_reported aside).
    share : list of float or None
        The share of the winning direction (or of the larger of favours and against) among
        the rows weighed; ``None`` for ``not_reported_only``.
    rows : list of list of int
        Indices (from 0, into the input) of the rows of each unit.
    k_omitted : int
        Units whose every row had a missing direction.
    threshold : float
        The share needed for a majority (0.7).
    rule : tuple of str
        :data:`PRIORITISATION_RULE`, the choices the rule makes.
    """

    samples: list
    domains: list
    directions: list
    branches: list
    primary_only: list
    n_rows: list
    n_used: list
    share: list
    rows: list
    k_omitted: int = 0
    threshold: float = 0.7
    rule: tuple = field(default=PRIORITISATION_RULE)

    def __len__(self) -> int:
        return len(self.directions)

    def to_dict(self) -> dict:
        """``units``: one dict per unit (sample, domain, direction, branch, primary_only,
        n_rows, n_used, share); ``k_omitted``; ``threshold``; ``rule``."""
        keys = ("sample", "domain", "direction", "branch", "primary_only", "n_rows", "n_used", "share")
        units = [dict(zip(keys, vals)) for vals in zip(self.samples, self.domains, self.directions, self.branches,
                                                        self.primary_only, self.n_rows, self.n_used, self.share)]
        return {"units": units, "k_omitted": self.k_omitted, "threshold": self.threshold, "rule": list(self.rule)}

    def branch_counts(self) -> dict[str, int]:
        """How many units each branch decided."""
        return {b: self.branches.count(b) for b in BRANCHES}


def prioritise_directions(samples, domains, directions, primary=None, *, threshold: float = 0.7,
                          rows=None, file: str | None = None, column: str | None = None) -> Prioritised:
    """Reduce several rows per sample and outcome domain to one direction by a written rule.

    The rule is that of the effect direction plot (Thomson & Thomas 2013; Hilton Boon &
    Thomson 2021), applied per unit (the rows sharing a sample and a domain):

    1. if any row of the unit is flagged primary, only the primary rows are used (even
       when all of them are ``not_reported``); otherwise all its rows are used;
    2. of the rows used, those with a direction (``favours``, ``against``,
       ``no_clear_direction``) are weighed; ``not_reported`` rows are set aside whenever
       at least one row has a direction;
    3. if at least ``threshold`` (70%) of the rows weighed are ``favours``, the unit
       favours; if at least that share are ``against``, it is against; otherwise it has
       ``no_clear_direction``. ``no_clear_direction`` rows count in the denominator. A
       single row weighed gives its own direction;
    4. if no row used has a direction, the unit is ``not_reported``;
    5. rows with a missing direction (empty, ``NA``, ``None``) are left out; a unit left
       with no row is counted in ``k_omitted``.

    The share is compared exactly (as a fraction), so 7 of 10 is a majority.

    Parameters
    ----------
    samples, domains : sequence of str
        The sample and outcome domain of each row. Pass the same value for every row to
        reduce per sample only.
    directions : sequence of str
        Direction labels (:data:`DIRECTIONS`, or missing).
    primary : sequence of bool or str, optional
        Whether each row is a primary outcome: ``True``/``"yes"``/``"true"``/``"1"`` are
        primary, anything else is not. Without it no row is primary.
    threshold : float
        Share needed for a majority, in (0.5, 1].
    rows, file, column : optional
        For error messages (row numbers of the input).

    Returns
    -------
    Prioritised
        Per unit: the direction, the branch of the rule used (:data:`BRANCHES`), whether
        the primary filter applied, the rows counted and the share; plus the rule's text.

    Raises
    ------
    InputError
        A label that is not a direction, or inputs of different lengths.
    ValueError
        ``threshold`` outside (0.5, 1].
    """
    if not 0.5 < threshold <= 1:
        raise ValueError(f"threshold = {threshold} must lie in (0.5, 1] so that one direction at most can reach it")
    labels = normalise_directions(directions, rows=rows, file=file, column=column)
    samples, domains = list(samples), list(domains)
    flags = [False] * len(labels) if primary is None else [_is_primary(v) for v in primary]
    if not len(samples) == len(domains) == len(labels) == len(flags):
        raise InputError(f"samples ({len(samples)}), domains ({len(domains)}), directions ({len(labels)}) and "
                         f"primary ({len(flags)}) must have one value per row")
    need = Fraction(str(threshold))
    units: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(samples, domains)):
        units.setdefault(key, []).append(i)
    out = {k: [] for k in ("samples", "domains", "directions", "branches", "primary_only", "n_rows", "n_used",
                           "share", "rows")}
    omitted = 0
    for (sample, domain), idx in units.items():
        known = [i for i in idx if labels[i] is not None]
        if not known:
            omitted += 1
            continue
        prim = [i for i in known if flags[i]]
        used = prim or known
        weighed = [labels[i] for i in used if labels[i] in _WITH_DIRECTION]
        if not weighed:
            direction, branch, share, n_used = "not_reported", "not_reported_only", None, len(used)
        else:
            n_used = len(weighed)
            fav, aga = weighed.count("favours"), weighed.count("against")
            if n_used == 1:
                direction, branch, share = weighed[0], "single", 1.0
            elif Fraction(fav, n_used) >= need:
                direction, branch, share = "favours", "majority", fav / n_used
            elif Fraction(aga, n_used) >= need:
                direction, branch, share = "against", "majority", aga / n_used
            else:
                direction, branch, share = "no_clear_direction", "no_majority", max(fav, aga) / n_used
        out["samples"].append(sample)
        out["domains"].append(domain)
        out["directions"].append(direction)
        out["branches"].append(branch)
        out["primary_only"].append(bool(prim))
        out["n_rows"].append(len(known))
        out["n_used"].append(n_used)
        out["share"].append(share)
        out["rows"].append(idx)
    return Prioritised(**out, k_omitted=omitted, threshold=threshold)


def _is_primary(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None:
        return False
    return str(value).strip().lower() in ("yes", "true", "1", "y")


__all__ = ["DIRECTIONS", "BRANCHES", "PRIORITISATION_RULE", "DirectionsResult", "Proportion", "Prioritised",
           "count_directions", "count_by", "prioritise_directions", "normalise_directions", "wilson_interval",
           "sign_test"]
