"""Parents' own accounts in words (alliance_meta.evidence.account_words): counts, ties between
themes, and the cases of no study and of one."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.account_words import accounts_words, experience_rows, split_studies_words
from alliance_meta.evidence.accounts import load_parent_accounts


def _accounts(spec):
    """Rows from (focus, setting, read_in, themes)."""
    return pd.DataFrame([{"study": f"s{i}2001", "focus": f, "setting": s, "read_in": r, "themes": t}
                         for i, (f, s, r, t) in enumerate(spec)])


def test_shipped_accounts_in_words():
    acc = load_parent_accounts()
    assert accounts_words(acc) == (
        "The table holds 10 studies of parents' experience in 6 kinds of setting; 1 of them could be read in full. "
        "Two themes are reported most often, by 4 studies each (humanity and warmth; emotional support), and 3 "
        "report alliances that broke down or were repaired. With so few rows, most read in an abstract, the counts "
        "say what recurs in the readable record, not how common each experience is.")
    assert split_studies_words(acc) == "5 primary studies"
    shown = experience_rows(acc)
    assert len(shown) == 10 and not shown["setting"].str.contains("_").any()


def test_no_study_of_parents_experience():
    acc = _accounts([("split_alliance", "family_therapy", "abstract", "split_or_unbalanced_alliance")])
    assert accounts_words(acc) == "The table holds no study of parents' experience, so no theme can be counted."
    assert experience_rows(acc).empty
    assert split_studies_words(acc) == "1 primary study"
    assert split_studies_words(acc.iloc[0:0]) == "no primary study"


def test_one_study_and_a_single_top_theme():
    acc = _accounts([("parents_experience", "child_welfare", "full_text", "trust;respect")])
    assert accounts_words(acc) == (
        "The table holds 1 study of parents' experience in 1 kind of setting; it could be read in full. Two themes "
        "are reported most often, by 1 study each (trust; respect), and none reports alliances that broke down or "
        "were repaired. With so few rows, the counts say what recurs in the readable record, not how common each "
        "experience is.")
    acc = _accounts([("parents_experience", "child_welfare", "abstract", "trust;rupture_repair"),
                     ("parents_experience", "child_welfare", "abstract", "trust"),
                     ("parents_experience", "education", "full_text", "")])
    assert accounts_words(acc) == (
        "The table holds 3 studies of parents' experience in 2 kinds of setting; 1 of them could be read in full. "
        "The theme reported most often is trust (2 studies), and 1 reports alliances that broke down or were "
        "repaired. With so few rows, most read in an abstract, the counts say what recurs in the readable record, "
        "not how common each experience is.")


def test_no_theme_and_many_rows():
    acc = _accounts([("parents_experience", "education", "abstract", "")] * 30)
    text = accounts_words(acc)
    assert "none of them could be read in full. No theme is coded for them, and none reports" in text
    assert "With 30 rows, most read in an abstract," in text
