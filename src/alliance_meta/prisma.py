"""PRISMA 2020 flow counts from ``data/search_log.csv``, and the flow diagram.

The search log has one row per query: records found, screened (titles and abstracts
looked at), assessed (full text or table read for eligibility) and included, with
exclusion reasons written as ``reason: count; reason: count``. The flow diagram of
Page et al. (2021) needs the totals of those columns plus the number of studies and
reports that entered the dataset, which come from ``effect_sizes.csv``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_REASON = re.compile(r"^\s*(?P<reason>[^:;]+?)\s*:\s*(?P<count>\d+)\s*$")


def parse_reasons(text: str) -> Counter:
    """``'no r: 3; not readable: 2'`` -> Counter({'no r': 3, 'not readable': 2}).

    Parts without a count are ignored (a free-text remark is not a number of records).
    """
    out: Counter = Counter()
    for part in (text or "").split(";"):
        m = _REASON.match(part)
        if m:
            out[m["reason"].strip().lower()] += int(m["count"])
    return out


@dataclass
class FlowCounts:
    """Totals for each box of a PRISMA 2020 flow diagram (databases and registers only)."""

    searches: int
    identified: int
    screened: int
    assessed: int
    included_from_searches: int
    reports: int
    samples: int
    excluded_reasons: Counter = field(default_factory=Counter)

    @property
    def excluded_screening(self) -> int:
        """Records screened but not sought in full (screened minus assessed)."""
        return max(self.screened - self.assessed, 0)

    @property
    def excluded_full_text(self) -> int:
        """Reports assessed but not included (assessed minus included reports)."""
        return max(self.assessed - self.reports, 0)

    @property
    def reasons_logged(self) -> int:
        """Records with a logged exclusion reason, at screening or at full text (coders
        logged reasons at both stages, so this is not a count of either box)."""
        return int(sum(self.excluded_reasons.values()))


def flow_counts(search_log, effect_sizes) -> FlowCounts:
    """Add up the search log and count what was included.

    Parameters
    ----------
    search_log : pandas.DataFrame
        The ``search_log`` table.
    effect_sizes : pandas.DataFrame
        The ``effect_sizes`` table: reports are its distinct ``study`` keys (one
        bibliographic record each), samples its distinct ``sample`` ids.

    Returns
    -------
    FlowCounts
    """
    reasons: Counter = Counter()
    for text in search_log["excluded_reasons"].fillna(""):
        reasons.update(parse_reasons(str(text)))

    def total(col: str) -> int:
        return int(search_log[col].fillna(0).astype(int).sum())

    return FlowCounts(
        searches=len(search_log),
        identified=total("records_found"),
        screened=total("records_screened"),
        assessed=total("records_assessed"),
        included_from_searches=total("records_included"),
        reports=int(effect_sizes["study"].nunique()),
        samples=int(effect_sizes["sample"].nunique()),
        excluded_reasons=reasons,
    )


def flow_diagram(counts: FlowCounts, top_reasons: int = 5):
    """Draw the PRISMA 2020 flow diagram (identification, screening, included).

    Returns
    -------
    matplotlib.figure.Figure
        White background; boxes in the order of the PRISMA 2020 template for new
        systematic reviews that searched databases only.
    """
    import matplotlib.pyplot as plt  # the active backend: inline in a notebook, Agg headless
    from matplotlib.patches import FancyBboxPatch

    reasons = counts.excluded_reasons.most_common()
    shown = reasons[:top_reasons]
    rest = sum(c for _, c in reasons[top_reasons:])
    lines = [f"{why}: {c}" for why, c in shown] + ([f"other reasons: {rest}"] if rest else [])
    boxes = [
        ("Identification", f"Records identified by {counts.searches} searches\n(n = {counts.identified})",
         None),
        ("Screening", f"Records screened\n(n = {counts.screened})",
         f"Records excluded at screening\n(n = {counts.excluded_screening})"),
        ("", f"Reports assessed for eligibility\n(n = {counts.assessed})",
         "Reports excluded (n = {})\nReasons logged at either stage:\n{}".format(
             counts.excluded_full_text, "\n".join(lines) or "none logged")),
        ("Included", f"Studies included in the dataset\n(n = {counts.reports} reports,\n"
                     f"{counts.samples} independent samples)", None),
    ]
    fig, ax = plt.subplots(figsize=(8, 7.5), facecolor="white")
    ax.set_facecolor("white")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    ys = [8.8, 6.4, 4.0, 1.4]
    for (stage, main, side), y in zip(boxes, ys):
        ax.add_patch(FancyBboxPatch((1.3, y - 0.7), 4.0, 1.4, boxstyle="round,pad=0.05", fc="white", ec="black"))
        ax.text(3.3, y, main, ha="center", va="center", fontsize=9)
        if stage:
            ax.text(0.5, y, stage, rotation=90, ha="center", va="center", fontsize=10, fontweight="bold")
        if side:
            height = 1.4 if side.count("\n") < 3 else 0.3 * side.count("\n") + 0.6
            ax.add_patch(FancyBboxPatch((6.0, y - height / 2), 3.8, height, boxstyle="round,pad=0.05",
                                        fc="white", ec="black"))
            ax.text(7.9, y, side, ha="center", va="center", fontsize=8)
            ax.annotate("", xy=(6.0, y), xytext=(5.3, y), arrowprops={"arrowstyle": "->"})
    for upper, lower in zip(ys, ys[1:]):
        ax.annotate("", xy=(3.3, lower + 0.75), xytext=(3.3, upper - 0.75), arrowprops={"arrowstyle": "->"})
    fig.tight_layout()
    return fig
