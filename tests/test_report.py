"""Phrases built from numbers."""

from alliance_meta.report import p_text, verdict


def test_p_text():
    assert p_text(0.0004) == "p < 0.001"
    assert p_text(0.0247) == "p = 0.025"
    assert p_text(0.5) == "p = 0.500"


def test_verdict_follows_the_p_value():
    assert verdict(0.01, "a", "b") == "a"
    assert verdict(0.2, "a", "b") == "b"
    assert verdict(0.07, "a", "b", alpha=0.1) == "a"


def test_as_image_renders_a_bare_figure_to_png():
    from matplotlib.figure import Figure

    from alliance_meta.report import as_image

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    img = as_image(fig, dpi=50)
    assert img.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert img.format == "png"
