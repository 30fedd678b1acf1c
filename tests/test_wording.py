"""Phrases built from numbers (alliance_meta.engine.wording)."""

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
