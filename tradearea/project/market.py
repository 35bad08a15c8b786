"""The market of a project: own stores, competitors, demand zones and Huff parameters (one each)."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea.competition import (
    STORE_COLUMNS,
    competitors_from_region,
    fill_floor_area,
    remove_matches,
)
from tradearea.demand import spend_per_household, zone_demand, zones_from_buildings
from tradearea.errors import InputError
from tradearea.formats import FORMATS, normalise_format

if TYPE_CHECKING:
    from tradearea.project.settings import ProjectSettings
    from tradearea.project.workspace import Project
    from tradearea.regions.packs import Region

__all__ = [
    "DEFAULT_FORMAT",
    "competitors",
    "demand_zones",
    "format_key",
    "huff_parameters",
    "layer_ids",
    "market_stores",
    "next_candidate_id",
    "own_stores",
    "spend",
    "store_table",
    "zone_source",
]

WGS84 = "EPSG:4326"
DEFAULT_FORMAT = "supermarket"
MARKET_COLUMNS = (*STORE_COLUMNS, "category", "role")


def huff_parameters(settings: ProjectSettings) -> tuple[float, float]:
    """Return the project's Huff α and β (calibrated, set by the user, or the defaults).

    Parameters
    ----------
    settings : ProjectSettings
        The project's settings.

    Returns
    -------
    tuple of float
        (alpha, beta).
    """
    return float(settings.huff.alpha), float(settings.huff.beta)


def spend(settings: ProjectSettings, fmt: str, *, period: str = "year") -> float:
    """Return spending per household per ``period`` on what format ``fmt`` sells.

    Parameters
    ----------
    settings : ProjectSettings
        The project's settings (``spend_per_household`` replaces the category defaults).
    fmt : str
        Retail format key.
    period : {'week', 'month', 'year'}
        The period.

    Returns
    -------
    float
    """
    table = {"spend_per_household": dict(settings.spend_per_household)}
    return float(spend_per_household(fmt, period=period, settings=table))  # type: ignore[arg-type]


def format_key(value: Any, *, row: int | None = None, file: str | None = None) -> str:
    """Return the format key of ``value``; empty means the default, unknown is an error.

    Parameters
    ----------
    value : Any
        A format key or an English or Chinese name (``超市``); empty or missing gives
        :data:`DEFAULT_FORMAT`.
    row : int, optional
        The row, for the message.
    file : str, optional
        The layer or file, for the message.

    Returns
    -------
    str

    Raises
    ------
    InputError
        For a format that is not in the registry (the message lists the keys).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return DEFAULT_FORMAT
    text = str(value).strip()
    if not text:
        return DEFAULT_FORMAT
    key = normalise_format(text)
    if key not in FORMATS:
        msg = f"unknown retail format {text!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg, file=file, row=row, column="format")
    return key


def _text_id(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def store_table(
    frame: pd.DataFrame | None,
    *,
    role: str,
    buildings: gpd.GeoDataFrame | None = None,
    layer: str = "stores",
) -> pd.DataFrame:
    """Return a stores layer as a checked table: ids, lat/lon, formats, floor areas, role.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame or None
        The layer (lat/lon columns, or point geometry).
    role : str
        ``own``, ``competitor`` or ``candidate``.
    buildings : geopandas.GeoDataFrame, optional
        The region's buildings, to take a missing floor area from.
    layer : str
        The layer's name, for messages.

    Returns
    -------
    pandas.DataFrame
        DESIGN.md store columns plus ``category`` and ``role``; ids unique within the layer.
    """
    if frame is None or not len(frame):
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in MARKET_COLUMNS})
        for col in ("lat", "lon", "floor_area_m2"):
            empty[col] = empty[col].astype(float)
        return empty
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    lat = pd.to_numeric(table.get("lat"), errors="coerce") if "lat" in table else None
    lon = pd.to_numeric(table.get("lon"), errors="coerce") if "lon" in table else None
    if geometry is not None:
        pts = geometry.reset_index(drop=True)
        ok = pts.notna() & ~pts.is_empty
        rep = pts[ok].representative_point()
        glat = pd.Series(np.nan, index=table.index)
        glon = pd.Series(np.nan, index=table.index)
        glat[ok.to_numpy()] = rep.y.to_numpy()
        glon[ok.to_numpy()] = rep.x.to_numpy()
        lat = glat if lat is None else lat.fillna(glat)
        lon = glon if lon is None else lon.fillna(glon)
    if lat is None or lon is None:
        msg = f"the {layer} layer has no lat/lon columns and no point geometry"
        raise InputError(msg, file=layer, column="lat")
    table["lat"], table["lon"] = lat.to_numpy(float), lon.to_numpy(float)
    bad = ~(np.isfinite(table["lat"]) & np.isfinite(table["lon"]))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError("store has no location", file=layer, row=row, column="lat")
    prefix = {"own": "S", "competitor": "C", "candidate": "K"}.get(role, "X")
    ids = [
        next(
            (
                _text_id(table.at[i, c])
                for c in ("store_id", "candidate_id", "site_id", "id")
                if c in table and _text_id(table.at[i, c])
            ),
            None,
        )
        or f"{prefix}{i + 1:02d}"
        for i in range(len(table))
    ]
    table["store_id"] = ids
    if "name" not in table:
        table["name"] = table["store_id"]
    table["name"] = [(_text_id(n) or sid) for n, sid in zip(table["name"], ids, strict=True)]
    formats = table["format"] if "format" in table else pd.Series([None] * len(table))
    table["format"] = [format_key(v, row=i + 1, file=layer) for i, v in enumerate(formats)]
    filled = pd.DataFrame(fill_floor_area(table, buildings=buildings))
    filled["category"] = [FORMATS[f].category for f in filled["format"]]
    filled["role"] = role
    return filled.drop(columns="geometry", errors="ignore").drop_duplicates("store_id")


def own_stores(project: Project, region: Region | None) -> pd.DataFrame:
    """Return the project's own stores (formats checked, floor areas filled).

    Parameters
    ----------
    project : Project
        The project.
    region : Region, optional
        Its region pack (buildings give a missing floor area).

    Returns
    -------
    pandas.DataFrame
    """
    buildings = region.buildings if region is not None else None
    return store_table(project.layers.get("stores"), role="own", buildings=buildings)


def competitors(
    project: Project, region: Region | None, *, category: str | None = None
) -> pd.DataFrame:
    """Return the competitors: the project's layer, and the region's shops if the setting says.

    With setting ``competitors_from_region``, the region's OpenStreetMap shops are added,
    except those that match a listed competitor or an own store (same category within 30 m).

    Parameters
    ----------
    project : Project
        The project.
    region : Region, optional
        Its region pack.
    category : str, optional
        Keep only the stores of this spending category (``grocery`` ...).

    Returns
    -------
    pandas.DataFrame
        Store columns plus ``category``, ``role`` ('competitor') and ``source`` ('project' or
        'region').
    """
    buildings = region.buildings if region is not None else None
    listed = store_table(
        project.layers.get("competitors"), role="competitor", buildings=buildings,
        layer="competitors",
    ).assign(source="project")  # fmt: skip
    parts = [listed]
    if project.settings.competitors_from_region and region is not None:
        shops = pd.DataFrame(competitors_from_region(region).drop(columns="geometry"))
        if len(shops):
            shops = remove_matches(shops, listed)
            shops = remove_matches(shops, own_stores(project, region))
            shops = store_table(shops, role="competitor", buildings=buildings, layer="region")
            parts.append(shops.assign(source="region"))
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else listed
    if category is not None:
        out = out[out["category"] == category]
    return out.drop_duplicates("store_id", keep="first").reset_index(drop=True)


def market_stores(
    project: Project, region: Region | None, *, category: str | None = None
) -> pd.DataFrame:
    """Return every existing store (own first, then competitors), ids unique.

    Parameters
    ----------
    project : Project
        The project.
    region : Region, optional
        Its region pack.
    category : str, optional
        Keep only the stores of this spending category.

    Returns
    -------
    pandas.DataFrame
        Store columns plus ``category`` and ``role`` ('own' or 'competitor').
    """
    own = own_stores(project, region)
    if category is not None:
        own = own[own["category"] == category]
    frame = pd.concat([own, competitors(project, region, category=category)], ignore_index=True)
    return frame.drop_duplicates("store_id", keep="first").reset_index(drop=True)


def _user_zones(project: Project) -> gpd.GeoDataFrame | None:
    zones = project.layers.get("zones")
    if zones is not None and len(zones) and "households" in zones:
        return zones
    return None


def zone_source(project: Project) -> str:
    """Say where the project's households come from (shown next to every household figure)."""
    if _user_zones(project) is not None:
        return "project zones layer"
    return "region residential buildings (estimated dwellings)"


def demand_zones(project: Project, region: Region, fmt: str) -> gpd.GeoDataFrame:
    """Return demand zones with yearly spending on the category of format ``fmt``.

    The project's ``zones`` layer when it has households (its own ``demand`` column when it
    has one), else one zone per residential building of the region (estimated dwellings).

    Parameters
    ----------
    project : Project
        The project.
    region : Region
        Its region pack.
    fmt : str
        Retail format key.

    Returns
    -------
    geopandas.GeoDataFrame
        origin_id, households (and population where known), demand (a year), lat, lon,
        geometry (EPSG:4326).
    """
    zones = _user_zones(project)
    if zones is not None:
        out = zones.to_crs(WGS84).reset_index(drop=True)
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
        if not len(base):
            msg = "the region has no residential buildings to estimate households from"
            raise InputError(msg, column="zones")
    return gpd.GeoDataFrame(
        zone_demand(base, spend=spend(project.settings, fmt, period="year")), crs=WGS84
    )


def layer_ids(layer: pd.DataFrame | None) -> list[str]:
    """Return the id of each row of a candidates layer.

    The first of ``site_id``, ``candidate_id``, ``store_id``, ``id`` that a row has, else
    ``K<row number>``.

    Parameters
    ----------
    layer : pandas.DataFrame or None
        The candidates layer.

    Returns
    -------
    list of str
    """
    if layer is None or not len(layer):
        return []
    out = []
    for i, (_, row) in enumerate(layer.iterrows()):
        found = next(
            (
                _text_id(row.get(c))
                for c in ("site_id", "candidate_id", "store_id", "id")
                if _text_id(row.get(c))
            ),
            None,
        )
        out.append(found or f"K{i + 1}")
    return out


def next_candidate_id(project: Project) -> str:
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
