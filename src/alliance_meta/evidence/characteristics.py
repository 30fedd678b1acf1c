"""Tables that describe the coded studies (the "characteristics of included studies")."""

from __future__ import annotations


def _join(values) -> str:
    return ", ".join(sorted({str(v) for v in values if isinstance(v, str) and v}))


def study_characteristics(frame, refs):
    """One row per study: label, year, country, design, dyads, raters, largest n, rows.

    Returns
    -------
    pandas.DataFrame
        Sorted by year then label; multi-valued codes are joined with commas.
    """
    import pandas as pd

    from .bibliography import labels

    rows = []
    for key, part in frame.groupby("study", sort=False):
        rows.append({
            "study": key,
            "year": int(refs[key].year[:4]) if key in refs and refs[key].year[:4].isdigit() else 0,
            "country": _join(part["country"]),
            "population": _join(part["population"]),
            "design": _join(part["design"]),
            "treatment": _join(part["treatment"]),
            "alliance (dyad)": _join(part["alliance_dyad"]),
            "alliance rated by": _join(part["alliance_rater"]),
            "n (largest)": int(part["n"].max()),
            "correlations": len(part),
        })
    columns = ["study", "year", "country", "population", "design", "treatment", "alliance (dyad)",
               "alliance rated by", "n (largest)", "correlations"]
    out = pd.DataFrame(rows, columns=columns)   # the columns stand even when there is no study
    out.insert(0, "label", labels(refs, list(out["study"])))
    return out.sort_values(["year", "label"], kind="stable").reset_index(drop=True)


def conversion_words(frame) -> str:
    """How many correlations were not printed as zero-order Pearson correlations, as the start
    of a sentence: 'Of the 10 correlations from 9 studies, 6 were not printed as zero-order
    Pearson correlations' (``es_method`` other than ``reported_r``), nouns and verbs agreeing
    with their counts; 'The dataset holds no correlation' for an empty table."""
    from .sentences import counted

    if not len(frame):
        return "The dataset holds no correlation"
    converted = int((frame["es_method"] != "reported_r").sum())
    return (f"Of the {counted(len(frame), 'correlation')} from {counted(frame['study'].nunique(), 'study', 'studies')}, "
            + (f"1 was not printed as a zero-order Pearson correlation" if converted == 1 else
               f"{converted} were not printed as zero-order Pearson correlations"))


def source_kinds(frame):
    """How many correlations and studies came from each kind of source.

    Returns
    -------
    pandas.DataFrame
        Index ``source_access``; columns ``correlations`` and ``studies``.
    """
    grouped = frame.groupby("source_access")
    import pandas as pd

    return pd.DataFrame({"correlations": grouped.size(), "studies": grouped["study"].nunique()})
