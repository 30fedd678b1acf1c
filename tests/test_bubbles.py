"""Bubble plot (alliance_meta.figures.bubbles): the line is the meta-regression it is given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from figtools import by_gid

from alliance_meta.engine import metareg
from alliance_meta.figures import bubble



def test_bubble_line_is_the_fit(molloy):
    yi, vi, df = molloy
    fit = metareg(yi, vi, {"meanage": df["meanage"].to_numpy()})
    fig = bubble(yi, vi, df["meanage"].to_numpy(), result=fit, moderator="meanage")
    (line,) = by_gid(fig, "fit")
    x, y = line.get_xdata(), line.get_ydata()
    slope = (y[-1] - y[0]) / (x[-1] - x[0])
    assert slope == pytest.approx(fit.coefficients[1].estimate)
    (bub,) = by_gid(fig, "bubbles")
    assert bub.get_offsets().shape[0] == len(yi)


def test_bubble_without_a_fit_draws_the_circles_only():
    import matplotlib.pyplot as plt

    from alliance_meta.figures import bubble

    fig = bubble([0.1, 0.3], [0.02, 0.05], [2001, 2001], result=None, moderator="Year")
    ax = fig.axes[0]
    assert len(ax.collections[0].get_offsets()) == 2
    assert not [ln for ln in ax.get_lines() if ln.get_gid() == "fit"]
    plt.close(fig)
