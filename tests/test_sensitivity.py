"""Leave-one-out, influence and cumulative analyses (alliance_meta.engine.sensitivity)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from alliance_meta.engine.errors import InputError
from alliance_meta.engine.models import pool
from alliance_meta.engine.sensitivity import cumulative, leave1out, stable_order

METHODS = ("REML", "ML", "DL", "HE", "HS", "SJ", "PM", "EB", "FE")


def _data(seed, k=12):
    rng = np.random.default_rng(seed)
    v = 1.0 / rng.integers(10, 300, size=k)
    y = rng.normal(0.25, 0.15, size=k) + rng.normal(0, np.sqrt(v))
    return y, v


@pytest.mark.parametrize("method", METHODS)
def test_leave1out_equals_separate_fits(method):
    y, v = _data(4)
    res = leave1out(y, v, method=method)
    for i in range(y.size):
        keep = np.arange(y.size) != i
        fit = pool(y[keep], v[keep], method=method)
        assert res.estimate[i] == pytest.approx(fit.estimate, abs=1e-8)
        assert res.se[i] == pytest.approx(fit.se, abs=1e-8)
        assert res.tau2[i] == pytest.approx(fit.tau2, rel=1e-6, abs=1e-10)
        assert res.Q[i] == pytest.approx(fit.Q, rel=1e-9)
        assert res.I2[i] == pytest.approx(fit.I2, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("method", METHODS)
def test_cumulative_equals_separate_fits(method):
    y, v = _data(8, k=9)
    year = np.array([2003, 2001, 2001, 2010, 1999, 2005, 2001, 2008, 2000])
    res = cumulative(y, v, year, method=method)
    order = stable_order(year)
    assert list(order[:4]) == [4, 8, 1, 2]  # ties keep file order
    for j in range(2, y.size + 1):
        sel = order[:j]
        fit = pool(y[sel], v[sel], method=method)
        assert res.estimate[j - 1] == pytest.approx(fit.estimate, abs=1e-8)
        assert res.tau2[j - 1] == pytest.approx(fit.tau2, rel=1e-6, abs=1e-10)
    assert res.tau2[0] == 0.0 and res.se[0] == pytest.approx(np.sqrt(v[order[0]]))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100_000), st.integers(3, 30))
def test_cumulative_last_element_is_the_full_fit(seed, k):
    y, v = _data(seed, k)
    res = cumulative(y, v, np.random.default_rng(seed).integers(1990, 2020, size=k))
    full = pool(y, v)
    assert res.estimate[-1] == pytest.approx(full.estimate, abs=1e-8)
    assert res.se[-1] == pytest.approx(full.se, abs=1e-8)
    assert res.tau2[-1] == pytest.approx(full.tau2, rel=1e-6, abs=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.floats(-0.8, 0.8), st.lists(st.integers(10, 500), min_size=3, max_size=25))
def test_leave1out_of_a_homogeneous_set(value, ns):
    """All effects equal: every fit without a row gives the same value, no heterogeneity,
    zero residuals and zero Cook's distances; leverages sum to one."""
    y = np.full(len(ns), value)
    v = 1.0 / (np.asarray(ns, float) - 3.0)
    res = leave1out(y, v)
    assert np.allclose(res.estimate, value, atol=1e-12)
    assert np.all(res.tau2 == 0.0) and np.allclose(res.Q, 0.0, atol=1e-12)
    assert np.allclose(res.rstudent, 0.0, atol=1e-9) and np.allclose(res.cooks, 0.0, atol=1e-12)
    assert res.hat.sum() == pytest.approx(1.0)


def test_leave1out_dict_and_summary():
    y, v = _data(2)
    res = leave1out(y, v)
    d = res.to_dict()
    assert list(d) == ["estimate", "se", "tau2", "I2", "Q", "rstudent", "cooks", "hat"]
    assert all(len(a) == y.size for a in d.values())
    assert "Leave-one-out" in res.summary()


def test_cumulative_orders_text_and_summary():
    y, v = _data(3, k=4)
    res = cumulative(y, v, ["b", "a", "c", "a"], order_by="label")
    assert list(res.order) == [1, 3, 0, 2]
    assert "ordered by label" in res.summary()


@pytest.mark.parametrize("values,expected", [
    ([2001, float("nan"), 1999, 2001], [2, 0, 3, 1]),
    (["2001", "", "1999", None], [2, 0, 1, 3]),
    (["b", "", "a"], [2, 0, 1]),
])
def test_missing_order_values_go_last_in_input_order(values, expected):
    """As R's order() does, so cumulative analyses match metafor's cumul()."""
    assert list(stable_order(values)) == expected


def test_bad_input():
    # metafor's leave1out() works from two studies on (each fit then has one); one is too few
    with pytest.raises(InputError):
        leave1out([0.1], [0.01])
    with pytest.raises(InputError):
        leave1out([0.1, 0.2, 0.3], [0.01, 0.01, 0.01], method="XX")
    with pytest.raises(InputError):
        cumulative([0.1, 0.2, 0.3], [0.01, -0.01, 0.01])


def test_large_offsets_lose_no_digits():
    """Centred before summing: leave-one-out at yi ~ 1e8 agrees with the same data near 0,
    and the first cumulative step is the first row itself whatever the others hold."""
    rng = np.random.default_rng(1)
    y = rng.normal(0.0, 0.7, 12)
    v = rng.uniform(0.01, 0.05, 12)
    near, far = leave1out(y, v), leave1out(y + 1e8, v)
    assert np.allclose(far.tau2, near.tau2, rtol=1e-6, atol=1e-9)
    assert np.allclose(far.estimate - 1e8, near.estimate, atol=1e-6)
    cum = cumulative(np.array([0.3, 1e50, 0.2]), np.array([0.01, 0.02, 0.03]))
    assert cum.estimate[0] == pytest.approx(0.3, abs=1e-15)
    with pytest.raises(InputError, match="beyond 1e\\+100 in magnitude"):
        cumulative(np.array([0.3, 1e150, 0.2]), np.array([0.01, 0.02, 0.03]))


def test_a_dominant_weight_beside_small_ones_leaves_every_fit_finite():
    """n = 10^12 beside n = 40 and 60: each leave-one-out fit equals pool() on the same rows
    (both now sum positive terms where one weight dominates)."""
    y = np.arctanh([0.3, 0.1, 0.2])
    v = 1.0 / (np.array([40.0, 1e12, 60.0]) - 3.0)
    res = leave1out(y, v)
    assert np.all(np.isfinite(res.estimate)) and np.all(np.isfinite(res.tau2))
    for i in range(3):
        keep = np.arange(3) != i
        fit = pool(y[keep], v[keep])
        assert res.estimate[i] == pytest.approx(fit.estimate, abs=1e-8)
        assert res.tau2[i] == pytest.approx(fit.tau2, abs=1e-8)
