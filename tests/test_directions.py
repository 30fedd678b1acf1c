"""Vote counting by direction of effect (alliance_meta.engine.directions) against R's
prop.test(x, n, correct = FALSE) and binom.test(x, n, 0.5), the prioritisation rule, and
the invariants of the Wilson interval and the sign test."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import alliance_meta
from alliance_meta.engine import InputError
from alliance_meta.engine.directions import (BRANCHES, DIRECTIONS, PRIORITISATION_RULE, count_by, count_directions,
                                             prioritise_directions, sign_test, wilson_interval)

REFERENCE = json.loads((Path(__file__).parent / "data" / "directions" / "directions_reference.json")
                       .read_text(encoding="utf-8"))
CASES = REFERENCE["cases"]
#: Relative agreement with R; bounds of exactly 0 and 1 must be exact.
REL = 1e-12


def close(a, b, rel=REL):
    return a == b if b == 0 else abs(a - b) <= rel * abs(b)


def test_the_reference_says_where_it_comes_from():
    assert REFERENCE["R"].startswith("R version 4.")
    assert "prop.test" in REFERENCE["functions"] and "binom.test" in REFERENCE["functions"]
    assert len(CASES) >= 40
    pairs = {(c["x"], c["n"]) for c in CASES}
    assert {(0, 1), (1, 1), (0, 2), (2, 2), (17, 24), (24, 30), (600, 1000), (0, 1000), (1000, 1000)} <= pairs


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['x']}of{c['n']}")
def test_wilson_interval_equals_prop_test(case):
    lb, ub = wilson_interval(case["x"], case["n"])
    assert close(lb, case["ci_lb"]), (lb, case["ci_lb"])
    assert close(ub, case["ci_ub"]), (ub, case["ci_ub"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['x']}of{c['n']}")
def test_sign_test_equals_binom_test(case):
    assert close(sign_test(case["x"], case["n"]), case["sign_test_pval"]), case


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['x']}of{c['n']}")
def test_the_vote_count_carries_r_values(case):
    """x favours and n - x against: the result's proportion, interval and test are R's."""
    x, n = case["x"], case["n"]
    res = count_directions(["favours"] * x + ["against"] * (n - x))
    assert (res.k, res.favours, res.against) == (n, x, n - x)
    assert res.proportion == case["proportion"]
    assert close(res.ci_lb, case["ci_lb"]) and close(res.ci_ub, case["ci_ub"])
    assert close(res.sign_test_pval, case["sign_test_pval"])


def test_edge_cases_are_exact():
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    assert wilson_interval(0, 1) == (0.0, pytest.approx(0.7934506856227626, rel=1e-15))
    assert sign_test(1, 2) == 1.0 and sign_test(0, 1) == 1.0 and sign_test(1, 1) == 1.0
    assert sign_test(0, 2) == 0.5


def test_counts_and_sensitivity():
    res = count_directions(["favours"] * 17 + ["against"] * 7 + ["no_clear_direction"] * 4 + ["not_reported"] * 6
                           + ["", None, "NA", float("nan")])
    assert res.to_dict()["k"] == 34
    assert (res.favours, res.against, res.unclear, res.not_reported, res.k_omitted) == (17, 7, 4, 6, 4)
    assert res.proportion == 17 / 24
    case = next(c for c in CASES if (c["x"], c["n"]) == (17, 24))
    assert close(res.ci_lb, case["ci_lb"]) and close(res.sign_test_pval, case["sign_test_pval"])
    sens = res.sensitivity
    assert (sens.x, sens.n) == (17, 30)
    assert sens.proportion == 17 / 30
    assert (sens.ci_lb, sens.ci_ub) == wilson_interval(17, 30)
    assert sens.sign_test_pval == sign_test(17, 30)


def test_the_dict_has_exactly_the_contract_keys():
    d = count_directions(["favours", "against"]).to_dict()
    assert list(d) == ["k", "favours", "against", "unclear", "not_reported", "proportion", "ci_lb", "ci_ub",
                       "sign_test_pval", "sensitivity"]
    assert list(d["sensitivity"]) == ["proportion", "ci_lb", "ci_ub", "sign_test_pval"]
    json.dumps(d, allow_nan=False)


@pytest.mark.parametrize("labels", [[], ["no_clear_direction", "no_clear_direction"], ["", "NA"]])
def test_no_study_with_a_direction_says_so_without_nan(labels):
    res = count_directions(labels)
    assert res.estimable is False
    d = res.to_dict()
    assert d["proportion"] is None and d["ci_lb"] is None and d["ci_ub"] is None and d["sign_test_pval"] is None
    assert all(v is None for v in d["sensitivity"].values())
    json.dumps(d, allow_nan=False)
    assert "not estimable" in res.summary()


def test_only_not_reported_leaves_the_main_count_empty_but_not_the_sensitivity():
    res = count_directions(["not_reported"] * 3)
    assert res.proportion is None and not res.estimable
    assert res.sensitivity.proportion == 0.0
    assert res.sensitivity.sign_test_pval == sign_test(0, 3)


def test_summary_states_the_numbers():
    text = count_directions(["favours"] * 24 + ["against"] * 6, label="engagement").summary()
    assert "engagement" in text and "24/30 = 0.800" in text and "Wilson" in text and "p = .001" in text


def test_an_unknown_label_names_its_row_and_column():
    with pytest.raises(InputError) as exc:
        count_directions(["favours", "positive"], rows=[3, 7], file="f.csv", column="direction")
    assert str(exc.value).startswith("f.csv, row 7 (line 8), column 'direction': 'positive' is not a direction")


def test_count_by_groups_and_skips_missing_groups():
    groups = count_by(["favours", "against", "favours", "not_reported"], ["b", "a", "b", ""], group_column="rater")
    assert list(groups) == ["a", "b"]
    assert groups["b"].favours == 2 and groups["a"].against == 1
    assert groups["b"].label == "rater = b"


@pytest.mark.parametrize("bad", [(-1, 3), (4, 3), (1, 0), (1.5, 3)])
def test_counts_outside_their_range_are_refused(bad):
    with pytest.raises(ValueError):
        wilson_interval(*bad)
    with pytest.raises(ValueError):
        sign_test(*bad)


def test_top_level_names():
    assert alliance_meta.count_directions is count_directions
    assert alliance_meta.prioritise_directions is prioritise_directions
    assert "DirectionsResult" in alliance_meta.__all__


# --- the prioritisation rule ---------------------------------------------------------------


def test_a_single_row_gives_its_own_direction():
    p = prioritise_directions(["s1"], ["engagement"], ["against"])
    assert p.directions == ["against"] and p.branches == ["single"]


def test_seventy_percent_is_a_majority_and_sixty_nine_is_not():
    fav7 = ["favours"] * 7 + ["against"] * 3
    p = prioritise_directions(["s"] * 10, ["d"] * 10, fav7)
    assert (p.directions, p.branches, p.share) == (["favours"], ["majority"], [0.7])
    p = prioritise_directions(["s"] * 3, ["d"] * 3, ["favours", "favours", "against"])  # 67%
    assert (p.directions, p.branches) == (["no_clear_direction"], ["no_majority"])
    p = prioritise_directions(["s"] * 4, ["d"] * 4, ["against"] * 3 + ["favours"])  # 75%
    assert (p.directions, p.branches) == (["against"], ["majority"])


def test_unclear_rows_dilute_a_majority_and_not_reported_rows_do_not():
    p = prioritise_directions(["s"] * 3, ["d"] * 3, ["favours", "favours", "no_clear_direction"])
    assert p.directions == ["no_clear_direction"]
    p = prioritise_directions(["s"] * 4, ["d"] * 4, ["favours", "favours", "not_reported", "not_reported"])
    assert (p.directions, p.branches, p.n_used) == (["favours"], ["majority"], [2])


def test_not_reported_only_when_no_row_has_a_direction():
    p = prioritise_directions(["s", "s"], ["d", "d"], ["not_reported", "not_reported"])
    assert (p.directions, p.branches, p.share) == (["not_reported"], ["not_reported_only"], [None])


def test_primary_rows_come_first():
    dirs = ["against", "favours", "favours", "favours"]
    p = prioritise_directions(["s"] * 4, ["d"] * 4, dirs, primary=["yes", "no", "no", "no"])
    assert (p.directions, p.branches, p.primary_only) == (["against"], ["single"], [True])
    p = prioritise_directions(["s"] * 4, ["d"] * 4, dirs)
    assert (p.directions, p.primary_only) == (["favours"], [False])  # 3 of 4 without the flag
    # primary rows are used even when they report no direction (rule 2 as written)
    p = prioritise_directions(["s", "s"], ["d", "d"], ["not_reported", "favours"], primary=[True, False])
    assert p.directions == ["not_reported"]


def test_units_are_sample_by_domain_and_missing_rows_are_counted():
    p = prioritise_directions(["a", "a", "b", "c"], ["x", "y", "x", "x"], ["favours", "against", "", "favours"])
    assert list(zip(p.samples, p.domains, p.directions)) == [("a", "x", "favours"), ("a", "y", "against"),
                                                             ("c", "x", "favours")]
    assert p.k_omitted == 1 and p.rows == [[0], [1], [3]]
    d = p.to_dict()
    assert d["units"][0] == {"sample": "a", "domain": "x", "direction": "favours", "branch": "single",
                             "primary_only": False, "n_rows": 1, "n_used": 1, "share": 1.0}
    assert d["rule"] == list(PRIORITISATION_RULE) and d["threshold"] == 0.7
    assert set(p.branch_counts()) == set(BRANCHES)


def test_the_rule_is_written_out():
    text = " ".join(PRIORITISATION_RULE)
    for word in ("primary", "70%", "not_reported", "no_clear_direction", "missing"):
        assert word in text
    doc = prioritise_directions.__doc__
    assert "70%" in doc and "primary" in doc and "Hilton Boon" in doc


def test_a_bad_threshold_is_refused():
    with pytest.raises(ValueError):
        prioritise_directions(["s"], ["d"], ["favours"], threshold=0.5)


# --- properties ----------------------------------------------------------------------------


counts = st.integers(min_value=1, max_value=400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(counts)
def test_the_interval_contains_the_proportion(xn):
    x, n = xn
    lb, ub = wilson_interval(x, n)
    assert 0 <= lb <= x / n <= ub <= 1
    assert lb < ub


@settings(derandomize=True, max_examples=200, deadline=None)
@given(counts)
def test_swapping_directions_mirrors_the_interval_and_keeps_the_test(xn):
    x, n = xn
    lb, ub = wilson_interval(x, n)
    lb2, ub2 = wilson_interval(n - x, n)
    assert lb == pytest.approx(1 - ub2, abs=1e-12) and ub == pytest.approx(1 - lb2, abs=1e-12)
    assert sign_test(x, n) == pytest.approx(sign_test(n - x, n), rel=1e-12, abs=1e-300)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(counts)
def test_the_p_value_is_a_probability_and_one_at_the_centre(xn):
    x, n = xn
    p = sign_test(x, n)
    assert 0 <= p <= 1
    if 2 * x == n:
        assert p == 1.0
    if abs(2 * x - n) <= 1:  # next to the centre of an odd n the test cannot reject
        assert p == 1.0


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*DIRECTIONS, ""]), max_size=60))
def test_counts_add_up_and_the_sensitivity_never_favours_more(labels):
    res = count_directions(labels)
    assert res.k + res.k_omitted == len(labels)
    assert res.favours + res.against + res.unclear + res.not_reported == res.k
    if res.estimable:
        assert res.sensitivity.proportion <= res.proportion
    json.dumps(res.to_dict(), allow_nan=False)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("xy"), st.sampled_from(DIRECTIONS),
                          st.booleans()), min_size=1, max_size=40))
def test_prioritisation_gives_one_direction_per_unit(rows):
    s, d, lab, prim = map(list, zip(*rows))
    p = prioritise_directions(s, d, lab, prim)
    assert len(p) == len(set(zip(s, d)))
    for unit_rows, direction, branch in zip(p.rows, p.directions, p.branches):
        used = [lab[i] for i in unit_rows if prim[i]] or [lab[i] for i in unit_rows]
        if branch == "not_reported_only":
            assert set(used) == {"not_reported"}
        elif direction in ("favours", "against"):
            weighed = [u for u in used if u != "not_reported"]
            assert 10 * weighed.count(direction) >= 7 * len(weighed)
        assert branch in BRANCHES
    assert not any(math.isnan(x) for x in p.share if x is not None)
