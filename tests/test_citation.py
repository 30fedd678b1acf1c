"""CITATION.cff is valid Citation File Format 1.2.0 and agrees with the package."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file_has_the_required_keys():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff[key], key
    assert all(("name" in a) or ("family-names" in a) for a in cff["authors"])
    assert cff["type"] in ("software", "dataset")
    dt.date.fromisoformat(str(cff["date-released"]))
    assert cff["version"] == version("alliance-meta")
