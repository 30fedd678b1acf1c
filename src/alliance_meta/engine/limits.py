"""How much input any reader accepts, shared by the command line and the validator.

A 1,000,000-row CSV of effect sizes is about 20 MB; an endless stream (``yes |
alliance-meta pool /dev/stdin``) or a mistaken multi-gigabyte file is refused at this limit
instead of filling memory. ``ALLIANCE_META_MAX_BYTES`` raises or lowers it.
"""

from __future__ import annotations

import os

from .errors import InputError

MAX_BYTES_DEFAULT = 1 << 30
MAX_BYTES_ENV = "ALLIANCE_META_MAX_BYTES"


def max_bytes() -> int:
    """The largest input in bytes: ``ALLIANCE_META_MAX_BYTES`` if set, else 1 GiB.

    Raises
    ------
    InputError
        When the variable is set to something that is not a whole number.
    """
    text = os.environ.get(MAX_BYTES_ENV, "")
    try:
        return int(text) if text.strip() else MAX_BYTES_DEFAULT
    except ValueError:
        raise InputError(f"{MAX_BYTES_ENV}={text!r} is not a whole number of bytes") from None


def too_large(limit: int) -> str:
    """The words of the refusal, naming the limit and how to raise it."""
    return f"is larger than {limit:,} bytes; set {MAX_BYTES_ENV} to a larger number of bytes to read it"


__all__ = ["max_bytes", "too_large", "MAX_BYTES_DEFAULT", "MAX_BYTES_ENV"]
