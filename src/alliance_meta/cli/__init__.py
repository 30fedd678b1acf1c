"""The command line, ``alliance-meta``: a thin shell over the engine, the evidence layer and
the figures.

It owns reading a researcher's CSV with one-line errors (:mod:`.inputs`), the options and
output every subcommand shares (:mod:`.common`), one module per group of subcommands
(:mod:`.pooling`: ``pool``; :mod:`.diagnostics`: ``bias``, ``leave1out``, ``cumulative``;
:mod:`.directions`: ``directions``; :mod:`.plotting`: ``plot``;
:mod:`.validation`: ``validate``) and the parser that joins them
(:mod:`.main`, which imports the groups; no group imports it). It may import every other
part; nothing imports it. Heavy libraries are imported inside the commands so that
``--help`` answers at once.
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["build_parser", "main"]
