"""The table of published pooled estimates (alliance_meta.evidence.syntheses)."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.syntheses import synthesis_table


def test_table_orders_by_year_and_labels(syn, refs):
    table = synthesis_table(syn, refs)
    assert list(table["synthesis_id"]) == ["old1991-01", "old1991-02", "new2011-01"]
    assert list(table["synthesis"]) == ["Old & Older, 1991", "Old & Older, 1991", "New et al., 2011"]
    assert table.loc[2, "95% CI"] == "[0.25, 0.30]" and table.loc[0, "95% CI"] == ""
    assert table.loc[1, "read in"] == "quoted by New et al., 2011"
    assert table.loc[0, "N"] is pd.NA


def test_table_carries_the_coded_fields_in_words(syn, refs):
    coded = syn.assign(estimate_type=["overall", "moderator_level", "overall"],
                       alliance_dyad=["client-therapist", None, "client-therapist"])
    table = synthesis_table(coded, refs)
    row = table.set_index("synthesis_id")
    assert row.loc["old1991-01", "estimate type"] == "moderator level"
    assert row.loc["old1991-01", "dyad"] == "" and row.loc["new2011-01", "dyad"] == "client-therapist"
    assert set(table["setting"]) == {""}  # a field the frame lacks stays empty, not invented


# ----------------------------------------------------------------------------- counts and sentences

import numpy as np
import pytest

from alliance_meta.evidence import syntheses as S


def _rows(specs):
    base = {"study": "old1991", "subset": "overall", "population": "adult", "alliance_dyad": "client-therapist",
            "k_studies": 10, "n_participants": None, "r_printed": 0.2, "r": 0.2, "ci_lb": None, "ci_ub": None,
            "read_in": "abstract", "conflict_with": None, "sign_basis": "as printed"}
    out = pd.DataFrame([{**base, "synthesis_id": f"{s.get('study', 'old1991')}-{i:02d}", **s}
                        for i, s in enumerate(specs, start=1)], columns=["synthesis_id", *base])
    out["k_studies"] = out["k_studies"].astype("Int64")
    for col in ("r_printed", "r", "ci_lb", "ci_ub"):
        out[col] = out[col].astype(float)
    return out


def test_provenance_and_quoted_summary(syn, refs):
    c = S.provenance(syn, refs)
    assert c == {"rows": 3, "works": 2, "primary": 2, "secondary": 1, "abstract": 2, "beyond": 0,
                 "first_year": 1991, "last_year": 2011}
    assert S.quoted_summary(syn) == "One published figure survives only as quoted by later works; the table says which."
    assert S.quoted_summary(syn.iloc[:1]) == "Every published figure was read in its own meta-analysis."
    assert S.quoted_summary(pd.concat([syn, syn])).startswith("Two published figures survive only")
    assert S.provenance(syn.iloc[:0], refs)["first_year"] == 0


def test_signs_flipped_and_unsettled():
    several = _rows([{"r_printed": -0.3, "r": 0.3}, {"r_printed": -0.2, "r": None}, {"r_printed": -0.1, "r": None},
                     {"r_printed": 0.0, "r": 0.0}])
    c = S.sign_counts(several)
    assert c == {"unsettled_rows": 2, "flipped_rows": 1, "unsettled": "old1991-02; old1991-03",
                 "flipped_words": "one row"}
    assert S.unsettled_sentence(several).startswith("For two printed estimates (old1991-02; old1991-03) the sources")
    one = several.iloc[[0, 1]]
    assert S.unsettled_sentence(one).startswith("For one printed estimate (old1991-02)")
    none = _rows([{}])
    assert S.sign_counts(none)["unsettled"] == "none" and S.sign_counts(none)["flipped_words"] == "no rows"
    assert S.unsettled_sentence(none).startswith("Every printed estimate has an established direction")
    assert S.unsettled(none).empty


def test_conflicts():
    rows = _rows([{"k_studies": 17, "conflict_with": "old1991-02"}, {"k_studies": 16, "conflict_with": "old1991-01",
                                                                      "ci_lb": 0.1},
                  {"study": "new2011"}])
    assert list(S.conflicts(rows)["synthesis_id"]) == ["old1991-01", "old1991-02"]
    assert S.conflict_fields(rows) == ["k_studies"]     # an interval one source did not print is no conflict
    assert S.conflict_sentence(rows) == ("For one work the sources this project read disagree about a figure "
                                         "(how many studies it pooled).")
    assert S.conflict_sentence(rows.iloc[[2]]).startswith("The sources this project read do not disagree")


def test_span_band_share_and_thin(refs):
    rows = _rows([{"study": "old1991", "r": 0.1}, {"study": "new2011", "population": "youth", "r": 0.3,
                                                   "alliance_dyad": "parent-therapist", "k_studies": None},
                  {"study": "new2011", "population": "youth", "r": 0.2, "k_studies": 4}])
    assert S.span_sentence(rows, refs) == "The table spans the published syntheses from {cite:t}`old1991` and " \
        "{cite:t}`new2011`."
    assert S.span_sentence(rows.iloc[:0], refs) == "The table holds no published synthesis yet."
    assert S.band_sentence(rows).startswith("Half of the three published pooled alliance–outcome correlations lie "
                                            "between r = .15 and .25 (all between .10 and .30)")
    assert S.band_sentence(rows.iloc[:1]) == ("The one published pooled alliance–outcome correlation with a "
                                              "harmonised r is .10.")
    assert S.band_sentence(rows.assign(r=np.nan)).startswith("No published pooled")
    assert S.dyad_share(rows) == ("One of the three published estimates isolates the parent's alliance with the "
                                  "therapist, from one review.")
    assert S.dyad_share(rows.iloc[:1]).startswith("None of the one published estimates")
    assert S.thin_account(rows, refs) == ("Youth syntheses give two of the three estimates in the table (the first "
                                          "from 2011, 4 studies pooled); the others are adult (one estimate, "
                                          "the first from 1991, 10 studies pooled).")
    assert S.thin_account(rows.iloc[:1], refs) == "Adult syntheses give one of the one estimates in the table."
    assert S.thin_account(rows.iloc[:0], refs) == "The table holds no published estimate yet."
    assert S.populations_by_works(rows, min_works=1) == ["adult", "youth"]      # one review each: by name
    assert S.populations_by_works(rows) == []


def test_sentences_on_the_shipped_data():
    from alliance_meta import load_references, load_syntheses

    syn, refs = load_syntheses(), load_references()
    c = S.provenance(syn, refs)
    assert c["rows"] == len(syn) and c["primary"] + c["secondary"] == len(syn)
    assert c["secondary"] == int(syn["read_in"].str.startswith("quoted_by:").sum())
    signs = S.sign_counts(syn)
    assert signs["unsettled_rows"] == int((syn["r_printed"].notna() & syn["r"].isna()).sum())
    assert signs["flipped_rows"] == int(syn["sign_basis"].str.startswith("flipped").sum())
    oldest = sorted(syn["study"].unique(), key=lambda k: (int(refs[k].year[:4]), k))[:2]
    assert all(f"{{cite:t}}`{k}`" in S.span_sentence(syn, refs) for k in oldest)
    n_parent = int((syn["alliance_dyad"] == "parent-therapist").sum())
    from alliance_meta.engine.wording import number_word

    assert S.dyad_share(syn).startswith(number_word(n_parent).capitalize() + " of the")
    top = syn["population"].value_counts().index[0]
    assert S.thin_account(syn, refs).startswith(f"{top.capitalize()} syntheses give")
    assert S.conflict_sentence(syn).startswith(f"For {number_word(syn.loc[syn['conflict_with'].notna(), 'study'].nunique())} work")


def test_fewest_population():
    rows = _rows([{"population": "adult"}, {"population": "adult"}, {"population": "youth"},
                  {"population": "couple", "r": None}])
    assert S.fewest_population(rows) == "youth (one estimate)"       # a row without r does not count
    tie = _rows([{"population": "adult"}, {"population": "youth"}])
    assert S.fewest_population(tie) == "adult and youth (one estimate each)"
    assert S.fewest_population(rows.assign(r=np.nan)).startswith("no population")
    from alliance_meta import load_syntheses

    syn = load_syntheses()
    counts = syn.loc[syn["r"].notna(), "population"].value_counts()
    assert counts.idxmin() in S.fewest_population(syn)


from hypothesis import given, strategies as st


@given(st.lists(st.tuples(st.sampled_from(["adult", "youth", "family", "parent"]),
                          st.one_of(st.none(), st.floats(-0.9, 0.9))), max_size=12))
def test_fewest_population_names_exactly_the_smallest(rows):
    frame = _rows([{"population": p, "r": r} for p, r in rows]) if rows else _rows([]).iloc[:0]
    counts = {}
    for p, r in rows:
        if r is not None:
            counts[p] = counts.get(p, 0) + 1
    text = S.fewest_population(frame)
    if not counts:
        assert text.startswith("no population")
        return
    low = min(counts.values())
    named = {p for p in counts if p in text.split(" (")[0].replace(" and ", ", ").split(", ")}
    assert named == {p for p, n in counts.items() if n == low}


def test_holdings_and_codes_words_agree_with_their_counts():
    from alliance_meta.evidence.syntheses import codes_words, holdings_words

    many = {"rows": 89, "works": 37, "primary": 85, "secondary": 4, "abstract": 40, "beyond": 45,
            "first_year": 1991, "last_year": 2024}
    assert holdings_words(many) == (
        "The table below holds 89 published estimates from 37 works between 1991 and 2024. Of these, 85 were read "
        "in the meta-analysis itself (40 in its abstract only, 45 in its full text or a table) and 4 only in a "
        "later work that quotes them.")
    one = {"rows": 1, "works": 1, "primary": 1, "secondary": 0, "abstract": 0, "beyond": 1,
           "first_year": 2020, "last_year": 2020}
    assert holdings_words(one) == ("The table below holds 1 published estimate from 1 work of 2020. It was read in "
                                   "the meta-analysis itself in its full text or a table.")
    assert holdings_words(dict(one, primary=0, secondary=1, beyond=0)).endswith(
        "It was read only in a later work that quotes it.")
    assert holdings_words(dict(many, rows=0)) == "The table below holds no published estimate."
    assert codes_words(many) == "89 pooled estimates from 37 published meta-analyses"
    assert codes_words(one) == "1 pooled estimate from 1 published meta-analysis"
