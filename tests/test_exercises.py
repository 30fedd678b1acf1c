"""Every exercise solution in the book runs on the shipped data and shows something.

Each chapter is executed as the build executes it (MyST notebook, working directory
``book/``), with the code of each ``{solution}`` block appended as a cell of its own. A
solution must run without error and print or return a result that is not empty (an empty
table, an empty series, ``None`` or ``nan`` would be a solution that answers nothing). The
claims the solutions make in words are asserted in ``CLAIMS``: code run after the
solution, in the same namespace.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[1] / "book"
SOLUTION = re.compile(r"```\{solution\}\s+(\S+)\n(.*?)\n```", re.S)
CODE = re.compile(r"~~~python\n(.*?)\n~~~", re.S)
EMPTY = ("Empty DataFrame", "Series([]", "None", "nan", "[]", "()")

#: Checks of what a solution says in words, run after it (label -> Python statements).
CLAIMS = {
    # the population with the fewest published estimates still has one
    "syn-ex-population": "assert _result['count'].min() >= 1",
    # where the between-sample variance is zero, the three-level and naive SEs agree
    "dep-ex-naive": "assert ml is None or ml.sigma2_between > 1e-8 or abs(_result[0] - _result[1]) < 1e-6",
    # one of the two rater groups holds a single sample
    "het-ex-outcome-rater": ("assert ('cannot be made' in rater_groups_sentence(es, by_sample)) == "
                             "(min(len(by_sample(same)) if len(same) else 0, "
                             "len(by_sample(other)) if len(other) else 0) < 2)"),
    # the mandated referral level rests on a single study
    "pa-ex-mandated": ("from alliance_meta.evidence.moderators import levels\n"
                       "assert set(levels(ov, 'referral').query('single')['level']) == "
                       "set(_result.loc[_result['k_studies'] == 1, 'level'])"),
    # the four barriers the solution names are the ones without estimates
    "barriers-ex-data": "assert list(_result['name']) == without",
    # one review prints a symptom estimate for the parent's alliance; none for family or couple dyads
    # the glued sentences name what the solutions compute
    "agenda-ex-map": ("assert all((n > 0) == (d in ag_ex_words) for d, n in _result['symptoms'].items())"),
    "agenda-ex-rule": "assert (_result == 0) == ('no such' in ag_ex_rule_words)",
    # the solution's numbers are the glued sentence's
    "ov-ex-psychotherapy": "assert _result[0] == len(chosen) and _result[2] == len(wide)",
    "ov-ex-approx": "assert sorted(set(extra['overlap_group'])) == sorted(set(wider['overlap_group']) - set(chosen['overlap_group']))",
    # outcome and timing codes disagree more often than r
    "data-ex-disagree": "assert _result.get('r', 0) <= _result.get('alliance_timing', 0)",
}


def solutions(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    out = []
    for label, body in SOLUTION.findall(text):
        code = "\n".join(CODE.findall(body))
        if code.strip():
            out.append((label, code))
    return out


CHAPTERS = sorted(p for p in BOOK.glob("*.md") if solutions(p))
CASES = [(p.name, label) for p in CHAPTERS for label, _ in solutions(p)]


@pytest.fixture(scope="module")
def executed():
    """Run every chapter once with its solutions appended; label -> (outputs, error)."""
    results = {}
    for path in CHAPTERS:
        nb = jupytext.read(path)
        nb.cells = [c for c in nb.cells if c.cell_type == "code"]
        for label, code in solutions(path):
            lines = code.rstrip().splitlines()
            # the solution's value is kept as _result for the claims; its display is the output
            body = "\n".join(lines[:-1])
            last = lines[-1]
            check = CLAIMS.get(label, "")
            source = (f"{body}\n_result = ({last})\ndisplay(_result)\n{check}" if not last.startswith((" ", "\t"))
                      and not re.match(r"^(for|if|with|def|print|import|from)\b", last) else f"{code}\n{check}")
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["solution"] = label
            nb.cells.append(cell)
        client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(BOOK)}})
        client.execute()
        for cell in nb.cells:
            label = cell.metadata.get("solution")
            if label:
                errors = [o for o in cell.outputs if o.output_type == "error"]
                results[(path.name, label)] = (cell.outputs, errors)
    return results


def _text(outputs) -> str:
    parts = []
    for o in outputs:
        if o.output_type == "stream":
            parts.append(o.text)
        elif o.output_type in ("execute_result", "display_data"):
            parts.append(o.data.get("text/plain", "") or o.data.get("text/html", ""))
    return "\n".join(parts).strip()


@pytest.mark.parametrize("chapter,label", CASES, ids=[f"{c}:{lab}" for c, lab in CASES])
def test_solution_runs_and_answers(executed, chapter, label):
    outputs, errors = executed[(chapter, label)]
    assert not errors, f"{label}: {errors[0].ename}: {errors[0].evalue}"
    text = _text(outputs)
    assert text, f"{label} shows nothing"
    assert not any(text == e or text.startswith(e) for e in EMPTY), f"{label} shows an empty result: {text[:200]}"
    assert "Empty DataFrame" not in text and "Series([]" not in text, f"{label} shows an empty table: {text[:200]}"


def test_every_chapter_with_exercises_has_solutions_with_code():
    assert len(CASES) >= 15
