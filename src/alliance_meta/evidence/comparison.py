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
