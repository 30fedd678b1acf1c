"""A sign of life on a terminal: after a few seconds, the time a command has been running.

A long fit (leave-one-out of a very large file, trim-and-fill on a million rows) should not
look like a hang to a person at a terminal, yet scripts and pipes must get nothing extra on
stderr, so the ticker writes only when stderr is a terminal and erases its line when done.
"""

from __future__ import annotations

import sys
import threading
import time


class Ticker:
    """Write ``label: running, N s`` to ``stream`` every ``every`` seconds once ``after``
    seconds have passed, on one line that is erased by :meth:`stop`; silent unless
    ``stream.isatty()``."""

    def __init__(self, label: str, stream=None, *, after: float = 2.0, every: float = 1.0):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.after, self.every = after, every
        self._done = threading.Event()
        self._thread = None
        self._wrote = False
        self._start = 0.0

    def _tty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):  # a closed or unusual stream
            return False

    def start(self) -> "Ticker":
        if self._tty():
            self._start = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="alliance-meta-ticker", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        if self._done.wait(self.after):
            return
        while not self._done.is_set():
            secs = time.monotonic() - self._start
            self.stream.write(f"\r{self.label}: running, {secs:.0f} s")
            self.stream.flush()
            self._wrote = True
            self._done.wait(self.every)

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
            if self._wrote:
                self.stream.write("\r\x1b[K")   # erase the line, so the result starts clean
                self.stream.flush()

    def __enter__(self) -> "Ticker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


__all__ = ["Ticker"]
