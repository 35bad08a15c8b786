"""Index of Retail Saturation per trade area on pandas or Dask areas (grouped by store)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import shapely

from tradearea import saturation as _saturation
from tradearea._core.dispatch import register_dask_twin
from tradearea.scale._dask import (
    broadcast,
    compute,
    dask_config,
    is_dask,
    meta_of,
    partitions,
)


def _irs_part(
    areas: gpd.GeoDataFrame,
    stores: pd.DataFrame,
    zones: gpd.GeoDataFrame | None,
    options: dict[str, Any],
    crs: Any,
) -> pd.DataFrame:
    if not len(areas):
        return pd.DataFrame()
    if not isinstance(areas, gpd.GeoDataFrame):  # a shuffle may hand over plain frames
        areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=crs)
    minx, miny, maxx, maxy = areas.to_crs("EPSG:4326").total_bounds
    lat = pd.to_numeric(stores["lat"], errors="coerce")
    lon = pd.to_numeric(stores["lon"], errors="coerce")
    near = stores[lat.between(miny, maxy) & lon.between(minx, maxx)]
    if zones is not None:
        box = gpd.GeoSeries.from_xy([minx, maxx], [miny, maxy], crs="EPSG:4326").to_crs(zones.crs)
        bx0, by0, bx1, by1 = box.total_bounds
        zones = zones.iloc[zones.sindex.query(_box(bx0, by0, bx1, by1), predicate="intersects")]
        zones = zones.sort_index()
    return _saturation.irs_by_trade_area(areas, near, zones=zones, **options)


def _box(x0: float, y0: float, x1: float, y1: float) -> Any:
    return shapely.box(x0, y0, x1, y1)


@register_dask_twin()
def irs_by_trade_area(
    areas: Any,
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
    """IRS for every trade-area tier, pandas or Dask (see :func:`tradearea.saturation.irs_by_trade_area`).

    With Dask (thousands of stores and candidates) the areas are grouped by store so a store's
    tiers meet in one partition, and each partition sees only the competitors and demand
    zones within its own bounds; the (small) table is returned as pandas.

    Returns
    -------
    pandas.DataFrame
        One row per store and tier, sorted by store_id and tier.
    """
    options: dict[str, Any] = {
        "format": format,
        "spend": spend,
        "customers_column": customers_column,
        "candidate": candidate,
        "cumulative": cumulative,
        "period": period,
        "settings": settings,
    }
    if not is_dask(areas):
        return _saturation.irs_by_trade_area(areas, stores, zones=zones, **options)
    from dask import delayed  # optional heavy dependency (scale extra)

    if format not in _saturation.FORMATS:
        msg = f"format must be one of {', '.join(_saturation.FORMATS)}, not {format!r}"
        raise ValueError(msg)
    with dask_config():
        grouped = (
            areas.shuffle(on="store_id", npartitions=areas.npartitions, shuffle_method="tasks")
            if "store_id" in meta_of(areas).columns and areas.npartitions > 1
            else areas
        )
    shared_stores, shared_zones = broadcast(stores), broadcast(zones)
    crs = getattr(meta_of(areas), "crs", None) or "EPSG:4326"
    frames = compute(
        [
            delayed(_irs_part)(p, shared_stores, shared_zones, options, crs)
            for p in partitions(grouped)
        ]
    )[0]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["store_id", "tier"], kind="stable").reset_index(drop=True)
