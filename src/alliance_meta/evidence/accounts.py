"""Parents' own accounts of working with professionals (``data/parent_accounts.csv``):
the studies and the themes they report, tabulated from the coded table."""

from __future__ import annotations

#: theme code -> words, in the order of the codebook
THEME_WORDS = {
    "trust": "trust", "respect": "respect", "being_listened_to": "being listened to",
    "honesty_transparency": "honesty and transparency", "availability_responsiveness": "availability and responsiveness",
    "communication": "communication", "humanity_warmth": "humanity and warmth",
    "collaboration_shared_decisions": "collaboration and shared decisions", "power_imbalance": "power imbalance",
    "fear_of_judgement_blame": "fear of judgement or blame", "stigma": "stigma", "practical_barriers": "practical barriers",
    "continuity_of_worker": "continuity of the worker", "cultural_fit": "cultural fit", "rupture_repair": "rupture and repair",
    "split_or_unbalanced_alliance": "split or unbalanced alliance",
    "parent_involvement_in_treatment": "parent involvement in treatment", "emotional_support": "emotional support",
}


def load_parent_accounts(root=None):
    """``data/parent_accounts.csv`` as a DataFrame (see :func:`~alliance_meta.evidence.dataset.load_table`)."""
    from .dataset import load_table

    return load_table("parent_accounts", root)


def theme_counts(accounts, focus: str | None = "parents_experience"):
    """How many studies report each theme.

    Parameters
    ----------
    accounts : pandas.DataFrame
        Rows of ``parent_accounts.csv``.
    focus : str or None
        Keep only rows with this ``focus`` (None: all rows).

    Returns
    -------
    pandas.DataFrame
        ``theme`` (words), ``code``, ``studies`` (number of rows reporting it), ``of``
        (rows considered) and ``which`` (their study keys, comma-separated), ordered by
        ``studies`` descending then the codebook's order; themes no study reports are left out.
    """
    import pandas as pd

    rows = accounts if focus is None else accounts[accounts["focus"] == focus]
    coded = [(r.study, set(str(r.themes).split(";"))) for r in rows.itertuples()]
    out = []
    for order, (code, words) in enumerate(THEME_WORDS.items()):
        which = [study for study, themes in coded if code in themes]
        if which:
            out.append({"theme": words, "code": code, "studies": len(which), "of": len(coded),
                        "which": ", ".join(which), "_order": order})
    frame = pd.DataFrame(out, columns=["theme", "code", "studies", "of", "which", "_order"])
    frame = frame.sort_values(["studies", "_order"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)
