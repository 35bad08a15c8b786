"""Households inside polygons: region dwellings or zone counts apportioned by area overlap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tradearea._core.crs import FALLBACK_METRIC_CRS, WGS84, utm_crs
from tradearea._core.geometry import apportion
from tradearea.errors import InputError
from tradearea.tradeareas._base import resolve_region

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

# re-export: tradearea.tradeareas.households.apportion is tradearea._core.geometry.apportion
__all__ = ["apportion", "households_in"]


def households_in(
    polygons: Any,
    *,
    region: str | Region | None = None,
    zones: gpd.GeoDataFrame | None = None,
) -> np.ndarray:
    """Return the households inside each polygon.

    With ``zones`` (a table with a ``households`` column), each zone's households are shared
    out by the part of its area inside the polygon (areal interpolation). Otherwise the
    region's residential buildings are used: each building's estimated dwellings are shared
    out by the part of its footprint inside the polygon.

    Parameters
    ----------
    polygons : geopandas.GeoSeries, GeoDataFrame or sequence of shapely geometry
        The areas (WGS84 unless they carry a CRS).
    region : str or tradearea.regions.packs.Region, optional
        Region whose ``residential_buildings`` give dwellings.
    zones : geopandas.GeoDataFrame, optional
        Zones with ``households``; take precedence over the region.

    Returns
    -------
    numpy.ndarray
        Households per polygon (float; NaN for all if neither region nor zones is given).
    """
    if isinstance(polygons, gpd.GeoDataFrame):
        polygons = polygons.geometry
    if not isinstance(polygons, gpd.GeoSeries):
        polygons = gpd.GeoSeries(list(polygons), crs=WGS84)
    if polygons.crs is None:
        polygons = polygons.set_crs(WGS84)
    n = len(polygons)
    if zones is not None:
        source, values = _zone_households(zones)
    elif region is not None:
        reg = resolve_region(region)
        source = reg.residential_buildings  # type: ignore[union-attr]
        values = source["dwellings"].to_numpy(float)
    else:
        return np.full(n, np.nan)
    if n == 0:
        return np.zeros(0)
    if polygons.crs.is_projected:
        crs = polygons.crs
    else:
        c = shapely.centroid(polygons.values[~shapely.is_empty(polygons.values)])
        crs = utm_crs(shapely.get_x(c), shapely.get_y(c)) if len(c) else FALLBACK_METRIC_CRS
    return apportion(source.to_crs(crs).geometry.values, values, polygons.to_crs(crs).values)


def _zone_households(zones: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    if "households" not in zones.columns:
        msg = "zones need a 'households' column"
        raise InputError(msg, column="households")
    values = pd.to_numeric(zones["households"], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        msg = f"households must be a number >= 0, not {zones['households'].iloc[row - 1]!r}"
        raise InputError(msg, row=row, column="households")
    source = zones if zones.crs is not None else zones.set_crs(WGS84)
    return source, values.to_numpy(float)
