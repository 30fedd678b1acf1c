"""Evidence maps (alliance_meta.figures.maps): every count printed, every printed r drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from figtools import is_white

from alliance_meta.evidence import synthesis_table
from alliance_meta.figures import evidence_gap_map, synthesis_figure



def test_gap_map_prints_every_count():
    table = pd.DataFrame([[0, 3], [5, 1]], index=["a", "b"], columns=["x", "y"])
    fig = evidence_gap_map(table)
    assert is_white(fig)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "3", "5"]


def test_gap_map_writes_every_count():
    import matplotlib.pyplot as plt

    table = pd.DataFrame([[2, 0], [0, 5]], index=pd.Index(["p", "q"], name="dyad"),
                         columns=pd.Index(["x", "y_z"], name="rater"))
    fig = evidence_gap_map(table)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["2", "0", "0", "5"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y z"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["p", "q"]
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)


def test_figure_draws_one_marker_per_printed_r(syn, refs):
    import matplotlib.pyplot as plt

    fig = synthesis_figure(synthesis_table(syn, refs))
    ax = fig.axes[0]
    points = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert len(points) == 2  # the row without r is not drawn
    ys = sorted(float(p.get_ydata()[0]) for p in points)
    assert ys == [0.26, 0.275]
    hollow = [p for p in points if p.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and float(hollow[0].get_ydata()[0]) == 0.26
    assert ax.collections[0].get_segments()[0][:, 1].tolist() == [0.25, 0.30]
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)
