"""Subgroup analyses of the dataset: one pooled estimate per level of a moderator.

Within a subgroup, rows that share a sample are first averaged (see
:func:`alliance_meta.evidence.aggregate.by_sample`), so each sample counts once per subgroup. A
sample can appear in several subgroups (for instance a study that reports both parent-
and youth-rated alliance); the test of differences between subgroups therefore treats
subgroups as independent only approximately, and the book says so where it is used.
"""

from __future__ import annotations

import numpy as np

from .aggregate import by_sample
from .sentences import counted, were
from ..engine.models import metareg, pool


def subgroup_table(frame, by: str, *, method: str = "REML", test: str = "z", min_samples: int = 2,
                   order=None):
    """Pool each level of ``by`` separately.

    Parameters
    ----------
    frame : pandas.DataFrame
        Effect sizes with ``r``, ``n``, ``sample``, ``study`` and the column ``by``.
    min_samples : int
        Levels with fewer independent samples are listed with counts only (no estimate).
    order : sequence, optional
        Order of the levels in the table (default: sorted).

    Returns
    -------
    pandas.DataFrame
        One row per level: ``level, studies, samples, rows, r, ci_lb, ci_ub, pi_lb, pi_ub,
        tau2, I2``; r and its limits back-transformed from the Fisher z model (``method``
        estimator of tau^2, ``test`` inference); NaN where the level has too few samples.
    """
    import pandas as pd

    levels = list(order) if order is not None else sorted(frame[by].dropna().unique(), key=str)
    rows = [{"level": level, **pooled_row(frame[frame[by] == level], method=method, test=test,
                                          min_samples=min_samples)} for level in levels]
    return pd.DataFrame(rows)


def pooled_row(part, *, method: str = "REML", test: str = "z", min_samples: int = 2) -> dict:
    """Counts and the pooled estimate of one set of rows, averaged per sample first.

    Returns
    -------
    dict
        ``studies, samples, rows, r, ci_lb, ci_ub, pi_lb, pi_ub, tau2, I2``; r and its limits
        back-transformed from the Fisher z random-effects model (``method`` estimator of
        tau^2, ``test`` inference), NaN when there are fewer than ``min_samples`` samples.
    """
    agg = by_sample(part) if len(part) else None
    row = {"studies": int(part["study"].nunique()), "samples": 0 if agg is None else len(agg), "rows": len(part)}
    est = dict.fromkeys(("r", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2"), np.nan)
    if agg is not None and len(agg) >= min_samples:
        fit = pool(agg["yi"], agg["vi"], method=method, test=test, back_transform=True)
        est = {"r": fit.r, "ci_lb": fit.r_ci_lb, "ci_ub": fit.r_ci_ub, "pi_lb": fit.r_pi_lb,
               "pi_ub": fit.r_pi_ub, "tau2": fit.tau2, "I2": fit.I2}
    return {**row, **est}


def subgroup_test(frame, by: str, *, method: str = "REML", test: str = "z", min_samples: int = 2):
    """Test whether the pooled correlation differs between the levels of ``by``.

    Rows are averaged per sample within each level, levels with fewer than
    ``min_samples`` samples are dropped, and a mixed-effects meta-regression with ``by``
    as a categorical moderator is fitted on the Fisher z scale.

    Returns
    -------
    alliance_meta.engine.models.MetaRegResult or None
        The fit (its ``QM``, ``QM_df`` and ``QM_pval`` are the test of subgroup
        differences); None when fewer than two levels qualify.
    """
    import pandas as pd

    parts = []
    for level, part in frame.groupby(by):
        agg = by_sample(part)
        if len(agg) >= min_samples:
            agg[by] = level
            parts.append(agg)
    if len(parts) < 2:
        return None
    data = pd.concat(parts, ignore_index=True)
    return metareg(data["yi"], data["vi"], {by: data[by].astype(str).tolist()}, method=method, test=test)


#: Below this many samples a moderator test is shown but not read as a finding.
SMALL_K = 10


def describe_test(result) -> str:
    """One line for prose: ``"QM(2) = 3.21, p = 0.201"`` or why there is no test.

    Parameters
    ----------
    result : alliance_meta.engine.models.MetaRegResult or None
        The output of :func:`subgroup_test`.
    """
    if result is None:
        return "no test (fewer than two subgroups with two or more samples)"
    p = f"{result.QM_pval:.3f}" if result.QM_pval >= 0.001 else "< 0.001"
    p = p if p.startswith("<") else f"= {p}"
    text = f"QM({result.QM_df}) = {result.QM:.2f}, p {p}"
    if result.k < SMALL_K:
        # a moderator test on a handful of samples has little power and unstable error rates;
        # it is shown, but its p-value is not read as a finding
        text += f" (on {result.k} samples, fewer than {SMALL_K}: shown, not read as a finding)"
    return text


def restricted_table(frame, restrictions: dict, *, method: str = "REML", test: str = "z", min_samples: int = 2):
    """Pool the rows kept by each restriction: a sensitivity analysis by inclusion rule.

    Parameters
    ----------
    restrictions : dict
        ``{label: boolean mask over the rows of frame}``, in the order the table lists them.

    Returns
    -------
    pandas.DataFrame
        One row per restriction, ``analysis`` plus the columns of :func:`pooled_row`
        (Fisher z random-effects model, r back-transformed).
    """
    import pandas as pd

    rows = [{"analysis": label, **pooled_row(frame[np.asarray(mask, dtype=bool)], method=method, test=test,
                                             min_samples=min_samples)} for label, mask in restrictions.items()]
    return pd.DataFrame(rows)


def provenance_restrictions(frame) -> dict:
    """The book's sensitivity analyses by how a value was obtained.

    Returns
    -------
    dict
        Boolean masks: every row; rows read in the study itself rather than in a review's
        table (``source_access != 'secondary_table'``); rows printed as a zero-order
        correlation (``es_method`` ``reported_r`` or ``spearman_rho``, so no conversion and no
        partial or beta); rows read beyond an abstract.
    """
    access = frame["source_access"].astype(str)
    return {
        "all correlations": np.ones(len(frame), dtype=bool),
        "read in the study itself": (access != "secondary_table").to_numpy(),
        "printed as a zero-order r": frame["es_method"].isin(["reported_r", "spearman_rho"]).to_numpy(),
        "read beyond an abstract": (access != "abstract").to_numpy(),
    }


#: ``es_method`` values that are zero-order correlations as printed (no conversion, no partial r).
PRINTED_R = ("reported_r", "spearman_rho")


def provenance_counts(frame) -> dict:
    """How the values of the primary table were obtained, in counts.

    Returns
    -------
    dict
        ``rows`` (all), ``abstract`` (read in an abstract), ``secondary`` (read in a review's table)
        and ``converted`` (not printed as a zero-order correlation: ``es_method`` outside
        :data:`PRINTED_R`); ints.
    """
    access = frame["source_access"].astype(str)
    return {"rows": int(len(frame)), "abstract": int((access == "abstract").sum()),
            "secondary": int((access == "secondary_table").sum()),
            "converted": int((~frame["es_method"].isin(PRINTED_R)).sum())}


def provenance_words(counts: dict) -> str:
    """How the values were obtained, from :func:`provenance_counts`, as one sentence.

    Returns
    -------
    str
        'Of the 19 correlations, 4 were read in an abstract, 2 in a review's table, and 7 were
        not printed as a zero-order correlation.', verbs and nouns agreeing with their counts;
        'The dataset holds no correlation.' for an empty table.
    """
    if not counts["rows"]:
        return "The dataset holds no correlation."
    return (f"Of the {counted(counts['rows'], 'correlation')}, {were(counts['abstract'])} read in an abstract, "
            f"{counts['secondary']} in a review's table, and {were(counts['converted'])} not printed as a "
            "zero-order correlation.")


def restriction_words(table) -> str:
    """The pooled r under each restriction of :func:`restricted_table`, joined by semicolons.

    Returns
    -------
    str
        '<restriction>, r = 0.27 from 9 samples' for a restriction that keeps two or more samples,
        '<restriction>, no estimate (1 sample)' otherwise; 'no restriction is applied' for an empty
        table.
    """
    if not len(table):
        return "no restriction is applied"
    parts = []
    for row in table.itertuples():
        samples = int(row.samples)
        parts.append(f"{row.analysis}, r = {row.r:.2f} from {samples} samples" if samples >= 2 and np.isfinite(row.r)
                     else f"{row.analysis}, no estimate ({samples} sample{'s' * (samples != 1)})")
    return "; ".join(parts)


def subgroup_section(frame, by: str, label: str, *, order=None):
    """The subgroup table of ``by`` with its first column named ``label``, and its test in words.

    Parameters
    ----------
    order : sequence, optional
        Levels listed first, in this order (a vocabulary); levels present in ``frame`` but not in
        ``order`` follow, sorted, so no coded level is left out of the table.

    Returns
    -------
    tuple
        ``(table, words)``: :func:`subgroup_table` with ``level`` renamed to ``label``, and
        :func:`describe_test` of :func:`subgroup_test`.
    """
    levels = None
    if order is not None:
        present = sorted((v for v in frame[by].dropna().unique() if v not in list(order)), key=str)
        levels = list(order) + present
    table = subgroup_table(frame, by, order=levels).rename(columns={"level": label})
    return table, describe_test(subgroup_test(frame, by))


def level_studies_words(frame, by: str, level: str, what: str) -> str:
    """How many coded studies have a row at ``level`` of ``by``, as the opening of a sentence.

    Parameters
    ----------
    what : str
        What those studies did, in the past tense ('sampled mandated clients').

    Returns
    -------
    str
        'No coded studies sampled mandated clients', 'One coded study sampled ...', 'Three coded
        studies ...' (counts in words below ten); no full stop.
    """
    from ..engine.wording import number_word

    n = int(frame.loc[frame[by] == level, "study"].nunique())
    return f"{number_word(n, zero='no').capitalize()} coded stud{'y' if n == 1 else 'ies'} {what}"


def level_reach_words(frame, by: str, level: str, *, min_samples: int = 2) -> str:
    """What the table above can say about ``level`` of ``by``: a clause for after a comma.

    Returns
    -------
    str
        'so the dataset can say little about them' when the level holds fewer than ``min_samples``
        samples (it is not pooled); otherwise 'pooled in the table above from 3 samples, a
        description of those samples rather than a finding'.
    """
    samples = int(frame.loc[frame[by] == level, "sample"].nunique())
    if samples < min_samples:
        return "so the dataset can say little about them"
    return f"pooled in the table above from {samples} samples, a description of those samples rather than a finding"
