"""Offline geocoding of survey and CRM addresses against a region pack, with a row-level account."""

from __future__ import annotations

from tradearea.geocode.chain import (
    LOW_SCORE,
    MATCH_LEVELS,
    OUTPUT_COLUMNS,
    STATUSES,
    geocode_frame,
    parse_coordinate,
)
from tradearea.geocode.chinese import (
    bd09_to_wgs84,
    datum_warning,
    frame_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84,
    wgs84_to_gcj02,
)
from tradearea.geocode.fixes import FIX_COLUMNS, add_fix, empty_fixes, normalise_fixes
from tradearea.geocode.index import AddressIndex, build_index, region_index
from tradearea.geocode.normalise import address_key, fold, parse_address
from tradearea.geocode.review import account, account_table, candidates, review_rows

__all__ = [
    "FIX_COLUMNS",
    "LOW_SCORE",
    "MATCH_LEVELS",
    "OUTPUT_COLUMNS",
    "STATUSES",
    "AddressIndex",
    "account",
    "account_table",
    "add_fix",
    "address_key",
    "bd09_to_wgs84",
    "build_index",
    "candidates",
    "datum_warning",
    "empty_fixes",
    "fold",
    "frame_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geocode_frame",
    "in_china",
    "normalise_fixes",
    "parse_address",
    "parse_coordinate",
    "region_index",
    "review_rows",
    "to_wgs84",
    "wgs84_to_gcj02",
]
