"""What every figure shares (alliance_meta.figures.base): atomic saving, PNG for chapters."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from alliance_meta.engine import pool
from alliance_meta.figures import as_image, forest, save



@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_save_writes_atomically(tmp_path, suffix):
    y, v = [0.1, 0.3, 0.2], [0.01, 0.02, 0.015]
    fig = forest(y, v, result=pool(y, v))
    out = tmp_path / f"f{suffix}"
    save(fig, str(out))
    assert out.stat().st_size > 1000
    assert [p.name for p in tmp_path.iterdir()] == [out.name]   # no temporary file left


def test_as_image_renders_a_bare_figure_to_png():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    img = as_image(fig, dpi=50)
    assert img.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert img.format == "png"


def test_write_atomically_leaves_nothing_when_the_writer_fails(tmp_path):
    import pytest

    from alliance_meta.figures.base import write_atomically

    def broken(tmp):
        open(tmp, "w").write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(str(tmp_path / "out.html"), broken)
    assert list(tmp_path.iterdir()) == []
    write_atomically(str(tmp_path / "out.html"), lambda t: open(t, "w").write("whole"))
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"] and (tmp_path / "out.html").read_text() == "whole"
