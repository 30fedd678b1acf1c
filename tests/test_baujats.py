"""Baujat plot (alliance_meta.figures.baujats): metafor's baujat() coordinates, one labelled
point per row, on a white background."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from figtools import by_gid, is_white

from alliance_meta.engine import leave1out, pool
from alliance_meta.figures import baujat


def _direct(y, v, method):
    """baujat.rma's coordinates by one refit per row: x = resid^2 / (tau^2 + v) of the full
    model, y = (mu_-i - mu)^2 / var(mu_-i)."""
    full = pool(y, v, method=method, tau2_ci=False)
    xs, ys = [], []
    for i in range(y.size):
        keep = np.arange(y.size) != i
        d = pool(y[keep], v[keep], method=method, tau2_ci=False)
        xs.append((y[i] - full.estimate) ** 2 / (full.tau2 + v[i]))
        ys.append((d.estimate - full.estimate) ** 2 / d.se ** 2)
    return np.array(xs), np.array(ys), full


@pytest.mark.parametrize("method", ["REML", "DL", "FE"])
def test_points_are_metafors_coordinates(molloy, method):
    yi, vi, df = molloy
    res = leave1out(yi, vi, method=method)
    x, y, full = _direct(yi, vi, method)
    np.testing.assert_allclose(res.baujat_x, x, rtol=1e-9)
    np.testing.assert_allclose(res.baujat_y, y, rtol=1e-7, atol=1e-12)
    if method == "FE":                                   # the x values add up to Q
        assert res.baujat_x.sum() == pytest.approx(full.Q, rel=1e-10)
    fig = baujat(res, [f"s{i}" for i in range(yi.size)])
    (pts,) = by_gid(fig, "points")
    np.testing.assert_allclose(pts.get_offsets(), np.column_stack([x, y]), rtol=1e-7, atol=1e-12)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [f"s{i}" for i in range(yi.size)]
    assert ax.get_ylabel() == "Influence on overall result"
    assert ax.get_xlabel() == ("Contribution to overall heterogeneity" if method == "FE" else "Squared Pearson residual")
    assert is_white(fig)


def test_default_labels_are_row_numbers_and_text_stays_text(molloy):
    yi, vi, _ = molloy
    res = leave1out(yi, vi)
    assert [t.get_text() for t in baujat(res).axes[0].texts] == [str(i) for i in range(1, yi.size + 1)]
    fig = baujat(res, ["$x^2$"] * yi.size, title="$a$")
    assert fig.axes[0].texts[0].get_text() == "$x^2$" and fig.axes[0].get_title() == "$a$"


def test_two_rows_and_identical_rows_still_draw():
    res = leave1out([0.2, 0.2, 0.2], [0.01, 0.01, 0.01])
    assert np.all(res.baujat_x == 0) and np.all(res.baujat_y == 0)
    fig = baujat(res)
    lo, hi = fig.axes[0].get_xlim()
    assert lo < 0 < hi
    baujat(leave1out([0.1, 0.5], [0.01, 0.02]))


def test_many_rows_label_only_the_extreme_ones():
    """Above max_labels rows, the rows among the TOP_LABELS largest on either axis are labelled."""
    from alliance_meta.figures.baujats import TOP_LABELS

    rng = np.random.default_rng(3)
    k = 150
    v = 1.0 / rng.integers(20, 300, size=k)
    y = rng.normal(0.2, 0.1, size=k) + rng.normal(0, np.sqrt(v))
    res = leave1out(y, v)
    fig = baujat(res)
    want = set(np.argsort(-res.baujat_x)[:TOP_LABELS]) | set(np.argsort(-res.baujat_y)[:TOP_LABELS])
    assert {int(t.get_text()) - 1 for t in fig.axes[0].texts} == want
    assert len(fig.axes[0].texts) <= 2 * TOP_LABELS
    (pts,) = by_gid(fig, "points")
    assert pts.get_offsets().shape[0] == k
    assert len(baujat(res, max_labels=k).axes[0].texts) == k
