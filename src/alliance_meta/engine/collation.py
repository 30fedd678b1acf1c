"""The order R puts text in, so that a moderator's reference level is the one metafor takes.

R sorts the levels of a factor with the locale's collation; built with ICU (as CRAN's and
Debian's R are) and in a UTF-8 locale, that is ICU's root collation (the Unicode Collation
Algorithm with CLDR's root order), whatever the language of the locale. Its three levels,
compared one after the other over the whole text:

1. primary: the base letters, case and accents ignored (``école`` sorts with ``ecole``),
   after digits (compared character by character, so ``10`` < ``9``), after symbols and
   punctuation (``_ - , ; : ! ? . ' "`` ... in CLDR's order), after white space; letters of
   other scripts by code point (Latin < Greek < Cyrillic < ... < Han);
2. secondary: the accents (none < acute < grave < breve < circumflex < caron < ring <
   diaeresis < ...);
3. tertiary: case, lower before upper (``a`` < ``A``), and a ligature after its letters
   (``ae`` < ``æ`` < ``af``, ``ss`` < ``ß`` < ``st``).

So ``clinic`` < ``école`` < ``School`` (R in the C locale, and a plain code-point sort, give
``School`` < ``clinic`` < ``école``). This covers Latin text with the usual accents exactly
(tested against R 4 with ICU); scripts with contractions or their own tailoring may differ.
"""

from __future__ import annotations

import unicodedata

#: CLDR root order of white space, punctuation and common symbols (all before digits)
_PUNCT = " \t_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
#: secondary weight of common combining accents (DUCET order); others after, by code point
_ACCENTS = {0x301: 1, 0x300: 2, 0x306: 3, 0x302: 4, 0x30C: 5, 0x30A: 6, 0x308: 7, 0x30B: 8, 0x303: 9,
            0x307: 10, 0x327: 11, 0x328: 12, 0x304: 13}
_LIGATURE = 60
#: letters that expand to two at the primary level, with a tertiary mark
_EXPAND = {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ĳ": "ij", "Ĳ": "IJ"}
#: letters that are a base letter with a secondary mark (no decomposition in Unicode)
_STROKED = {"ø": ("o", 20), "Ø": ("O", 20), "đ": ("d", 20), "Đ": ("D", 20), "ł": ("l", 20), "Ł": ("L", 20),
            "ħ": ("h", 20), "Ħ": ("H", 20)}


def _primary(ch: str) -> tuple:
    if ch.isspace():
        return (0, _PUNCT.index(ch) if ch in _PUNCT else ord(ch))
    if ch in _PUNCT:
        return (1, _PUNCT.index(ch))
    if ch.isdigit():
        return (3, unicodedata.digit(ch, ord(ch)))
    if ch.isalpha():
        return (4, ord(ch.lower()))
    return (2, ord(ch))       # other symbols: after punctuation, before digits


def sort_key(text: str) -> tuple:
    """A key that sorts strings as R (with ICU, in a UTF-8 locale) sorts them; equal keys
    only for equal strings (the text itself breaks what the three levels leave tied)."""
    primary, secondary, tertiary = [], [], []
    for ch in unicodedata.normalize("NFD", str(text)):
        if unicodedata.combining(ch):
            if secondary:
                secondary[-1] = secondary[-1] * 64 + _ACCENTS.get(ord(ch), 32 + ord(ch) % 32)
            continue
        if ch in _EXPAND:
            # DUCET writes a ligature as its letters with a secondary-only element between
            # them, heavier than any accent: ``ae`` < ``æ`` at the secondary level already
            for i, c in enumerate(_EXPAND[ch]):
                primary.append(_primary(c))
                secondary.append(_LIGATURE if i == 0 else 0)
                tertiary.append(2 + (c.isupper()))
            continue
        mark = 0
        if ch in _STROKED:
            ch, mark = _STROKED[ch]
        primary.append(_primary(ch))
        secondary.append(mark)
        tertiary.append(1 if ch.isupper() else 0)
    return (tuple(primary), tuple(secondary), tuple(tertiary), str(text))


def r_sorted(values) -> list:
    """``values`` in R's order (:func:`sort_key`)."""
    return sorted(values, key=sort_key)


__all__ = ["sort_key", "r_sorted"]
