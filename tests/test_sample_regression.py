"""The meta-regression of the primary samples on population and year, and its sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from alliance_meta.evidence.aggregate import by_sample
from alliance_meta.evidence.sample_regression import (regression_counts, regression_fit, regression_moderators,
                                                      regression_samples, regression_scope_words, regression_words,
                                                      year_only_fit)


def samples(rs, ns, populations, years, dyads=None):
    names = [f"s{i}-s1" for i in range(len(rs))]
    per = by_sample(pd.DataFrame({"study": [n[:2] for n in names], "sample": names, "r": rs, "n": ns,
                                  "population": populations,
                                  "alliance_dyad": dyads or ["client-therapist"] * len(rs)}),
                    keep=("study", "population", "alliance_dyad"))
    per["year"] = years
    return per


def test_shipped():
    from alliance_meta import load_effect_sizes, load_references

    per = regression_samples(load_effect_sizes(), load_references())
    reg = regression_fit(per)
    assert regression_counts(per) == {"k": 9, "p": 3}
    assert [c.name for c in reg.coefficients] == ["intercept", "population[adult]", "year_centred"]
    assert regression_words(per, reg) == (
        "The model fits 3 coefficients to 9 samples (omnibus test of the moderators: p = .427). With 9 samples, fewer "
        "than ten, the test and the coefficients are shown as a description of these samples, not read as findings. "
        "With 9 samples for 3 coefficients (fewer than ten per coefficient), the share of variance the moderators "
        "account for (R² in the output) is too unstable to interpret. The year coefficient, -0.0213 on the z scale "
        "per year (p = .198), asks whether later studies find weaker or stronger associations.")
    assert regression_scope_words(per) == ("the population (adult or adolescent, which also separates the "
                                           "youth–therapist alliance from the adult dyads) and the year of publication")
    assert year_only_fit(per) is not None


def test_nothing_varies_or_too_few_samples():
    one = samples([0.3], [50], ["adult"], [2001])
    assert regression_moderators(one)[0] == {} and regression_fit(one) is None
    assert regression_words(one, None) == "With 1 sample and no moderator that varies, the meta-regression is not fitted."
    assert regression_scope_words(one) == ("the population (every sample is adult here, so it does not enter the "
                                           "model) and the year of publication (a single year here, so it does not "
                                           "enter the model)")
    assert year_only_fit(one) is None
    # two populations and two years make three coefficients: four samples are not enough
    four = samples([0.1, 0.2, 0.3, 0.4], [50, 60, 70, 80], ["adult", "adult", "adolescent", "adolescent"],
                   [2001, 2002, 2001, 2002])
    mods, n_coef = regression_moderators(four)
    assert set(mods) == {"population", "year_centred"} and n_coef == 3
    assert mods["year_centred"].tolist() == [-0.5, 0.5, -0.5, 0.5]
    assert regression_fit(four) is None
    assert regression_words(four, None) == "With 4 samples and 3 coefficients, the meta-regression is not fitted."
    assert regression_counts(four) == {"k": 4, "p": 3}
    empty = samples([], [], [], [])
    assert regression_scope_words(empty) == "the population and the year of publication"


def test_scope_names_the_populations_and_the_separation_only_when_it_holds():
    # a child sample on the parent's alliance: population no longer separates the dyads
    per = samples([0.1, 0.2, 0.3, 0.4], [50, 60, 70, 80], ["adolescent", "adult", "child", "adolescent"],
                  [2001, 2002, 2003, 2004],
                  dyads=["youth-therapist", "client-therapist", "parent-therapist", "youth-therapist"])
    assert regression_scope_words(per) == ("the population (adult, adolescent or child) and the year of publication")
    per = per.assign(alliance_dyad=["youth-therapist", "client-therapist", "youth-therapist", "youth-therapist"])
    assert regression_scope_words(per).startswith("the population (adult, adolescent or child, which also separates")


def test_a_fit_with_enough_samples_per_coefficient_reads_r2():
    rs = [0.1 + 0.03 * (i % 5) + (0.15 if i % 2 else 0) for i in range(24)]
    per = samples(rs, [40 + 10 * i for i in range(24)], ["adult" if i % 2 else "adolescent" for i in range(24)],
                  [2000 + i % 4 for i in range(24)])
    reg = regression_fit(per)
    text = regression_words(per, reg)
    assert "fewer than ten" not in text
    assert ("Together, the moderators account for" in text) or ("estimated at its boundary of zero" in text)
    assert year_only_fit(per).coefficients[1].name == "year"
    assert regression_counts(per) == {"k": 24, "p": 3}
    assert reg.k == 24 and len(reg.coefficients) == 3
    assert pytest.approx(per["year"].mean()) == 2001.5
