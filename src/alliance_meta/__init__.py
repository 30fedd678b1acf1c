"""alliance_meta: the engine of the Parents as Partners evidence book.

Random-effects meta-analysis of correlations (and generic effect sizes) that agrees with
R's metafor, in time and memory linear in the number of effect sizes.

The package is in four parts, each a subpackage whose docstring says what it owns and
what it may import:

``alliance_meta.engine``
    general statistics (conversions, tau^2 estimators, pooling, meta-regression,
    three-level and CR2, bias, leave-one-out, cumulative, vote counting by direction of
    effect); imports nothing else here.
``alliance_meta.evidence``
    this project's data package, bibliography and the tables the book builds from them.
``alliance_meta.figures``
    forest, funnel, bubble and cumulative plots, evidence maps and diagrams; draws, never fits.
``alliance_meta.cli``
    the ``alliance-meta`` command line and the reading of a researcher's CSV.

The names most users need are importable from here:

>>> from alliance_meta import pool_correlations
>>> res = pool_correlations([0.3, 0.1, 0.25], [40, 120, 60])
>>> sorted(res.to_dict())[:3]
['H2', 'I2', 'I2_ci_lb']
"""

from __future__ import annotations

from .engine.lazy import lazy_exports

__version__ = "0.1.0"

_WHERE = {
    # engine
    "pool": ".engine.models", "pool_correlations": ".engine.models", "metareg": ".engine.models",
    "PoolResult": ".engine.models", "MetaRegResult": ".engine.models",
    "estimate_tau2": ".engine.heterogeneity", "q_profile_ci": ".engine.heterogeneity",
    "three_level": ".engine.multilevel", "bias_tests": ".engine.bias",
    "leave1out": ".engine.sensitivity", "cumulative": ".engine.sensitivity",
    "count_directions": ".engine.directions", "prioritise_directions": ".engine.directions",
    "DirectionsResult": ".engine.directions",
    "InputError": ".engine.errors",
    "selection_model": ".engine.selection",
    # evidence
    "load_effect_sizes": ".evidence.dataset", "load_syntheses": ".evidence.dataset",
    "load_references": ".evidence.dataset", "load_table": ".evidence.dataset",
    "validate_package": ".evidence.dataset", "project_root": ".evidence.dataset",
    "read_bib": ".evidence.bibliography", "by_sample": ".evidence.aggregate",
    # command line
    "read_effects": ".cli.inputs",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
