"""``alliance-meta report``: one self-contained HTML report of a meta-analysis, in the
spirit of metafor's ``reporter()``: what was done (with references), the results in words
and numbers, the forest and funnel plots, heterogeneity, small-study effects, influence,
the meta-regression or three-level model when asked for, and the rows left out and why.

Every number comes from the engine through the same calls as ``pool``, ``bias`` and
``leave1out`` (their ``--json`` objects are embedded in the page), and every analysis uses
the same rows: those with a value in each column the report uses. The page is written
only when everything in it has been computed, and atomically, so a failed run leaves no file.
"""

from __future__ import annotations

import math
import os
import sys

from .common import check_output, effect_args, method_arg, mod_args, moderators, read
from .html import embedded_json, figure, number, p_value, table as html_table, text, value

#: forest plots and per-row tables beyond this many rows are left out of the page (named as such)
MAX_ROWS_SHOWN = 300
#: fewer effect sizes than this: asymmetry tests are too weak to read a null result as "no bias"
BIAS_POWER_K = 10

REFERENCES = {
    "begg1994": "Begg, C. B., & Mazumdar, M. (1994). Operating characteristics of a rank correlation test for "
                "publication bias. <i>Biometrics, 50</i>(4), 1088–1101.",
    "dersimonian1986": "DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. <i>Controlled "
                       "Clinical Trials, 7</i>(3), 177–188.",
    "duval2000": "Duval, S., & Tweedie, R. (2000). Trim and fill: A simple funnel-plot-based method of testing "
                 "and adjusting for publication bias in meta-analysis. <i>Biometrics, 56</i>(2), 455–463.",
    "egger1997": "Egger, M., Davey Smith, G., Schneider, M., & Minder, C. (1997). Bias in meta-analysis detected "
                 "by a simple, graphical test. <i>BMJ, 315</i>, 629–634.",
    "fisher1921": "Fisher, R. A. (1921). On the “probable error” of a coefficient of correlation deduced from a "
                  "small sample. <i>Metron, 1</i>, 3–32.",
    "hedges1985": "Hedges, L. V., & Olkin, I. (1985). <i>Statistical methods for meta-analysis</i>. Academic Press.",
    "higgins2002": "Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis. "
                   "<i>Statistics in Medicine, 21</i>(11), 1539–1558.",
    "higgins2009": "Higgins, J. P. T., Thompson, S. G., & Spiegelhalter, D. J. (2009). A re-evaluation of "
                   "random-effects meta-analysis. <i>Journal of the Royal Statistical Society: Series A, 172</i>(1), "
                   "137–159.",
    "hunter2004": "Hunter, J. E., & Schmidt, F. L. (2004). <i>Methods of meta-analysis: Correcting error and bias "
                  "in research findings</i> (2nd ed.). Sage.",
    "knapp2003": "Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with a "
                 "single covariate. <i>Statistics in Medicine, 22</i>(17), 2693–2710.",
    "konstantopoulos2011": "Konstantopoulos, S. (2011). Fixed effects and variance components estimation in "
                           "three-level meta-analysis. <i>Research Synthesis Methods, 2</i>(1), 61–76.",
    "morris1983": "Morris, C. N. (1983). Parametric empirical Bayes inference: Theory and applications. "
                  "<i>Journal of the American Statistical Association, 78</i>(381), 47–55.",
    "paule1982": "Paule, R. C., & Mandel, J. (1982). Consensus values and weighting factors. <i>Journal of "
                 "Research of the National Bureau of Standards, 87</i>(5), 377–385.",
    "peters2008": "Peters, J. L., Sutton, A. J., Jones, D. R., Abrams, K. R., & Rushton, L. (2008). "
                  "Contour-enhanced meta-analysis funnel plots help distinguish publication bias from other "
                  "causes of asymmetry. <i>Journal of Clinical Epidemiology, 61</i>(10), 991–996.",
    "pustejovsky2018": "Pustejovsky, J. E., & Tipton, E. (2018). Small-sample methods for cluster-robust variance "
                       "estimation and hypothesis testing in fixed effects models. <i>Journal of Business &amp; "
                       "Economic Statistics, 36</i>(4), 672–683.",
    "riley2011": "Riley, R. D., Higgins, J. P. T., & Deeks, J. J. (2011). Interpretation of random effects "
                 "meta-analyses. <i>BMJ, 342</i>, d549.",
    "rosenthal1979": "Rosenthal, R. (1979). The file drawer problem and tolerance for null results. "
                     "<i>Psychological Bulletin, 86</i>(3), 638–641.",
    "sidik2005": "Sidik, K., & Jonkman, J. N. (2005). Simple heterogeneity variance estimation for "
                 "meta-analysis. <i>Journal of the Royal Statistical Society: Series C, 54</i>(2), 367–384.",
    "stanley2014": "Stanley, T. D., & Doucouliagos, H. (2014). Meta-regression approximations to reduce "
                   "publication selection bias. <i>Research Synthesis Methods, 5</i>(1), 60–78.",
    "sterne2011": "Sterne, J. A. C., Sutton, A. J., Ioannidis, J. P. A., et al. (2011). Recommendations for "
                  "examining and interpreting funnel plot asymmetry in meta-analyses of randomised controlled "
                  "trials. <i>BMJ, 343</i>, d4002.",
    "viechtbauer2005": "Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the "
                       "random-effects model. <i>Journal of Educational and Behavioral Statistics, 30</i>(3), 261–293.",
    "viechtbauer2007": "Viechtbauer, W. (2007). Confidence intervals for the amount of heterogeneity in "
                       "meta-analysis. <i>Statistics in Medicine, 26</i>(1), 37–52.",
    "viechtbauer2010": "Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. "
                       "<i>Journal of Statistical Software, 36</i>(3), 1–48. https://doi.org/10.18637/jss.v036.i03",
    "viechtbauer2010b": "Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for "
                        "meta-analysis. <i>Research Synthesis Methods, 1</i>(2), 112–125.",
}

# the second breadth: the CHE working model, the HTZ test and the selection model
REFERENCES.update({
    "pustejovsky2022": "Pustejovsky, J. E., & Tipton, E. (2022). Meta-analysis with robust variance estimation: "
                       "Expanding the range of working models. <i>Prevention Science, 23</i>(3), 425–438.",
    "tipton2015": "Tipton, E., & Pustejovsky, J. E. (2015). Small-sample adjustments for tests of moderators and "
                  "model fit using robust variance estimation in meta-regression. <i>Journal of Educational and "
                  "Behavioral Statistics, 40</i>(6), 604–634.",
    "vevea1995": "Vevea, J. L., & Hedges, L. V. (1995). A general linear model for estimating effect size in the "
                 "presence of publication bias. <i>Psychometrika, 60</i>(3), 419–435.",
})

#: tau^2 estimator -> (its name in words, the reference key)
ESTIMATORS = {
    "REML": ("restricted maximum likelihood", "viechtbauer2005"),
    "ML": ("maximum likelihood", "viechtbauer2005"),
    "DL": ("the DerSimonian–Laird method of moments", "dersimonian1986"),
    "PM": ("the Paule–Mandel estimator", "paule1982"),
    "HE": ("the Hedges estimator", "hedges1985"),
    "SJ": ("the Sidik–Jonkman estimator", "sidik2005"),
    "HS": ("the Hunter–Schmidt estimator", "hunter2004"),
    "EB": ("the empirical Bayes estimator", "morris1983"),
}


def register(sub) -> None:
    p = sub.add_parser("report", help="one self-contained HTML report: methods, results, figures, diagnostics",
                       description="Write one HTML file (figures and styles inline, no outside request) with the "
                                   "methods, results, forest and funnel plots, heterogeneity, small-study effects, "
                                   "influence, and the meta-regression or three-level model when asked for.")
    effect_args(p)
    method_arg(p)
    p.add_argument("--test", default="z", choices=("z", "knha", "t"), metavar="TEST",
                   help="z (default), knha (Knapp-Hartung), or t (three-level model)")
    p.add_argument("--pi", default="z", choices=("z", "t"), metavar="PI",
                   help="prediction interval on z (default; t(k-1) with knha) or t: t(k-2), Higgins et al. 2009")
    p.add_argument("--labels", metavar="COL", help="column of row labels (default: row numbers)")
    mod_args(p, "moderator columns: add a meta-regression")
    p.add_argument("--cluster", metavar="COL", help="cluster column: add the three-level model")
    p.add_argument("--rho", type=float, metavar="R",
                   help="with --cluster: correlated and hierarchical effects, sampling errors correlated R in [0, 1)")
    p.add_argument("--robust", action="store_true", help="CR2 cluster-robust inference (with --cluster)")
    p.add_argument("--title", metavar="TEXT", help="title of the report (default: the file name)")
    p.add_argument("--max-rows", metavar="N", type=_positive_int, default=MAX_ROWS_SHOWN,
                   help=f"largest number of rows drawn in the forest plots and listed row by row "
                        f"(default {MAX_ROWS_SHOWN})")
    p.add_argument("-o", "--output", metavar="OUT.html", required=True, help="the report to write (.html)")
    p.set_defaults(func=cmd_report)


def _positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not above 0")
    return value


def cmd_report(args) -> int:
    from ..engine.errors import InputError

    check_output(args.output, (".html", ".htm"), "the report must end in .html", source=args.file)
    mods = moderators(args)
    if args.robust and not args.cluster:
        raise InputError("--robust needs --cluster COL")
    if args.rho is not None and not args.cluster:
        raise InputError("--rho needs --cluster COL")
    if args.test == "t" and not args.cluster:
        raise InputError("--test t applies to the three-level model (--cluster); use z or knha")
    if args.pi == "t" and args.method == "FE":
        raise InputError("--pi t: the fixed-effect model (--method FE) has no prediction interval")
    if args.test == "knha" and args.cluster:   # as pool refuses it: the three-level model has no knha
        raise InputError("--test knha does not apply to the three-level model (--cluster); use z or t")
    used = [*mods, *([args.cluster] if args.cluster else [])]
    table = read(args, used)
    from .plotting import _labels

    labels = _labels(args, table)
    analyses = analyse(table, method=args.method, test=args.test, mods=mods, cluster=args.cluster,
                       robust=args.robust, pi=args.pi, rho=args.rho)
    analyses["input"] = describe_input(args, table, used)
    analyses["max_rows"] = args.max_rows
    analyses["input"].update(participants(table, args.cluster))
    page_html = render(analyses, table, labels, title=args.title or f"Meta-analysis report: {os.path.basename(args.file)}")
    _write(args.output, page_html)
    if args.json:
        import json

        sys.stdout.write(json.dumps(results_json(analyses), allow_nan=False) + "\n")
    else:
        sys.stdout.write(f"wrote {args.output}\n")
    return 0


def _write(path: str, content: str) -> None:
    """Write the page atomically (nothing half-written is ever left at ``path``)."""
    from ..engine.errors import InputError
    from ..figures.base import write_atomically

    def fill(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(content)

    try:
        write_atomically(path, fill)
    except OSError as exc:
        raise InputError(f"-o {path}: cannot be written ({exc.strerror or type(exc).__name__})") from None


# --------------------------------------------------------------------------- the analyses


def analyse(table, *, method: str = "REML", test: str = "z", mods=(), cluster: str | None = None,
            robust: bool = False, pi: str = "z", rho: float | None = None) -> dict:
    """Every analysis of the report, on the rows of ``table``.

    Returns
    -------
    dict
        ``pool`` (PoolResult; intercept-only, ``test`` z or knha), ``bias`` (BiasResult or
        None) and ``leave1out`` (LeaveOneOutResult or None) with, for the ones that could
        not be computed, the reason under ``skipped[name]``; ``metareg`` (MetaRegResult)
        with ``mods``; ``three_level`` (ThreeLevelResult) with ``cluster`` (the CHE model with
        ``rho``). Locations are on the analysis scale (Fisher z for correlations). ``pi="t"``
        puts the pooled model's prediction interval on t(k - 2) (see :func:`alliance_meta.engine.pool`).
    """
    from ..engine.bias import bias_tests
    from ..engine.errors import InputError
    from ..engine.models import metareg, pool
    from ..engine.sensitivity import leave1out

    out: dict = {"method": method, "test": test, "skipped": {}, "is_r": table.is_r}
    out["pool"] = pool(table.yi, table.vi, method=method, test="z" if test == "t" else test,
                       back_transform=table.is_r, k_omitted=table.omitted, pi=pi)
    for name, run in (("bias", lambda: bias_tests(table.yi, table.vi, method=method, is_r=table.is_r)),
                      ("leave1out", lambda: leave1out(table.yi, table.vi, method=method, rows=table.rows,
                                                      is_r=table.is_r))):
        try:
            out[name] = run()
        except InputError as exc:  # too few rows, equal variances ...: say why in the page
            out[name] = None
            out["skipped"][name] = exc.problem
    if mods:
        out["metareg"] = metareg(table.yi, table.vi, {m: table.extra[m] for m in mods}, method=method,
                                 test="z" if test == "t" else test, k_omitted=table.omitted)
    if cluster:
        from .pooling import fit_three_level

        out["three_level"] = fit_three_level(table, cluster=cluster, mods=mods, test="t" if test == "t" else "z",
                                             robust=robust, method=method, rho=rho)
    return out


def results_json(analyses: dict) -> dict:
    """The report's numbers as one JSON object: the ``--json`` object of each analysis
    (``pool``, ``bias``, ``leave1out``, ``metareg``, ``three_level``; null when skipped)
    and ``input`` (file, its SHA-256, rows read, used and left out)."""
    out = {"input": analyses["input"]}
    for key in ("pool", "bias", "leave1out", "metareg", "three_level"):
        if key in analyses:
            res = analyses[key]
            out[key] = None if res is None else res.to_dict()
    tl = analyses.get("three_level")
    if tl is not None and tl.robust is not None:  # the model fit behind the robust contract
        out["three_level_model"] = tl.to_dict(model=True)
    out["skipped"] = analyses["skipped"]
    if analyses.get("derived"):
        out["derived"] = analyses["derived"]
    return out


def _derived(analyses: dict, key: str, x, shown: str) -> str:
    """A number the prose shows that no command's --json holds (τ, an estimate back-
    transformed to r, a share of Q): kept under ``derived`` in the embedded JSON, and
    shown carrying that key."""
    x = float(x)
    analyses.setdefault("derived", {})[key] = x
    return value(f"derived.{key}", x, shown)


def describe_input(args, table, used) -> dict:
    """The file (name and SHA-256 of its bytes), the columns used, the rows read, and each
    row left out with its physical line and the columns that were empty in it."""
    import hashlib

    effect_cols = [args.r, args.n] if args.r else [args.yi, args.vi]
    digest = hashlib.sha256()
    with open(args.file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return {"file": os.path.basename(args.file), "sha256": digest.hexdigest(), "rows_read": int(table.rows_read),
            "k": int(table.k), "rows_left_out": len(table.left_out), "columns": {"effect": effect_cols, "moderators": list(used)},
            "left_out": [dict(x) for x in table.left_out]}


def participants(table, cluster: str | None) -> dict:
    """The number of participants the report states: ``N`` and what it counts.

    ``N_counts`` is ``"clusters"`` when a cluster column is given and every cluster has one
    n (the usual case of several effect sizes from one sample: its n is counted once), and
    ``"effect sizes"`` otherwise (the n of every effect size summed: a participant who gives
    several effect sizes is counted more than once). Empty for generic effect sizes."""
    if not table.is_r or table.n is None or table.k == 0:
        return {}
    if cluster:
        import numpy as np

        ids = np.asarray([str(x) for x in table.extra[cluster]])
        _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        if np.all(table.n == table.n[first][inverse]):
            return {"N": int(round(float(table.n[first].sum()))), "N_counts": "clusters"}
    return {"N": int(round(float(table.n.sum()))), "N_counts": "effect sizes"}


def _n_words(inp: dict) -> str:
    """', N = 300 participants (each cluster's n counted once)' or the sum over effect sizes."""
    if "N" not in inp:
        return ""
    n = value("input.N", inp["N"], f"{inp['N']:,}")
    if inp["N_counts"] == "clusters":
        return f", <i>N</i> = {n} participants (each cluster's <i>n</i> counted once)"
    return (f"; their sample sizes sum to <i>N</i> = {n} (summed over effect sizes: a sample that gives several "
            "effect sizes is counted each time)")


# --------------------------------------------------------------------------- the page


class _Cites:
    """The references a page cites, numbered in order of first citation."""

    def __init__(self):
        self.order: list[str] = []

    def __call__(self, *keys: str) -> str:
        nums = []
        for key in keys:
            if key not in self.order:
                self.order.append(key)
            nums.append(str(self.order.index(key) + 1))
        return f"[{', '.join(nums)}]"

    def html(self) -> str:
        items = "".join(f'<li id="ref-{i + 1}">{REFERENCES[k].replace(" & ", " &amp; ")}</li>' for i, k in enumerate(self.order))
        return f'<ol class="refs">{items}</ol>'


def _r(x) -> float:
    return math.tanh(x)


def render(analyses: dict, table, labels, *, title: str) -> str:
    """The whole report as one HTML document (see the module docstring)."""
    from importlib.metadata import version

    from .html import page

    cite = _Cites()
    inp = analyses["input"]
    res = analyses["pool"]
    is_r = table.is_r
    parts = [f"<h1>{text(title)}</h1>",
             f'<p class="meta">File <code>{text(inp["file"])}</code> (SHA-256 <code>{inp["sha256"][:16]}…</code>); '
             f"{value('input.rows_read', inp['rows_read'], str(inp['rows_read']))} data "
             f"row{'s' if inp['rows_read'] != 1 else ''} read, {value('input.k', inp['k'], str(inp['k']))} used, "
             f"{value('input.rows_left_out', inp['rows_left_out'], str(inp['rows_left_out']))} left out. "
             f"Made by alliance-meta {text(version('alliance-meta'))}.</p>"]
    parts.append("<h2>Methods</h2>" + _methods(analyses, table, cite))
    parts.append("<h2>Results</h2>" + _results(analyses, table, labels, cite))
    parts.append("<h2>Heterogeneity</h2>" + _heterogeneity(res, table, labels, is_r, analyses))
    parts.append("<h2>Small-study effects</h2>" + _bias(analyses, table, cite))
    parts.append("<h2>Influence and leave-one-out</h2>" + _influence(analyses, table, labels)
                 + _influence_rule(analyses.get("leave1out"), table, labels))
    if "metareg" in analyses:
        parts.append("<h2>Meta-regression</h2>" + _metareg(analyses["metareg"], table))
    if "three_level" in analyses:
        parts.append("<h2>Three-level model</h2>" + _three_level(analyses["three_level"], table))
    parts.append("<h2>Data</h2>" + _data(analyses, table, labels))
    parts.append("<h2>References</h2>" + cite.html())
    parts.append(embedded_json(results_json(analyses), "alliance-meta-results"))
    return page(title, "\n".join(parts))


def _methods(analyses, table, cite) -> str:
    res = analyses["pool"]
    method, test = analyses["method"], analyses["test"]
    s = []
    if table.is_r:
        s.append("Correlations were transformed to Fisher's <i>z</i> with sampling variance 1/(<i>n</i> − 3) "
                 f"{cite('fisher1921')}; every model was fitted on <i>z</i>, and estimates and intervals were "
                 "back-transformed to <i>r</i> for reporting.")
    else:
        s.append("Effect sizes and their sampling variances were analysed as given in the file.")
    if res.is_fixed:
        s.append("A fixed-effect (inverse-variance) model was fitted.")
    else:
        words, key = ESTIMATORS[method]
        s.append(f"A random-effects model was fitted, with the between-study variance τ² estimated by {words} "
                 f"{cite(key)}.")
    if test == "knha":
        s.append(f"Tests and confidence intervals of the pooled estimate use the Knapp–Hartung adjustment "
                 f"and the <i>t</i> distribution {cite('knapp2003')}.")
    else:
        s.append("Tests and confidence intervals of the pooled estimate use the standard normal distribution.")
    if not res.is_fixed:
        s.append(f"Heterogeneity is described by Cochran's <i>Q</i>, τ² with its Q-profile confidence interval "
                 f"{cite('viechtbauer2007')}, and <i>I</i>² {cite('higgins2002')} with the interval that follows "
                 f"from τ²'s; the prediction interval gives the range in which the true effect of a new, "
                 f"comparable study is expected to fall {cite('riley2011')}.")
        s.append(_pi_method(res, cite))
    if analyses.get("bias") is not None:
        s.append(f"Small-study effects were examined with a contour-enhanced funnel plot {cite('peters2008')}, "
                 f"Egger's regression test {cite('egger1997')}, the rank correlation test {cite('begg1994')}, "
                 f"trim-and-fill with the L0 estimator {cite('duval2000')}, PET-PEESE {cite('stanley2014')} and, "
                 f"for completeness only, Rosenthal's fail-safe N {cite('rosenthal1979')}.")
    if analyses.get("leave1out") is not None:
        s.append(f"Each row was left out in turn, and its studentised residual, Cook's distance, leverage, "
                 f"DFFITS, DFBETAS and covariance ratio computed {cite('viechtbauer2010b')}.")
    if "metareg" in analyses:
        s.append("A mixed-effects meta-regression added the moderators (numeric columns as they are; other "
                 "columns treatment-coded, the first level in R's order as reference).")
    if "three_level" in analyses:
        tl = analyses["three_level"]
        s.append(f"A three-level model (rows nested in clusters, REML) accounted for rows that share a cluster "
                 f"{cite('konstantopoulos2011')}"
                 + (f", with CR2 cluster-robust standard errors and Satterthwaite degrees of freedom "
                    f"{cite('pustejovsky2018')}" if tl.robust is not None else "") + ".")
    s += _breadth_methods(analyses, cite)
    s.append(f"All computations used alliance-meta, whose results are tested against R's metafor "
             f"{cite('viechtbauer2010')}.")
    return "<p>" + " ".join(s) + "</p>"


def _estimate_words(res, is_r: bool, prefix: str = "pool") -> str:
    if is_r:
        return (f"<i>r</i> = {value(prefix + '.r', res.r, number(res.r, 2, leading_zero=False))}, "
                f"95% CI [{value(prefix + '.r_ci_lb', res.r_ci_lb, number(res.r_ci_lb, 2, leading_zero=False))}, "
                f"{value(prefix + '.r_ci_ub', res.r_ci_ub, number(res.r_ci_ub, 2, leading_zero=False))}]")
    return (f"{value(prefix + '.estimate', res.estimate, number(res.estimate, 3))}, 95% CI "
            f"[{value(prefix + '.ci_lb', res.ci_lb, number(res.ci_lb, 3))}, "
            f"{value(prefix + '.ci_ub', res.ci_ub, number(res.ci_ub, 3))}]")


def _stat_words(res) -> str:
    name = "<i>z</i>" if res.test == "z" else f"<i>t</i>({res.df})"
    return f"{name} = {value('pool.stat', res.stat, number(res.stat, 2))}, {value('pool.pval', res.pval, p_value(res.pval))}"


def _results(analyses, table, labels, cite) -> str:
    from ..figures.forests import forest

    res = analyses["pool"]
    is_r = table.is_r
    model = "fixed-effect" if res.is_fixed else "random-effects"
    n_text = _n_words(analyses["input"])
    what = "correlation" if is_r else "effect size"
    tl = analyses.get("three_level")
    s = []
    if tl is not None:
        # the model asked for comes first; the random-effects model is named as what it is
        s.append(_three_level_lead(tl, table, n_text, what))
        s.append(f"<p>For comparison only, the {model} model that treats the {value('pool.k', res.k, str(res.k))} "
                 f"effect sizes as independent (it ignores the clusters, so its interval is too narrow when they "
                 f"share samples) gave {_estimate_words(res, is_r)}, {_stat_words(res)}.")
    else:
        plain = " (without moderators)" if "metareg" in analyses else ""
        s.append(f"<p>Across <i>k</i> = {value('pool.k', res.k, str(res.k))} effect sizes{n_text}, the {model} "
                 f"pooled {what}{plain} was {_estimate_words(res, is_r)}, {_stat_words(res)}.")
        if plain:
            s.append(" The meta-regression asked for is in the section “Meta-regression” below.")
    if not res.is_fixed:
        if is_r:
            pi = (f"from <i>r</i> = {value('pool.r_pi_lb', res.r_pi_lb, number(res.r_pi_lb, 2, leading_zero=False))} "
                  f"to {value('pool.r_pi_ub', res.r_pi_ub, number(res.r_pi_ub, 2, leading_zero=False))}")
        else:
            pi = (f"from {value('pool.pi_lb', res.pi_lb, number(res.pi_lb, 3))} to "
                  f"{value('pool.pi_ub', res.pi_ub, number(res.pi_ub, 3))}")
        s.append(f" The 95% prediction interval ({_pi_name(res)}) ran {pi}.")
    s.append("</p>")
    if res.k < 2:
        s.append('<p class="note">With one effect size there is nothing to pool; the estimate is that row.</p>')
    shown = analyses.get("max_rows", MAX_ROWS_SHOWN)
    if table.k > shown:
        s.append(f'<p class="note">The forest plot is left out: {table.k} rows exceed the {shown} a '
                 "readable plot can hold (--max-rows sets that limit).</p>")
    elif table.k >= 2:
        fig = forest(table.yi, table.vi, labels, result=res, is_r=is_r)
        s.append(figure(fig, alt=f"Forest plot of {table.k} effect sizes with their 95% confidence intervals, the "
                                 f"pooled {model} estimate as a diamond"
                                 + ("" if res.is_fixed else " and its prediction interval") + ".",
                        caption=f"Forest plot: each row's estimate and 95% CI (box area proportional to its weight), "
                                f"the pooled {model} estimate (diamond)"
                                + ("" if res.is_fixed else " and the 95% prediction interval") + "."))
    return "".join(s)


def _three_level_lead(tl, table, n_text: str, what: str) -> str:
    """The first paragraph of the results with --cluster: the three-level model's pooled
    estimate (its CR2 result with --robust), or where its meta-regression is."""
    d = tl.to_dict()
    base = "three_level" if "k" in d else "three_level_model"   # the robust contract has no k
    k = value(f"{base}.k", tl.k, str(tl.k))
    m = value(f"{base}.n_clusters", tl.n_clusters, str(tl.n_clusters))
    robust = tl.robust is not None
    model = "three-level model" + (" with CR2 cluster-robust inference" if robust else "")
    if len(tl.names) > 1:
        return (f"<p>Across <i>k</i> = {k} effect sizes in {m} clusters{n_text}, the {model} was fitted with "
                "moderators: its coefficients are in the section “Three-level model” below.</p>")
    if table.is_r:
        est = (f"<i>r</i> = {value('three_level.r', d['r'], number(d['r'], 2, leading_zero=False))}, 95% CI "
               f"[{value('three_level.r_ci_lb', d['r_ci_lb'], number(d['r_ci_lb'], 2, leading_zero=False))}, "
               f"{value('three_level.r_ci_ub', d['r_ci_ub'], number(d['r_ci_ub'], 2, leading_zero=False))}]")
    else:
        est = (f"{value('three_level.estimate', d['estimate'], number(d['estimate'], 3))}, 95% CI "
               f"[{value('three_level.ci_lb', d['ci_lb'], number(d['ci_lb'], 3))}, "
               f"{value('three_level.ci_ub', d['ci_ub'], number(d['ci_ub'], 3))}]")
    if "df" in d and d["df"] is not None:
        name = f"<i>t</i>({value('three_level.df', d['df'], number(d['df'], 2 if robust else 0))})"
    else:
        name = "<i>z</i>"
    stat = f"{name} = {value('three_level.stat', d['stat'], number(d['stat'], 2))}, " \
           f"{value('three_level.pval', d['pval'], p_value(d['pval']))}"
    return (f"<p>Across <i>k</i> = {k} effect sizes in {m} clusters{n_text}, the {model} (the model asked for: "
            f"rows nested in clusters) gave a pooled {what} of {est}, {stat}.</p>")


def _heterogeneity(res, table, labels, is_r, analyses=None) -> str:
    from ..engine.heterogeneity import q_contributions

    analyses = {} if analyses is None else analyses
    if res.k < 2:
        return "<p>Heterogeneity cannot be estimated from one effect size.</p>"
    q = (f"<i>Q</i>({value('pool.Q_df', res.Q_df, str(res.Q_df))}) = {value('pool.Q', res.Q, number(res.Q, 2))}, "
         f"{value('pool.Q_pval', res.Q_pval, p_value(res.Q_pval))}")
    i2 = f"<i>I</i>² = {value('pool.I2', res.I2, number(res.I2, 1))}%"
    if res.is_fixed:
        return f"<p>{q}; {i2} (from <i>Q</i>; the fixed-effect model estimates no τ²).</p>"
    scale = " (on the Fisher <i>z</i> scale)" if is_r else ""
    s = [f"<p>{q}. τ² = {value('pool.tau2', res.tau2, number(res.tau2, 4))}, 95% CI "
         f"[{value('pool.tau2_ci_lb', res.tau2_ci_lb, number(res.tau2_ci_lb, 4))}, "
         f"{value('pool.tau2_ci_ub', res.tau2_ci_ub, number(res.tau2_ci_ub, 4))}]{scale}; τ = "
         f"{_derived(analyses, 'tau', math.sqrt(res.tau2), number(math.sqrt(res.tau2), 3))}; {i2}, 95% CI "
         f"[{value('pool.I2_ci_lb', res.I2_ci_lb, number(res.I2_ci_lb, 1))}%, "
         f"{value('pool.I2_ci_ub', res.I2_ci_ub, number(res.I2_ci_ub, 1))}%]; <i>H</i>² = "
         f"{value('pool.H2', res.H2, number(res.H2, 2))}.</p>"]
    if res.tau2 <= 0.0:
        s.append('<p class="note">τ² is estimated at its boundary of zero. This is not evidence that the true '
                 "effects are equal: with these rows, heterogeneity too small to detect cannot be told apart from "
                 "none, and the upper limit of its interval says how much could be there.</p>")
    if res.k < 10:
        s.append(f'<p class="note">With {value("pool.k", res.k, str(res.k))} effect sizes the <i>Q</i> test has little power, and τ² and '
                 "<i>I</i>² are imprecise (see their intervals).</p>")
    share = q_contributions(table.yi, table.vi) / res.Q if res.Q > 0 else None
    if share is not None and res.Q_pval < 0.05:
        import numpy as np

        top = [int(i) for i in np.argsort(-share, kind="stable")[:3] if share[i] >= 0.2]
        if top:
            named = "; ".join(f"row {table.rows[i]} ({text(labels[i])}): "
                              f"{_derived(analyses, f'q_share_pct_row{table.rows[i]}', 100 * share[i], number(100 * share[i], 0))}%"
                              for i in top)
            s.append(f"<p>The rows that contribute most to <i>Q</i> (share of the fixed-effect <i>Q</i>): {named}.</p>")
    return "".join(s)


def _bias(analyses, table, cite) -> str:
    b = analyses.get("bias")
    if b is None:
        return f"<p>Not computed: {text(analyses['skipped'].get('bias', ''))}.</p>"
    from ..figures.funnels import funnel

    is_r = table.is_r
    tf = b.trimfill
    back = (lambda z, key: value(key, z, f"{number(z, 3)} (<i>r</i> = {number(_r(z), 2, leading_zero=False)})")) if is_r \
        else (lambda z, key: value(key, z, number(z, 3)))
    s = []
    if b.k < BIAS_POWER_K:
        s.append(f'<p class="note">With {value("pool.k", b.k, str(b.k))} effect sizes (fewer than {BIAS_POWER_K}) these tests have too little '
                 "power to tell chance from real funnel-plot asymmetry, and a non-significant result does not show "
                 f"that small-study effects are absent {cite('sterne2011')}.</p>")
    s.append(f"<p>Egger's regression test: <i>z</i> = {value('bias.egger_rma_z', b.egger_rma_z, number(b.egger_rma_z, 2))}, "
             f"{value('bias.egger_rma_pval', b.egger_rma_pval, p_value(b.egger_rma_pval))} (mixed-effects, the "
             f"standard error as predictor); <i>t</i>({value('bias.egger_lm_df', b.egger_lm_df, str(b.egger_lm_df))}) = "
             f"{value('bias.egger_lm_t', b.egger_lm_t, number(b.egger_lm_t, 2))}, "
             f"{value('bias.egger_lm_pval', b.egger_lm_pval, p_value(b.egger_lm_pval))} (weighted least squares). "
             f"Rank correlation: Kendall's τ = {value('bias.rank_tau', b.rank_tau, number(b.rank_tau, 2))}, "
             f"{value('bias.rank_pval', b.rank_pval, p_value(b.rank_pval))}. "
             f"Trim-and-fill filled {value('bias.trimfill.k0', tf.k0, str(tf.k0))} effect size(s) on the "
             f"{text(tf.side)}, giving {back(tf.estimate, 'bias.trimfill.estimate')}, 95% CI "
             f"[{value('bias.trimfill.ci_lb', tf.ci_lb, number(tf.ci_lb, 3))}, "
             f"{value('bias.trimfill.ci_ub', tf.ci_ub, number(tf.ci_ub, 3))}]"
             f"{' on the <i>z</i> scale' if is_r else ''}. "
             f"PET estimate {back(b.pet_estimate, 'bias.pet_estimate')}; PEESE estimate "
             f"{back(b.peese_estimate, 'bias.peese_estimate')}. "
             f"Fail-safe N (Rosenthal) = {value('bias.fsn_rosenthal', b.fsn_rosenthal, str(b.fsn_rosenthal))}; it "
             "ignores heterogeneity and the size of the missing effects and is not a test of bias.</p>")
    if tf.stopped_early:
        s.append(f'<p class="note">{text(tf.STOPPED_EARLY_NOTE.replace("tau^2", "τ²"))}</p>')
    s.append(_selmodel(b, is_r))
    fig = funnel(table.yi, table.vi, estimate=b.estimate, trimfill=tf, is_r=is_r)
    s.append(figure(fig, alt=f"Contour-enhanced funnel plot of {table.k} effect sizes against their standard errors"
                             f", with {tf.k0} filled-in effect size(s) from trim-and-fill drawn as open circles.",
                    caption="Funnel plot: effect size against standard error (shaded: regions where a single "
                            "effect would be significant at p &lt; .10, .05, .01); open circles are the effects "
                            "trim-and-fill adds."))
    return "".join(s)


def _breadth_methods(analyses, cite) -> list[str]:
    """The methods' sentences on the selection model, the CHE working model and the HTZ test."""
    s = []
    b, tl = analyses.get("bias"), analyses.get("three_level")
    if b is not None and b.selmodel is not None:
        s.append(f"A three-parameter selection model with one step at one-sided <i>p</i> = .025 {cite('vevea1995')} "
                 "estimated the effect adjusted for the selective publication of significant results.")
    if tl is not None and tl.rho is not None:
        s.append(f"In the three-level model the sampling errors of rows in one cluster were taken to correlate "
                 f"ρ = {tl.rho:g} (the correlated and hierarchical effects working model {cite('pustejovsky2022')}).")
    if tl is not None and tl.robust is not None and tl.robust.wald is not None:
        s.append(f"The moderators were tested together by the robust Wald test with the HTZ small-sample correction "
                 f"{cite('tipton2015')}.")
    return s


def _selmodel(b, is_r: bool) -> str:
    """The selection model's paragraph (``bias.selmodel`` keys), or why it was not fitted."""
    sel = b.selmodel
    if sel is None:
        return f"<p>Selection model: not fitted ({text(b.selmodel_note)}).</p>" if b.selmodel_note else ""
    est = value("bias.selmodel.estimate", sel.estimate, number(sel.estimate, 3))
    if is_r:
        est += f" (<i>r</i> = {number(_r(sel.estimate), 2, leading_zero=False)})"
    s = [f"<p>Selection model (one step at one-sided <i>p</i> = .025; {sel.k_interval[0]} effect size(s) below it, "
         f"{sel.k_interval[1]} above): adjusted estimate {est}, 95% CI "
         f"[{value('bias.selmodel.ci_lb', sel.ci_lb, number(sel.ci_lb, 3))}, "
         f"{value('bias.selmodel.ci_ub', sel.ci_ub, number(sel.ci_ub, 3))}]{' on the <i>z</i> scale' if is_r else ''}; "
         f"τ² = {value('bias.selmodel.tau2', sel.tau2, number(sel.tau2, 4))}; non-significant results are published "
         f"with relative weight δ = {value('bias.selmodel.delta.1', sel.delta[1], number(sel.delta[1], 2))}; "
         f"likelihood-ratio test of δ = 1: χ²(1) = {value('bias.selmodel.lrt', sel.lrt, number(sel.lrt, 2))}, "
         f"{value('bias.selmodel.lrt_pval', sel.lrt_pval, p_value(sel.lrt_pval))}.</p>"]
    if sel.note:
        s.append(f'<p class="note">{text(sel.note.replace("tau^2", "τ²"))}</p>')
    if min(sel.k_interval) < 4:
        s.append(f'<p class="note">With {min(sel.k_interval)} effect size(s) on one side of the step, the weight δ '
                 "rests on very few rows; read the adjusted estimate with caution.</p>")
    return "".join(s)


def _robust_wald(rb) -> str:
    """The HTZ robust Wald test of all moderator coefficients (``three_level.robust_wald``)."""
    wd = rb.wald
    if wd is None:
        return ""
    df2 = wd["df_denom"]
    s = (f"<p>Robust Wald test of the {wd['df_num']} moderator coefficient(s) together (CR2, HTZ): "
         f"<i>F</i>({wd['df_num']}, {value('three_level.robust_wald.df_denom', df2, number(df2, 2))}) = "
         f"{value('three_level.robust_wald.F', wd['F'], number(wd['F'], 2))}, "
         f"{value('three_level.robust_wald.pval', wd['pval'], p_value(wd['pval']))}.</p>")
    if df2 < 4:
        s += (f'<p class="note">The test has {number(df2, 2)} denominator degrees of freedom (fewer than 4): '
              "too few clusters inform these coefficients for its p-value to be trusted.</p>")
    return s


def _influence(analyses, table, labels) -> str:
    l1o = analyses.get("leave1out")
    if l1o is None:
        return f"<p>Not computed: {text(analyses['skipped'].get('leave1out', ''))}.</p>"
    import numpy as np

    k = l1o.estimate.size
    tx = _r if table.is_r else (lambda z: z)
    flagged = [i for i in range(k) if abs(l1o.rstudent[i]) > 1.96 or l1o.cooks[i] > 4.0 / k]
    lo, hi = int(np.argmin(l1o.estimate)), int(np.argmax(l1o.estimate))
    digits = 2 if table.is_r else 3
    lz = {"leading_zero": not table.is_r}
    def shown_estimate(i: int, name: str) -> str:
        if table.is_r:   # the r the reader sees is not in --json (Fisher z is)
            return _derived(analyses, f"leave1out_{name}_r", tx(l1o.estimate[i]), number(tx(l1o.estimate[i]), digits, **lz))
        return value(f"leave1out.estimate.{i}", l1o.estimate[i], number(l1o.estimate[i], digits, **lz))

    s = [f"<p>Leaving out one row at a time, the pooled estimate ranged from "
         f"{shown_estimate(lo, 'min')} (without row {table.rows[lo]}, {text(labels[lo])}) to "
         f"{shown_estimate(hi, 'max')} (without row {table.rows[hi]}, {text(labels[hi])})"
         f"{' on the r scale' if table.is_r else ''}.</p>"]
    if flagged:
        named = "; ".join(f"row {table.rows[i]} ({text(labels[i])}: studentised residual "
                          f"{value(f'leave1out.rstudent.{i}', l1o.rstudent[i], number(l1o.rstudent[i], 2))}, "
                          f"Cook's distance {value(f'leave1out.cooks.{i}', l1o.cooks[i], number(l1o.cooks[i], 2))})"
                          for i in flagged)
        s.append(f"<p>Influential or outlying by the rule used here (|studentised residual| &gt; 1.96 or Cook's "
                 f"distance &gt; 4/<i>k</i>): {named}. A flag asks for a second look at that row's coding and design; "
                 "it is not a reason to drop the row.</p>")
    else:
        s.append("<p>No row is flagged by the rule used here (|studentised residual| &gt; 1.96 or Cook's distance "
                 "&gt; 4/<i>k</i>).</p>")
    if k <= analyses.get("max_rows", MAX_ROWS_SHOWN):
        from ..figures.forests import leave1out_plot

        fig = leave1out_plot(l1o, labels)
        s.append(figure(fig, alt=f"Leave-one-out plot: the pooled estimate and its 95% CI with each of the {k} rows "
                                 "left out in turn, beside the estimate from all rows.",
                        caption="Leave-one-out: the pooled estimate without each row (the dashed line is the "
                                "estimate from all rows)."))
        head = ["Row", "Label", "Estimate without it", "τ² without it", "Studentised residual", "Cook's distance", "Hat"]
        rows = [[str(table.rows[i]), text(labels[i]), value(f"leave1out.estimate.{i}", l1o.estimate[i], number(tx(l1o.estimate[i]), digits, **lz)),
                 value(f"leave1out.tau2.{i}", l1o.tau2[i], number(l1o.tau2[i], 4)),
                 value(f"leave1out.rstudent.{i}", l1o.rstudent[i], number(l1o.rstudent[i], 2)),
                 value(f"leave1out.cooks.{i}", l1o.cooks[i], number(l1o.cooks[i], 3)),
                 value(f"leave1out.hat.{i}", l1o.hat[i], number(l1o.hat[i], 3))] for i in range(k)]
        s.append(html_table(head, rows, caption="Leave-one-out fits and influence of each row"
                                           + (" (estimates back-transformed to r)" if table.is_r else ""),
                       numeric={0, 2, 3, 4, 5, 6}, flagged=set(flagged)))
    return "".join(s)


def _pi_name(res) -> str:
    """Which prediction interval the pooled model's is, in words."""
    if res.pi == "t":
        return f"on <i>t</i>({res.pi_df}), <i>k</i> − 2 degrees of freedom"
    return "on the normal distribution" if res.test == "z" else f"on <i>t</i>({res.df}), as the Knapp–Hartung test"


def _pi_method(res, cite) -> str:
    """The methods' sentence on the prediction interval's critical value."""
    if res.pi == "t":
        return (f"The prediction interval uses the <i>t</i> distribution with <i>k</i> − 2 degrees of freedom "
                f"{cite('higgins2009')}, around the estimate and standard error above.")
    if res.test == "z":
        return "The prediction interval uses the standard normal distribution."
    return "The prediction interval uses the <i>t</i> distribution of the Knapp–Hartung test."


def _influence_rule(l1o, table, labels) -> str:
    """The rows that metafor's ``influence()`` flags (its ``is.infl`` rule), named with the
    diagnostics that flag them; every number carries its ``leave1out --json`` key."""
    if l1o is None or l1o.influential is None:
        return ""
    k = l1o.estimate.size
    cut = 3.0 * math.sqrt(1.0 / (k - 1)) if k > 1 else float("inf")
    rule = (f"metafor's rule: |DFFITS| &gt; 3√(1/(<i>k</i> − 1)) = {number(cut, 3)}, Cook's distance above the "
            f"median of χ²(1), hat value &gt; 3/<i>k</i> = {number(3.0 / k, 3)}, or |DFBETAS| &gt; 1")
    hit = l1o.flagged()
    if not hit:
        unknown = sum(f is None for f in l1o.influential)
        return (f"<p>No row is influential by {rule}"
                + (f" ({unknown} rows could not be judged)" if unknown else "") + ".</p>")
    named = "; ".join(
        f"row {table.rows[i]} ({text(labels[i])}: DFFITS {value(f'leave1out.dffits.{i}', l1o.dffits[i], number(l1o.dffits[i], 2))}, "
        f"Cook's distance {value(f'leave1out.cooks.{i}', l1o.cooks[i], number(l1o.cooks[i], 2))}, "
        f"hat {value(f'leave1out.hat.{i}', l1o.hat[i], number(l1o.hat[i], 3))}, "
        f"DFBETAS {value(f'leave1out.dfbetas.{i}', l1o.dfbetas[i], number(l1o.dfbetas[i], 2))}, "
        f"covariance ratio {value(f'leave1out.cov_r.{i}', l1o.cov_r[i], number(l1o.cov_r[i], 2))})" for i in hit)
    return f"<p>Influential by {rule}: {named}.</p>"


def _coef_table(coefs, crit: str, caption: str, prefix: str | None, single: str | None = None) -> str:
    """A coefficient table whose cells carry the --json keys: ``prefix.i.field`` for a list
    of coefficients, or ``single.field`` when the JSON holds one estimate at its top level
    (``prefix`` None). Coefficients with their own ``df`` (CR2 Satterthwaite) get a df column."""
    per_df = any("df" in c for c in coefs)
    head = ["Coefficient", "Estimate", "SE", crit, *(["df"] if per_df else []), "p", "95% CI"]
    rows = []
    for i, c in enumerate(coefs):
        at = f"{prefix}.{i}" if prefix is not None else single
        row = [text(c["name"]), value(f"{at}.estimate", c["estimate"], number(c["estimate"], 3)),
               value(f"{at}.se", c["se"], number(c["se"], 3)),
               value(f"{at}.stat", c["stat"], number(c["stat"], 2))]
        if per_df:
            row.append(value(f"{at}.df", c["df"], number(c["df"], 2)))
        row += [value(f"{at}.pval", c["pval"], p_value(c["pval"]).replace("<i>p</i> = ", "").replace("<i>p</i> ", "")),
                f"[{value(f'{at}.ci_lb', c['ci_lb'], number(c['ci_lb'], 3))}, "
                f"{value(f'{at}.ci_ub', c['ci_ub'], number(c['ci_ub'], 3))}]"]
        rows.append(row)
    return html_table(head, rows, caption=caption, numeric=set(range(1, len(head) - 1)))


def _metareg(mr, table) -> str:
    d = mr.to_dict()
    crit = "z" if mr.test == "z" else f"t({mr.df})"
    scale = " (Fisher z scale)" if table.is_r else ""
    s = [_coef_table(d["coefficients"], crit, f"Meta-regression coefficients{scale}", "metareg.coefficients")]
    test = "Q<sub>M</sub>" if mr.test == "z" else "<i>F</i>"
    r2 = "n/a" if mr.R2 is None else f"{value('metareg.R2', mr.R2, number(mr.R2, 1))}%"
    s.append(f"<p>Test of the moderators: {test}({value('metareg.QM_df', mr.QM_df, str(mr.QM_df))}{'' if mr.test == 'z' else ', ' + str(mr.df)}) = "
             f"{value('metareg.QM', mr.QM, number(mr.QM, 2))}, {value('metareg.QM_pval', mr.QM_pval, p_value(mr.QM_pval))}. "
             f"Residual τ² = {value('metareg.tau2', mr.tau2, number(mr.tau2, 4))}; residual <i>I</i>² = "
             f"{value('metareg.I2', mr.I2, number(mr.I2, 1))}%; <i>R</i>² = {r2}.</p>")
    per = mr.k / max(1, len(mr.coefficients) - 1)
    notes = ["A meta-regression compares studies, not conditions within a study: an association here may be "
             "confounded by anything else that differs between the studies."]
    if per < 10:
        notes.append(f"With {value('metareg.k', mr.k, str(mr.k))} effect sizes for {len(mr.coefficients) - 1} moderator coefficient(s) (fewer than "
                     "10 per coefficient), the coefficients are imprecise and <i>R</i>² is unstable.")
    s.append('<p class="note">' + " ".join(notes) + "</p>")
    return "".join(s)


def _three_level(tl, table) -> str:
    crit = "z" if tl.test == "z" else f"t({tl.df})"
    # data-keys follow the --json object: ``three_level`` is the model unless a robust fit
    # replaces it there, in which case the model fit is ``three_level_model``
    key = "three_level" if tl.robust is None else "three_level_model"
    coefs = tl.coefficient_rows()
    scale = " (Fisher z scale)" if table.is_r else ""
    model = "Three-level model" if tl.rho is None else f"Correlated and hierarchical effects model (ρ = {tl.rho:g})"
    s = [_coef_table(coefs, crit, f"{model}: {tl.k} effect sizes in {tl.n_clusters} clusters{scale}",
                     f"{key}.coefficients" if len(coefs) > 1 else None, key)]
    s.append(f"<p>Between-cluster variance σ² = {value(f'{key}.sigma2_between', tl.sigma2_between, number(tl.sigma2_between, 4))}; "
             f"within-cluster variance σ² = {value(f'{key}.sigma2_within', tl.sigma2_within, number(tl.sigma2_within, 4))}; "
             f"<i>Q</i>({tl.Q_df}) = {value(f'{key}.Q', tl.Q, number(tl.Q, 2))}, "
             f"{value(f'{key}.Q_pval', tl.Q_pval, p_value(tl.Q_pval))}.</p>")
    if tl.robust is not None:
        rb = tl.robust
        rcoefs = [{"name": n, **rb.coefficient(i)} for i, n in enumerate(rb.names)]
        s.append(_coef_table(rcoefs, "t", "CR2 cluster-robust inference (Satterthwaite df)",
                             "three_level.coefficients" if len(rcoefs) > 1 else None, "three_level"))
        s.append(_robust_wald(rb))
        if tl.n_clusters < 20:
            s.append(f'<p class="note">With {tl.n_clusters} clusters, robust standard errors rest on few units; '
                     "read the Satterthwaite degrees of freedom beside each test.</p>")
    if tl.extra.get("note"):
        s.append(f'<p class="note">{text(tl.extra["note"])}</p>')
    for name, v in (("between", tl.sigma2_between), ("within", tl.sigma2_within)):
        if v <= 0.0:
            s.append(f'<p class="note">The {name}-cluster variance is estimated at its boundary of zero; it is not '
                     "interpreted.</p>")
    return "".join(s)


def _data(analyses, table, labels) -> str:
    inp = analyses["input"]
    s = []
    if inp["left_out"]:
        rows = [[str(x["row"]), str(x["line"]), text(", ".join(x["empty"]) or "(a value the model needs)")]
                for x in inp["left_out"]]
        s.append(html_table(["Row", "Line", "Empty column(s)"], rows,
                            caption=f"{len(rows)} row{'s' if len(rows) != 1 else ''} left out of every analysis, "
                                    "and why", numeric={0, 1}))
    else:
        s.append("<p>No row was left out: every row has a value in each column the report uses.</p>")
    if table.k <= analyses.get("max_rows", MAX_ROWS_SHOWN):
        if table.is_r:
            head = ["Row", "Label", "r", "n", "Fisher z", "Variance"]
            rows = [[str(table.rows[i]), text(labels[i]), number(table.r[i], 3), f"{table.n[i]:g}",
                     number(table.yi[i], 4), number(table.vi[i], 5)] for i in range(table.k)]
        else:
            head = ["Row", "Label", "Effect size", "Variance"]
            rows = [[str(table.rows[i]), text(labels[i]), number(table.yi[i], 4), number(table.vi[i], 5)]
                    for i in range(table.k)]
        s.append("<details><summary>The rows analysed</summary>"
                 + html_table(head, rows, caption="The rows analysed", numeric=set(range(2, len(head))) | {0})
                 + "</details>")
    return "".join(s)
