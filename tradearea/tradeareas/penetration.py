"""Penetration tiers: zones where store customers ÷ households reach 30 / 10 / 5 %."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from tradearea._core.crs import WGS84
from tradearea._core.geometry import EMPTY_POLYGON, polygonal
from tradearea.errors import InputError
from tradearea.tiers import tier_name
from tradearea.tradeareas import _base
from tradearea.tradeareas._reach import metric_crs
from tradearea.tradeareas.households import _zone_households, households_in
from tradearea.tradeareas.presets import DEFAULT_PENETRATION_THRESHOLDS
from tradearea.tradeareas.share import _attach_extras

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

DEFAULT_H3_RESOLUTION = 9


def h3_cells(lat: Any, lon: Any, resolution: int) -> gpd.GeoDataFrame:
    """Return H3 cells (as polygons) around points: each point's cell and its neighbours.

    Neighbours are included because a point close to a cell edge may fall in the neighbour's
    drawn polygon; customers are assigned to the polygons, never to the cell index, so the
    counts always match a point-in-polygon recount.

    Parameters
    ----------
    lat, lon : array_like of float
        Points (WGS84).
    resolution : int
        H3 resolution (0-15; 9 ≈ 0.1 km² cells, 8 ≈ 0.7 km²).

    Returns
    -------
    geopandas.GeoDataFrame
        zone_id (the H3 index), geometry (EPSG:4326).
    """
    if not 0 <= int(resolution) <= 15:
        msg = f"H3 resolution must be 0-15, not {resolution}"
        raise InputError(msg, option="resolution")
    cells: set[str] = set()
    for la, lo in zip(np.asarray(lat, float), np.asarray(lon, float), strict=True):
        cells.update(h3.grid_disk(h3.latlng_to_cell(la, lo, int(resolution)), 1))
    ids = sorted(cells)
    polys = [shapely.Polygon([(b, a) for a, b in h3.cell_to_boundary(c)]) for c in ids]
    return gpd.GeoDataFrame({"zone_id": ids}, geometry=polys, crs=WGS84)


def trade_areas_by_penetration(
    customers: pd.DataFrame,
    stores: Any,
    *,
    thresholds: Any = DEFAULT_PENETRATION_THRESHOLDS,
    zones: gpd.GeoDataFrame | None = None,
    resolution: int = DEFAULT_H3_RESOLUTION,
    region: str | Region | None = None,
    expansion: float = 1.0,
    min_households: float = 1.0,
    weight: str = "annual_spend",
    footprint: str | None = None,
    file: str | None = None,
) -> _base.TradeAreaResult:
    """Tier zones by penetration: the store's customers ÷ the zone's households.

    A zone is primary where penetration ≥ 30 %, secondary where ≥ 10 %, tertiary where ≥ 5 %
    (DOMAIN.md §1; all settings). Zones are H3 hexagons of ``resolution`` with households
    from the region's residential buildings, or the user's ``zones`` with a ``households``
    column. Customers in zones below the last threshold, in zones without households, or
    outside every zone are outliers, each with the reason.

    Parameters
    ----------
    customers : pandas.DataFrame
        Geocoded customers (respondent_id, lat, lon, weight inputs; optional store_id).
    stores : tuple or pandas.DataFrame
        ``(lat, lon)`` or a frame of stores.
    thresholds : sequence of float or str
        Decreasing fractions (0.30, 0.10, 0.05) or percents ("30,10,5").
    zones : geopandas.GeoDataFrame, optional
        Polygons with ``households`` (and optionally ``zone_id``); replaces H3 cells.
    resolution : int
        H3 resolution when no zones are given.
    region : str or tradearea.regions.packs.Region, optional
        Region whose dwellings give households (needed without zones).
    expansion : float
        How many store customers each respondent stands for (store customers ÷ respondents);
        1 counts respondents as they are.
    min_households : float
        Zones with fewer (estimated) households are not tiered: a penetration measured on
        a fraction of a household means nothing. Their customers are outliers.
    weight : str
        Weight for the share columns (``annual_spend``, ``customers`` or a column).
    footprint : {'concave', 'h3'}, optional
        Also draw customer-footprint polygons.
    file : str, optional
        Input file name for messages.

    Returns
    -------
    TradeAreaResult
        Areas (``cutoff`` = the tier's minimum penetration, ``cutoff_unit`` 'penetration'),
        per-customer tiers, ``zones`` with penetration per zone, account, outliers.
    """
    thr = _base.parse_thresholds(thresholds, kind="penetration")
    if not min_households > 0:
        msg = f"min_households must be > 0, not {min_households}"
        raise InputError(msg, column="min_households")
    if not expansion > 0:
        msg = f"expansion must be > 0, not {expansion}"
        raise InputError(msg, column="expansion")
    reg = _base.resolve_region(region)
    store_frame = _base.prepare_stores(stores)
    crs = metric_crs(store_frame, reg)
    prepared, account = _base.prepare_customers(
        customers, store_frame, weight=weight, crs=crs, file=file
    )
    placed = prepared["placed"].to_numpy()
    if zones is not None:
        zone_frame, households = _zone_households(zones)
        zone_frame = zone_frame.to_crs(WGS84).reset_index(drop=True)
        if "zone_id" not in zone_frame.columns:
            zone_frame["zone_id"] = [f"Z{i + 1}" for i in range(len(zone_frame))]
        zone_frame = zone_frame[["zone_id", "geometry"]].assign(households=households)
        source = "uploaded zones"
    else:
        if reg is None:
            msg = "penetration needs households: give a region or zones with a households column"
            raise InputError(msg, option="region")
        zone_frame = h3_cells(prepared["lat"][placed], prepared["lon"][placed], resolution)
        source = f"H3 resolution {int(resolution)}, households from the region's dwellings"
    zone_of = _zone_of(zone_frame, prepared)
    if zones is None:
        used = np.unique(zone_of[zone_of >= 0])
        zone_frame = zone_frame.iloc[used].reset_index(drop=True)
        zone_of = np.where(zone_of >= 0, np.searchsorted(used, zone_of), -1)
        zone_frame["households"] = households_in(zone_frame, region=reg)
    boundary = reg.boundary.to_crs(crs).union_all() if reg is not None else None
    tier = np.zeros(len(prepared), dtype=np.int64)
    tables, zone_tables = [], []
    reason = np.full(len(prepared), "outside every zone", dtype=object)
    hh = zone_frame["households"].to_numpy(float)
    for sid in store_frame["store_id"]:
        mine = placed & (prepared["store_id"] == sid).to_numpy()
        counts = np.bincount(zone_of[mine & (zone_of >= 0)], minlength=len(zone_frame))
        with np.errstate(divide="ignore", invalid="ignore"):
            pen = np.where(hh >= min_households, counts * expansion / hh, np.nan)
        zone_tier = np.zeros(len(zone_frame), dtype=np.int64)
        for k in range(len(thr), 0, -1):
            zone_tier[(pen >= thr[k - 1] * (1 - 1e-12)) & (counts > 0)] = k
        in_zone = mine & (zone_of >= 0)
        zidx = zone_of[in_zone]
        reason[in_zone] = np.where(
            hh[zidx] >= min_households,
            f"zone penetration below {thr[-1]:.0%}",
            f"zone has fewer than {min_households:g} households",
        )
        wgs = [_union(zone_frame.geometry.values[zone_tier == k]) for k in range(1, len(thr) + 1)]
        metric = list(gpd.GeoSeries(wgs, crs=WGS84).to_crs(crs).values)
        mine_tier = _base.assign_tiers(prepared, sid, wgs)
        tier = np.where(mine_tier > 0, mine_tier, tier)
        tier_hh = [float(hh[zone_tier == k].sum()) for k in range(1, len(thr) + 1)]
        table = _base.tier_table(
            prepared,
            mine_tier,
            store_id=sid,
            tiers_wgs84=wgs,
            tiers_metric=metric,
            method="penetration",
            metric="zones",
            thresholds=thr,
            cutoffs=thr,
            cutoff_unit="penetration",
            households=tier_hh,
            boundary=boundary,
        )
        table["penetration"] = np.where(
            table["households"] > 0, table["customers"] * expansion / table["households"], np.nan
        )
        tables.append(table)
        keep = counts > 0
        zone_tables.append(
            zone_frame[keep].assign(
                store_id=sid,
                customers=counts[keep],
                penetration=pen[keep],
                tier=pd.array(np.where(zone_tier[keep] > 0, zone_tier[keep], 0), dtype="Int64"),
                tier_name=[tier_name(t) if t else _base.OUTLIER for t in zone_tier[keep]],
            )
        )
    account["zones"] = source
    account["expansion"] = float(expansion)
    account["thresholds"] = list(thr)
    result = _base.finish(prepared, tier, tables, account, store_frame, outlier_reason=reason)
    zt = pd.concat(zone_tables, ignore_index=True)
    zt.loc[zt["tier"] == 0, "tier"] = pd.NA
    result.zones = gpd.GeoDataFrame(
        zt[
            [
                "store_id",
                "zone_id",
                "customers",
                "households",
                "penetration",
                "tier",
                "tier_name",
                "geometry",
            ]
        ],
        geometry="geometry",
        crs=WGS84,
    )

    _attach_extras(result, footprint=footprint, crs=crs)
    return result


def _union(geoms: np.ndarray) -> shapely.Geometry:
    if len(geoms) == 0:
        return shapely.Polygon()
    return polygonal(shapely.union_all(geoms), default=EMPTY_POLYGON)


def _zone_of(zone_frame: gpd.GeoDataFrame, prepared: pd.DataFrame) -> np.ndarray:
    """Index of the zone polygon holding each placed customer (-1 if none)."""
    out = np.full(len(prepared), -1, dtype=np.int64)
    placed = np.flatnonzero(prepared["placed"].to_numpy())
    if len(placed) == 0 or len(zone_frame) == 0:
        return out
    pts = shapely.points(prepared["lon"].to_numpy()[placed], prepared["lat"].to_numpy()[placed])
    tree = shapely.STRtree(zone_frame.geometry.values)
    pi, zi = tree.query(pts, predicate="intersects")
    order = np.lexsort((zi, pi))
    pi, zi = pi[order], zi[order]
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, bool)
    out[placed[pi[first]]] = zi[first]
    return out
