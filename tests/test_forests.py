"""Forest plots (alliance_meta.figures.forests): rows, intervals and diamonds match the fits they draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from figtools import Z, by_gid, is_white

from alliance_meta.engine import cumulative, leave1out, pool
from alliance_meta.figures import cumulative_forest, forest, leave1out_plot



def test_forest_rows_ci_ends_diamond_and_labels(molloy):
    yi, vi, df = molloy
    labels = df["authors"].tolist()
    res = pool(yi, vi)
    fig = forest(yi, vi, labels, result=res, is_r=True)
    assert is_white(fig)
    cis = {a.get_gid(): a for a in by_gid(fig, "ci")}
    assert len(cis) == len(yi)
    for i in range(len(yi)):
        x = cis[f"ci-{i}"].get_xdata()
        assert x[0] == pytest.approx(np.tanh(yi[i] - Z * np.sqrt(vi[i])))
        assert x[1] == pytest.approx(np.tanh(yi[i] + Z * np.sqrt(vi[i])))
    assert len(by_gid(fig, "box")) == len(yi)
    (diamond,) = by_gid(fig, "pooled")
    xs = sorted(diamond.get_xy()[:, 0])
    assert xs[0] == pytest.approx(np.tanh(res.ci_lb)) and xs[-1] == pytest.approx(np.tanh(res.ci_ub))
    xy = diamond.get_xy()[:4]
    assert list(xy[:, 0]) == pytest.approx([np.tanh(res.ci_lb), np.tanh(res.estimate), np.tanh(res.ci_ub),
                                            np.tanh(res.estimate)])
    assert xy[1, 1] > xy[0, 1] > xy[3, 1]           # top and bottom vertices at the estimate
    (pi,) = by_gid(fig, "pi")
    assert list(pi.get_xdata()) == pytest.approx([np.tanh(res.pi_lb), np.tanh(res.pi_ub)])
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]
    assert all(lab in texts for lab in labels)


def test_forest_is_readable_at_150_rows():
    rng = np.random.default_rng(0)
    k = 150
    v = 1 / rng.integers(20, 300, size=k)
    y = rng.normal(0.2, 0.1, size=k)
    fig = forest(y, v, [f"study {i}" for i in range(k)], result=pool(y, v))
    height = fig.get_size_inches()[1]
    assert height >= 0.18 * k                       # about 0.2 inch (14 pt) per row
    assert len(by_gid(fig, "ci")) == k


def test_forest_subgroups_have_their_diamonds():
    y = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    v = np.full(5, 0.01)
    groups = ["a", "b", "a", "b", "c"]
    fits = {g: pool(y[[i for i, x in enumerate(groups) if x == g]], v[:2]) for g in ("a", "b")}
    fig = forest(y, v, groups=groups, result=pool(y, v), subgroup_results=fits)
    gids = {a.get_gid() for a in by_gid(fig, "subgroup")}
    assert gids == {"subgroup-a", "subgroup-b"}      # c has no fit given, so no diamond
    (dia,) = by_gid(fig, "subgroup-a")
    xs = sorted(dia.get_xy()[:, 0])
    assert xs[0] == pytest.approx(fits["a"].ci_lb) and xs[-1] == pytest.approx(fits["a"].ci_ub)


def test_forest_does_not_fit():
    with pytest.raises(TypeError):
        forest([0.1, 0.3], [0.01, 0.02])             # the pooled fit is the caller's


def test_cumulative_and_leave1out_rows(molloy):
    yi, vi, df = molloy
    cum = cumulative(yi, vi, df["year"].to_numpy(), order_by="year", is_r=True)
    fig = cumulative_forest(cum, df["authors"].tolist())
    assert is_white(fig) and len(by_gid(fig, "ci")) == len(yi)
    last = by_gid(fig, "box")
    assert len(last) == len(yi)
    l1o = leave1out(yi, vi, is_r=True)
    fig = leave1out_plot(l1o)
    cis = {a.get_gid(): a for a in by_gid(fig, "ci")}
    assert cis["ci-0"].get_xdata()[1] == pytest.approx(np.tanh(l1o.estimate[0] + Z * l1o.se[0]))
    (ref,) = by_gid(fig, "reference")
    assert ref.get_xdata()[0] == pytest.approx(np.tanh(l1o.full_estimate))


def test_forest_without_a_fit_draws_rows_only():
    y = np.array([0.1, 0.2, 0.3, 0.4])
    v = np.array([0.01, 0.02, 0.01, 0.03])
    fig = forest(y, v, ["a", "b", "c", "d"], result=None, groups=["overall", "overall", "component", "component"])
    assert len(by_gid(fig, "ci")) == 4 and not by_gid(fig, "pooled") and not by_gid(fig, "pi")
    sizes = {round(b.get_markersize(), 6) for b in by_gid(fig, "box")}
    assert len(sizes) == 1                            # no weights: equal boxes
    assert is_white(fig)


def test_long_labels_end_in_an_ellipsis_and_the_plot_keeps_its_width():
    """Issue 28: a 180-character label squeezed the plot; a 3,000-character one made a
    28,926-px PNG."""
    from alliance_meta.figures.base import save, short_label

    yi, vi = np.array([0.1, 0.3, 0.2]), np.array([0.01, 0.02, 0.015])
    long = ["x" * 3000, "A study\nwith a line break " + "y" * 170, "Short"]
    fig = forest(yi, vi, long, result=pool(yi, vi))
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]
    assert texts[0] == "x" * 39 + "…" and texts[1].startswith("A study with a line break y") and texts[2] == "Short"
    assert all(len(t) <= 40 for t in texts) and short_label("  a \t b  ") == "a b"
    import tempfile, os

    from matplotlib.image import imread

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "f.png")
        save(fig, path)
        assert imread(path).shape[1] < 2000


def test_intervals_never_read_minus_zero():
    from alliance_meta.figures.base import interval_text

    assert interval_text(-0.001, -0.004, 0.2) == " 0.00 [ 0.00,  0.20]"
    assert interval_text(-0.2, -0.3, -0.1) == "-0.20 [-0.30, -0.10]"
