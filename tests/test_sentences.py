"""Published estimates as sentences: numbers as APA prints them, only what a row holds."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd

from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.sentences import estimate, has, join, num, r_text, reviews_account, studies


def test_numbers():
    assert r_text(0.275) == ".28" and r_text(-0.123) == "\u2212.12" and r_text(-0.001) == ".00"
    assert num(-0.001) == "0.00" and num(-1.234) == "\u22121.23" and num(2.5, 1) == "2.5"
    assert has(0.0) and not has(None) and not has(float("nan")) and not has(pd.NA) and not has("x")


def test_words():
    assert join([]) == "" and join(["a"]) == "a" and join(["a", "b"]) == "a and b"
    assert join(["a", "b", "c"]) == "a, b and c"
    assert studies(1) == "one study" and studies(12) == "12 studies"
    assert studies(float("nan")) == "an unstated number of studies" and studies(pd.NA).startswith("an unstated")


def test_estimate_says_only_what_the_row_holds():
    bare = SimpleNamespace(r=0.13, r_lb=float("nan"), r_ub=float("nan"), vi=float("nan"), k_studies=pd.NA,
                           subset="parent alliance")
    assert estimate(bare) == "r = .13 for the parent alliance"
    full = SimpleNamespace(r=0.28, r_lb=0.16, r_ub=0.38, vi=0.0036, k_studies=9, subset="x")
    assert estimate(full, what="help-seeking families") == \
        "r = .28 for the help-seeking families (95% CI [.16, .38]; nine studies)"


def test_reviews_account_orders_by_year_and_says_none():
    refs = {"b2020": Reference("b2020", "article", {"year": "2020"}),
            "a2021": Reference("a2021", "article", {"year": "2021"})}
    rows = pd.DataFrame({"study": ["a2021", "b2020"], "r": [0.1, 0.2], "r_lb": [math.nan] * 2,
                         "r_ub": [math.nan] * 2, "vi": [math.nan] * 2, "k_studies": [3, 4], "subset": ["p", "q"]})
    text = reviews_account(rows, refs, none="none")
    assert text == "{cite:t}`b2020` printed r = .20 for the q (four studies). {cite:t}`a2021` printed r = .10 for the p (three studies)."
    assert reviews_account(rows.iloc[0:0], refs, none="nothing here") == "nothing here"


def test_counted_makes_the_noun_agree():
    from alliance_meta.evidence.sentences import counted

    assert counted(0, "sample") == "0 samples"
    assert counted(1, "sample") == "1 sample"
    assert counted(2, "study", "studies") == "2 studies"
    assert counted(1, "study", "studies") == "1 study"
