"""Figures (alliance_meta.plots): the drawn elements match the data they show."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from alliance_meta.bias import trim_and_fill
from alliance_meta.models import pool
from alliance_meta.plots import (bubble, cumulative_forest, evidence_gap_map, forest, funnel, leave1out_plot, save)
from alliance_meta.sensitivity import cumulative, leave1out

Z = 1.959963984540054


def _by_gid(fig, prefix):
    found = []
    for ax in fig.axes:
        for art in [*ax.lines, *ax.patches, *ax.collections]:
            gid = art.get_gid()
            if gid and (gid == prefix or gid.startswith(prefix + "-")):
                found.append(art)
    return found


def _white(fig):
    return to_rgba(fig.get_facecolor()) == to_rgba("white")


def test_forest_rows_ci_ends_diamond_and_labels(molloy):
    yi, vi, df = molloy
    labels = df["authors"].tolist()
    res = pool(yi, vi)
    fig = forest(yi, vi, labels, result=res, is_r=True)
    assert _white(fig)
    cis = {a.get_gid(): a for a in _by_gid(fig, "ci")}
    assert len(cis) == len(yi)
    for i in range(len(yi)):
        x = cis[f"ci-{i}"].get_xdata()
        assert x[0] == pytest.approx(np.tanh(yi[i] - Z * np.sqrt(vi[i])))
        assert x[1] == pytest.approx(np.tanh(yi[i] + Z * np.sqrt(vi[i])))
    assert len(_by_gid(fig, "box")) == len(yi)
    (diamond,) = _by_gid(fig, "pooled")
    xs = sorted(diamond.get_xy()[:, 0])
    assert xs[0] == pytest.approx(np.tanh(res.ci_lb)) and xs[-1] == pytest.approx(np.tanh(res.ci_ub))
    xy = diamond.get_xy()[:4]
    assert list(xy[:, 0]) == pytest.approx([np.tanh(res.ci_lb), np.tanh(res.estimate), np.tanh(res.ci_ub),
                                            np.tanh(res.estimate)])
    assert xy[1, 1] > xy[0, 1] > xy[3, 1]           # top and bottom vertices at the estimate
    (pi,) = _by_gid(fig, "pi")
    assert list(pi.get_xdata()) == pytest.approx([np.tanh(res.pi_lb), np.tanh(res.pi_ub)])
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]
    assert all(lab in texts for lab in labels)


def test_forest_is_readable_at_150_rows():
    rng = np.random.default_rng(0)
    k = 150
    v = 1 / rng.integers(20, 300, size=k)
    y = rng.normal(0.2, 0.1, size=k)
    fig = forest(y, v, [f"study {i}" for i in range(k)])
    height = fig.get_size_inches()[1]
    assert height >= 0.18 * k                       # about 0.2 inch (14 pt) per row
    assert len(_by_gid(fig, "ci")) == k


def test_forest_subgroups_have_their_diamonds():
    y = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    v = np.full(5, 0.01)
    fig = forest(y, v, groups=["a", "b", "a", "b", "c"])
    gids = {a.get_gid() for a in _by_gid(fig, "subgroup")}
    assert gids == {"subgroup-a", "subgroup-b"}      # one-row subgroup c has no diamond


def test_funnel_points_and_filled_points():
    rng = np.random.default_rng(2)
    v = 1 / rng.integers(20, 300, size=20)
    y = 0.2 + 1.5 * np.sqrt(v) + rng.normal(0, 0.02, 20)
    tf = trim_and_fill(y, v)
    fig = funnel(y, v, trimfill=tf, is_r=True)
    assert _white(fig)
    (obs,) = _by_gid(fig, "study")
    assert obs.get_offsets().shape[0] == 20
    assert np.allclose(obs.get_offsets()[:, 1], np.sqrt(v))
    if tf.k0:
        (filled,) = _by_gid(fig, "filled")
        assert filled.get_offsets().shape[0] == tf.k0
    ax = fig.axes[0]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]      # standard error grows downwards


def test_cumulative_and_leave1out_rows(molloy):
    yi, vi, df = molloy
    cum = cumulative(yi, vi, df["year"].to_numpy(), order_by="year", is_r=True)
    fig = cumulative_forest(cum, df["authors"].tolist())
    assert _white(fig) and len(_by_gid(fig, "ci")) == len(yi)
    last = _by_gid(fig, "box")
    assert len(last) == len(yi)
    l1o = leave1out(yi, vi, is_r=True)
    fig = leave1out_plot(l1o)
    cis = {a.get_gid(): a for a in _by_gid(fig, "ci")}
    assert cis["ci-0"].get_xdata()[1] == pytest.approx(np.tanh(l1o.estimate[0] + Z * l1o.se[0]))
    (ref,) = _by_gid(fig, "reference")
    assert ref.get_xdata()[0] == pytest.approx(np.tanh(l1o.full_estimate))


def test_bubble_line_is_the_fit(molloy):
    yi, vi, df = molloy
    fig = bubble(yi, vi, df["meanage"].to_numpy(), moderator="meanage")
    (line,) = _by_gid(fig, "fit")
    x, y = line.get_xdata(), line.get_ydata()
    slope = (y[-1] - y[0]) / (x[-1] - x[0])
    from alliance_meta.models import metareg

    fit = metareg(yi, vi, {"meanage": df["meanage"].to_numpy()})
    assert slope == pytest.approx(fit.coefficients[1].estimate)
    (bub,) = _by_gid(fig, "bubbles")
    assert bub.get_offsets().shape[0] == len(yi)


def test_gap_map_prints_every_count():
    table = pd.DataFrame([[0, 3], [5, 1]], index=["a", "b"], columns=["x", "y"])
    fig = evidence_gap_map(table)
    assert _white(fig)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "3", "5"]


@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_save_writes_atomically(tmp_path, suffix):
    fig = forest([0.1, 0.3, 0.2], [0.01, 0.02, 0.015])
    out = tmp_path / f"f{suffix}"
    save(fig, str(out))
    assert out.stat().st_size > 1000
    assert [p.name for p in tmp_path.iterdir()] == [out.name]   # no temporary file left
