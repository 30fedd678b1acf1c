"""The figures: each a white-background :class:`matplotlib.figure.Figure`.

It owns the drawing: forest, cumulative and leave-one-out plots (:mod:`.forests`), the
contour funnel (:mod:`.funnels`), the bubble plot (:mod:`.bubbles`), evidence maps
(:mod:`.maps`), diagrams (:mod:`.diagrams`), the effect direction plot and its harvest-style
summary by domain (:mod:`.directions`); every table is shown through
:func:`.tables.show`. It draws results; it fits nothing. A forest plot is given its pooled fit (and any subgroup
fits), a funnel its estimate, a bubble plot its meta-regression, a map the evidence
layer's table. It may import matplotlib, NumPy and the engine (for its distributions and
the shape of its results); never the evidence layer or the command line. The shared
drawing helpers and :func:`.base.save` (atomic writes) are in :mod:`.base`.
"""

from __future__ import annotations

from ..engine.lazy import lazy_exports

_WHERE = {
    "forest": ".forests",
    "cumulative_forest": ".forests",
    "leave1out_plot": ".forests",
    "baujat": ".baujats",
    "funnel": ".funnels",
    "bubble": ".bubbles",
    "evidence_gap_map": ".maps",
    "synthesis_figure": ".maps",
    "effect_direction_plot": ".directions",
    "direction_harvest": ".directions",
    "direction_alt_text": ".directions",
    "flow_diagram": ".diagrams",
    "connection_model": ".diagrams",
    "CONNECTION_QUALITIES": ".diagrams",
    "CONNECTION_STEPS": ".diagrams",
    "save": ".base",
    "as_image": ".base",
    "show": ".tables",
    "format_p": ".tables",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
