"""A candidate's trade areas (rings, walk/drive time, Huff contours) and its transit stops."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea.distance import great_circle_m
from tradearea.errors import InputError
from tradearea.formats import format_key
from tradearea.huff import huff_contours
from tradearea.tradeareas import trade_areas_by_rings, trade_areas_by_time

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

TRADE_AREA_METHODS = ("rings", "walk", "drive", "huff")
DEFAULT_METHOD = "rings"
HUFF_THRESHOLDS = (0.30, 0.10, 0.05)  # DOMAIN.md §1: market share of 30 / 10 / 5 %


def candidate_trade_areas(
    candidate: dict[str, Any],
    *,
    method: str,
    region: Region,
    market: pd.DataFrame,
    huff: tuple[float, float],
) -> gpd.GeoDataFrame:
    """Draw a candidate's tiers: rings by format, walk or drive time, or Huff contours.

    Parameters
    ----------
    candidate : dict
        From :func:`tradearea.forecast.candidate_store` (store_id, lat, lon, format, ...).
    method : {'rings', 'walk', 'drive', 'huff'}
        Rings of the format (:attr:`tradearea.formats.RetailFormat.rings_m`), 5 / 10 / 15 minutes on the region's
        network, or where the candidate's Huff market share is at least 30 / 10 / 5 %.
    region : tradearea.regions.packs.Region
        The region pack.
    market : pandas.DataFrame
        The existing stores (for Huff contours).
    huff : tuple of float
        α and β.

    Returns
    -------
    geopandas.GeoDataFrame
        store_id, tier, tier_name, method, cutoff, cutoff_unit, area_m2, geometry (EPSG:4326).
    """
    if method not in TRADE_AREA_METHODS:
        msg = f"trade-area method must be one of {', '.join(TRADE_AREA_METHODS)}, not {method!r}"
        raise InputError(msg, column="method")
    sid = str(candidate["store_id"])
    point = pd.DataFrame(
        [{"store_id": sid, "name": candidate["name"], "lat": candidate["lat"],
          "lon": candidate["lon"]}]
    )  # fmt: skip
    if method == "huff" and len(market):
        areas = _huff_tiers(candidate, region=region, market=market, huff=huff)
    elif method in ("walk", "drive"):
        areas = trade_areas_by_time(None, point, kind=method, region=region).areas
    else:
        fmt = format_key(candidate["format"])
        areas = trade_areas_by_rings(None, point, retail_format=fmt, region=region).areas
        method = "rings"
    areas = areas.copy()
    areas["store_id"] = sid
    areas["method"] = method
    return areas.reset_index(drop=True)


def _huff_tiers(
    candidate: dict[str, Any], *, region: Any, market: pd.DataFrame, huff: tuple[float, float]
) -> gpd.GeoDataFrame:
    record = {k: v for k, v in candidate.items() if k != "role"}
    stores = pd.concat([market, pd.DataFrame([record])], ignore_index=True)
    x0, y0, x1, y1 = region.boundary.total_bounds
    corners = great_circle_m(
        np.array([y0, y0, y1, y1]), np.array([x0, x1, x0, x1]), candidate["lat"], candidate["lon"]
    )
    radius = float(min(max(corners.max() + 200.0, 500.0), 3_000.0))
    tiers = huff_contours(
        stores,
        str(candidate["store_id"]),
        alpha=huff[0],
        beta=huff[1],
        thresholds=HUFF_THRESHOLDS,
        resolution=10,
        radius_m=radius,
    )
    tiers["cutoff"] = tiers["threshold"]
    tiers["cutoff_unit"] = "market share"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiers["area_m2"] = tiers.to_crs(region.utm_crs).area.to_numpy()
    return tiers


def transit_stops_near(lat: float, lon: float, *, region: Region, radius_m: float) -> int:
    """Public transport stops within ``radius_m`` (a stop mapped twice, by name, counts once)."""
    stops = region.transit
    if not len(stops):
        return 0
    d = great_circle_m(stops["lat"].to_numpy(float), stops["lon"].to_numpy(float), lat, lon)
    near = stops[d <= radius_m]
    return int(near["name"].nunique() + near["name"].isna().sum())
