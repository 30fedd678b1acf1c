"""Small-study tests in words: what they found, or why they are not read as results.

Egger's test, the rank correlation test, trim-and-fill and PET-PEESE have little power with few
samples, and their type I error is poorly controlled there; the Cochrane Handbook advises against
tests for funnel-plot asymmetry with fewer than ten studies. Below :data:`MIN_K` samples the
sentence therefore shows them as a demonstration of the method and says that they are not
reported as results.
"""

from __future__ import annotations

import math

from ..engine.wording import p_text, verdict
from .sentences import r_text

#: The fewest samples for which small-study tests are reported as results.
MIN_K = 10


def bias_words(bias, k: int) -> str:
    """One paragraph on a :class:`~alliance_meta.engine.bias.BiasResult` of ``k`` samples (Fisher z).

    Returns
    -------
    str
        From :data:`MIN_K` samples on, each test with its reading; below it, the same figures
        labelled as a demonstration that is not read as a result.
    """
    tf = bias.trimfill
    figures = (f"Egger's test z = {bias.egger_rma_z:.2f} ({p_text(bias.egger_rma_pval)}); the rank correlation "
               f"test τ = {bias.rank_tau:.2f} ({p_text(bias.rank_pval)}); trim-and-fill adds {tf.k0} sample"
               f"{'s' * (tf.k0 != 1)} on the {tf.side} side, adjusted r = {r_text(math.tanh(tf.estimate))} "
               f"({r_text(math.tanh(tf.ci_lb))} to {r_text(math.tanh(tf.ci_ub))}); PET and PEESE give "
               f"{r_text(math.tanh(bias.pet_estimate))} and {r_text(math.tanh(bias.peese_estimate))}")
    if k < MIN_K:
        return (f"With {k} samples, fewer than {MIN_K}, these tests cannot separate a small-study effect from chance "
                f"and are not reported as results; their figures show what the methods compute: {figures}.")
    reading = verdict(bias.egger_rma_pval, "less precise samples report larger correlations than precise ones",
                      "the test does not detect a relation between precision and the size of the correlation")
    return (f"With {k} samples, {reading}: {figures}. Small-study effects have other causes than selective "
            "publication, so they flag a pattern to explain, not a verdict on bias.")


def influence_words(samples, shift, cooks, influential=None) -> str:
    """Which sample moves the pooled estimate most, whether it is the one with the largest Cook's
    distance, and which samples metafor's rule flags as influential.

    Parameters
    ----------
    samples : sequence of str
        Sample ids, in the order of the other arrays.
    shift : array_like
        Pooled estimate without each sample minus the full estimate (any scale).
    cooks : array_like
        Cook's distances.
    influential : array_like of bool, optional
        metafor's ``is.infl`` flags.
    """
    import numpy as np

    shift = np.asarray(shift, dtype=float)
    cooks = np.asarray(cooks, dtype=float)
    if shift.size < 3:
        return "With fewer than three samples, influence is not examined."
    moves = int(np.nanargmax(np.abs(shift)))
    cook = int(np.nanargmax(cooks))
    text = f"Leaving {samples[moves]} out moves the pooled estimate most"
    text += (", and it also has the largest Cook's distance." if moves == cook else
             f"; the largest Cook's distance is {samples[cook]}'s, which weighs the change in every coefficient and "
             "its variance, not the estimate alone.")
    if influential is not None:
        flagged = [s for s, f in zip(samples, influential) if bool(f)]
        text += (" No sample is flagged as influential by metafor's rule." if not flagged else
                 f" metafor's rule flags {', '.join(flagged)} as influential.")
    return text


#: The fewest samples for which the tests, the leave-one-out and the cumulative fits are computed
#: (a test of asymmetry needs three points; leaving one out must leave two to pool).
MIN_FIT = 3


def _samples(k: int) -> str:
    return f"{k} sample{'s' * (k != 1)}"


def small_study_fit(yi, vi):
    """Every small-study test of :func:`alliance_meta.engine.bias_tests` (REML, Fisher z), or None
    with fewer than :data:`MIN_FIT` effect sizes.

    Returns
    -------
    BiasResult or None
    """
    if len(yi) < MIN_FIT:
        return None
    from ..engine.bias import bias_tests

    return bias_tests(yi, vi, method="REML", is_r=True)


def bias_paragraph(bias, k: int) -> str:
    """:func:`bias_words` for a fit of :func:`small_study_fit`, or a sentence saying that the tests
    cannot be computed on ``k`` samples."""
    if bias is None:
        return f"With {_samples(k)}, fewer than three, these tests cannot be computed."
    return bias_words(bias, k)


def fail_safe_text(bias) -> str:
    """Rosenthal's fail-safe N as a whole number, or 'not computed' without a fit."""
    return "not computed" if bias is None else f"{int(bias.fsn_rosenthal)}"


def fit_printout(fit) -> str:
    """The printed summary of a fit with its closing newline (print it with ``end=""``), or an
    empty string when there is none (a sentence in the text already says why)."""
    return "" if fit is None else fit.summary() + "\n"


def no_figure_words(k: int, figure: str) -> str | None:
    """Why a figure that needs :data:`MIN_FIT` samples is not drawn: 'Fewer than three samples: no
    funnel plot'; None when ``k`` samples are enough to draw it."""
    return None if k >= MIN_FIT else f"Fewer than three samples: no {figure}"


def trimfill_estimator_words(yi, vi) -> str:
    """The exercise's answer on the data: samples filled and adjusted r by trim-and-fill (L0) with
    the REML and the DerSimonian–Laird estimators of τ².

    Returns
    -------
    str
        A clause (no capital, no full stop): 'with REML trim-and-fill fills no samples (adjusted
        r = .27), with DL no samples (adjusted r = .28), so the number does not change'; below
        :data:`MIN_FIT` samples, that trim-and-fill is not run.
    """
    if len(yi) < MIN_FIT:
        return f"with {_samples(len(yi))}, fewer than three, trim-and-fill is not run"
    from ..engine.bias import trim_and_fill
    from ..engine.wording import number_word

    fits = {name: trim_and_fill(yi, vi, method=name) for name in ("REML", "DL")}

    def filled(tf) -> str:
        return (f"{number_word(tf.k0)} sample{'s' * (tf.k0 != 1)} (adjusted r = {r_text(math.tanh(tf.estimate))})")

    same = fits["REML"].k0 == fits["DL"].k0
    return (f"with REML trim-and-fill fills {filled(fits['REML'])}, with DL {filled(fits['DL'])}, so the number "
            + ("does not change" if same else "changes"))


__all__ = ["trimfill_estimator_words", "bias_words", "influence_words", "MIN_K", "MIN_FIT", "small_study_fit", "bias_paragraph",
           "fail_safe_text", "fit_printout", "no_figure_words"]
