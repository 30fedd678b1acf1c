"""The book holds for any valid data: perturbed copies of the shipped dataset.

Each perturbation of :mod:`perturbations` (reviews, populations, settings or parent rows
removed; parent rows, a newer review printing referral levels, a new overlap group and
duplicated rows added) must give data the validator accepts; the evidence layer's sentences
must stay true on it (counts in words equal the counts, a named review is in the data, "none"
means zero); and the whole book must build strictly on one copy that adds and one that removes.
"""

from __future__ import annotations

import math
import os
import re
import shutil

import pytest

import perturbations as P
from alliance_meta.engine.wording import number_word
from alliance_meta.evidence import load_references, load_syntheses, overview_table, validate_package
from alliance_meta.evidence.moderators import levels, moderator_account, moderator_summary, reviews
from alliance_meta.evidence.parent_reviews import contrast_account, parent_rows
from alliance_meta.evidence.sentences import join
from alliance_meta.evidence.parent_reviews import reviews_account as parent_account

NAMES = [n for n in P.PERTURBATIONS if n != "shipped"]


@pytest.fixture(scope="module", params=["shipped", *NAMES])
def perturbed(request, tmp_path_factory):
    root = P.copy_project(tmp_path_factory.mktemp(request.param) / "project")
    P.PERTURBATIONS[request.param](root)
    refs = load_references(root)
    ov = overview_table(load_syntheses(root), refs, approximate=False)
    return request.param, root, refs, ov


def test_every_perturbation_is_valid_data(perturbed):
    name, root, _, _ = perturbed
    assert validate_package(root / "data", root / "references.bib") == [], name


def test_perturbations_change_what_they_say():
    """A perturbation that changed nothing would test nothing."""
    tables = ("syntheses.csv", "effect_sizes.csv", "parent_directions.csv")
    shipped = [r for t in tables for r in P.read_table(P.ROOT, t)[1]]
    import tempfile
    from pathlib import Path

    for name in NAMES:
        with tempfile.TemporaryDirectory() as tmp:
            root = P.copy_project(Path(tmp) / "p")
            P.PERTURBATIONS[name](root)
            now = [r for t in tables for r in P.read_table(root, t)[1]]
        assert now != shipped, name


_BAD = re.compile(r"\bnan\b|<NA>|\bNone\b")


def _cited(text: str) -> list[str]:
    return re.findall(r"\{cite:t\}`([^`]+)`", text)


@pytest.mark.parametrize("moderator", ["referral", "problem type"])
def test_moderator_sentences_are_true(perturbed, moderator):
    name, _, refs, ov = perturbed
    text = moderator_account(ov, refs, moderator, moderator)
    assert not _BAD.search(text), (name, text)
    rows = levels(ov, moderator)
    keys = reviews(rows, refs)
    if not keys:
        assert text.startswith("No coded review printed")
        assert moderator_summary(ov, refs, moderator, moderator).startswith("No coded review printed")
        return
    # every review with levels is named once, oldest first, and nothing else is cited
    assert _cited(text) == keys
    years = [refs[k].year for k in keys]
    assert years == sorted(years)
    head = text.split(" coded review")[0]
    assert head == ("One" if len(keys) == 1 else number_word(len(keys)).capitalize())
    # a level called single-study rests on one study, and every such level is called so
    for key in keys:
        own = rows[rows["study"] == key]
        para = next(p for p in text.split("\n\n") if p.startswith(f"{{cite:t}}`{key}`"))
        for level in own["level"]:
            assert f" for {level} (" in para
        single = list(own.loc[own["single"], "level"])
        if single:
            assert f"The {join(single)} level" in para and "single study" in para, (name, para)
        else:
            assert "single study" not in para
        n_comp = int(own["comparable"].sum())
        n_pairs = n_comp * (n_comp - 1) // 2
        if n_pairs == 0:
            assert "no difference between levels is computed" in para
        elif n_pairs == 1:
            assert "The one difference between levels" in para
        else:
            assert f"all {number_word(n_pairs)} differences" in para


def test_parent_review_sentences_are_true(perturbed):
    name, _, refs, ov = perturbed
    text = parent_account(ov, refs)
    assert not _BAD.search(text), (name, text)
    rows = parent_rows(ov)
    if rows.empty:
        assert text.startswith("No coded review printed")
        assert contrast_account(ov).startswith("With no parent estimate")
        return
    keys = list(dict.fromkeys(rows["study"]))
    assert sorted(set(_cited(text))) == sorted(keys)
    n = len(keys)
    assert text.startswith(f"{number_word(n).capitalize()} coded review{'s' * (n != 1)} printed "
                           f"{number_word(len(rows))} estimate")
    years = [int(refs[k].year) for k in dict.fromkeys(_cited(text))]
    assert years == sorted(years, reverse=True)  # the most recent first
    with_var = int(rows["vi"].notna().sum())
    assert contrast_account(ov).startswith("None of these" if with_var == 0 else number_word(with_var).capitalize())


def test_barrier_summaries_count_what_they_say(perturbed):
    name, root, refs, ov = perturbed
    from alliance_meta.evidence import evidence_summary, load_barrier_sources, load_barriers
    from alliance_meta.evidence.barriers import evidence_words

    barriers, sources = load_barriers(root), load_barrier_sources(root)
    summary = evidence_summary(barriers, sources, ov)
    words = evidence_words(barriers, summary)
    for row in summary.itertuples():
        text = words[row.barrier]
        assert not _BAD.search(text), (name, text)
        if row.estimates:
            assert text.startswith(f"The coded reviews hold {number_word(row.estimates)} published estimate")
            assert f"from {number_word(row.reviews)} review" in text


# ---------------------------------------------------------------------------- whole builds

#: One copy that adds rows and one that removes them. They are built one after the other: two
#: builds at once start kernels at once, and a kernel can then die before it answers.
BUILDS = ("add", "no-parent-review-and-referral")


@pytest.fixture(scope="module")
def perturbed_builds(tmp_path_factory):
    """Build the book strictly on each copy of :data:`BUILDS`; yield
    ``{name: (root, exit status, output)}``."""
    import subprocess
    import sys

    script = P.ROOT / "book" / "_ext" / "build_book.py"
    out = {}
    for name in BUILDS:
        root = P.copy_project(tmp_path_factory.mktemp(name) / "project")
        P.PERTURBATIONS[name](root)
        if (P.ROOT / "node_modules").is_dir():  # MathJax is served from the project's node_modules
            os.symlink(P.ROOT / "node_modules", root / "node_modules")
        proc = subprocess.run([sys.executable, str(script), "--root", str(root), "--fresh"],
                              capture_output=True, text=True, timeout=1800)
        out[name] = (root, proc.returncode, proc.stdout + proc.stderr)
    yield out
    for root, _, _ in out.values():
        shutil.rmtree(root / "_build", ignore_errors=True)


def _page_text(path) -> str:
    """A built page's visible text: markup, scripts, styles and code removed, table cells kept
    apart, entities decoded."""
    import html

    text = re.sub(r"<(script|style|pre|code)[^>]*>.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"</t[dh]>", " ¦ ", text)        # a table's cells are not one sentence
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.mark.slow
@pytest.mark.parametrize("name", BUILDS)
def test_the_book_builds_strictly_on_perturbed_data(perturbed_builds, name):
    root, code, text = perturbed_builds[name]
    assert code == 0, text[-3000:]
    for page in ("parent_alliance", "overview", "barriers", "index"):
        path = root / "_build" / "html" / "book" / f"{page}.html"
        html = path.read_text(encoding="utf-8")
        glued = re.findall(r'class="pasted-text">([^<]*)<', html)
        assert glued, f"{page}: no glued value"
        assert not [g for g in glued if re.search(r"\bnan\b|<NA>|^None$", g)], f"{page}: {glued}"
    for path in sorted((root / "_build" / "html" / "book").glob("*.html")):
        hit = P.ONE_PLURAL.search(_page_text(path))
        assert not hit, f"{path.stem}: a count of one before a plural: {hit.group(0)!r}"
    if name == "add":  # the guide's worked example (book/extending.md) is on the pages it extends
        for page in ("syntheses", "dataset"):
            html = (root / "_build" / "html" / "book" / f"{page}.html").read_text(encoding="utf-8")
            assert "Example" in html, f"{page}: the guide's example row is not shown"
