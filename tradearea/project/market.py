"""What a candidate evaluation takes from the project: market, demand zones, Huff α/β, ids."""

from __future__ import annotations

import math
import warnings
from typing import Any

import geopandas as gpd
import pandas as pd

WGS84 = "EPSG:4326"


def huff_parameters(settings: dict[str, Any]) -> tuple[float, float]:
    """Return α and β: the calibrated ``huff`` setting, ``huff_alpha``/``huff_beta``, defaults.

    Parameters
    ----------
    settings : dict
        Project settings.

    Returns
    -------
    tuple of float
        (alpha, beta).
    """
    from tradearea.huff import DEFAULT_ALPHA, DEFAULT_BETA

    calibrated = settings.get("huff")
    if isinstance(calibrated, dict) and "alpha" in calibrated and "beta" in calibrated:
        return float(calibrated["alpha"]), float(calibrated["beta"])
    return (
        float(settings.get("huff_alpha", DEFAULT_ALPHA)),
        float(settings.get("huff_beta", DEFAULT_BETA)),
    )


def _format_key(value: Any, default: str = "supermarket") -> str:
    from tradearea.competition import FORMATS, normalise_format

    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        return default
    key = normalise_format(value)
    return key if key in FORMATS else default


def market_stores(project: Any, region: Any) -> pd.DataFrame:
    """Return the project's own stores and competitors as one table for Huff and IRS.

    Formats are normalised and missing floor areas filled (region buildings, then the format
    default), as the report does.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project.
    region : tradearea.regions.packs.Region
        Its region pack.

    Returns
    -------
    pandas.DataFrame
        store_id, name, format, lat, lon, floor_area_m2, floor_area_source, role ('own' or
        'competitor'); ids unique.
    """
    from tradearea.competition import fill_floor_area

    parts = []
    for layer, role in (("stores", "own"), ("competitors", "competitor")):
        frame = project.layers.get(layer)
        if frame is None or not len(frame):
            continue
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name, errors="ignore")).copy()
        if "lat" not in table or "lon" not in table or table[["lat", "lon"]].isna().any().any():
            pts = frame.geometry
            table["lat"] = pd.to_numeric(table.get("lat"), errors="coerce").fillna(
                pd.Series(pts.y.to_numpy(), index=table.index)
            )
            table["lon"] = pd.to_numeric(table.get("lon"), errors="coerce").fillna(
                pd.Series(pts.x.to_numpy(), index=table.index)
            )
        if "store_id" not in table:
            table["store_id"] = [f"{role[0].upper()}{i + 1:02d}" for i in range(len(table))]
        table["store_id"] = table["store_id"].astype(str)
        if "name" not in table:
            table["name"] = table["store_id"]
        table["format"] = [_format_key(v) for v in table.get("format", [None] * len(table))]
        filled = pd.DataFrame(fill_floor_area(table, buildings=region.buildings))
        filled["role"] = role
        parts.append(filled.drop(columns="geometry", errors="ignore"))
    if not parts:
        return pd.DataFrame(
            columns=["store_id", "name", "format", "lat", "lon", "floor_area_m2", "role"]
        )
    market = pd.concat(parts, ignore_index=True)
    return market.drop_duplicates("store_id", keep="first").reset_index(drop=True)


def demand_zones(project: Any, region: Any, fmt: str) -> gpd.GeoDataFrame:
    """Return demand zones with yearly spending on the category of format ``fmt``.

    The project's ``zones`` layer when it has households, else one zone per residential
    building of the region (estimated dwellings), as the report does.
    """
    from tradearea.demand import spend_per_household, zone_demand, zones_from_buildings

    zones = project.layers.get("zones")
    if zones is not None and len(zones) and "households" in zones:
        out = zones.copy()
        if "origin_id" not in out:
            out["origin_id"] = [f"Z{i + 1:04d}" for i in range(len(out))]
        if "lat" not in out or "lon" not in out:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rep = out.to_crs(out.estimate_utm_crs()).representative_point().to_crs(WGS84)
            out["lat"], out["lon"] = rep.y.to_numpy(), rep.x.to_numpy()
        if "demand" in out:
            return out
        base = out
    else:
        base = zones_from_buildings(region.residential_buildings, zone="building")
    spend = spend_per_household(fmt, period="year", settings=project.settings)
    return gpd.GeoDataFrame(zone_demand(base, spend=spend), crs=WGS84)


def layer_ids(layer: pd.DataFrame | None) -> list[str]:
    """Return the id of each row of a candidates layer, as the report reads them.

    The first of ``site_id``, ``candidate_id``, ``store_id``, ``id`` that a row has, else
    ``K<row number>``.
    """
    if layer is None or not len(layer):
        return []
    out = []
    for i, (_, row) in enumerate(layer.iterrows()):
        found = None
        for col in ("site_id", "candidate_id", "store_id", "id"):
            value = row.get(col)
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                text = str(value).strip()
                if text:
                    found = text
                    break
        out.append(found or f"K{i + 1}")
    return out


def next_candidate_id(project: Any) -> str:
    """Return the next free candidate id (``K1``, ``K2`` ...) of the project."""
    used = set(layer_ids(project.layers.get("candidates")))
    for layer_name in ("stores", "competitors"):
        other = project.layers.get(layer_name)
        if other is not None and "store_id" in other:
            used |= {str(v) for v in other["store_id"].dropna()}
    n = 1
    while f"K{n}" in used:
        n += 1
    return f"K{n}"


def demo_candidate() -> dict[str, Any]:
    """Return the demo project's candidate (the report's ``DEMO_CANDIDATE``) as keywords.

    Returns
    -------
    dict
        lat, lon, name, format, floor_area_m2 and candidate_id, for :func:`evaluate_candidate`.
    """
    from tradearea.project.sites import DEMO_CANDIDATE

    site = DEMO_CANDIDATE

    return {
        "lat": site.lat,
        "lon": site.lon,
        "name": site.name,
        "format": site.format,
        "floor_area_m2": site.floor_area_m2,
        "candidate_id": site.site_id,
    }
