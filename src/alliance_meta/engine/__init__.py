"""The engine: meta-analysis of correlations and other effect sizes, agreeing with R's metafor.

It owns the statistics and nothing else: effect-size conversions (:mod:`.effects`), the
tau^2 estimators and their Q-profile intervals (:mod:`.heterogeneity`), weighted least
squares without a k x k matrix (:mod:`.weights`), pooling and meta-regression
(:mod:`.models`), the three-level model with CR2 robust inference (:mod:`.multilevel`),
small-study and publication-bias tests (:mod:`.bias`), leave-one-out, influence and cumulative
analyses (:mod:`.sensitivity`, on the batched fits of :mod:`.subset_fits` and the O(k)
subset sums of :mod:`.subset_sums`), the second-order synthesis of published pooled estimates
(:mod:`.second_order`), vote counting by direction of effect when no effect size can be
pooled (:mod:`.directions`), the normal, t, chi-square and F distributions it needs
(:mod:`.distributions`), the one error type for bad input (:mod:`.errors`) and the wording
of a result (:mod:`.wording`). It may import NumPy, SciPy and the standard library, and
nothing else from ``alliance_meta``: it knows nothing of this project's ``data/``, its
bibliography or its book, so any researcher can use it on any correlations.
"""

from __future__ import annotations

from .lazy import lazy_exports

_WHERE = {
    "InputError": ".errors",
    "r_to_z": ".effects",
    "z_to_r": ".effects",
    "var_z": ".effects",
    "r_from_t": ".effects",
    "r_from_f": ".effects",
    "r_from_d": ".effects",
    "r_from_chi2": ".effects",
    "d_from_means": ".effects",
    "r_from_means": ".effects",
    "METHODS": ".heterogeneity",
    "estimate_tau2": ".heterogeneity",
    "q_profile_ci": ".heterogeneity",
    "q_contributions": ".heterogeneity",
    "ConvergenceError": ".heterogeneity",
    "wls": ".weights",
    "WLSFit": ".weights",
    "typical_variance": ".weights",
    "pool": ".models",
    "pool_correlations": ".models",
    "metareg": ".models",
    "design_matrix": ".models",
    "PoolResult": ".models",
    "MetaRegResult": ".models",
    "Coefficient": ".models",
    "Design": ".models",
    "three_level": ".multilevel",
    "robust": ".multilevel",
    "ThreeLevelResult": ".multilevel",
    "RobustResult": ".multilevel",
    "Clusters": ".multilevel",
    "wald_htz": ".multilevel",
    "bias_tests": ".bias",
    "BiasResult": ".bias",
    "trim_and_fill": ".bias",
    "TrimFillResult": ".bias",
    "rank_test": ".bias",
    "kendall_test": ".bias",
    "fail_safe_n": ".bias",
    "selection_model": ".selection",
    "SelectionResult": ".selection",
    "SelectionModelError": ".selection",
    "leave1out": ".sensitivity",
    "cumulative": ".sensitivity",
    "LeaveOneOutResult": ".sensitivity",
    "influence_flags": ".sensitivity",
    "CumulativeResult": ".sensitivity",
    "published_estimates": ".second_order",
    "PublishedEstimates": ".second_order",
    "select": ".second_order",
    "second_order_error": ".second_order",
    "SecondOrderError": ".second_order",
    "contrasts": ".second_order",
    "Contrasts": ".second_order",
    "count_directions": ".directions",
    "count_by": ".directions",
    "prioritise_directions": ".directions",
    "wilson_interval": ".directions",
    "sign_test": ".directions",
    "DirectionsResult": ".directions",
    "Prioritised": ".directions",
    "DIRECTIONS": ".directions",
    "PRIORITISATION_RULE": ".directions",
    "p_text": ".wording",
    "verdict": ".wording",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
