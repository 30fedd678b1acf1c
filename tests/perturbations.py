"""Datasets built from the shipped one, for checking that the book holds for any valid data.

Each perturbation takes a copy of the project (``_config.yml``, ``data/``, ``references.bib``,
``book/``) and changes its tables the way a researcher would: removing a review, a population
or a setting, or adding rows that the validator accepts. Rows are selected by coded fields,
never by their id, so that a perturbation stays meaningful when the shipped data change.
:func:`copy_project` makes the copy, :data:`PERTURBATIONS` names every perturbation, and
:func:`execute_chapters` runs every chapter on a copy as the build runs it.

Run ``python tests/perturbations.py NAME [NAME ...]`` to execute the chapters on perturbed
copies and print what failed (``all`` runs every perturbation).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import guide_example

ROOT = Path(__file__).resolve().parents[1]

#: A fictitious review added by perturbations; its key never enters the shipped data.
FICTION_BIB = """
@article{{{key},
  author = {{Zzfiction, Alpha and Beta, Gamma}},
  title = {{A fictitious review added by the perturbation tests}},
  journal = {{Journal of Perturbed Data}},
  year = {{{year}}},
  volume = {{1}},
  pages = {{1--10}},
  doi = {{10.0000/perturbation.{key}}}
}}
"""


def copy_project(dest: Path) -> Path:
    """Copy what a book build reads into ``dest`` and return ``dest``.

    The executed chapters find the data through the nearest folder holding ``_config.yml`` and
    ``data/`` (``project_root``), so a chapter run in ``dest/book`` reads ``dest/data``.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("_config.yml", "_toc.yml", "references.bib", "CITATION.cff"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("data", "book"):
        shutil.copytree(ROOT / name, dest / name, dirs_exist_ok=True)
    return dest


# --------------------------------------------------------------------------- table edits


def read_table(root: Path, name: str) -> tuple[list[str], list[dict]]:
    """The header and rows of ``data/<name>``."""
    text = (root / "data" / name).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def write_table(root: Path, name: str, header: list[str], rows: list[dict]) -> None:
    """Write ``rows`` back to ``data/<name>`` with LF line endings."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (root / "data" / name).write_text(buf.getvalue(), encoding="utf-8")


def drop(root: Path, name: str, keep: Callable[[dict], bool]) -> int:
    """Keep only the rows of ``data/<name>`` for which ``keep`` is true; return how many went."""
    header, rows = read_table(root, name)
    kept = [r for r in rows if keep(r)]
    write_table(root, name, header, kept)
    return len(rows) - len(kept)


def add_bib(root: Path, key: str, year: int) -> None:
    """Append a fictitious BibTeX entry for ``key`` to the copy's bibliography."""
    with (root / "references.bib").open("a", encoding="utf-8") as fh:
        fh.write(FICTION_BIB.format(key=key, year=year))


def _clear_dependants(root: Path) -> None:
    """Remove reliability rows whose coded row is gone (they refer to ids that no longer exist)."""
    ids = {r["es_id"] for r in read_table(root, "effect_sizes.csv")[1]}
    syn = {r["synthesis_id"] for r in read_table(root, "syntheses.csv")[1]}
    for path in sorted((root / "data" / "reliability").glob("*.csv")):
        name = f"reliability/{path.name}"
        header, rows = read_table(root, name)
        if "es_id" in header:
            write_table(root, name, header, [r for r in rows if r["es_id"] in ids])
        elif "synthesis_id" in header:
            write_table(root, name, header, [r for r in rows if r["synthesis_id"] in syn])
    if (root / "data" / "moderator_tests.csv").is_file():  # tests of a removed review go with it
        header, rows = read_table(root, "moderator_tests.csv")
        ref_cols = [c for c in header if c in ("analysis", "synthesis_id")]
        write_table(root, "moderator_tests.csv", header,
                    [r for r in rows if all(not r[c] or r[c] in syn for c in ref_cols)])
    header, rows = read_table(root, "syntheses.csv")
    for r in rows:  # a conflict partner that was removed is no longer a conflict
        if r.get("conflict_with") and r["conflict_with"] not in syn:
            r["conflict_with"] = ""
    write_table(root, "syntheses.csv", header, rows)


def _studies_with(root: Path, test: Callable[[dict], bool]) -> list[str]:
    """Review keys that have at least one syntheses row passing ``test``."""
    return sorted({r["study"] for r in read_table(root, "syntheses.csv")[1] if test(r)})


# --------------------------------------------------------------------------- perturbations


def remove_review_with(test: Callable[[dict], bool]) -> Callable[[Path], None]:
    """Remove every review that has a row passing ``test`` (all its rows)."""
    def apply(root: Path) -> None:
        gone = set(_studies_with(root, test))
        drop(root, "syntheses.csv", lambda r: r["study"] not in gone)
        _clear_dependants(root)
    return apply


def remove_rows(name: str, test: Callable[[dict], bool]) -> Callable[[Path], None]:
    """Remove the rows of ``data/<name>`` passing ``test``."""
    def apply(root: Path) -> None:
        drop(root, name, lambda r: not test(r))
        _clear_dependants(root)
    return apply


def add_parent_primary(root: Path) -> None:
    """Add parent–therapist correlations from two fictitious samples (three rows)."""
    header, rows = read_table(root, "effect_sizes.csv")
    template = dict(rows[0])
    new = []
    for i, (r, n, sample, domain, rater) in enumerate([
            (0.21, 120, "s1", "symptoms", "parent"), (0.05, 64, "s2", "parenting", "therapist"),
            (0.33, 120, "s1", "engagement", "parent")], start=1):
        row = dict(template)
        row.update(es_id=f"zzfiction2031-{i:02d}", study="zzfiction2031", sample=f"zzfiction2031-{sample}",
                   r=f"{r}", n=str(n), es_method="reported_r", reported=f"r = {r:.2f}",
                   alliance_dyad="parent-therapist", alliance_rater=rater, outcome_domain=domain,
                   population="child", referral="voluntary", source_locator="abstract",
                   notes="Fictitious row added by a perturbation test.", via="")
        new.append(row)
    write_table(root, "effect_sizes.csv", header, rows + new)
    add_bib(root, "zzfiction2031", 2031)


def add_second_referral_review(root: Path) -> None:
    """Add a newer review than every other that prints referral levels, mandated included, and an
    overall estimate in a new overlap group, population setting and dyad."""
    header, rows = read_table(root, "syntheses.csv")
    template = next(r for r in rows if r["estimate_type"] == "moderator_level") if any(
        r["estimate_type"] == "moderator_level" for r in rows) else dict(rows[0])
    new = []
    levels = [("help-seeking", 0.31, 0.21, 0.41, 12), ("mandated", 0.09, -0.05, 0.23, 8),
              ("mixed", 0.18, 0.05, 0.31, 6)]
    for i, (level, r, lb, ub, k) in enumerate(levels, start=2):
        row = dict(template)
        row.update(synthesis_id=f"zzfiction2032-{i:02d}", study="zzfiction2032", subset=f"referral: {level}",
                   population="family", estimate_type="moderator_level", moderator="referral", level=level,
                   alliance_dyad="family-therapist", k_studies=str(k), k_effects="", n_participants="",
                   r_printed=f"{r}", r=f"{r}", ci_lb=f"{lb}", ci_ub=f"{ub}", se="", se_scale="",
                   conflict_with="", notes="Fictitious row added by a perturbation test.")
        new.append(row)
    overall = dict(template)
    overall.update(synthesis_id="zzfiction2032-01", study="zzfiction2032", subset="overall",
                   population="family", estimate_type="overall", moderator="", level="",
                   alliance_dyad="family-therapist", k_studies="26", k_effects="", n_participants="",
                   r_printed="0.22", r="0.22", ci_lb="0.15", ci_ub="0.29", se="", se_scale="",
                   conflict_with="", notes="Fictitious row added by a perturbation test.")
    write_table(root, "syntheses.csv", header, rows + [overall] + new)
    add_bib(root, "zzfiction2032", 2032)


def duplicate_rows(root: Path) -> None:
    """Duplicate the first primary row under a new id of the same study (a second outcome)."""
    header, rows = read_table(root, "effect_sizes.csv")
    if rows:
        dup = dict(rows[0])
        ids = {r["es_id"] for r in rows}
        number = 1
        while f"{dup['study']}-{number:02d}" in ids:
            number += 1
        dup["es_id"] = f"{dup['study']}-{number:02d}"
        write_table(root, "effect_sizes.csv", header, rows + [dup])


def keep_direction_samples(count: int | None) -> Callable[[Path], None]:
    """Keep the rows of the first ``count`` samples of ``parent_directions.csv`` (None: none), with
    the second pass of those samples only."""
    def apply(root: Path) -> None:
        if not (root / "data" / "parent_directions.csv").is_file():
            return
        header, rows = read_table(root, "parent_directions.csv")
        samples = list(dict.fromkeys(r["sample"] for r in rows))[: count or 0]
        write_table(root, "parent_directions.csv", header, [r for r in rows if r["sample"] in samples])
        name = "reliability/parent_directions_second_pass.csv"
        if (root / "data" / name).is_file():
            header, rows = read_table(root, name)
            write_table(root, name, header, [r for r in rows if r["sample"] in samples])
    return apply


def add_direction_rows(root: Path) -> None:
    """Add a fictitious child-welfare sample whose parent alliance goes against the outcome, in a
    new domain combination, and a second report of it."""
    if not (root / "data" / "parent_directions.csv").is_file():
        return
    header, rows = read_table(root, "parent_directions.csv")
    template = dict(rows[0])
    new = []
    for i, (domain, direction, sig) in enumerate([("child_symptoms", "against", "significant"),
                                                  ("engagement", "no_clear_direction", "mixed"),
                                                  ("satisfaction", "not_reported", "not_significant")], start=1):
        row = dict(template)
        row.update(row_id=f"zzfiction2033-{i:02d}", study="zzfiction2033", sample="zzfiction2033-s1", n="41",
                   alliance_with="parent", setting="child_welfare", outcome_domain=domain, direction=direction,
                   significance=sig, statistic="", r="", es_method="", primary_outcome="no",
                   quote="Fictitious words added by a perturbation test.", notes="Fictitious row.")
        new.append(row)
    write_table(root, "parent_directions.csv", header, rows + new)
    add_bib(root, "zzfiction2033", 2033)


def combine(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for step in steps:
            step(root)
    return apply


PERTURBATIONS: dict[str, Callable[[Path], None]] = {
    "shipped": lambda root: None,
    "no-parent": combine(
        remove_rows("syntheses.csv", lambda r: r["population"] == "parent"
                    or r["alliance_dyad"] == "parent-therapist"),
        remove_rows("effect_sizes.csv", lambda r: r["alliance_dyad"] == "parent-therapist")),
    "no-referral-review": remove_review_with(lambda r: r["moderator"] == "referral"),
    "no-parent-review": remove_review_with(lambda r: r["population"] == "parent"),
    "no-youth": remove_rows("syntheses.csv", lambda r: r["population"] == "youth"),
    "no-coaching": remove_rows("syntheses.csv", lambda r: r["setting"] in ("coaching", "career_counselling")),
    "no-moderators": remove_rows("syntheses.csv", lambda r: r["estimate_type"] == "moderator_level"),
    "no-adolescent-primary": remove_rows("effect_sizes.csv", lambda r: r["population"] == "adolescent"),
    "few-primary": remove_rows("effect_sizes.csv", lambda r: r["population"] == "adult"),
    "no-parent-review-and-referral": combine(
        remove_review_with(lambda r: r["population"] == "parent"),
        remove_review_with(lambda r: r["moderator"] == "referral")),
    "no-direction-studies": keep_direction_samples(None),
    "one-direction-sample": keep_direction_samples(1),
    "two-primary-samples": remove_rows("effect_sizes.csv", lambda r: r["sample"] not in sorted(
        {x["sample"] for x in read_table(ROOT, "effect_sizes.csv")[1]})[:2]),
    "one-overlap-group": remove_rows("syntheses.csv", lambda r: r["overlap_group"] != "adult-individual"),
    "one-primary-sample": remove_rows("effect_sizes.csv", lambda r: r["sample"] != sorted(
        {x["sample"] for x in read_table(ROOT, "effect_sizes.csv")[1]})[0]),
    # the guide's worked example (book/extending.md) first, as a researcher would add it
    "add": combine(guide_example.apply, add_parent_primary, add_second_referral_review, duplicate_rows,
                   add_direction_rows),
}


# --------------------------------------------------------------------------- execution

EMPTY_TABLE = re.compile(r"<tbody>\s*</tbody>")
#: a count of one before a plural noun ("1 studies"), in prose rendered with its glued values;
#: after the word "one" only nouns that cannot be verbs ("one reports only ..." is a sentence)
_PLURALS = ("studies|samples|reviews|correlations|rows|estimates|effects|clusters|levels|barriers|items|groups|"
            "records|meta-analyses|syntheses|populations|settings|domains|raters|outcomes|parents|families|"
            "sources|coders|fields|papers|countries|comparisons|associations|participants|reports|tests|works|"
            "searches|dyads|fathers|mothers|figures|chapters|exercises")
_VERBS = {"reports", "tests", "works", "records", "searches", "effects", "figures", "groups", "levels", "items"}
ONE_PLURAL = re.compile(r"(?<![\d.,])\b1\s+(?:\*\*)?(" + _PLURALS + r")\b|\b[Oo]ne\s+(?:\*\*)?("
                        + "|".join(w for w in _PLURALS.split("|") if w not in _VERBS) + r")\b")
#: a list that came out empty: "()", ": ." or ", ." (not a decimal: "(main rule: .25)")
EMPTY_LIST = re.compile(r"\(\s*\)|[:,]\s*[.;](?!\d)")
GLUE_ROLE = re.compile(r"\{glue(?::text|:md)?\}`([^`:]+)(?::([^`]*))?`")
BAD_OUTPUT = re.compile(r"(?<![\w.])(nan|NaN|<NA>)(?![\w(])|^None$", re.M)


def chapters(root: Path) -> list[Path]:
    """The executable chapters of the copy (MyST notebooks with a jupytext header)."""
    return [p for p in sorted((root / "book").glob("*.md")) if "jupytext:" in p.read_text(encoding="utf-8")[:200]]


def execute_chapters(root: Path, only: list[str] | None = None, timeout: int = 600) -> dict[str, str]:
    """Execute the chapters of ``root`` as the build does; return ``{chapter: problem}``.

    A problem is a cell error (its last traceback line), a text output holding ``nan``,
    ``<NA>`` or ``None`` where a reader would see it, or a table with no rows.
    """
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    problems = {}
    for path in chapters(root):
        if only and path.stem not in only:
            continue
        nb = jupytext.read(path)
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(root / "book")}}).execute()
        except DeadKernelError as exc:  # a kernel that dies is named, and the other chapters still run
            problems[path.stem] = f"the kernel died: {exc}"[:400]
            continue
        except CellExecutionError as exc:
            text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
            lines = [ln for ln in text.strip().splitlines() if ln.strip()]
            problems[path.stem] = lines[-1][:400] if lines else "cell error"
            continue
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                texts = [out.get("text", "")] + [str(v) for k, v in out.get("data", {}).items()
                                                 if k in ("text/plain", "text/markdown", "text/html")]
                for text in texts:
                    if EMPTY_TABLE.search(text):
                        problems.setdefault(path.stem, "an empty table is shown")
                    hit = BAD_OUTPUT.search(text)
                    if hit:
                        problems.setdefault(path.stem, f"output shows {hit.group(0)!r}: "
                                            f"{text[max(0, hit.start() - 80):hit.end() + 40]!r}")
        for pattern, what in ((ONE_PLURAL, "a count of one before a plural"), (EMPTY_LIST, "an empty list"),
                              (BAD_OUTPUT, "a missing value")):
            for text in rendered_prose(nb):
                hit = pattern.search(text)
                if hit:
                    problems.setdefault(path.stem, f"prose shows {what}: "
                                        f"{text[max(0, hit.start() - 100):hit.end() + 40]!r}")
    return problems


def glued_values(nb) -> dict[str, str]:
    """The text each ``glue`` of an executed notebook puts in the prose (``{glue:text}``)."""
    import ast

    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            book = out.get("metadata", {}).get("scrapbook", {})
            name, prefix = book.get("name"), book.get("mime_prefix", "")
            plain = out.get("data", {}).get(prefix + "text/plain")
            if name and plain is not None:
                try:
                    value = ast.literal_eval(plain)
                except (ValueError, SyntaxError):
                    value = plain
                values[name] = value
    return values


CODE_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\{code(?:-block|-cell)?\}|[\w+-]*)\s*(\S.*)?$")
ANY_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")


def _without_code(source: str) -> str:
    """Markdown with its code blocks removed and the fences and options of its directives
    (exercises, solutions, figures) dropped, their prose kept."""
    lines, out, closing = source.split("\n"), [], None
    for line in lines:
        if closing:
            if line.strip() == closing:
                closing = None
            continue
        code = CODE_FENCE.match(line)
        if code and (code.group(2).startswith("{code") or (code.group(2) and not code.group(2).startswith("{"))):
            closing = code.group(1)
            continue
        if ANY_FENCE.match(line) or re.match(r"^\s*:[\w-]+:", line):
            continue
        out.append(line)
    return "\n".join(out)


def rendered_prose(nb) -> list[str]:
    """The markdown cells of an executed notebook with every glued value in place (formatted as
    its role asks), one string per paragraph, with code and math left out."""
    values = glued_values(nb)

    def fill(m: re.Match) -> str:
        value = values.get(m.group(1), "")
        if m.group(2):
            try:
                return format(value, m.group(2))
            except (TypeError, ValueError):
                return str(value)
        return str(value)

    out = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"\$\$.*?\$\$", "", _without_code(cell.source), flags=re.S)
        text = GLUE_ROLE.sub(fill, text)
        text = re.sub(r"\{[\w:-]+\}`[^`]*`", "REF", text)     # citations and cross-references
        text = re.sub(r"`[^`]*`", "CODE", text)                # inline code: `influence()`
        out += [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return out


def main(argv: list[str]) -> int:
    import tempfile

    names, only = list(argv), None
    if "--only" in names:
        at = names.index("--only")
        only, names = names[at + 1].split(","), names[:at] + names[at + 2:]
    if names == ["all"]:
        names = list(PERTURBATIONS)
    failed = 0
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            root = copy_project(Path(tmp) / "project")
            PERTURBATIONS[name](root)
            problems = execute_chapters(root, only)
        for chapter, problem in problems.items():
            print(f"{name}: {chapter}: {problem}")
        print(f"{name}: {'ok' if not problems else f'{len(problems)} chapter(s) with problems'}", flush=True)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
