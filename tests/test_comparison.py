"""Estimators side by side."""

from __future__ import annotations

import math

import pytest

from alliance_meta.evidence.comparison import estimator_table
from alliance_meta.engine.models import pool


def test_rows_equal_single_fits(molloy):
    yi, vi, _ = molloy
    table = estimator_table(yi, vi)
    assert list(zip(table["method"], table["test"])) == [("REML", "z"), ("DL", "z"), ("PM", "z"),
                                                         ("REML", "knha"), ("FE", "z")]
    for _, row in table.iterrows():
        fit = pool(yi, vi, method=row["method"], test=row["test"], back_transform=True)
        assert row["estimate"] == pytest.approx(fit.r, abs=1e-12)
        assert row["ci_lb"] == pytest.approx(fit.r_ci_lb, abs=1e-12)
    assert math.isnan(table.iloc[-1]["pi_lb"])


def test_z_scale(molloy):
    yi, vi, _ = molloy
    row = estimator_table(yi, vi, settings=(("DL", "z"),), back_transform=False).iloc[0]
    assert row["estimate"] == pytest.approx(pool(yi, vi, method="DL").estimate, abs=1e-12)
