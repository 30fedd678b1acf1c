"""The input size limit (alliance_meta.engine.limits) shared by the CLI and the validator."""

from __future__ import annotations

import pytest

from alliance_meta.engine.errors import InputError
from alliance_meta.engine.limits import MAX_BYTES_DEFAULT, max_bytes, too_large


def test_the_default_is_one_gibibyte(monkeypatch):
    monkeypatch.delenv("ALLIANCE_META_MAX_BYTES", raising=False)
    assert max_bytes() == MAX_BYTES_DEFAULT == 1 << 30


def test_the_variable_sets_it_and_nonsense_is_refused(monkeypatch):
    monkeypatch.setenv("ALLIANCE_META_MAX_BYTES", " 2048 ")
    assert max_bytes() == 2048
    monkeypatch.setenv("ALLIANCE_META_MAX_BYTES", "2 GB")
    with pytest.raises(InputError, match="not a whole number of bytes"):
        max_bytes()


def test_the_refusal_names_the_limit_and_the_way_out():
    assert too_large(1_000_000) == ("is larger than 1,000,000 bytes; set ALLIANCE_META_MAX_BYTES to a larger "
                                    "number of bytes to read it")
