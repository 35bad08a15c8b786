"""Competitor stores: retail formats, OSM shops mapped to formats, uploads and floor areas."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea._core.crs import WGS84
from tradearea.distance import great_circle_m
from tradearea.errors import InputError

# the format registry lives in tradearea.formats; these names stay importable from here
from tradearea.formats import (  # noqa: F401
    CATEGORIES,
    FORMATS,
    RetailFormat,
    category_of,
    format_table,
    normalise_format,
)
from tradearea.geocode.chinese import frame_to_wgs84
from tradearea.io.tables import latlon, numeric_column, read_table, require_columns

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

STORE_COLUMNS = (
    "store_id",
    "name",
    "brand",
    "format",
    "lat",
    "lon",
    "floor_area_m2",
    "floor_area_source",
)
FLOOR_AREA_SOURCES = ("input", "osm_building", "format_default")


# OSM shop=* values by format; anything not listed that is a shop=* selling goods is a
# specialty store. Services (hairdresser, laundry, ...) and amenities are not retail.
_OSM_SHOP_FORMATS: dict[str, str] = {
    "convenience": "convenience",
    "kiosk": "convenience",
    "grocery": "convenience",
    "general": "convenience",
    "supermarket": "supermarket",
    "wholesale": "warehouse_club",
    "department_store": "department_store",
    "mall": "shopping_mall",
    "doityourself": "home_centre",
    "hardware": "home_centre",
    "trade": "home_centre",
    "garden_centre": "home_centre",
    "building_materials": "home_centre",
    "boutique": "exclusive_shop",
    "marketplace": "specialty_market",
}
_BRAND_SHOPS = frozenset(
    {
        "clothes",
        "shoes",
        "jewelry",
        "watches",
        "bag",
        "handbags",
        "leather",
        "fur",
        "cosmetics",
        "perfumery",
    }
)
_OSM_SERVICES = frozenset(
    {
        "hairdresser", "beauty", "beauty_salon", "massage", "nails", "nailstudio", "tattoo",
        "laundry", "dry_cleaning", "travel_agency", "car_repair", "funeral_directors", "tailor",
        "locksmith", "locks", "pawnbroker", "ticket", "photo_studio", "copyshop", "yes", "unknown",
        "vacant", "storage_rental", "money_lender", "bookmaker", "lottery",
    }
)  # fmt: skip
_HYPERMARKET_WORDS = (
    "hypermarket", "prisma", "citymarket", "carrefour", "auchan", "supercenter", "tesco extra",
    "kaufland", "大润发", "家乐福", "沃尔玛", "欧尚",
)  # fmt: skip
_WAREHOUSE_WORDS = ("costco", "sam's club", "metro cash", "山姆", "开市客", "麦德龙")

UPLOAD_ALIASES = {
    "store_id": ("id", "shop_id", "门店编号", "店号", "编号"),
    "name": ("store", "store_name", "shop_name", "名称", "店名", "门店", "门店名称"),
    "brand": ("chain", "品牌"),
    "format": ("type", "store_type", "业态", "类型"),
    "lat": ("latitude", "纬度"),
    "lon": ("lng", "long", "longitude", "经度"),
    "floor_area_m2": (
        "floor_area", "area", "area_m2", "sales_area", "sales_area_m2", "gla", "营业面积", "面积",
        "建筑面积",
    ),
}  # fmt: skip


def format_of_osm(
    shop: Any, amenity: Any = None, name: Any = None, brand: Any = None
) -> str | None:
    """Map an OpenStreetMap shop to a retail format of DOMAIN.md, or None if it is not retail.

    Parameters
    ----------
    shop, amenity : str or None
        The ``shop=*`` and ``amenity=*`` values.
    name, brand : str or None
        Used to tell hypermarkets and warehouse clubs from supermarkets and brand shops from
        other specialty stores.

    Returns
    -------
    str or None
        A key of :data:`FORMATS`.
    """
    label = " ".join(v for v in (name, brand) if isinstance(v, str)).casefold()
    if not isinstance(shop, str) or not shop:
        return "specialty_market" if amenity == "marketplace" else None
    shop = shop.split(";")[0].strip()
    if shop in ("supermarket", "wholesale", "department_store"):
        if any(w in label for w in _WAREHOUSE_WORDS):
            return "warehouse_club"
        if any(w in label for w in _HYPERMARKET_WORDS):
            return "hypermarket"
    if shop in _OSM_SHOP_FORMATS:
        return _OSM_SHOP_FORMATS[shop]
    if shop in _OSM_SERVICES or not shop.islower():
        return None
    if shop in _BRAND_SHOPS and isinstance(brand, str) and brand:
        return "exclusive_shop"
    return "specialty_store"


def competitors_from_region(
    region: Region,
    *,
    formats: list[str] | None = None,
    category: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the region's shops as competitor stores, mapped to retail formats.

    Parameters
    ----------
    region : tradearea.regions.packs.Region or geopandas.GeoDataFrame
        A region pack, or its ``shops`` layer.
    formats : list of str, optional
        Keep only these format keys.
    category : str, optional
        Keep only formats of this spending category (``grocery``, ...).

    Returns
    -------
    geopandas.GeoDataFrame
        The store columns of DESIGN.md plus ``category``, ``osm_category`` and ``osm_id``;
        floor areas checked with :func:`fill_floor_area`.
    """
    shops = region.shops if hasattr(region, "shops") else region
    fmt = [
        format_of_osm(s, a, n, b)
        for s, a, n, b in zip(
            shops["shop"], shops["amenity"], shops["name"], shops["brand"], strict=True
        )
    ]
    frame = pd.DataFrame(
        {
            "store_id": [f"osm-{i}" for i in shops["osm_id"]],
            "name": shops["name"].to_numpy(),
            "brand": shops["brand"].to_numpy(),
            "format": fmt,
            "lat": shops["lat"].to_numpy(dtype=float),
            "lon": shops["lon"].to_numpy(dtype=float),
            "floor_area_m2": shops["floor_area_m2"].to_numpy(dtype=float),
            "floor_area_source": shops["floor_area_source"].to_numpy(),
            "osm_category": shops["category"].to_numpy(),
            "osm_id": shops["osm_id"].to_numpy(),
        }
    )
    frame = frame[frame["format"].notna()]
    if formats is not None:
        frame = frame[frame["format"].isin(formats)]
    if category is not None:
        frame = frame[frame["format"].map(lambda f: FORMATS[f].category) == category]
    dup = frame["store_id"].duplicated(keep=False)
    frame.loc[dup, "store_id"] = [f"osm-{i}-{k}" for k, i in enumerate(frame.loc[dup, "osm_id"])]
    unnamed = frame["osm_category"].astype(str).str.split("=").str[-1] + " (unnamed)"
    frame["name"] = frame["name"].where(frame["name"].notna(), unnamed)
    return fill_floor_area(frame.reset_index(drop=True))


def read_competitors(
    path: str | Path, *, default_format: str | None = None, datum: str = "wgs84"
) -> gpd.GeoDataFrame:
    """Read a competitor file: name, brand, format, lat, lon, floor_area_m2 (CSV or Excel).

    Parameters
    ----------
    path : str or pathlib.Path
        The file. Headers may be English or Chinese (名称, 品牌, 业态, 纬度, 经度, 营业面积).
    default_format : str, optional
        Format for rows whose ``format`` is empty (otherwise such rows are an error).
    datum : {'wgs84', 'gcj02', 'bd09'}
        The datum of the file's coordinates; GCJ-02 (Amap, Tencent) and BD-09 (Baidu) points
        inside China are converted to WGS84 (see :func:`tradearea.geocode.frame_to_wgs84`).

    Returns
    -------
    geopandas.GeoDataFrame
        Store columns of DESIGN.md plus ``category`` and any other columns of the file (e.g.
        ``role``); missing floor areas filled from the format default
        (``floor_area_source='format_default'``), given ones marked ``input``.

    Raises
    ------
    InputError
        Naming the file, row and column of the first unusable value.
    """
    file = str(path)
    table = read_table(path, aliases=UPLOAD_ALIASES)
    require_columns(table, ("name", "lat", "lon"), file=file)
    if not len(table):
        raise InputError("the file has no data rows", file=file)
    lat, lon = latlon(table, file=file)
    if "format" not in table.columns:
        table["format"] = None
    formats = []
    for i, raw in enumerate(table["format"]):
        key = normalise_format(raw) if raw is not None else normalise_format(default_format)
        if key is None:
            known = ", ".join(FORMATS)
            msg = f"format {raw!r} is not known; use one of {known}" if raw else "format is empty"
            raise InputError(msg, file=file, row=i + 1, column="format")
        formats.append(key)
    area = (
        numeric_column(table, "floor_area_m2", file=file, positive=True, allow_missing=True)
        if "floor_area_m2" in table.columns
        else np.full(len(table), np.nan)
    )
    if "store_id" in table.columns and table["store_id"].notna().all():
        ids = table["store_id"].astype(str)
        if ids.duplicated().any():
            i = int(np.flatnonzero(ids.duplicated().to_numpy())[0])
            raise InputError(
                f"store_id {ids.iloc[i]!r} appears twice", file=file, row=i + 1, column="store_id"
            )
    else:
        ids = pd.Series([f"U{k + 1:03d}" for k in range(len(table))])
    frame = pd.DataFrame(
        {
            "store_id": ids.to_numpy(),
            "name": table["name"].to_numpy(),
            "brand": table["brand"].to_numpy() if "brand" in table.columns else None,
            "format": formats,
            "lat": lat,
            "lon": lon,
            "floor_area_m2": area,
            "floor_area_source": _given_source(table, area),
        }
    )
    for col in table.columns:
        if col not in frame.columns and col not in UPLOAD_ALIASES:
            frame[col] = table[col].to_numpy()
    return frame_to_wgs84(fill_floor_area(frame), datum=datum)


def _given_source(table: pd.DataFrame, area: np.ndarray) -> np.ndarray:
    """Where each given floor area came from: the file's own ``floor_area_source``, else input.

    A file exported by tradearea (or a project) says which areas came from OSM buildings; they
    keep that flag, so the same sanity check applies to them as when they were first derived.
    """
    source = np.where(np.isnan(area), None, "input").astype(object)
    if "floor_area_source" in table.columns:
        given = table["floor_area_source"].astype(object).to_numpy()
        known = np.isin(given, list(FLOOR_AREA_SOURCES)) & ~np.isnan(area)
        source[known] = given[known]
    return source


def fill_floor_area(
    stores: pd.DataFrame, *, buildings: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Fill missing floor areas and replace implausible building-derived ones.

    Rules, in order: a floor area given by the user (``input``) is kept; a missing one is taken
    from the containing building when ``buildings`` is given (its floor area divided among the
    stores in it, ``osm_building``); a building-derived area above the format's plausible
    maximum, or still missing, becomes the format default (``format_default``).

    Parameters
    ----------
    stores : pandas.DataFrame
        Store columns (``format`` must be a key of :data:`FORMATS`).
    buildings : geopandas.GeoDataFrame, optional
        Region buildings with ``floor_area_m2`` (EPSG:4326 polygons).

    Returns
    -------
    geopandas.GeoDataFrame
        Points in EPSG:4326 with the store columns of DESIGN.md plus ``category``.
    """
    out = pd.DataFrame(stores).copy()
    for col in STORE_COLUMNS:
        if col not in out.columns:
            out[col] = None
    unknown = ~out["format"].isin(list(FORMATS))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        msg = f"format {out['format'].iloc[i]!r} is not one of {', '.join(FORMATS)}"
        raise InputError(msg, row=i + 1, column="format")
    area = pd.to_numeric(out["floor_area_m2"], errors="coerce").to_numpy(dtype=float)
    source = out["floor_area_source"].astype(object).to_numpy()
    source = np.where(np.isnan(area), None, np.where(pd.isna(source), "input", source))
    geometry = gpd.points_from_xy(out["lon"].astype(float), out["lat"].astype(float), crs=WGS84)
    if buildings is not None and len(buildings) and np.isnan(area).any():
        area, source = _area_from_buildings(geometry, area, source, buildings)
    default = out["format"].map(lambda f: FORMATS[f].default_floor_area_m2).to_numpy(dtype=float)
    maximum = out["format"].map(lambda f: FORMATS[f].max_floor_area_m2).to_numpy(dtype=float)
    too_big = (source == "osm_building") & (area > maximum)
    replace = np.isnan(area) | too_big
    area = np.where(replace, default, area)
    source = np.where(replace, "format_default", source)
    out["floor_area_m2"] = area
    out["floor_area_source"] = source
    out["category"] = out["format"].map(lambda f: FORMATS[f].category)
    return gpd.GeoDataFrame(out, geometry=geometry, crs=WGS84)


def _area_from_buildings(
    points: Any, area: np.ndarray, source: np.ndarray, buildings: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoDataFrame(geometry=points, crs=WGS84)
    joined = gpd.sjoin(
        pts, buildings[["floor_area_m2", "geometry"]], how="left", predicate="within"
    )
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    b_area = joined["floor_area_m2"].to_numpy(dtype=float)
    b_key = joined["index_right"].to_numpy()
    counts = pd.Series(b_key).map(pd.Series(b_key).value_counts()).to_numpy(dtype=float)
    share = b_area / np.where(np.isnan(counts) | (counts < 1), 1.0, counts)
    fill = np.isnan(area) & ~np.isnan(share)
    area = np.where(fill, np.round(share, 1), area)
    source = np.where(fill, "osm_building", source)
    return area, source


def combine_competitors(
    region_stores: pd.DataFrame, uploaded: pd.DataFrame, *, match_m: float = 30.0
) -> gpd.GeoDataFrame:
    """Combine region shops with an uploaded list; an upload replaces a region shop it matches.

    A region shop matches an uploaded store of the same spending category within ``match_m``
    metres; the uploaded row (the user's knowledge) wins.

    Parameters
    ----------
    region_stores, uploaded : pandas.DataFrame
        Store frames (from :func:`competitors_from_region` and :func:`read_competitors`).
    match_m : float
        Matching distance in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        Uploaded stores, then the unmatched region stores, with a ``source`` column
        (``upload`` or ``region``).
    """

    up = fill_floor_area(uploaded).assign(source="upload")
    reg = remove_matches(fill_floor_area(region_stores), up, match_m=match_m).assign(
        source="region"
    )
    out = pd.concat([up, reg], ignore_index=True)
    dup = out["store_id"].duplicated(keep="first")
    out.loc[dup, "store_id"] = out.loc[dup, "store_id"] + "-region"
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)


def remove_matches(
    stores: pd.DataFrame, reference: pd.DataFrame, *, match_m: float = 30.0
) -> pd.DataFrame:
    """Drop the stores that match a reference store (same spending category within ``match_m``).

    Used to keep the own store, or a store the user listed, from also counting as a region
    competitor.

    Parameters
    ----------
    stores, reference : pandas.DataFrame
        Store frames with format (or category), lat, lon.
    match_m : float
        Matching distance in metres.

    Returns
    -------
    pandas.DataFrame
        ``stores`` without the matched rows.
    """
    if not len(stores) or not len(reference):
        return stores

    def category(frame: pd.DataFrame) -> np.ndarray:
        if "category" in frame.columns and frame["category"].notna().all():
            return frame["category"].to_numpy()
        return np.asarray(category_of(frame["format"]), dtype=object)

    d = great_circle_m(
        stores["lat"].to_numpy(float)[:, None],
        stores["lon"].to_numpy(float)[:, None],
        reference["lat"].to_numpy(float)[None, :],
        reference["lon"].to_numpy(float)[None, :],
    )
    same = category(stores)[:, None] == category(reference)[None, :]
    return stores[~((d <= match_m) & same).any(axis=1)]
