"""Geometry helpers: keep the polygonal part of a geometry, share values out by overlapping area."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

POLYGONAL = ("Polygon", "MultiPolygon")
EMPTY_POLYGON = shapely.Polygon()


def polygonal(geom: Any, *, default: Any = None) -> Any:
    """Return the valid polygonal part of a geometry (make_valid and differences leave lines).

    Parameters
    ----------
    geom : shapely.Geometry or None
        Any geometry; an invalid one is repaired with ``shapely.make_valid`` first.
    default : shapely.Geometry or None
        Returned when nothing with area is left (``None``, or e.g. an empty polygon).

    Returns
    -------
    shapely.Geometry or None
        A valid Polygon or MultiPolygon with area (parts without area are dropped), or
        ``default``.
    """
    if geom is None or geom.is_empty:
        return default
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type in POLYGONAL:
        return geom if geom.area > 0 else default
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in POLYGONAL and p.area > 0]
    if not parts:
        return default
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in POLYGONAL and not merged.is_empty else default


def is_polygonal(geoms: Any) -> np.ndarray:
    """Return whether each geometry of an array or GeoSeries is a Polygon or MultiPolygon."""
    kinds = shapely.get_type_id(np.asarray(geoms, dtype=object))
    return np.isin(kinds, (3, 6))


def apportion(source: Any, values: Any, targets: Any) -> np.ndarray:
    """Share each source polygon's value out to targets by the overlapping area (same CRS).

    Areal interpolation of an extensive value: target ``t`` gets
    ``sum_s value_s * area(s ∩ t) / area(s)`` (a source without area counts wholly in each
    target it touches). Invalid sources are repaired first.

    Parameters
    ----------
    source : array_like of shapely geometry
        Source polygons (buildings or zones).
    values : array_like of float
        The extensive value of each source polygon.
    targets : array_like of shapely geometry
        Target polygons.

    Returns
    -------
    numpy.ndarray
        One value per target.
    """
    source = np.asarray(source, dtype=object)
    values = np.asarray(values, dtype=float)
    invalid = ~shapely.is_valid(source)
    if invalid.any():
        source = source.copy()
        source[invalid] = shapely.make_valid(source[invalid])
    targets = np.asarray(targets, dtype=object)
    out = np.zeros(len(targets))
    if len(source) == 0 or len(targets) == 0:
        return out
    tree = shapely.STRtree(source)
    ti, si = tree.query(targets, predicate="intersects")
    if len(ti) == 0:
        return out
    src_area = shapely.area(source)[si]
    inter = shapely.area(shapely.intersection(targets[ti], source[si]))
    share = np.where(src_area > 0, inter / np.where(src_area > 0, src_area, 1.0), 1.0)
    return np.bincount(ti, weights=values[si] * np.clip(share, 0.0, 1.0), minlength=len(targets))
