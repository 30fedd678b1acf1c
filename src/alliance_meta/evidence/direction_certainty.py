"""The certainty of the vote count of the parent's alliance, rated by the overview's written rules.

The count (:func:`alliance_meta.evidence.directions.synthesise`) is rated as one body of
evidence by :func:`alliance_meta.evidence.certainty.rate_direction_body`: its samples by
direction, the setting of each sample (the first of a sample coded in several), the samples
known only second-hand, and the Wilson interval of the proportion favouring. The question is
the parent's alliance in child and family services, every setting of the direction table
being part of it. What cannot be rated (no sample) is said in a sentence, never a NaN.
"""

from __future__ import annotations

#: The columns of the summary-of-findings table shown, in order, with their names in words.
SOF_COLUMNS = {"body": "Body of evidence", "k": "Samples", "risk_of_bias": "Risk of bias",
               "inconsistency": "Inconsistency", "imprecision": "Imprecision", "indirectness": "Indirectness",
               "publication_bias": "Publication bias", "certainty": "Certainty"}
#: The columns of the table of reasons, with their names in words.
REASON_COLUMNS = {"body": "Body of evidence", "risk_of_bias_reason": "Risk of bias: why",
                  "inconsistency_reason": "Inconsistency: why", "imprecision_reason": "Imprecision: why",
                  "indirectness_reason": "Indirectness: why", "publication_bias_reason": "Publication bias: why"}
#: The name of the rated body.
BODY = "parent's alliance, direction of effect"


def direction_certainty(synth, rows):
    """The summary-of-findings row of the vote count of the parent's alliance.

    Parameters
    ----------
    synth : alliance_meta.evidence.directions.Synthesis
        The count (:func:`~alliance_meta.evidence.directions.synthesise`).
    rows : pandas.DataFrame
        The rows of ``parent_directions`` it was counted from (for how each sample was read).

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :func:`~alliance_meta.evidence.certainty.summary_of_findings`
        (judgements, reasons and ``certainty``); no row when the count has no sample.
    """
    import pandas as pd

    from .certainty import COLUMNS, Question, rate_direction_body
    from .directions import SETTINGS, second_hand_samples

    o = synth.overall
    if not o.k:
        return pd.DataFrame(columns=list(COLUMNS))
    question = Question("the parent's alliance in child and family services", settings=frozenset(SETTINGS))
    per_setting = [str(g).split("+")[0] for g in synth.samples["setting"]]
    main = o.to_dict()
    return rate_direction_body(BODY, o.favours, o.against, o.unclear, o.not_reported, o.k, per_setting, question,
                               second_hand=second_hand_samples(rows, synth.alliance_with),
                               prop_ci=(main["ci_lb"], main["ci_ub"]))


def certainty_sentence(sof) -> str:
    """The certainty of the count in one sentence, or that there is nothing to rate.

    Parameters
    ----------
    sof : pandas.DataFrame
        :func:`direction_certainty`.
    """
    if not len(sof):
        return "With no sample, there is nothing to rate."
    return (f"Rated as a body of evidence by the same written rules as the overview's pools, the direction of the "
            f"parent's alliance has {sof['certainty'].iloc[0]} certainty.")


__all__ = ["SOF_COLUMNS", "REASON_COLUMNS", "BODY", "direction_certainty", "certainty_sentence"]
