"""Phrases built from numbers (alliance_meta.engine.wording)."""

from hypothesis import given, strategies as st

from alliance_meta.engine.wording import p_text, verdict


def test_p_text():
    assert p_text(0.0004) == "p < .001"
    assert p_text(0.0247) == "p = .025"
    assert p_text(0.5) == "p = .500"
    assert p_text(1.0) == "p = 1.000"
    assert p_text(0.001) == "p = .001"


def test_verdict_follows_the_p_value():
    assert verdict(0.01, "a", "b") == "a"
    assert verdict(0.2, "a", "b") == "b"
    assert verdict(0.07, "a", "b", alpha=0.1) == "a"


def test_counts_below_ten_are_words():
    from alliance_meta.engine.wording import number_word

    assert [number_word(i) for i in (0, 1, 4, 9, 10, 57)] == ["no", "one", "four", "nine", "10", "57"]
    assert number_word(0, zero="zero") == "zero" and number_word(-3) == "-3"


@given(st.text())
def test_printable_text_has_no_control_characters(s):
    from alliance_meta.engine.wording import printable

    out = printable(s)
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in out)
    # text without control characters is left as it is
    clean = "".join(c for c in s if not (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f))
    assert printable(clean) == clean


def test_printable_shows_escapes_and_keeps_what_it_is_told():
    from alliance_meta.engine.wording import printable

    assert printable("A\x1b[31m\nB\x00") == "A\\x1b[31m\\x0aB\\x00"
    assert printable("A\x1b[31m\nB", keep="\n") == "A\\x1b[31m\nB"
