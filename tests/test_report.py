"""``alliance-meta report``: one self-contained HTML file whose every number is the engine's.

The numbers shown in the page carry their exact value (``data-key``/``data-value``), and the
page embeds the ``--json`` objects; both are compared with what ``pool``, ``bias`` and
``leave1out --json`` print for the same file. Hostile labels must stay text, a failed run
must leave no file, and the page must open in Chromium with no console error, no request
leaving it, and alt text on every image.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from alliance_meta.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "effect_sizes.csv"
K_SHIPPED = len(pd.read_csv(DATA))  # rows of the shipped table
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "</script><b>bold</b>", "a&amp;b"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def embedded(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="alliance-meta-results">(.*?)</script>', html, re.S)
    assert m, "the report embeds no results"
    return json.loads(m.group(1))


def shown_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-key="([^"]+)" data-value="([^"]*)"', html))


def lookup(obj: dict, key: str):
    """'pool.tau2' -> obj['pool']['tau2']; 'leave1out.cooks.3' -> obj['leave1out']['cooks'][3];
    'metareg.coefficients.1.se' -> the second coefficient's se."""
    cur = obj
    for part in key.split("."):
        cur = cur[int(part)] if isinstance(cur, list) else cur[part]
    return cur


@pytest.fixture
def report(tmp_path, capsys):
    def make(*argv, name="report.html", file=DATA):
        out = tmp_path / name
        code, stdout, err = run(capsys, "report", file, *argv, "-o", out)
        assert code == 0, err
        return out.read_text(encoding="utf-8")
    return make


def test_every_number_in_the_report_is_the_commands_json(report, capsys):
    html = report("--r", "r", "--n", "n", "--labels", "study")
    data = embedded(html)
    pool = cli_json(capsys, "pool", DATA, "--r", "r", "--n", "n")
    bias = cli_json(capsys, "bias", DATA, "--r", "r", "--n", "n")
    l1o = cli_json(capsys, "leave1out", DATA, "--r", "r", "--n", "n")
    assert data["pool"] == pool
    assert data["bias"] == bias
    assert data["leave1out"] == l1o
    shown = shown_values(html)
    assert len(shown) > 60
    truth = {"pool": pool, "bias": bias, "leave1out": l1o, "input": data["input"], "derived": data["derived"]}
    for key, exact in shown.items():
        assert float(exact) == lookup(truth, key), key
    # the text a reader sees is those values, rounded as APA style rounds them
    assert f"<i>r</i> = {value_span('pool.r', pool['r'])}.{round(pool['r'] * 100):02d}</span>" in html
    assert "<i>p</i> &lt; .001" in html
    assert f"{pool['Q']:.2f}" in html


def value_span(key, x) -> str:
    return f'<span data-key="{key}" data-value="{x!r}">'


def test_methods_name_what_was_done_and_cite_it(report):
    html = report("--r", "r", "--n", "n", "--method", "DL", "--test", "knha")
    assert "Fisher's <i>z</i>" in html and "1/(<i>n</i> − 3)" in html
    assert "DerSimonian–Laird" in html and "DerSimonian, R., &amp; Laird, N. (1986)" in html
    assert "Knapp–Hartung" in html and f"<i>t</i>({K_SHIPPED - 1}) =" in html
    assert "Q-profile" in html and "Viechtbauer, W. (2007)" in html
    # every [n] cited is in the reference list, numbered in order of first citation
    cited = [int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", html) for n in group.split(", ")]
    refs = re.findall(r'<li id="ref-(\d+)">', html)
    assert sorted(set(cited)) == [int(r) for r in refs]
    first = list(dict.fromkeys(cited))
    assert first == sorted(first)


def test_influential_rows_and_q_drivers_are_named(report, capsys):
    html = report("--r", "r", "--n", "n", "--labels", "study")
    l1o = cli_json(capsys, "leave1out", DATA, "--r", "r", "--n", "n")
    k = len(l1o["rstudent"])
    flagged = [i for i in range(k) if abs(l1o["rstudent"][i]) > 1.96 or l1o["cooks"][i] > 4 / k]
    # saguihenson2022 (a beta, the largest weight) is the outlier; steinert2019 (from d) is influential by Cook's D
    assert flagged == [7, 9]
    assert "row 8 (saguihenson2022: studentised residual" in html and "row 10 (steinert2019: studentised residual" in html
    assert "row 8 (saguihenson2022): 50%; row 10 (steinert2019): 39%" in re.sub(r"<[^>]+>", "", html)  # shares of Q
    assert html.count('<tr class=flag>') == len(flagged)


BREADTH = ROOT / "tests" / "data" / "metafor" / "breadth"


def test_influential_rows_by_metafors_rule_are_named(report, capsys):
    """konstantopoulos2011: metafor's influence() flags row 33 alone; the page names it with
    the diagnostics of leave1out --json, each number carrying its key."""
    path = BREADTH / "konstantopoulos2011.csv"
    html = report("--yi", "yi", "--vi", "vi", file=path)
    l1o = cli_json(capsys, "leave1out", path, "--yi", "yi", "--vi", "vi")
    assert [i for i, f in enumerate(l1o["influential"]) if f] == [32]
    assert "Influential by metafor's rule: |DFFITS| &gt; 3√(1/(<i>k</i> − 1)) = 0.405" in html
    assert ": row 33 (33: DFFITS " in html
    shown = shown_values(html)
    for key in ("dffits", "cooks", "hat", "dfbetas", "cov_r"):
        assert float(shown[f"leave1out.{key}.32"]) == l1o[key][32]
    html = report("--r", "r", "--n", "n", name="shipped.html")
    flagged = [i for i, f in enumerate(cli_json(capsys, "leave1out", DATA, "--r", "r", "--n", "n")["influential"]) if f]
    assert ("No row is influential by metafor's rule" in html) == (not flagged)


def test_t_prediction_interval_when_asked(report, capsys, tmp_path):
    html = report("--r", "r", "--n", "n", "--pi", "t")
    pool = cli_json(capsys, "pool", DATA, "--r", "r", "--n", "n", "--pi", "t")
    data = embedded(html)
    assert data["pool"] == pool and pool["pi_df"] == K_SHIPPED - 2
    assert f"The 95% prediction interval (on <i>t</i>({K_SHIPPED - 2}), <i>k</i> − 2 degrees of freedom) ran" in html
    assert "with <i>k</i> − 2 degrees of freedom" in html and "Spiegelhalter, D. J. (2009)" in html
    for key in ("pool.r_pi_lb", "pool.r_pi_ub"):
        assert float(shown_values(html)[key]) == lookup({"pool": pool}, key)
    html = report("--r", "r", "--n", "n", name="z.html")
    assert "The 95% prediction interval (on the normal distribution) ran" in html and "Spiegelhalter" not in html
    code, out, err = run(capsys, "report", DATA, "--r", "r", "--n", "n", "--pi", "t", "--method", "FE", "-o",
                         tmp_path / "never.html")
    assert code == 2 and err.count("\n") == 1 and "has no prediction interval" in err
    assert not (tmp_path / "never.html").exists()


def test_metaregression_and_three_level_match_pool_json(report, capsys):
    html = report("--r", "r", "--n", "n", "--mods", "population", "--cluster", "study")
    data = embedded(html)
    mr = cli_json(capsys, "pool", DATA, "--r", "r", "--n", "n", "--mods", "population")
    tl = cli_json(capsys, "pool", DATA, "--r", "r", "--n", "n", "--cluster", "study", "--mods", "population")
    assert data["metareg"] == mr
    assert data["three_level"] == tl
    shown = shown_values(html)
    for key in ("metareg.QM", "metareg.tau2", "three_level.sigma2_between", "three_level.sigma2_within"):
        assert float(shown[key]) == lookup(data, key)
    for key in ("three_level.coefficients.1.estimate", "three_level.coefficients.1.se",
                "three_level.coefficients.0.pval", "three_level.Q"):
        assert float(shown[key]) == lookup(data, key)
    assert not any(k.startswith("three_level_model") for k in shown)
    assert float(shown["metareg.coefficients.1.estimate"]) == mr["coefficients"][1]["estimate"]
    assert "A meta-regression compares studies" in html


def test_robust_three_level(report, capsys):
    html = report("--r", "r", "--n", "n", "--cluster", "study", "--robust", "--test", "t")
    data = embedded(html)
    assert data["three_level"] == cli_json(capsys, "pool", DATA, "--r", "r", "--n", "n", "--cluster", "study",
                                           "--robust", "--test", "t")
    assert "CR2 cluster-robust" in html and "Pustejovsky" in html
    # the robust numbers carry the keys of the --json object; the model fit behind them
    # is embedded as three_level_model, and every shown number is found where its key says
    shown = shown_values(html)
    assert data["three_level_model"] == cli_json(capsys, "pool", DATA, "--r", "r", "--n", "n", "--cluster", "study",
                                                 "--test", "t")
    for key in ("three_level.estimate", "three_level.se", "three_level.df", "three_level_model.estimate",
                "three_level_model.sigma2_between", "three_level_model.Q"):
        assert float(shown[key]) == lookup(data, key)
    assert shown["three_level.se"] != shown["three_level_model.se"]


def test_every_shown_number_is_found_in_the_embedded_json(report):
    """No data-key points at nothing: each shown value is the JSON value its key names."""
    for argv in (("--r", "r", "--n", "n"), ("--r", "r", "--n", "n", "--cluster", "study"),
                 ("--r", "r", "--n", "n", "--mods", "population", "--cluster", "study", "--robust")):
        html = report(*argv)
        data = embedded(html)
        for key, shown in shown_values(html).items():
            if shown == "":
                continue
            assert float(shown) == pytest.approx(lookup(data, key), rel=0, abs=0), (argv, key)


def test_selection_model_and_robust_wald_are_shown_with_their_json(report, capsys):
    """The selection model's paragraph carries ``bias.selmodel`` keys; with moderators,
    --cluster, --rho and --robust the HTZ test carries ``three_level.robust_wald`` keys and
    the methods name the CHE working model."""
    argv = ("--r", "r", "--n", "n", "--mods", "population", "--cluster", "study", "--rho", "0.6", "--robust")
    html = report(*argv)
    data = embedded(html)
    shown = shown_values(html)
    sel_keys = {k for k in shown if k.startswith("bias.selmodel.")}
    wald_keys = {k for k in shown if k.startswith("three_level.robust_wald.")}
    if data["bias"]["selmodel"] is not None:
        assert {"bias.selmodel.estimate", "bias.selmodel.lrt", "bias.selmodel.delta.1"} <= sel_keys
        assert "Vevea, J. L., &amp; Hedges, L. V. (1995)" in html
    else:
        assert "Selection model: not fitted" in html
    assert {"three_level.robust_wald.F", "three_level.robust_wald.pval"} <= wald_keys
    for key in sel_keys | wald_keys:
        assert float(shown[key]) == lookup(data, key), key
    assert "correlate ρ = 0.6" in html and "Tipton, E., &amp; Pustejovsky, J. E. (2015)" in html
    pool = cli_json(capsys, "pool", DATA, *argv[:-5], "--cluster", "study", "--rho", "0.6", "--robust")
    assert data["three_level"] == pool


def test_rows_left_out_are_listed_with_the_empty_column(tmp_path, report):
    f = tmp_path / "gaps.csv"
    f.write_text("id,r,n,mod\na,0.2,50,x\nb,0.3,,y\nc,,40,x\nd,0.25,80,\ne,0.1,120,y\nf,0.4,30,x\n")
    html = report("--r", "r", "--n", "n", "--labels", "id", "--mods", "mod", file=f)
    data = embedded(html)
    assert data["input"]["left_out"] == [{"row": 2, "line": 3, "empty": ["n"]}, {"row": 3, "line": 4, "empty": ["r"]},
                                         {"row": 4, "line": 5, "empty": ["mod"]}]
    assert data["pool"]["k"] == 3 and data["input"]["rows_read"] == 6
    assert "3 rows left out of every analysis, and why" in html


def test_a_labelled_row_with_no_values_is_read_and_left_out(tmp_path, report, capsys):
    """Issue 28: 'Ghost 2004,,' vanished ("5 data rows read", "No row was left out")."""
    f = tmp_path / "ghost.csv"
    f.write_text("study,r,n\nA 2001,0.3,50\nB 2002,0.1,120\nC 2003,0.25,80\nD 2004,0.2,60\nE 2005,0.35,45\n"
                 "Ghost 2004,,\n")
    html = report("--r", "r", "--n", "n", "--labels", "study", file=f)
    data = embedded(html)
    assert data["input"]["rows_read"] == 6 and data["input"]["left_out"] == [{"row": 6, "line": 7, "empty": ["r", "n"]}]
    assert "1 row left out of every analysis, and why" in html and "No row was left out" not in html
    for command in ("pool", "bias", "leave1out"):
        code, out, err = run(capsys, command, f, "--r", "r", "--n", "n", "--json")
        assert code == 0 and json.loads(out)["k"] if command == "pool" else True
        assert err == (f"note: {f}: 1 row with an empty value left out (row 6, line 7: r, n empty); 6 read, "
                       "5 used\n")
    code, out, err = run(capsys, "pool", f, "--r", "r", "--n", "n")
    assert "Rows: 6 read, 5 used, 1 left out (row 6, line 7: r, n empty)" in out
    assert "1 rows" not in out


def test_generic_effect_sizes_and_few_rows(tmp_path, report):
    f = tmp_path / "two.csv"
    f.write_text("yi,vi\n0.5,0.04\n0.1,0.02\n")
    html = report("--yi", "yi", "--vi", "vi", file=f)
    data = embedded(html)
    assert data["bias"] is None and "at least 3" in data["skipped"]["bias"]
    assert "Not computed: the bias tests need at least 3 effect sizes" in html
    assert "Fisher" not in html.split("<h2>References</h2>")[0]


def test_boundary_tau2_is_not_interpreted(tmp_path, report):
    f = tmp_path / "homog.csv"
    f.write_text("r,n\n0.30,100\n0.31,120\n0.29,90\n0.30,150\n")
    html = report("--r", "r", "--n", "n", file=f)
    assert embedded(html)["pool"]["tau2"] == 0.0
    assert "boundary of zero" in html and "not evidence that the true effects are equal" in html


def test_hostile_labels_and_column_names_stay_text(tmp_path, report):
    f = tmp_path / "hostile.csv"
    lines = ['"<b>r</b>",n,label'] + [f'0.{i + 2},{40 + 10 * i},"{lab.replace(chr(34), chr(34) * 2)}"'
                                     for i, lab in enumerate(HOSTILE)]
    f.write_text("\n".join(lines) + "\n")
    html = report("--r", "<b>r</b>", "--n", "n", "--labels", "label", "--title", "<i>t</i>", file=f)
    body = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    assert "<script>" not in body.lower() and "onerror=alert" not in body.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body and "<b>r</b>" not in body and "<title>&lt;i&gt;t&lt;/i&gt;</title>" in body
    block = re.search(r'id="alliance-meta-results">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block
    assert embedded(html)["input"]["columns"]["effect"] == ["<b>r</b>", "n"]


@pytest.mark.parametrize("content, message", [
    ("r,n\n0.2,50\n1.3,60\n0.1,40\n", "row 2 (line 3), column 'r'"),
    ("r,n\n", "no effect sizes"),
])
def test_a_failed_run_leaves_no_file(tmp_path, capsys, content, message):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    out = tmp_path / "r.html"
    code, stdout, err = run(capsys, "report", f, "--r", "r", "--n", "n", "-o", out)
    assert code == 2 and err.startswith("alliance-meta: error:") and err.count("\n") == 1
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("target, message", [("r.svg", "must end in .html"), ("nowhere/r.html", "does not exist")])
def test_bad_output_is_one_line(tmp_path, capsys, target, message):
    code, _, err = run(capsys, "report", DATA, "--r", "r", "--n", "n", "-o", tmp_path / target)
    assert code == 2 and message in err and err.count("\n") == 1


def test_unwritable_folder(tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores the mode: nothing to check with it
            return
        code, _, err = run(capsys, "report", DATA, "--r", "r", "--n", "n", "-o", folder / "r.html")
        assert code == 2 and "cannot be written" in err
    finally:
        folder.chmod(0o700)


def test_report_opens_in_chromium_offline_with_alt_text(tmp_path, report):
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (make test does this)")
    f = tmp_path / "hostile.csv"
    f.write_text("r,n,label\n" + "".join(f'0.{i + 2},{40 + 10 * i},"{lab.replace(chr(34), chr(34) * 2)}"\n'
                                         for i, lab in enumerate(HOSTILE)))
    path = tmp_path / "report.html"
    path.write_text(report("--r", "r", "--n", "n", "--labels", "label", file=f), encoding="utf-8")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = b.new_page()
        errors, requests, dialogs = [], [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto(path.as_uri(), wait_until="load")
        images = page.evaluate("""() => Array.from(document.images).map(i => ({
            ok: i.complete && i.naturalWidth > 0, alt: (i.getAttribute('alt') || '').trim()}))""")
        text = page.inner_text("body")
        b.close()
    assert errors == [] and requests == [] and dialogs == []
    assert len(images) == 3 and all(i["ok"] and i["alt"] for i in images)  # forest, funnel, leave-one-out
    assert '<script>alert("x")</script>' in text


def test_report_help_is_fast_to_reach(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--help"])
    assert exc.value.code == 0
    assert "-o OUT.html" in capsys.readouterr().out


def test_numbers_round_as_apa():
    from alliance_meta.cli.html import number, p_value

    assert number(0.2830, 2, leading_zero=False) == ".28"
    assert number(-0.034, 2, leading_zero=False) == "\u2212.03"
    assert number(-0.0001, 2) == "0.00"
    assert number(float("nan")) == "n/a" and number(None) == "n/a"
    assert p_value(0.0004) == "<i>p</i> &lt; .001" and p_value(0.0345) == "<i>p</i> = .035"
    assert math.isclose(float(number(12.345, 1)), 12.3)


def test_the_report_says_when_trim_and_fill_stopped_far_from_the_maximum(report, tmp_path):
    """The data of test_bias's flagged case (two studies of variance 1e-15 and 1e-20): the
    report carries the same warning as the text summary; the shipped data carry none."""
    import numpy as np

    rng = np.random.default_rng(301)
    k = int(rng.integers(520, 700))
    y = rng.normal(0.3, 0.2, k)
    v = rng.uniform(0.005, 0.05, k)
    ii = rng.choice(k, int(rng.integers(1, 5)), replace=False)
    v[ii] = 10.0 ** rng.uniform(-20, -10, ii.size)
    path = tmp_path / "precise.csv"
    path.write_text("yi,vi\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(y + np.sqrt(v), v)),
                    encoding="utf-8")
    assert "not reliable" in report("--yi", "yi", "--vi", "vi", file=path)
    assert "not reliable" not in report("--r", "r", "--n", "n", name="plain.html")


CLUSTERED = ("study,r,n,district\nA1,0.30,100,1\nA2,0.25,100,1\nA3,0.35,100,1\nB1,0.05,100,2\nB2,0.10,100,2\n"
             "B3,0.02,100,2\nC1,0.20,100,3\nC2,0.15,100,3\nC3,0.25,100,3\nD1,0.40,80,4\nD2,0.30,80,4\n")


def _prose(html: str, section: str) -> str:
    start = html.index(f"<h2>{section}")
    return re.sub(r"<[^>]+>", "", html[start:html.index("<h2>", start + 4)])


def test_the_report_leads_with_the_model_asked_for(tmp_path, report, capsys):
    """Issue 28: with --cluster --robust the results led with the random-effects estimate
    that ignores clustering; now the three-level CR2 result comes first, the other is named."""
    f = tmp_path / "clustered.csv"
    f.write_text(CLUSTERED)
    html = report("--r", "r", "--n", "n", "--cluster", "district", "--robust", file=f)
    data = embedded(html)
    rob = cli_json(capsys, "pool", f, "--r", "r", "--n", "n", "--cluster", "district", "--robust")
    assert data["three_level"] == rob
    results = _prose(html, "Results")
    first = results.split("For comparison only")[0]
    assert "three-level model with CR2 cluster-robust inference" in first
    assert f"r = {rob['r']:.2f}".replace("0.", ".") in first and f"t({rob['df']:.2f})" in first
    assert "For comparison only, the random-effects model that treats the 11 effect sizes as independent" in results
    shown = shown_values(html)
    assert float(shown["three_level.r"]) == rob["r"] and float(shown["three_level.df"]) == rob["df"]


def test_participants_are_counted_once_per_cluster_or_said_to_be_summed(tmp_path, report):
    f = tmp_path / "clustered.csv"
    f.write_text(CLUSTERED)
    html = report("--r", "r", "--n", "n", "--cluster", "district", file=f)
    assert embedded(html)["input"]["N"] == 380 and "each cluster's n counted once" in _prose(html, "Results")
    html = report("--r", "r", "--n", "n", file=f)
    assert embedded(html)["input"]["N"] == 1060 and "summed over effect sizes" in _prose(html, "Results")


def test_the_report_refuses_what_pool_refuses(tmp_path, capsys):
    f = tmp_path / "clustered.csv"
    f.write_text(CLUSTERED)
    for command in (["pool"], ["report", "-o", tmp_path / "r.html"]):
        code, out, err = run(capsys, *command, f, "--r", "r", "--n", "n", "--cluster", "district", "--test", "knha")
        assert code == 2 and err.count("\n") == 1 and "knha" in err
    assert not (tmp_path / "r.html").exists()


def test_max_rows_sets_where_the_forest_plot_is_left_out(tmp_path, report, capsys):
    f = tmp_path / "clustered.csv"
    f.write_text(CLUSTERED)
    html = report("--r", "r", "--n", "n", "--max-rows", "5", file=f)
    assert "The forest plot is left out: 11 rows exceed the 5" in html and "The rows analysed" not in html
    assert "The forest plot is left out" not in report("--r", "r", "--n", "n", "--max-rows", "11", file=f)
    with pytest.raises(SystemExit) as stop:
        main(["report", str(f), "--r", "r", "--n", "n", "--max-rows", "0", "-o", str(tmp_path / "x.html")])
    assert stop.value.code == 2 and "--max-rows: 0 is not above 0" in capsys.readouterr().err


def test_numbers_in_the_prose_carry_their_keys(tmp_path, report):
    """Issue 28: τ, N, the leave-one-out range and the flagged rows' statistics had no data-key."""
    f = tmp_path / "spread.csv"
    f.write_text("study,r,n\nA,0.6,50\nB,0.1,120\nC,0.25,80\nD,-0.2,60\nE,0.35,45\nF,0.15,200\nG,0.7,40\n")
    html = report("--r", "r", "--n", "n", "--labels", "study", file=f)
    data = embedded(html)
    shown = shown_values(html)
    for key in ("derived.tau", "derived.leave1out_min_r", "derived.leave1out_max_r", "input.N", "input.rows_read"):
        assert key in shown and float(shown[key]) == lookup(data, key), key
    assert data["derived"]["tau"] == math.sqrt(data["pool"]["tau2"])
    assert any(k.startswith("derived.q_share_pct_row") for k in shown)
    influence = _prose(html, "Influence")
    assert "studentised residual" in influence
    flagged = [k for k in shown if k.startswith("leave1out.rstudent.")]
    assert flagged and all(float(shown[k]) == lookup(data, k) for k in flagged)


def test_a_long_title_wraps():
    from alliance_meta.cli.html import STYLE

    assert "h1,h2,h3,p,li,td,th,caption,figcaption{overflow-wrap:anywhere}" in STYLE
