"""The site taboo checklist (选址禁忌), answered from street data where it can be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point
from shapely.ops import nearest_points

from tradearea._core.crs import WGS84

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

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


def _site_point(lat: float, lon: float, crs: str) -> Point:
    return gpd.GeoSeries([Point(lon, lat)], crs=WGS84).to_crs(crs).iloc[0]


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
    region: Region,
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
    region : tradearea.regions.packs.Region
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
    crs = region.utm_crs
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
    return apply_ticks(pd.DataFrame(rows), ticks)


def apply_ticks(table: pd.DataFrame, ticks: dict[str, bool] | None) -> pd.DataFrame:
    """Return the checklist with the user's answers applied (True: the taboo is present).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`taboo_checks` without ticks (automatic answers only).
    ticks : dict of str to bool, optional
        Item key -> whether the taboo is present; items not given keep their status.

    Returns
    -------
    pandas.DataFrame
        A copy; answered items get status 'taboo' or 'ok' and evidence 'set by user' (with the
        street data's answer kept for automatic items).
    """
    out = table.copy()
    for key, present in (ticks or {}).items():
        hit = out["key"] == key
        if not hit.any():
            continue
        i = out.index[hit][0]
        evidence = out.at[i, "evidence"]
        out.at[i, "status"] = "taboo" if present else "ok"
        out.at[i, "evidence"] = "set by user" + (
            f" (street data: {evidence})" if bool(out.at[i, "auto"]) else ""
        )
    return out
