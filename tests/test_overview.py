"""The overview of reviews (alliance_meta.evidence.overview): variances from the printed
figures, one estimate per overlap group and level, pooling only where there is something to pool."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alliance_meta.engine import pool
from alliance_meta.evidence import overview_table, pooled_by, selected
from alliance_meta.evidence.bibliography import Reference


def _syn():
    rows = [  # id, group, population, type, k, r, lb, ub, se
        ("a1991-01", "adult-individual", "adult", "overall", 24, 0.26, None, None, None),
        ("b2011-01", "adult-individual", "adult", "overall", 190, 0.275, 0.25, 0.30, None),
        ("c2018-01", "adult-individual", "adult", "overall", 295, 0.278, 0.256, 0.299, None),
        ("c2018-02", "adult-remote", "adult", "subgroup", 23, 0.275, 0.20, 0.35, None),
        ("d2019-01", "adult-remote", "adult", "overall", 23, 0.252, 0.19, 0.31, None),
        ("e2020-01", "group-therapy", "adult", "overall", 57, None, None, None, None),
        ("f2018-01", "youth-individual", "youth", "overall", 28, 0.19, 0.13, 0.25, None),
        ("g2018-01", "couple-family", "family", "overall", 20, 0.183, None, None, 0.044),
    ]
    frame = pd.DataFrame(rows, columns=["synthesis_id", "overlap_group", "population", "estimate_type", "k_studies",
                                        "r", "ci_lb", "ci_ub", "se"])
    frame["study"] = frame["synthesis_id"].str[:5]
    frame["alliance_dyad"] = "mixed"
    frame["outcome_domain"] = "mixed"
    frame["n_participants"] = pd.array([None, None, None, None, None, None, 2419, None], dtype="Int64")
    frame["k_studies"] = frame["k_studies"].astype("Int64")
    for c in ("r", "ci_lb", "ci_ub", "se"):
        frame[c] = frame[c].astype(float)
    return frame


REFS = {k: Reference(k, "article", {"author": "X, Y.", "year": k[1:5]}) for k in
        ("a1991", "b2011", "c2018", "d2019", "e2020", "f2018", "g2018")}


def test_each_row_gets_its_variance_and_basis():
    t = overview_table(_syn(), REFS)
    assert list(t["basis"]) == ["", "ci", "ci", "ci", "ci", "", "ci", "se"]
    assert t.loc[1, "vi"] == pytest.approx(((math.atanh(0.30) - math.atanh(0.25)) / (2 * 1.959963984540054)) ** 2)
    assert t.loc[7, "vi"] == pytest.approx((0.044 / (1 - 0.183 ** 2)) ** 2)
    assert list(t["year"]) == [1991, 2011, 2018, 2018, 2019, 2020, 2018, 2018]


def test_each_row_gets_its_interval_on_r():
    t = overview_table(_syn(), REFS)
    # a printed interval is kept as printed
    assert (t.loc[1, "r_lb"], t.loc[1, "r_ub"]) == (0.25, 0.30)
    # a printed SE gives the interval symmetric on Fisher z
    half = 1.959963984540054 * math.sqrt(t.loc[7, "vi"])
    assert t.loc[7, "r_lb"] == pytest.approx(math.tanh(math.atanh(0.183) - half))
    assert t.loc[7, "r_ub"] == pytest.approx(math.tanh(math.atanh(0.183) + half))
    assert t.loc[7, "r_lb"] < 0.183 < t.loc[7, "r_ub"]
    # no interval and no SE: no interval is made up
    assert math.isnan(t.loc[0, "r_lb"]) and math.isnan(t.loc[5, "r_ub"])


def test_one_overall_estimate_per_group_and_population():
    t = overview_table(_syn(), REFS)
    assert list(selected(t)["synthesis_id"]) == ["c2018-01", "d2019-01", "f2018-01", "g2018-01"]
    assert list(selected(t, rule="earliest")["synthesis_id"]) == ["b2011-01", "d2019-01", "f2018-01", "g2018-01"]
    # the subgroup c2018-02 is never chosen for an overall analysis; a row without r never is
    assert "c2018-02" not in set(selected(t, rule="recent")["synthesis_id"])
    assert "e2020-01" not in set(selected(t, bases=("ci", "se", "k_n"))["synthesis_id"])


def test_pooling_only_where_three_estimates_or_more():
    t = overview_table(_syn(), REFS)
    chosen = selected(t)
    out = pooled_by(chosen)
    assert list(out["population"]) == ["adult", "family", "youth"]
    assert out["k"].tolist() == [2, 1, 1]
    assert out["r"].isna().all()                     # nothing is pooled from one or two
    two = pooled_by(chosen, min_k=2)
    adult = chosen[chosen["population"] == "adult"]
    fit = pool(adult["yi"].to_numpy(float), adult["vi"].to_numpy(float), back_transform=True)
    assert two.loc[0, "r"] == pytest.approx(fit.r) and two.loc[0, "reviews"] == "c2018-01, d2019-01"
    assert np.isnan(two.loc[1, "r"])


def test_the_shipped_overview_selects_one_per_group():
    from alliance_meta import load_references, load_syntheses

    t = overview_table(load_syntheses(), load_references())
    chosen = selected(t)
    assert not chosen.duplicated(["overlap_group", "population"]).any()
    assert set(chosen["estimate_type"]) == {"overall"}
    assert chosen["r"].notna().all() and chosen["basis"].isin(["ci", "se"]).all()


def test_one_estimate_per_body_of_evidence():
    # by=() keeps one overall estimate per overlap group, whatever its population
    t = overview_table(_syn(), REFS)
    assert list(selected(t, by=())["synthesis_id"]) == ["c2018-01", "d2019-01", "f2018-01", "g2018-01"]


def test_spread_is_the_second_order_error_of_the_chosen_rows():
    from alliance_meta.engine import second_order_error
    from alliance_meta.evidence import spread

    chosen = selected(overview_table(_syn(), REFS), by=())
    got = spread(chosen)
    y, v = chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float)
    assert got.k == 4
    assert got.observed_var == pytest.approx(np.var(y, ddof=1))
    assert got.expected_var == pytest.approx(v.mean())
    assert got.to_dict() == second_order_error(y, v).to_dict()


def test_leave_one_review_out_refits_without_each():
    from alliance_meta.engine.errors import InputError
    from alliance_meta.evidence import leave_one_review_out

    chosen = selected(overview_table(_syn(), REFS), by=())
    out = leave_one_review_out(chosen)
    assert list(out["left_out"]) == list(chosen["synthesis_id"]) and set(out["k"]) == {3}
    # fewer than ten estimates remain: each refit is reported with Knapp-Hartung, as the main pool
    full = pool(chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float), test="knha", back_transform=True)
    for i in range(len(chosen)):
        rest = chosen.drop(chosen.index[i])
        fit = pool(rest["yi"].to_numpy(float), rest["vi"].to_numpy(float), test="knha", back_transform=True)
        assert out.loc[i, "r"] == pytest.approx(fit.r, abs=1e-7)
        assert out.loc[i, "ci_lb"] == pytest.approx(fit.r_ci_lb, abs=1e-7)
        assert out.loc[i, "ci_ub"] == pytest.approx(fit.r_ci_ub, abs=1e-7)
        assert out.loc[i, "tau2"] == pytest.approx(fit.tau2, abs=1e-7)
        assert out.loc[i, "shift"] == pytest.approx(fit.r - full.r, abs=1e-7)
    with pytest.raises(InputError, match="at least 3"):
        leave_one_review_out(chosen.iloc[:2])


def test_rule_sensitivity_pools_each_rule_and_basis():
    from alliance_meta.evidence import rule_sensitivity

    t = overview_table(_syn(), REFS)
    out = rule_sensitivity(t)
    assert list(zip(out["rule"], out["variances"])) == [
        ("comprehensive", "printed"), ("recent", "printed"), ("earliest", "printed"),
        ("comprehensive", "printed + k, N"), ("recent", "printed + k, N"), ("earliest", "printed + k, N")]
    for row in out.itertuples():
        bases = ("ci", "se") if row.variances == "printed" else ("ci", "se", "k_n")
        chosen = selected(t, by=(), rule=row.rule, bases=bases)
        # below ten estimates: the Knapp-Hartung interval and the t(k - 2) prediction interval of the z fit
        fit = pool(chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float), test="knha", back_transform=True)
        pi = pool(chosen["yi"].to_numpy(float), chosen["vi"].to_numpy(float), pi="t", back_transform=True)
        assert row.k == len(chosen) and row.r == pytest.approx(fit.r) and row.ci_lb == pytest.approx(fit.r_ci_lb)
        assert row.pi_ub == pytest.approx(pi.r_pi_ub)
    # the earliest rule takes b2011 in the adult individual group, the others c2018
    assert out.loc[2, "reviews"].startswith("b2011-01") and out.loc[0, "reviews"].startswith("c2018-01")
    # below min_k nothing is pooled
    assert rule_sensitivity(t, min_k=5)["r"].isna().all()


def test_small_k_pool_reports_knapp_hartung_and_a_t_prediction_interval_below_ten():
    import numpy as np

    from alliance_meta.evidence.overview import SMALL_K, pool_words, small_k_pool

    rng = np.random.default_rng(4)
    for k in (3, SMALL_K - 1, SMALL_K, 14):
        y, v = rng.normal(0.25, 0.1, k), rng.uniform(0.002, 0.02, k)
        main, normal = small_k_pool(y, v)
        z_t = pool(y, v, pi="t", back_transform=True)
        assert (main.pi_lb, main.pi_ub, main.pi_df) == pytest.approx((z_t.pi_lb, z_t.pi_ub, k - 2))
        assert normal.test == "z" and normal.pi == "z"
        if k < SMALL_K:
            kh = pool(y, v, test="knha", back_transform=True)
            assert main.test == "knha" and (main.ci_lb, main.ci_ub) == pytest.approx((kh.ci_lb, kh.ci_ub))
            assert "Knapp–Hartung 95% CI" in pool_words(main, normal) and "sensitivity analysis" in pool_words(main, normal)
        else:
            assert main.test == "z" and "Knapp" not in pool_words(main, normal)


def test_scope_flags_helping_relationships_and_second_hand_reads():
    import pandas as pd

    from alliance_meta.evidence.overview import in_scope, scope

    t = pd.DataFrame({"setting": ["psychotherapy", "coaching", "telehealth", "career_counselling"],
                      "read_in": ["abstract", "abstract", "quoted_by:x2024", "quoted_by:y2020"]})
    assert scope(t).tolist() == ["in scope", "beside", "read second-hand", "beside"]
    assert in_scope(t).index.tolist() == [0]


def test_rule_sensitivity_with_nothing_to_select_is_rows_of_none():
    from alliance_meta.evidence import rule_sensitivity

    t = overview_table(_syn(), REFS)
    out = rule_sensitivity(t[t["estimate_type"] != "overall"])
    assert len(out) == 6 and (out["k"] == 0).all() and (out["reviews"] == "").all() and out["r"].isna().all()
    assert list(out.columns) == ["rule", "variances", "k", "reviews", "r", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2",
                                 "I2"]


def test_spread_words_below_three_estimates_say_why_nothing_is_computed():
    from alliance_meta.evidence.overview import spread_words

    chosen = selected(overview_table(_syn(), REFS), by=())
    assert spread_words(chosen.iloc[:2]) == ("With 2 selected estimates, fewer than three, the share of their spread "
                                             "that second-order sampling error explains is not computed.")
    assert spread_words(chosen.iloc[:0]) == ("With no selected estimate, the share of the spread that second-order "
                                             "sampling error explains is not computed.")
    assert spread_words(chosen).startswith("Across the 4 selected estimates")
