"""The plot subcommand (alliance_meta.cli.plotting): every kind written as SVG and PNG, and
nothing left behind when it fails."""

from __future__ import annotations

import pytest
from test_cli_diagnostics import GOOD


@pytest.mark.parametrize("kind", ["forest", "funnel", "cumulative", "leave1out", "baujat"])
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


@pytest.mark.parametrize("kind", ["forest", "cumulative", "leave1out", "baujat"])
def test_a_plot_with_more_rows_than_it_can_show_is_refused(write_csv, run_cli, tmp_path, kind):
    """One line per row: above --max-rows the plot is refused in one line that names the way out."""
    out = tmp_path / "fig.svg"
    path = write_csv("r,n,year\n" + "".join(f"0.{i % 9 + 1},{40 + i},{2000 + i}\n" for i in range(12)))
    res = run_cli("plot", kind, path, "--r", "r", "--n", "n", "--order", "year", "--max-rows", "10", "-o", out)
    assert res.code == 2
    assert res.err.count("\n") == 1 and "12 rows" in res.err and "limit is 10" in res.err
    assert "--max-rows 12" in res.err
    assert list(tmp_path.glob("fig*")) == [] and not list(tmp_path.glob(".tmp-*"))
    res = run_cli("plot", kind, path, "--r", "r", "--n", "n", "--order", "year", "--max-rows", "12", "-o", out)
    assert res.code == 0, res.err
    assert out.stat().st_size > 1000


def test_the_row_limit_does_not_apply_to_the_funnel(write_csv, run_cli, tmp_path):
    out = tmp_path / "fig.svg"
    path = write_csv("r,n\n" + "".join(f"0.{i % 9 + 1},{40 + i}\n" for i in range(12)))
    assert run_cli("plot", "funnel", path, "--r", "r", "--n", "n", "--max-rows", "10", "-o", out).code == 0


@pytest.mark.parametrize("bad", ["0", "-3", "ten"])
def test_max_rows_must_be_a_positive_whole_number(write_csv, run_cli, tmp_path, bad):
    res = run_cli("plot", "forest", write_csv("r,n\n0.3,40\n0.1,100\n"), "--r", "r", "--n", "n",
                  "--max-rows", bad, "-o", tmp_path / "f.svg")
    assert res.code == 2 and "--max-rows" in res.err and res.err.count("\n") == 1


@pytest.mark.parametrize("kind", ["forest", "funnel", "cumulative", "leave1out", "baujat"])
def test_a_plot_run_prints_nothing_on_stderr(write_csv, tmp_path, kind):
    """No RuntimeWarning or matplotlib message reaches stderr (the one-line rule), as a user runs it."""
    import subprocess
    import sys
    from pathlib import Path

    path = write_csv("r,n,year\n" + "".join(f"0.{i % 9 + 1},{40 + i},{2000 + i}\n" for i in range(12)))
    exe = Path(sys.executable).parent / "alliance-meta"
    res = subprocess.run([str(exe), "plot", kind, str(path), "--r", "r", "--n", "n", "--order", "year",
                          "-o", str(tmp_path / "f.svg")], capture_output=True, text=True)
    assert res.returncode == 0 and res.stderr == ""


def test_control_characters_in_labels_keep_the_svg_well_formed(write_csv, run_cli, tmp_path):
    import xml.dom.minidom

    out = tmp_path / "fig.svg"
    path = write_csv("study,r,n\nA\x01\x1b[31m,0.3,40\nB,0.1,100\nC,0.2,60\n")
    res = run_cli("plot", "forest", path, "--r", "r", "--n", "n", "--labels", "study", "-o", out)
    assert res.code == 0, res.err
    doc = xml.dom.minidom.parse(str(out))            # raises on a control byte
    assert "\\x1b[31m" in doc.toxml()                # drawn as its escape (SVG text is in comments/glyph ids)


def test_terminal_escapes_from_cells_are_not_echoed(write_csv, run_cli):
    res = run_cli("pool", write_csv("r,n\n0.3,\x1b[2J40\n0.1,100\n0.2,60\n"), "--r", "r", "--n", "n")
    assert res.code == 2 and "\x1b" not in res.err and "\\x1b[2J40" in res.err
    res = run_cli("cumulative", write_csv("r,n,o\n0.3,40,\x1b[31mx\n0.1,100,y\n0.2,60,z\n"), "--r", "r", "--n", "n",
                  "--order", "o")
    assert res.code == 0 and "\x1b" not in res.out and "\\x1b[31mx" in res.out


def test_sigterm_during_a_save_leaves_no_temporary_file(tmp_path):
    import subprocess
    import sys

    code = (
        "import os, signal\n"
        "from alliance_meta.cli.main import _exit_on_sigterm\n"
        "from alliance_meta.figures.base import write_atomically\n"
        "_exit_on_sigterm()\n"
        "def fill(tmp):\n"
        "    open(tmp, 'w').write('half')\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    open(tmp, 'a').write(' and the rest')\n"
        f"write_atomically({str(tmp_path / 'out.svg')!r}, fill)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 143, res.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_write_protected_output_is_not_replaced(write_csv, run_cli, tmp_path):
    out = tmp_path / "fig.svg"
    out.write_text("keep me")
    out.chmod(0o444)
    res = run_cli("plot", "forest", write_csv("r,n\n0.3,40\n0.1,100\n0.2,60\n"), "--r", "r", "--n", "n", "-o", out)
    assert res.code == 2 and "write-protected" in res.err and res.err.count("\n") == 1
    assert out.read_text() == "keep me" and (out.stat().st_mode & 0o777) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.svg", "input0.csv"]


def test_an_existing_output_keeps_its_permissions(write_csv, run_cli, tmp_path):
    out = tmp_path / "fig.svg"
    out.write_text("old")
    out.chmod(0o600)
    res = run_cli("plot", "forest", write_csv("r,n\n0.3,40\n0.1,100\n0.2,60\n"), "--r", "r", "--n", "n", "-o", out)
    assert res.code == 0, res.err
    assert (out.stat().st_mode & 0o777) == 0o600 and out.read_bytes() != b"old"


@pytest.mark.parametrize("command", ["plot", "report"])
def test_the_output_cannot_be_the_input(tmp_path, run_cli, command):
    data = tmp_path / ("data.svg" if command == "plot" else "data.html")
    data.write_text("r,n\n0.3,40\n0.1,100\n0.2,60\n")
    args = ["plot", "forest"] if command == "plot" else ["report"]
    res = run_cli(*args, data, "--r", "r", "--n", "n", "-o", data)
    assert res.code == 2 and "is the input file" in res.err
    assert data.read_text() == "r,n\n0.3,40\n0.1,100\n0.2,60\n"


def test_labels_the_font_cannot_draw_print_nothing_on_stderr(write_csv, tmp_path):
    """Issue 28: CJK or emoji labels printed matplotlib's glyph warnings with internal paths."""
    import subprocess
    import sys
    from pathlib import Path

    path = write_csv("study,r,n\n研究一,0.3,50\n😀 study,0.1,120\n한국어,0.25,80\nB,0.2,60\n")
    exe = Path(sys.executable).parent / "alliance-meta"
    for out in ("f.png", "f.svg"):
        res = subprocess.run([str(exe), "plot", "forest", str(path), "--r", "r", "--n", "n", "--labels", "study",
                              "-o", str(tmp_path / out)], capture_output=True, text=True)
        assert res.returncode == 0 and res.stderr == "", res.stderr
    res = subprocess.run([str(exe), "report", str(path), "--r", "r", "--n", "n", "--labels", "study",
                          "-o", str(tmp_path / "r.html")], capture_output=True, text=True)
    assert res.returncode == 0 and res.stderr == "", res.stderr


def test_a_funnel_of_two_effect_sizes_is_drawn(write_csv, run_cli, tmp_path):
    """Issue 28: refused with a message about the bias tests; the funnel needs none of them."""
    res = run_cli("plot", "funnel", write_csv("r,n\n0.3,50\n0.1,120\n"), "--r", "r", "--n", "n", "-o", tmp_path / "f.png")
    assert res.code == 0 and res.err == "" and (tmp_path / "f.png").stat().st_size > 0
