"""Small-study tests and influence in words."""

from __future__ import annotations

import numpy as np

from alliance_meta.engine import bias_tests
from alliance_meta.evidence.small_study import MIN_K, bias_words, influence_words


def data(k, seed=3):
    rng = np.random.default_rng(seed)
    n = rng.integers(30, 300, size=k)
    return np.arctanh(rng.uniform(0.05, 0.45, size=k)), 1.0 / (n - 3)


def test_below_ten_samples_the_tests_are_not_results():
    y, v = data(9)
    text = bias_words(bias_tests(y, v), 9)
    assert text.startswith("With 9 samples, fewer than 10, these tests cannot separate")
    assert "are not reported as results" in text and "nan" not in text


def test_from_ten_samples_the_reading_follows_the_p_value():
    y, v = data(MIN_K + 2)
    bias = bias_tests(y, v)
    text = bias_words(bias, MIN_K + 2)
    expected = ("less precise samples report larger" if bias.egger_rma_pval < 0.05 else "the test does not detect")
    assert text.startswith(f"With {MIN_K + 2} samples, {expected}")


def test_influence_names_the_mover_and_compares_with_cooks():
    text = influence_words(["a", "b", "c"], [0.01, -0.05, 0.02], [0.1, 0.2, 0.9], [False, False, True])
    assert text.startswith("Leaving b out moves the pooled estimate most; the largest Cook's distance is c's")
    assert text.endswith("metafor's rule flags c as influential.")
    same = influence_words(["a", "b", "c"], [0.01, -0.05, 0.02], [0.1, 0.9, 0.2], [False] * 3)
    assert "and it also has the largest Cook's distance." in same and "No sample is flagged" in same
    assert influence_words(["a", "b"], [0.1, 0.2], [1, 2]).startswith("With fewer than three samples")


def test_small_study_fit_and_its_sentences_below_three_samples():
    from alliance_meta.evidence.small_study import (bias_paragraph, fail_safe_text, fit_printout, no_figure_words,
                                                    small_study_fit)

    for k in (0, 1, 2):
        yi, vi = data(k)
        bias = small_study_fit(yi, vi)
        assert bias is None
        assert bias_paragraph(bias, k) == f"With {k} sample{'s' * (k != 1)}, fewer than three, these tests cannot be computed."
        assert fail_safe_text(bias) == "not computed"
        assert fit_printout(bias) == ""
        assert no_figure_words(k, "funnel plot") == "Fewer than three samples: no funnel plot"
    assert no_figure_words(3, "funnel plot") is None


def test_small_study_fit_on_the_shipped_samples():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.aggregate import by_sample
    from alliance_meta.evidence.small_study import bias_paragraph, fail_safe_text, fit_printout, small_study_fit

    per = by_sample(load_effect_sizes())
    bias = small_study_fit(per["yi"], per["vi"])
    assert fail_safe_text(bias) == "282"
    assert bias_paragraph(bias, len(per)) == bias_words(bias, 9)
    assert bias_paragraph(bias, len(per)).startswith("With 9 samples, fewer than 10, these tests cannot separate")
    assert "trim-and-fill adds 0 samples on the left side, adjusted r = .27 (.17 to .36)" in bias_paragraph(bias, 9)
    assert fit_printout(bias) == bias.summary() + "\n"


def test_trimfill_estimator_words():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.aggregate import by_sample
    from alliance_meta.evidence.small_study import trimfill_estimator_words

    per = by_sample(load_effect_sizes())
    assert trimfill_estimator_words(per["yi"], per["vi"]) == (
        "with REML trim-and-fill fills no samples (adjusted r = .27), with DL no samples (adjusted r = .28), so the "
        "number does not change")
    r = np.array([0.47, 0.37, 0.45, 0.05, -0.03, 0.13, 0.43, 0.43])
    n = np.array([85, 181, 206, 41, 270, 44, 226, 291])
    text = trimfill_estimator_words(np.arctanh(r), 1 / (n - 3))
    assert text.startswith("with REML trim-and-fill fills two samples (adjusted r = ")
    assert ", with DL one sample (adjusted r = " in text and text.endswith("so the number changes")
    for k in (0, 1, 2):
        yi, vi = data(k)
        assert trimfill_estimator_words(yi, vi) == (f"with {k} sample{'s' * (k != 1)}, fewer than three, "
                                                    "trim-and-fill is not run")
