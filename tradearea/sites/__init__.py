"""Candidate sites: their trade areas, the taboo checklist and the weighted scorecard."""

from __future__ import annotations

from tradearea.sites.areas import (
    DEFAULT_METHOD,
    HUFF_THRESHOLDS,
    TRADE_AREA_METHODS,
    candidate_trade_areas,
    transit_stops_near,
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
    "TabooItem",
    "apply_ticks",
    "bearing_deg",
    "candidate_trade_areas",
    "scorecard",
    "taboo_checks",
    "transit_stops_near",
]
