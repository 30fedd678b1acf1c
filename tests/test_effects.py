"""Effect-size conversions against worked values and identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from alliance_meta.engine import effects


def test_fisher_z_worked_value():
    # Worked by hand: r = 0.50, n = 100 -> z = 0.5493, Vz = 0.0103
    assert effects.r_to_z(0.5) == pytest.approx(0.5493061443340549, abs=1e-15)
    assert effects.var_z(100) == pytest.approx(1 / 97)
    assert round(float(effects.var_z(100)), 4) == 0.0103


def test_z_to_r_inverts():
    assert effects.z_to_r(effects.r_to_z(-0.37)) == pytest.approx(-0.37, abs=1e-15)


def test_r_from_t_returns_the_correlation_it_tests():
    # A correlation r on n cases has t = r sqrt(n-2) / sqrt(1 - r^2); converting back recovers r.
    r, n = 0.3, 52
    t = r * math.sqrt(n - 2) / math.sqrt(1 - r * r)
    assert effects.r_from_t(t, n - 2) == pytest.approx(r, abs=1e-14)
    # t(58) = 2.10: r = 2.10 / sqrt(4.41 + 58) = 2.10 / 7.9 exactly
    assert effects.r_from_t(2.10, 58) == pytest.approx(2.10 / 7.9, abs=1e-15)
    assert effects.r_from_t(-2.10, 58) == pytest.approx(-2.10 / 7.9, abs=1e-15)


def test_r_from_f_is_signed_square_root():
    assert effects.r_from_f(2.10 ** 2, 58, sign=-1) == pytest.approx(-effects.r_from_t(2.10, 58))


def test_r_from_d_worked_value():
    # Worked by hand (conversion of Borenstein et al., 2009): d = 0.5, n1 = n2 = 50 -> a = 4, r = 0.2425
    assert effects.r_from_d(0.5, 50, 50) == pytest.approx(0.5 / math.sqrt(0.25 + 4), abs=1e-15)
    assert round(float(effects.r_from_d(0.5, 50, 50)), 4) == 0.2425
    assert effects.r_from_d(0.5) == effects.r_from_d(0.5, 50, 50)
    # unequal groups: a = (30 + 10)^2 / 300
    assert effects.r_from_d(0.8, 30, 10) == pytest.approx(0.8 / math.sqrt(0.64 + 1600 / 300))


def test_r_from_chi2_is_phi():
    # 2 x 2 table [[20, 10], [10, 20]]: phi = (400 - 100) / sqrt(30^4) = 1/3, chi2 = N phi^2 = 60/9
    assert effects.r_from_chi2(60 / 9, 60) == pytest.approx(1 / 3, abs=1e-15)
    assert effects.r_from_chi2(60 / 9, 60, sign=-1) == pytest.approx(-1 / 3, abs=1e-15)


def test_r_from_means_via_pooled_sd():
    # means 10 vs 8, SDs 2 and 2, n 20 and 20: d = 1, r = 1 / sqrt(1 + 4)
    assert effects.d_from_means(10, 8, 2, 2, 20, 20) == pytest.approx(1.0)
    assert effects.r_from_means(10, 8, 2, 2, 20, 20) == pytest.approx(1 / math.sqrt(5))
    assert effects.r_from_means(8, 10, 2, 2, 20, 20) < 0


@given(st.floats(-0.999, 0.999))
def test_z_round_trip(r):
    assert float(effects.z_to_r(effects.r_to_z(r))) == pytest.approx(r, abs=1e-12)


@given(st.floats(-50, 50), st.integers(1, 10_000))
def test_t_and_f_agree(t, df):
    r_t = float(effects.r_from_t(t, df))
    assert -1 < r_t < 1 or t == 0
    assert float(effects.r_from_f(t * t, df, sign=np.sign(t) or 1)) == pytest.approx(r_t, abs=1e-12)


def test_effect_arrays_checks_what_every_fit_needs():
    import numpy as np
    import pytest

    from alliance_meta.engine.effects import effect_arrays
    from alliance_meta.engine.errors import InputError

    y, v = effect_arrays([[0.1, 0.2]], (0.01, 0.02))
    assert y.tolist() == [0.1, 0.2] and v.tolist() == [0.01, 0.02]
    with pytest.raises(InputError, match="yi has 2 values but vi has 1"):
        effect_arrays([0.1, 0.2], [0.01])
    for bad_y, bad_v in (([np.nan, 0.2], [0.01, 0.02]), ([0.1, 0.2], [0.01, 0.0])):
        with pytest.raises(InputError, match="finite and sampling variances positive"):
            effect_arrays(bad_y, bad_v)
