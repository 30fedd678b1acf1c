"""The research agenda as data: each item names the question, the rule that finds the coded
reviews bearing on it, and a design a researcher could take up; the founding works' own
agendas sit beside it with what the coded reviews now hold on each.

The counts come from the overview of reviews (:func:`alliance_meta.evidence.overview_table`),
so an item's evidence changes when ``syntheses.csv`` grows, and an item whose rule selects
nothing is a gap in the published record, not in this project's reading of it alone.
"""

from __future__ import annotations

from .rules import first_hand, mask, with_uncertainty
from .sentences import counted

#: Words for what the coded reviews hold on a question (the ``status`` of :func:`rule_evidence`).
STATUS = {
    "none": "no coded estimate",
    "point": "point estimates only",
    "interval": "estimates with printed uncertainty",
    "no_rule": "no rule: not assessable from the reviews",
}


def load_agenda(root=None):
    """``data/agenda.csv`` as a DataFrame (see :func:`~alliance_meta.evidence.dataset.load_table`)."""
    from .dataset import load_table

    return load_table("agenda", root)


def load_founding_agendas(root=None):
    """``data/founding_agendas.csv`` as a DataFrame."""
    from .dataset import load_table

    return load_table("founding_agendas", root)


def rule_evidence(table, overview, *, key: str, rule: str = "evidence_rule", after=None):
    """What the coded reviews hold on each row of ``table`` whose ``rule`` column selects estimates.

    Parameters
    ----------
    table : pandas.DataFrame
        ``agenda.csv`` or ``founding_agendas.csv``.
    overview : pandas.DataFrame
        :func:`alliance_meta.evidence.overview_table` of ``syntheses.csv`` (best built with
        ``approximate=False``, so that an interval means a printed CI or SE).
    key : str
        The column that identifies a row of ``table``.
    rule : str
        The column holding the rule (:mod:`alliance_meta.evidence.rules`).
    after : sequence of int, optional
        One year per row of ``table``: only reviews published later count (what has been
        published on a founding work's question since it was asked). Default: all reviews.

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``estimates`` (rows of the overview the rule selects), ``reviews``
        (distinct reviews among them), ``with_interval`` (those with a harmonised r and a
        printed CI or SE), ``populations`` (their populations, sorted, joined by ', ') and
        ``status``: a code of :data:`STATUS` (``no_rule`` for an empty rule, ``none`` when
        it selects nothing, ``point`` when nothing it selects has a printed uncertainty,
        ``interval`` otherwise).
    """
    out = table.copy()
    est, rev, unc, pops, status = [], [], [], [], []
    years = [None] * len(table) if after is None else list(after)
    if len(years) != len(table):
        raise ValueError(f"after gives {len(years)} years for {len(table)} rows")
    for value, year in zip(table[rule], years):
        hit = first_hand(overview[mask(value, overview)])
        if year is not None and year == year:
            hit = hit[hit["year"] > year]
        has_rule = isinstance(value, str) and value.strip() != ""
        n_unc = int(with_uncertainty(hit).sum())
        est.append(int(len(hit)))
        rev.append(int(hit["study"].nunique()))
        unc.append(n_unc)
        pops.append(", ".join(sorted(hit["population"].dropna().unique())))
        status.append("no_rule" if not has_rule else "none" if hit.empty else "point" if n_unc == 0 else "interval")
    out["estimates"], out["reviews"], out["with_interval"] = est, rev, unc
    out["populations"], out["status"] = pops, status
    return out.set_index(key, drop=False).rename_axis(None)


def agenda_table(agenda, barriers, overview):
    """The agenda items with what the coded reviews hold on each, as the chapter shows them.

    Returns
    -------
    pandas.DataFrame
        :func:`rule_evidence` of ``agenda`` (key ``item``), with ``barrier_name`` (the name of
        the barrier the item follows from; empty when none or unknown) and ``status_words``
        (:data:`STATUS` in words).
    """
    out = rule_evidence(agenda, overview, key="item")
    names = dict(zip(barriers["barrier"], barriers["name"]))
    out["barrier_name"] = [names.get(b, "") if isinstance(b, str) else "" for b in out["barrier"]]
    out["status_words"] = out["status"].map(STATUS)
    return out


def agenda_words(table) -> str:
    """What the coded reviews hold on the agenda items, in one or two sentences.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`agenda_table` (or :func:`rule_evidence`) of the agenda.

    Returns
    -------
    str
        'The agenda has 12 items. For eight of them the coded reviews hold no estimate at all,
        for three only point estimates without a printed interval or standard error, and for
        one at least one estimate with its uncertainty: <title> (<populations>).' Only the
        kinds that occur are named; items without a rule count as holding nothing. With no
        item: a sentence saying so.
    """
    from ..engine.wording import number_word

    n = len(table)
    if n == 0:
        return "The agenda has no items."
    status = table["status"]
    hit = table[status == "interval"]
    listed = "; ".join(f"{t} ({p})" if p else str(t) for t, p in zip(hit["title"], hit["populations"]))
    # only the kinds that occur are named, the first with its verb
    kinds = [(int(status.isin(["none", "no_rule"]).sum()), "no estimate at all"),
             (int((status == "point").sum()), "only point estimates without a printed interval or standard error"),
             (len(hit), "at least one estimate with its uncertainty" + (f": {listed}" if listed else ""))]
    parts = []
    for count, what in kinds:
        if count == 0:
            continue
        who = ("it" if n == 1 else "all of them") if count == n else f"{number_word(count)} of them"
        parts.append(f"{who} the coded reviews hold {what}" if not parts else f"{number_word(count)} {what}")
    said = parts[0] if len(parts) == 1 else ", for ".join(parts[:-1]) + ", and for " + parts[-1]
    return f"The agenda has {number_word(n)} item{'s' * (n != 1)}. For {said}."


def single_study_words(overview, moderator: str = "referral") -> str:
    """A clause on the levels of ``moderator`` that rest on a single study (empty when none does).

    Returns
    -------
    str
        " Some rest on a single study: the referral moderator's mandated level, for instance."
        (levels selected by :func:`~alliance_meta.evidence.moderators.levels`, each named once).
    """
    from .moderators import levels
    from .sentences import join

    single = list(dict.fromkeys(levels(overview, moderator).query("single")["level"]))
    if not single:
        return ""
    return (f" Some rest on a single study: the {moderator} moderator's {join(single)} "
            f"level{'s' * (len(single) != 1)}, for instance.")


def agenda_summary_words(table) -> str:
    """The summary line on the agenda: items on which the reviews hold nothing, and the most
    estimates with a printed uncertainty any item has.

    Returns
    -------
    str
        'For eight of the 12 items the reviews hold nothing; the others hold point estimates,
        and at most one estimate with a printed uncertainty per item.', with the cases of no
        item, every item and no item holding nothing said as such.
    """
    from ..engine.wording import number_word

    n = len(table)
    if n == 0:
        return "The agenda has no items."
    none = int(table["status"].isin(["none", "no_rule"]).sum())
    most = int(table["with_interval"].max())
    unc = (f"at most {number_word(most)} estimate{'s' * (most != 1)} with a printed uncertainty per item" if most
           else "none with a printed uncertainty")
    if none == n:
        return (f"For {'the one item' if n == 1 else 'both items' if n == 2 else f'all {number_word(n)} items'} "
                "the reviews hold nothing.")
    lead = ("For every item the reviews hold something" if none == 0 else
            f"For {number_word(none)} of the {number_word(n)} items the reviews hold nothing")
    others = "they" if none == 0 else "the others"
    return f"{lead}; {others} hold point estimates, and {unc}."


def rule_count_words(rule: str, syntheses) -> str:
    """How many rows of ``syntheses`` the rule selects, in words: 'the coded reviews hold no such
    estimates', '... one such estimate', '... 12 such estimates'."""
    from ..engine.wording import number_word

    n = int(mask(rule, syntheses).sum())
    return f"the coded reviews hold {number_word(n, zero='no')} such estimate{'s' * (n != 1)}"


def primary_dyad_words(effect_sizes, dyad: str = "parent-therapist") -> str:
    """The number of primary correlations of ``dyad`` this project read, in words: 'no
    parent–therapist correlations', 'one parent–therapist correlation', 'three ...'."""
    from ..engine.wording import number_word

    n = int((effect_sizes["alliance_dyad"] == dyad).sum())
    return f"{number_word(n, zero='no')} {dyad.replace('-', '–')} correlation{'s' * (n != 1)}"


def pooled_dyad_words(syntheses, dyad: str = "parent-therapist") -> str:
    """The end of the sentence on primary correlations of ``dyad``: whether the coded reviews
    pooled such studies (', although the reviews above pooled such studies.') or not."""
    if (syntheses["alliance_dyad"] == dyad).any():
        return ", although the reviews above pooled such studies."
    return f", and no review above prints a {dyad.replace('-', '–')} estimate either."


def searches_text(search_log) -> str:
    """The number of logged searches, with a thousands separator ('1,214')."""
    return f"{len(search_log):,}"


def searches_words(search_log) -> str:
    """'1,214 logged searches' or '1 logged search'."""
    return counted(len(search_log), "logged search", "logged searches")


#: ``kind`` codes of ``founding_agendas.csv`` whose rows state nothing a review could answer.
NOTHING_STATED = ("not_read", "none_stated")


def founding_table(founding, overview, refs):
    """The founding works' agendas with what later coded reviews hold on each.

    Returns
    -------
    pandas.DataFrame
        :func:`rule_evidence` of ``founding`` (key ``agenda_id``), counting only reviews
        published after each work, with ``work`` (the work's label), ``kind`` in words and
        ``status_words``: empty for a work not read or stating nothing, a note for a
        statement without a rule, else :data:`STATUS` in words.
    """
    from .bibliography import labels, publication_year

    out = rule_evidence(founding, overview, key="agenda_id",
                        after=[publication_year(refs, k) for k in founding["study"]])
    out["work"] = labels(refs, list(out["study"]))
    out["status_words"] = ["" if kind in NOTHING_STATED else
                           "(not a question a pooled estimate answers)" if status == "no_rule" else STATUS[status]
                           for status, kind in zip(out["status"], out["kind"])]
    out["kind"] = out["kind"].astype("string").str.replace("_", " ")
    return out


def founding_words(table) -> str:
    """What the table of founding agendas holds, in one or two sentences.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`founding_table`.

    Returns
    -------
    str
        How many statements from how many works; which works' abstracts state no open question
        and which could not be read (each clause only when there is such a work).
    """
    from ..engine.wording import number_word

    n = len(table)
    if n == 0:
        return "The table holds no statement."
    works = table["study"].nunique()
    text = f"The table holds {n} statement{'s' * (n != 1)} from {number_word(works)} work{'s' * (works != 1)}."
    none = "; ".join(dict.fromkeys(table.loc[table["kind"] == "none stated", "work"]))
    unread = "; ".join(dict.fromkeys(table.loc[table["kind"] == "not read", "work"]))
    parts = []
    if none:
        parts.append(f"Where a work's abstract states no open question ({none}) the table says so")
    if unread:
        parts.append(f"where no readable copy was found ({unread}) nothing is attributed to it")
    if parts:
        text += " " + ", and ".join(parts)[0].upper() + ", and ".join(parts)[1:] + "."
    return text


def _authors(ref) -> str:
    """'Alexander and Dore', 'Horvath' or 'Karver et al.': a work's authors for running text."""
    names = [a for a in ref.authors if a.lower() != "others"]
    if not names:
        return ref.key
    if len(names) == 1 and len(ref.authors) == 1:
        return names[0]
    if len(names) == 2 and len(ref.authors) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def parent_request_words(table, refs, dyad: str = "parent-therapist") -> str:
    """What later reviews hold on the earliest founding request for the clinician–parent alliance.

    The request is selected by its rule (an alternative that selects ``alliance_dyad`` =
    ``dyad``), never by the work's key; the earliest work with such a request is the one
    described, its counts the largest over its rows.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`founding_table`.
    refs : dict
        The bibliography (its author names and years).

    Returns
    -------
    str
        "Alexander and Dore's request, an alliance between clinician and parent studied in
        its own right, has since been met by three published estimates from two reviews, none
        of them with a printed uncertainty: ..." or a sentence saying no such request is coded.
    """
    from ..engine.wording import number_word
    from .bibliography import publication_year
    from .rules import parse

    def asks(rule) -> bool:
        try:
            return any(("alliance_dyad", dyad) in alt for alt in parse(rule))
        except ValueError:
            return False

    hit = table[[asks(rule) for rule in table["evidence_rule"]]]
    if hit.empty:
        return "No founding work's request for the clinician–parent alliance is coded with a rule in the table."
    keys = sorted(dict.fromkeys(hit["study"]), key=lambda k: (publication_year(refs, k) or 0, k))
    own = hit[hit["study"] == keys[0]]
    est, rev, unc = (int(own[c].max()) for c in ("estimates", "reviews", "with_interval"))
    who = _authors(refs[keys[0]]) if keys[0] in refs else keys[0]
    head = f"{who}'s request, an alliance between clinician and parent studied in its own right,"
    if est == 0:
        return f"{head} has not been met by any published estimate of a later coded review."
    return (f"{head} has since been met by {number_word(est)} published estimate{'s' * (est != 1)} from "
            f"{number_word(rev)} review{'s' * (rev != 1)}, {number_word(unc, zero='none')} of them with a printed "
            "uncertainty" + (": the question has been asked of the literature, and the literature has not yet "
                             "answered it with an interval a service could use." if unc == 0 else "."))


__all__ = ["STATUS", "load_agenda", "load_founding_agendas", "rule_evidence", "agenda_table", "agenda_words",
           "single_study_words", "agenda_summary_words", "rule_count_words", "primary_dyad_words",
           "pooled_dyad_words", "searches_text", "searches_words", "NOTHING_STATED", "founding_table", "founding_words",
           "parent_request_words"]
