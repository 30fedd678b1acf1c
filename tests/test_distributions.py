"""The normal and chi-square functions computed without scipy.special agree with it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import special

from alliance_meta.engine import distributions as dist


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2000), st.floats(0.0, 1.0, exclude_min=True))
def test_chi2_tail_is_scipy_s(df, u):
    x = u * (3 * df + 60)
    ref = float(special.chdtrc(df, x))
    assert dist.chi2_sf(x, df) == pytest.approx(ref, rel=1e-11, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000), st.sampled_from([1e-10, 1e-4, 0.005, 0.025, 0.05, 0.5, 0.95, 0.975, 0.995, 1 - 1e-10]))
def test_chi2_quantile_is_scipy_s(df, q):
    assert dist.chi2_ppf(q, df) == pytest.approx(float(special.chdtri(df, 1.0 - q)), rel=1e-12)


@pytest.mark.parametrize("p", [1e-300, 1e-20, 1e-8, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 1 - 1e-12])
def test_normal_quantile_and_tail(p):
    assert dist.norm_isf(p) == pytest.approx(-float(special.ndtri(p)), rel=1e-14)
    x = np.array([-8.0, -1.0, 0.0, 1.96, 6.0, 30.0])
    np.testing.assert_allclose(dist.norm_sf(x), special.ndtr(-x), rtol=1e-12)


def test_edges_as_scipy():
    assert dist.norm_isf(0.0) == math.inf and dist.norm_isf(1.0) == -math.inf
    assert math.isnan(dist.chi2_sf(-1.0, 2)) and dist.chi2_sf(math.inf, 3) == 0.0 and dist.chi2_sf(0.0, 3) == 1.0
    assert dist.chi2_sf(1.0, 0) == float(special.chdtrc(0, 1.0))
    assert dist.chi2_ppf(0.0, 4) == 0.0


def test_a_pooled_fit_does_not_import_scipy_special():
    """The command line's start-up budget: scipy.special alone takes about 0.3 s."""
    import subprocess
    import sys

    code = ("import sys; from alliance_meta.engine.models import pool; "
            "pool([0.1, 0.3, 0.2, 0.25], [0.01, 0.02, 0.015, 0.03]); print('scipy.special' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
