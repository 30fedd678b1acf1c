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
