"""``data/datapackage.json`` is a valid Frictionless Data Package, data included, by the
reference implementation (the ``frictionless`` package), and what it finds wrong in a
broken copy the project's own validator finds too (one line naming file, row and column).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from frictionless import Package, validate

from alliance_meta.evidence.dataset import validate_package

ROOT = Path(__file__).resolve().parents[1]


def _report(descriptor: Path):
    return validate(str(descriptor))


def _problems(report) -> list[str]:
    out = [f"package: {e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        out += [f"{task.name}: {e.type}: {e.message}" for e in task.errors]
    return out


def test_the_shipped_package_is_valid_with_its_data():
    report = _report(ROOT / "data" / "datapackage.json")
    assert _problems(report) == []
    assert report.valid
    names = {task.name for task in report.tasks}
    assert names == {r["name"] for r in json.loads((ROOT / "data" / "datapackage.json").read_text())["resources"]}
    # every row of every table was read, not just the descriptor
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    with (ROOT / "data" / "effect_sizes.csv").open(encoding="utf-8", newline="") as fh:
        assert rows["effect_sizes"] == sum(1 for _ in csv.DictReader(fh))


def test_the_descriptor_follows_the_data_package_profile():
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    errors = [e.message for e in Package.metadata_validate(descriptor)]
    assert errors == []


def _copy_with(package, column: str, value: str) -> Path:
    """The miniature package with ``column`` of the first effect size set to ``value``."""
    path = package / "effect_sizes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[0][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return package


def test_the_miniature_package_is_valid(package):
    assert _problems(_report(package / "datapackage.json")) == []
    assert validate_package(package) == []


@pytest.mark.parametrize("column,value,kind", [
    ("r", "1.5", "constraint-error"),
    ("referral", "court", "constraint-error"),
    ("n", "many", "type-error"),
    ("es_id", "smith2010-02", "primary-key"),
])
def test_both_validators_find_a_broken_cell(package, column, value, kind):
    _copy_with(package, column, value)
    problems = _problems(_report(package / "datapackage.json"))
    assert any(p.startswith(f"effect_sizes: {kind}") for p in problems), problems
    ours = validate_package(package)
    assert ours, "the project's validator missed what frictionless found"
    assert any("effect_sizes.csv" in line and ("row 1" in line or "row 2" in line) for line in ours), ours


def test_a_broken_descriptor_is_found(package):
    desc = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"][0]["schema"]["fields"][0]["type"] = "nubmer"
    (package / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    assert not _report(package / "datapackage.json").valid


def test_both_validators_find_an_overlap_group_outside_the_vocabulary(package):
    path = package / "syntheses.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[0]["overlap_group"] = "youth-indivdual"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    problems = _problems(_report(package / "datapackage.json"))
    assert any(p.startswith("syntheses: foreign-key") for p in problems), problems
    ours = validate_package(package)
    assert len(ours) == 1 and "column 'overlap_group'" in ours[0] and "did you mean 'youth-individual'" in ours[0]


def test_the_overlap_groups_are_a_resource_with_a_key():
    desc = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    groups = next(r for r in desc["resources"] if r["name"] == "overlap_groups")
    assert groups["schema"]["primaryKey"] == ["group"]
    syn = next(r for r in desc["resources"] if r["name"] == "syntheses")
    assert {"fields": ["overlap_group"], "reference": {"resource": "overlap_groups", "fields": ["group"]}} in \
        syn["schema"]["foreignKeys"]


def _rewrite(path: Path, **change) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[0].update(change)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("table,resource,change,kind", [
    ("parent_directions.csv", "parent_directions", {"direction": "positive"}, "constraint-error"),
    ("parent_directions.csv", "parent_directions", {"row_id": "smith2010-02"}, "primary-key"),
    ("parent_directions.csv", "parent_directions", {"sample": "smith2010_s1"}, "constraint-error"),
    ("parent_directions.csv", "parent_directions", {"n": "many"}, "type-error"),
    ("parent_search_log.csv", "parent_search_log", {"records_found": "-2"}, "constraint-error"),
    ("reliability/parent_directions_second_pass.csv", "parent_directions_second_pass",
     {"sample": "smith2010-s9"}, "foreign-key"),
])
def test_both_validators_find_a_broken_direction_cell(package, table, resource, change, kind):
    _rewrite(package / table, **change)
    problems = _problems(_report(package / "datapackage.json"))
    assert any(p.startswith(f"{resource}: {kind}") for p in problems), problems
    ours = validate_package(package)
    assert any(Path(table).name in line and "row 1" in line for line in ours), ours
