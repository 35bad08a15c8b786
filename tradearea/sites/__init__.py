"""Candidate sites: trade areas, taboo checklist, scorecard (tenant and landlord apart), verdict."""

from __future__ import annotations

from tradearea.sites.areas import (
    DEFAULT_METHOD,
    HUFF_THRESHOLDS,
    TRADE_AREA_METHODS,
    candidate_trade_areas,
    transit_stops_near,
)
from tradearea.sites.scoring import (
    OCCUPANCY_COMFORT,
    SCORECARD_FACTORS,
    SIDES,
    SIDES_IN_TOTAL,
    factor_label,
    rent_factors,
    scorecard,
    scorecard_table,
)
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
from tradearea.sites.verdict import (
    VERDICT_LABELS,
    IrsReference,
    Verdict,
    irs_reference,
    site_verdict,
)

__all__ = [
    "ACCESS_RADIUS_M",
    "DEFAULT_METHOD",
    "EXPRESSWAY",
    "FOOT_WAYS",
    "FRONTAGE_RADIUS_M",
    "HUFF_THRESHOLDS",
    "OBSTACLE_RADIUS_M",
    "OCCUPANCY_COMFORT",
    "SCORECARD_FACTORS",
    "SIDES",
    "SIDES_IN_TOTAL",
    "TABOO_ITEMS",
    "TABOO_KEYS",
    "TRADE_AREA_METHODS",
    "VERDICT_LABELS",
    "IrsReference",
    "TabooItem",
    "Verdict",
    "apply_ticks",
    "bearing_deg",
    "candidate_trade_areas",
    "factor_label",
    "irs_reference",
    "rent_factors",
    "scorecard",
    "scorecard_table",
    "site_verdict",
    "taboo_checks",
    "transit_stops_near",
]
