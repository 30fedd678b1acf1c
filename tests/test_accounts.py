"""Parents' accounts: the themes are counted from the coded table."""

from __future__ import annotations

import pandas as pd

from alliance_meta.evidence.accounts import THEME_WORDS, load_parent_accounts, theme_counts


def test_counts_on_a_small_table():
    acc = pd.DataFrame({"study": ["a2001", "b2002", "c2003"], "focus": ["parents_experience"] * 2 + ["split_alliance"],
                        "themes": ["trust;respect", "trust", "split_or_unbalanced_alliance"]})
    out = theme_counts(acc)
    assert out["code"].tolist() == ["trust", "respect"]
    assert out.loc[0, "studies"] == 2 and out.loc[0, "of"] == 2 and out.loc[0, "which"] == "a2001, b2002"
    assert theme_counts(acc, focus=None)["code"].tolist() == ["trust", "respect", "split_or_unbalanced_alliance"]


def test_shipped_table_uses_the_vocabulary_and_counts_add_up():
    acc = load_parent_accounts()
    codes = {t for themes in acc["themes"] for t in themes.split(";")}
    assert codes <= set(THEME_WORDS)
    out = theme_counts(acc)
    parents = acc[acc["focus"] == "parents_experience"]
    assert (out["of"] == len(parents)).all()
    assert out["studies"].sum() == sum(len(t.split(";")) for t in parents["themes"])
    assert "vischer2019" in out.set_index("code").loc["trust", "which"]
