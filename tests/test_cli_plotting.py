"""The plot subcommand (alliance_meta.cli.plotting): every kind written as SVG and PNG, and
nothing left behind when it fails."""

from __future__ import annotations

import pytest
from test_cli_diagnostics import GOOD


@pytest.mark.parametrize("kind", ["forest", "funnel", "cumulative", "leave1out"])
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_plot_writes_the_file(write_csv, run_cli, tmp_path, kind, suffix):
    out = tmp_path / f"fig{suffix}"
    res = run_cli("plot", kind, write_csv(GOOD), "--r", "r", "--n", "n", "--order", "year", "--labels", "study",
                  "-o", out)
    assert res.code == 0, res.err
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]
    if suffix == ".svg":
        assert b">A<" in data or "A" in data.decode()     # labels are drawn as text


def test_plot_error_leaves_nothing(write_csv, run_cli, tmp_path):
    out = tmp_path / "fig.svg"
    res = run_cli("plot", "forest", write_csv("r,n\n0.2,40\n"), "--r", "r", "--n", "n", "-o", out)
    assert res.code == 2
    assert list(tmp_path.glob("fig*")) == [] and not list(tmp_path.glob(".tmp-*"))


def test_labels_with_dollar_signs_are_plain_text(write_csv, run_cli, tmp_path):
    """A label such as '$\\foo$' is drawn as it is, never parsed as mathtext."""
    out = tmp_path / "fig.svg"
    path = write_csv("r,n,lab,g\n0.3,40,$\\foo$,$\\a$\n0.1,100,b,$\\a$\n0.2,60,c,x\n0.25,80,d,x\n")
    res = run_cli("plot", "forest", path, "--r", "r", "--n", "n", "--labels", "lab", "--groups", "g", "-o", out)
    assert res.code == 0, res.err
    assert out.stat().st_size > 1000


def test_an_output_that_cannot_be_written_is_one_line(write_csv, run_cli):
    res = run_cli("plot", "forest", write_csv("r,n\n0.3,40\n0.1,100\n0.2,60\n"), "--r", "r", "--n", "n",
                  "-o", "/proc/fig.svg")
    assert res.code == 2
    assert "-o /proc/fig.svg: cannot be written" in res.err and ".tmp-" not in res.err
