"""The connection-model diagram draws every quality and step it is given."""

from __future__ import annotations

from alliance_meta.diagrams import CONNECTION_QUALITIES, CONNECTION_STEPS, connection_model


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
