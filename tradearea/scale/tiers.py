"""Customers to stores and tiers on pandas or Dask frames (trade areas shared by all tasks)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea._core.dispatch import register_dask_twin
from tradearea.crm import link as _link
from tradearea.scale._dask import (
    broadcast,
    dask_config,
    infer_meta,
    is_dask,
    meta_of,
)

_OVERLAPS = "_tradearea_overlaps"


def text_store_ids(tiered: pd.DataFrame) -> pd.DataFrame:
    """Give ``store_id`` the text dtype even in a partition where no customer is in an area.

    The CRM tiering leaves it as ``object`` when every value is missing; partitions of one
    Dask frame must agree on dtypes.
    """
    if "store_id" in tiered and tiered["store_id"].dtype == object:
        tiered = tiered.assign(store_id=tiered["store_id"].astype("str"))
    return tiered


def _tiers_part(
    frame: pd.DataFrame, areas: gpd.GeoDataFrame, stores: pd.DataFrame | None
) -> pd.DataFrame:
    tiered, overlaps = _link.assign_tiers(frame, areas, stores=stores)
    tiered = text_store_ids(tiered)
    counts = np.zeros(len(tiered), dtype=np.int64)
    if len(counts):
        counts[0] = overlaps
    return tiered.assign(**{_OVERLAPS: counts})


@register_dask_twin()
def assign_tiers(
    customers: Any, areas: gpd.GeoDataFrame, *, stores: pd.DataFrame | None = None
) -> tuple[Any, Any]:
    """Give each customer the store and tier whose trade area holds its home.

    See :func:`tradearea.crm.assign_tiers` (point in polygon, lower tier then nearer store
    first). A Dask frame is tiered partition by partition with the areas and stores shared by
    every task (a trade area is small next to millions of customers).

    Parameters
    ----------
    customers : pandas.DataFrame or dask.dataframe.DataFrame
        ``lat``, ``lon`` per customer.
    areas : geopandas.GeoDataFrame
        Trade areas (store_id, tier, geometry), any number of stores.
    stores : pandas.DataFrame, optional
        store_id, lat, lon to break overlaps by distance.

    Returns
    -------
    tuple
        The customers with ``store_id, tier, tier_label, store_distance_m``, and the number of
        customers inside areas of several stores. With Dask both are lazy (a frame and a
        scalar); compute them together, e.g. ``dask.compute(frame, overlaps)``, to tier once.
    """
    if not is_dask(customers):
        return _link.assign_tiers(customers, areas, stores=stores)
    _link.assign_tiers(meta_of(customers), areas, stores=stores)  # bad areas fail here, once
    meta = infer_meta(_tiers_part, meta_of(customers), areas, stores)
    with dask_config():
        tagged = customers.map_partitions(
            _tiers_part, broadcast(areas), broadcast(stores), meta=meta
        )
        return tagged.drop(columns=[_OVERLAPS]), tagged[_OVERLAPS].sum()
