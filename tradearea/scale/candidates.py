"""Many candidate sites at once: Huff forecast and IRS of each, pandas or Dask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tradearea.forecast import candidate_store, forecast_candidate
from tradearea.saturation import irs_by_trade_area
from tradearea.scale._dask import compute, is_dask
from tradearea.scale.huff import huff_lazy

CANDIDATE_COLUMNS = (
    "store_id",
    "name",
    "format",
    "lat",
    "lon",
    "floor_area_m2",
    "expected_sales",
    "sales_share",
    "from_own",
    "from_competitors",
    "cannibalisation_share",
)


def candidate_records(
    candidates: pd.DataFrame | Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Return candidates as store records (see :func:`tradearea.forecast.candidate_store`).

    Parameters
    ----------
    candidates : pandas.DataFrame or sequence of mapping
        store_id (or id), lat, lon; optional name, format, floor_area_m2.

    Returns
    -------
    list of dict
        One record per candidate with ``role='candidate'``.
    """
    rows = (
        candidates.to_dict("records")
        if isinstance(candidates, pd.DataFrame)
        else [dict(c) for c in candidates]
    )
    out = []
    for i, row in enumerate(rows, start=1):
        sid = str(row.get("store_id") or row.get("id") or f"K{i}")
        area = row.get("floor_area_m2")
        area = None if area is None or pd.isna(area) else float(area)
        out.append(
            candidate_store(
                float(row["lat"]),
                float(row["lon"]),
                format=str(row.get("format") or "supermarket"),
                floor_area_m2=area,
                name=str(row.get("name") or sid),
                store_id=sid,
            )
        )
    return out


def _own_ids(stores: pd.DataFrame, own: Sequence[str] | None) -> set[str]:
    if own is not None:
        return {str(s) for s in own}
    if "role" not in stores.columns:
        return set()
    return set(stores.loc[stores["role"].astype(str) == "own", "store_id"].astype(str))


def _row(
    cand: dict[str, Any], sales: float, demand: float, transfer: np.ndarray, own: np.ndarray
) -> dict[str, Any]:
    from_own = float(transfer[own].sum())
    return {
        **{k: cand.get(k) for k in CANDIDATE_COLUMNS[:6]},
        "expected_sales": sales,
        "sales_share": sales / demand if demand > 0 else 0.0,
        "from_own": from_own,
        "from_competitors": float(transfer[~own].sum()),
        "cannibalisation_share": from_own / sales if sales > 0 else 0.0,
    }


def forecast_candidates(
    zones: Any,
    stores: pd.DataFrame,
    candidates: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    own: Sequence[str] | None = None,
    alpha: float = 1.0,
    beta: float = 2.0,
    attractiveness: str = "floor_area_m2",
    min_cost: float | None = None,
) -> pd.DataFrame:
    """Forecast every candidate on its own: what it sells and whom it takes it from.

    Each candidate is added alone to the existing stores and the Huff model rerun, as
    :func:`tradearea.forecast.forecast_candidate` does (which the pandas engine calls). With
    Dask zones, the base run and every candidate's run are built lazily and computed together,
    so all candidates share one pass of scheduling over the zone partitions.

    Parameters
    ----------
    zones : pandas.DataFrame or dask.dataframe.DataFrame
        origin_id, demand, lat, lon.
    stores : pandas.DataFrame
        Existing stores (``role`` 'own' marks own stores unless ``own`` is given).
    candidates : pandas.DataFrame or sequence of mapping
        See :func:`candidate_records`.
    own : sequence of str, optional
        Own store ids.
    alpha, beta, attractiveness, min_cost :
        Huff settings (straight-line distances).

    Returns
    -------
    pandas.DataFrame
        One row per candidate: store_id, name, format, lat, lon, floor_area_m2,
        expected_sales, sales_share (of all demand), from_own, from_competitors,
        cannibalisation_share.
    """
    cands = candidate_records(candidates)
    own_set = _own_ids(stores, own)
    base = stores.drop(columns=["geometry"], errors="ignore").copy()
    base["store_id"] = base["store_id"].astype(str)
    taken = set(base["store_id"])
    for cand in cands:
        if cand["store_id"] in taken:
            msg = f"candidate id {cand['store_id']!r} is already a store id"
            raise ValueError(msg)
    is_own = base["store_id"].isin(own_set).to_numpy()
    if not is_dask(zones):
        demand = float(pd.to_numeric(zones["demand"]).sum())
        rows = []
        for cand in cands:
            fc = forecast_candidate(
                zones,
                base,
                cand,
                own=sorted(own_set),
                alpha=alpha,
                beta=beta,
                attractiveness=attractiveness,
                min_cost=min_cost,
            )
            order = fc.stores.set_index("store_id").loc[base["store_id"]]
            rows.append(
                _row(cand, fc.expected_sales, demand, order["transfer"].to_numpy(float), is_own)
            )
        return pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    options = {"alpha": alpha, "beta": beta, "attractiveness": attractiveness, "focus": None}
    options["min_cost"] = min_cost
    lazies = [huff_lazy(zones, base, None, options)[1]]
    for cand in cands:
        with_cand = pd.concat([base, pd.DataFrame([cand])], ignore_index=True)
        lazies.append(huff_lazy(zones, with_cand, None, options)[1])
    totals = compute(lazies)[0]
    before = totals[0]["sales"]
    demand = float(totals[0]["demand"])
    rows = [
        _row(cand, float(t["sales"][-1]), demand, before - t["sales"][:-1], is_own)
        for cand, t in zip(cands, totals[1:], strict=True)
    ]
    return pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))


def irs_for_candidates(
    areas: Any,
    stores: pd.DataFrame,
    candidates: pd.DataFrame | Sequence[Mapping[str, Any]],
    **options: Any,
) -> pd.DataFrame:
    """IRS of each candidate's own trade areas, without and with the candidate open.

    Each candidate's tiers (areas whose ``store_id`` is the candidate's) go through
    :func:`tradearea.saturation.irs_by_trade_area` with that candidate; with Dask areas the
    candidates run as parallel tasks.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or dask_geopandas.GeoDataFrame
        Trade areas, including the candidates' (store_id = candidate id).
    stores : pandas.DataFrame
        Existing stores (the candidates are added one at a time).
    candidates : pandas.DataFrame or sequence of mapping
        See :func:`candidate_records`.
    **options
        Passed on (format, spend, zones, cumulative, period, settings).

    Returns
    -------
    pandas.DataFrame
        The IRS rows of all candidates, with the ``*_with_candidate`` columns.
    """
    cands = candidate_records(candidates)
    ids = [c["store_id"] for c in cands]
    parallel = is_dask(areas)
    if parallel:
        areas = compute(areas[areas["store_id"].astype(str).isin(ids)])[0]
    mine = areas[areas["store_id"].astype(str).isin(ids)]
    jobs = [(c, mine[mine["store_id"].astype(str) == c["store_id"]]) for c in cands]
    jobs = [(c, a) for c, a in jobs if len(a)]
    if parallel:
        from dask import delayed  # optional heavy dependency (scale extra)

        run = delayed(irs_by_trade_area, pure=True)
        frames = compute([run(a, stores, candidate=c, **options) for c, a in jobs])[0]
    else:
        frames = [irs_by_trade_area(a, stores, candidate=c, **options) for c, a in jobs]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["store_id", "tier"], kind="stable").reset_index(drop=True)
