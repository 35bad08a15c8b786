"""Candidate sites: one-step evaluation, taboo checklist, weighted scorecard and comparison."""

from __future__ import annotations

from tradearea.sites.areas import (
    DEFAULT_METHOD,
    HUFF_THRESHOLDS,
    TRADE_AREA_METHODS,
    candidate_trade_areas,
    transit_stops_near,
)
from tradearea.sites.candidates import (
    COMPARISON_FIGURES,
    candidate_inputs,
    candidates_table,
    compare_candidates,
    place_candidate,
    put_candidate,
    remove_candidate,
    set_taboo_ticks,
)
from tradearea.sites.evaluation import (
    CANDIDATE_COLUMNS,
    CandidateEvaluation,
    evaluate_candidate,
    with_rent,
    with_ticks,
)
from tradearea.sites.inputs import (
    demand_zones,
    demo_candidate,
    huff_parameters,
    layer_ids,
    market_stores,
    next_candidate_id,
)
from tradearea.sites.pricing import (
    candidate_scenario,
    lease_template,
    price_candidate,
    pricing_format,
)
from tradearea.sites.scoring import SCORECARD_FACTORS, scorecard
from tradearea.sites.taboos import (
    ACCESS_RADIUS_M,
    EXPRESSWAY,
    FOOT_WAYS,
    FRONTAGE_RADIUS_M,
    OBSTACLE_RADIUS_M,
    TABOO_ITEMS,
    TABOO_KEYS,
    TabooItem,
    apply_ticks,
    bearing_deg,
    taboo_checks,
)

__all__ = [
    "ACCESS_RADIUS_M",
    "CANDIDATE_COLUMNS",
    "COMPARISON_FIGURES",
    "DEFAULT_METHOD",
    "EXPRESSWAY",
    "FOOT_WAYS",
    "FRONTAGE_RADIUS_M",
    "HUFF_THRESHOLDS",
    "OBSTACLE_RADIUS_M",
    "SCORECARD_FACTORS",
    "TABOO_ITEMS",
    "TABOO_KEYS",
    "TRADE_AREA_METHODS",
    "CandidateEvaluation",
    "TabooItem",
    "apply_ticks",
    "bearing_deg",
    "candidate_inputs",
    "candidate_scenario",
    "candidate_trade_areas",
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
    "place_candidate",
    "price_candidate",
    "pricing_format",
    "put_candidate",
    "remove_candidate",
    "scorecard",
    "set_taboo_ticks",
    "taboo_checks",
    "transit_stops_near",
    "with_rent",
    "with_ticks",
]
