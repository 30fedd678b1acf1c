"""Study-characteristics tables."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.bibliography import Reference
from alliance_meta.evidence.characteristics import source_kinds, study_characteristics


def test_one_row_per_study_sorted_by_year():
    frame = pd.DataFrame({
        "study": ["b2010", "b2010", "a2005"], "country": ["NL", "NL", "US"], "population": ["child"] * 3,
        "design": ["rct", "rct", "naturalistic"], "treatment": ["pmt", "pmt", "cbt"],
        "alliance_dyad": ["parent-therapist", "youth-therapist", "youth-therapist"],
        "alliance_rater": ["parent", "youth", "youth"], "n": [40, 38, 100],
        "source_access": ["pmc_fulltext", "pmc_fulltext", "abstract"],
    })
    refs = {"b2010": Reference("b2010", "article", {"author": "Bee, A.", "year": "2010"}),
            "a2005": Reference("a2005", "article", {"author": "Ay, B. and Cee, D.", "year": "2005"})}
    table = study_characteristics(frame, refs)
    assert list(table["label"]) == ["Ay & Cee, 2005", "Bee, 2010"]
    assert table.loc[1, "alliance (dyad)"] == "parent-therapist, youth-therapist"
    assert table.loc[1, "n (largest)"] == 40 and table.loc[1, "correlations"] == 2
    kinds = source_kinds(frame)
    assert kinds.loc["pmc_fulltext", "correlations"] == 2 and kinds.loc["pmc_fulltext", "studies"] == 1


def test_conversion_words_agree_with_their_counts():
    import pandas as pd

    from alliance_meta.evidence.characteristics import conversion_words

    one = pd.DataFrame({"study": ["a2020"], "es_method": ["from_t"]})
    assert conversion_words(one) == (
        "Of the 1 correlation from 1 study, 1 was not printed as a zero-order Pearson correlation")
    many = pd.DataFrame({"study": ["a2020", "a2020", "b2021"], "es_method": ["reported_r", "from_t", "partial_r"]})
    assert conversion_words(many) == (
        "Of the 3 correlations from 2 studies, 2 were not printed as zero-order Pearson correlations")
    assert conversion_words(many.iloc[:0]) == "The dataset holds no correlation"


def test_study_characteristics_of_no_row_is_an_empty_table_with_its_columns():
    import pandas as pd

    from alliance_meta.evidence.characteristics import study_characteristics

    out = study_characteristics(pd.DataFrame(columns=["study", "country", "population", "design", "treatment",
                                                      "alliance_dyad", "alliance_rater", "n"]), {})
    assert len(out) == 0
    assert list(out.columns)[:3] == ["label", "study", "year"]
