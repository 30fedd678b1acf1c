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
