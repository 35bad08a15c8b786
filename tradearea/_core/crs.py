"""Coordinate reference systems: WGS84 for files, a UTM zone for metric work."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import Transformer

WGS84 = "EPSG:4326"
# Used where a metric CRS is needed but there are no coordinates to choose a UTM zone from.
FALLBACK_METRIC_CRS = "EPSG:3857"


def utm_crs(lon: Any, lat: Any) -> str:
    """Return the WGS84 UTM zone (``EPSG:326xx`` / ``327xx``) around the points' mean position.

    A fast stand-in for ``GeoSeries.estimate_utm_crs()`` (which queries the PROJ database).

    Parameters
    ----------
    lon, lat : array_like of float
        Points (WGS84 degrees).

    Returns
    -------
    str
        The EPSG code of the zone.

    Raises
    ------
    ValueError
        If there is no finite coordinate.
    """
    mlon = float(np.nanmean(np.asarray(lon, dtype=float)))
    mlat = float(np.nanmean(np.asarray(lat, dtype=float)))
    if not (np.isfinite(mlon) and np.isfinite(mlat)):
        msg = "cannot choose a metric CRS without coordinates"
        raise ValueError(msg)
    zone = min(int((mlon + 180.0) // 6.0) + 1, 60)
    return f"EPSG:{32600 + zone if mlat >= 0 else 32700 + zone}"


def frame_utm_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, empty: str | None = None) -> str:
    """Return the UTM zone of a frame's geometries, like ``estimate_utm_crs``.

    The zone of the centre of the frame's WGS84 bounds (what geopandas asks PROJ for), computed
    without a database query.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or geopandas.GeoSeries
        Geometries in any CRS (WGS84 if they carry none).
    empty : str, optional
        CRS returned for a frame without geometries; default: raise ValueError.

    Returns
    -------
    str
        The EPSG code of the zone.
    """
    geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
    if geoms.crs is None:
        geoms = geoms.set_crs(WGS84)
    elif not geoms.crs.equals(WGS84):
        geoms = geoms.to_crs(WGS84)
    geoms = geoms[geoms.notna() & ~geoms.is_empty]
    if not len(geoms):
        if empty is not None:
            return empty
        msg = "cannot choose a metric CRS without geometries"
        raise ValueError(msg)
    west, south, east, north = geoms.total_bounds
    return utm_crs((west + east) / 2.0, (south + north) / 2.0)


def to_metric(frame: gpd.GeoDataFrame, crs: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """Return a frame in a metric CRS (``crs``, else its UTM zone) and that CRS.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Geometries (WGS84 if they carry no CRS).
    crs : str, optional
        The metric CRS to use.

    Returns
    -------
    (geopandas.GeoDataFrame, str)
        The projected frame and its CRS.
    """
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    crs = crs or frame_utm_crs(frame, empty=FALLBACK_METRIC_CRS)
    return frame.to_crs(crs), crs


@lru_cache(maxsize=16)
def transformer_from_wgs84(crs: str) -> Transformer:
    """Return the (cached) transformer from WGS84 lon/lat to ``crs``, x/y axis order."""
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def project_lonlat(lon: Any, lat: Any, crs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 points to ``crs``.

    Parameters
    ----------
    lon, lat : array_like of float
        Degrees.
    crs : str or pyproj.CRS
        The target CRS (metric, e.g. from :func:`utm_crs`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        x and y (at least 1-d).
    """
    x, y = transformer_from_wgs84(str(crs)).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
