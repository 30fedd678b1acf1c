"""Published pooled estimates (``data/syntheses.csv``) as a readable table (the chart is
:func:`alliance_meta.figures.synthesis_figure`).

Nothing here is re-estimated: the figures are those the meta-analyses printed, and each
row says what was read (``read_in``: the abstract, the full text, a table, or a later work
that quotes the figure, ``quoted_by:<key>``).
"""

from __future__ import annotations

import math


#: The coded fields shown beside each estimate: table name -> column of ``syntheses.csv``.
CODED = {"estimate type": "estimate_type", "dyad": "alliance_dyad", "alliance rater": "alliance_rater",
         "outcome": "outcome_domain", "setting": "setting"}


def synthesis_table(frame, refs):
    """One row per published estimate, oldest first, with author–year labels.

    Returns
    -------
    pandas.DataFrame
        Columns ``synthesis``, ``year``, ``population``, ``subset``, the coded fields in
        words (``estimate type``, ``dyad``, ``alliance rater``, ``outcome``, ``setting``;
        empty where the frame lacks them), ``k``, ``N``, ``r``
        (harmonised: positive = stronger alliance, better outcome), ``95% CI``, ``read in``
        (``abstract``, ``full text``, ``table``, or ``quoted by <label>`` for a figure read in a
        later work) and ``synthesis_id``. Empty cells stay empty: a figure that was not read,
        or a sign that could not be established, is not filled in.
    """
    import pandas as pd

    from .bibliography import labels, publication_year

    out = pd.DataFrame({
        "synthesis": labels(refs, list(frame["study"])),
        "year": [publication_year(refs, k) or 0 for k in frame["study"]],
        "population": frame["population"].to_numpy(),
        "subset": frame["subset"].to_numpy(),
        **{name: (frame[col].astype(object).where(frame[col].notna(), "").astype(str).str.replace("_", " ").to_numpy()
                  if col in frame else [""] * len(frame))
           for name, col in CODED.items()},
        "k": frame["k_studies"].astype("Int64").array,
        "N": frame["n_participants"].astype("Int64").array,
        "r": frame["r"].to_numpy(),
        "95% CI": [f"[{lo:.2f}, {hi:.2f}]" if not (math.isnan(lo) or math.isnan(hi)) else ""
                   for lo, hi in zip(frame["ci_lb"].astype(float), frame["ci_ub"].astype(float))],
        "read in": ["quoted by " + labels(refs, [ev.split(":", 1)[1]])[0] if ev.startswith("quoted_by:")
                    else ev.replace("_", " ") for ev in frame["read_in"]],
        "synthesis_id": frame["synthesis_id"].to_numpy(),
    })
    return out.sort_values(["year", "synthesis_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------- counts and sentences

QUOTED = "quoted_by:"


def _quoted(frame):
    """Whether each row's figure was read only as quoted by a later work."""
    return frame["read_in"].fillna("").astype(str).str.startswith(QUOTED)


def provenance(frame, refs) -> dict:
    """Where the published figures were read, in counts (plain ints).

    Returns
    -------
    dict
        ``rows`` (estimates), ``works`` (reviews), ``primary`` (read in the meta-analysis
        itself), ``secondary`` (only as quoted by a later work), ``abstract`` (in the abstract
        only), ``beyond`` (in the full text or a table), and ``first_year`` and ``last_year``
        of the works (0 when there is no work with a year).
    """
    from .bibliography import publication_year

    quoted = _quoted(frame)
    years = [y for y in (publication_year(refs, k) for k in dict.fromkeys(frame["study"])) if y is not None]
    return {"rows": int(len(frame)), "works": int(frame["study"].nunique()), "primary": int((~quoted).sum()),
            "secondary": int(quoted.sum()), "abstract": int((frame["read_in"] == "abstract").sum()),
            "beyond": int(frame["read_in"].isin(["full_text", "table"]).sum()),
            "first_year": min(years) if years else 0, "last_year": max(years) if years else 0}


def holdings_words(counts: dict) -> str:
    """What the table of published estimates holds and where its figures were read, from
    :func:`provenance`, as sentences.

    Returns
    -------
    str
        'The table below holds 89 published estimates from 37 works between 1991 and 2024. Of
        these, 85 were read in the meta-analysis itself (40 in its abstract only, 45 in its full
        text or a table) and 4 only in a later work that quotes them.', nouns and verbs agreeing
        with their counts; 'The table below holds no published estimate.' for none.
    """
    from .sentences import counted, were

    if not counts["rows"]:
        return "The table below holds no published estimate."
    first, last = counts["first_year"], counts["last_year"]
    span = "" if not first else f" of {first}" if first == last else f" between {first} and {last}"
    holds = (f"The table below holds {counted(counts['rows'], 'published estimate')} from "
             f"{counted(counts['works'], 'work')}{span}.")
    if counts["rows"] == 1:
        if not counts["primary"]:
            return holds + " It was read only in a later work that quotes it."
        where = " in its abstract" if counts["abstract"] else " in its full text or a table" if counts["beyond"] else ""
        return holds + f" It was read in the meta-analysis itself{where}."
    primary, quoted = counts["primary"], counts["secondary"]
    return (holds + f" Of these, {were(primary)} read in the meta-analysis itself "
            f"({counts['abstract']} in its abstract only, {counts['beyond']} in its full text or a table) and "
            f"{quoted} only in a later work that quotes {'it' if quoted == 1 else 'them'}.")


def codes_words(counts: dict) -> str:
    """'89 pooled estimates from 37 published meta-analyses' (the cover page's phrase), nouns
    agreeing with their counts."""
    from .sentences import counted

    return (f"{counted(counts['rows'], 'pooled estimate')} from "
            f"{counted(counts['works'], 'published meta-analysis', 'published meta-analyses')}")


def quoted_summary(frame) -> str:
    """How many published figures survive only as quoted by later works, or that every figure
    was read in its own meta-analysis."""
    from ..engine.wording import number_word

    q = int(_quoted(frame).sum())
    if q == 0:
        return "Every published figure was read in its own meta-analysis."
    return (f"{number_word(q).capitalize()} published figure{'s' * (q != 1)} survive{'s' * (q == 1)} only as quoted "
            "by later works; the table says which.")


def unsettled(frame):
    """The printed estimates whose sign could not be established: ``r_printed`` read, ``r`` empty
    (``sign_basis`` says why), in file order."""
    return frame[frame["r_printed"].notna() & frame["r"].isna()]


def flipped(frame):
    """The estimates whose harmonised ``r`` is the printed value with its sign reversed (the
    source's words say the outcome was scored so that higher is worse)."""
    r, printed = frame["r"].astype(float), frame["r_printed"].astype(float)
    return frame[r.notna() & (r == -printed) & (r != 0)]


def sign_counts(frame) -> dict:
    """``unsettled_rows`` and ``flipped_rows`` (ints), ``unsettled`` (their ids joined by '; ',
    sorted, or 'none') and ``flipped_words`` ('no row', 'one row', 'two rows')."""
    from ..engine.wording import number_word

    u, f = unsettled(frame), int(len(flipped(frame)))
    return {"unsettled_rows": int(len(u)), "flipped_rows": f,
            "unsettled": "; ".join(sorted(set(u["synthesis_id"]))) or "none",
            "flipped_words": f"{number_word(f)} row{'s' * (f != 1)}"}


def unsettled_sentence(frame) -> str:
    """Which printed estimates keep an empty harmonised r because the sources read do not say
    how the outcome was scored (plain text), or that every printed estimate has a direction."""
    from ..engine.wording import number_word

    c = sign_counts(frame)
    u = c["unsettled_rows"]
    if u == 0:
        return "Every printed estimate has an established direction, so no printed correlation is left out."
    if u == 1:
        return (f"For one printed estimate ({c['unsettled']}) the sources read do not say how the outcome was "
                "scored, so the direction is not established: its harmonised r stays empty and the row is left out "
                "of every analysis of r until the article can be read.")
    return (f"For {number_word(u)} printed estimates ({c['unsettled']}) the sources read do not say how the outcome "
            "was scored, so the direction is not established: their harmonised r stays empty and these rows are "
            "left out of every analysis of r until the articles can be read.")


def conflicts(frame):
    """The rows whose figure a coded source disputes (``conflict_with`` names the row that gives
    the other figure), in file order."""
    return frame[frame["conflict_with"].notna() & (frame["conflict_with"].astype(str) != "")]


#: Figures compared between a row and the row it conflicts with, with the words a sentence uses.
CONFLICT_FIELDS = {"k_studies": "how many studies it pooled", "k_effects": "how many effect sizes it pooled",
                   "n_participants": "how many participants it pooled", "r": "the pooled correlation",
                   "ci_lb": "the lower limit of its interval", "ci_ub": "the upper limit of its interval"}


def conflict_fields(frame) -> list[str]:
    """The figures (keys of :data:`CONFLICT_FIELDS`, in that order) on which at least one row
    and the row it conflicts with differ, both having printed one."""
    from .sentences import has

    ids = frame.drop_duplicates("synthesis_id").set_index("synthesis_id")

    def differ(a, b):  # a figure one source did not print is not a disagreement
        return has(a) and has(b) and float(a) != float(b)

    out = []
    for field in CONFLICT_FIELDS:
        if field not in frame.columns:
            continue
        for row in conflicts(frame).itertuples(index=False):
            if row.conflict_with in ids.index and differ(getattr(row, field), ids.loc[row.conflict_with, field]):
                out.append(field)
                break
    return out


def conflict_sentence(frame) -> str:
    """How many works the sources disagree about, and on which figures; or that they agree."""
    from ..engine.wording import number_word
    from .sentences import join

    rows = conflicts(frame)
    works = int(rows["study"].nunique())
    if works == 0:
        return "The sources this project read do not disagree about any figure of a coded synthesis."
    fields = [CONFLICT_FIELDS[f] for f in conflict_fields(frame)]
    about = f" ({join(fields)})" if fields else ""
    return (f"For {number_word(works)} work{'s' * (works != 1)} the sources this project read disagree about a "
            f"figure{about}.")


#: Fewest reviews for a population to be named among the literatures a sentence lists.
MIN_WORKS = 3


def _works_by_year(frame, refs) -> list[str]:
    """Review keys, oldest first (ties, and works without a year last, by key)."""
    from .bibliography import publication_year

    keys = list(dict.fromkeys(frame["study"]))
    return sorted(keys, key=lambda k: (publication_year(refs, k) or 10_000, k))


def populations_by_works(frame, min_works: int = MIN_WORKS) -> list[str]:
    """Populations with at least ``min_works`` reviews, the most reviews first (ties by name)."""
    works = frame.groupby("population")["study"].nunique()
    works = works[works >= min_works]
    return sorted(works.index, key=lambda p: (-int(works[p]), p))


def span_clause(frame, refs) -> str:
    """What the coded bibliography spans, as MyST: 'from {cite:t}`a` and {cite:t}`b` to the most
    recent adult, youth and family syntheses' (the two oldest works, then the populations with
    at least :data:`MIN_WORKS` reviews, the most reviews first); 'of which there is none yet'
    for an empty table."""
    from .sentences import join

    keys = _works_by_year(frame, refs)
    if not keys:
        return "of which there is none yet"
    oldest = " and ".join(f"{{cite:t}}`{k}`" for k in keys[:2])
    if len(keys) <= 2:
        return f"from {oldest}"
    pops = populations_by_works(frame)
    return f"from {oldest} to the most recent " + (f"{join(pops)} syntheses" if pops else "syntheses")


def span_sentence(frame, refs) -> str:
    """What the coded bibliography spans, as one MyST sentence (:func:`span_clause`), or that it
    holds no synthesis yet."""
    if not len(frame):
        return "The table holds no published synthesis yet."
    return f"The table spans the published syntheses {span_clause(frame, refs)}."


def band_sentence(frame) -> str:
    """How far apart the published pooled correlations lie: the middle half (quartiles, linear
    interpolation) and the full range of the harmonised r; or why there is no band."""
    import numpy as np

    from ..engine.wording import number_word
    from .sentences import r_text

    r = frame["r"].dropna().astype(float).to_numpy()
    if len(r) == 0:
        return "No published pooled alliance–outcome correlation has a harmonised r yet."
    if len(r) == 1:
        return f"The one published pooled alliance–outcome correlation with a harmonised r is {r_text(r[0])}."
    q1, q3 = np.percentile(r, [25, 75])
    return (f"Half of the {number_word(len(r))} published pooled alliance–outcome correlations lie between "
            f"r = {r_text(q1)} and {r_text(q3)} (all between {r_text(r.min())} and {r_text(r.max())}), but they pool "
            "different things: different populations, raters, outcomes and weighting schemes.")


def dyad_share(frame, dyad: str = "parent-therapist") -> str:
    """How many of the published estimates concern ``dyad``, and how many reviews print them."""
    from ..engine.wording import number_word

    rows = frame[frame["alliance_dyad"] == dyad]
    who = dyad.replace("-therapist", "")
    if rows.empty:
        return (f"None of the {number_word(len(frame))} published estimates isolates the {who}'s alliance with the "
                "therapist.")
    works = int(rows["study"].nunique())
    return (f"{number_word(len(rows)).capitalize()} of the {number_word(len(frame))} published estimates "
            f"isolate{'s' * (len(rows) == 1)} the {who}'s alliance with the therapist, from "
            f"{number_word(works)} review{'s' * (works != 1)}.")


def thin_account(frame, refs) -> str:
    """Which populations the published estimates cover and how thinly: the population with the
    most estimates, then for each other population its estimates, the year of its first review
    and the median number of studies its estimates pool (or that none was printed), against
    those of the largest; plain text."""
    from ..engine.wording import number_word
    from .bibliography import publication_year
    from .sentences import join

    if frame.empty:
        return "The table holds no published estimate yet."
    counts = frame["population"].value_counts()
    order = sorted(counts.index, key=lambda p: (-int(counts[p]), p))

    def profile(pop):
        part = frame[frame["population"] == pop]
        years = [y for y in (publication_year(refs, k) for k in part["study"]) if y is not None]
        k = part["k_studies"].dropna().astype(float)
        if len(k) == 0:
            return (min(years) if years else None), "no printed number of studies"
        pooled = (f"{k.iloc[0]:g} stud{'y' if k.iloc[0] == 1 else 'ies'} pooled" if len(k) == 1
                  else f"a median of {k.median():g} studies pooled")
        return (min(years) if years else None), pooled

    top = order[0]
    text = (f"{top.capitalize()} syntheses give {number_word(int(counts[top]))} of the {number_word(len(frame))} "
            "estimates in the table")
    if len(order) == 1:
        return text + "."
    first, median = profile(top)
    parts = []
    for pop in order[1:]:
        y, m = profile(pop)
        bits = [f"{number_word(int(counts[pop]))} estimate{'s' * (int(counts[pop]) != 1)}"]
        bits.append(f"the first from {y}" if y is not None else "no dated review")
        bits.append(m)
        parts.append(f"{pop} ({', '.join(bits)})")
    own = [b for b in (f"the first from {first}" if first is not None else "", median) if b]
    return (text + (f" ({', '.join(own)})" if own else "") + "; the others are " + join(parts) + ".")


def fewest_population(frame) -> str:
    """Which population has the fewest published estimates with a harmonised r, with how many
    (ties named together), as a clause: 'couple (one estimate)'; or that no estimate has an r."""
    from ..engine.wording import number_word
    from .sentences import join

    counts = frame.loc[frame["r"].notna(), "population"].value_counts()
    if counts.empty:
        return "no population, since no estimate has a harmonised r"
    low = int(counts.min())
    pops = sorted(p for p, n in counts.items() if n == low)
    return f"{join(pops)} ({number_word(low)} estimate{'s' * (low != 1)}{' each' if len(pops) > 1 else ''})"
