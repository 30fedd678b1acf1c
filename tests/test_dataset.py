"""The dataset validator: one broken copy of a small valid package per kind of error,
plus the project's own data, which must validate cleanly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from alliance_meta.cli import main
from alliance_meta.evidence.dataset import load_effect_sizes, validate_package
from conftest import BIB, write_rows as _write

ROOT = Path(__file__).resolve().parents[1]
def _break(data: Path, table: str = "effect_sizes.csv", row: int = 1, **changes):
    """Change cells of one row (0-based) of a table of the miniature package."""
    path = data / table
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[row].update(changes)
    _write(path, list(rows[0].keys()), rows)


def test_valid_package_has_no_problems(package):
    assert validate_package(package) == []


@pytest.mark.parametrize("changes,words", [
    ({"r": "1.4"}, "column 'r': 1.4 is above the maximum 1"),
    ({"r": "abc"}, "column 'r': 'abc' is not a number"),
    ({"n": "3"}, "column 'n': 3 is below the minimum 4"),
    ({"n": "12.5"}, "column 'n': '12.5' is not a whole number"),
    ({"es_id": "smith2010-01"}, "column 'es_id': 'smith2010-01' repeats row 1"),
    ({"study": "nobody2001", "es_id": "nobody2001-01", "sample": "nobody2001-s1"},
     "column 'study': 'nobody2001' is not a key in references.bib"),
    ({"alliance_rater": "grandparent"}, "column 'alliance_rater': 'grandparent' is not one of"),
    ({"reported": ""}, "column 'reported': is empty but required"),
    ({"sample": "other1999-s1"}, "column 'sample': sample 'other1999-s1' names no coded study"),
    ({"es_id": "jones2011-01"}, "column 'es_id': 'jones2011-01' does not start with its study key"),
    ({"read_at": "somewhere"}, "column 'read_at': 'somewhere' is not a web address"),
    ({"country": "NL"}, "column 'country': sample 'smith2010-s1' has country 'NL' here but 'US' in row 1"),
    ({"source_access": "secondary_table"}, "column 'via': is required exactly when source_access is"),
    ({"via": "jones2011"}, "column 'via': is required exactly when source_access is"),
    ({"source_access": "secondary_table", "via": "nobody2001"}, "column 'via': 'nobody2001' is not a key"),
    ({"via": "Jones 2011"}, "column 'via': 'Jones 2011' does not match the pattern"),
])
def test_each_kind_of_error_is_located(package, changes, words):
    _break(package, **changes)
    problems = validate_package(package)
    assert any(words in p for p in problems), problems
    assert all("\n" not in p for p in problems)
    assert any("effect_sizes.csv, row 2 (line 3)" in p for p in problems)


def _break_synthesis(data: Path, **changes):
    _break(data, "syntheses.csv", 0, **changes)


@pytest.mark.parametrize("changes,words", [
    ({"estimate_type": "overall estimate"}, "column 'estimate_type': 'overall estimate' is not one of"),
    ({"estimate_type": "moderator_level"}, "column 'moderator': is required for a moderator_level row"),
    ({"r": "-0.22"}, "column 'sign_basis': r is the printed figure with its sign flipped"),
    ({"r": "-0.22", "ci_lb": "-0.28", "ci_ub": "-0.16", "sign_basis": "as printed"},
     "column 'sign_basis': r is the printed figure with its sign flipped"),
    ({"r": "0.25"}, "column 'r': r = 0.25 is neither r_printed (0.22) nor its opposite"),
    ({"r": "", "ci_lb": "", "ci_ub": ""}, "column 'sign_basis': r is empty while r_printed is given"),
    ({"r_printed": ""}, "column 'r_printed': r is given but r_printed is empty"),
    ({"sign_basis": "flipped"}, "column 'sign_basis': r equals r_printed, so sign_basis must start with 'as printed'"),
    ({"ci_lb": "0.23"}, "column 'r': r = 0.22 is outside its interval [0.23, 0.28]"),
    ({"ci_ub": ""}, "column 'ci_ub': a confidence interval needs both limits"),
    ({"se": "0", "se_scale": "z"}, "column 'se': 0 is not above 0"),
    ({"se": "-0.1", "se_scale": "z"}, "column 'se': -0.1 is below the minimum 0"),
    ({"se": "0.05"}, "column 'se_scale': se and se_scale go together"),
    ({"se_scale": "r"}, "column 'se_scale': se and se_scale go together"),
    ({"se": "0.05", "se_scale": "d"}, "column 'se_scale': 'd' is not one of"),
    ({"conflict_with": "jones2011-09"}, "column 'conflict_with': 'jones2011-09' is not a value of syntheses.synthesis_id"),
    ({"conflict_with": "jones2011-01"}, "column 'conflict_with': names the row itself"),
    ({"synthesis_id": "smith2010-01"}, "column 'synthesis_id': 'smith2010-01' does not start with its study key"),
    ({"read_in": "quoted_by:nobody2001"}, "column 'read_in': 'nobody2001' is not a key in references.bib"),
    ({"read_in": "primary"}, "column 'read_in': 'primary' does not match the pattern"),
    ({"overlap_group": ""}, "column 'overlap_group': is empty but required"),
    ({"alliance_dyad": "grandparent-therapist"}, "column 'alliance_dyad': 'grandparent-therapist' is not one of"),
])
def test_each_kind_of_synthesis_error_is_located(package, changes, words):
    _break_synthesis(package, **changes)
    problems = validate_package(package)
    assert any(words in p for p in problems), problems
    assert any("syntheses.csv, row 1 (line 2)" in p for p in problems)


def test_a_flip_with_the_sources_words_is_valid(package):
    _break_synthesis(package, r="-0.22", ci_lb="-0.28", ci_ub="-0.16",
                     sign_basis="'higher scores indicate more symptoms' (Method)")
    assert validate_package(package) == []


def test_an_unestablished_sign_leaves_r_empty(package):
    _break_synthesis(package, r="", ci_lb="", ci_ub="", sign_basis="not established: the abstract does not say")
    assert validate_package(package) == []


def test_value_read_in_a_review_is_valid_when_it_names_the_review(package):
    _break(package, source_access="secondary_table", via="jones2011")
    assert validate_package(package) == []


def test_double_coded_study_must_be_a_coded_study(package):
    path = package / "reliability" / "second_pass.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0].update(study="jones2011", es_id="jones2011-01", sample="jones2011-s1")
    _write(path, list(rows[0].keys()), rows)
    problems = validate_package(package)
    assert any("second_pass.csv, row 1 (line 2), column 'study': 'jones2011' is not a value of "
               "effect_sizes.study (foreign key)" in p for p in problems), problems


def test_study_without_doi_or_url(package):
    (package.parent / "references.bib").write_text(BIB.replace(", doi={10.1/x}", ""), encoding="utf-8")
    assert any("'smith2010' has no DOI or URL" in p for p in validate_package(package))


def test_missing_column_and_file(package):
    path = package / "effect_sizes.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    _write(path, [f for f in rows[0] if f != "notes"], [{k: v for k, v in r.items() if k != "notes"} for r in rows])
    (package / "search_log.csv").unlink()
    problems = validate_package(package)
    assert any("column 'notes': is missing from the header" in p for p in problems)
    assert any("search_log.csv: no such file" in p for p in problems)


def test_incomplete_entry_is_reported(package):
    (package.parent / "references.bib").write_text(BIB.replace("journal={J}, year={2010}", "year={2010}"),
                                                   encoding="utf-8")
    assert any("@article{smith2010} lacks journal" in p for p in validate_package(package))


def test_broken_bibliography_is_reported(package):
    (package.parent / "references.bib").write_text("@article{smith2010, title={x}\n", encoding="utf-8")
    assert any("cannot be parsed" in p for p in validate_package(package))


def test_cli_exit_codes(package, capsys):
    assert main(["validate", str(package)]) == 0
    _break(package, r="2")
    assert main(["validate", str(package)]) == 2
    err = capsys.readouterr().err
    assert "above the maximum" in err and "1 problem found" in err


def test_the_project_dataset_is_valid():
    assert validate_package(ROOT / "data") == []


def test_loader_types_columns():
    es = load_effect_sizes(ROOT)
    assert es["r"].dtype == float and str(es["n"].dtype) == "Int64"
    assert es["r"].between(-1, 1).all() and (es["n"] >= 4).all()


def _descriptor(package):
    import json

    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def _write_descriptor(package, desc):
    import json

    (package / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")


@pytest.mark.parametrize("breakage,words", [
    (lambda d: [d], "must be a JSON object, not a list"),
    (lambda d: {**d, "resources": {}}, "'resources' must be a non-empty list"),
    (lambda d: {**d, "resources": [{k: v for k, v in d["resources"][0].items() if k != "path"}] + d["resources"][1:]},
     "resource 1 (effect_sizes) needs a relative 'path'"),
    (lambda d: {**d, "resources": [{**d["resources"][0], "path": "../../etc/passwd"}] + d["resources"][1:]},
     "needs a relative 'path' inside the data folder"),
    (lambda d: {**d, "resources": [{k: v for k, v in d["resources"][0].items() if k != "schema"}] + d["resources"][1:]},
     "resource 1 (effect_sizes) needs a 'schema'"),
])
def test_a_malformed_descriptor_is_one_line_per_problem(package, breakage, words):
    _write_descriptor(package, breakage(_descriptor(package)))
    problems = validate_package(package)
    assert any(words in p for p in problems), problems
    assert all("datapackage.json" in p and "\n" not in p for p in problems)


@pytest.mark.parametrize("field_change,words", [
    ({"type": "nubmer"}, "unknown type 'nubmer'"),
    ({"name": ""}, "has no name"),
    ({"constraints": {"minimum": "0"}}, "constraint 'minimum' has the wrong kind of value ('0')"),
    ({"constraints": {"enum": [1, 2]}}, "the values of 'enum' must be strings"),
    ({"constraints": {"pattern": "(["}}, "'pattern' is not a valid regular expression"),
    ({"constraints": {"maxLenght": 3}}, "unknown constraint 'maxLenght'"),
])
def test_a_broken_field_never_switches_a_check_off(package, field_change, words):
    desc = _descriptor(package)
    fields = desc["resources"][0]["schema"]["fields"]
    r_field = next(f for f in fields if f["name"] == "r")
    r_field.update(field_change)
    _write_descriptor(package, desc)
    problems = validate_package(package)
    assert any(words in p for p in problems), problems


def test_a_table_that_is_a_folder_or_a_data_dir_that_is_a_file(package, tmp_path):
    (package / "search_log.csv").unlink()
    (package / "search_log.csv").mkdir()
    assert any("search_log.csv: is not a readable file" in p for p in validate_package(package))
    assert validate_package(package / "datapackage.json") == [
        f"{package / 'datapackage.json'}: is not a folder (give the data folder that holds datapackage.json)"]


def test_a_table_linked_to_an_endless_device(package):
    (package / "search_log.csv").unlink()
    (package / "search_log.csv").symlink_to("/dev/zero")
    assert any("search_log.csv: is not a readable file" in p for p in validate_package(package))


def _accounts(package, **change):
    from conftest import ACCOUNT, _fields

    _write(package / "parent_accounts.csv", _fields("parent_accounts"), [{**ACCOUNT, **change}])
    return validate_package(package)


def test_parent_accounts_themes_come_from_the_vocabulary(package):
    assert _accounts(package) == []
    bad = _accounts(package, themes="trust;hope")
    assert len(bad) == 1 and "parent_accounts.csv, row 1" in bad[0] and "column 'themes'" in bad[0]


def test_parent_accounts_study_must_be_in_the_bibliography(package):
    bad = _accounts(package, study="nobody2001")
    assert any("'nobody2001' is not a key in references.bib" in p and "parent_accounts.csv" in p for p in bad)


def _barriers(package, barrier=None, source=None):
    from conftest import BARRIER, BARRIER_SOURCE, _fields

    _write(package / "barriers.csv", _fields("barriers"), [{**BARRIER, **(barrier or {})}])
    _write(package / "barrier_sources.csv", _fields("barrier_sources"), [{**BARRIER_SOURCE, **(source or {})}])
    return validate_package(package)


def test_barriers_select_only_on_coded_columns(package):
    assert _barriers(package) == []
    bad = _barriers(package, barrier={"review_evidence": "moderator=referral;country=US"})
    assert len(bad) == 1 and "barriers.csv, row 1" in bad[0] and "column 'review_evidence'" in bad[0]
    assert "cannot select on 'country=US'" in bad[0]
    bad = _barriers(package, barrier={"review_evidence": "population=parents"})
    assert len(bad) == 1 and "'parents' is not a value of population" in bad[0]


def test_barrier_sources_name_a_known_barrier_and_a_known_work(package):
    bad = _barriers(package, source={"barrier": "weather"})
    assert any("barrier_sources.csv, row 1" in p and "weather" in p for p in bad), bad
    bad = _barriers(package, source={"study": "nobody2001"})
    assert any("'nobody2001' is not a key in references.bib" in p and "barrier_sources.csv" in p for p in bad)


def test_a_work_that_could_not_be_read_needs_no_link(package):
    bib = (package.parent / "references.bib")
    bib.write_text(bib.read_text() + "@article{cited1985, author={Cited, A.}, title={T}, journal={J}, year={1985}}\n")
    assert _barriers(package, source={"study": "cited1985", "read_in": "not_read"}) == []
    bad = _barriers(package, source={"study": "cited1985", "read_in": "abstract"})
    assert any("'cited1985' has no DOI or URL" in p for p in bad), bad


def test_agenda_items_follow_a_known_barrier_and_a_valid_rule(package):
    from conftest import AGENDA, _fields

    def check(**change):
        _write(package / "agenda.csv", _fields("agenda"), [{**AGENDA, **change}])
        return validate_package(package)

    assert check() == [] and check(barrier="", evidence_rule="") == []
    bad = check(barrier="weather")
    assert any("agenda.csv, row 1" in p and "weather" in p for p in bad), bad
    bad = check(evidence_rule="setting=court")
    assert len(bad) == 1 and "column 'evidence_rule'" in bad[0] and "'court' is not a value of setting" in bad[0]
    bad = check(evidence_rule="moderator=referral&")
    assert bad and all("agenda.csv, row 1" in p and "evidence_rule" in p for p in bad), bad


def test_founding_agendas_say_where_they_were_read(package):
    from conftest import FOUNDING_AGENDA, _fields

    def check(**change):
        _write(package / "founding_agendas.csv", _fields("founding_agendas"), [{**FOUNDING_AGENDA, **change}])
        return validate_package(package)

    assert check() == [] and check(kind="not_read", read_at="", question="") == []
    bad = check(read_at="")
    assert len(bad) == 1 and "founding_agendas.csv, row 1" in bad[0] and "column 'read_at'" in bad[0]
    bad = check(kind="wish")
    assert len(bad) == 1 and "column 'kind'" in bad[0]
    bad = check(evidence_rule="population=parents")
    assert len(bad) == 1 and "'parents' is not a value of population" in bad[0]


@pytest.mark.parametrize("table", ["effect_sizes.csv", "syntheses.csv"])
def test_one_unreadable_table_is_one_problem_not_a_cascade(package, table):
    """The tables whose foreign keys point into a broken table are not checked against it."""
    path = package / table
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0]          # the first data row loses its last field
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = validate_package(package)
    assert len(problems) == 1 and "row 1" in problems[0] and "fields where the header has" in problems[0]


def test_validate_refuses_a_table_above_the_size_limit(package, monkeypatch):
    monkeypatch.setenv("ALLIANCE_META_MAX_BYTES", "50")
    problems = validate_package(package)
    assert problems and all("larger than 50 bytes" in p for p in problems)


# ---------------------------------------------------------------- issue 28: what validate let through

@pytest.mark.parametrize("changes,words", [
    ({"n": "1_000"}, "column 'n': '1_000' has '_' in it"),
    ({"n": "\uff16\uff10"}, "column 'n': '６０' has digits other than 0-9"),
    ({"n": "\u0666\u0660"}, "has digits other than 0-9"),
    ({"r": "0_5"}, "column 'r': '0_5' has '_' in it"),
    ({"r": "\uff10.\uff15"}, "has digits other than 0-9"),
    ({"r": "0,5"}, "'0,5' has a decimal comma"),
    ({"r": "inf"}, "'inf' is not a finite number"),
])
def test_numbers_only_in_ascii_digits(package, changes, words):
    _break(package, **changes)
    problems = validate_package(package)
    assert any(words in p and "effect_sizes.csv, row 2 (line 3)" in p for p in problems), problems


@pytest.mark.parametrize("date", ["20261122", "2026-W47-7", "2026-327", "2026-11-22T10:00", "２０２６-11-22"])
def test_dates_must_be_iso_calendar_dates(package, date):
    path = package / "search_log.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0]["searched_on"] = date
    _write(path, list(rows[0]), rows)
    assert any("column 'searched_on'" in p and "is not a date (YYYY-MM-DD)" in p for p in validate_package(package))


@pytest.mark.parametrize("twin", ["x-\u200b001", "x-001\u200d", "х-001", "ｘ-001", "x-00\u00ad1"])
def test_ids_equal_to_the_eye_are_one_id(package, twin):
    """U+200B, a Cyrillic х, a full-width ｘ, a soft hyphen: the same id to a reader."""
    path = package / "search_log.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows.append({**rows[0], "search_id": twin})
    _write(path, list(rows[0]), rows)
    assert any("row 2 (line 3), column 'search_id'" in p and "repeats row 1" in p for p in validate_package(package))


def test_a_duplicated_header_is_refused(package):
    path = package / "search_log.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[0] = text[0] + ",records_found"
    text[1] = text[1] + ",5"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    problems = validate_package(package)
    assert any("search_log.csv" in p and "names column 'records_found' twice" in p for p in problems), problems


def test_bibtex_keys_equal_up_to_case_are_refused(package):
    bib = package.parent / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "@article{Smith2010, author={Smith, B.}, title={V}, "
                   "journal={J}, year={2010}, doi={10.1/y}}\n", encoding="utf-8")
    problems = validate_package(package)
    assert any("'Smith2010' differs from 'smith2010' (line 1) only in case" in p for p in problems), problems


def test_validate_names_the_physical_line(package):
    """A quoted cell with a line break, and blank lines, move the line away from row + 1."""
    path = package / "effect_sizes.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[0]["notes"] = "first line\nsecond line"
    rows[1]["r"] = "2"
    _write(path, list(rows[0]), rows)
    path.write_text("\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    problems = validate_package(package)
    assert any("effect_sizes.csv, row 2 (line 6), column 'r'" in p for p in problems), problems
