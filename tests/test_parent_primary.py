"""The parent–therapist correlations of the primary-study table: counts, the pool and the
sentences, for none, one and several samples (alliance_meta.evidence.parent_primary)."""

from __future__ import annotations

import pandas as pd
import pytest

from alliance_meta.evidence import parent_primary as P
from alliance_meta.evidence.directions import synthesise
from conftest import direction_frame


def es_rows(specs):
    """Effect sizes: one dict per row with at least ``sample`` (study = the part before '-s')."""
    base = {"alliance_dyad": "parent-therapist", "r": 0.2, "n": 80, "outcome_domain": "symptoms"}
    rows = [{**base, "study": s["sample"].rsplit("-s", 1)[0], "es_id": f"{s['sample']}-{i}", **s}
            for i, s in enumerate(specs)]
    return pd.DataFrame(rows, columns=["es_id", "study", "sample", *base])


NONE = es_rows([{"sample": "y2000-s1", "alliance_dyad": "youth-therapist"}])
ONE = es_rows([{"sample": "a2001-s1"}, {"sample": "a2001-s1", "r": 0.3, "outcome_domain": "parenting"},
               {"sample": "y2000-s1", "alliance_dyad": "youth-therapist"}])
SEVERAL = es_rows([{"sample": "a2001-s1", "r": 0.1}, {"sample": "b2002-s1", "r": 0.3, "n": 120},
                   {"sample": "c2003-s1", "r": 0.25, "outcome_domain": "family_functioning"},
                   {"sample": "c2003-s2", "r": 0.05, "outcome_domain": "engagement"}])


def test_counts_and_holds():
    assert P.counts(NONE) == {"rows": 0, "studies": 0, "samples": 0}
    assert P.holds_sentence(NONE) == "The dataset holds no correlation between a parent–therapist alliance and an outcome."
    assert P.counts(ONE) == {"rows": 2, "studies": 1, "samples": 1}
    assert P.holds_sentence(ONE) == ("The dataset holds two correlations between a parent–therapist alliance and an "
                                     "outcome, from one study and one independent sample.")
    assert P.holds_sentence(SEVERAL).endswith("from three studies and four independent samples.")


def test_pooled_sentence():
    assert P.pooled_sentence(P.parent_correlations(NONE), "x") == ""
    assert P.pooled_sentence(P.parent_correlations(ONE), "the parent correlation") == (
        "With one independent sample, this book does not pool the parent correlation; a single study is not a "
        "synthesis.")
    text = P.pooled_sentence(P.parent_correlations(SEVERAL), "the parent correlation")
    assert text.startswith("Averaged within samples and pooled with REML, the parent correlation is r = .")
    assert "4 estimates" in text and "nan" not in text.lower()


def test_outcome_split():
    assert P.outcome_of("parenting") == "parent or family" and P.outcome_of("symptoms") == "child or treatment"
    empty = P.outcome_split(NONE)
    assert empty.empty and list(empty.columns)[0] == "outcome of"
    assert P.outcome_split_note(NONE).startswith("*No parent–therapist correlation")
    one = P.outcome_split(ONE)
    assert list(one["outcome of"]) == list(P.OUTCOME_OF)
    assert one["rows"].tolist() == [1, 1] and one["r"].isna().all()      # one sample each: no estimate
    several = P.outcome_split(SEVERAL).set_index("outcome of")
    assert several.loc["child or treatment", "samples"] == 3 and several.loc["parent or family", "samples"] == 1
    assert not pd.isna(several.loc["child or treatment", "r"]) and pd.isna(several.loc["parent or family", "r"])
    assert P.outcome_split_note(SEVERAL) == ""


def test_missing_and_scarcity(directions_several, directions_one, directions_none):
    s = synthesise(directions_several)
    assert P.missing_sentence(directions_several, s, NONE) == (
        "Of the 5 samples of the parent's alliance read for their direction, none print a correlation, or a "
        "statistic that converts to one, in what could be read, and the correlation table holds no "
        "parent–therapist row: the parent's alliance is rarely reported in a form that an open synthesis can pool.")
    with_r = directions_several.copy()
    with_r.loc[0, "r"] = 0.3
    assert P.missing_sentence(with_r, s, ONE).startswith("Of the 5 samples of the parent's alliance read for their "
                                                        "direction, one prints a correlation")
    assert P.missing_sentence(with_r, s, ONE).endswith("the correlation table holds two parent–therapist rows.")
    empty = synthesise(directions_none)
    assert P.missing_sentence(directions_none, empty, NONE) == (
        "No sample of the parent's alliance has been read for its direction yet, and the correlation table holds no "
        "parent–therapist row.")
    assert P.scarcity_sentence(directions_none).startswith("No primary study of it")
    assert P.scarcity_sentence(directions_several).startswith("Almost no study of it")
    assert P.scarcity_sentence(with_r).startswith("Only one of the five samples of it")   # 1 of 5 is not 'almost no'
    one = directions_one.copy()
    one["r"] = 0.25
    assert P.scarcity_sentence(one).startswith("The one sample of it read for this book prints a correlation")


def test_on_the_shipped_data():
    from alliance_meta import load_effect_sizes
    from alliance_meta.engine.wording import number_word
    from alliance_meta.evidence.directions import load_directions

    es, rows = load_effect_sizes(), load_directions()
    parent = es[es["alliance_dyad"] == "parent-therapist"]
    assert P.counts(es) == {"rows": len(parent), "studies": parent["study"].nunique(),
                            "samples": parent["sample"].nunique()}
    holds = P.holds_sentence(es)
    assert ("holds no correlation" in holds) == parent.empty
    s = synthesise(rows)
    with_r = rows[(rows["alliance_with"] == "parent") & rows["r"].notna()]["sample"].nunique()
    assert f"{number_word(with_r, zero='none')} print" in P.missing_sentence(rows, s, es)
    assert P.scarcity_sentence(rows).startswith("Almost no study") == (with_r / s.k_samples < P.ALMOST_NONE)


from hypothesis import given, strategies as st

from alliance_meta.engine.wording import number_word


@given(st.lists(st.tuples(st.sampled_from(["a2001-s1", "a2001-s2", "b2002-s1", "c2003-s1"]),
                          st.sampled_from(["parent-therapist", "youth-therapist"])), max_size=10))
def test_the_counts_in_words_are_the_counts(rows):
    es = es_rows([{"sample": s, "alliance_dyad": d} for s, d in rows]) if rows else NONE.iloc[:0]
    parent = [(s, d) for s, d in rows if d == "parent-therapist"]
    text = P.holds_sentence(es)
    if not parent:
        assert "holds no correlation" in text
        return
    samples = {s for s, _ in parent}
    studies = {s.rsplit("-s", 1)[0] for s in samples}
    assert text.startswith(f"The dataset holds {number_word(len(parent))} correlation")
    assert f"from {number_word(len(studies))} stud" in text and f"and {number_word(len(samples))} independent" in text


def test_missing_sentence_of_one_sample(directions_one):
    s = synthesise(directions_one)
    assert P.missing_sentence(directions_one, s, NONE).startswith(
        "The one sample of the parent's alliance read for its direction prints no correlation, or a statistic")
    with_r = directions_one.assign(r=0.2)
    assert P.missing_sentence(with_r, s, ONE) == (
        "The one sample of the parent's alliance read for its direction prints a correlation, or a statistic that "
        "converts to one, in what could be read; the correlation table holds two parent–therapist rows.")
