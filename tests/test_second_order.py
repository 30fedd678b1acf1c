"""Second-order synthesis (alliance_meta.engine.second_order): variances from printed
intervals, standard errors or k and N; one estimate per cell by a stated rule; the share of
the spread that is second-order sampling error; within-review contrasts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_meta.engine import InputError, contrasts, pool, published_estimates, second_order_error, select

Q95 = 1.959963984540054


def test_interval_symmetric_on_z_gives_its_variance_back():
    z, se = 0.3, 0.05
    r, lb, ub = math.tanh(z), math.tanh(z - Q95 * se), math.tanh(z + Q95 * se)
    est = published_estimates([r], [lb], [ub])
    assert est.basis[0] == "ci"
    assert est.yi[0] == pytest.approx(z, abs=1e-15)
    assert est.vi[0] == pytest.approx(se ** 2, rel=1e-12)
    assert est.asymmetry[0] == pytest.approx(0.0, abs=1e-12)


def test_printed_limits_rounded_to_two_decimals():
    # Karver et al. (2018) print r = .19, 95% CI [.13, .25]: half-width on z computed by hand
    est = published_estimates([0.19], [0.13], [0.25])
    expected_se = (math.atanh(0.25) - math.atanh(0.13)) / (2 * Q95)
    assert math.sqrt(est.vi[0]) == pytest.approx(expected_se, rel=1e-12)
    assert 0 < est.asymmetry[0] < 0.05


def test_standard_error_on_r_uses_the_delta_method():
    est = published_estimates([0.183], se=[0.044])
    assert est.basis[0] == "se"
    assert est.vi[0] == pytest.approx((0.044 / (1 - 0.183 ** 2)) ** 2, rel=1e-12)
    est_z = published_estimates([0.183], se=[0.044], se_scale="z")
    assert est_z.vi[0] == pytest.approx(0.044 ** 2, rel=1e-12)
    mixed = published_estimates([0.183, 0.183, 0.2], se=[0.044, 0.044, None], se_scale=["z", "r", ""])
    assert mixed.vi[0] == pytest.approx(0.044 ** 2) and mixed.vi[1] == pytest.approx(est.vi[0])
    with pytest.raises(InputError, match="se_scale must be 'r' or 'z'"):
        published_estimates([0.183], se=[0.044], se_scale=[""])


def test_k_and_n_approximation_is_flagged_and_optional():
    est = published_estimates([0.29], k=[28], n=[2911])
    assert est.basis[0] == "k_n" and est.vi[0] == pytest.approx(1 / (2911 - 3 * 28))
    off = published_estimates([0.29], k=[28], n=[2911], approximate=False)
    assert off.basis[0] == "" and math.isnan(off.vi[0])


def test_the_interval_wins_over_the_standard_error_and_k_n():
    est = published_estimates([0.2, 0.2, 0.2, None], [0.1, None, None, None], [0.3, None, None, None],
                              se=[0.01, 0.05, None, None], k=[10, 10, 10, 10], n=[500, 500, 500, 500])
    assert list(est.basis) == ["ci", "se", "k_n", ""]
    assert list(est.usable) == [True, True, True, False]


def test_a_correlation_of_one_is_refused():
    with pytest.raises(InputError, match="r = 1.0 is not inside"):
        published_estimates([0.2, 1.0])


def test_select_keeps_one_per_cell_by_each_rule():
    cells = ["adult", "adult", "adult", "youth", "youth"]
    k = [26, 190, 295, 38, None]
    year = [1991, 2011, 2018, 2011, 2018]
    assert list(select(cells, k, year)) == [2, 3]
    assert list(select(cells, k, year, rule="recent")) == [2, 4]
    assert list(select(cells, k, year, rule="earliest")) == [0, 3]
    assert list(select(cells, k, year, eligible=[True, True, False, True, True])) == [1, 3]


def test_select_ties_go_to_the_more_recent_then_the_first_row():
    assert list(select(["a", "a", "a"], [10, 10, 10], [2000, 2005, 2005])) == [1]


def test_select_refuses_an_unknown_rule():
    with pytest.raises(InputError, match="unknown selection rule"):
        select(["a"], [1], [2000], rule="largest")


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(1, 300), st.integers(1990, 2025)), min_size=1,
                max_size=40), st.sampled_from(["comprehensive", "recent", "earliest"]))
@settings(max_examples=60, deadline=None)
def test_select_returns_exactly_one_row_per_cell(rows, rule):
    cells, k, year = zip(*rows)
    chosen = select(list(cells), list(k), list(year), rule=rule)
    assert sorted(cells[i] for i in chosen) == sorted(set(cells))
    for i in chosen:
        same = [j for j in range(len(cells)) if cells[j] == cells[i]]
        if rule == "comprehensive":
            assert k[i] == max(k[j] for j in same)
        elif rule == "recent":
            assert year[i] == max(year[j] for j in same)
        else:
            assert year[i] == min(year[j] for j in same)


def test_second_order_error_by_hand():
    y = np.array([0.20, 0.30, 0.25, 0.35])
    v = np.array([0.001, 0.002, 0.0015, 0.001])
    res = second_order_error(y, v)
    mean = y.mean()
    observed = ((y - mean) ** 2).sum() / 3
    assert res.observed_var == pytest.approx(observed, rel=1e-12)
    assert res.expected_var == pytest.approx(v.mean(), rel=1e-12)
    assert res.proportion == pytest.approx(v.mean() / observed, rel=1e-12)
    assert res.tau2 == pytest.approx(pool(y, v).tau2, rel=1e-12)


def test_second_order_error_needs_three_estimates():
    with pytest.raises(InputError, match="at least 3"):
        second_order_error([0.2, 0.3], [0.01, 0.01])


def test_contrast_standard_errors_by_hand():
    res = contrasts([0.3], [0.004], [0.1], [0.009], rho=(0.0, 0.5))
    assert res.diff[0] == pytest.approx(0.2)
    assert res.se[0, 0] == pytest.approx(math.sqrt(0.013))
    assert res.se[1, 0] == pytest.approx(math.sqrt(0.013 - 2 * 0.5 * math.sqrt(0.004 * 0.009)))


@given(st.floats(1e-4, 0.1), st.floats(1e-4, 0.1))
@settings(max_examples=50, deadline=None)
def test_a_larger_assumed_correlation_never_widens_the_contrast(va, vb):
    res = contrasts([0.0], [va], [0.0], [vb], rho=(0.0, 0.25, 0.5))
    assert res.se[0, 0] >= res.se[1, 0] >= res.se[2, 0] > 0


def test_contrast_refuses_a_correlation_of_one():
    with pytest.raises(InputError):
        contrasts([0.1], [0.01], [0.2], [0.01], rho=(1.0,))
