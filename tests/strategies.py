"""Hypothesis strategies that draw valid data for the book: rows of its tables, removals of
rows, and whole perturbed copies of the shipped dataset.

Every drawn row obeys the schema of ``data/datapackage.json`` (required fields, enums,
ranges, patterns) and the rules the validator adds (:mod:`alliance_meta.evidence.dataset`):
``r`` follows from ``reported`` (or ``statistic``) by the rule ``es_method`` names, a dyad fits
its population, a key's year is its bibliography entry's, ids start with their study key,
reliability rows refer to existing rows, every table keeps LF line endings. New rows belong to
new studies whose keys (``zz...YEAR``) never occur in the shipped data; the strategy writes
their ``@article`` entries too, so that the whole data folder validates.

The numbers here are invented on purpose: they exercise the code, and never enter ``data/``.

- :func:`effect_studies`, :func:`reviews`, :func:`direction_studies`, :func:`overlap_groups`,
  :func:`barrier_rows`, :func:`agenda_rows`, :func:`founding_agenda_rows`: additions (a
  :class:`Addition`, or rows).
- :func:`removals`: a subset of the shipped rows of one table to remove;
  :func:`repair` then removes what referred to them (reliability rows, moderator tests, ...).
- :func:`plans` draws a :class:`Plan` (additions and removals), :func:`datasets` a perturbed
  copy of the project written to a temporary folder (:func:`write_plan`).

Vocabularies come from the schema and the shipped ``overlap_groups.csv`` and ``barriers.csv``;
the conversions are computed here independently of the engine, so that a disagreement with
the validator's is found rather than copied.

Covered: ``effect_sizes.csv`` with ``reliability/first_pass.csv`` and ``second_pass.csv``;
``syntheses.csv`` with ``overlap_groups.csv`` (added, never removed), ``moderator_tests.csv``
and ``reliability/syntheses_second_pass.csv``; ``parent_directions.csv`` with its second pass;
``barriers.csv``, ``barrier_sources.csv``, ``agenda.csv`` and ``founding_agendas.csv``; and
``references.bib``. Not drawn (copied as shipped): the search logs, ``founding_references.csv``
and its second pass, ``parent_accounts.csv``.
"""

from __future__ import annotations

import atexit
import json
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

import perturbations as P

ROOT = P.ROOT
DATA = ROOT / "data"
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
SCHEMAS = {res["name"]: res for res in PACKAGE["resources"]}

#: The tables this module draws for or removes from (resource name -> path under data/).
PATHS = {name: res["path"] for name, res in SCHEMAS.items()}


def _enum(table: str, column: str) -> list[str]:
    fld = next(f for f in SCHEMAS[table]["schema"]["fields"] if f["name"] == column)
    return list(fld.get("constraints", {}).get("enum", []))


def header(table: str) -> list[str]:
    """The columns of ``table`` in the schema's order (the CSV's order)."""
    return [f["name"] for f in SCHEMAS[table]["schema"]["fields"]]


def shipped(table: str) -> list[dict]:
    """The shipped rows of ``table`` (strings)."""
    return P.read_table(ROOT, PATHS[table])[1]


# --------------------------------------------------------------------------- vocabularies

#: The populations a dyad of effect_sizes.csv may have, and the dyads a population of
#: syntheses.csv may have: the validator's own tables (a drawn row must be one it accepts).
from alliance_meta.evidence.dataset import DYAD_POPULATIONS, POPULATION_DYADS  # noqa: E402

SHIPPED_GROUPS = [r["group"] for r in shipped("overlap_groups")]
SHIPPED_BARRIERS = [r["barrier"] for r in shipped("barriers")]
SHIPPED_SYNTHESIS_IDS = [r["synthesis_id"] for r in shipped("syntheses")]
#: Keys of shipped reviews: what a primary row read in a review's table (``via``) or a
#: second-hand reading (``quoted_by:``) can name.
SHIPPED_REVIEWS = sorted({r["study"] for r in shipped("syntheses")})
BAR_IDS_USED = {r["source_id"] for r in shipped("barrier_sources")}

#: Words for free text. Commas, quotes, a semicolon, non-ASCII letters and a line break test
#: the CSV round trip; never 'nan', 'None' or 'NA', which a reader would take for a gap.
WORDS = ["alliance", "parent", "outcome", "therapy", "sample", "care", "Flückiger", "naïve", "co-operation",
         'said "yes"', "a, b", "x; y", "(k = 3)", "50%", "α", "long-term", "week\n3"]
LEVELS = ["help-seeking", "mandated", "mixed", "court-ordered", "voluntary", "self-referred", "Mandated"]
MODERATORS = ["referral", "referral", "problem type", "type of alliance", "age", "rater"]


def text(min_words: int = 1, max_words: int = 4, words=WORDS) -> st.SearchStrategy[str]:
    """Free text from :data:`WORDS` (no line break where a single line is expected)."""
    return st.lists(st.sampled_from(words), min_size=min_words, max_size=max_words).map(" ".join)


LINE_WORDS = [w for w in WORDS if "\n" not in w]


def line(min_words: int = 1, max_words: int = 4) -> st.SearchStrategy[str]:
    return text(min_words, max_words, LINE_WORDS)


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value of ``strategy`` or an empty cell."""
    return st.one_of(st.just(""), strategy)


def optional_enum(table: str, column: str) -> st.SearchStrategy[str]:
    return optional(st.sampled_from(_enum(table, column)))


def url(stem: str) -> str:
    return f"https://example.org/perturbation/{stem}"


# --------------------------------------------------------------------------- keys and bibliography

#: BibTeX entry of a drawn work: a fictitious article with a DOI (the validator asks for a DOI
#: or URL behind every primary study) and the key's year.
BIB = """
@article{{{key},
  author = {{{authors}}},
  title = {{{title}}},
  journal = {{Journal of Drawn Data}},
  year = {{{year}}},
  volume = {{1}},
  pages = {{1--10}},
  doi = {{10.0000/drawn.{key}}}
}}
"""
AUTHORS = ["Zzdrawn, Alpha", "Zzdrawn, Alpha and Beta, Gamma", "Zzdrawn, Alpha and Beta, Gamma and Delta, Eta",
           "Zzother, Omega"]


@dataclass(frozen=True)
class Work:
    """A drawn bibliography entry."""

    key: str
    year: int
    authors: str

    def bib(self) -> str:
        return BIB.format(key=self.key, year=self.year, authors=self.authors,
                          title=f"A drawn work ({self.key})")


@st.composite
def works(draw, *, letters_only: bool = False, taken: set | None = None, last_year: int = 2035) -> Work:
    """A new work: key ``zz<stem><year>[letter]`` (letters only before the year where the
    table's pattern asks for it), not among ``taken``, year 1980 to ``last_year`` and the key's."""
    alphabet = "abcdefghijklmnopqrstuvwxyz" if letters_only else "abcdefghijklmnopqrstuvwxyz0123456789"
    stem = draw(st.text(alphabet, min_size=1, max_size=4).filter(lambda s: s[0].isalpha()))
    year = draw(st.integers(1980, last_year))
    suffix = draw(st.sampled_from(["", "", "a", "b"]))
    key = f"zz{stem}{year}{suffix}"
    if taken is not None:
        from hypothesis import assume

        assume(key not in taken)
        taken.add(key)
    return Work(key, year, draw(st.sampled_from(AUTHORS)))


# --------------------------------------------------------------------------- printed statistics


def _fmt(value: float, decimals: int, lead_zero: bool = True) -> str:
    """A number as printed: ``0.23`` or ``.23``, with a minus where negative."""
    out = f"{value:.{decimals}f}"
    if not lead_zero:
        out = out.replace("0.", ".", 1)
    return out


@st.composite
def printed_statistic(draw, method: str) -> tuple[float, str, int | None]:
    """(|r| the printed statistic gives, the statistic as printed, n it implies or None) for
    ``method``; the conversions are the codebook's (data/README.md, *Reading reported*)."""
    lead = draw(st.booleans())
    if method in ("reported_r", "spearman_rho", "from_beta") or (method == "partial_r" and draw(st.booleans())):
        decimals = draw(st.sampled_from([2, 3]))
        value = draw(st.integers(0, 10 ** decimals - 10 ** (decimals - 2))) / 10 ** decimals
        sign = draw(st.sampled_from(["", "-"]))
        name = {"reported_r": "r", "spearman_rho": draw(st.sampled_from(["rho", "\u03c1"])),
                "from_beta": draw(st.sampled_from(["beta", "\u03b2"])), "partial_r": "partial r"}[method]
        return value, f"{name} = {sign}{_fmt(value, decimals, lead)}", None
    if method in ("from_t", "partial_r"):
        df = draw(st.integers(2, 500))
        t = draw(st.integers(0, 800)) / 100
        form = draw(st.sampled_from(["t({df}) = {t}", "t{df} = {t}", "t = {t}, df = {df}"]))
        return t / math.sqrt(t * t + df), form.format(df=df, t=_fmt(t, 2)), df + 2
    if method == "from_F":
        df = draw(st.integers(1, 500))
        f = draw(st.integers(0, 5000)) / 100
        return math.sqrt(f / (f + df)), f"F(1, {df}) = {_fmt(f, 2)}", df + 2
    if method == "from_d":
        d = draw(st.integers(0, 300)) / 100
        if draw(st.booleans()):
            n1, n2 = draw(st.integers(2, 300)), draw(st.integers(2, 300))
            a = (n1 + n2) ** 2 / (n1 * n2)
            return d / math.sqrt(d * d + a), f"d = {_fmt(d, 2)}, n1 = {n1}, n2 = {n2}", n1 + n2
        return d / math.sqrt(d * d + 4), f"d = {_fmt(d, 2)}", None
    # from_chi2, from_means: the validator does not recompute these; r is what the coder wrote
    value = draw(st.integers(0, 95)) / 100
    return value, draw(st.sampled_from(["chi2(1) = 4.20", "M = 3.1 vs 2.4, SD = 1.0", "see Table 2"])), None


@st.composite
def coded_r(draw, method: str) -> tuple[str, str, int | None]:
    """(r as coded, the statistic as printed, n it implies): r is the printed statistic's
    correlation, with the coder's sign, rounded to 2 to 4 decimals and never ±1."""
    value, printed, n = draw(printed_statistic(method))
    decimals = draw(st.sampled_from([2, 3, 4]))
    sign = draw(st.sampled_from([1, -1]))
    r = _fmt(sign * value, decimals)  # the ranges above keep |r| below .995: never ±1
    if float(r) == 0:
        r = _fmt(0.0, decimals)  # never '-0.00'
    return r, printed, n


# --------------------------------------------------------------------------- additions


@dataclass
class Addition:
    """Rows to add, by table (resource name), and the works they cite."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    works: list[Work] = field(default_factory=list)

    def add(self, table: str, row: dict) -> None:
        self.rows.setdefault(table, []).append({c: row.get(c, "") for c in header(table)})

    def __add__(self, other: "Addition") -> "Addition":
        out = Addition({k: list(v) for k, v in self.rows.items()}, list(self.works))
        for table, rows in other.rows.items():
            out.rows.setdefault(table, []).extend(rows)
        out.works += other.works
        return out


@st.composite
def effect_rows(draw, work: Work, number: int, sample: str, country: str) -> dict:
    """One row of ``effect_sizes.csv`` of ``work`` (id ``<key>-NN``) in ``sample``."""
    method = draw(st.sampled_from(_enum("effect_sizes", "es_method")))
    r, reported, n_implied = draw(coded_r(method))
    dyad = draw(st.sampled_from(_enum("effect_sizes", "alliance_dyad")))
    population = draw(st.sampled_from(DYAD_POPULATIONS.get(dyad, tuple(_enum("effect_sizes", "population")))))
    access = draw(st.sampled_from(_enum("effect_sizes", "source_access")))
    return {
        "es_id": f"{work.key}-{number:02d}", "study": work.key, "sample": sample, "r": r,
        "n": str(n_implied if n_implied and n_implied >= 4 and draw(st.booleans()) else draw(st.integers(4, 2000))),
        "es_method": method, "reported": reported, "source_locator": draw(line()),
        "alliance_dyad": dyad, "alliance_rater": draw(optional_enum("effect_sizes", "alliance_rater")),
        "alliance_measure": draw(optional_enum("effect_sizes", "alliance_measure")),
        "alliance_timing": draw(optional_enum("effect_sizes", "alliance_timing")),
        "outcome_rater": draw(optional_enum("effect_sizes", "outcome_rater")),
        "outcome_domain": draw(st.sampled_from(_enum("effect_sizes", "outcome_domain"))),
        "population": population, "referral": draw(st.sampled_from(_enum("effect_sizes", "referral"))),
        "treatment": draw(line()), "design": draw(st.sampled_from(_enum("effect_sizes", "design"))),
        "country": country, "source_access": access, "read_at": url(work.key),
        "notes": draw(optional(text())),
        "via": draw(st.sampled_from(SHIPPED_REVIEWS)) if access == "secondary_table" else "",
    }


RELIABILITY_DYADS = set(_enum("first_pass", "alliance_dyad"))


@st.composite
def effect_studies(draw, taken: set) -> Addition:
    """A new primary study: one to three samples, one to four rows of ``effect_sizes.csv``,
    and for some rows a first and a second coding in ``reliability/`` (the second coder's r
    may differ, and the second coder may find a row of their own, numbered from 51)."""
    work = draw(works(taken=taken))
    out = Addition(works=[work])
    n_samples = draw(st.integers(1, 3))
    countries = [draw(optional(st.sampled_from(["US", "NL", "DE", "AU", "SE"]))) for _ in range(n_samples)]
    n_rows = draw(st.integers(1, 4))
    for i in range(1, n_rows + 1):
        s = draw(st.integers(1, n_samples)) if i > 1 else 1
        row = draw(effect_rows(work, i, f"{work.key}-s{s}", countries[s - 1]))
        out.add("effect_sizes", row)
        if row["alliance_dyad"] in RELIABILITY_DYADS and draw(st.booleans()):
            out.add("first_pass", row)
            second = dict(row)
            if draw(st.booleans()):
                second["r"] = _fmt(draw(st.integers(-95, 95)) / 100, 2)
                second["outcome_domain"] = draw(st.sampled_from(_enum("second_pass", "outcome_domain")))
            out.add("second_pass", second)
    if draw(st.integers(0, 4)) == 0:  # a row only the second coder found
        row = draw(effect_rows(work, 51, f"{work.key}-s1", countries[0]))
        if row["alliance_dyad"] in RELIABILITY_DYADS:
            out.add("second_pass", row)
    return out


def _rule_values() -> dict[str, list[str]]:
    fields = {f["name"]: f for f in SCHEMAS["syntheses"]["schema"]["fields"]}
    from alliance_meta.evidence.rules import SELECTABLE

    values = {c: list(fields[c].get("constraints", {}).get("enum", [])) for c in SELECTABLE}
    values["moderator"] = [m for m in MODERATORS]
    values["level"] = list(LEVELS)
    return values


RULE_VALUES = _rule_values()


def rules() -> st.SearchStrategy[str]:
    """A rule selecting rows of syntheses.csv (evidence.rules), or an empty rule."""
    condition = st.sampled_from(sorted(RULE_VALUES)).flatmap(
        lambda c: st.sampled_from(RULE_VALUES[c]).map(lambda v: f"{c}={v}"))
    alternative = st.lists(condition, min_size=1, max_size=2).map("&".join)
    return st.one_of(st.just(""), st.lists(alternative, min_size=1, max_size=3).map(";".join))


@st.composite
def synthesis_rows(draw, work: Work, number: int, groups: list[str], ids: list[str]) -> dict:
    """One row of ``syntheses.csv`` of review ``work`` (id ``<key>-NN``); ``groups`` are the
    overlap groups it may belong to, ``ids`` rows it may name as coding the same estimate."""
    sid = f"{work.key}-{number:02d}"
    population = draw(st.sampled_from(_enum("syntheses", "population")))
    kind = draw(st.sampled_from(_enum("syntheses", "estimate_type") + ["overall", "moderator_level"] * 2))
    moderator = level = ""
    if kind == "moderator_level" or draw(st.integers(0, 4)) == 0:
        moderator, level = draw(st.sampled_from(MODERATORS)), draw(st.sampled_from(LEVELS))
    how = draw(st.sampled_from(["as printed", "as printed", "flipped", "not established", "no r"]))
    printed = draw(st.integers(-95, 95)) / 100 if how != "flipped" else draw(
        st.integers(-95, 95).filter(bool)) / 100
    decimals = draw(st.sampled_from([2, 3]))
    r_printed = _fmt(printed, decimals, draw(st.booleans()))
    r = {"as printed": _fmt(printed, decimals), "flipped": _fmt(-printed, decimals)}.get(how, "")
    basis = {"as printed": "as printed" + draw(st.sampled_from(["", ": higher is better"])),
             "flipped": "reversed: the review scored outcomes so that lower is better",
             "not established": "not established: the direction of the scale is not printed",
             "no r": draw(optional(line()))}[how]
    if how == "no r":
        r_printed = ""
    ci_lb = ci_ub = ""
    if r and draw(st.integers(0, 3)):
        value = float(r)
        ci_lb = _fmt(draw(st.integers(-100, math.floor(value * 100))) / 100, 2)
        ci_ub = _fmt(draw(st.integers(math.ceil(value * 100), 100)) / 100, 2)
    se = se_scale = ""
    if draw(st.integers(0, 3)) == 0:
        se, se_scale = _fmt(draw(st.integers(1, 500)) / 1000, 3), draw(st.sampled_from(["z", "r"]))
    k_studies = draw(optional(st.integers(1, 300).map(str)))
    read_in = draw(st.sampled_from(["abstract", "full_text", "table", "quoted_by"]))
    if read_in == "quoted_by":
        read_in = "quoted_by:" + draw(st.sampled_from(SHIPPED_REVIEWS))
    return {
        "synthesis_id": sid, "study": work.key,
        "subset": "overall" if kind == "overall" else draw(line()),
        "population": population, "estimate_type": kind, "moderator": moderator, "level": level,
        "alliance_dyad": draw(st.sampled_from(POPULATION_DYADS[population])),
        "alliance_rater": draw(st.sampled_from(_enum("syntheses", "alliance_rater"))),
        "outcome_domain": draw(st.sampled_from(_enum("syntheses", "outcome_domain"))),
        "setting": draw(st.sampled_from(_enum("syntheses", "setting"))),
        "k_studies": k_studies, "k_effects": draw(optional(st.integers(1, 500).map(str))),
        "n_participants": draw(optional(st.integers(1, 50000).map(str))),
        "r_printed": r_printed, "r": r, "ci_lb": ci_lb, "ci_ub": ci_ub, "se": se, "se_scale": se_scale,
        "model": draw(optional_enum("syntheses", "model")), "estimator": draw(optional(st.sampled_from(["REML", "DL"]))),
        "sign_basis": basis, "overlap_group": draw(st.sampled_from(groups)),
        "conflict_with": draw(optional(st.sampled_from([i for i in ids if i != sid]))) if len(ids) > 1 else "",
        "source_locator": draw(line()), "read_in": read_in, "read_at": url(work.key),
        "notes": draw(optional(text())),
    }


@st.composite
def reviews(draw, taken: set, groups: list[str]) -> Addition:
    """A new review: one to five rows of ``syntheses.csv``, some moderator tests of its
    estimates, and for some rows a second coding (``reliability/syntheses_second_pass.csv``)."""
    work = draw(works(taken=taken))
    out = Addition(works=[work])
    n = draw(st.integers(1, 5))
    own = [f"{work.key}-{i:02d}" for i in range(1, n + 1)]
    ids = own + SHIPPED_SYNTHESIS_IDS[:3]
    for i in range(1, n + 1):
        row = draw(synthesis_rows(work, i, groups, ids))
        out.add("syntheses", row)
        if draw(st.integers(0, 3)) == 0:
            second = {c: (row[c] if c in ("synthesis_id", "study", "source_locator", "read_in", "read_at")
                          or draw(st.booleans()) else "") for c in header("syntheses_second_pass")}
            if bool(second["se"]) != bool(second["se_scale"]):
                second["se"] = second["se_scale"] = ""
            out.add("syntheses_second_pass", second)
    for j in range(1, draw(st.integers(0, 3)) + 1):
        out.add("moderator_tests", {
            "test_id": f"{work.key}-m{j:02d}", "study": work.key, "analysis": draw(st.sampled_from(own)),
            "moderator": draw(st.sampled_from(MODERATORS + ["referral (voluntary vs involuntary)"])),
            "levels": draw(optional(st.lists(st.sampled_from(LEVELS), min_size=2, max_size=3).map(" | ".join))),
            "statistic": draw(optional(st.sampled_from(["Q(1) = 4.10", "Q(2) = 0.80", "z = 2.3"]))),
            "p_or_statement": draw(st.sampled_from(["p = .04", "not significant", "p < .001", "stronger"])),
            "result": draw(st.sampled_from(_enum("moderator_tests", "result"))),
            "finding": draw(optional(line())), "source_locator": draw(line()),
            "read_in": draw(st.sampled_from(_enum("moderator_tests", "read_in"))), "read_at": url(work.key),
            "quote": draw(line()), "notes": draw(optional(line())),
        })
    return out


@st.composite
def overlap_groups(draw, taken: set) -> dict:
    """A new overlap group (``zz-<name>``) with a scope in the codes of syntheses.csv."""
    name = draw(st.text("abcdefghij-", min_size=1, max_size=6).map(lambda s: f"zz-{s}")
                .filter(lambda g: g not in taken))
    taken.add(name)
    codes = lambda col: st.lists(st.sampled_from(_enum("syntheses", col)), min_size=1, max_size=3,  # noqa: E731
                                 unique=True).map(";".join)
    return {"group": name, "definition": draw(line(2, 6)), "population": draw(codes("population")),
            "setting": draw(codes("setting"))}


@st.composite
def direction_rows(draw, work: Work, row_id: str, sample: str, alliance_with: str) -> dict:
    """One row of ``parent_directions.csv`` (or, with an ``-SNN`` id, of its second pass)."""
    direction = draw(st.sampled_from(_enum("parent_directions", "direction")))
    significance = draw(st.sampled_from([s for s in _enum("parent_directions", "significance")
                                         if not (direction == "not_reported" and s == "significant")]))
    r = method = statistic = ""
    if draw(st.integers(0, 2)) == 0:
        method = draw(st.sampled_from(_enum("parent_directions", "es_method")))
        r, statistic, _ = draw(coded_r(method))
        value = float(r)
        # r is signed so that positive favours: not positive when against, not negative when favours
        if (direction == "against" and value > 0) or (direction == "favours" and value < 0):
            r = r.lstrip("-") if value < 0 else "-" + r
    elif draw(st.booleans()):
        statistic = draw(st.sampled_from(["OR = 0.85", "p < .05", "b = 1.2 (SE = 0.4)"]))
    quote = draw(line(2, 6)) if direction != "not_reported" else draw(optional(line()))
    return {
        "row_id": row_id, "study": work.key, "sample": sample,
        "n": draw(optional(st.integers(1, 3000).map(str))), "alliance_with": alliance_with,
        "professional": draw(st.sampled_from(_enum("parent_directions", "professional"))),
        "setting": draw(st.sampled_from(_enum("parent_directions", "setting"))),
        "programme": draw(optional(st.sampled_from(["pmto", "triple p", "usual care"]))),
        **{c: draw(st.sampled_from(_enum("parent_directions", c)))
           for c in ("child_age", "problem", "alliance_rater", "alliance_timing", "outcome_domain", "outcome_rater",
                     "primary_outcome", "design")},
        "alliance_measure": draw(optional(st.sampled_from(["WAI", "TASCP"]))),
        "direction": direction, "significance": significance, "statistic": statistic, "r": r, "es_method": method,
        "quote": quote, "source_locator": draw(line()),
        "read_in": draw(st.sampled_from(_enum("parent_directions", "read_in"))), "read_at": url(work.key),
        "country": draw(optional(st.sampled_from(["US", "NL", "NO"]))), "notes": draw(optional(text())),
    }


@st.composite
def direction_studies(draw, taken: set) -> Addition:
    """A new study of the parent's alliance by direction of effect: one or two samples, each
    with parent rows (and perhaps youth rows beside them), and perhaps a blind second coding."""
    work = draw(works(letters_only=True, taken=taken))
    out = Addition(works=[work])
    number = 0
    for s in range(1, draw(st.integers(1, 2)) + 1):
        sample = f"{work.key}-s{s}"
        whose = ["parent"] + draw(st.lists(st.sampled_from(["parent", "youth"]), max_size=3))
        for who in whose:
            number += 1
            out.add("parent_directions", draw(direction_rows(work, f"{work.key}-{number:02d}", sample, who)))
        for j in range(draw(st.integers(0, 2))):
            sid = f"{work.key}-S{s}{j}"
            out.add("parent_directions_second_pass",
                    draw(direction_rows(work, sid, sample, draw(st.sampled_from(["parent", "youth"])))))
    return out


@st.composite
def barrier_rows(draw, taken: set, works_taken: set) -> Addition:
    """A new barrier (``zz_<name>``) with its rule, and zero to two sources about it."""
    code = draw(st.text("abcdefgh_", min_size=1, max_size=6).map(lambda s: f"zz_{s}").filter(lambda c: c not in taken))
    taken.add(code)
    out = Addition()
    out.add("barriers", {"barrier": code, "name": draw(line()), "definition": draw(line(2, 6)),
                         "review_evidence": draw(rules()), "notes": draw(optional(text()))})
    free = [i for i in range(1, 100) if f"bar-{i:02d}" not in BAR_IDS_USED | taken]
    for _ in range(draw(st.integers(0, 2))):
        number = draw(st.sampled_from(free))
        free.remove(number)
        taken.add(f"bar-{number:02d}")
        work = draw(works(taken=works_taken, last_year=2030))  # barrier_sources.year: at most 2030
        out.works.append(work)
        read_in = draw(st.sampled_from(_enum("barrier_sources", "read_in")))
        seen = read_in != "not_read"
        out.add("barrier_sources", {
            "source_id": f"bar-{number:02d}", "barrier": code, "study": work.key, "year": str(work.year),
            "design": draw(line()) if seen else "", "sample": draw(line()) if seen else "",
            "finding": draw(line(2, 6)) if seen else "", "numbers_as_printed": draw(optional(line())),
            "read_in": read_in, "source_detail": draw(optional(line())), "read_at": url(work.key),
            "notes": draw(optional(text())),
        })
    return out


@st.composite
def agenda_rows(draw, taken: set, barriers: list[str]) -> dict:
    """A new agenda item (``zz_<name>``) with its rule and, perhaps, the barrier it follows from."""
    item = draw(st.text("abcdefgh_", min_size=1, max_size=6).map(lambda s: f"zz_{s}").filter(lambda c: c not in taken))
    taken.add(item)
    return {"item": item, "title": draw(line()), "question": draw(line(2, 6)), "evidence_rule": draw(rules()),
            "barrier": draw(optional(st.sampled_from(barriers))), "population": draw(line()),
            "alliance": draw(line()), "outcome": draw(line()), "analysis": draw(line()),
            "notes": draw(optional(text()))}


def _next_number(ids, key: str) -> int:
    """The next free row number of study ``key`` among ``ids`` (``<key>-NN``)."""
    used = [int(i.rsplit("-", 1)[1]) for i in ids if i.rsplit("-", 1)[0] == key and i.rsplit("-", 1)[1].isdigit()]
    return max(used, default=0) + 1


def _shipped_work(key: str) -> Work:
    """A shipped study as a :class:`Work` (its entry is in references.bib already; never written)."""
    import re

    return Work(key, int(re.search(r"(\d{4})[a-z]?$", key).group(1)), "")


@st.composite
def rows_of_shipped_studies(draw, groups=("effects", "reviews", "directions")) -> Addition:
    """Rows added to shipped studies under new ids: another estimate of a shipped review
    (another moderator level, subgroup or outcome), another correlation of a shipped primary
    study (in one of its samples, with that sample's country, or in a new sample), another
    result of a shipped sample of the direction table (the parent's or, beside it, the youth's)."""
    out = Addition()
    if "reviews" in groups and draw(st.booleans()):
        rows = shipped("syntheses")
        key = draw(st.sampled_from(SHIPPED_REVIEWS))
        number = _next_number([r["synthesis_id"] for r in rows], key)
        if number < 100:
            ids = [r["synthesis_id"] for r in rows if r["study"] == key]
            out.add("syntheses", draw(synthesis_rows(_shipped_work(key), number, SHIPPED_GROUPS, ids)))
    if "effects" in groups and draw(st.booleans()):
        rows = shipped("effect_sizes")
        row = draw(st.sampled_from(rows))
        key = row["study"]
        samples = {r["sample"]: r["country"] for r in rows if r["study"] == key}
        sample = draw(st.sampled_from(sorted(samples) + [f"{key}-s{len(samples) + 1}"]))
        country = samples.get(sample, draw(optional(st.sampled_from(["US", "NL"]))))
        number = _next_number([r["es_id"] for r in rows], key)
        out.add("effect_sizes", draw(effect_rows(_shipped_work(key), number, sample, country)))
    if "directions" in groups and draw(st.booleans()):
        rows = shipped("parent_directions")
        sample = draw(st.sampled_from(DIRECTION_SAMPLES_WITH_PARENT))
        key = next(r["study"] for r in rows if r["sample"] == sample)
        number = _next_number([r["row_id"] for r in rows], key)
        if number < 100:
            out.add("parent_directions", draw(direction_rows(_shipped_work(key), f"{key}-{number:02d}", sample,
                                                             draw(st.sampled_from(["parent", "youth"])))))
    return out


FOUNDING_IDS_USED = {r["agenda_id"] for r in shipped("founding_agendas")}
#: Works whose agendas were read: a new statement may come from one of them (its year in
#: references.bib decides which reviews came after it) or from a drawn work. (A work only
#: known as not read may have no DOI or URL, which a row that was read needs.)
FOUNDING_WORKS = sorted({r["study"] for r in shipped("founding_agendas") if r["kind"] != "not_read"})


@st.composite
def founding_agenda_rows(draw, taken: set, works_taken: set) -> Addition:
    """A statement of an open question in a founding work or a classic synthesis
    (``founding_agendas.csv``, id ``ag-NN``): of a shipped work or of a drawn one, with a rule;
    a ``not_read`` row carries no question and may lack an address."""
    free = [i for i in range(1, 100) if f"ag-{i:02d}" not in FOUNDING_IDS_USED | taken]
    number = draw(st.sampled_from(free))
    taken.add(f"ag-{number:02d}")
    out = Addition()
    if draw(st.booleans()):
        study = draw(st.sampled_from(FOUNDING_WORKS))
    else:
        work = draw(works(taken=works_taken))
        out.works.append(work)
        study = work.key
    kind = draw(st.sampled_from(_enum("founding_agendas", "kind")))
    read = kind != "not_read"
    out.add("founding_agendas", {
        "agenda_id": f"ag-{number:02d}", "study": study,
        "question": draw(line(2, 6)) if kind not in ("not_read", "none_stated") else "",
        "kind": kind, "evidence_rule": draw(rules()) if read else "", "locator": draw(line()),
        "read_at": url(study) if read else draw(optional(st.just(url(study)))), "notes": draw(optional(text())),
    })
    return out


# --------------------------------------------------------------------------- removals

#: The id column of each table rows can be removed from.
ID_COLUMN = {"effect_sizes": "es_id", "syntheses": "synthesis_id", "parent_directions": "row_id",
             "moderator_tests": "test_id", "barriers": "barrier", "barrier_sources": "source_id",
             "agenda": "item", "founding_agendas": "agenda_id", "first_pass": "es_id", "second_pass": "es_id",
             "syntheses_second_pass": "synthesis_id", "parent_directions_second_pass": "row_id"}


def removals(table: str, max_size: int | None = None) -> st.SearchStrategy[frozenset]:
    """The ids of a subset of the shipped rows of ``table`` to remove: none, some (at most
    ``max_size``) or all of them. :func:`repair` removes what refers to them."""
    ids = [r[ID_COLUMN[table]] for r in shipped(table)]
    if not ids:
        return st.just(frozenset())
    some = st.frozensets(st.sampled_from(ids), max_size=max_size or len(ids))
    return st.one_of(some, st.just(frozenset(ids)))


def _owner(sample: str) -> str:
    return sample.rsplit("-s", 1)[0] if sample else ""


def repair(tables: dict[str, list[dict]]) -> None:
    """Remove, in place, what no longer refers to an existing row, until nothing changes:
    a sample whose study is gone, reliability rows of removed rows, moderator tests and second
    codings of removed estimates, a conflict with a removed row, sources of a removed barrier,
    youth direction rows without the parent's of their sample."""
    while True:
        before = {k: len(v) for k, v in tables.items()}
        es = tables["effect_sizes"]
        studies = {r["study"] for r in es}
        tables["effect_sizes"] = es = [r for r in es if _owner(r["sample"]) in studies]
        ids, studies = {r["es_id"] for r in es}, {r["study"] for r in es}
        tables["first_pass"] = [r for r in tables["first_pass"] if r["es_id"] in ids and r["study"] in studies]
        tables["second_pass"] = [r for r in tables["second_pass"] if r["study"] in studies and (
            r["es_id"] in ids or int(r["es_id"].rsplit("-", 1)[1]) >= 51)]
        syn = {r["synthesis_id"] for r in tables["syntheses"]}
        for r in tables["syntheses"]:
            if r["conflict_with"] and r["conflict_with"] not in syn:
                r["conflict_with"] = ""
        tables["moderator_tests"] = [r for r in tables["moderator_tests"] if r["analysis"] in syn]
        tables["syntheses_second_pass"] = [r for r in tables["syntheses_second_pass"] if r["synthesis_id"] in syn]
        pd_rows = tables["parent_directions"]
        coded = {r["study"] for r in pd_rows}
        pd_rows = [r for r in pd_rows if _owner(r["sample"]) in coded]
        parents = {r["sample"] for r in pd_rows if r["alliance_with"] == "parent"}
        tables["parent_directions"] = pd_rows = [r for r in pd_rows
                                                 if r["alliance_with"] != "youth" or r["sample"] in parents]
        samples, coded = {r["sample"] for r in pd_rows}, {r["study"] for r in pd_rows}
        tables["parent_directions_second_pass"] = [r for r in tables["parent_directions_second_pass"]
                                                   if r["sample"] in samples and _owner(r["sample"]) in coded]
        barriers = {r["barrier"] for r in tables["barriers"]}
        tables["barrier_sources"] = [r for r in tables["barrier_sources"] if r["barrier"] in barriers]
        for r in tables["agenda"]:
            if r["barrier"] and r["barrier"] not in barriers:
                r["barrier"] = ""
        if {k: len(v) for k, v in tables.items()} == before:
            return


# --------------------------------------------------------------------------- plans and datasets

@dataclass
class Plan:
    """A perturbation: rows added (an :class:`Addition`) and shipped rows removed (ids by table)."""

    addition: Addition
    removed: dict[str, frozenset]
    #: The known defect a hand-made plan pins (tests run it without their guard against it).
    pin: str = ""

    def __repr__(self) -> str:  # what a failing example shows: the drawn rows, compactly
        added = {t: [{k: v for k, v in r.items() if v} for r in rows] for t, rows in self.addition.rows.items()}
        return (f"Plan(added={added!r}, works={[w.key for w in self.addition.works]!r}, "
                f"removed={ {t: sorted(v) for t, v in self.removed.items() if v}!r}"
                + (f", pin={self.pin!r})" if self.pin else ")"))


#: The groups of tables a plan may add to: primary correlations (with their reliability
#: rows), reviews (with moderator tests, second codings and a new overlap group), the parent's
#: direction-of-effect studies, barriers and agenda items.
GROUPS = ("effects", "reviews", "directions", "barriers")
#: The tables of each group that a plan may remove rows from.
REMOVABLE_BY_GROUP = {
    "effects": ("effect_sizes", "second_pass"),
    "reviews": ("syntheses", "moderator_tests", "syntheses_second_pass"),
    "directions": ("parent_directions", "parent_directions_second_pass"),
    "barriers": ("barriers", "barrier_sources", "agenda", "founding_agendas"),
}
DIRECTION_SAMPLES = list(dict.fromkeys(r["sample"] for r in shipped("parent_directions")))
#: Samples with a row of the parent's alliance (beside which a youth row may stand), whose
#: study is the sample's own (a later report reuses the first report's sample id).
DIRECTION_SAMPLES_WITH_PARENT = sorted({r["sample"] for r in shipped("parent_directions")
                                        if r["alliance_with"] == "parent" and r["sample"].startswith(r["study"] + "-")})


@st.composite
def plans(draw, add: bool = True, remove: bool = True, groups=GROUPS, direction_samples: int | None = None) -> Plan:
    """A :class:`Plan`: additions to the tables of ``groups`` and removals from them (either
    may be off). ``direction_samples`` keeps at most that many shipped samples of the
    direction table (drawn), so that the slow direction-of-effect synthesis runs on less."""
    taken_keys = {r["study"] for t in ("effect_sizes", "syntheses", "parent_directions") for r in shipped(t)}
    groups_taken, codes_taken = set(SHIPPED_GROUPS), set(SHIPPED_BARRIERS) | {r["item"] for r in shipped("agenda")}
    addition = Addition()
    if add and "reviews" in groups:
        new_groups = [draw(overlap_groups(groups_taken)) for _ in range(draw(st.integers(0, 1)))]
        for g in new_groups:
            addition.add("overlap_groups", g)
        names = SHIPPED_GROUPS + [g["group"] for g in new_groups]
        for _ in range(draw(st.integers(0, 3))):
            addition += draw(reviews(taken_keys, names))
    if add and "effects" in groups:
        for _ in range(draw(st.integers(0, 2))):
            addition += draw(effect_studies(taken_keys))
    if add and "directions" in groups:
        for _ in range(draw(st.integers(0, 2))):
            addition += draw(direction_studies(taken_keys))
    if add and "barriers" in groups:
        for _ in range(draw(st.integers(0, 1))):
            addition += draw(barrier_rows(codes_taken, taken_keys))
        barriers = SHIPPED_BARRIERS + [r["barrier"] for r in addition.rows.get("barriers", [])]
        for _ in range(draw(st.integers(0, 1))):
            addition.add("agenda", draw(agenda_rows(codes_taken, barriers)))
        for _ in range(draw(st.integers(0, 2))):
            addition += draw(founding_agenda_rows(codes_taken, taken_keys))
    if add:
        addition += draw(rows_of_shipped_studies(groups))
    removed = {}
    if remove:
        tables = [t for g in groups for t in REMOVABLE_BY_GROUP[g]]
        chosen = draw(st.lists(st.sampled_from(tables), max_size=3, unique=True))
        removed = {t: draw(removals(t)) for t in chosen}
    if direction_samples is not None:
        keep = draw(st.lists(st.sampled_from(DIRECTION_SAMPLES), max_size=direction_samples, unique=True))
        gone = frozenset(r["row_id"] for r in shipped("parent_directions") if r["sample"] not in keep)
        removed["parent_directions"] = removed.get("parent_directions", frozenset()) | gone
    return Plan(addition, removed)


def write_plan(plan: Plan, dest: Path) -> Path:
    """Write a copy of the project's data (``_config.yml``, ``data/``, ``references.bib``)
    with ``plan`` applied into ``dest``; return ``dest``. The copy validates when the plan
    was drawn by :func:`plans`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "_config.yml", dest / "_config.yml")
    shutil.copy2(ROOT / "references.bib", dest / "references.bib")
    shutil.copytree(DATA, dest / "data", dirs_exist_ok=True)
    tables = {name: shipped(name) for name in ID_COLUMN}
    for name, rows in plan.addition.rows.items():
        tables.setdefault(name, shipped(name))
        tables[name] = tables[name] + [dict(r) for r in rows]
    for name, ids in plan.removed.items():
        tables[name] = [r for r in tables[name] if r[ID_COLUMN[name]] not in ids]
    repair(tables)
    for name, rows in tables.items():
        P.write_table(dest, PATHS[name], header(name), rows)
    with (dest / "references.bib").open("a", encoding="utf-8", newline="\n") as fh:
        for work in plan.addition.works:
            fh.write(work.bib())
    return dest


_BASE: list[Path] = []


def _scratch() -> Path:
    """A fresh folder under one temporary base, removed when the interpreter exits."""
    if not _BASE:
        _BASE.append(Path(tempfile.mkdtemp(prefix="strategies-")))
        atexit.register(shutil.rmtree, _BASE[0], True)
    return Path(tempfile.mkdtemp(dir=_BASE[0]))


def datasets(add: bool = True, remove: bool = True, groups=GROUPS,
             direction_samples: int | None = None) -> st.SearchStrategy[tuple[Path, Plan]]:
    """A perturbed copy of the project's data (rows added to and/or removed from the tables
    of ``groups`` by a drawn :class:`Plan`, see :func:`plans`), written to a fresh temporary
    folder: ``(root, plan)``, where ``root`` holds ``_config.yml``, ``data/`` and ``references.bib``."""
    return plans(add=add, remove=remove, groups=groups, direction_samples=direction_samples).map(written)


def written(plan: Plan) -> tuple[Path, Plan]:
    """``(root, plan)`` with ``plan`` written to a fresh temporary folder ``root``."""
    return write_plan(plan, _scratch() / "project"), plan
