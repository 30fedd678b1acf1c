"""Parents' own accounts (``data/parent_accounts.csv``) in the words of the barriers chapter.

:mod:`alliance_meta.evidence.accounts` loads the table and counts its themes; this module
says what those counts show, selecting rows by their coded ``focus``, ``read_in`` and theme
codes, so that any number of studies (none, one, several, ties between themes) gives a true
sentence.
"""

from __future__ import annotations

#: The ``focus`` of a study of parents' experience, and of a primary study of split alliances.
EXPERIENCE, SPLIT = "parents_experience", "split_alliance"

#: Below this many studies the chapter calls the table's rows few.
FEW = 30


def experience_rows(accounts):
    """The studies of parents' experience, as the chapter shows them.

    Returns
    -------
    pandas.DataFrame
        The rows of ``accounts`` whose ``focus`` is :data:`EXPERIENCE`, in file order, with
        the ``setting`` code written with spaces.
    """
    rows = accounts[accounts["focus"] == EXPERIENCE]
    return rows.assign(setting=rows["setting"].astype("string").str.replace("_", " "))


def _studies(n: int) -> str:
    return f"{n} stud{'y' if n == 1 else 'ies'}"


def accounts_words(accounts) -> str:
    """What the studies of parents' experience hold, in one paragraph.

    Parameters
    ----------
    accounts : pandas.DataFrame
        ``parent_accounts.csv``.

    Returns
    -------
    str
        How many studies of parents' experience, in how many kinds of setting, how many read
        in full; the theme (or the tied themes) reported most often, with its count; how many
        report ruptures and repairs (theme ``rupture_repair``); and what the counts can say,
        given how many rows there are and how many rest on an abstract. With no study: one
        sentence saying so.
    """
    from ..engine.wording import number_word
    from .accounts import theme_counts

    rows = accounts[accounts["focus"] == EXPERIENCE]
    n = len(rows)
    if n == 0:
        return "The table holds no study of parents' experience, so no theme can be counted."
    settings = rows["setting"].nunique()
    full = int((rows["read_in"] == "full_text").sum())
    read = ("none of them could be read in full" if full == 0 else
            f"{'it' if n == 1 else 'all of them'} could be read in full" if full == n else
            f"{full} of them could be read in full")
    text = (f"The table holds {_studies(n)} of parents' experience in {settings} kind{'s' * (settings != 1)} of "
            f"setting; {read}.")
    themes = theme_counts(accounts, focus=EXPERIENCE)
    if themes.empty:
        text += " No theme is coded for them"
    else:
        k = int(themes["studies"].max())
        top = list(themes.loc[themes["studies"] == k, "theme"])
        text += (f" The theme reported most often is {top[0]} ({_studies(k)})" if len(top) == 1 else
                 f" {number_word(len(top)).capitalize()} themes are reported most often, by {_studies(k)} each ("
                 + "; ".join(top) + ")")
    rupture = int(themes.loc[themes["code"] == "rupture_repair", "studies"].sum()) if len(themes) else 0
    text += (", and none reports alliances that broke down or were repaired." if rupture == 0 else
             f", and {rupture} report{'s' * (rupture == 1)} alliances that broke down or were repaired.")
    abstract = int((rows["read_in"] == "abstract").sum())
    few = "so few rows" if n < FEW else f"{n} rows"
    most = ", most read in an abstract" if 2 * abstract > n else ""
    return (text + f" With {few}{most}, the counts say what recurs in the readable record, not how common each "
            "experience is.")


def split_studies_words(accounts) -> str:
    """How many primary studies of split or unbalanced alliances the table codes: '5 primary
    studies', '1 primary study' or 'no primary study'."""
    n = int((accounts["focus"] == SPLIT).sum())
    return "no primary study" if n == 0 else f"{n} primary stud{'y' if n == 1 else 'ies'}"


__all__ = ["EXPERIENCE", "SPLIT", "FEW", "experience_rows", "accounts_words", "split_studies_words"]
