"""Loading the metafor reference cases and comparing results within their tolerances."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent / "data" / "metafor"
REFERENCE = json.loads((HERE / "metafor_reference.json").read_text(encoding="utf-8"))
CASES = REFERENCE["cases"]

RELATIVE = {"tau2": 1e-6, "I2": 1e-6, "H2": 1e-6, "Q": 1e-6, "R2": 1e-6,
            "tau2_ci_lb": 1e-5, "tau2_ci_ub": 1e-5, "I2_ci_lb": 1e-5, "I2_ci_ub": 1e-5,
            "sigma2_between": 1e-5, "sigma2_within": 1e-5, "QM": 1e-6}
NEAR_ZERO = 1e-9
ABSOLUTE = 1e-6


def cases(kind: str) -> list[dict]:
    """The reference cases of one kind (``pool``, ``metareg``, ``bias`` ...)."""
    return [c for c in CASES if c["kind"] == kind]


#: Reference sets made locally with the same R script on further metadat datasets.
EXTRA_DIRS = [HERE / "clustered", HERE / "edge_cases", HERE / "second_order"]


def extra_cases(kinds) -> list[dict]:
    """The cases of the given kinds in every extra reference set; ``_dir`` says where the
    case's CSV is."""
    return [dict(c, _dir=str(d)) for d in EXTRA_DIRS
            for c in json.loads((d / "metafor_reference.json").read_text(encoding="utf-8"))["cases"]
            if c["kind"] in kinds]


#: The breadth reference sets: the shared one and the same script's cases on further datasets.
BREADTH = HERE / "breadth"
BREADTH_DIRS = [BREADTH, BREADTH / "more"]
#: The moderator and cluster columns that make_oracles_breadth.R's ``spec`` names per dataset.
#: The script drops every row with a missing effect, variance, moderator or cluster before any
#: case of the dataset, so the pooled-only cases (pi_t, influence, selmodel) lose those rows too.
BREADTH_SPEC = {"molloy2014": ("quality", None), "cohen1981": (None, None), "mcdaniel1994": ("type", None),
                "crede2010": ("source", "studyid"), "craft2003": ("var1", "study"),
                "konstantopoulos2011": ("year", "district"), "assink2016": ("deltype", "study"),
                "tannersmith2016": ("propmale", "studyid"), "bangertdrowns2004": ("grade", None),
                "mcdaniel1994b": ("struct", None)}


def breadth_cases(kinds) -> list[dict]:
    """The breadth cases of the given kinds in every breadth set; ``_dir`` says where the
    case's CSV is."""
    return [dict(c, _dir=str(d)) for d in BREADTH_DIRS
            for c in json.loads((d / "metafor_reference.json").read_text(encoding="utf-8"))["cases"]
            if c["kind"] in kinds]


def breadth_frame(case: dict):
    """The rows of the case's CSV that the R script analysed (its ``keep``), in file order."""
    import pandas as pd

    df = pd.read_csv(csv_path(case))
    cols = case["columns"]
    mods, cluster = BREADTH_SPEC[case["dataset"]]
    needed = [cols["r"], cols["n"]] if "r" in cols else [cols["yi"], cols["vi"]]
    needed += [c for c in (mods, cluster) if c is not None]
    return df[df[needed].notna().all(axis=1)].reset_index(drop=True)


def breadth_csv(case: dict, folder: Path) -> Path:
    """A CSV of exactly the rows the R script analysed: the case's own file when it drops none,
    else a copy without them written in ``folder``."""
    import pandas as pd

    path = csv_path(case)
    kept = breadth_frame(case)
    if len(kept) == len(pd.read_csv(path)):
        return path
    out = Path(folder) / f"{case['dataset']}.csv"
    kept.to_csv(out, index=False)
    return out


def csv_path(case: dict) -> Path:
    return Path(case.get("_dir", HERE)) / f"{case['dataset']}.csv"


def close(key: str, got, expected) -> bool:
    """Whether ``got`` meets the tolerance the oracle README sets for ``key``."""
    if expected is None:
        return got is None
    if isinstance(expected, str):
        return got == expected
    if got is None or (isinstance(got, float) and math.isnan(got)):
        return False
    rel = RELATIVE.get(key)
    if rel is not None:
        if key in ("tau2", "tau2_ci_lb", "tau2_ci_ub") and abs(expected) < 1e-8:
            return abs(got - expected) <= NEAR_ZERO
        return abs(got - expected) <= rel * max(abs(expected), 1e-300) or abs(got - expected) <= 1e-12
    return abs(got - expected) <= ABSOLUTE


def mismatches(got: dict, expected: dict, prefix: str = "") -> list[str]:
    """Every key of ``expected`` that ``got`` lacks or misses, as readable lines."""
    out = []
    for key, exp in expected.items():
        name = prefix + key
        if key not in got:
            out.append(f"{name}: missing")
            continue
        val = got[key]
        if isinstance(exp, dict):
            out += mismatches(val, exp, name + ".")
        elif isinstance(exp, list) and exp and isinstance(exp[0], dict):
            for i, (g, e) in enumerate(zip(val, exp)):
                out += mismatches(g, e, f"{name}[{i}].")
            if len(val) != len(exp):
                out.append(f"{name}: {len(val)} items, expected {len(exp)}")
        elif isinstance(exp, list):
            g = np.asarray(val, dtype=float)
            e = np.asarray(exp, dtype=float)
            if g.shape != e.shape or not np.all(np.abs(g - e) <= ABSOLUTE):
                out.append(f"{name}: max |diff| {np.max(np.abs(g - e)) if g.shape == e.shape else 'shape'}")
        elif not close(key, val, exp):
            out.append(f"{name}: got {val!r}, expected {exp!r}")
    return out
