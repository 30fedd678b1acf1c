"""alliance_meta: the engine of the Parents as Partners evidence book.

Random-effects meta-analysis of correlations (and generic effect sizes) that agrees with
R's metafor, in time and memory linear in the number of effect sizes.

>>> from alliance_meta import pool_correlations
>>> res = pool_correlations([0.3, 0.1, 0.25], [40, 120, 60])
>>> sorted(res.to_dict())[:3]
['H2', 'I2', 'I2_ci_lb']
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "pool": "models", "pool_correlations": "models", "metareg": "models", "PoolResult": "models",
    "MetaRegResult": "models", "estimate_tau2": "heterogeneity", "q_profile_ci": "heterogeneity",
    "read_effects": "inputs", "InputError": "errors", "load_effect_sizes": "dataset",
    "load_syntheses": "dataset", "load_references": "dataset", "load_table": "dataset", "validate_package": "dataset", "project_root": "dataset",
    "read_bib": "bibliography", "by_sample": "aggregate",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    # Imports on first use keep `alliance-meta --help` instant (no NumPy/SciPy at start-up).
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'alliance_meta' has no attribute {name!r}")
