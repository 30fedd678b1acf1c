"""The effect direction plot and the harvest-style summary (alliance_meta.figures.directions):
one mark per unit with the right shape, rows with their n, groups, bars of the counts."""

from __future__ import annotations

import pytest
from figtools import by_gid, is_white

from alliance_meta.engine.directions import count_by, prioritise_directions
from alliance_meta.figures import direction_alt_text, direction_harvest, effect_direction_plot, save
from alliance_meta.figures.directions import STYLE

SAMPLES = ["s1", "s1", "s2", "s2", "s3", "s4", "s5", "s5", "s6"]
DOMAINS = ["child_symptoms", "engagement", "child_symptoms", "parenting", "engagement", "satisfaction",
           "child_symptoms", "engagement", "family_functioning"]
DIRS = ["favours", "favours", "against", "no_clear_direction", "not_reported", "favours", "favours", "against",
        "favours"]
N = {"s1": 234, "s2": 209, "s3": None, "s4": "331", "s5": 40, "s6": 12}
SETTING = {"s1": "parent_training", "s2": "outpatient_mh", "s3": "outpatient_mh", "s4": "home_visiting",
           "s5": "parent_training", "s6": "family_therapy"}


def test_one_mark_per_unit_with_its_shape():
    fig = effect_direction_plot(SAMPLES, DOMAINS, DIRS, n=N, groups=SETTING)
    assert is_white(fig)
    assert len(by_gid(fig, "direction")) == len(DIRS)
    for lab in STYLE:
        marks = by_gid(fig, f"direction-{lab}")
        assert len(marks) == DIRS.count(lab)
        assert all(m.get_marker() == STYLE[lab]["marker"] for m in marks)
    assert {m.get_marker() for m in by_gid(fig, "direction")} <= {"^", "v", "o", "x"}


def test_rows_show_n_and_columns_the_domains():
    fig = effect_direction_plot(SAMPLES, DOMAINS, DIRS, n=N, groups=SETTING)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == ["s1 (n = 234)", "s5 (n = 40)", "s2 (n = 209)", "s3 (n = ?)", "s4 (n = 331)", "s6 (n = 12)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["child symptoms", "engagement", "parenting",
                                                            "satisfaction", "family functioning"]
    headings = [t.get_text() for t in ax.texts if t.get_gid() == "group-heading"]
    assert headings == ["parent training", "outpatient mh", "home visiting", "family therapy"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 4 and legend[0].startswith("favours")


def test_marks_sit_in_their_cells():
    fig = effect_direction_plot(SAMPLES, DOMAINS, DIRS, n=N)  # no groups: rows in order of appearance
    ax = fig.axes[0]
    ys = {t.get_text().split(" ")[0]: y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    cols = [t.get_text().replace(" ", "_") for t in ax.get_xticklabels()]
    for mark in by_gid(fig, "direction"):
        x, y = mark.get_xdata()[0], mark.get_ydata()[0]
        sample = next(s for s, yy in ys.items() if yy == y)
        i = next(i for i, (s, d) in enumerate(zip(SAMPLES, DOMAINS)) if s == sample and d == cols[int(x)])
        assert mark.get_gid() == f"direction-{DIRS[i]}"


def test_a_prioritised_result_draws_directly(tmp_path):
    p = prioritise_directions(SAMPLES + ["s1"], DOMAINS + ["engagement"], DIRS + ["against"])
    fig = effect_direction_plot(p, n=N)
    assert len(by_gid(fig, "direction")) == len(p)
    save(fig, str(tmp_path / "edp.svg"))
    assert (tmp_path / "edp.svg").read_text(encoding="utf-8").startswith("<?xml")


def test_two_directions_in_one_cell_are_refused():
    with pytest.raises(ValueError, match="prioritise_directions"):
        effect_direction_plot(["s", "s"], ["d", "d"], ["favours", "against"])
    with pytest.raises(ValueError, match="not a direction"):
        effect_direction_plot(["s"], ["d"], ["positive"])


def test_harvest_bars_are_the_counts():
    results = count_by(DIRS, DOMAINS)
    fig = direction_harvest(results)
    assert is_white(fig)
    for lab, key in (("favours", "favours"), ("against", "against"), ("no_clear_direction", "unclear"),
                     ("not_reported", "not_reported")):
        bars = by_gid(fig, f"harvest-{lab}")
        assert len(bars) == len(results)
        assert [int(b.get_height()) for b in bars] == [getattr(r, key) for r in results.values()]
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0].startswith("child symptoms\n2/3 favour\n0.67 [0.21, 0.94]")
    assert "no direction" in labels[list(results).index("parenting")]


def test_harvest_from_labels_and_order():
    fig = direction_harvest(DOMAINS, DIRS, order=["engagement"])
    assert fig.axes[0].get_xticklabels()[0].get_text() == "engagement"
    assert sum(int(b.get_height()) for b in by_gid(fig, "harvest")) == len(DIRS)


def test_alt_text_counts_what_is_drawn():
    text = direction_alt_text(SAMPLES, DOMAINS, DIRS)
    assert text.startswith("Effect direction plot of 6 samples in 5 outcome domains (9 sample-domain results)")
    assert "5 favour" in text and "2 go against" in text and "1 have no clear direction" in text
