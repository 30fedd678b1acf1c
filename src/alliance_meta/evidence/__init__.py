"""The evidence: this project's data package and what the book builds from it.

It owns loading and validating ``data/`` (:mod:`.dataset`), ``references.bib``
(:mod:`.bibliography`), the published pooled estimates (:mod:`.syntheses`), PRISMA counts
(:mod:`.prisma`), the parent's alliance by direction of effect (:mod:`.directions`), coding reliability (:mod:`.reliability`), tables of study
characteristics (:mod:`.characteristics`), per-sample aggregation (:mod:`.aggregate`),
subgroup and sensitivity tables (:mod:`.subgroups`), the overview of reviews prepared for a
second-order synthesis (:mod:`.overview`), estimator comparisons
(:mod:`.comparison`), evidence-gap counts (:mod:`.gaps`), and the barriers and research
agenda linked to the coded reviews by written rules (:mod:`.rules`, :mod:`.barriers`,
:mod:`.agenda`). It may import the engine,
pandas and bibtexparser; it draws nothing (figures take its tables) and never imports the
figures or the command line.
"""

from __future__ import annotations

from ..engine.lazy import lazy_exports

_WHERE = {
    "project_root": ".dataset",
    "load_table": ".dataset",
    "load_effect_sizes": ".dataset",
    "load_syntheses": ".dataset",
    "load_directions": ".directions",
    "load_directions_second_pass": ".directions",
    "load_parent_search_log": ".directions",
    "load_references": ".dataset",
    "load_founding_references": ".founding",
    "load_parent_accounts": ".accounts",
    "theme_counts": ".accounts",
    "load_founding_second_pass": ".founding",
    "theme_profile": ".founding",
    "coding_agreement": ".founding",
    "validate_package": ".dataset",
    "validate_table": ".dataset",
    "Reference": ".bibliography",
    "read_bib": ".bibliography",
    "labels": ".bibliography",
    "plain": ".bibliography",
    "missing_fields": ".bibliography",
    "by_sample": ".aggregate",
    "synthesis_table": ".syntheses",
    "FlowCounts": ".prisma",
    "flow_counts": ".prisma",
    "parse_reasons": ".prisma",
    "Agreement": ".reliability",
    "agreement": ".reliability",
    "cohen_kappa": ".reliability",
    "icc_a1": ".reliability",
    "study_characteristics": ".characteristics",
    "source_kinds": ".characteristics",
    "subgroup_table": ".subgroups",
    "subgroup_test": ".subgroups",
    "describe_test": ".subgroups",
    "pooled_row": ".subgroups",
    "restricted_table": ".subgroups",
    "provenance_restrictions": ".subgroups",
    "allowed_levels": ".gaps",
    "gap_counts": ".gaps",
    "largest_gaps": ".gaps",
    "estimator_table": ".comparison",
    "overview_table": ".overview",
    "load_barriers": ".barriers",
    "load_barrier_sources": ".barriers",
    "review_rows": ".barriers",
    "evidence_summary": ".barriers",
    "load_agenda": ".agenda",
    "load_founding_agendas": ".agenda",
    "rule_evidence": ".agenda",
    "selected": ".overview",
    "pooled_by": ".overview",
    "spread": ".overview",
    "leave_one_review_out": ".overview",
    "rule_sensitivity": ".overview",
}

__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
