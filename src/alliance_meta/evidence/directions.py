"""The parent's alliance by direction of effect: the table, the vote counts, their reliability,
the flow of studies and the sentences a chapter prints.

``data/parent_directions.csv`` holds one row per study x whose alliance (``alliance_with``)
x outcome domain x reported association, with the direction the source states (see
data/README.md). The counts are those of the engine
(:mod:`alliance_meta.engine.directions`): this module only chooses the units and groups.

The units, in the order the rule is applied:

1. *sample x domain* (for one ``alliance_with``): the rows of a sample in an outcome domain
   are reduced to one direction by :func:`~alliance_meta.engine.directions.prioritise_directions`,
   whose choices are :data:`RULE` (primary outcomes first; ``not_reported`` rows set aside when
   any row has a direction; 70% of the rows with a direction decide it, otherwise
   ``no_clear_direction``; no direction at all is ``not_reported``);
2. *sample* (for the overall count and the count by setting): the sample's domain units are
   reduced by the same rule (each domain one vote, units decided on primary outcomes first),
   so that a sample counts once however many domains it reports;
3. *sample x alliance rater* (for the count by rater): the rows of a sample rated by one rater
   are reduced by steps 1 and 2 within that rater, so a sample counts once per rater.

Every count is the engine's :func:`~alliance_meta.engine.directions.count_directions` (or
:func:`~alliance_meta.engine.directions.count_by`): counts per direction, the proportion
favouring favours / (favours + against) with its Wilson interval and sign test, and the
sensitivity analysis that counts ``not_reported`` as against. Nothing is NaN: what cannot be
computed is ``None`` and the sentences say so in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.directions import (DIRECTIONS, PRIORITISATION_RULE, DirectionsResult, count_by, count_directions,
                                 prioritise_directions)
from ..engine.wording import number_word, p_text

TABLE = "parent_directions"
SECOND_PASS = "parent_directions_second_pass"
SEARCH_LOG = "parent_search_log"

#: The rule that gives one direction per unit, one choice a line (the engine's).
RULE = PRIORITISATION_RULE
#: Outcome domains in the order of tables and figures, with the words a sentence uses.
DOMAINS = {"child_symptoms": "child symptoms", "child_functioning": "child functioning", "parenting": "parenting",
           "family_functioning": "family functioning", "engagement": "engagement and retention",
           "satisfaction": "satisfaction", "other": "other outcomes"}
#: Settings with the words a sentence uses.
SETTINGS = {"outpatient_mh": "outpatient mental health care", "parent_training": "parent training",
            "home_based": "home-based support", "home_visiting": "home visiting", "family_therapy": "family therapy",
            "child_welfare": "child welfare", "school": "schools", "residential": "residential care",
            "inpatient": "inpatient care", "primary_care": "primary care", "early_intervention": "early intervention",
            "other": "other settings"}
#: Alliance raters with the words a sentence uses.
RATERS = {"parent": "rated by the parent", "youth": "rated by the youth", "therapist": "rated by the professional",
          "observer": "rated by an observer", "mixed": "rated by several informants together",
          "unknown": "rater not stated"}
#: Whose alliance, as a sentence names it.
WHOSE = {"parent": "parent", "youth": "youth"}


# --------------------------------------------------------------------------------- loading


def load_directions(root=None):
    """``data/parent_directions.csv`` as a DataFrame (``n`` and ``r`` numeric, empty cells NA)."""
    from .dataset import load_table

    return load_table(TABLE, root)


def load_directions_second_pass(root=None):
    """``data/reliability/parent_directions_second_pass.csv`` as a DataFrame."""
    from .dataset import load_table

    return load_table(SECOND_PASS, root)


def load_parent_search_log(root=None):
    """``data/parent_search_log.csv`` as a DataFrame."""
    from .dataset import load_table

    return load_table(SEARCH_LOG, root)


# --------------------------------------------------------------------------------- units


def _text(value) -> str:
    """A cell as text, a missing cell as ''."""
    if value is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _joined(values) -> str:
    """Distinct non-empty codes, sorted, joined by '+' ('' when none)."""
    return "+".join(sorted({_text(v) for v in values} - {""}))


def _printed_n(values):
    """The largest printed n among ``values``, or None."""
    ns = [int(v) for v in values if _text(v)]
    return max(ns) if ns else None


UNIT_COLUMNS = ["sample", "study", "alliance_with", "outcome_domain", "direction", "branch", "primary_only",
                "n_rows", "n_used", "share", "n", "setting", "alliance_rater", "row_ids"]


def units(rows, alliance_with: str | None = "parent"):
    """One direction per sample x outcome domain (x whose alliance), by the engine's rule.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of ``parent_directions`` (or its second pass).
    alliance_with : str or None
        ``parent`` (default) or ``youth`` keeps those rows; None keeps both, as separate units.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNIT_COLUMNS`, one row per unit in the order of first appearance:
        the direction and the branch of the rule that gave it (:data:`RULE`), whether only
        primary rows were used, the rows of the unit and those weighed, the share of the
        winning direction (None when no row had a direction), the largest n printed for the
        sample (None when none), the sample's setting(s) and the unit's alliance rater(s)
        (codes joined by ``+``), the first study key of the sample and the unit's row ids.
        Units whose every direction is missing are left out (the validator makes
        ``direction`` required, so there are none in the shipped table).
    """
    import pandas as pd

    frame = rows if alliance_with is None else rows[rows["alliance_with"] == alliance_with]
    frame = frame.reset_index(drop=True)
    out = []
    for whose in dict.fromkeys(frame["alliance_with"].map(_text)):
        part = frame[frame["alliance_with"].map(_text) == whose].reset_index(drop=True)
        res = prioritise_directions(part["sample"].map(_text), part["outcome_domain"].map(_text),
                                    part["direction"].map(_text), part["primary_outcome"].map(_text))
        sample_n = {s: _printed_n(g["n"]) for s, g in part.groupby("sample", sort=False)}
        sample_setting = {s: _joined(g["setting"]) for s, g in part.groupby("sample", sort=False)}
        sample_study = {s: _text(g["study"].iloc[0]) for s, g in part.groupby("sample", sort=False)}
        for i in range(len(res)):
            idx = res.rows[i]
            sample = res.samples[i]
            out.append({"sample": sample, "study": sample_study[sample], "alliance_with": whose,
                        "outcome_domain": res.domains[i], "direction": res.directions[i], "branch": res.branches[i],
                        "primary_only": res.primary_only[i], "n_rows": res.n_rows[i], "n_used": res.n_used[i],
                        "share": res.share[i], "n": sample_n[sample], "setting": sample_setting[sample],
                        "alliance_rater": _joined(part.loc[idx, "alliance_rater"]),
                        "row_ids": ";".join(_text(v) for v in part.loc[idx, "row_id"])})
    return _none_for_missing(pd.DataFrame(out, columns=UNIT_COLUMNS), ("share", "n"))


def _none_for_missing(frame, columns):
    """``columns`` as objects holding None (not NaN) where a value is missing, so that no NaN
    reaches a table or a sentence."""
    for col in columns:
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


SAMPLE_COLUMNS = ["sample", "study", "alliance_with", "group", "direction", "branch", "n_units", "domains", "n",
                  "setting"]


def sample_directions(rows, alliance_with: str = "parent", by: str | None = None):
    """One direction per sample (per sample x ``by`` level): the sample's domain units reduced
    by the same rule, each domain one vote, primary units first.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of ``parent_directions``.
    alliance_with : str
        Whose alliance.
    by : str, optional
        A row column (``alliance_rater``) within whose levels the sample is reduced: the
        sample then has one direction per level it has rows in.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SAMPLE_COLUMNS`: ``group`` is the ``by`` level ('' without ``by``),
        ``n_units`` the domain units reduced, ``domains`` their domains joined by ``+``.
    """
    import pandas as pd

    frame = rows[rows["alliance_with"] == alliance_with].reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=SAMPLE_COLUMNS)
    levels = frame[by].map(_text) if by else pd.Series([""] * len(frame))
    out = []
    for level in dict.fromkeys(levels):
        part = frame[levels == level]
        dom = units(part, alliance_with)
        res = prioritise_directions(dom["sample"], ["all"] * len(dom), dom["direction"], dom["primary_only"])
        for i in range(len(res)):
            idx = res.rows[i]
            first = dom.iloc[idx[0]]
            out.append({"sample": res.samples[i], "study": first["study"], "alliance_with": alliance_with,
                        "group": level, "direction": res.directions[i], "branch": res.branches[i],
                        "n_units": len(idx), "domains": "+".join(dom.iloc[idx]["outcome_domain"]),
                        "n": first["n"], "setting": first["setting"]})
    return _none_for_missing(pd.DataFrame(out, columns=SAMPLE_COLUMNS), ("n",))


# --------------------------------------------------------------------------------- counts


def _ordered(results: dict, order) -> dict:
    """``results`` with the levels of ``order`` first (in that order), any others after."""
    head = [k for k in order if k in results]
    return {k: results[k] for k in head + sorted(set(results) - set(head))}


@dataclass
class Synthesis:
    """The vote count of one alliance (the parent's by default).

    Attributes
    ----------
    alliance_with : str
    units : pandas.DataFrame
        Sample x domain units (:func:`units`).
    samples : pandas.DataFrame
        One direction per sample (:func:`sample_directions`).
    overall : DirectionsResult
        Over samples (each sample once).
    by_domain : dict of str to DirectionsResult
        Over the sample x domain units of each domain (domains in :data:`DOMAINS` order).
    by_rater : dict of str to DirectionsResult
        Over the sample x rater directions of each alliance rater.
    by_setting : dict of str to DirectionsResult
        Over samples, grouped by the sample's setting (several settings joined by ``+``).
    reports : int
        Distinct study keys (reports) behind the samples.
    rule : tuple of str
        :data:`RULE`.
    """

    alliance_with: str
    units: object
    samples: object
    overall: DirectionsResult
    by_domain: dict
    by_rater: dict
    by_setting: dict
    reports: int
    rule: tuple = field(default=RULE)

    @property
    def k_samples(self) -> int:
        return int(len(self.samples))

    @property
    def settings(self) -> list[str]:
        """The settings of the samples (codes), in :data:`SETTINGS` order."""
        codes = {c for s in self.samples["setting"] for c in str(s).split("+") if c}
        return [c for c in SETTINGS if c in codes] + sorted(codes - set(SETTINGS))

    @property
    def n_printed(self) -> int:
        """Samples with a printed n."""
        return int(sum(v is not None and _text(v) != "" for v in self.samples["n"]))

    def counts_table(self):
        """Every count as one DataFrame: ``grouping`` (overall, domain, rater, setting),
        ``level``, the counts and the proportion favouring with its interval, sign test and
        sensitivity (None where not estimable)."""
        import pandas as pd

        rows = []
        for grouping, results in (("overall", {"all samples": self.overall}), ("domain", self.by_domain),
                                  ("rater", self.by_rater), ("setting", self.by_setting)):
            for level, res in results.items():
                d = res.to_dict()
                sens = d.pop("sensitivity")
                rows.append({"grouping": grouping, "level": level, **d,
                             **{f"sensitivity_{k}": v for k, v in sens.items()}})
        frame = pd.DataFrame(rows)
        return _none_for_missing(frame, [c for c in frame.columns if c not in ("grouping", "level")])


def synthesise(rows, alliance_with: str = "parent") -> Synthesis:
    """Count the directions of one alliance overall and by domain, rater and setting.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of ``parent_directions``.
    alliance_with : str
        ``parent`` (default) or ``youth``.

    Returns
    -------
    Synthesis
        Empty counts (k = 0, nothing estimable) when the table has no row of that alliance.
    """
    dom = units(rows, alliance_with)
    per_sample = sample_directions(rows, alliance_with)
    per_rater = sample_directions(rows, alliance_with, by="alliance_rater")
    by_domain = _ordered(count_by(list(dom["direction"]), list(dom["outcome_domain"]),
                                  group_column="outcome_domain"), DOMAINS)
    by_rater = _ordered(count_by(list(per_rater["direction"]), list(per_rater["group"]),
                                 group_column="alliance_rater"), RATERS)
    by_setting = _ordered(count_by(list(per_sample["direction"]), list(per_sample["setting"]),
                                   group_column="setting"), SETTINGS)
    overall = count_directions(list(per_sample["direction"]), label=f"{alliance_with}'s alliance, one per sample")
    return Synthesis(alliance_with, dom, per_sample, overall, by_domain, by_rater, by_setting,
                     reports=int(rows.loc[rows["alliance_with"] == alliance_with, "study"].nunique()))


@dataclass
class Comparison:
    """Parent versus youth alliance in the samples that report both.

    Attributes
    ----------
    samples : list of str
        Samples with rows of both alliances.
    pairs : pandas.DataFrame
        One row per sample x domain both alliances report: ``sample``, ``outcome_domain``,
        ``parent``, ``youth`` (directions) and ``same`` (bool).
    parent, youth : DirectionsResult
        One direction per sample (:func:`sample_directions`), over the same samples.
    """

    samples: list
    pairs: object
    parent: DirectionsResult
    youth: DirectionsResult

    @property
    def same(self) -> int:
        """Sample x domain pairs in which both alliances have the same direction."""
        return int(self.pairs["same"].sum()) if len(self.pairs) else 0


def youth_versus_parent(rows) -> Comparison:
    """The youth-versus-parent comparison where a sample reports both alliances.

    Returns
    -------
    Comparison
        With no such sample: no samples, no pairs and two empty counts.
    """
    import pandas as pd

    whose = rows.groupby("sample")["alliance_with"].agg(lambda s: set(s.map(_text)))
    both = [s for s in dict.fromkeys(rows["sample"]) if {"parent", "youth"} <= whose[s]]
    part = rows[rows["sample"].isin(both)]
    parent_u, youth_u = units(part, "parent"), units(part, "youth")
    pairs = parent_u.merge(youth_u, on=["sample", "outcome_domain"], suffixes=("_p", "_y"))
    pairs = pd.DataFrame({"sample": pairs["sample"], "outcome_domain": pairs["outcome_domain"],
                          "parent": pairs["direction_p"], "youth": pairs["direction_y"],
                          "same": pairs["direction_p"] == pairs["direction_y"]})
    return Comparison(both, pairs.reset_index(drop=True),
                      count_directions(list(sample_directions(part, "parent")["direction"]), label="parent"),
                      count_directions(list(sample_directions(part, "youth")["direction"]), label="youth"))


def plot_arguments(synth: Synthesis, group: str = "setting", refs: dict | None = None) -> dict:
    """The arguments of :func:`alliance_meta.figures.effect_direction_plot` for a synthesis.

    Parameters
    ----------
    synth : Synthesis
    group : str
        ``setting`` (default) or ``alliance_rater``: the unit column whose words head the
        plot's groups (a sample under several settings is shown under their joined codes).
    refs : dict, optional
        ``references.bib`` as :func:`alliance_meta.evidence.dataset.load_references` gives it:
        the samples are then labelled by their first report (``Kazdin et al., 2005``).

    Returns
    -------
    dict
        ``samples``, ``domains``, ``directions`` (one per unit), ``n`` (sample -> printed n
        or None), ``groups`` (sample -> group words), ``domain_order`` (:data:`DOMAINS` order,
        only domains with a unit), ``group_order`` and, with ``refs``, ``sample_labels``.
    """
    u = synth.units
    words = SETTINGS if group == "setting" else RATERS
    groups = {s: words.get(g, g) for s, g in zip(u["sample"], u[group])}
    out = {"samples": list(u["sample"]), "domains": list(u["outcome_domain"]), "directions": list(u["direction"]),
           "n": dict(zip(u["sample"], u["n"])), "groups": groups,
           "domain_order": [d for d in DOMAINS if d in set(u["outcome_domain"])],
           "group_order": [words[c] for c in words if words[c] in set(groups.values())]}
    if refs is not None:
        from .bibliography import labels

        firsts = dict(zip(u["sample"], u["study"]))
        keys = list(dict.fromkeys(firsts.values()))
        named = dict(zip(keys, labels(refs, keys)))
        out["sample_labels"] = {s: named[k] for s, k in firsts.items()}
    return out


# --------------------------------------------------------------------------------- reliability


@dataclass
class Agreement:
    """Agreement of the blind second coding with the first.

    Attributes
    ----------
    samples : int
        Samples double-coded (samples of the second pass found in the first coding).
    matched, first_only, second_only : int
        Sample x alliance x domain units coded by both coders, by the first only, by the
        second only (within the double-coded samples).
    table : pandas.DataFrame
        One row per field: ``field``, ``items`` (what was compared), ``agreement`` (share,
        None when no item) and ``kappa`` (Cohen's kappa, None when no item; n has no kappa).
    disagreements : pandas.DataFrame
        The matched units whose direction differs: sample, alliance_with, outcome_domain,
        ``first``, ``second``.
    """

    samples: int
    matched: int
    first_only: int
    second_only: int
    table: object
    disagreements: object


def _share(a, b) -> float | None:
    return float(sum(x == y for x, y in zip(a, b)) / len(a)) if len(a) else None


def agreement(first, second) -> Agreement:
    """Compare the blind second coding with the first, unit by unit.

    Both codings are reduced to sample x alliance x domain units by the same rule
    (:func:`units`), within the samples the second pass coded. Units are matched on sample,
    ``alliance_with`` and ``outcome_domain``; on the matched units the direction and the
    alliance rater (the unit's raters joined) are compared by percent agreement and Cohen's
    kappa (:func:`alliance_meta.evidence.reliability.cohen_kappa`), and n by whether the
    printed n of the units agree (the same set of values, or none on both sides). The
    outcome domain is compared over every domain of :data:`DOMAINS` for each sample x
    alliance either coder coded: whether each coder coded that domain (yes/no), by percent
    agreement and kappa.

    Returns
    -------
    Agreement
        Counts are 0 and shares None when nothing is double-coded.
    """
    import pandas as pd

    from .reliability import cohen_kappa

    coded = set(second["sample"].map(_text)) & set(first["sample"].map(_text))
    one = units(first[first["sample"].isin(coded)], None)
    two = units(second[second["sample"].isin(coded)], None)
    key = ["sample", "alliance_with", "outcome_domain"]
    both = one.merge(two, on=key, suffixes=("_1", "_2"))

    def ns(frame, sample_rows):
        out = {}
        for _, u in frame.iterrows():
            ids = set(u["row_ids"].split(";"))
            vals = sample_rows[sample_rows["row_id"].isin(ids)]["n"]
            out[(u["sample"], u["alliance_with"], u["outcome_domain"])] = frozenset(int(v) for v in vals if _text(v))
        return out

    n1, n2 = ns(one, first), ns(two, second)
    rows = []
    for column in ("direction", "alliance_rater"):
        a, b = list(both[f"{column}_1"]), list(both[f"{column}_2"])
        rows.append({"field": column, "items": len(a), "agreement": _share(a, b),
                     "kappa": cohen_kappa(a, b) if a else None})
    # the domain: coded or not, per sample x alliance x domain of the vocabulary
    pairs = sorted(set(zip(one["sample"], one["alliance_with"])) | set(zip(two["sample"], two["alliance_with"])))
    have1 = set(zip(one["sample"], one["alliance_with"], one["outcome_domain"]))
    have2 = set(zip(two["sample"], two["alliance_with"], two["outcome_domain"]))
    a = [(s, w, d) in have1 for s, w in pairs for d in DOMAINS]
    b = [(s, w, d) in have2 for s, w in pairs for d in DOMAINS]
    rows.append({"field": "outcome_domain", "items": len(a), "agreement": _share(a, b),
                 "kappa": cohen_kappa(a, b) if a else None})
    keys = [tuple(k) for k in both[key].itertuples(index=False)]
    a, b = [n1[k] for k in keys], [n2[k] for k in keys]
    rows.append({"field": "n", "items": len(a), "agreement": _share(a, b), "kappa": None})
    table = pd.DataFrame(rows, columns=["field", "items", "agreement", "kappa"])
    table = table.astype(object).where(table.notna(), None)
    differ = both[both["direction_1"] != both["direction_2"]]
    disagreements = pd.DataFrame({"sample": differ["sample"], "alliance_with": differ["alliance_with"],
                                  "outcome_domain": differ["outcome_domain"], "first": differ["direction_1"],
                                  "second": differ["direction_2"]}).reset_index(drop=True)
    matched = set(keys)
    return Agreement(samples=len(coded), matched=len(both),
                     first_only=len(have1 - matched), second_only=len(have2 - matched),
                     table=table, disagreements=disagreements)


# --------------------------------------------------------------------------------- flow


def flow(search_log, rows):
    """PRISMA 2020 flow counts of this layer (:func:`alliance_meta.evidence.prisma.flow_counts`):
    the searches of ``parent_search_log`` and, as included, the reports (study keys) and
    independent samples of ``parent_directions``."""
    from .prisma import flow_counts

    return flow_counts(search_log, rows, sample="sample", report_label="reports", sample_label="independent samples",
                       included_title="Studies of the parent's alliance included")


# --------------------------------------------------------------------------------- sentences


def plural(k: int, one: str, many: str | None = None, zero: str = "no") -> str:
    """'no samples', 'one sample', 'nine samples', '12 samples'."""
    return f"{number_word(int(k), zero=zero)} {one if k == 1 else (many or one + 's')}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pct(x: float) -> str:
    """A share as a whole percentage, with one decimal where rounding would show 0% or 100% for
    a share that is neither (an upper limit of .996 is 99.6%, not 100%)."""
    text = f"{100 * x:.0f}"
    if (text == "100" and x < 1) or (text == "0" and x > 0):
        text = f"{100 * x:.1f}"
        if text in ("100.0", "0.0"):
            text = ">99.9" if x > 0.5 else "<0.1"
    return f"{text}%"


def _join(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def tally(res: DirectionsResult, unit: str = "sample") -> str:
    """'nine favour, one goes against, two show no clear direction and none reports a direction'
    style: the four counts of ``res`` in words (counts as digits from 10)."""
    parts = [f"{number_word(res.favours, zero='none')} favour{'s' if res.favours == 1 else ''} a stronger alliance",
             f"{number_word(res.against, zero='none')} go{'es' if res.against == 1 else ''} against it",
             f"{number_word(res.unclear, zero='none')} show{'s' if res.unclear == 1 else ''} no clear direction",
             f"{number_word(res.not_reported, zero='none')} report{'s' if res.not_reported == 1 else ''} only "
             "\u201cnot significant\u201d"]
    return _join(parts)


def proportion_text(res: DirectionsResult, unit: str = "sample") -> str:
    """The proportion favouring in words: 'ten of the 12 samples with a direction favour it: 83%
    (95% CI 55% to 95%; sign test p = .039)', 'all eight ...', 'the one sample with a direction
    goes against it: ...', or why there is no proportion."""
    if not res.estimable:
        return f"no {unit} favours or goes against a stronger alliance, so no proportion favouring can be given"
    m = res.main
    tail = f"{_pct(m.proportion)} (95% CI {_pct(m.ci_lb)} to {_pct(m.ci_ub)}; sign test {p_text(m.sign_test_pval)})"
    if m.n == 1:
        return f"the one {unit} with a direction {'favours it' if m.x == 1 else 'goes against it'}: {tail}"
    if m.x == m.n:
        return f"{'both' if m.n == 2 else 'all ' + number_word(m.n)} {unit}s with a direction favour it: {tail}"
    return f"{number_word(m.x, zero='none')} of the {number_word(m.n)} {unit}s with a direction favour it: {tail}"


def sentences(synth: Synthesis, comparison: Comparison | None = None, agree: Agreement | None = None,
              flow_counts=None) -> dict[str, str]:
    """The sentences the chapter prints, each computed from the counts (never typed).

    Returns
    -------
    dict of str to str
        ``samples`` (how many samples, reports and settings), ``overall`` (the counts and the
        proportion favouring, or why there is none), ``sensitivity``, ``by_domain`` (one
        sentence per domain with units), ``by_rater``, ``cannot_say`` (what the count cannot
        say, with the numbers it rests on), ``rule`` (the prioritisation rule in one
        sentence) and, when given, ``youth`` (the comparison), ``agreement`` (second coding)
        and ``flow`` (searches and records). No sentence holds 'nan' or 'None'.
    """
    who = WHOSE.get(synth.alliance_with, synth.alliance_with)
    k, out = synth.k_samples, {}
    settings = [SETTINGS.get(s, s.replace("_", " ")) for s in synth.settings]
    if k == 0:
        out["samples"] = f"The table holds no sample of the {who}'s alliance yet, so nothing can be counted."
    else:
        out["samples"] = (f"The table holds {plural(k, 'independent sample')} of the {who}'s alliance "
                          f"({plural(synth.reports, 'report')}) that state{'s' * (k == 1)} which way its association "
                          "with an outcome went, "
                          f"in {plural(len(settings), 'setting')} ({_join(settings)}); "
                          + (f"its sample size is {'' if synth.n_printed else 'not '}printed." if k == 1 else
                             f"the sample size is printed for {number_word(synth.n_printed, zero='none')} of them."))
    o = synth.overall
    if k == 0:
        out["overall"] = "With no sample, there is no count and no proportion favouring."
    else:
        out["overall"] = (f"Taking one direction per sample, of the {plural(o.k, 'sample')} {tally(o)}; "
                          f"{proportion_text(o)}.")
    s = o.sensitivity
    if o.not_reported == 0:
        out["sensitivity"] = ("No sample reports only \u201cnot significant\u201d, so counting such samples against "
                              "changes nothing.")
    elif s.estimable:
        out["sensitivity"] = (f"Counting the {plural(o.not_reported, 'sample')} that report only \u201cnot "
                              f"significant\u201d as against, {number_word(s.x, zero='none')} of "
                              f"{number_word(s.n)} favour{'s' if s.x == 1 and s.n == 1 else ''}: {_pct(s.proportion)} "
                              f"(95% CI {_pct(s.ci_lb)} to {_pct(s.ci_ub)}; sign test {p_text(s.sign_test_pval)}).")
    else:  # pragma: no cover - n >= not_reported >= 1, so always estimable
        out["sensitivity"] = "The sensitivity count cannot be made."
    domain_parts = []
    for code, res in synth.by_domain.items():
        domain_parts.append(f"for {DOMAINS.get(code, code.replace('_', ' '))}, of {plural(res.k, 'sample')} "
                            f"{tally(res)}; {proportion_text(res)}")
    out["by_domain"] = ((_capital("; ".join(domain_parts)) + ".") if domain_parts
                        else "No outcome domain has a sample yet.")
    rater_parts = [f"{RATERS.get(code, code)}, {proportion_text(res)}" for code, res in synth.by_rater.items()]
    out["by_rater"] = ((_capital("; ".join(rater_parts)) + ".") if rater_parts
                       else "No alliance rating has been counted yet.")
    nr_units = int((synth.units["direction"] == "not_reported").sum()) if len(synth.units) else 0
    nr_rows_set_aside = int(sum(u.n_rows - u.n_used for u in synth.units.itertuples()
                                if u.branch != "not_reported_only")) if len(synth.units) else 0
    if nr_units:
        silent = (f"The sources of {plural(nr_units, 'sample-by-domain result')} reported only \u201cnot "
                  "significant\u201d, without a direction, and these cannot vote")
    else:
        silent = "No sample-by-domain result rests only on \u201cnot significant\u201d without a direction"
    out["cannot_say"] = (
        "A vote count says which way associations went, not how strong they were: it gives no correlation to set "
        "beside a pooled estimate, and a sample with one small favourable result counts as much as one with a large "
        f"result. {silent}; {plural(nr_rows_set_aside, 'further row')} of that kind "
        f"{'was' if nr_rows_set_aside == 1 else 'were'} set aside beside a result with a direction. Because such "
        "findings cannot be counted, and because null findings are less often published, the count leans towards "
        "the significant direction.")
    out["rule"] = ("One direction per sample and domain comes from a written rule applied in code: primary outcomes "
                   "first; results without a direction set aside when any has one; at least 70% of the results with "
                   "a direction decide it, otherwise there is no clear direction.")
    if comparison is not None:
        m = len(comparison.samples)
        if m == 0:
            out["youth"] = "No sample reports both the parent's and the youth's alliance, so they cannot be compared."
        else:
            p_, y_ = comparison.parent, comparison.youth
            pairs, same = len(comparison.pairs), comparison.same
            if pairs == 1:
                agreement = (f"In the one domain both report, the two alliances "
                             f"{'point' if same else 'do not point'} the same way.")
            else:
                agreement = (f"In {number_word(same, zero='none')} of the {plural(pairs, 'domain')} both report, "
                             "the two alliances point the same way.")
            out["youth"] = (f"In {plural(m, 'sample')} both the parent's and the youth's alliance are reported: for "
                            f"the parent's, {proportion_text(p_)}; for the youth's, {proportion_text(y_)}. "
                            + agreement)
    if agree is not None:
        if agree.samples == 0:
            out["agreement"] = "No sample has been coded a second time yet."
        else:
            t = agree.table.set_index("field")

            def part(field, name):
                share, kappa = t.loc[field, "agreement"], t.loc[field, "kappa"]
                if share is None:
                    return f"{name} could not be compared"
                return f"{name} {_pct(share)}" + (f" (\u03ba = {kappa:.2f})" if kappa is not None else "")

            out["agreement"] = (
                f"A second coder, blind to the first, coded {plural(agree.samples, 'sample')} again; of the "
                f"{plural(agree.matched + agree.first_only + agree.second_only, 'sample-by-domain result')} either "
                f"found, both coded {number_word(agree.matched, zero='none')}. Agreement: "
                f"{part('direction', 'direction')}, {part('alliance_rater', 'alliance rater')}, "
                f"{part('outcome_domain', 'outcome domains coded')}, {part('n', 'sample size')}.")
    if flow_counts is not None and flow_counts.searches == 0:
        out["flow"] = "No search has been logged yet."
    elif flow_counts is not None:
        f = flow_counts
        out["flow"] = (f"The {plural(f.searches, 'search', 'searches')} returned "
                       f"{plural(f.identified, 'record')}; {number_word(f.screened, zero='none')} were screened and "
                       f"{number_word(f.assessed, zero='none')} read for eligibility, and "
                       f"{plural(f.reports, 'report')} of {plural(f.samples, 'independent sample')} entered the table.")
    return out


# --------------------------------------------------------------------------------- chapter inputs


def setting_words(code) -> str:
    """A sample's setting code(s) in words; several settings (joined by ``+``) are joined by
    ' + ' ('' for none)."""
    return " + ".join(SETTINGS.get(c, c.replace("_", " ")) for c in _text(code).split("+") if c)


def domain_words(code) -> str:
    """An outcome domain code in the words a sentence or figure uses."""
    return DOMAINS.get(_text(code), _text(code).replace("_", " "))


def plot_inputs(synth: Synthesis, refs: dict | None = None) -> dict:
    """The arguments of :func:`alliance_meta.figures.effect_direction_plot` as the chapter on the
    parent's alliance draws it: domains in words, samples grouped by their settings in words.

    Parameters
    ----------
    synth : Synthesis
    refs : dict, optional
        ``references.bib``: samples are then labelled by their first report.

    Returns
    -------
    dict
        ``samples``, ``domains`` (words), ``directions`` (one per unit), ``n`` (sample -> printed
        n or None), ``groups`` (sample -> :func:`setting_words`), ``domain_order`` (words, in
        :data:`DOMAINS` order, only domains with a unit) and, with ``refs``, ``sample_labels``.
        Empty lists and mappings when there is no unit (the figure then says so).
    """
    u = synth.units
    out = {"samples": list(u["sample"]), "domains": [domain_words(d) for d in u["outcome_domain"]],
           "directions": list(u["direction"]), "n": dict(zip(synth.samples["sample"], synth.samples["n"])),
           "groups": {s: setting_words(g) for s, g in zip(synth.samples["sample"], synth.samples["setting"])},
           "domain_order": [v for k, v in DOMAINS.items() if k in set(u["outcome_domain"])]}
    if refs is not None:
        out["sample_labels"] = plot_arguments(synth, refs=refs)["sample_labels"]
    return out


def harvest_inputs(synth: Synthesis, width: int = 12) -> dict:
    """The counts by domain for :func:`alliance_meta.figures.direction_harvest`, keyed by the
    domain's words wrapped at ``width`` characters (so that neighbouring labels never run into
    each other); empty when no domain has a unit."""
    import textwrap

    return {textwrap.fill(domain_words(k), width): v for k, v in synth.by_domain.items()}


def plot_caption(synth: Synthesis) -> str:
    """The data-dependent part of the effect direction plot's caption: how many samples are its
    rows, or that no sample has been coded."""
    if not len(synth.units):
        return "No sample has been coded yet."
    return (f"{synth.k_samples} sample{'s' * (synth.k_samples != 1)} in rows, each named by its first report and "
            "grouped by setting, with the sample size where it was printed (n = ? where it was not); outcome domains "
            "in columns.")


def domain_result(synth: Synthesis, domain: str) -> str:
    """The proportion favouring in one outcome domain (one direction per sample), as a clause:
    '5 of 6 samples with a direction favour it (83%, 95% CI 44% to 97%)', or that no sample
    reports that domain with a direction."""
    u = synth.units
    res = count_directions(list(u.loc[u["outcome_domain"] == domain, "direction"]) if len(u) else [])
    if not res.estimable:
        return f"no sample reports {domain_words(domain)} with a direction"
    d = res.to_dict()
    if res.favours + res.against == 1:
        return (f"the one sample with a direction {'favours it' if res.favours else 'goes against it'} "
                f"({100 * d['proportion']:.0f}%, 95% CI {100 * d['ci_lb']:.0f}% to {100 * d['ci_ub']:.0f}%)")
    return (f"{res.favours} of {res.favours + res.against} samples with a direction favour it "
            f"({100 * d['proportion']:.0f}%, 95% CI {100 * d['ci_lb']:.0f}% to {100 * d['ci_ub']:.0f}%)")


def summary_sentence(synth: Synthesis) -> str:
    """The chapter summary's line on the vote count: how many samples and the proportion
    favouring (:func:`proportion_text`), or that the table holds no sample."""
    if not synth.k_samples:
        return sentences(synth)["samples"]
    if synth.k_samples == 1:
        return (f"One independent sample of the {WHOSE.get(synth.alliance_with, synth.alliance_with)}'s alliance was "
                f"read for the direction of its result; {proportion_text(synth.overall)}.")
    return (f"Of {synth.k_samples} independent samples of the {WHOSE.get(synth.alliance_with, synth.alliance_with)}'s "
            f"alliance read for the direction of their result, {proportion_text(synth.overall)}.")


def samples_with_r(rows, alliance_with: str = "parent") -> int:
    """Samples of ``alliance_with`` with at least one row that prints a correlation (``r``)."""
    part = rows[rows["alliance_with"] == alliance_with]
    return int(part.loc[part["r"].notna(), "sample"].nunique()) if len(part) else 0


def second_hand_samples(rows, alliance_with: str = "parent") -> int:
    """Samples of ``alliance_with`` whose every row was read only in an abstract or a summary
    (``read_in``), so that their direction is known second-hand."""
    part = rows[rows["alliance_with"] == alliance_with]
    if not len(part):
        return 0
    return int(part.groupby("sample")["read_in"].agg(lambda v: set(v.map(_text)) <= {"abstract", "summary"}).sum())


def abstract_caveat_words(rows) -> str:
    """How many of the associations were read in an abstract, and what that means for the count.

    Returns
    -------
    str
        'Of the 136 associations, 121 were read in an abstract (the others on thesis pages or in
        secondary summaries): the full texts may qualify ...', the caveat only when at least one
        was read in an abstract; '' for no row.
    """
    if not len(rows):
        return ""
    read_in = rows["read_in"].map(_text)
    n, k = int(len(rows)), int((read_in == "abstract").sum())
    caveat = (": the full texts may qualify what the abstract states, and an abstract is more likely to report a "
              "result that was significant.")
    if not k:
        if n == 1:
            return ("The one association was read on a thesis page or in a secondary summary, which may still "
                    "shorten what the full text reports.")
        return (f"None of the {n} associations was read in an abstract; the thesis pages and secondary summaries "
                "they were read in may still shorten what the full texts report.")
    if n == 1:
        return "The one association was read in an abstract" + caveat
    if k == n:
        return ("Both associations were" if n == 2 else f"All {n} associations were") + " read in an abstract" + caveat
    return f"Of the {n} associations, {k} {'was' if k == 1 else 'were'} read in an abstract" + caveat


__all__ = ["RULE", "DOMAINS", "SETTINGS", "RATERS", "UNIT_COLUMNS", "SAMPLE_COLUMNS", "Synthesis", "Comparison",
           "Agreement", "load_directions", "load_directions_second_pass", "load_parent_search_log", "units",
           "sample_directions", "synthesise", "plot_arguments", "youth_versus_parent", "agreement", "flow", "sentences", "tally",
           "proportion_text", "plural", "abstract_caveat_words", "setting_words", "domain_words", "plot_inputs", "harvest_inputs", "plot_caption",
           "domain_result", "summary_sentence", "samples_with_r", "second_hand_samples"]
