"""Rule-of-thumb tiers: rings of fixed radius and drive / walk time areas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.formats import FORMATS, normalise_format
from tradearea.tradeareas import _base
from tradearea.tradeareas._reach import Reach, build_result, metric_crs
from tradearea.tradeareas.presets import DEFAULT_RING_RADII_M, DEFAULT_TIME_MINUTES
from tradearea.tradeareas.share import _attach_extras

if TYPE_CHECKING:
    import geopandas as gpd

    from tradearea.regions.packs import Region


def _increasing(values: Any, *, what: str, option: str) -> np.ndarray:
    arr = np.asarray([float(v) for v in values], float)
    if arr.size == 0 or not np.isfinite(arr).all() or (arr <= 0).any() or (np.diff(arr) <= 0).any():
        msg = f"{what} {list(arr)} must be positive and increasing"
        raise InputError(msg, option=option)
    return arr


def trade_areas_by_rings(
    customers: pd.DataFrame | None,
    stores: Any,
    *,
    radii_m: Any = None,
    retail_format: str | None = None,
    weight: str = "annual_spend",
    region: str | Region | None = None,
    zones: gpd.GeoDataFrame | None = None,
    footprint: str | None = None,
    file: str | None = None,
) -> _base.TradeAreaResult:
    """Draw rings of fixed radius (1 / 3 / 5 km by default, or a retail format's preset).

    Parameters
    ----------
    customers : pandas.DataFrame, optional
        Geocoded customers (counted into the rings); ``None`` for rings alone.
    stores : tuple or pandas.DataFrame
        ``(lat, lon)`` or a frame of stores.
    radii_m : sequence of float, optional
        Increasing radii in metres.
    retail_format : str, optional
        A retail format key or name (``"convenience"``, ``"convenience store"``, ``"便利店"``,
        see :data:`tradearea.formats.FORMATS`); its rings are used when no radii are given.
    weight : str
        ``annual_spend``, ``customers`` or a column name (see :func:`trade_areas_by_share`).
    region : str or tradearea.regions.packs.Region, optional
        Gives households and the metric CRS.
    zones : geopandas.GeoDataFrame, optional
        Zones with ``households``.
    footprint : {'concave', 'h3'}, optional
        Also draw customer-footprint polygons.
    file : str, optional
        Input file name for messages.

    Returns
    -------
    TradeAreaResult
        Disjoint rings with counts, shares and households.
    """
    if radii_m is None:
        if retail_format is not None:
            key = normalise_format(retail_format)
            if key is None:
                msg = f"unknown format {retail_format!r}; choose one of {', '.join(FORMATS)}"
                raise InputError(msg, option="retail_format")
            radii_m = FORMATS[key].rings_m
        else:
            radii_m = DEFAULT_RING_RADII_M
    radii = _increasing(radii_m, what="ring radii", option="radii_m")
    reg = _base.resolve_region(region)
    store_frame = _base.prepare_stores(stores)
    crs = metric_crs(store_frame, reg)
    prepared, account = _base.prepare_customers(
        customers, store_frame, weight=weight, crs=crs, file=file
    )
    reach = Reach(store_frame, "distance", crs=crs, region=reg, buffer_m=None)
    values = reach.values(prepared)
    cutoffs = {sid: radii for sid in store_frame["store_id"]}
    result = build_result(
        prepared,
        account,
        store_frame,
        reach,
        cutoffs,
        method="rings",
        thresholds=np.full(len(radii), np.nan),
        region=reg,
        zones=zones,
        values=values,
        beyond=f"beyond the outer ring ({radii[-1]:,.0f} m)",
    )
    result.account["radii_m"] = [float(r) for r in radii]
    if retail_format:
        result.account["retail_format"] = retail_format
    _attach_extras(result, footprint=footprint, crs=crs)
    return result


def trade_areas_by_time(
    customers: pd.DataFrame | None,
    stores: Any,
    *,
    kind: str = "drive",
    minutes: Any = DEFAULT_TIME_MINUTES,
    region: str | Region | None = None,
    weight: str = "annual_spend",
    zones: gpd.GeoDataFrame | None = None,
    buffer_m: float | None = None,
    footprint: str | None = None,
    file: str | None = None,
) -> _base.TradeAreaResult:
    """Draw drive or walk time areas (5 / 10 / 15 min by default) on the region's network.

    Each tier is the area reachable within its time: the streets reached, buffered by
    ``buffer_m`` either side, holes kept; tier k excludes the inner tiers.

    Parameters
    ----------
    customers : pandas.DataFrame, optional
        Geocoded customers, counted into the areas.
    stores : tuple or pandas.DataFrame
        ``(lat, lon)`` or a frame of stores (each snapped to its nearest network node).
    kind : {'drive', 'walk'}
        Which network.
    minutes : sequence of float
        Increasing cut-offs in minutes.
    region : str or tradearea.regions.packs.Region
        The region whose network is used (required).
    weight : str
        ``annual_spend``, ``customers`` or a column name.
    zones : geopandas.GeoDataFrame, optional
        Zones with ``households``.
    buffer_m : float, optional
        Buffer either side of reached streets (default 150 m drive, 50 m walk).
    footprint : {'concave', 'h3'}, optional
        Also draw customer-footprint polygons.
    file : str, optional
        Input file name for messages.

    Returns
    -------
    TradeAreaResult
        Disjoint time areas with counts, shares and households; ``cutoff`` in seconds.
    """
    if kind not in ("drive", "walk"):
        msg = f"kind must be 'drive' or 'walk', not {kind!r}"
        raise InputError(msg, option="kind")
    mins = _increasing(minutes, what="minutes", option="minutes")
    reg = _base.resolve_region(region)
    store_frame = _base.prepare_stores(stores)
    crs = metric_crs(store_frame, reg)
    prepared, account = _base.prepare_customers(
        customers, store_frame, weight=weight, crs=crs, file=file
    )
    reach = Reach(store_frame, kind, crs=crs, region=reg, buffer_m=buffer_m)
    values = reach.values(prepared)
    cutoffs = {sid: mins * 60.0 for sid in store_frame["store_id"]}
    result = build_result(
        prepared,
        account,
        store_frame,
        reach,
        cutoffs,
        method=kind,
        thresholds=np.full(len(mins), np.nan),
        region=reg,
        zones=zones,
        values=values,
        beyond=f"beyond {mins[-1]:g} min by {kind}",
    )
    result.account["minutes"] = [float(m) for m in mins]
    _attach_extras(result, footprint=footprint, crs=crs)
    return result
