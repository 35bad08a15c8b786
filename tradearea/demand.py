"""Demand: households, people and spending per zone, and their share in each trade area."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from tradearea._core.crs import WGS84, frame_utm_crs
from tradearea._core.geometry import apportion as apportion_by_area
from tradearea._core.geometry import is_polygonal
from tradearea.errors import InputError
from tradearea.formats import FORMATS
from tradearea.geocode.chinese import frame_to_wgs84
from tradearea.io.geofiles import read_polygons
from tradearea.io.tables import (
    latlon,
    numeric_column,
    read_table,
    rename_columns,
    require_columns,
    unique_ids,
)

# Assumption: people per household where only one of the two is known (Helsinki ~1.9).
DEFAULT_HOUSEHOLD_SIZE = 2.0
# Assumption: income elasticity of spending (food ~0.3-0.5, other goods nearer 1).
DEFAULT_INCOME_ELASTICITY = 0.5
DEFAULT_H3_RESOLUTION = 9
# Spending per household per week on each category (the project's currency; defaults are
# euro-area magnitudes). A setting: users put their own figures in settings["spend_per_household"].
SPEND_PER_HOUSEHOLD_WEEK: dict[str, float] = {
    "grocery": 90.0,
    "general_merchandise": 30.0,
    "specialty": 35.0,
    "home": 12.0,
}
PERIODS: dict[str, float] = {"week": 1.0, "month": 52.0 / 12.0, "year": 52.0}
Period = Literal["week", "month", "year"]

ZONE_ALIASES = {
    "origin_id": ("zone_id", "zone", "id", "区域编号", "小区编号", "编号"),
    "households": ("hh", "dwellings", "household", "户数", "家庭数", "住户数"),
    "population": ("pop", "people", "inhabitants", "residents", "人口", "人口数", "常住人口"),
    "income": (
        "median_income", "mean_income", "household_income", "avg_income", "收入", "人均收入",
        "家庭收入", "平均收入",
    ),
    "demand": ("spending", "spend", "expenditure", "需求", "消费额", "消费支出"),
    "lat": ("latitude", "纬度"),
    "lon": ("lng", "long", "longitude", "经度"),
}  # fmt: skip
_GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet")


def spend_per_household(
    format_or_category: str,
    *,
    period: Period = "week",
    settings: Mapping[str, Any] | None = None,
) -> float:
    """Return spending per household per period on the category a format sells.

    Parameters
    ----------
    format_or_category : str
        A format key (``supermarket``) or a category (``grocery``).
    period : {'week', 'month', 'year'}
        The period of the result.
    settings : mapping, optional
        Project settings; ``settings["spend_per_household"]`` (category -> amount per week)
        overrides the defaults of :data:`SPEND_PER_HOUSEHOLD_WEEK`.

    Returns
    -------
    float
        The amount in the project's currency.
    """
    category = (
        FORMATS[format_or_category].category
        if format_or_category in FORMATS
        else format_or_category
    )
    table = dict(SPEND_PER_HOUSEHOLD_WEEK)
    if settings and isinstance(settings.get("spend_per_household"), Mapping):
        table.update({k: float(v) for k, v in settings["spend_per_household"].items()})
    if category not in table:
        msg = f"unknown format or category {format_or_category!r}; use one of {', '.join(FORMATS)}"
        raise ValueError(msg)
    if period not in PERIODS:
        msg = f"period must be one of {', '.join(PERIODS)}, not {period!r}"
        raise ValueError(msg)
    return table[category] * PERIODS[period]


def zones_from_buildings(
    buildings: gpd.GeoDataFrame,
    *,
    zone: Literal["h3", "building"] = "h3",
    resolution: int = DEFAULT_H3_RESOLUTION,
    household_size: float = DEFAULT_HOUSEHOLD_SIZE,
) -> gpd.GeoDataFrame:
    """Estimate households and people per zone from a region's residential buildings.

    The region's dwellings are themselves estimates (floor area / dwelling size), so every
    zone is flagged ``estimated=True``.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Region buildings with ``dwellings`` (``Region.residential_buildings``).
    zone : {'h3', 'building'}
        One zone per H3 cell (hexagon polygons) or per building.
    resolution : int
        H3 resolution (9: cells of about 0.1 km²).
    household_size : float
        People per household.

    Returns
    -------
    geopandas.GeoDataFrame
        origin_id, households, population, income (NaN), lat, lon (dwelling-weighted centre),
        estimated, geometry.
    """
    import h3

    b = buildings[buildings["dwellings"] > 0]
    if not len(b):
        return _zone_frame([], [], [], [], [], [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cent = b.geometry.to_crs(frame_utm_crs(b)).centroid.to_crs(WGS84)
    lat, lon = cent.y.to_numpy(), cent.x.to_numpy()
    hh = b["dwellings"].to_numpy(dtype=float)
    if zone == "building":
        ids = [f"B{int(i)}" for i in b["building_id"]]
        return _zone_frame(ids, hh, hh * household_size, lat, lon, list(b.geometry))
    if zone != "h3":
        msg = f"zone must be 'h3' or 'building', not {zone!r}"
        raise ValueError(msg)
    cells = np.array([h3.latlng_to_cell(a, o, resolution) for a, o in zip(lat, lon, strict=True)])
    frame = pd.DataFrame({"cell": cells, "hh": hh, "wlat": lat * hh, "wlon": lon * hh})
    g = frame.groupby("cell", sort=True).sum()
    polys = [_hexagon(c) for c in g.index]
    return _zone_frame(
        list(g.index),
        g["hh"].to_numpy(),
        g["hh"].to_numpy() * household_size,
        (g["wlat"] / g["hh"]).to_numpy(),
        (g["wlon"] / g["hh"]).to_numpy(),
        polys,
    )


def _hexagon(cell: str) -> Any:
    import h3

    return Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def _zone_frame(
    ids: Sequence[str], hh: Any, pop: Any, lat: Any, lon: Any, geoms: Sequence[Any]
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "origin_id": list(ids),
            "households": np.round(np.asarray(hh, dtype=float), 1),
            "population": np.round(np.asarray(pop, dtype=float), 1),
            "income": np.full(len(ids), np.nan),
            "lat": np.asarray(lat, dtype=float),
            "lon": np.asarray(lon, dtype=float),
            "estimated": np.ones(len(ids), dtype=bool),
        },
        geometry=gpd.GeoSeries(list(geoms), crs=WGS84),
        crs=WGS84,
    )


def read_zones(
    path: str | Path, *, household_size: float = DEFAULT_HOUSEHOLD_SIZE, datum: str = "wgs84"
) -> gpd.GeoDataFrame:
    """Read demand zones a user uploads: GeoJSON, GeoPackage, Shapefile, or CSV with lat/lon.

    Parameters
    ----------
    path : str or pathlib.Path
        The file. Columns: population and/or households (optional where ``demand`` is
        given), optional income, optional origin_id and demand (English or Chinese headers).
    household_size : float
        Households = population / household_size where only population is given.
    datum : {'wgs84', 'gcj02', 'bd09'}
        The datum of the file's coordinates; GCJ-02 (Amap, Tencent) and BD-09 (Baidu) points
        inside China are converted to WGS84 (see :func:`tradearea.geocode.frame_to_wgs84`).

    Returns
    -------
    geopandas.GeoDataFrame
        origin_id, households, population, income, lat, lon (a point inside the zone),
        estimated (False), geometry (EPSG:4326), plus ``demand`` if the file had it.

    Raises
    ------
    InputError
        Naming the file, row and column of the first unusable value.
    """
    file = str(path)
    path = Path(path)
    if not path.exists():
        raise InputError("not found", file=file)
    if path.suffix.lower() in _GEO_SUFFIXES:
        if path.suffix.lower() == ".parquet":
            try:
                raw = gpd.read_parquet(path)
            except Exception as exc:
                raise InputError(f"cannot read the zones: {exc}", file=file) from None
            geo = _to_wgs84(raw, file=file)
        else:  # size limit, CRS check/reprojection, invalid polygons repaired (geofiles)
            geo = read_polygons(path, name=file, what="zones", polygons=False)
        table = rename_columns(pd.DataFrame(geo.drop(columns=geo.geometry.name)), ZONE_ALIASES)
        geometry = geo.geometry.reset_index(drop=True)
        bad = (geometry.isna() | geometry.is_empty).to_numpy()
        if bad.any():
            raise InputError(
                "zone has no geometry",
                file=file,
                row=int(np.flatnonzero(bad)[0]) + 1,
                column="geometry",
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            rep = geometry.representative_point()
        lat, lon = rep.y.to_numpy(), rep.x.to_numpy()
    else:
        table = read_table(path, aliases=ZONE_ALIASES)
        lat, lon = latlon(table, file=file)
        geometry = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84)
    table = table.reset_index(drop=True)
    if not len(table):
        raise InputError("the file has no zones", file=file)
    zones = _zone_table(table, lat, lon, geometry, file=file, household_size=household_size)
    if path.suffix.lower() in _GEO_SUFFIXES:
        zones.attrs.update(geo.attrs)  # repairs and CRS conversion, for summaries
    return frame_to_wgs84(zones, datum=datum)


def _to_wgs84(raw: gpd.GeoDataFrame, *, file: str) -> gpd.GeoDataFrame:
    if raw.crs is None:
        b = raw.total_bounds
        if (
            np.all(np.isfinite(b))
            and abs(b[0]) <= 180
            and abs(b[2]) <= 180
            and abs(b[1]) <= 90
            and abs(b[3]) <= 90
        ):
            return raw.set_crs(WGS84)
        raise InputError(
            "the zones have no coordinate reference system (CRS); save them with one", file=file
        )
    return raw.to_crs(WGS84)


def _zone_table(
    table: pd.DataFrame,
    lat: Any,
    lon: Any,
    geometry: gpd.GeoSeries,
    *,
    file: str,
    household_size: float,
) -> gpd.GeoDataFrame:
    has_demand = "demand" in table.columns  # demand given: households are optional
    if "households" not in table.columns and "population" not in table.columns and not has_demand:
        require_columns(table, ("households",), file=file)
    pop = (
        numeric_column(table, "population", file=file, minimum=0, allow_missing=True)
        if "population" in table.columns
        else np.full(len(table), np.nan)
    )
    hh = (
        numeric_column(table, "households", file=file, minimum=0, allow_missing=True)
        if "households" in table.columns
        else np.full(len(table), np.nan)
    )
    both_missing = np.isnan(hh) & np.isnan(pop)
    if both_missing.any() and not has_demand:
        i = int(np.flatnonzero(both_missing)[0])
        raise InputError(
            "households and population are both empty", file=file, row=i + 1, column="households"
        )
    source = np.where(np.isnan(hh), np.where(np.isnan(pop), "none", "population"), "input")
    hh = np.where(np.isnan(hh), pop / household_size, hh)
    pop = np.where(np.isnan(pop), hh * household_size, pop)
    income = (
        numeric_column(table, "income", file=file, positive=True, allow_missing=True)
        if "income" in table.columns
        else np.full(len(table), np.nan)
    )
    if "origin_id" in table.columns:
        ids = unique_ids(table["origin_id"], column="origin_id", file=file).to_numpy()
    else:
        ids = np.array([f"Z{k + 1:03d}" for k in range(len(table))])
    out = gpd.GeoDataFrame(
        {
            "origin_id": ids,
            "households": hh,
            "population": pop,
            "income": income,
            "lat": np.asarray(lat, dtype=float),
            "lon": np.asarray(lon, dtype=float),
            "estimated": np.zeros(len(table), dtype=bool),
            "households_source": source,
        },
        geometry=geometry.to_numpy(),
        crs=WGS84,
    )
    if "demand" in table.columns:
        out["demand"] = numeric_column(table, "demand", file=file, minimum=0)
    keep = [c for c in table.columns if c not in out.columns and c != "geometry"]
    for col in keep:
        out[col] = table[col].to_numpy()
    return out


def zone_demand(
    zones: pd.DataFrame,
    *,
    spend: float,
    elasticity: float = DEFAULT_INCOME_ELASTICITY,
    income_column: str = "income",
) -> pd.DataFrame:
    """Add spending per zone: households × spend × (income / mean income) ^ elasticity.

    Parameters
    ----------
    zones : pandas.DataFrame
        Zones with ``households`` (and optionally an income column).
    spend : float
        Spending per household per period at the region's mean income.
    elasticity : float
        Income elasticity of spending (0 ignores income).
    income_column : str
        Column with zone income; zones without income get a scale of 1.

    Returns
    -------
    pandas.DataFrame
        A copy with ``spend_per_household``, ``income_scale`` and ``demand``.
    """
    if spend < 0 or not np.isfinite(spend):
        msg = f"spending per household must be a number of at least 0, not {spend!r}"
        raise ValueError(msg)
    out = zones.copy()
    hh = out["households"].to_numpy(dtype=float)
    scale = np.ones(len(out))
    if income_column in out.columns and elasticity != 0:
        income = pd.to_numeric(out[income_column], errors="coerce").to_numpy(dtype=float)
        known = ~np.isnan(income) & (income > 0)
        if known.any() and hh[known].sum() > 0:
            mean = float(np.average(income[known], weights=hh[known]))
            scale[known] = (income[known] / mean) ** elasticity
    out["spend_per_household"] = spend * scale
    out["income_scale"] = scale
    out["demand"] = hh * spend * scale
    return out


def apportion(
    zones: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    columns: Sequence[str] = ("households", "population", "demand"),
    method: Literal["areal", "address"] = "areal",
    addresses: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Share zone totals (households, people, spending) among trade areas.

    ``areal``: areal interpolation (:func:`tradearea._core.geometry.apportion`), each zone's
    total split by the share of its area inside each trade area; point zones count wholly in
    the area that contains them.
    ``address``: each zone's total split evenly among the address points inside it and summed
    per trade area (zones without an address point count at their representative point).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zones with the columns to share (polygons or points, EPSG:4326).
    areas : geopandas.GeoDataFrame
        Trade areas (polygons, EPSG:4326; disjoint tiers).
    columns : sequence of str
        Extensive columns to share (those present are used).
    method : {'areal', 'address'}
        How to share.
    addresses : geopandas.GeoDataFrame, optional
        Address points (``Region.addresses``), required for ``address``.

    Returns
    -------
    pandas.DataFrame
        One row per trade area (same index as ``areas``) with the shared totals.
    """
    cols = [c for c in columns if c in zones.columns]
    if not cols:
        msg = f"zones have none of the columns {', '.join(columns)}"
        raise ValueError(msg)
    if not len(areas):
        return pd.DataFrame(columns=cols, index=areas.index, dtype=float)
    utm = frame_utm_crs(areas)
    tgt = gpd.GeoDataFrame(geometry=areas.to_crs(utm).geometry.reset_index(drop=True), crs=utm)
    src = zones.to_crs(utm).reset_index(drop=True)
    if method == "address":
        if addresses is None:
            msg = "method 'address' needs the region's address points"
            raise ValueError(msg)
        src = _spread_to_addresses(src, addresses.to_crs(utm), cols)
    elif method != "areal":
        msg = f"method must be 'areal' or 'address', not {method!r}"
        raise ValueError(msg)
    is_poly = is_polygonal(src.geometry)
    total = np.zeros((len(tgt), len(cols)))
    if is_poly.any():
        poly = src[is_poly]
        targets = tgt.geometry.to_numpy()
        for j, col in enumerate(cols):
            values = pd.to_numeric(poly[col], errors="coerce").fillna(0.0).to_numpy(float)
            total[:, j] += apportion_by_area(poly.geometry.to_numpy(), values, targets)
    if (~is_poly).any():
        pts = src[~is_poly][[*cols, "geometry"]]
        joined = gpd.sjoin(pts, tgt, how="inner", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        sums = joined.groupby("index_right")[cols].sum()
        total[sums.index.to_numpy()] += sums.to_numpy(dtype=float)
    return pd.DataFrame(total, columns=cols, index=areas.index)


def _spread_to_addresses(
    src: gpd.GeoDataFrame, addr: gpd.GeoDataFrame, cols: list[str]
) -> gpd.GeoDataFrame:
    polys = src[is_polygonal(src.geometry)]
    joined = gpd.sjoin(addr[["geometry"]], polys[["geometry"]], how="inner", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    per_zone = joined["index_right"].value_counts()
    share = 1.0 / joined["index_right"].map(per_zone).to_numpy(dtype=float)
    values = src.loc[joined["index_right"].to_numpy(), cols].to_numpy(dtype=float) * share[:, None]
    spread = gpd.GeoDataFrame(
        values, columns=cols, geometry=joined.geometry.to_numpy(), crs=src.crs
    )
    rest = src[~src.index.isin(per_zone.index)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rest_pts = gpd.GeoDataFrame(
            rest[cols], geometry=rest.geometry.representative_point(), crs=src.crs
        )
    return pd.concat([spread, rest_pts], ignore_index=True)


def read_demand(
    path: str | Path,
    *,
    spend: float | None = None,
    elasticity: float = DEFAULT_INCOME_ELASTICITY,
    datum: str = "wgs84",
) -> gpd.GeoDataFrame:
    """Read demand zones for the Huff model: origin_id, demand, households, lat, lon or polygons.

    With a ``demand`` column, households and population are optional (NaN where not given,
    ``households_source`` "none").

    Parameters
    ----------
    path : str or pathlib.Path
        CSV/Excel with lat, lon, or a GeoJSON/GeoPackage/Shapefile.
    spend : float, optional
        Spending per household per period, used where ``demand`` is missing.
    elasticity : float
        Income elasticity used with ``spend`` when zones carry income.
    datum : {'wgs84', 'gcj02', 'bd09'}
        The datum of the file's coordinates; GCJ-02 (Amap, Tencent) and BD-09 (Baidu) points
        inside China are converted to WGS84 (see :func:`tradearea.geocode.frame_to_wgs84`).

    Returns
    -------
    geopandas.GeoDataFrame
        origin_id, demand, households, lat, lon and geometry.
    """
    zones = read_zones(path, datum=datum)
    if "demand" not in zones.columns:
        if spend is None:
            msg = (
                "the zones have no 'demand' column: give spending per household "
                "to compute it from households"
            )
            raise InputError(msg, file=str(path), column="demand", option="spend")
        zones = gpd.GeoDataFrame(zone_demand(zones, spend=spend, elasticity=elasticity), crs=WGS84)
    return zones
