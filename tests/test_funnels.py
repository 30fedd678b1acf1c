"""Funnel plot (alliance_meta.figures.funnels): observed and filled points where the data put them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
from figtools import by_gid, is_white

from alliance_meta.engine import pool, trim_and_fill
from alliance_meta.figures import funnel



def test_funnel_points_and_filled_points():
    rng = np.random.default_rng(2)
    v = 1 / rng.integers(20, 300, size=20)
    y = 0.2 + 1.5 * np.sqrt(v) + rng.normal(0, 0.02, 20)
    tf = trim_and_fill(y, v)
    est = pool(y, v).estimate
    fig = funnel(y, v, estimate=est, trimfill=tf, is_r=True)
    assert is_white(fig)
    (obs,) = by_gid(fig, "study")
    assert obs.get_offsets().shape[0] == 20
    assert np.allclose(obs.get_offsets()[:, 1], np.sqrt(v))
    if tf.k0:
        (filled,) = by_gid(fig, "filled")
        assert filled.get_offsets().shape[0] == tf.k0
    ax = fig.axes[0]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]      # standard error grows downwards
    (line,) = by_gid(fig, "estimate")
    assert line.get_xdata()[0] == est
