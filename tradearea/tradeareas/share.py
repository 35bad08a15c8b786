"""Share-threshold tiers: the innermost customers carrying 75 / 90 / 95 % of the store's sales."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradearea.tradeareas import _base
from tradearea.tradeareas._reach import Reach, build_result, metric_crs
from tradearea.tradeareas.overlap import footprints, overlap_report
from tradearea.tradeareas.presets import DEFAULT_SHARE_THRESHOLDS

if TYPE_CHECKING:
    import geopandas as gpd

    from tradearea.regions.packs import Region


def share_cutoffs(values: np.ndarray, weights: np.ndarray, thresholds: Any) -> np.ndarray:
    """Return the distance (or time) at which the cumulative weight first reaches each threshold.

    Customers are taken in order of ``values`` (nearest first); the cut-off of a threshold is
    the value of the customer whose cumulative weight share first reaches it. Customers tied
    at the cut-off all fall inside. Unreachable customers (``inf``) count in the total but are
    never inside; if a threshold cannot be reached the cut-off is the farthest reachable value.

    Parameters
    ----------
    values : numpy.ndarray
        Distance or time of each customer (``inf`` = unreachable).
    weights : numpy.ndarray
        Weight of each customer (>= 0).
    thresholds : sequence of float
        Increasing fractions.

    Returns
    -------
    numpy.ndarray
        One cut-off per threshold (``nan`` if there are no customers).
    """
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    thr = np.asarray(thresholds, float)
    finite = np.isfinite(values)
    if not finite.any():
        return np.full(len(thr), np.nan)
    total = weights.sum()
    if total <= 0:  # no weight at all: fall back to counting customers
        weights, total = np.ones_like(weights), float(len(weights))
    order = np.argsort(values[finite], kind="stable")
    v, w = values[finite][order], weights[finite][order]
    cum = np.cumsum(w) / total
    idx = np.searchsorted(cum, thr * (1 - 1e-12), side="left")
    return v[np.minimum(idx, len(v) - 1)]


def unreachable_thresholds(
    values: np.ndarray, weights: np.ndarray, thresholds: Any, *, metric: str = "distance"
) -> str:
    """Say which share thresholds cannot be reached because customers are off the network.

    Parameters
    ----------
    values : numpy.ndarray
        Distance or time of each customer (``inf`` = unreachable).
    weights : numpy.ndarray
        Weight of each customer.
    thresholds : sequence of float
        Increasing fractions.
    metric : str
        Named in the message.

    Returns
    -------
    str
        ``""`` when every threshold can be reached; else a sentence naming the reachable share
        and the thresholds beyond it (their tiers end at the farthest reachable customer).
    """
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    if not len(values):
        return ""
    total = weights.sum()
    if total <= 0:
        weights, total = np.ones_like(weights), float(len(weights))
    reachable = float(weights[np.isfinite(values)].sum() / total)
    thr = np.asarray(thresholds, float)
    missed = thr[thr * (1 - 1e-12) > reachable]
    if not len(missed):
        return ""
    off = int((~np.isfinite(values)).sum())
    listed = ", ".join(f"{t:.0%}" for t in missed)
    return (
        f"{off} customer(s) are off the {metric} network, so only {reachable:.0%} of the weight "
        f"is reachable: the {listed} threshold(s) cannot be reached and their tiers end at the "
        "farthest reachable customer (not a true share)"
    )


def trade_areas_by_share(
    customers: pd.DataFrame,
    stores: Any,
    *,
    thresholds: Any = DEFAULT_SHARE_THRESHOLDS,
    metric: str = "distance",
    weight: str = "annual_spend",
    region: str | Region | None = None,
    zones: gpd.GeoDataFrame | None = None,
    buffer_m: float | None = None,
    footprint: str | None = None,
    file: str | None = None,
) -> _base.TradeAreaResult:
    """Cut primary, secondary and tertiary areas at cumulative shares of the store's customers.

    Walk outward from each store by straight-line distance or network travel time, add up the
    customers' weight (annual spend by default) and cut a tier where the cumulative share
    reaches each threshold (75 / 90 / 95 % by default). Customers beyond the last threshold
    are outliers, listed with the reason.

    Parameters
    ----------
    customers : pandas.DataFrame
        Geocoded survey rows: respondent_id, lat, lon and the weight inputs
        (visits_per_month, spend_per_visit); optionally store_id, status, match_level.
        Rows without coordinates or marked unmatched/rejected are counted as not placed.
    stores : tuple or pandas.DataFrame
        ``(lat, lon)`` of one store or a frame of stores (store_id, name, lat, lon).
    thresholds : sequence of float or str
        Increasing fractions (0.75, 0.9, 0.95), percents, or a name of ``SHARE_PRESETS``.
    metric : {'distance', 'drive', 'walk'}
        Straight-line metres, or network travel time (seconds) on the region's network.
    weight : str
        ``annual_spend`` (visits_per_month x spend_per_visit x 12), ``customers`` (each
        counts 1) or the name of a numeric column.
    region : str or tradearea.regions.packs.Region, optional
        Needed for drive/walk; gives households (dwellings) and the metric CRS.
    zones : geopandas.GeoDataFrame, optional
        Zones with a ``households`` column, used instead of the region's dwellings.
    buffer_m : float, optional
        For drive/walk: how far either side of reached streets the area extends.
    footprint : {'concave', 'h3'}, optional
        Also draw tighter customer-footprint polygons (``result.footprints``).
    file : str, optional
        The input's file name, for error messages.

    Returns
    -------
    TradeAreaResult
        Areas (disjoint tiers with DESIGN.md attributes), per-customer tiers, account, outliers.
        ``account["warnings"]`` says which thresholds cannot be reached because customers are
        off the network (see :func:`unreachable_thresholds`).

    Examples
    --------
    >>> r = trade_areas_by_share(survey, (60.1699, 24.9420), thresholds="Applebaum 65/85/95")
    >>> r.areas[["tier_name", "customers", "cumulative_share", "cutoff"]]
    """
    thr = _base.parse_thresholds(thresholds, kind="share")
    reg = _base.resolve_region(region)
    store_frame = _base.prepare_stores(stores)
    crs = metric_crs(store_frame, reg)
    prepared, account = _base.prepare_customers(
        customers, store_frame, weight=weight, crs=crs, file=file
    )
    reach = Reach(store_frame, metric, crs=crs, region=reg, buffer_m=buffer_m)
    values = reach.values(prepared)
    cutoffs = {}
    placed = prepared["placed"].to_numpy()
    w = prepared["weight"].to_numpy(float)
    warnings: list[str] = []
    for sid in store_frame["store_id"]:
        mine = placed & (prepared["store_id"] == sid).to_numpy()
        cutoffs[sid] = share_cutoffs(values[mine], w[mine], thr)
        note = unreachable_thresholds(values[mine], w[mine], thr, metric=metric)
        if note:
            warnings.append(f"store {sid}: {note}")
    last = {sid: c[-1] for sid, c in cutoffs.items()}
    unit = reach.unit
    beyond = np.array(
        [
            f"beyond the last threshold ({thr[-1]:.0%}, cut-off {last.get(s, np.nan):,.0f} {unit})"
            for s in prepared["store_id"]
        ],
        dtype=object,
    )
    result = build_result(
        prepared,
        account,
        store_frame,
        reach,
        cutoffs,
        method="share",
        thresholds=thr,
        region=reg,
        zones=zones,
        values=values,
        beyond=beyond,
    )
    result.account["thresholds"] = list(thr)
    result.account["warnings"] = warnings
    _attach_extras(result, footprint=footprint, crs=crs)
    return result


def _attach_extras(result: _base.TradeAreaResult, *, footprint: str | None, crs: str) -> None:
    if footprint:
        result.footprints = footprints(result, kind=footprint, crs=crs)
    if len(result.stores) > 1:
        result.overlap = overlap_report(result, crs=crs)
