"""The dataset validator: one broken copy of a small valid package per kind of error,
plus the project's own data, which must validate cleanly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

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


# ------------------------------------------------------------------- what the book depends on


def test_an_overlap_group_typo_names_the_known_groups(package):
    _break_synthesis(package, overlap_group="youth-indivdual")
    problems = validate_package(package)
    assert len(problems) == 1, problems
    assert "syntheses.csv, row 1 (line 2), column 'overlap_group': 'youth-indivdual' is not a value of " \
           "overlap_groups.group" in problems[0]
    assert "did you mean 'youth-individual'?" in problems[0]
    assert "The values in overlap_groups.csv: youth-individual" in problems[0]


def test_an_overlap_group_is_defined_in_the_codes_of_syntheses(package):
    from conftest import GROUP, _fields

    _write(package / "overlap_groups.csv", _fields("overlap_groups"), [{**GROUP, "population": "youth;teens"}])
    problems = validate_package(package)
    assert len(problems) == 1 and "overlap_groups.csv, row 1 (line 2), column 'population': 'teens' is not a " \
                                  "value of syntheses.population" in problems[0], problems


def test_every_shipped_overlap_group_is_defined_and_used():
    groups = {row["group"] for row in csv.DictReader((ROOT / "data" / "overlap_groups.csv").open(encoding="utf-8"))}
    used = {row["overlap_group"] for row in csv.DictReader((ROOT / "data" / "syntheses.csv").open(encoding="utf-8"))}
    assert used == groups


@pytest.mark.parametrize("method,reported,r,ok", [
    ("from_t", "t(62) = 1.53", "0.45", False),            # the issue's case: 1.53 on 62 df gives .19
    ("from_t", "t(62) = 1.53", "0.1907", True),
    ("from_t", "t(62) = 1.53", "-0.19", True),             # the sign is the coder's (harmonised)
    ("from_t", "t79 = 2.21", "0.2413", True),
    ("from_t", "t = 2.21, df = 79", "0.2413", True),
    ("from_t", "t79 = 2.21", "0.2600", False),
    ("partial_r", "beta = .22, t79 = 2.21, P = .03", "0.2413", True),
    ("partial_r", "beta = .22, t79 = 2.21, P = .03", "0.22", False),
    ("partial_r", "partial r = .31", "0.31", True),
    ("from_beta", "beta = .22, t79 = 2.21, P = .03", "0.22", True),
    ("from_beta", "β = 0.08 (b = 2.04, SE = 0.99)", "0.18", False),
    ("reported_r", "r=-.47, P=.019, n=25", "0.47", True),
    ("reported_r", "r=-.47, P=.019, n=25", "0.4749", True),   # .47 is anything from .465 to .475
    ("reported_r", "r=-.47, P=.019, n=25", "0.4800", False),
    ("reported_r", "r = \u2212.30", "0.30", True),
    ("reported_r", "r = .30 (parent), r = .12 (youth)", "0.12", True),  # any printed r of the row
    ("spearman_rho", "\u03c1 = .41", "0.41", True),
    ("from_F", "F(1, 62) = 2.34", "0.1907", True),
    ("from_F", "F(1, 62) = 2.34", "0.30", False),
    ("from_d", "d = 0.84", "0.3872", True),
    ("from_d", "d = 0.84", "0.3760", False),                # the unequal-groups value needs n1 and n2 printed
    ("from_d", "d = 0.84, n1 = 446, n2 = 263", "0.3760", True),
    # not parseable, or no rule: nothing is said
    ("reported_r", "overall correlation of .23", "0.90", True),
    ("from_beta", "\u03b2 = -. 0.39, p = 0.001", "0.90", True),
    ("from_F", "F(2, 60) = 4.1", "0.90", True),
    ("from_chi2", "chi2(1) = 4.2", "0.90", True),
    ("from_t", "t = 2.1 (df not printed)", "0.90", True),
])
def test_r_follows_from_what_reported_prints(package, method, reported, r, ok):
    _break(package, r=r, es_method=method, reported=reported)
    problems = validate_package(package)
    if ok:
        assert problems == []
    else:
        assert len(problems) == 1, problems
        assert "effect_sizes.csv, row 2 (line 3), column 'r':" in problems[0]
        assert f"r = {r} does not follow from reported" in problems[0] and "within the rounding" in problems[0]


def test_the_issue_example_names_the_value_it_expects(package):
    _break(package, r="0.45", es_method="from_t", reported="t(62) = 1.53")
    (problem,) = validate_package(package)
    assert "'t(62) = 1.53' by from_t: r = t / sqrt(t^2 + df) gives |r| = 0.1907 (0.1901 to 0.1913" in problem


def test_recompute_r_values():
    from alliance_meta.evidence.dataset import recompute_r

    (t,) = recompute_r("from_t", "t(62) = 1.53")
    assert t.value == pytest.approx(1.53 / (1.53 ** 2 + 62) ** 0.5, abs=1e-12)
    assert t.low == pytest.approx(1.525 / (1.525 ** 2 + 62) ** 0.5, abs=1e-12)
    assert t.high == pytest.approx(1.535 / (1.535 ** 2 + 62) ** 0.5, abs=1e-12)
    (f,) = recompute_r("from_F", "F(1, 62) = 2.34")
    assert f.value == pytest.approx((2.34 / (2.34 + 62)) ** 0.5, abs=1e-12)
    (d,) = recompute_r("from_d", "d = 0.84, n1 = 446, n2 = 263")
    assert d.value == pytest.approx(0.84 / (0.84 ** 2 + 709 ** 2 / (446 * 263)) ** 0.5, abs=1e-12)
    assert recompute_r("from_means", "M = 3.1 vs 2.4") == []



@settings(derandomize=True, max_examples=80, deadline=None)
@given(t=st.floats(0.0, 30.0), df=st.integers(1, 2000), decimals=st.integers(1, 3))
def test_a_correctly_converted_t_always_passes(t, df, decimals):
    """Any t printed to any number of decimals, converted and stored to 4 decimals, agrees."""
    from alliance_meta.evidence.dataset import _effect_rules

    printed = f"{t:.{decimals}f}"
    r = float(printed) / (float(printed) ** 2 + df) ** 0.5
    row = {"_row": 1, "r": f"{r:.4f}", "es_method": "from_t", "reported": f"t({df}) = {printed}",
           "alliance_dyad": "", "population": ""}
    assert _effect_rules("x.csv", [row]) == []


def test_a_key_year_matches_the_bibliography(package):
    (package.parent / "references.bib").write_text(BIB.replace("journal={J}, year={2010}", "journal={J}, year={2011}"),
                                                   encoding="utf-8")
    problems = validate_package(package)
    assert problems and all("'smith2010' carries the year 2010 but references.bib gives year = 2011" in p
                            for p in problems), problems
    # every table that names the key, in the column that names it
    for where in ("effect_sizes.csv, row 1 (line 2), column 'study'", "first_pass.csv, row 1 (line 2), column 'study'",
                  "parent_accounts.csv, row 1 (line 2), column 'study'",
                  "barrier_sources.csv, row 1 (line 2), column 'study'"):
        assert any(where in p for p in problems), (where, problems)


def test_a_key_year_is_checked_in_via_and_quoted_by(package):
    (package.parent / "references.bib").write_text(BIB.replace("journal={J}, year={2011}", "journal={J}, year={2012}"),
                                                   encoding="utf-8")
    _break(package, source_access="secondary_table", via="jones2011")
    _break_synthesis(package, read_in="quoted_by:jones2011")
    problems = validate_package(package)
    assert any("effect_sizes.csv, row 2 (line 3), column 'via': 'jones2011' carries the year 2011" in p
               for p in problems), problems
    assert any("syntheses.csv, row 1 (line 2), column 'read_in': 'jones2011' carries" in p for p in problems)
    assert any("syntheses.csv, row 1 (line 2), column 'study': 'jones2011' carries" in p for p in problems)


@pytest.mark.parametrize("dyad,population,ok", [
    ("parent-therapist", "adult", False), ("parent-therapist", "child", True), ("parent-therapist", "family", True),
    ("youth-therapist", "adult", False), ("youth-therapist", "adolescent", True),
    ("client-therapist", "child", False), ("client-therapist", "adult", True),
    ("couple-therapist", "adult", False), ("couple-therapist", "family", True),
    ("family-therapist", "adult", True), ("patient-physician", "child", True), ("client-provider", "adult", True),
])
def test_an_effect_size_dyad_fits_its_population(package, dyad, population, ok):
    _break(package, alliance_dyad=dyad, population=population)
    problems = validate_package(package)
    if ok:
        assert problems == []
    else:
        assert len(problems) == 1 and "effect_sizes.csv, row 2 (line 3), column 'population': population " \
                                      f"'{population}' does not fit alliance_dyad '{dyad}'" in problems[0], problems


@pytest.mark.parametrize("population,dyad,ok", [
    ("parent", "youth-therapist", False), ("parent", "mixed", False), ("parent", "parent-therapist", True),
    ("youth", "parent-therapist", False), ("youth", "mixed", True), ("adult", "parent-therapist", False),
    ("adult", "client-therapist", True), ("family", "family-therapist", True), ("family", "youth-therapist", False),
    ("couple", "couple-therapist", True), ("couple", "client-therapist", False),
])
def test_a_synthesis_population_fits_its_dyad(package, population, dyad, ok):
    _break_synthesis(package, population=population, alliance_dyad=dyad)
    problems = validate_package(package)
    if ok:
        assert problems == []
    else:
        assert len(problems) == 1 and "syntheses.csv, row 1 (line 2), column 'alliance_dyad': alliance_dyad " \
                                      f"'{dyad}' does not fit population '{population}'" in problems[0], problems


def _codebook_table(heading: str) -> dict:
    """The 'dyad -> populations' table under a heading of data/README.md."""
    import re

    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    block = text.split(heading, 1)[1].split("\n\n", 2)[1]
    return {re.findall(r"`([^`]+)`", left)[0]: tuple(re.findall(r"`([^`]+)`", right))
            for left, right in (line.strip("|").split("|")[:2] for line in block.splitlines()[2:])}


def test_the_codebook_states_the_dyad_rules_the_validator_applies():
    from alliance_meta.evidence.dataset import DYAD_POPULATIONS, POPULATION_DYADS

    assert {k: v for k, v in _codebook_table("**Dyad and population (effect_sizes.csv).**").items() if v} == \
        DYAD_POPULATIONS
    assert _codebook_table("**Population and dyad (syntheses.csv).**") == POPULATION_DYADS


@pytest.mark.parametrize("r", ["1", "-1", "1.000"])
def test_r_at_the_edge_of_the_scale_is_named(package, r):
    _break(package, r=r, n="4", reported=f"r = {r}")
    problems = validate_package(package)
    assert len(problems) == 1 and "column 'r'" in problems[0] and "is at the edge of the scale: its Fisher z is " \
                                                                  "infinite" in problems[0], problems


def test_a_sample_too_small_for_a_correlation_says_why(package):
    _break(package, n="3")
    (problem,) = validate_package(package)
    assert "column 'n': 3 is below the minimum 4; a correlation needs n of at least 4" in problem


def test_a_pooled_r_of_one_is_named(package):
    _break_synthesis(package, r_printed="1", r="1", ci_lb="0.9", ci_ub="1")
    problems = validate_package(package)
    assert any("syntheses.csv, row 1 (line 2), column 'r': r = 1 is at the edge of the scale" in p for p in problems)


def test_a_reversed_interval_is_named_as_such(package):
    _break_synthesis(package, ci_lb="0.28", ci_ub="0.16")
    (problem,) = validate_package(package)
    assert "column 'ci_lb': reversed interval (upper bound first): ci_lb = 0.28 is above ci_ub = 0.16" in problem
    assert "outside its interval" not in problem


def test_reliability_rows_name_existing_rows(package):
    path = package / "reliability" / "first_pass.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    _write(path, list(rows[0]), [{**rows[0], "es_id": "smith2010-07"}])
    (problem,) = validate_package(package)
    assert "first_pass.csv, row 1 (line 2), column 'es_id': 'smith2010-07' is not a value of effect_sizes.es_id" \
           in problem
    path.unlink()
    _write(path, list(rows[0]), rows)
    second = package / "reliability" / "second_pass.csv"
    _write(second, list(rows[0]), [{**rows[0], "es_id": "smith2010-07"}])
    (problem,) = validate_package(package)
    assert "second_pass.csv, row 1 (line 2), column 'es_id': 'smith2010-07' is not an es_id of effect_sizes.csv" \
           in problem
    _write(second, list(rows[0]), [{**rows[0], "es_id": "smith2010-51"}])   # found by the second coder only
    assert validate_package(package) == []


@pytest.mark.parametrize("table", ["effect_sizes.csv", "syntheses.csv", "reliability/second_pass.csv"])
def test_a_crlf_table_is_one_line_naming_the_fix(package, table):
    path = package / table
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    (problem,) = validate_package(package)
    assert problem.startswith(f"{path}: has Windows (CRLF) line endings on ")
    assert "every table of the dataset uses LF line endings" in problem and f"sed -i 's/\\r$//' {path}" in problem


def test_every_shipped_table_is_lf():
    import json

    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for res in pkg["resources"]:
        assert b"\r" not in (ROOT / "data" / res["path"]).read_bytes(), res["path"]


def _protocol_items() -> dict:
    """``- `column`: text`` items of SYNTHESES_PROTOCOL.md, continuation lines joined."""
    import re

    items, current = {}, None
    text = (ROOT / "data" / "search_notes" / "SYNTHESES_PROTOCOL.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        m = re.match(r"- `(\w+)`(?:, `\w+`)*: (.*)", line)
        if m:
            current = m.group(1)
            items[current] = m.group(2)
        elif current and line.startswith("  "):
            items[current] += " " + line.strip()
        else:
            current = None
    return items


def test_the_syntheses_protocol_agrees_with_the_validator():
    import json
    import re

    from alliance_meta.evidence.dataset import POPULATION_DYADS

    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in pkg["resources"] if r["name"] == "syntheses")["schema"]["fields"]
    text = (ROOT / "data" / "search_notes" / "SYNTHESES_PROTOCOL.md").read_text(encoding="utf-8")
    assert ",".join(f["name"] for f in fields) in text.splitlines()    # the header to write
    items = _protocol_items()
    for fld in fields:                                                   # each vocabulary, as the schema's
        enum = fld.get("constraints", {}).get("enum")
        if enum and "|" in items.get(fld["name"], ""):
            listed = re.sub(r"\([^)]*\)", "", items[fld["name"]]).split("|")
            codes = [m.group(0) for seg in listed if (m := re.match(r"[a-z][a-z_-]*", seg.strip()))]
            assert codes == enum, fld["name"]
    assert items["overlap_group"].startswith("required.")
    groups = [row["group"] for row in csv.DictReader((ROOT / "data" / "overlap_groups.csv").open(encoding="utf-8"))]
    assert f"({', '.join(groups)};" in items["overlap_group"]
    rules = dict(re.findall(r"(\w+) -> ([\w-]+(?: or [\w-]+)?)(?: only)?", items["population"]))
    assert {k: tuple(v.split(" or ")) for k, v in rules.items()} == POPULATION_DYADS


@pytest.mark.parametrize("method,reported", [
    ("from_t", "t(0) = 0"), ("from_F", "F(1, 0) = 0"), ("from_d", "d = 0, n1 = 0, n2 = 5"),
    ("from_t", "t(" + "9" * 400 + ") = " + "9" * 400), ("reported_r", "r = " + "9" * 400), ("from_beta", "beta = ."),
    ("partial_r", "t79 = -"), ("from_d", "d = 1e400"),
])
def test_odd_statistics_give_no_warning_and_no_crash(package, method, reported):
    import warnings

    _break(package, es_method=method, reported=reported)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        problems = validate_package(package)
    assert all("\n" not in p for p in problems)


def test_the_codebook_of_a_table_is_its_schema():
    from alliance_meta.evidence.dataset import codebook

    book = codebook("syntheses", ROOT)
    assert list(book.columns) == ["column", "required", "values", "meaning"]
    row = book.set_index("column").loc["overlap_group"]
    assert row["required"] == "yes" and "overlap_groups.csv" in row["meaning"]
    assert book.set_index("column").loc["se_scale", "values"] == "z, r"
    assert book.set_index("column").loc["k_studies", "values"] == "integer"


def test_every_format_the_codebook_lists_is_read():
    """Each example in the codebook's table *Reading `reported`* gives a value by its method,
    and the table names every method the validator recomputes."""
    import re

    from alliance_meta.evidence.dataset import recompute_r

    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    block = text.split("**Reading `reported`.**", 1)[1].split("\n\n", 2)[1]
    methods = set()
    for line in block.splitlines()[2:]:
        method_cell, formats = line.strip("|").split("|")[:2]
        (method,) = re.findall(r"`([^`]+)`", method_cell)
        methods.add(method)
        examples = [e for e in re.findall(r"`([^`]+)`", formats.split("(else")[0]) if "=" in e]
        assert examples, method
        for example in examples:
            assert recompute_r(method, example), (method, example)
    assert methods == {"reported_r", "spearman_rho", "from_t", "partial_r", "from_F", "from_d", "from_beta"}
def test_moderator_tests_belong_to_a_coded_review_and_its_estimate(package):
    from conftest import MODERATOR_TEST, _fields

    def check(**change):
        _write(package / "moderator_tests.csv", _fields("moderator_tests"), [{**MODERATOR_TEST, **change}])
        return validate_package(package)

    assert check() == [] and check(statistic="Q(3) = 9.1", p_or_statement="p = .03", result="significant") == []
    bad = check(analysis="jones2011-09")
    assert len(bad) == 1 and "moderator_tests.csv, row 1" in bad[0] and "'jones2011-09' is not a value of syntheses" \
        in bad[0], bad
    bad = check(study="smith2010")   # a key of the bibliography, but not the review of that estimate
    assert len(bad) == 2 and all("does not start with its study key 'smith2010-'" in p for p in bad), bad
    assert {"column 'test_id'" in p for p in bad} == {True, False}
    bad = check(study="nobody2001", test_id="nobody2001-m01", analysis="")
    assert any("'nobody2001' is not a key in references.bib" in p for p in bad), bad
    assert any("column 'analysis'" in p and "required" in p for p in bad), bad
    bad = check(result="maybe")
    assert len(bad) == 1 and "column 'result'" in bad[0]
    bad = check(test_id="jones2011-01")
    assert len(bad) == 1 and "column 'test_id'" in bad[0] and "pattern" in bad[0], bad


# ----------------------------------------------------------------------- parent direction-of-effect rows


@pytest.mark.parametrize("changes,column,words", [
    ({"row_id": "jones2011-01"}, "row_id", "'jones2011-01' does not start with its study key 'smith2010-'"),
    ({"row_id": "smith2010-1"}, "row_id", "does not match the pattern"),
    ({"sample": "other1999-s1"}, "sample", "sample 'other1999-s1' names no study coded in parent_directions.csv"),
    ({"sample": "smith2010"}, "sample", "does not match the pattern"),
    ({"r": "", "es_method": "reported_r"}, "r", "r and es_method go together"),
    ({"es_method": ""}, "es_method", "r and es_method go together"),
    ({"r": "0.40"}, "r", "r = 0.40 does not follow from statistic 'r = .25' by reported_r"),
    ({"direction": "against"}, "direction", "r = 0.25 contradicts direction 'against'"),
    ({"quote": ""}, "quote", "is empty: a direction 'favours' needs the source's words"),
    ({"direction": "sideways"}, "direction", "'sideways' is not one of: favours, against"),
    ({"outcome_domain": "symptoms"}, "outcome_domain", "'symptoms' is not one of"),
    ({"n": "0"}, "n", "0 is below the minimum 1"),
    ({"study": "nobody2001", "row_id": "nobody2001-01", "sample": "nobody2001-s1"}, "study",
     "'nobody2001' is not a key in references.bib"),
    ({"study": "smith2011", "row_id": "smith2011-01", "sample": "smith2011-s1"}, "study",
     "'smith2011' is not a key in references.bib"),
    ({"read_at": "library"}, "read_at", "'library' is not a web address"),
    ({"country": "USA"}, "country", "does not match the pattern"),
])
def test_each_kind_of_direction_error_is_located(package, changes, column, words):
    _break(package, "parent_directions.csv", 0, **changes)
    problems = validate_package(package)
    assert any(f"parent_directions.csv, row 1 (line 2), column '{column}'" in p and words in p for p in problems), \
        problems


def test_a_direction_row_needs_no_statistic_and_not_reported_needs_no_quote(package):
    _break(package, "parent_directions.csv", 0, statistic="", r="", es_method="", n="", quote="", direction="not_reported",
           significance="not_stated", country="", alliance_measure="")
    assert validate_package(package) == []


def test_not_reported_cannot_be_significant(package):
    _break(package, "parent_directions.csv", 1, significance="significant")
    problems = validate_package(package)
    assert len(problems) == 1 and "row 2 (line 3), column 'significance'" in problems[0] \
        and "only 'not significant'" in problems[0], problems


def test_a_negative_r_cannot_favour(package):
    _break(package, "parent_directions.csv", 0, r="-0.25", statistic="r = -.25")
    problems = validate_package(package)
    assert len(problems) == 1 and "contradicts direction 'favours'" in problems[0], problems
    _break(package, "parent_directions.csv", 0, direction="no_clear_direction")
    assert validate_package(package) == []


def test_a_youth_row_stands_beside_a_parent_row_of_its_sample(package):
    _break(package, "parent_directions.csv", 0, alliance_with="youth")
    problems = validate_package(package)
    assert sum("a youth row of sample 'smith2010-s1' without a parent row" in p for p in problems) == 2, problems


def test_a_key_year_of_a_direction_row_matches_the_bibliography(package):
    (package.parent / "references.bib").write_text(BIB.replace("year={2010}", "year={2009}"), encoding="utf-8")
    problems = validate_package(package)
    assert any("parent_directions.csv, row 1" in p and "carries the year 2010 but references.bib gives year = 2009"
               in p for p in problems), problems


def test_a_direction_study_needs_a_doi_or_url(package):
    (package.parent / "references.bib").write_text(BIB.replace(", doi={10.1/x}", ""), encoding="utf-8")
    problems = validate_package(package)
    assert any("parent_directions.csv, row 1" in p and "has no DOI or URL" in p for p in problems), problems


@pytest.mark.parametrize("changes,column,words", [
    ({"sample": "jones2011-s1", "study": "jones2011", "row_id": "jones2011-S01"}, "sample",
     "'jones2011-s1' is not a value of parent_directions.sample (foreign key)"),
    ({"row_id": "smith2010-01"}, "row_id", "does not match the pattern"),
    ({"quote": ""}, "quote", "is empty: a direction 'favours'"),
])
def test_second_pass_direction_rows_are_checked(package, changes, column, words):
    _break(package, "reliability/parent_directions_second_pass.csv", 0, **changes)
    problems = validate_package(package)
    assert any(f"parent_directions_second_pass.csv, row 1 (line 2), column '{column}'" in p and words in p
               for p in problems), problems


def test_a_parent_search_log_row_is_checked(package):
    from conftest import LOG, _fields

    _write(package / "parent_search_log.csv", _fields("parent_search_log"),
           [{**LOG, "search_id": "a-1", "records_found": "-1"}])
    problems = validate_package(package)
    assert any("parent_search_log.csv, row 1 (line 2), column 'search_id'" in p and "pattern" in p for p in problems)
    assert any("column 'records_found'" in p and "below the minimum 0" in p for p in problems), problems


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


def test_the_codebook_lists_every_column_of_the_direction_table():
    """data/README.md's codebook of parent_directions.csv names each column of its schema, in
    order, and the four directions of its enum."""
    import json
    import re

    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split("## `parent_directions.csv`", 1)[1].split("\n## ", 1)[0]
    table = section.split("| column | meaning and allowed values |", 1)[1].split("\n\n", 1)[0]
    listed = [re.findall(r"`([^`]+)`", line)[0] for line in table.splitlines()[2:]]
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == "parent_directions")
    assert listed == [f["name"] for f in res["schema"]["fields"]]
    enum = next(f for f in res["schema"]["fields"] if f["name"] == "direction")["constraints"]["enum"]
    assert all(f"| `{d}` |" in section for d in enum)
    second = next(r for r in pkg["resources"] if r["name"] == "parent_directions_second_pass")
    assert [f["name"] for f in second["schema"]["fields"]] == listed
