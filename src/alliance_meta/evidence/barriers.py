"""The barriers to partnership between parents and professionals, each with its evidence.

Two tables hold them: ``data/barriers.csv`` (each barrier, its definition and the rule that
links it to the coded reviews) and ``data/barrier_sources.csv`` (the primary works that
document it, as read). This module joins them to the overview of reviews
(:func:`alliance_meta.evidence.overview_table`): which published estimates bear on each
barrier, with their intervals on r where one was printed or can be made from a printed SE.
A barrier whose rule selects nothing has no quantitative evidence in the coded reviews, and
the functions say so rather than leaving the row out.
"""

from __future__ import annotations

from .rules import first_hand, mask, with_uncertainty


def load_barriers(root=None):
    """``data/barriers.csv`` as a DataFrame (see :func:`~alliance_meta.evidence.dataset.load_table`)."""
    from .dataset import load_table

    return load_table("barriers", root)


def load_barrier_sources(root=None):
    """``data/barrier_sources.csv`` as a DataFrame."""
    from .dataset import load_table

    return load_table("barrier_sources", root)


def review_rows(barriers, overview):
    """The published estimates that bear on each barrier.

    Parameters
    ----------
    barriers : pandas.DataFrame
        ``barriers.csv``.
    overview : pandas.DataFrame
        :func:`alliance_meta.evidence.overview_table` of ``syntheses.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per (barrier, estimate): ``barrier`` and every column of ``overview``
        (so ``r`` harmonised, ``r_lb``/``r_ub`` its 95% interval on r, ``basis``). An
        estimate matching several selectors of one barrier appears once; the rows keep the
        order of ``barriers`` and then of ``overview``. The rule is
        :mod:`alliance_meta.evidence.rules`' (``;`` or, ``&`` and).
    """
    import pandas as pd

    parts = []
    for row in barriers.itertuples():
        hit = first_hand(overview[mask(row.review_evidence, overview)])
        if len(hit):
            parts.append(hit.assign(barrier=row.barrier))
    if not parts:
        return overview.iloc[0:0].assign(barrier=pd.Series(dtype=object))
    out = pd.concat(parts, ignore_index=True)
    return out[["barrier", *[c for c in out.columns if c != "barrier"]]]


def evidence_summary(barriers, sources, overview):
    """What each barrier rests on: primary works read, and published estimates.

    Returns
    -------
    pandas.DataFrame
        One row per barrier, in the order of ``barriers``: ``barrier``, ``name``,
        ``works`` (primary works whose record was read), ``not_read`` (cited works whose
        record could not be read), ``estimates`` (published estimates selected by its
        rule), ``reviews`` (distinct reviews among them), ``with_interval`` (estimates with
        a printed CI or SE, hence an interval on r), ``with_r`` (estimates with a
        harmonised r).
    """
    import pandas as pd

    rows = review_rows(barriers, overview)
    out = []
    for b in barriers.itertuples():
        src = sources[sources["barrier"] == b.barrier]
        est = rows[rows["barrier"] == b.barrier]
        out.append({"barrier": b.barrier, "name": b.name,
                    "works": int((src["read_in"] != "not_read").sum()),
                    "not_read": int((src["read_in"] == "not_read").sum()),
                    "estimates": int(len(est)), "reviews": int(est["study"].nunique()),
                    "with_interval": int(with_uncertainty(est).sum()),
                    "with_r": int(est["r"].notna().sum())})
    return pd.DataFrame(out)


def evidence_words(barriers, summary) -> dict[str, str]:
    """One sentence per barrier on what the coded reviews hold, for the chapter's prose.

    Parameters
    ----------
    barriers : pandas.DataFrame
        ``barriers.csv`` (its ``notes`` say why a barrier has no estimates).
    summary : pandas.DataFrame
        :func:`evidence_summary` of the same barriers.

    Returns
    -------
    dict
        ``barrier -> sentence``. A barrier with no selected estimate gets its ``notes``
        (the coders' statement of the absence); otherwise the counts of estimates, reviews
        and estimates with printed uncertainty, in words.
    """
    from ..engine.wording import number_word

    notes = dict(zip(barriers["barrier"], barriers["notes"].fillna("")))
    out = {}
    for row in summary.itertuples():
        if row.estimates == 0:
            out[row.barrier] = notes[row.barrier] or "The coded reviews hold no estimate on it."
            continue
        est = f"{number_word(row.estimates)} published estimate{'s' if row.estimates != 1 else ''}"
        rev = f"{number_word(row.reviews)} review{'s' if row.reviews != 1 else ''}"
        if row.with_interval == 0:
            unc = "none with a printed interval or standard error"
        elif row.with_interval == row.estimates:
            unc = "all with a printed interval or standard error" if row.estimates > 1 else \
                "with a printed interval or standard error"
        else:
            unc = f"{number_word(row.with_interval)} with a printed interval or standard error"
        out[row.barrier] = f"The coded reviews hold {est} from {rev} on it, {unc}."
    return out


__all__ = ["load_barriers", "load_barrier_sources", "review_rows", "evidence_summary", "evidence_words"]
