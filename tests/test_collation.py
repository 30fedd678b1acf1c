"""R's order of labels (ICU root collation), so that a moderator's reference level is metafor's."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, strategies as st

from alliance_meta.engine.collation import r_sorted, sort_key
from alliance_meta.engine.models import design_matrix

#: sort(x) in R 4 (ICU, C.UTF-8 locale; the same in en_US.UTF-8) on these labels
R_ORDER = ["10", "2b", "9", "a", "A", "á", "à", "Ä", "a 1", "a_b", "a-b", "a.b", "a1", "ab", "ae", "æ", "af", "b",
           "B", "clinic", "E", "é", "ecole", "Ecole", "école", "etat", "Etat", "état", "f", "ore", "Ore", "Øre",
           "School", "ss", "ß", "st", "Zuber", "zucker", "Zürich", "Ω", "ж", "中"]


def test_labels_sort_as_r_sorts_them():
    shuffled = R_ORDER[:]
    random.Random(0).shuffle(shuffled)
    assert r_sorted(shuffled) == R_ORDER


def test_the_reference_level_is_metafor_s():
    """Issue 28: levels clinic, School, école; metafor takes clinic (code-point order: School)."""
    design = design_matrix({"setting": ["School", "école", "clinic", "School", "école", "clinic"]}, 6)
    assert design.names == ["intercept", "setting[école]", "setting[School]"]
    np.testing.assert_array_equal(design.X[:, 2], [1, 0, 0, 1, 0, 0])


@given(st.lists(st.text(max_size=6), min_size=1, max_size=12))
def test_the_order_is_total_and_keeps_every_label(labels):
    once = r_sorted(labels)
    assert sorted(once) == sorted(labels) and r_sorted(once[::-1]) == once
    assert all(sort_key(a) <= sort_key(b) for a, b in zip(once, once[1:]))
