"""Offline geocoding of pandas or Dask frames: one address index shared, ids checked across partitions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tradearea._core.dispatch import register_dask_twin
from tradearea.geocode import chain
from tradearea.geocode.index import AddressIndex, region_index
from tradearea.regions.packs import Region
from tradearea.scale._dask import (
    broadcast,
    compute,
    dask_config,
    infer_meta,
    is_dask,
    meta_of,
)


def _clean_id(value: Any) -> str:
    return chain._clean_text(  # the geocoder's own id cleaning
        value
    )


def _row_numbers(frame: pd.DataFrame, offset: int) -> np.ndarray:
    if "source_row" in frame:
        got = pd.to_numeric(frame["source_row"], errors="coerce")
        if got.notna().all():
            return got.astype(int).to_numpy()
    return offset + np.arange(1, len(frame) + 1)


def _id_keys(
    frame: pd.DataFrame,
    id_col: str,
    offsets: Sequence[int],
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    offset = offsets[partition_info["number"]] if partition_info else 0
    keys = frame[id_col].map(_clean_id).astype(str).to_numpy()
    rows = _row_numbers(frame, offset)
    keep = keys != ""
    return pd.DataFrame({"key": keys[keep], "row": rows[keep].astype(np.int64)})


def _geocode_part(
    frame: pd.DataFrame,
    index: Any,
    dups: pd.DataFrame | None,
    options: dict[str, Any],
    offsets: Sequence[int],
    columns: list[str],
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    offset = offsets[partition_info["number"]] if partition_info and offsets else 0
    rows = _row_numbers(frame, offset)
    work = frame
    id_col = options.get("id_col")
    if dups is not None and len(dups) and id_col:
        keys = frame[id_col].map(_clean_id).astype(str)
        first = keys.map(dups["first"]).to_numpy()
        later = ~pd.isna(first) & (first != rows)
        if later.any():
            status = (
                frame["status"].astype(str).to_numpy()
                if "status" in frame
                else np.full(len(frame), "", dtype=object)
            )
            reason = (
                frame["reason"].astype(object).to_numpy()
                if "reason" in frame
                else np.full(len(frame), "", dtype=object)
            )
            status, reason = status.astype(object), reason.astype(object)
            for i in np.flatnonzero(later & (status != "rejected")):
                pair = pd.Series([keys.iloc[i], keys.iloc[i]])
                text = chain.duplicate_ids(pair, np.array([int(first[i]), int(rows[i])]))[1]
                status[i], reason[i] = "rejected", text
            work = frame.assign(status=status, reason=reason)
    out = chain.geocode_frame(work, region=index, source_rows=rows, **options)
    return out[columns]


@register_dask_twin()
def geocode_frame(
    frame: Any,
    *,
    region: Region | str | AddressIndex,
    address_col: str = "address",
    lat_col: str | None = None,
    lon_col: str | None = None,
    online: Any = False,
    fixes: pd.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
    id_col: str | None = None,
    coord_system: str = "wgs84",
    source_rows: Any = None,
) -> Any:
    """Geocode a survey or CRM table, pandas or Dask (see :func:`tradearea.geocode.geocode_frame`).

    With Dask the region's address index is built once and shared with every partition; row
    numbers count across partitions (or come from ``source_row``) and a respondent id repeated
    in another partition is rejected exactly as in one table. Online geocoding (rate-limited,
    one request at a time) and ``progress`` callbacks are for the pandas engine only.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        All input columns plus lat, lon, match_level, match_score, matched_address, status,
        reason.
    """
    options: dict[str, Any] = {
        "address_col": address_col,
        "lat_col": lat_col,
        "lon_col": lon_col,
        "fixes": fixes,
        "coord_system": coord_system,
    }
    if not is_dask(frame):
        return chain.geocode_frame(
            frame,
            region=region,
            online=online,
            progress=progress,
            id_col=id_col,
            source_rows=source_rows,
            **options,
        )
    if online:
        msg = "online geocoding is not run on Dask (rate limits allow one request at a time)"
        raise ValueError(msg)
    if source_rows is not None:
        msg = "with Dask, give row numbers as a 'source_row' column instead of source_rows"
        raise ValueError(msg)
    index = region_index(region)
    cols = list(meta_of(frame).columns)
    if id_col is None and "respondent_id" in cols:
        id_col = "respondent_id"
    options["id_col"] = id_col
    meta = infer_meta(chain.geocode_frame, meta_of(frame), region=index, **options)
    columns = list(meta.columns)
    sizes = compute(frame.map_partitions(len, meta=(None, "int64")))[0]
    offsets = np.concatenate([[0], np.cumsum(np.asarray(sizes, dtype=np.int64))])[:-1].tolist()
    dups = None
    if id_col and id_col in cols:
        with dask_config():
            keys = frame.map_partitions(
                _id_keys,
                id_col,
                offsets,
                meta=pd.DataFrame({"key": pd.Series([], dtype=str), "row": np.zeros(0, np.int64)}),
            )
            grouped = keys.groupby("key")["row"].agg(["min", "count"], split_out=True)
            found = compute(grouped[grouped["count"] > 1])[0]
        dups = found.rename(columns={"min": "first"})[["first"]]
    with dask_config():
        return frame.map_partitions(
            _geocode_part,
            broadcast(index),
            broadcast(dups),
            options,
            offsets,
            columns,
            meta=meta,
        )
