"""The terminal ticker (alliance_meta.cli.progress): a sign of life on a terminal, nothing elsewhere."""

from __future__ import annotations

import io
import time

from alliance_meta.cli.progress import Ticker


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_it_ticks_after_the_delay_and_erases_its_line():
    out = _Terminal()
    with Ticker("alliance-meta leave1out", out, after=0.05, every=0.02):
        time.sleep(0.2)
    text = out.getvalue()
    assert text.startswith("\ralliance-meta leave1out: running, 0 s")
    assert text.endswith("\r\x1b[K") and "\n" not in text


def test_a_quick_command_writes_nothing_even_on_a_terminal():
    out = _Terminal()
    with Ticker("x", out, after=5.0):
        pass
    assert out.getvalue() == ""


def test_off_a_terminal_it_writes_nothing():
    out = io.StringIO()
    with Ticker("x", out, after=0.0, every=0.01):
        time.sleep(0.05)
    assert out.getvalue() == ""
