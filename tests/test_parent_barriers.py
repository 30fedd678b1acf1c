"""What the direction table says on engagement, child welfare and fathers, in words."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.parent_barriers import engagement_words, father_rows, father_words, mandated_words


def rows(spec):
    """Rows of parent_directions from (sample, setting, domain, direction, quote)."""
    out = []
    for i, (sample, setting, domain, direction, quote) in enumerate(spec, start=1):
        out.append({"row_id": f"{sample[:-3]}-{i:02d}", "study": sample[:-3], "sample": sample, "n": 50,
                    "alliance_with": "parent", "setting": setting, "outcome_domain": domain,
                    "alliance_rater": "parent", "primary_outcome": "no", "direction": direction, "quote": quote,
                    "read_in": "abstract", "significance": "significant"})
    return pd.DataFrame(out)


def test_counts_in_words():
    r = rows([("a2001-s1", "child_welfare", "engagement", "favours", "mothers stayed"),
              ("b2002-s1", "outpatient_mh", "engagement", "against", "fathers' alliance with worse"),
              ("c2003-s1", "child_welfare", "parenting", "favours", "x")])
    assert engagement_words(r).startswith("In the primary studies of the parent's alliance, engagement or retention "
                                          "(attendance, dropout, completion) is reported for two samples; ")
    assert mandated_words(r).startswith("In child welfare, where contact is often not chosen, the direction table "
                                        "holds the parent's alliance of two samples; both samples with a direction")
    assert list(father_rows(r)["sample"]) == ["b2002-s1"]
    assert father_words(r).startswith("In the direction table, the quoted results of one sample name fathers: "
                                      "one result against it")


def test_nothing_to_count():
    r = rows([("a2001-s1", "outpatient_mh", "parenting", "favours", "mothers")])
    assert engagement_words(r).startswith("No study of the parent's alliance in the direction table reports")
    assert mandated_words(r).startswith("No study of the parent's alliance in the direction table comes from")
    assert father_words(r).startswith("No quoted result in the direction table names fathers")


def test_direction_bullets_list_the_three_sentences():
    from alliance_meta.evidence.parent_barriers import direction_bullets

    r = rows([("a2001-s1", "child_welfare", "engagement", "favours", "fathers stayed")])
    lines = direction_bullets(r).split("\n")
    assert lines == [f"- {engagement_words(r)}", f"- {mandated_words(r)}", f"- {father_words(r)}"]
    empty = direction_bullets(r.iloc[0:0]).split("\n")
    assert [line[:5] for line in empty] == ["- No ", "- No ", "- No "]
