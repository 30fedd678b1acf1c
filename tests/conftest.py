"""Shared fixtures: small CSV files and an in-process runner for the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from alliance_meta.evidence.bibliography import Reference

sys.path.insert(0, str(Path(__file__).parent))  # tests/oracle.py

ROOT = Path(__file__).resolve().parents[1]

# Property tests: derandomized by default (``make test``, CI), so that a run is red only for a
# reproducible reason; ``make explore`` (HYPOTHESIS_PROFILE=explore) draws random examples,
# ten times as many as each test asks for, and whatever it finds is pinned with @example.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None, max_examples=50,
                          database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", derandomize=False, print_blob=True, deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
EXPLORE_FACTOR = 10


def pytest_collection_modifyitems(config, items):
    """Mark every property test ``property`` (``make explore`` runs those); under the explore
    profile give each ten times its own max_examples (a test's @settings would otherwise keep
    its count) and random seeds."""
    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if getattr(test, "is_hypothesis_test", False) is not True or own is None:
            continue
        item.add_marker(pytest.mark.property)
        if PROFILE == "explore":
            test._hypothesis_internal_use_settings = settings(
                own, max_examples=own.max_examples * EXPLORE_FACTOR, derandomize=False)


@dataclass
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli():
    """Run ``alliance-meta`` in-process; returns exit code, stdout and stderr."""
    from alliance_meta.cli import main

    def run(*args: str) -> CliRun:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse exits on bad options
                code = exc.code if isinstance(exc.code, int) else 1
        return CliRun(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes) to a CSV file in a temporary folder and return its path."""
    counter = iter(range(10_000))

    def write(content: str | bytes, name: str | None = None) -> Path:
        path = tmp_path / (name or f"input{next(counter)}.csv")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def molloy():
    """Molloy et al. (2014) as Fisher z: (yi, vi, raw frame)."""
    import pandas as pd

    df = pd.read_csv(ROOT / "tests" / "data" / "metafor" / "molloy2014.csv")
    return np.arctanh(df["ri"].to_numpy()), 1.0 / (df["ni"].to_numpy() - 3.0), df


# ----------------------------------------------------------- a miniature valid package

SCHEMA = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))


def _fields(name):
    res = next(r for r in SCHEMA["resources"] if r["name"] == name)
    return [f["name"] for f in res["schema"]["fields"]]


ROW = {"es_id": "smith2010-01", "study": "smith2010", "sample": "smith2010-s1", "r": "0.25", "n": "60",
       "es_method": "reported_r", "reported": "r = .25", "source_locator": "Table 2, row WAI-P",
       "alliance_dyad": "parent-therapist", "alliance_rater": "parent", "alliance_measure": "WAI",
       "alliance_timing": "early", "outcome_rater": "parent", "outcome_domain": "symptoms", "population": "child",
       "referral": "voluntary", "treatment": "parent management training", "design": "naturalistic",
       "country": "US", "source_access": "abstract", "read_at": "https://example.org/smith2010", "notes": "", "via": ""}
SYN = {"synthesis_id": "jones2011-01", "study": "jones2011", "subset": "overall", "population": "youth",
       "estimate_type": "overall", "moderator": "", "level": "", "alliance_dyad": "youth-therapist",
       "alliance_rater": "mixed", "outcome_domain": "mixed", "setting": "psychotherapy",
       "k_studies": "16", "k_effects": "", "n_participants": "1306", "r_printed": "0.22", "r": "0.22",
       "ci_lb": "0.16", "ci_ub": "0.28", "se": "", "se_scale": "", "model": "random", "estimator": "", "sign_basis": "as printed",
       "overlap_group": "youth-individual", "conflict_with": "", "source_locator": "abstract", "read_in": "abstract",
       "read_at": "https://example.org/jones2011", "notes": ""}
GROUP = {"group": "youth-individual", "definition": "Psychotherapy of children and adolescents.", "population": "youth",
         "setting": "psychotherapy"}
LOG = {"search_id": "x-001", "searched_on": "2026-11-22", "source": "pages", "query": "alliance",
       "records_found": "5", "records_screened": "5", "records_assessed": "2", "records_included": "1",
       "excluded_reasons": "no r: 1"}
BIB = """@article{smith2010, author={Smith, A.}, title={T}, journal={J}, year={2010}, doi={10.1/x}}
@article{jones2011, author={Jones, B.}, title={U}, journal={J}, year={2011}, url={https://example.org/u}}
"""


def write_rows(path: Path, fields, rows):
    """Write dicts as a UTF-8 CSV with the given header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")  # the dataset's tables are LF
        w.writeheader()
        for row in rows:
            w.writerow(row)


FOUND = {"ref_id": "ad1999-001", "position": "1", "first_author": "Smith", "authors": "Smith, A.", "year": "1990",
         "title": "A title", "venue": "A journal, 1, 1-2", "kind": "journal_article", "theme": "other",
         "theme_secondary": "", "notes": ""}


ACCOUNT = {"account_id": "acc-01", "study": "smith2010", "authors": "Smith, A.", "year": "2010", "title": "T",
           "setting": "child_welfare", "country": "", "n_parents": "12", "n_professionals": "", "method": "interviews",
           "focus": "parents_experience", "themes": "trust;respect", "read_in": "abstract",
           "read_at": "https://example.org/a", "notes": ""}


BARRIER = {"barrier": "coercive_context", "name": "Mandated contact", "definition": "A court sends the family.",
           "review_evidence": "moderator=referral", "notes": ""}
BARRIER_SOURCE = {"source_id": "bar-01", "barrier": "coercive_context", "study": "smith2010", "year": "2010",
                  "design": "interviews", "sample": "18 parents", "finding": "Worker power shaped the contact.",
                  "numbers_as_printed": "18 parents", "read_in": "abstract", "source_detail": "abstract",
                  "read_at": "https://example.org/b", "notes": ""}
AGENDA = {"item": "mandated_services", "title": "Mandated services", "question": "Does referral matter?",
          "evidence_rule": "moderator=referral&level=mandated", "barrier": "coercive_context",
          "population": "Parents in child protection", "alliance": "Parent-rated, early", "outcome": "Parenting",
          "analysis": "r per referral level", "notes": ""}
MODERATOR_TEST = {"test_id": "jones2011-m01", "study": "jones2011", "analysis": "jones2011-01",
                  "moderator": "referral source", "levels": "voluntary | mandated", "statistic": "",
                  "p_or_statement": "not significant", "result": "not_significant", "finding": "no difference",
                  "source_locator": "p. 5", "read_in": "full_text", "read_at": "https://example.org/u",
                  "quote": "Referral did not moderate the association.", "notes": ""}
FOUNDING_AGENDA = {"agenda_id": "ag-01", "study": "jones2011", "question": "Is the link causal?",
                   "kind": "open_question", "evidence_rule": "estimate_type=adjusted", "locator": "abstract",
                   "read_at": "https://example.org/u", "notes": ""}

DIRECTION = {"row_id": "smith2010-01", "study": "smith2010", "sample": "smith2010-s1", "n": "60",
             "alliance_with": "parent", "professional": "therapist", "setting": "parent_training",
             "programme": "pmto", "child_age": "middle_childhood", "problem": "externalizing",
             "alliance_rater": "parent", "alliance_timing": "early", "alliance_measure": "WAI",
             "outcome_domain": "child_symptoms", "outcome_rater": "parent", "primary_outcome": "yes",
             "direction": "favours", "significance": "significant", "statistic": "r = .25", "r": "0.25",
             "es_method": "reported_r", "quote": "A stronger parent alliance predicted fewer problems (r = .25).",
             "source_locator": "abstract", "read_in": "abstract", "read_at": "https://example.org/smith2010",
             "design": "naturalistic", "country": "US", "notes": ""}


@pytest.fixture
def package(tmp_path):
    """A valid miniature copy of the project (data/ + references.bib)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "datapackage.json", data / "datapackage.json")
    write_rows(data / "effect_sizes.csv", _fields("effect_sizes"),
               [ROW, {**ROW, "es_id": "smith2010-02", "r": "0.1", "reported": "r = .10"}])
    write_rows(data / "syntheses.csv", _fields("syntheses"), [SYN])
    write_rows(data / "overlap_groups.csv", _fields("overlap_groups"), [GROUP])
    write_rows(data / "search_log.csv", _fields("search_log"), [LOG])
    write_rows(data / "synthesis_search_log.csv", _fields("synthesis_search_log"), [{**LOG, "search_id": "y-001"}])
    write_rows(data / "reliability" / "first_pass.csv", _fields("first_pass"), [ROW])
    write_rows(data / "reliability" / "second_pass.csv", _fields("second_pass"), [ROW])
    write_rows(data / "reliability" / "syntheses_second_pass.csv", _fields("syntheses_second_pass"), [SYN])
    write_rows(data / "founding_references.csv", _fields("founding_references"), [FOUND])
    write_rows(data / "reliability" / "founding_references_second_pass.csv",
               _fields("founding_references_second_pass"), [FOUND])
    write_rows(data / "parent_accounts.csv", _fields("parent_accounts"), [ACCOUNT])
    write_rows(data / "barriers.csv", _fields("barriers"), [BARRIER])
    write_rows(data / "barrier_sources.csv", _fields("barrier_sources"), [BARRIER_SOURCE])
    write_rows(data / "agenda.csv", _fields("agenda"), [AGENDA])
    write_rows(data / "founding_agendas.csv", _fields("founding_agendas"), [FOUNDING_AGENDA])
    write_rows(data / "moderator_tests.csv", _fields("moderator_tests"), [MODERATOR_TEST])
    write_rows(data / "parent_directions.csv", _fields("parent_directions"),
               [DIRECTION, {**DIRECTION, "row_id": "smith2010-02", "alliance_with": "youth", "alliance_rater": "youth",
                            "statistic": "", "r": "", "es_method": "", "direction": "not_reported",
                            "significance": "not_significant", "quote": "Youth alliance was not related to outcome."}])
    write_rows(data / "parent_search_log.csv", _fields("parent_search_log"), [{**LOG, "search_id": "A-001"}])
    write_rows(data / "reliability" / "parent_directions_second_pass.csv", _fields("parent_directions_second_pass"),
               [{**DIRECTION, "row_id": "smith2010-S01"}])
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    return data


@pytest.fixture
def refs():
    """Two references, 1991 and 2011, for the syntheses' table and chart."""
    return {
        "old1991": Reference("old1991", "article", {"author": "Old, A. and Older, B.", "year": "1991"}),
        "new2011": Reference("new2011", "article", {"author": "New, C. and Newer, D. and Newest, E.", "year": "2011"}),
    }


@pytest.fixture
def syn():
    """Three published estimates: one with r and CI, one without r, one quoted by a later work."""
    return pd.DataFrame({
        "synthesis_id": ["new2011-01", "old1991-01", "old1991-02"], "study": ["new2011", "old1991", "old1991"],
        "subset": ["overall", "overall", "overall"], "population": ["adult", "adult", "adult"],
        "k_studies": pd.array([190, 24, 26], dtype="Int64"), "n_participants": pd.array([None, None, None], dtype="Int64"),
        "r": [0.275, np.nan, 0.26], "ci_lb": [0.25, np.nan, np.nan], "ci_ub": [0.30, np.nan, np.nan],
        "read_in": ["abstract", "abstract", "quoted_by:new2011"],
    })


@dataclass
class FakeFit:
    """The parts of a PoolResult that :mod:`alliance_meta.evidence.certainty` reads."""

    r: float
    r_ci_lb: float
    r_ci_ub: float
    r_pi_lb: float | None = None
    r_pi_ub: float | None = None
    I2: float | None = None
    tau2: float | None = None


@pytest.fixture
def fake_fit():
    """Build a pooled result from plain numbers (the interval method is the caller's)."""
    return FakeFit


@pytest.fixture
def body_rows():
    """Three published estimates as overview_table gives them: two psychotherapy reviews read
    in an abstract and in full text, and a coaching review read only as quoted by a later work."""
    return pd.DataFrame({
        "synthesis_id": ["a2001-01", "b2002-01", "c2003-01"], "study": ["a2001", "b2002", "c2003"],
        "r": [0.28, 0.20, 0.41], "r_lb": [0.25, 0.14, 0.34], "r_ub": [0.31, 0.26, 0.48],
        "vi": [0.0004, 0.0009, 0.0016], "read_in": ["abstract", "full_text", "quoted_by:a2001"],
        "estimate_type": ["overall", "overall", "overall"], "population": ["adult", "youth", "adult"],
        "setting": ["psychotherapy", "psychotherapy", "coaching"], "k_studies": pd.array([190, 28, 27], dtype="Int64"),
    })


# ----------------------------------------------------------- parent direction-of-effect rows


def direction_frame(specs):
    """A ``parent_directions`` table as :func:`alliance_meta.evidence.directions.load_directions`
    gives it, from one dict per row holding at least ``sample``, ``outcome_domain`` and
    ``direction``; every other column takes the value of :data:`DIRECTION` (``alliance_with``
    parent, rater parent, setting parent_training, n 60, not primary) unless the dict sets it.
    Row ids are numbered within each study."""
    rows, numbers = [], {}
    for spec in specs:
        study = spec["sample"].rsplit("-s", 1)[0]
        numbers[study] = numbers.get(study, 0) + 1
        rows.append({**DIRECTION, "study": study, "row_id": f"{study}-{numbers[study]:02d}", "primary_outcome": "no",
                     "statistic": "", "r": "", "es_method": "", **spec})
    frame = pd.DataFrame(rows, columns=list(DIRECTION)) if rows else pd.DataFrame(columns=list(DIRECTION))
    frame["n"] = pd.to_numeric(frame["n"].replace("", None)).astype("Int64")
    frame["r"] = pd.to_numeric(frame["r"].replace("", None)).astype(float)
    return frame


@pytest.fixture
def directions_none():
    """A direction table with no row."""
    return direction_frame([])


@pytest.fixture
def directions_one():
    """One sample (smith2010-s1, n = 60) with two favourable rows on child symptoms and one
    not_reported row on engagement."""
    return direction_frame([
        {"sample": "smith2010-s1", "outcome_domain": "child_symptoms", "direction": "favours"},
        {"sample": "smith2010-s1", "outcome_domain": "child_symptoms", "direction": "favours"},
        {"sample": "smith2010-s1", "outcome_domain": "engagement", "direction": "not_reported", "quote": ""},
    ])


@pytest.fixture
def directions_several():
    """Five samples in three settings, written so that each branch of the rule is used.

    * a2001-s1 (parent training, n 100, parent-rated): child_symptoms favours, favours,
      against (2 of 3 < 70%: no_clear_direction); engagement favours; the sample: one of its
      two domains favours (50%) -> no_clear_direction;
    * b2002-s1 (home visiting, n empty, therapist-rated): engagement favours; parenting
      not_reported -> sample favours (not_reported set aside);
    * c2003-s1 (family therapy, n 40): child_symptoms against (primary) and favours (not
      primary) -> against; youth rows: child_symptoms favours;
    * c2003-s2 (family therapy, n 35, observer-rated): child_symptoms not_reported only;
    * d2004-s1 (parent training, n 80): satisfaction favours x3, against x1 (75%) -> favours;
      a second report d2005 of the same sample: engagement favours.
    """
    return direction_frame([
        {"sample": "a2001-s1", "n": "100", "outcome_domain": "child_symptoms", "direction": "favours"},
        {"sample": "a2001-s1", "n": "100", "outcome_domain": "child_symptoms", "direction": "favours"},
        {"sample": "a2001-s1", "n": "100", "outcome_domain": "child_symptoms", "direction": "against"},
        {"sample": "a2001-s1", "n": "100", "outcome_domain": "engagement", "direction": "favours"},
        {"sample": "b2002-s1", "n": "", "setting": "home_visiting", "alliance_rater": "therapist",
         "outcome_domain": "engagement", "direction": "favours"},
        {"sample": "b2002-s1", "n": "", "setting": "home_visiting", "alliance_rater": "therapist",
         "outcome_domain": "parenting", "direction": "not_reported"},
        {"sample": "c2003-s1", "n": "40", "setting": "family_therapy", "outcome_domain": "child_symptoms",
         "direction": "against", "primary_outcome": "yes"},
        {"sample": "c2003-s1", "n": "40", "setting": "family_therapy", "outcome_domain": "child_symptoms",
         "direction": "favours"},
        {"sample": "c2003-s1", "n": "40", "setting": "family_therapy", "alliance_with": "youth",
         "alliance_rater": "youth", "outcome_domain": "child_symptoms", "direction": "favours"},
        {"sample": "c2003-s2", "n": "35", "setting": "family_therapy", "alliance_rater": "observer",
         "outcome_domain": "child_symptoms", "direction": "not_reported"},
        *[{"sample": "d2004-s1", "n": "80", "outcome_domain": "satisfaction", "direction": d}
          for d in ("favours", "favours", "favours", "against")],
        {"sample": "d2004-s1", "study": "d2005", "row_id": "d2005-01", "n": "80", "outcome_domain": "engagement",
         "direction": "favours"},
    ])
