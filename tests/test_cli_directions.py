"""``alliance-meta directions``: the JSON equals the API (and R's values), bad input is one
line and exit 2, a summary without --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from alliance_meta.engine.directions import count_by, count_directions, prioritise_directions

SRC = str(Path(__file__).resolve().parents[1] / "src")
REFERENCE = json.loads((Path(__file__).parent / "data" / "directions" / "directions_reference.json")
                       .read_text(encoding="utf-8"))

TABLE = """study,sample,domain,rater,direction,primary,n
a,s1,engagement,parent,favours,yes,234
a,s1,engagement,parent,against,no,234
b,s2,child_symptoms,therapist,not_reported,yes,
c,s3,child_symptoms,parent,favours,,40
d,s4,engagement,parent,,no,12

e,s5,satisfaction,observer,no_clear_direction,no,88
f,s6,engagement,,NA,no,
g,s7,child_symptoms,parent,favours,no,331
"""


def cli(*args):
    """The command line in a fresh interpreter, importing the package from this tree."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "alliance_meta.cli", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def table(write_csv):
    return write_csv(TABLE)


def test_json_equals_the_api(table):
    res = cli("directions", table, "--direction", "direction", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert list(out) == ["overall"]
    labels = ["favours", "against", "not_reported", "favours", "", "no_clear_direction", "NA", "favours"]
    assert out["overall"] == count_directions(labels).to_dict()
    assert out["overall"]["k"] == 6 and out["overall"]["favours"] == 3
    assert res.stderr.strip() == f"note: {table}: 2 rows with an empty or NA direction left out"


def test_groups_with_by(table):
    res = cli("directions", table, "--direction", "direction", "--by", "domain", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    domains = ["engagement", "engagement", "child_symptoms", "child_symptoms", "engagement", "satisfaction",
               "engagement", "child_symptoms"]
    labels = ["favours", "against", "not_reported", "favours", "", "no_clear_direction", "NA", "favours"]
    assert list(out["groups"]) == ["child_symptoms", "engagement", "satisfaction"]
    assert out["groups"] == {k: v.to_dict() for k, v in count_by(labels, domains).items()}
    assert out["groups"]["satisfaction"]["proportion"] is None  # no study with a direction: null, not NaN


def test_an_empty_group_value_is_left_out_of_the_groups_and_said(table):
    res = cli("directions", table, "--direction", "direction", "--by", "rater", "--json")
    out = json.loads(res.stdout)
    assert sum(g["k"] for g in out["groups"].values()) == out["overall"]["k"]  # the row without rater had NA
    assert "with an empty or NA 'rater' left out of the groups" in res.stderr


def test_one_direction_per_sample(table):
    res = cli("directions", table, "--direction", "direction", "--by", "domain", "--sample", "sample",
              "--primary", "primary", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    p = prioritise_directions(["s1", "s1", "s2", "s3", "s4", "s5", "s6", "s7"], [""] * 8,
                              ["favours", "against", "not_reported", "favours", "", "no_clear_direction", "",
                               "favours"], ["yes", "no", "yes", "", "no", "no", "no", "no"])
    assert out["overall"] == count_directions(p.directions).to_dict()
    assert out["overall"]["k"] == 5 and out["overall"]["favours"] == 3  # s1 by its primary row
    assert out["groups"]["engagement"]["k"] == 1


def test_the_command_line_gives_r_values(write_csv):
    """Every reference case as one group of one file (one process for all of them)."""
    lines = ["case,direction"]
    for c in REFERENCE["cases"]:
        name = f"{c['x']}of{c['n']}"
        lines += [f"{name},favours"] * c["x"] + [f"{name},against"] * (c["n"] - c["x"])
    path = write_csv("\n".join(lines) + "\n")
    res = cli("directions", path, "--direction", "direction", "--by", "case", "--json")
    groups = json.loads(res.stdout)["groups"]
    assert len(groups) == len(REFERENCE["cases"])
    for c in REFERENCE["cases"]:
        out = groups[f"{c['x']}of{c['n']}"]
        assert (out["favours"], out["against"]) == (c["x"], c["n"] - c["x"])
        for key in ("proportion", "ci_lb", "ci_ub", "sign_test_pval"):
            assert out[key] == pytest.approx(c[key], rel=1e-12, abs=0), (c, key)


def test_summary_without_json(table):
    res = cli("directions", table, "--direction", "direction", "--by", "rater")
    assert res.returncode == 0
    assert res.stdout.startswith(f"File: {table}\nVote count by direction of effect\n")
    assert "proportion favouring: 3/4 = 0.750" in res.stdout
    assert "(rater = parent)" in res.stdout
    assert "Note: 2 rows with an empty or NA direction left out" in res.stdout


@pytest.mark.parametrize("content,args,message", [
    ("direction\nfavours\nFavours\n", [], "row 2 (line 3), column 'direction': 'Favours' is not a direction"),
    ("direction\nfavours\npositive\n", [], "row 2 (line 3), column 'direction': 'positive' is not a direction"),
    ("d\nfavours\n", [], "column 'direction': no column 'direction'"),
    ("direction\nfavours\n", ["--by", "g"], "column 'g': no column 'g'"),
    ("direction,s\nfavours,\n", ["--sample", "s"], "row 1 (line 2), column 's': the sample is empty"),
    ("direction\nfavours\n", ["--primary", "p"], "--primary needs --sample COL"),
    ("direction\n", [], "has a header but no data rows"),
    ("", [], "is empty"),
])
def test_bad_input_is_one_line_and_exit_2(write_csv, content, args, message):
    path = write_csv(content)
    res = cli("directions", path, "--direction", "direction", *args, "--json")
    assert res.returncode == 2
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("alliance-meta: error: ") and message in lines[0]
    if "--primary" not in args:
        assert str(path) in lines[0]


def test_a_missing_file_and_a_missing_option(tmp_path):
    res = cli("directions", tmp_path / "nope.csv", "--direction", "d")
    assert res.returncode == 2 and len(res.stderr.splitlines()) == 1 and "no such file" in res.stderr
    res = cli("directions", tmp_path / "nope.csv")
    assert res.returncode == 2 and len(res.stderr.splitlines()) == 1 and "--direction" in res.stderr


def test_in_process_runner_agrees(run_cli, table):
    res = run_cli("directions", table, "--direction", "direction", "--json")
    assert res.code == 0
    assert json.loads(res.out) == json.loads(cli("directions", table, "--direction", "direction", "--json").stdout)


@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(["favours", "against", "no_clear_direction", "not_reported", "", "NA"]),
                          st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                  max_size=8)), min_size=1, max_size=12))
def test_any_cell_gives_a_result_or_one_line(run_cli, tmp_path, cells):
    """Whatever a direction cell holds, the command answers with a result or one line and exit 2."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["direction", "g"])
    for i, c in enumerate(cells):
        writer.writerow([c, f"g{i % 3}"])
    path = tmp_path / "cells.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    res = run_cli("directions", path, "--direction", "direction", "--by", "g", "--json")
    if res.code == 0:
        out = json.loads(res.out)
        assert out["overall"]["k"] <= len(cells)
    else:
        assert res.code == 2 and res.out == "" and len(res.err.splitlines()) == 1
