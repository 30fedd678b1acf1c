"""The same data under different estimators and tests, side by side."""

from __future__ import annotations

from ..engine.models import pool

DEFAULT = (("REML", "z"), ("DL", "z"), ("PM", "z"), ("REML", "knha"), ("FE", "z"))


def estimator_table(yi, vi, settings=DEFAULT, *, back_transform: bool = True):
    """Fit :func:`alliance_meta.engine.models.pool` once per (method, test) pair.

    Returns
    -------
    pandas.DataFrame
        One row per setting: ``method, test, estimate, ci_lb, ci_ub, pi_lb, pi_ub, tau2, I2``;
        estimate and limits on the r scale when ``back_transform`` (yi are Fisher z), else
        on the scale of ``yi``. FE has no prediction interval (NaN).
    """
    import pandas as pd

    rows = []
    for method, test in settings:
        fit = pool(yi, vi, method=method, test=test, back_transform=back_transform)
        pre = "r_" if back_transform else ""
        rows.append({
            "method": method, "test": test,
            "estimate": fit.r if back_transform else fit.estimate,
            "ci_lb": getattr(fit, pre + "ci_lb"), "ci_ub": getattr(fit, pre + "ci_ub"),
            "pi_lb": getattr(fit, pre + "pi_lb"), "pi_ub": getattr(fit, pre + "pi_ub"),
            "tau2": fit.tau2, "I2": fit.I2,
        })
    return pd.DataFrame(rows).astype({"pi_lb": float, "pi_ub": float})


#: The columns of :func:`estimator_table`.
COLUMNS = ["method", "test", "estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2"]


def estimators_side_by_side(yi, vi, settings=DEFAULT):
    """:func:`estimator_table` (r scale) when there are two or more effect sizes to pool.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`estimator_table`; with fewer than two effect sizes, the same columns
        and no rows (nothing is estimated).
    """
    import pandas as pd

    if len(yi) < 2:
        return pd.DataFrame(columns=COLUMNS)
    return estimator_table(yi, vi, settings)


def estimator_words(side, fit) -> str:
    """How far the pooled correlation moves across :func:`estimators_side_by_side`, and what the
    fixed-effect row assumes against the test of heterogeneity.

    Parameters
    ----------
    side : pandas.DataFrame
        :func:`estimators_side_by_side`'s table (r scale).
    fit : PoolResult or None
        The main fit, whose ``Q_pval`` (Cochran's Q) is read; None when nothing was pooled.

    Returns
    -------
    str
        The largest difference between the estimates (three decimals) and whether the test of
        heterogeneity rejects the fixed-effect assumption; a sentence saying nothing is estimated
        when the table has no rows.
    """
    if not len(side) or fit is None:
        return "With fewer than two samples there is nothing to estimate."
    spread = side["estimate"].max() - side["estimate"].min()
    moves = (f"The pooled correlation moves by at most {spread:.3f} across the settings of the table"
             if spread >= 0.0005 else "The pooled correlation is the same to three decimals across the settings of "
             "the table")
    return (moves + "; the estimator changes the weights, and the test the width of the intervals. "
            "The fixed-effect row is there for contrast only: it assumes one true correlation for every service, "
            + ("which the test of heterogeneity above rejects." if fit.Q_pval < 0.05 else
               "which the test of heterogeneity above does not reject, though with few samples that test has little "
               "power."))


def estimator_shift_words(side) -> str:
    """The exercise's answer on the data: how far the random-effects point estimates (every
    τ² estimator and test, the fixed-effect row left out) lie apart.

    Returns
    -------
    str
        'on these data the random-effects estimates lie within 0.004 of one another' (r, three
        decimals; 'agree to three decimals' below 0.0005), or a sentence saying nothing is pooled
        when the table has no random-effects row.
    """
    random = side[side["method"] != "FE"] if len(side) else side
    if not len(random):
        return "on these data nothing is pooled, so there is nothing to compare"
    spread = random["estimate"].max() - random["estimate"].min()
    if spread < 0.0005:  # would print as 0.000
        return "on these data the random-effects estimates agree to three decimals"
    return f"on these data the random-effects estimates lie within {spread:.3f} of one another"


__all__ = ["DEFAULT", "COLUMNS", "estimator_table", "estimators_side_by_side", "estimator_words",
           "estimator_shift_words"]
