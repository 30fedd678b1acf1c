"""Diagrams (alliance_meta.figures.diagrams): the connection model and the PRISMA flow draw what they are given."""

from __future__ import annotations

from alliance_meta.evidence import flow_counts
from alliance_meta.figures.diagrams import CONNECTION_QUALITIES, CONNECTION_STEPS, connection_model, flow_diagram


def test_every_box_and_arrow_is_drawn():
    import matplotlib.pyplot as plt

    fig = connection_model()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for label in (*CONNECTION_QUALITIES, *CONNECTION_STEPS):
        assert label in texts
    assert len(ax.patches) == len(CONNECTION_QUALITIES) + len(CONNECTION_STEPS)
    arrows = [c for c in ax.get_children() if type(c).__name__ == "Annotation"]
    assert len(arrows) == len(CONNECTION_QUALITIES) + len(CONNECTION_STEPS) - 1
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)


def test_flow_diagram_shows_the_counts():
    import matplotlib.pyplot as plt

    from test_prisma import _effects, _log

    fig = flow_diagram(flow_counts(_log(), _effects()))
    text = "\n".join(t.get_text() for t in fig.axes[0].texts)
    assert "(n = 15)" in text and "(n = 13)" in text and "(n = 6)" in text
    assert "no r: 3" in text and "2 reports" in text and "3 independent samples" in text
    assert "Reports excluded (n = 4)" in text
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)


def test_the_overview_flow_names_its_units():
    import matplotlib.pyplot as plt
    import pandas as pd

    from test_prisma import _log

    syn = pd.DataFrame({"study": ["a2001", "a2001", "b2010"], "synthesis_id": ["a2001-01", "a2001-02", "b2010-01"]})
    counts = flow_counts(_log(), syn, sample=None, report_label="meta-analyses", sample_label="pooled estimates",
                         included_title="Included in the overview")
    assert (counts.reports, counts.samples) == (2, 3)
    text = "\n".join(t.get_text() for t in flow_diagram(counts).axes[0].texts)
    assert "Included in the overview" in text and "2 meta-analyses" in text and "3 pooled estimates" in text
    plt.close("all")
