"""Index of Retail Saturation (IRS = C × RE / RF) per trade area and as a white-space surface."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from shapely.geometry import Point

from tradearea._core.crs import FALLBACK_METRIC_CRS, WGS84, frame_utm_crs, project_lonlat
from tradearea._core.dispatch import dask_aware
from tradearea.demand import _hexagon, apportion, spend_per_household
from tradearea.formats import FORMATS, category_of, format_key
from tradearea.regions.network import travel_times
from tradearea.settings import check_grid
from tradearea.tiers import tier_name

DEFAULT_SURFACE_RESOLUTION = 9
DEFAULT_RADIUS_M = 1_000.0
DEFAULT_MINUTES = 10.0


def irs(customers: float, spend: float, floor_area: float) -> float:
    """Return the Index of Retail Saturation, C × RE / RF.

    Parameters
    ----------
    customers : float
        C: potential customers (households or people) in the trade area.
    spend : float
        RE: spending per customer on the category in the period.
    floor_area : float
        RF: selling floor area (m²) of all stores of the category in the trade area.

    Returns
    -------
    float
        Spending per m² of floor area per period (``inf`` when there is no floor area and some
        spending: no competition). DOMAIN.md: 100000 × 25 / 144000 = 17.36.

    Raises
    ------
    ValueError
        On a negative or non-finite input.
    """
    for name, value in (("customers", customers), ("spend", spend), ("floor_area", floor_area)):
        if not np.isfinite(value) or value < 0:
            msg = f"{name} must be a number of at least 0, not {value!r}"
            raise ValueError(msg)
    potential = float(customers) * float(spend)
    if floor_area == 0:
        return float("inf") if potential > 0 else float("nan")
    return potential / float(floor_area)


def irs_breakdown(
    customers: float,
    spend: float,
    floor_areas: Any,
    *,
    candidate_floor_area: float | None = None,
) -> dict[str, float]:
    """Return IRS with its parts, with and without a proposed store.

    Parameters
    ----------
    customers : float
        C.
    spend : float
        RE per customer.
    floor_areas : array-like
        Floor area of each existing store of the category in the area.
    candidate_floor_area : float, optional
        Floor area of the proposed store (adds the ``*_with_candidate`` fields).

    Returns
    -------
    dict
        customers, spend, potential (C × RE), floor_area (RF), stores, irs; and
        floor_area_with_candidate, stores_with_candidate, irs_with_candidate, irs_change.
    """
    areas = np.asarray(floor_areas, dtype=float).ravel()
    rf = float(areas.sum())
    out = {
        "customers": float(customers),
        "spend": float(spend),
        "potential": float(customers) * float(spend),
        "floor_area": rf,
        "stores": int(areas.size),
        "irs": irs(customers, spend, rf),
    }
    if candidate_floor_area is not None:
        rf2 = rf + float(candidate_floor_area)
        out["floor_area_with_candidate"] = rf2
        out["stores_with_candidate"] = int(areas.size) + 1
        out["irs_with_candidate"] = irs(customers, spend, rf2)
        out["irs_change"] = out["irs_with_candidate"] - out["irs"]
    return out


def _category_stores(stores: pd.DataFrame, category: str) -> gpd.GeoDataFrame:
    s = stores[np.asarray(category_of(stores["format"]), dtype=object) == category]
    geom = gpd.points_from_xy(s["lon"].astype(float), s["lat"].astype(float), crs=WGS84)
    return gpd.GeoDataFrame(s.drop(columns=["geometry"], errors="ignore"), geometry=geom, crs=WGS84)


@dask_aware("irs_by_trade_area")
def irs_by_trade_area(
    areas: gpd.GeoDataFrame,
    stores: pd.DataFrame,
    *,
    format: str = "supermarket",
    spend: float | None = None,
    customers_column: str = "households",
    zones: gpd.GeoDataFrame | None = None,
    candidate: Mapping[str, Any] | None = None,
    cumulative: bool = False,
    period: Literal["week", "month", "year"] = "week",
    settings: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Compute IRS for each trade-area tier, with and without a proposed store.

    RF counts every store (competitors and own ones) of the format's spending category whose
    location falls in the tier's polygon; C is the households in the tier (the areas' own
    column, or zones apportioned by areal interpolation); RE is spending per household.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        Trade areas: store_id, tier, geometry (disjoint rings), and ``customers_column``.
    stores : pandas.DataFrame
        Stores with format, lat, lon, floor_area_m2.
    format : str
        The format being tested; its category sets which stores compete and the default RE.
    spend : float, optional
        RE per household per period; the category default of :mod:`tradearea.demand` if None.
    customers_column : str
        Column of ``areas`` holding C (used when ``zones`` is None).
    zones : geopandas.GeoDataFrame, optional
        Demand zones with households, shared among the areas by area.
    candidate : mapping, optional
        The proposed store: lat, lon, floor_area_m2 (default: the format's default area).
    cumulative : bool
        Tier k covers tiers 1..k (the trade area out to that tier) instead of its ring only.
    period : {'week', 'month', 'year'}
        Period of the default spending.
    settings : mapping, optional
        Project settings (``spend_per_household`` overrides).

    Returns
    -------
    pandas.DataFrame
        store_id, tier, tier_name, customers, spend, potential, floor_area, stores, irs
        (``inf`` where no store competes), status ('ok', 'no_competition', 'no_customers'),
        scope ('ring' or 'cumulative'); with a candidate also candidate_inside,
        floor_area_with_candidate, stores_with_candidate, irs_with_candidate, irs_change.
    """
    format = format_key(format)
    re = (
        spend_per_household(format, period=period, settings=settings)
        if spend is None
        else float(spend)
    )
    areas = areas.to_crs(WGS84).reset_index(drop=True)
    if zones is not None:
        c = apportion(zones, areas, columns=("households",))["households"].to_numpy(dtype=float)
    elif customers_column in areas.columns:
        c = (
            pd.to_numeric(areas[customers_column], errors="coerce")
            .fillna(0.0)
            .to_numpy(dtype=float)
        )
    else:
        msg = f"the trade areas have no {customers_column!r} column: give demand zones"
        raise ValueError(msg)
    comp = _category_stores(stores, FORMATS[format].category)
    cand_pt = None
    cand_area = None
    if candidate is not None:
        cand_pt = Point(float(candidate["lon"]), float(candidate["lat"]))
        cand_area = float(candidate.get("floor_area_m2") or FORMATS[format].default_floor_area_m2)
    rows = []
    keys = (
        areas["store_id"].astype(str)
        if "store_id" in areas.columns
        else pd.Series(["area"] * len(areas))
    )
    tiers = (
        areas["tier"].astype(int)
        if "tier" in areas.columns
        else pd.Series(range(1, len(areas) + 1))
    )
    for i in range(len(areas)):
        same = (keys == keys.iloc[i]).to_numpy()
        sel = same & (
            (tiers <= tiers.iloc[i]).to_numpy()
            if cumulative
            else (tiers == tiers.iloc[i]).to_numpy()
        )
        geom = areas.geometry[sel].union_all()
        inside = (
            comp.geometry.within(geom).to_numpy()
            if geom is not None and not geom.is_empty
            else np.zeros(len(comp), bool)
        )
        in_cand = bool(cand_pt is not None and geom is not None and cand_pt.within(geom))
        b = irs_breakdown(
            float(c[sel].sum()),
            re,
            comp["floor_area_m2"].to_numpy(dtype=float)[inside],
            candidate_floor_area=(cand_area if in_cand else 0.0) if candidate is not None else None,
        )
        if candidate is not None:
            b["candidate_inside"] = in_cand
            if not in_cand:
                b["stores_with_candidate"] = b["stores"]
        rows.append(
            {
                "store_id": keys.iloc[i],
                "tier": int(tiers.iloc[i]),
                "tier_name": tier_name(int(tiers.iloc[i])),
                **b,
            }
        )
    out = pd.DataFrame(rows)
    if len(out):
        out["status"] = np.where(
            out["customers"] <= 0,
            "no_customers",
            np.where(out["floor_area"] <= 0, "no_competition", "ok"),
        )
        out["scope"] = "cumulative" if cumulative else "ring"
    return out.sort_values(["store_id", "tier"]).reset_index(drop=True) if len(out) else out


def surface_cells(extent: Any, *, resolution: int = DEFAULT_SURFACE_RESOLUTION) -> gpd.GeoDataFrame:
    """Return the H3 cells whose centres fall in ``extent`` (a polygon in EPSG:4326).

    Parameters
    ----------
    extent : shapely geometry
        The area to cover.
    resolution : int
        H3 resolution.

    Returns
    -------
    geopandas.GeoDataFrame
        h3, lat, lon (cell centre), geometry (hexagon).
    """
    import h3

    _minx, miny, _maxx, maxy = extent.bounds
    metres_per_degree = 111_320.0
    area_m2 = extent.area * metres_per_degree**2 * max(np.cos(np.radians((miny + maxy) / 2)), 0.01)
    check_grid("the saturation surface", area_m2 / h3.average_hexagon_area(resolution, unit="m^2"))
    cells = sorted(h3.geo_to_cells(extent.__geo_interface__, resolution))
    if not cells:  # extent smaller than a cell: take the cell at its centre
        p = extent.representative_point()
        cells = [h3.latlng_to_cell(p.y, p.x, resolution)]
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    return gpd.GeoDataFrame(
        {"h3": cells, "lat": centres[:, 0], "lon": centres[:, 1]},
        geometry=[_hexagon(c) for c in cells],
        crs=WGS84,
    )


def saturation_surface(
    zones: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    format: str = "supermarket",
    spend: float | None = None,
    catchment: Literal["radius", "drive", "walk"] = "radius",
    radius_m: float = DEFAULT_RADIUS_M,
    minutes: float = DEFAULT_MINUTES,
    network: Any = None,
    resolution: int = DEFAULT_SURFACE_RESOLUTION,
    extent: Any = None,
    period: Literal["week", "month", "year"] = "week",
    settings: Mapping[str, Any] | None = None,
) -> gpd.GeoDataFrame:
    """Map IRS on an H3 grid: each cell's catchment is a radius or a drive/walk time around it.

    For each cell, C = households whose zone point lies in the cell's catchment, RF = floor
    area of the category's stores in it, IRS = C × RE / RF. High IRS (or households with no
    competing floor area at all) marks under-served places: white space.

    Parameters
    ----------
    zones : pandas.DataFrame
        Demand points: lat, lon, households (e.g. :func:`tradearea.demand.zones_from_buildings`
        with ``zone='building'``).
    stores : pandas.DataFrame
        Stores with format, lat, lon, floor_area_m2.
    format : str
        The format being tested (its category sets the competing stores and default RE).
    spend : float, optional
        RE per household per period (category default if None).
    catchment : {'radius', 'drive', 'walk'}
        Straight-line radius, or network travel time (needs ``network``).
    radius_m : float
        Radius for ``radius``.
    minutes : float
        Travel time for ``drive`` / ``walk``.
    network : tradearea.regions.network.RoadNetwork, optional
        From :func:`tradearea.regions.network.load_network` (required for drive/walk).
    resolution : int
        H3 resolution of the grid.
    extent : shapely geometry, optional
        Area to cover (EPSG:4326); default: convex hull of the zones and stores.
    period : {'week', 'month', 'year'}
        Period of the default spending.
    settings : mapping, optional
        Project settings.

    Returns
    -------
    geopandas.GeoDataFrame
        h3, lat, lon, customers, floor_area, stores, potential, irs, status ('ok',
        'no_competition', 'no_households'), irs_rank (0-1, 1 = least saturated), geometry.
    """
    format = format_key(format)
    re = (
        spend_per_household(format, period=period, settings=settings)
        if spend is None
        else float(spend)
    )
    comp = _category_stores(stores, FORMATS[format].category)
    if extent is None:
        pts = gpd.points_from_xy(
            np.r_[zones["lon"].to_numpy(float), comp["lon"].to_numpy(float)],
            np.r_[zones["lat"].to_numpy(float), comp["lat"].to_numpy(float)],
        )
        extent = gpd.GeoSeries(pts, crs=WGS84).union_all().convex_hull
    cells = surface_cells(extent, resolution=resolution)
    hh = pd.to_numeric(zones["households"], errors="coerce").fillna(0.0).to_numpy(float)
    floor = comp["floor_area_m2"].to_numpy(float)
    if catchment == "radius":
        utm = frame_utm_crs(cells, empty=FALLBACK_METRIC_CRS)
        xy = _project(cells["lat"], cells["lon"], utm)
        trees = cKDTree(xy)
        c = _sum_within(trees, _project(zones["lat"], zones["lon"], utm), hh, radius_m)
        rf = _sum_within(trees, _project(comp["lat"], comp["lon"], utm), floor, radius_m)
        n = _sum_within(
            trees, _project(comp["lat"], comp["lon"], utm), np.ones(len(comp)), radius_m
        )
        label = f"radius {radius_m:g} m"
    elif catchment in ("drive", "walk"):
        if network is None:
            msg = f"catchment {catchment!r} needs the region's {catchment} network"
            raise ValueError(msg)
        c, rf, n = _network_sums(network, cells, zones, comp, hh, floor, minutes * 60.0)
        label = f"{catchment} {minutes:g} min"
    else:
        msg = f"catchment must be 'radius', 'drive' or 'walk', not {catchment!r}"
        raise ValueError(msg)
    potential = c * re
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(rf > 0, potential / rf, np.nan)
    status = np.where(c <= 0, "no_households", np.where(rf <= 0, "no_competition", "ok"))
    out = cells.assign(
        customers=c,
        floor_area=rf,
        stores=n.astype(int),
        spend=re,
        potential=potential,
        irs=value,
        status=status,
        catchment=label,
    )
    served = status != "no_households"
    score = pd.Series(np.where(status == "no_competition", np.inf, value))[served]
    rank = np.zeros(len(out))
    rank[served] = score.rank(pct=True, method="max").to_numpy()
    out["irs_rank"] = rank
    return out


def _project(lat: Any, lon: Any, crs: Any) -> np.ndarray:
    return np.column_stack(project_lonlat(lon, lat, crs))


def _sum_within(tree: Any, points: np.ndarray, weights: np.ndarray, radius: float) -> np.ndarray:
    if not len(points):
        return np.zeros(tree.n)
    pairs = tree.sparse_distance_matrix(cKDTree(points), radius, output_type="coo_matrix")
    out = np.zeros(tree.n)
    np.add.at(out, pairs.row, weights[pairs.col])
    return out


def _network_sums(
    network: Any,
    cells: pd.DataFrame,
    zones: pd.DataFrame,
    comp: pd.DataFrame,
    hh: np.ndarray,
    floor: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_nodes = network.csr.shape[0]
    node_hh = np.bincount(
        network.nearest(zones["lat"], zones["lon"])[0], weights=hh, minlength=n_nodes
    )
    store_nodes = (
        network.nearest(comp["lat"], comp["lon"])[0] if len(comp) else np.zeros(0, np.int64)
    )
    node_rf = np.bincount(store_nodes, weights=floor, minlength=n_nodes)
    node_n = np.bincount(store_nodes, minlength=n_nodes).astype(float)
    cell_nodes, _ = network.nearest(cells["lat"], cells["lon"])
    c, rf, n = (np.zeros(len(cells)) for _ in range(3))
    step = max(1, int(2e7 // max(n_nodes, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for start in range(0, len(cells), step):
            rows = slice(start, start + step)
            reach = np.isfinite(travel_times(network.csr, cell_nodes[rows], limit=limit)).astype(
                float
            )
            c[rows], rf[rows], n[rows] = reach @ node_hh, reach @ node_rf, reach @ node_n
    return c, rf, n


def rule_of_thumb_rings(
    stores: pd.DataFrame, *, radii_m: tuple[float, float, float] = (1_000.0, 3_000.0, 5_000.0)
) -> gpd.GeoDataFrame:
    """Return ring trade areas around stores (DOMAIN.md §1 rule of thumb: 1, 3 and 5 km).

    A stand-in when no trade areas have been drawn from a survey.

    Parameters
    ----------
    stores : pandas.DataFrame
        store_id, lat, lon.
    radii_m : tuple of float
        Outer radius of the primary, secondary and tertiary rings.

    Returns
    -------
    geopandas.GeoDataFrame
        store_id, tier, tier_name, method ('rings'), threshold (the radius), geometry; the tiers
        are disjoint rings.
    """
    if not all(a < b for a, b in itertools.pairwise(radii_m)):
        msg = "ring radii must increase"
        raise ValueError(msg)
    pts = gpd.GeoSeries(gpd.points_from_xy(stores["lon"], stores["lat"]), crs=WGS84)
    if not len(pts):
        return gpd.GeoDataFrame(
            {"store_id": [], "tier": []}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84
        )
    utm = frame_utm_crs(pts)
    xy = pts.to_crs(utm)
    rows = []
    for sid, p in zip(stores["store_id"].astype(str), xy, strict=True):
        inner = None
        for tier, r in enumerate(radii_m, start=1):
            disc = p.buffer(r, quad_segs=32)
            rows.append(
                {
                    "store_id": sid,
                    "tier": tier,
                    "tier_name": tier_name(tier),
                    "method": "rings",
                    "threshold": r,
                    "geometry": disc if inner is None else disc.difference(inner),
                }
            )
            inner = disc
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=utm).to_crs(WGS84)
