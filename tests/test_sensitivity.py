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
    assert list(d) == ["estimate", "se", "tau2", "I2", "Q", "rstudent", "cooks", "hat",
                       "dffits", "cov_r", "tau2_del", "QE_del", "weight", "dfbetas", "influential"]
    assert all(len(a) == y.size for a in d.values())
    assert d["tau2_del"] == d["tau2"] and d["QE_del"] == d["Q"]
    assert "Leave-one-out" in res.summary() and "Influential by metafor's rule" in res.summary()


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


# ------------------------------------------ the O(k) path against the block (O(k^2)) path

import contextlib  # noqa: E402

import alliance_meta.engine.sensitivity as sens  # noqa: E402
import alliance_meta.engine.subset_sums as ss  # noqa: E402
from oracle import CASES, csv_path, extra_cases, mismatches  # noqa: E402


@contextlib.contextmanager
def _path(fast: bool, exact_rows: int = 8, anchor_bytes: float | None = None):
    """Force the O(k) sums (fast=True, from k = 3 on, every cumulative step from the second)
    or the block code (fast=False) whatever k is."""
    saved = ss.FAST_K, sens.CUM_EXACT, sens.CUM_EXACT_ROOT, ss.EXACT_ROWS, ss._ANCHOR_BYTES
    ss.FAST_K = 3 if fast else 10 ** 12
    sens.CUM_EXACT = sens.CUM_EXACT_ROOT = 2
    ss.EXACT_ROWS = exact_rows
    if anchor_bytes is not None:
        ss._ANCHOR_BYTES = anchor_bytes
    try:
        yield
    finally:
        ss.FAST_K, sens.CUM_EXACT, sens.CUM_EXACT_ROOT, ss.EXACT_ROWS, ss._ANCHOR_BYTES = saved


def _hard_data(seed, k, *, ties=False, precise=False, homogeneous=False, offset=0.0, wide=False, scale=1.0):
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 400, size=k).astype(float)
    if wide:               # sample sizes over five orders of magnitude
        n = np.round(10.0 ** rng.uniform(1, 6, size=k))
    v = 1.0 / n
    if homogeneous:        # no spread beyond sampling error: tau^2 at 0 for most fits
        y = 0.3 + rng.normal(0, 0.3, size=k) * np.sqrt(v)
    else:
        y = rng.normal(0.25, rng.choice([0.05, 0.2, 0.6]), size=k) + rng.normal(0, np.sqrt(v))
    if ties:               # repeated values and repeated variances
        y = np.round(y, 1)
        v = 1.0 / np.round(n, -2).clip(100)
    if precise:
        j = rng.integers(k)
        v[j] = 1e-8
        y[j] = y[j] + rng.choice([0.0, 0.5])
    return y * scale + offset, v * scale * scale


def _close(a, b, rtol, atol):
    """|b - a| <= rtol |a| + atol element by element (atol may be an array)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    diff = np.abs(b - a)
    bad = ~(diff <= rtol * np.abs(a) + atol)
    assert not bad.any(), f"{bad.sum()} of {a.size} differ; worst at {np.argmax(diff)}: {a[bad][:3]} vs {b[bad][:3]}"


def _assert_same(exact, fast, y, v):
    """Within 1e-8 relative (and a few ulps of the data's size for locations)."""
    loc = 1e-10 * max(1.0, float(np.max(np.abs(y))))
    _close(exact.tau2, fast.tau2, 1e-8, 1e-11)
    _close(exact.estimate, fast.estimate, 1e-9, loc)
    _close(exact.se, fast.se, 1e-8, 0.0)
    _close(exact.I2, fast.I2, 1e-8, 1e-7)
    if hasattr(exact, "Q"):
        _close(exact.Q, fast.Q, 1e-8, 1e-8 * (1.0 + float(np.max(exact.Q))))
        scale = np.sqrt(v + exact.tau2 + exact.se ** 2)
        _close(exact.rstudent, fast.rstudent, 1e-8, 2 * loc / scale)
        _close(exact.cooks, fast.cooks, 1e-7, 1e-12 + 4 * loc * np.sqrt(exact.cooks + 1e-300) / exact.full_se)
        _close(exact.hat, fast.hat, 1e-12, 0.0)
    else:
        _close(exact.ci_lb, fast.ci_lb, 1e-9, 4 * loc)
        _close(exact.ci_ub, fast.ci_ub, 1e-9, 4 * loc)


def _both(fn, y, v, *args, exact_rows=8, anchor_bytes=None, **kw):
    with _path(False):
        exact = fn(y, v, *args, **kw)
    with _path(True, exact_rows, anchor_bytes):
        fast = fn(y, v, *args, **kw)
    return exact, fast


_FEATURES = st.fixed_dictionaries({"ties": st.booleans(), "precise": st.booleans(), "homogeneous": st.booleans(),
                                   "offset": st.sampled_from([0.0, 0.0, 1e8, -1e8]), "wide": st.booleans(),
                                   "scale": st.sampled_from([1.0, 1.0, 1e-6, 1e-3, 1e6])})


def _scaled(method, features):
    """ML and REML stop when a step is below an absolute 1e-12 (metafor's threshold): with
    variances near 1e10 that is below the rounding of the score, and whether scoring stops
    (or falls back to a one-dimensional search) depends on rounding noise in either path.
    So those two are tried on small scales only."""
    if method in ("REML", "ML") and features["scale"] > 1.0:
        return dict(features, scale=1.0)
    return features


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(3, 60), st.sampled_from(METHODS), _FEATURES, st.sampled_from([0, 1, 8]))
def test_fast_leave1out_equals_the_block_path(seed, k, method, features, exact_rows):
    y, v = _hard_data(seed, k, **_scaled(method, features))
    exact, fast = _both(leave1out, y, v, method=method, exact_rows=exact_rows)
    _assert_same(exact, fast, y, v)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(3, 60), st.sampled_from(METHODS), _FEATURES, st.sampled_from([0, 1, 8]))
def test_fast_cumulative_equals_the_block_path(seed, k, method, features, exact_rows):
    y, v = _hard_data(seed, k, **_scaled(method, features))
    year = np.random.default_rng(seed).integers(1990, 2000, size=k)      # many ties in the order
    exact, fast = _both(cumulative, y, v, year, method=method, exact_rows=exact_rows)
    _assert_same(exact, fast, y, v)
    assert np.array_equal(exact.order, fast.order)


@pytest.mark.parametrize("method", ("REML", "ML", "DL", "SJ", "FE", "PM"))
@pytest.mark.parametrize("features", [{}, {"ties": True}, {"precise": True}, {"homogeneous": True},
                                      {"offset": 1e8, "precise": True}])
def test_fast_path_at_a_few_thousand_rows(method, features):
    """k = 2,000 with the default settings (the fast path is taken from FAST_K rows on, and
    cumulative after CUM_EXACT steps) against the block code."""
    y, v = _hard_data(7, 2_000 if method != "PM" else 600, **features)
    with _path(False):
        exact_l, exact_c = leave1out(y, v, method=method), cumulative(y, v, method=method)
    fast_l, fast_c = leave1out(y, v, method=method), cumulative(y, v, method=method)
    _assert_same(exact_l, fast_l, y, v)
    _assert_same(exact_c, fast_c, y, v)


@pytest.mark.parametrize("method", ("REML", "ML", "SJ"))
def test_fast_path_refits_few_subsets_exactly(method, monkeypatch):
    """On ordinary data nearly every subset is fitted from the sums: the block code only
    sees the full fit, the first CUM_EXACT cumulative steps and no more than a handful."""
    y, v = _hard_data(11, 2_000, precise=True)
    seen = []
    block = sens.fit_subsets

    def spy(yy, vv, masks, n_subsets, **kw):
        seen.append(n_subsets)
        return block(yy, vv, masks, n_subsets, **kw)

    monkeypatch.setattr(sens, "fit_subsets", spy)
    fast_l = leave1out(y, v, method=method)
    assert seen == [1]
    seen.clear()
    fast_c = cumulative(y, v, method=method)
    assert seen[0] == sens.CUM_EXACT and sum(seen[1:]) <= 5
    monkeypatch.setattr(sens, "fit_subsets", block)
    with _path(False):
        _assert_same(leave1out(y, v, method=method), fast_l, y, v)
        _assert_same(cumulative(y, v, method=method), fast_c, y, v)


def test_cumulative_with_room_for_only_two_anchors():
    """Cumulative fits whose tau^2 wander over many anchors, with memory for two: anchors are
    dropped and rebuilt (or the fit is done exactly), and the results do not change."""
    y, v = _hard_data(5, 400)
    y[::7] += 1.5                                   # outliers make tau^2 jump along the way
    for method in ("REML", "SJ"):
        exact, fast = _both(cumulative, y, v, method=method, anchor_bytes=1.0)
        _assert_same(exact, fast, y, v)


def test_dominant_precise_study_uses_the_positive_sums():
    """One study with v = 1e-8 among 2,000: its weight is above half of every subset's total,
    and the scores come from the sums of positive terms, as in the block code."""
    y, v = _hard_data(3, 2_000)
    v[17], y[17] = 1e-8, 0.9
    for method in ("REML", "ML"):
        with _path(False):
            exact = leave1out(y, v, method=method)
        fast = leave1out(y, v, method=method)
        _assert_same(exact, fast, y, v)
        assert exact.tau2[17] != pytest.approx(exact.tau2[0])   # leaving it out changes the fit


_SENS = [c for c in CASES if c["kind"] in ("leave1out", "cumulative")]
_SENS_EXTRA = extra_cases(("leave1out", "cumulative"))


def _reference_inputs(case):
    import pandas as pd

    df = pd.read_csv(csv_path(case))
    cols = case["columns"]
    df = df.dropna(subset=list(cols.values()))
    if "r" in cols:
        return np.arctanh(df[cols["r"]].to_numpy(float)), 1.0 / (df[cols["n"]].to_numpy(float) - 3.0), df
    return df[cols["yi"]].to_numpy(float), df[cols["vi"]].to_numpy(float), df


@pytest.mark.parametrize("exact_rows", (0, 8))
@pytest.mark.parametrize("case", _SENS + _SENS_EXTRA, ids=[c["id"] for c in _SENS + _SENS_EXTRA])
def test_fast_path_meets_every_metafor_reference_case(case, exact_rows):
    """The metafor leave1out() and cumul() results of the reference sets, with the O(k) sums
    forced for every subset (the reference datasets are smaller than FAST_K)."""
    yi, vi, df = _reference_inputs(case)
    method = case.get("method", "REML")
    with _path(True, exact_rows):
        if case["kind"] == "leave1out":
            got = leave1out(yi, vi, method=method).to_dict()
        else:
            got = cumulative(yi, vi, df[case["order"]].to_numpy(), method=method).to_dict()
    assert mismatches(got, case["expect"]) == []


def _only_sums_then_same(y, v, method, head, monkeypatch):
    """leave1out and cumulative send no subset to the block code but the full fit and
    cumulative's first ``head`` steps, and every fit equals the block code's."""
    seen = []
    block = sens.fit_subsets
    monkeypatch.setattr(sens, "fit_subsets", lambda *a, **kw: seen.append(a[3]) or block(*a, **kw))
    fast_l, fast_c = leave1out(y, v, method=method), cumulative(y, v, method=method)
    assert seen == [1, head]
    monkeypatch.setattr(sens, "fit_subsets", block)
    with _path(False):
        _assert_same(leave1out(y, v, method=method), fast_l, y, v)
        _assert_same(cumulative(y, v, method=method), fast_c, y, v)


@pytest.mark.parametrize("method", ("REML", "ML", "SJ"))
def test_twenty_very_precise_studies(method, monkeypatch):
    """Twenty studies with v near 1e-8 among 1,500: each is added exactly to every sum (none
    is refitted by the block code), and every fit equals the block code's."""
    y, v = _hard_data(21, 1_500)
    rng = np.random.default_rng(21)
    precise = rng.choice(y.size, 20, replace=False)
    v[precise] = 1e-8 * rng.uniform(1, 3, 20)
    y[precise] += rng.normal(0, 0.3, 20)
    _only_sums_then_same(y, v, method, sens.CUM_EXACT, monkeypatch)


# ------------------------------------------ Paule-Mandel and empirical Bayes from the sums


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(2, 30), st.sampled_from([0.0, np.finfo(float).eps ** 0.25]))
def test_many_root_searches_take_the_scalar_steps(seed, k, tol):
    """Brent's method run on many brackets at once ends where the one-at-a-time search
    (R's uniroot, :func:`zeroin`) ends on each, bit for bit: at uniroot's tolerance the
    Paule-Mandel estimate is an iterate, so a different path would change its digits."""
    from alliance_meta.engine.heterogeneity import generalised_q, zeroin

    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(12):
        v = 1.0 / rng.integers(10, 300, size=k)
        y = rng.normal(0.0, rng.choice([0.1, 0.5, 2.0]), size=k) + rng.normal(0, np.sqrt(v))
        sets.append((y, v))

    def f_one(j, t):
        y, v = sets[j]
        return generalised_q(float(t), y, v, np.ones((k, 1))) - (k - 1.0)

    f0 = np.array([f_one(j, 0.0) for j in range(12)])
    use = np.flatnonzero(f0 > 0)
    if not use.size:
        return
    hi = np.full(use.size, 100.0)
    fhi = np.array([f_one(j, 100.0) for j in use])
    roots, bad = ss._zeroin_many(lambda idx, t: np.array([f_one(use[i], x) for i, x in zip(idx, t)]),
                                   np.zeros(use.size), hi, f0[use], fhi, tol)
    assert not bad.any()
    for i, j in enumerate(use):
        assert roots[i] == zeroin(lambda t: f_one(j, t), 0.0, 100.0, f0[j], fhi[i], tol)


@pytest.mark.parametrize("method", ("PM", "EB"))
@pytest.mark.parametrize("features", [{}, {"precise": True}, {"homogeneous": True}, {"offset": 1e8}])
def test_pm_and_eb_subsets_are_fitted_from_the_sums(method, features, monkeypatch):
    """k = 1,500: no subset goes to the one-at-a-time code (cumulative's first
    CUM_EXACT_ROOT steps apart), and every fit equals that code's."""
    y, v = _hard_data(5, 1_500, **features)
    _only_sums_then_same(y, v, method, sens.CUM_EXACT_ROOT, monkeypatch)


@pytest.mark.parametrize("scale", (10.0, 40.0))
def test_pm_on_widely_spread_effects_is_fitted_from_the_sums(scale, monkeypatch):
    """Effects over tens of units give the subsets metafor's wider Paule-Mandel bracket,
    max(100, 10 mad^2), each its own: it is read from order statistics, and every fit
    equals the one-at-a-time code's (which calls pm_upper on the subset's rows)."""
    y, v = _hard_data(9, 700, scale=scale)
    y[:40] *= 3.0                                          # prefixes with a MAD of their own
    _only_sums_then_same(y, v, "PM", sens.CUM_EXACT_ROOT, monkeypatch)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(3, 50), st.sampled_from([0.5, 2.0, 3.0, 4.0, 8.0]),
       st.sampled_from(["loo", "prefix"]), st.booleans())
def test_pm_upper_ends_equal_pm_upper_on_each_subset(seed, k, sd, kind, ties):
    """Every subset's upper end of the Paule-Mandel search, read from order statistics,
    equals pm_upper on the subset's rows to the bit; scales are chosen around the switch
    from 100 to 10 mad^2, with and without ties."""
    from alliance_meta.engine.heterogeneity import pm_upper

    rng = np.random.default_rng(seed)
    y = rng.normal(0, sd, size=k)
    if ties:
        y = np.round(y)
    sums = ss._SubsetSums(y, np.full(k, 0.01), kind)
    ids = np.arange(k)
    rows = [np.arange(k) != i for i in ids] if kind == "loo" else [np.arange(k) <= j for j in ids]
    _, spread, _, _ = ss._subset_spread(sums, ids)
    got = ss._pm_uppers(sums, ids, spread)
    assert got.tolist() == [pm_upper(y[m]) for m in rows]


def _subset_fits_equal_pool(y, v, method, rows_left_out, steps):
    loo, cum = leave1out(y, v, method=method), cumulative(y, v, method=method)
    k = y.size
    for i in rows_left_out:
        keep = np.arange(k) != i
        ref = pool(y[keep], v[keep], method=method)
        assert loo.tau2[i] == pytest.approx(ref.tau2, rel=1e-8, abs=1e-12), (method, i)
        assert loo.estimate[i] == pytest.approx(ref.estimate, rel=1e-10, abs=1e-12), (method, i)
        assert loo.se[i] == pytest.approx(ref.se, rel=1e-8), (method, i)
        assert loo.I2[i] == pytest.approx(ref.I2, abs=1e-7), (method, i)
    for j in steps:
        ref = pool(y[:j + 1], v[:j + 1], method=method)
        assert cum.tau2[j] == pytest.approx(ref.tau2, rel=1e-8, abs=1e-12), (method, j)
        assert cum.estimate[j] == pytest.approx(ref.estimate, rel=1e-10, abs=1e-12), (method, j)
        assert cum.I2[j] == pytest.approx(ref.I2, abs=1e-7), (method, j)


@pytest.mark.parametrize("k", (40, 900))          # the block code, and the sums (FAST_K = 500)
@pytest.mark.parametrize("tiny", (1e-12, 1e-16, 1e-18))
@pytest.mark.parametrize("n_precise", (1, 2))
@pytest.mark.parametrize("method", ("REML", "ML", "DL", "PM", "EB"))
def test_precise_studies_leave_every_subset_fit_as_pool(k, tiny, n_precise, method):
    """One or two studies with v = 1e-12 .. 1e-18 among v of 0.01 .. 0.1: every
    leave-one-out and cumulative fit equals ``pool`` on its rows. Differences of large sums
    once gave I^2 = 887% and -3333% at 1e-18 (tr(P) at tau^2 = 0), DL and PM tau^2 off by
    1e-3, and tau^2 = 0 from a cancelled log-likelihood at the boundary; with two precise
    studies of different effects, Q at tau^2 = 0 cancelled in the subsets holding one."""
    rng = np.random.default_rng(2)
    v = rng.uniform(0.01, 0.1, size=k)
    y = rng.normal(0.3, 0.2, size=k)
    dom = rng.choice(k, size=n_precise, replace=False)
    v[dom] = tiny
    _subset_fits_equal_pool(y, v, method, [*dom, 0, k // 2, k - 1], [1, 2, k // 3, k - 1])


def test_leave_one_out_starts_each_fit_from_its_own_hedges_estimate():
    """A subset whose REML likelihood has two peaks: scoring from the full model's tau^2
    went to the boundary (tau^2 = 0, SE 1e-5); metafor, and pool, start from the Hedges
    estimate and reach tau^2 = 0.01586."""
    y = np.array([0.266, 0.333, 0.319, -0.068, 0.323, 0.708, -0.164, 0.558, 0.336, 0.321])
    v = np.array([0.043, 0.064, 0.015, 0.045, 0.039, 0.024, 0.083, 0.044, 0.098, 1e-10])
    _subset_fits_equal_pool(y, v, "REML", range(10), [])
    assert leave1out(y, v).tau2[1] == pytest.approx(0.015858, abs=5e-6)
