"""Huff model on pandas or Dask zones: zones partitioned, stores shared, sales tree-reduced."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradearea import huff as _huff
from tradearea._core.dispatch import register_dask_twin
from tradearea.errors import InputError
from tradearea.huff import BLOCK_BYTES, DEFAULT_ALPHA, DEFAULT_BETA, HuffResult, NetworkCosts
from tradearea.scale._dask import (
    broadcast,
    compute,
    dask_config,
    empty_folder,
    infer_meta,
    is_dask,
    meta_of,
    partitions,
    tree_reduce,
)


def _check_costs_for_dask(costs: Any) -> None:
    if costs is not None and not isinstance(costs, pd.DataFrame):
        msg = (
            "with Dask zones give travel costs as a long table (origin_id, store_id, cost); a "
            "zones x stores matrix cannot follow the zones into their partitions"
        )
        raise ValueError(msg)


def _zone_ids(frame: pd.DataFrame) -> np.ndarray:
    return frame["origin_id"].astype("string").astype(str).to_numpy()


def _costs_of(frame: pd.DataFrame, costs: pd.DataFrame | None) -> pd.DataFrame | None:
    if costs is None:
        return None
    return costs[costs["origin_id"].astype(str).isin(set(_zone_ids(frame)))]


def _cost_scan(
    frame: pd.DataFrame, costs: pd.DataFrame, store_ids: np.ndarray
) -> tuple[float, np.ndarray]:
    mine = costs["origin_id"].astype(str).isin(set(_zone_ids(frame))).to_numpy()
    matrix = _huff.cost_matrix(costs[mine], list(_zone_ids(frame)), list(store_ids))
    positive = matrix[(matrix > 0) & np.isfinite(matrix)]
    return (float(positive.min()) if positive.size else np.inf), np.flatnonzero(mine)


def _min_cost(
    zones: Any, stores: pd.DataFrame, costs: pd.DataFrame | None, min_cost: float | None
) -> float | None:
    """Settle the zero-cost guard over all zones, as the pandas engine does over its matrix."""
    if min_cost is not None or costs is None:
        return min_cost
    from dask import delayed  # optional heavy dependency (scale extra)

    store_ids = stores["store_id"].astype("string").astype(str).to_numpy()
    origins = costs["origin_id"].astype(str).drop_duplicates().to_numpy()
    _huff.cost_matrix(
        costs, origins, store_ids
    )  # store ids, numbers and repeated pairs, named by row
    shared = broadcast(costs)
    scans = compute([delayed(_cost_scan)(p, shared, store_ids) for p in partitions(zones)])[0]
    used = np.zeros(len(costs), dtype=bool)
    for _, rows in scans:
        used[rows] = True
    if not used.all():
        i = int(np.flatnonzero(~used)[0])
        msg = f"origin_id {costs['origin_id'].iloc[i]!r} is not in the demand zones"
        raise InputError(msg, row=i + 1, column="origin_id")
    smallest = min((s for s, _ in scans), default=np.inf)
    return smallest / 2 if np.isfinite(smallest) else 1.0


def _probabilities_part(
    frame: pd.DataFrame, stores: pd.DataFrame, costs: Any, options: dict[str, Any]
) -> pd.DataFrame:
    return _huff.huff_probabilities(frame, stores, costs=_costs_of(frame, costs), **options)


@register_dask_twin()
def huff_probabilities(
    zones: Any,
    stores: pd.DataFrame,
    *,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    attractiveness: str = "floor_area_m2",
    costs: pd.DataFrame | np.ndarray | NetworkCosts | None = None,
    min_cost: float | None = None,
) -> Any:
    """Huff probabilities, zones x stores (see :func:`tradearea.huff.huff_probabilities`).

    With Dask, zones stay partitioned and the stores are shared: a zone's probabilities need
    only its own row and all stores, so each partition gives its rows of the matrix.
    """
    options: dict[str, Any] = {"alpha": alpha, "beta": beta, "attractiveness": attractiveness}
    if not is_dask(zones):
        return _huff.huff_probabilities(zones, stores, costs=costs, min_cost=min_cost, **options)
    _check_costs_for_dask(costs)
    options["min_cost"] = _min_cost(zones, stores, costs, min_cost)
    meta = infer_meta(_probabilities_part, meta_of(zones), stores, costs, options)
    with dask_config():
        return zones.map_partitions(
            _probabilities_part, broadcast(stores), broadcast(costs), options, meta=meta
        )


def _huff_part(
    frame: pd.DataFrame, stores: pd.DataFrame, costs: Any, options: dict[str, Any]
) -> tuple[dict[str, Any], pd.DataFrame]:
    r = _huff.huff_model(frame, stores, costs=_costs_of(frame, costs), **options)
    piece = {
        "sales": r.sales["expected_sales"].to_numpy(dtype=float),
        "households": r.sales["expected_households"].to_numpy(dtype=float)
        if "expected_households" in r.sales
        else None,
        "led": r.sales["zones_led"].to_numpy(dtype=np.int64),
        "demand": float(r.zones["demand"].sum()),
        "unallocated": float(r.unallocated_demand),
        "unreached": int((r.zones["top_probability"] <= 0).sum()),
    }
    return piece, r.zones


def _add_huff(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(pieces[0])
    for p in pieces[1:]:
        for key in ("sales", "led", "demand", "unallocated", "unreached"):
            out[key] = out[key] + p[key]
        if out["households"] is not None:
            out["households"] = out["households"] + p["households"]
    return out


def _write_parquet(frame: pd.DataFrame, path: str) -> int:
    frame.to_parquet(path, index=False)
    return len(frame)


@register_dask_twin()
def huff_model(
    zones: Any,
    stores: pd.DataFrame,
    *,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    attractiveness: str = "floor_area_m2",
    costs: pd.DataFrame | np.ndarray | NetworkCosts | None = None,
    min_cost: float | None = None,
    focus: Sequence[str] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> HuffResult:
    """Run the Huff model on pandas or Dask zones (see :func:`tradearea.huff.huff_model`).

    With Dask, every partition of zones runs the pandas model against all stores; expected
    sales, households and zones led per store are summed in a tree reduction and the shares
    finished once. To keep the per-zone shares of a large run on disk (without running the
    model twice) use :func:`huff_model_to_parquet`.

    Parameters
    ----------
    zones : pandas.DataFrame or dask.dataframe.DataFrame
        origin_id, demand, lat, lon (households optional).
    stores : pandas.DataFrame
        Stores, shared with every partition.
    alpha, beta, attractiveness, costs, min_cost, focus, block_bytes :
        As for the pandas function; with Dask ``costs`` must be a long table.

    Returns
    -------
    tradearea.huff.HuffResult
        ``sales`` is a pandas frame; with Dask ``zones`` is a Dask frame.
    """
    options = _model_options(alpha, beta, attractiveness, focus, block_bytes)
    if not is_dask(zones):
        return _huff.huff_model(zones, stores, costs=costs, min_cost=min_cost, **options)
    return _huff_model_dask(zones, stores, costs, min_cost, options, None)


def huff_model_to_parquet(
    zones: Any,
    stores: pd.DataFrame,
    zones_out: str | Path,
    *,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    attractiveness: str = "floor_area_m2",
    costs: pd.DataFrame | np.ndarray | NetworkCosts | None = None,
    min_cost: float | None = None,
    focus: Sequence[str] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> HuffResult:
    """Run :func:`huff_model` and write the per-zone shares to ``zones_out`` as Parquet parts.

    With Dask this keeps the zone table of a large run without computing the model twice;
    ``result.zones`` is then read back from the folder (lazily).

    Parameters
    ----------
    zones, stores, alpha, beta, attractiveness, costs, min_cost, focus, block_bytes :
        As for :func:`huff_model`.
    zones_out : path
        Folder for the part files (emptied first).

    Returns
    -------
    tradearea.huff.HuffResult
        As :func:`huff_model`.
    """
    options = _model_options(alpha, beta, attractiveness, focus, block_bytes)
    if not is_dask(zones):
        result = _huff.huff_model(zones, stores, costs=costs, min_cost=min_cost, **options)
        folder = empty_folder(zones_out)
        result.zones.to_parquet(folder / "part.00000.parquet", index=False)
        return result
    return _huff_model_dask(zones, stores, costs, min_cost, options, zones_out)


def _model_options(
    alpha: float,
    beta: float,
    attractiveness: str,
    focus: Sequence[str] | None,
    block_bytes: int,
) -> dict[str, Any]:
    return {
        "alpha": alpha,
        "beta": beta,
        "attractiveness": attractiveness,
        "focus": list(focus) if focus is not None else None,
        "block_bytes": block_bytes,
    }


def _huff_model_dask(
    zones: Any,
    stores: pd.DataFrame,
    costs: Any,
    min_cost: float | None,
    options: dict[str, Any],
    zones_out: str | Path | None,
) -> HuffResult:
    import dask.dataframe as dd  # optional heavy dependency (scale extra)
    from dask import delayed  # optional heavy dependency (scale extra)

    _check_costs_for_dask(costs)
    options["min_cost"] = _min_cost(zones, stores, costs, min_cost)
    runs, total = huff_lazy(zones, stores, costs, options)
    if zones_out is not None:
        folder = empty_folder(zones_out)
        writes = [
            delayed(_write_parquet)(r[1], str(folder / f"part.{i:05d}.parquet"))
            for i, r in enumerate(runs)
        ]
        total, _ = compute(total, writes)
        with dask_config():
            zone_frame = dd.read_parquet(str(folder))
    else:
        total = compute(total)[0]
        zone_meta = infer_meta(
            _huff_part, meta_of(zones), stores, costs, options, pick=lambda r: r[1]
        )
        with dask_config():
            zone_frame = dd.from_delayed([r[1] for r in runs], meta=zone_meta, verify_meta=False)
    return huff_result(total, zones, stores, costs, options, zone_frame)


def huff_lazy(
    zones: Any, stores: pd.DataFrame, costs: pd.DataFrame | None, options: dict[str, Any]
) -> tuple[list[Any], Any]:
    """Build the Huff run of every zone partition and the tree-reduced sales totals (lazy).

    ``options`` are :func:`tradearea.huff.huff_model` keywords with ``min_cost`` settled over
    all zones. Returns the per-partition runs (``run[1]`` is the partition's zone table) and
    the Delayed totals for :func:`huff_result`; several scenarios (e.g. one per candidate)
    can then be computed in one go.
    """
    from dask import delayed  # optional heavy dependency (scale extra)

    shared_stores, shared_costs = broadcast(stores), broadcast(costs)
    run = delayed(_huff_part, nout=2, pure=True)
    runs = [run(p, shared_stores, shared_costs, options) for p in partitions(zones)]
    return runs, tree_reduce([r[0] for r in runs], _add_huff)


def huff_result(
    total: dict[str, Any],
    zones: Any,
    stores: pd.DataFrame,
    costs: pd.DataFrame | None,
    options: dict[str, Any],
    zone_frame: Any = None,
) -> HuffResult:
    """Finish the sales table from summed partition pieces, as :func:`tradearea.huff.huff_model`."""
    empty = _huff.huff_model(
        meta_of(zones).iloc[:0], stores, costs=_costs_of(meta_of(zones), costs), **options
    )
    sales = empty.sales.copy()
    sales["expected_sales"] = total["sales"]
    demand = float(total["demand"])
    sales["sales_share"] = total["sales"] / demand if demand > 0 else 0.0
    if "expected_households" in sales:
        sales["expected_households"] = total["households"]
    sales["zones_led"] = total["led"].astype(np.int64)
    notes = []
    if total["unallocated"] > 0:
        notes.append(f"{total['unreached']} zone(s) reach no store; their demand is not allocated")
    return HuffResult(
        sales=sales,
        zones=zone_frame,
        alpha=float(options["alpha"]),
        beta=float(options["beta"]),
        min_cost=empty.min_cost,
        cost_kind=empty.cost_kind,
        unallocated_demand=float(total["unallocated"]),
        notes=notes,
    )


def huff_summary(result: HuffResult) -> dict[str, Any]:
    """Headline figures of a Huff result whose zones are pandas or Dask.

    Same fields as :meth:`tradearea.huff.HuffResult.summary`.
    """
    if not is_dask(result.zones):
        return result.summary()
    zones, demand = compute(result.zones.shape[0], result.zones["demand"].sum())
    return {
        "alpha": result.alpha,
        "beta": result.beta,
        "min_cost": result.min_cost,
        "cost_kind": result.cost_kind,
        "zones": int(zones),
        "stores": len(result.sales),
        "total_demand": float(demand),
        "total_expected_sales": float(result.sales["expected_sales"].sum()),
        "unallocated_demand": result.unallocated_demand,
    }
