"""Whether the primary data can identify a three-level model, and the sentences about it."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.aggregate import by_sample
from alliance_meta.engine.models import pool
from alliance_meta.evidence.clustering import (MIN_MULTI, cluster_counts, naive_comparison_words, three_level_fit,
                                               three_level_words)


def frame(samples, rs, ns):
    return pd.DataFrame({"study": [s.split("-")[0] for s in samples], "sample": samples, "r": rs, "n": ns})


def test_one_multi_row_sample_is_not_enough():
    es = frame(["a-s1", "a-s1", "b-s1", "c-s1", "d-s1"], [0.3, 0.2, 0.25, 0.1, 0.4], [60, 60, 100, 40, 80])
    assert cluster_counts(es) == {"rows": 5, "samples": 4, "multi": 1, "max": 2}
    assert three_level_fit(es) is None
    text = three_level_words(es, None, None)
    assert text.startswith("The 5 correlations come from 4 samples; one sample contributes more than one (up to 2).")
    assert f"at least {['no', 'one', 'two'][MIN_MULTI]} samples with several correlations" in text
    assert "not fitted" in naive_comparison_words(None) or "does not fit" in naive_comparison_words(None)


def test_fitted_model_is_described_with_its_caveats():
    es = frame(["a-s1", "a-s1", "b-s1", "b-s1", "c-s1", "d-s1", "e-s1"],
               [0.3, 0.1, 0.25, 0.45, 0.1, 0.4, 0.2], [60, 60, 100, 100, 40, 80, 120])
    fit = three_level_fit(es)
    assert fit is not None
    agg = by_sample(es)
    text = three_level_words(es, fit, pool(agg["yi"], agg["vi"], back_transform=True))
    assert "two samples contribute more than one" in text
    assert "Keeping every correlation, the three-level model estimates r = " in text
    assert "with so few clusters that interval is shown, not read as a finding." in text
    assert "nan" not in text
    words = naive_comparison_words(fit)
    assert ("estimated at zero" in words) == (fit.sigma2_between < 1e-8)


def test_row_arrays_sample_pool_and_printout():
    import numpy as np
    import pytest

    from alliance_meta.evidence.clustering import row_arrays, sample_average_pool, three_level_printout

    es = frame(["a-s1", "a-s1", "b-s1"], [0.3, 0.2, 0.25], [60, 60, 103])
    yi, vi = row_arrays(es)
    assert np.allclose(yi, np.arctanh([0.3, 0.2, 0.25])) and np.allclose(vi, [1 / 57, 1 / 57, 0.01])
    two = sample_average_pool(es)
    agg = by_sample(es)
    assert two.r == pytest.approx(pool(agg["yi"], agg["vi"], back_transform=True).r, abs=1e-12)
    assert sample_average_pool(es.iloc[:2]) is None  # one sample
    assert sample_average_pool(es.iloc[0:0]) is None  # none
    assert three_level_printout(None) == ("three_level(yi, vi, es['sample'].to_list(), test='t', robust_se=True, "
                                          "is_r=True)  # not fitted here")
    several = frame(["a-s1", "a-s1", "b-s1", "b-s1", "c-s1", "d-s1"], [0.3, 0.2, 0.25, 0.4, 0.1, 0.35],
                    [60, 60, 100, 100, 40, 80])
    fit = three_level_fit(several)
    assert fit is not None and three_level_printout(fit) == fit.summary()


def test_shipped_dependence_words():
    from alliance_meta import load_effect_sizes
    from alliance_meta.evidence.clustering import sample_average_pool

    es = load_effect_sizes()
    ml = three_level_fit(es)
    assert ml is None
    assert three_level_words(es, ml, sample_average_pool(es)).startswith(
        "The 10 correlations come from 9 samples; one sample contributes more than one (up to 2). A three-level model "
        "needs at least two samples with several correlations")


def test_three_level_words_count_in_the_singular():
    one = frame(["a-s1"], [0.3], [60])
    assert three_level_words(one, None, None).startswith("The 1 correlation comes from 1 sample; no samples contribute "
                                                         "more than one. A three-level model")
    two = frame(["a-s1", "a-s1"], [0.3, 0.2], [60, 60])
    assert three_level_words(two, None, None).startswith("The 2 correlations come from 1 sample; one sample "
                                                         "contributes more than one (up to 2).")
