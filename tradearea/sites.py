"""Candidate sites: the taboo checklist from street data, and a weighted scorecard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point
from shapely.ops import nearest_points

FRONTAGE_RADIUS_M = 40.0
OBSTACLE_RADIUS_M = 60.0
ACCESS_RADIUS_M = 300.0
EXPRESSWAY = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
FOOT_WAYS = frozenset({"footway", "path", "steps", "pedestrian", "cycleway", "corridor"})


@dataclass(frozen=True)
class TabooItem:
    """One line of the site taboo checklist (选址禁忌)."""

    key: str
    label: str
    label_zh: str
    auto: bool


# DOMAIN.md §3, site taboos. ``auto`` items are answered from the region's street data.
TABOO_ITEMS: tuple[TabooItem, ...] = (
    TabooItem("one_way_frontage", "Frontage on a one-way street", "临单行道", True),
    TabooItem(
        "expressway_frontage", "Frontage on an expressway or trunk road", "临快速路/干道", True
    ),
    TabooItem("footbridge_or_flyover", "Footbridge or flyover in front", "门前有天桥/高架", True),
    TabooItem("no_transit", "No public transport stop within 300 m", "300米内无公交站", True),
    TabooItem("no_parking", "No parking within 300 m", "300米内无停车场", True),
    TabooItem("west_facing", "West-facing frontage (estimated from the street side)", "朝西", True),
    TabooItem("wind_tunnel", "Wind tunnel", "风口", False),
    TabooItem("slope", "On a slope", "坡地", False),
    TabooItem("obstacles", "Obstacles in front (trees, poles, walls)", "门前有障碍物", False),
    TabooItem("level_difference", "Level difference at the entrance", "入口有高差", False),
    TabooItem("narrow_frontage", "Narrow frontage", "门面狭窄", False),
    TabooItem("no_forecourt", "No forecourt", "无门前广场", False),
    TabooItem(
        "unsafe_surroundings", "Chaotic or unsafe surroundings", "周边环境杂乱/不安全", False
    ),
)
TABOO_KEYS = tuple(t.key for t in TABOO_ITEMS)


def _utm(region: Any) -> str:
    return region.utm_crs


def _site_point(lat: float, lon: float, crs: str) -> Point:
    return gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(crs).iloc[0]


def bearing_deg(from_xy: tuple[float, float], to_xy: tuple[float, float]) -> float:
    """Return the compass bearing (0 = north, 90 = east) from one projected point to another.

    Parameters
    ----------
    from_xy, to_xy : tuple of float
        (x, y) in a projected CRS whose y axis points north (UTM).

    Returns
    -------
    float
        Degrees in [0, 360).
    """
    dx, dy = to_xy[0] - from_xy[0], to_xy[1] - from_xy[1]
    return float(np.degrees(np.arctan2(dx, dy)) % 360.0)


def taboo_checks(
    lat: float,
    lon: float,
    *,
    region: Any,
    ticks: dict[str, bool] | None = None,
    frontage_radius_m: float = FRONTAGE_RADIUS_M,
    access_radius_m: float = ACCESS_RADIUS_M,
) -> pd.DataFrame:
    """Run the site taboo checklist (选址禁忌) for a site.

    Items answerable from street data are filled in automatically: frontage on a one-way street
    or an expressway/trunk road (the nearest drive street within ``frontage_radius_m``), a
    footbridge or flyover within 60 m, public transport stops and parking within
    ``access_radius_m``, and a west-facing estimate (the shop is assumed to face its nearest
    street). The rest are ticks the user sets (``ticks``: key -> True when the taboo is present).

    Parameters
    ----------
    lat, lon : float
        The site (WGS84).
    region : tradearea.regions.Region
        The region pack.
    ticks : dict, optional
        The user's answers for items, overriding automatic ones too.
    frontage_radius_m, access_radius_m : float
        Search distances.

    Returns
    -------
    pandas.DataFrame
        One row per item: key, item, item_zh, auto, status ('ok', 'taboo' or 'unchecked'),
        evidence.
    """
    ticks = dict(ticks or {})
    crs = _utm(region)
    site = _site_point(lat, lon, crs)
    _, drive = region.network("drive")
    _, walk = region.network("walk")
    drive_m = drive.to_crs(crs)
    walk_m = walk.to_crs(crs)
    found: dict[str, tuple[str, str]] = {}

    d_drive = drive_m.distance(site)
    near = drive_m[d_drive <= frontage_radius_m]
    if len(near):
        front = near.loc[d_drive[near.index].idxmin()]
        name = front["name"] or front["highway"]
        dist = float(d_drive[near.index].min())
        found["one_way_frontage"] = (
            "taboo" if bool(front["oneway"]) else "ok",
            f"nearest street {name} ({front['highway']}, {dist:.0f} m), "
            + ("one-way" if front["oneway"] else "two-way"),
        )
        found["expressway_frontage"] = (
            "taboo" if front["highway"] in EXPRESSWAY else "ok",
            f"nearest street class: {front['highway']}",
        )
    else:
        msg = f"no drivable street within {frontage_radius_m:.0f} m"
        found["one_way_frontage"] = ("ok", msg)
        found["expressway_frontage"] = ("ok", msg)

    # Frontage direction: the shop is taken to face its nearest street of any kind.
    d_walk = walk_m.distance(site)
    streets = walk_m[walk_m["name"].notna()]
    if len(streets) and float(d_walk[streets.index].min()) <= frontage_radius_m:
        front = streets.loc[d_walk[streets.index].idxmin()]
        on_street, _ = nearest_points(front.geometry, site)
        bearing = bearing_deg((site.x, site.y), (on_street.x, on_street.y))
        found["west_facing"] = (
            "taboo" if 225.0 <= bearing < 315.0 else "ok",
            f"faces {front['name']} at bearing {bearing:.0f}° (estimate)",
        )
    else:
        found["west_facing"] = ("unchecked", f"no named street within {frontage_radius_m:.0f} m")

    foot_bridges = walk_m[
        (d_walk <= OBSTACLE_RADIUS_M) & walk_m["bridge"] & walk_m["highway"].isin(FOOT_WAYS)
    ]
    flyovers = drive_m[(d_drive <= OBSTACLE_RADIUS_M) & drive_m["bridge"]]
    if len(foot_bridges) or len(flyovers):
        what = []
        if len(foot_bridges):
            what.append("footbridge")
        if len(flyovers):
            what.append("flyover/road bridge")
        found["footbridge_or_flyover"] = (
            "taboo",
            " and ".join(what) + f" within {OBSTACLE_RADIUS_M:.0f} m",
        )
    else:
        found["footbridge_or_flyover"] = ("ok", f"no bridge within {OBSTACLE_RADIUS_M:.0f} m")

    stops = region.transit.to_crs(crs)
    near_stops = stops[stops.distance(site) <= access_radius_m] if len(stops) else stops
    # a stop mapped as platform and stop position counts once: distinct names, unnamed each
    n_stops = int(near_stops["name"].nunique() + near_stops["name"].isna().sum())
    found["no_transit"] = (
        "ok" if n_stops else "taboo",
        f"{n_stops} public transport stops within {access_radius_m:.0f} m",
    )
    shops = region.shops
    parking = shops[shops["amenity"] == "parking"].to_crs(crs)
    n_park = int((parking.distance(site) <= access_radius_m).sum()) if len(parking) else 0
    found["no_parking"] = (
        "ok" if n_park else "taboo",
        f"{n_park} car parks within {access_radius_m:.0f} m",
    )

    rows = []
    for item in TABOO_ITEMS:
        status, evidence = found.get(item.key, ("unchecked", "to be checked on site"))
        if item.key in ticks:
            status = "taboo" if ticks[item.key] else "ok"
            evidence = "set by user" + (f" (street data: {evidence})" if item.auto else "")
        rows.append(
            {
                "key": item.key,
                "item": item.label,
                "item_zh": item.label_zh,
                "auto": item.auto,
                "status": status,
                "evidence": evidence,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Scorecard

# Site-selection factors of DOMAIN.md §3 that the tool can measure per candidate, with the
# direction in which a factor is better (+1 more is better, -1 less is better) and a default weight.
SCORECARD_FACTORS: dict[str, dict[str, Any]] = {
    "households_primary": {
        "label": "Households in the primary area",
        "label_zh": "第一商圈户数",
        "direction": 1,
        "weight": 20,
    },
    "expected_sales": {
        "label": "Expected sales (Huff)",
        "label_zh": "预计销售额",
        "direction": 1,
        "weight": 25,
    },
    "irs_after": {
        "label": "IRS after opening",
        "label_zh": "开业后零售饱和指数",
        "direction": 1,
        "weight": 15,
    },
    "competitors_primary": {
        "label": "Competitors in the primary area",
        "label_zh": "第一商圈竞争店数",
        "direction": -1,
        "weight": 10,
    },
    "transit_stops": {
        "label": "Transit stops within 300 m",
        "label_zh": "300米内公交站",
        "direction": 1,
        "weight": 10,
    },
    "irr": {"label": "Project IRR", "label_zh": "内部收益率", "direction": 1, "weight": 10},
    "taboos": {"label": "Taboos found", "label_zh": "选址禁忌数", "direction": -1, "weight": 10},
}


def scorecard(
    candidates: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
    factors: dict[str, dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Score candidates on weighted site-selection factors (0–100 each, weighted total).

    Each factor is scaled across the candidates to 0–100 (min–max; 100 is the best candidate
    for that factor given its direction; equal values all score 100). Missing values score 0.
    The total is the weighted mean of the factor scores; weights need not add up to 100.

    Parameters
    ----------
    candidates : pandas.DataFrame
        One row per candidate (index = candidate name or id) with a column per factor.
    weights : dict, optional
        Factor -> weight (default: the weights in :data:`SCORECARD_FACTORS`). A weight of 0
        drops the factor.
    factors : dict, optional
        Factor definitions (default :data:`SCORECARD_FACTORS`).

    Returns
    -------
    pandas.DataFrame
        ``score_<factor>`` columns, ``total`` and ``rank`` (1 = best), same index.
    """
    factors = factors or SCORECARD_FACTORS
    weights = {k: float(v["weight"]) for k, v in factors.items()} | dict(weights or {})
    if any(w < 0 for w in weights.values()):
        msg = "scorecard weights must not be negative"
        raise ValueError(msg)
    used = [k for k in factors if k in candidates.columns and weights.get(k, 0) > 0]
    if not used:
        msg = "no scorecard factor with a positive weight is present in the candidates table"
        raise ValueError(msg)
    out = pd.DataFrame(index=candidates.index)
    total = np.zeros(len(candidates))
    for key in used:
        values = pd.to_numeric(candidates[key], errors="coerce").astype(float)
        lo, hi = values.min(), values.max()
        if not np.isfinite(lo) or hi == lo:
            scaled = pd.Series(np.where(values.notna(), 100.0, 0.0), index=values.index)
        else:
            scaled = (values - lo) / (hi - lo) * 100.0
            if factors[key]["direction"] < 0:
                scaled = 100.0 - scaled
            scaled = scaled.fillna(0.0)
        out[f"score_{key}"] = scaled.round(2)
        total += scaled.to_numpy() * weights[key]
    out["total"] = np.round(total / sum(weights[k] for k in used), 2)
    out["rank"] = out["total"].rank(ascending=False, method="min").astype(int)
    return out
