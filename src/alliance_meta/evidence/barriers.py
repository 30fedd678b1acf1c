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
        ``barrier -> sentence``. A barrier without a rule gets its ``notes`` (the coders'
        statement of why nothing can be selected); one whose rule selects nothing gets a
        sentence saying so (its notes describe the rule, not the reviews); otherwise the counts
        of estimates, reviews and estimates with printed uncertainty, in words.
    """
    from ..engine.wording import number_word

    notes = dict(zip(barriers["barrier"], barriers["notes"].fillna("")))
    rules = dict(zip(barriers["barrier"], barriers["review_evidence"].fillna("")))
    out = {}
    for row in summary.itertuples():
        if row.estimates == 0:
            out[row.barrier] = (notes[row.barrier] or "The coded reviews hold no estimate on it." if
                                not str(rules[row.barrier]).strip() else
                                "No coded review holds an estimate that the barrier's rule selects.")
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


def chapter_words(barriers, summary, codes) -> dict[str, str]:
    """:func:`evidence_words` for the barriers a chapter discusses, whether or not they are coded.

    Parameters
    ----------
    codes : sequence of str
        The ``barrier`` codes the chapter writes a paragraph on.

    Returns
    -------
    dict
        ``barrier -> sentence`` for every code in ``codes`` and every coded barrier: the
        sentence of :func:`evidence_words`, or, for a code that ``barriers.csv`` no longer
        holds, a sentence saying that nothing is computed for it.
    """
    out = evidence_words(barriers, summary)
    for code in codes:
        out.setdefault(code, "This barrier is not coded in data/barriers.csv, so what the coded reviews hold on it "
                             "is not computed.")
    return out


def _s(n: int, one: str, many: str) -> str:
    """``one`` for a count of one, ``many`` otherwise (verb or noun endings)."""
    return one if n == 1 else many


def names_words(barriers, sources=None) -> str:
    """How many barriers are coded, and their names, in one sentence.

    Parameters
    ----------
    barriers : pandas.DataFrame
        ``barriers.csv``.
    sources : pandas.DataFrame, optional
        ``barrier_sources.csv``: when given, the sentence says how many barriers have primary
        works documenting them if not all do.

    Returns
    -------
    str
        'Seven barriers are coded as data, each with the primary works that document it and
        the rule that links it to the coded reviews: blaming parents; ...' (names in lower case,
        in file order); with barriers that no primary work documents, 'each with the rule ...
        and, for five of them, primary works that document it'; or a sentence saying that no
        barrier is coded.
    """
    from ..engine.wording import number_word

    n = len(barriers)
    if n == 0:
        return "No barrier is coded as data."
    documented = n if sources is None else int(barriers["barrier"].isin(set(sources["barrier"])).sum())
    if documented == n:
        what = "with the primary works that document it and the rule that links it to the coded reviews"
    elif documented == 0:
        what = "with the rule that links it to the coded reviews (no primary work documenting it is coded)"
    else:
        what = (f"with the rule that links it to the coded reviews and, for {number_word(documented)} of them, "
                "the primary works that document it")
    return (f"{number_word(n).capitalize()} barrier{_s(n, ' is', 's are')} coded as data, {_s(n, '', 'each ')}"
            f"{what}: " + "; ".join(str(x).lower() for x in barriers["name"]) + ".")


def basis_words(barriers, sources, summary) -> str:
    """What the barriers rest on, in the words that open the chapter's account of them.

    Parameters
    ----------
    barriers, sources : pandas.DataFrame
        ``barriers.csv`` and ``barrier_sources.csv``.
    summary : pandas.DataFrame
        :func:`evidence_summary` of the same barriers.

    Returns
    -------
    str
        How many barriers; how many distinct primary works were read, and how (in their
        abstracts or in full); how many cited works could not be read; for how many barriers
        the coded reviews hold no estimate, and how many hold one with a printed uncertainty
        ("only" when some but not all of those with an estimate do).
    """
    from ..engine.wording import number_word

    n = len(barriers)
    if n == 0:
        return "No barrier is coded in data/barriers.csv, so the chapter names none."
    read = sources[sources["read_in"] != "not_read"]
    works = read["study"].nunique()
    full = read.loc[read["read_in"] == "full_text", "study"].nunique()
    abstract = works - full
    if works == 0:
        rest = (f"{_s(n, 'It rests', 'They rest')} on the coded reviews alone: no primary work documenting "
                f"{_s(n, 'it', 'them')} could be read")
    else:
        how = (_s(works, "read in its abstract (the full text could not be read here)",
                  "read in their abstracts (the full texts could not be read here)") if full == 0 else
               "read in full" if abstract == 0 else
               f"read in full ({full}) or in their abstracts ({abstract})")
        rest = (f"{_s(n, 'It rests', 'They rest')} on {works} primary work{_s(works, '', 's')} {how} and on the "
                "coded reviews")
    unread = sources.loc[sources["read_in"] == "not_read", "study"].nunique()
    if unread:
        rest += (f"; {number_word(unread)} cited work{_s(unread, ' ', 's ')}could not be read at all and "
                 f"{_s(unread, 'is', 'are')} cited as cited")
    without = int((summary["estimates"] == 0).sum())
    with_est = len(summary) - without
    with_unc = int((summary["with_interval"] > 0).sum())
    if n == 1:
        quant = ("For it the coded reviews hold no alliance–outcome estimate." if with_est == 0 else
                 "For it the coded reviews hold an alliance–outcome estimate, "
                 f"{'one' if with_unc else 'none'} with a printed uncertainty.")
    elif with_est == 0:
        quant = "For none of the barriers do the coded reviews hold an alliance–outcome estimate."
    else:
        lead = ("For every barrier the coded reviews hold an alliance–outcome estimate" if without == 0 else
                f"For {number_word(without)} of the barriers the coded reviews hold no alliance–outcome estimate")
        if with_unc == 0:
            unc = "none has one with a printed uncertainty"
        elif with_unc < with_est:
            unc = f"only {number_word(with_unc)} {_s(with_unc, 'has', 'have')} one with a printed uncertainty"
        elif with_est == 1:
            unc = "the one barrier with an estimate has one with a printed uncertainty"
        else:
            unc = (f"{'both' if with_est == 2 else f'all {number_word(with_est)}'} with an estimate have one with a "
                   "printed uncertainty")
        quant = f"{lead}, and {unc}."
    return f"The chapter names {number_word(n)} barrier{_s(n, '', 's')}. {rest}. {quant}"


def without_estimates(summary) -> list[str]:
    """Names of the barriers for which the coded reviews hold no estimate, in file order."""
    return [str(x) for x in summary.loc[summary["estimates"] == 0, "name"]]


def without_words(summary) -> str:
    """The barriers without an estimate, joined by '; ', or what holds when there is none."""
    if not len(summary):
        return "no barrier is coded"
    names = without_estimates(summary)
    return "; ".join(names) if names else "every barrier has at least one estimate"


def quant_summary_words(summary) -> str:
    """One summary line: barriers without an estimate, and which have one with printed uncertainty.

    Returns
    -------
    str
        'Four barriers have no alliance–outcome estimate in the coded reviews, and two (A; B)
        have one with a printed interval or standard error.', with every count in words and
        the zero cases said as such.
    """
    from ..engine.wording import number_word

    if not len(summary):
        return "No barrier is coded as data."
    without = len(without_estimates(summary))
    with_unc = [str(x) for x in summary.loc[summary["with_interval"] > 0, "name"]]
    lead = ("Every barrier has an alliance–outcome estimate in the coded reviews" if without == 0 else
            f"{number_word(without).capitalize()} barrier{_s(without, ' has', 's have')} no alliance–outcome "
            "estimate in the coded reviews")
    tail = (f"{number_word(len(with_unc))} ({'; '.join(with_unc)}) {_s(len(with_unc), 'has', 'have')} one with a "
            "printed interval or standard error." if with_unc else
            "none has one with a printed interval or standard error.")
    return f"{lead}, and {tail}"


def engagement_population_words(overview) -> str:
    """The populations of the published estimates in the engagement and retention domain.

    Selects the rows of ``overview`` (:func:`~alliance_meta.evidence.overview_table`, or the
    estimates the barriers select, :func:`review_rows`) whose ``outcome_domain`` is
    ``engagement_retention`` (each coded duplicate once).

    Returns
    -------
    str
        'Those estimates concern engagement in therapy and dropout, for the adult population;
        none is about parents or families.' (the last clause only when no population is
        ``parent`` or ``family``); empty when no such estimate has a population.
    """
    hit = first_hand(overview[overview["outcome_domain"] == "engagement_retention"])
    pops = sorted(str(p) for p in hit["population"].dropna().unique())
    if not pops:
        return ""
    return (f"Those estimates concern engagement in therapy and dropout, for the {', '.join(pops)} "
            f"population{_s(len(pops), '', 's')}"
            + ("; none is about parents or families." if not set(pops) & {"parent", "family"} else "."))


#: A moderator whose name says it is about agreement, or goals, between family members.
_AGREEMENT = r"agree|goal"


def agreement_moderators(overview, tests=None):
    """Moderators printed by the coded reviews whose name speaks of agreement or goals.

    Returns
    -------
    pandas.DataFrame
        ``study`` and ``moderator``, one row per review and moderator name, from the
        ``moderator`` of ``overview`` and, when given, of ``moderator_tests.csv``.
    """
    import pandas as pd

    frames = [overview[["study", "moderator"]]]
    if tests is not None and len(tests):
        frames.append(tests[["study", "moderator"]])
    both = pd.concat(frames, ignore_index=True).dropna()
    hit = both[both["moderator"].astype(str).str.contains(_AGREEMENT, case=False)]
    return hit.drop_duplicates().reset_index(drop=True)


def split_alliance_account(overview, refs, tests=None) -> str:
    """MyST text on split alliances: each review's estimate, and whether agreement was tested.

    Selects the rows of ``overview`` whose ``estimate_type`` is ``split_alliance`` (each coded
    duplicate once) and the moderators of :func:`agreement_moderators`.

    Returns
    -------
    str
        One sentence per review that printed a split-alliance estimate (oldest first), or one
        saying none did; then the reviews that printed a moderator of agreement or goals, or a
        sentence saying that no review printed agreement on goals as a moderator.
    """
    from .moderators import reviews
    from .sentences import join, reviews_account

    rows = first_hand(overview[overview["estimate_type"] == "split_alliance"])
    text = reviews_account(rows, refs, lead="printed the association between a split alliance and outcome as",
                           none="No coded review prints an alliance–outcome estimate for split alliances.")
    mods = agreement_moderators(overview, tests)
    if mods.empty:
        return text + " No coded review printed agreement on goals between parent and young person as a moderator."
    said = [f"{{cite:t}}`{key}` printed {join(list(mods.loc[mods['study'] == key, 'moderator']))} as a moderator."
            for key in reviews(mods, refs)]
    return text + " " + " ".join(said)


def estimates_table(rows, barriers, refs):
    """The estimates of :func:`review_rows` as the chapter shows them.

    Returns
    -------
    pandas.DataFrame
        ``rows`` with ``barrier`` as the barrier's name, ``basis`` in words (where the
        interval comes from; empty when there is none) and ``study`` as the review's label.
    """
    from .bibliography import labels
    from .overview import BASIS_WORDS

    named = dict(zip(barriers["barrier"], barriers["name"]))
    return rows.assign(barrier=rows["barrier"].map(named), basis=rows["basis"].map(BASIS_WORDS),
                       study=labels(refs, list(rows["study"])))


def sources_table(sources, barriers, refs):
    """``barrier_sources.csv`` as the chapter shows it: barrier names and work labels."""
    from .bibliography import labels

    named = dict(zip(barriers["barrier"], barriers["name"]))
    return sources.assign(barrier=sources["barrier"].map(named), study=labels(refs, list(sources["study"])))


#: Referral levels of a primary sample in which contact was not (only) chosen by the family.
NOT_CHOSEN = ("mandated", "mixed")


def primary_referral_words(effect_sizes) -> str:
    """How many of the dataset's primary studies sampled mandated or mixed referrals.

    Returns
    -------
    str
        The opening of a sentence (no final stop), e.g. 'None of the 9 primary studies in this
        book's own dataset sampled mandated or mixed referrals, so the dataset cannot add to the
        referral contrast'; 'Only one of ...' when a single study did (too few to compare); the
        count alone when two or more did.
    """
    from ..engine.wording import number_word
    from .moderators import MIN_STUDIES

    n = effect_sizes["study"].nunique()
    if n == 0:
        return "This book's own dataset holds no primary study, so it cannot add to the referral contrast"
    k = effect_sizes.loc[effect_sizes["referral"].isin(NOT_CHOSEN), "study"].nunique()
    of = f"of the {n} primary stud{_s(n, 'y', 'ies')} in this book's own dataset"
    if k == 0:
        return (f"None {of} sampled mandated or mixed referrals, so the dataset cannot add to the referral "
                "contrast")
    if k < MIN_STUDIES:
        return (f"Only {number_word(k)} {of} sampled mandated or mixed referrals, too few for the dataset to "
                "add to the referral contrast")
    return f"{number_word(k).capitalize()} {of} sampled mandated or mixed referrals"


__all__ = ["load_barriers", "load_barrier_sources", "review_rows", "evidence_summary", "evidence_words",
           "chapter_words", "names_words", "basis_words", "without_estimates", "without_words", "quant_summary_words",
           "engagement_population_words", "agreement_moderators", "split_alliance_account", "estimates_table",
           "sources_table", "NOT_CHOSEN", "primary_referral_words"]
