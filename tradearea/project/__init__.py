"""The project layer (layer 5): a project on disk, its settings, market and analysis.

Every face (app pages, CLI, report, batch run) reads a project's figures from here, so they agree.
"""

from __future__ import annotations

from tradearea.project.candidates import (
    COMPARISON_FIGURES,
    candidate_inputs,
    candidates_table,
    compare_candidates,
    place_candidate,
    put_candidate,
    remove_candidate,
    set_taboo_ticks,
)
from tradearea.project.evaluation import (
    CANDIDATE_COLUMNS,
    CandidateEvaluation,
    evaluate_candidate,
    with_rent,
    with_ticks,
)
from tradearea.project.market import (
    demand_zones,
    demo_candidate,
    huff_parameters,
    layer_ids,
    market_stores,
    next_candidate_id,
)
from tradearea.project.scenarios import (
    candidate_scenario,
    lease_template,
    price_candidate,
    pricing_format,
)
from tradearea.project.workspace import Project, open_project, save_project

__all__ = [
    "CANDIDATE_COLUMNS",
    "COMPARISON_FIGURES",
    "CandidateEvaluation",
    "Project",
    "candidate_inputs",
    "candidate_scenario",
    "candidates_table",
    "compare_candidates",
    "demand_zones",
    "demo_candidate",
    "evaluate_candidate",
    "huff_parameters",
    "layer_ids",
    "lease_template",
    "market_stores",
    "next_candidate_id",
    "open_project",
    "place_candidate",
    "price_candidate",
    "pricing_format",
    "put_candidate",
    "remove_candidate",
    "save_project",
    "set_taboo_ticks",
    "with_rent",
    "with_ticks",
]
