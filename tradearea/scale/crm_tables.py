"""CRM aggregation on pandas or Dask: value, RFM, lifecycle and tiers per customer, then tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea._core.dispatch import register_dask_twin
from tradearea.crm import link as _link
from tradearea.crm import value as _value
from tradearea.crm.io import PERSONAL_FIELDS
from tradearea.crm.link import TIER_ORDER, VALUABLE
from tradearea.crm.value import SEGMENTS
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
from tradearea.scale.crm import (
    _retention_from_counts,
    _RfmExtract,
    pareto_from_pieces,
    pareto_pieces,
    pareto_rank,
    reference_date,
    retention_counts,
    rfm_cuts,
    rfm_with_cuts,
)
from tradearea.scale.select import sketch
from tradearea.scale.tiers import text_store_ids

SUMS = ("customers", "revenue", "clv")
RANKED = ("first_purchase", "last_purchase", "orders", "revenue")


@dataclass
class CustomerTables:
    """CRM customers tied to trade-area tiers, and the tables made from them.

    Attributes
    ----------
    customers : pandas.DataFrame or dask.dataframe.DataFrame
        One row per customer: value, RFM, segment, lifecycle, store_id, tier, tier_label.
        With Dask, read back from the Parquet folder ``out`` when one was given (else lazy).
    overlaps : int
        Customers inside the areas of more than one store.
    segment_tier, segment_tier_by_store : pandas.DataFrame
        :func:`tradearea.crm.segment_tier_table` without and with ``by_store``.
    penetration : pandas.DataFrame
        :func:`tradearea.crm.valuable_penetration`.
    winback : pandas.DataFrame
        :func:`tradearea.crm.winback_list`.
    pareto_share : float
        Share of revenue from the top 20 % of customers.
    located : dict
        Customers per ``location_source`` (when the column exists).
    settings : dict
        as_of, retention_rate, discount_rate, horizon.
    engine : str
        ``pandas`` or ``dask``.
    """

    customers: Any
    overlaps: int
    segment_tier: pd.DataFrame
    segment_tier_by_store: pd.DataFrame
    penetration: pd.DataFrame
    winback: pd.DataFrame
    pareto_share: float
    located: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    engine: str = "pandas"

    def summary(self) -> dict[str, Any]:
        """Return the headline figures (computed from the tables, never from customer rows)."""
        t = self.segment_tier
        tiers = t.groupby("tier_label", observed=False)["customers"].sum()
        segments = t.groupby("segment", observed=False)["customers"].sum()
        return {
            "engine": self.engine,
            "customers": int(t["customers"].sum()),
            "revenue": float(t["revenue"].sum()),
            "clv_total": float(t["clv"].sum()),
            "tiers": {str(k): int(v) for k, v in tiers.items() if v > 0},
            "segments": {str(k): int(v) for k, v in segments.items() if v > 0},
            "overlaps": int(self.overlaps),
            "winback": len(self.winback),
            "pareto_top20_share": self.pareto_share,
            "located": self.located,
            **self.settings,
        }


# ---- additive pieces of one partition, their combination and the final tables -------------


def table_pieces(
    tiered: pd.DataFrame, *, overlaps: int = 0, pareto_cut: float = np.inf
) -> dict[str, Any]:
    """Return the additive pieces of the CRM tables for one partition of tiered customers."""
    sums = [c for c in SUMS]
    counts = _link.segment_tier_table(tiered)[["tier_label", "segment", *sums]]
    by_store = _link.segment_tier_table(tiered, by_store=True)[
        ["store_id", "tier_label", "segment", *sums]
    ]
    inside = tiered[tiered["tier"].fillna(0).astype(int) > 0]
    valuable = inside["segment"].astype(str).isin(set(VALUABLE)).to_numpy().astype("int64")
    pen = (
        pd.DataFrame(
            {
                "store_id": inside["store_id"].astype(str).to_numpy(),
                "tier": inside["tier"].astype(int).to_numpy(),
                "customers": np.ones(len(inside), dtype="int64"),
                "valuable": valuable,
            }
        )
        .groupby(["store_id", "tier"])[["customers", "valuable"]]
        .sum()
    )
    above, above_sum, total = pareto_pieces(tiered["revenue"].to_numpy(dtype=float), pareto_cut)
    located = (
        tiered["location_source"].astype(str).value_counts().to_dict()
        if "location_source" in tiered
        else {}
    )
    return {
        "n": len(tiered),
        "revenue": total,
        "overlaps": int(overlaps),
        "segment_tier": counts,
        "by_store": by_store,
        "penetration": pen,
        "winback": _link.winback_list(tiered),
        "pareto": (above, above_sum),
        "located": located,
    }


def combine_pieces(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """Add up the pieces of several partitions into one piece (a step of the tree reduction)."""
    if len(pieces) == 1:
        return pieces[0]
    located: dict[str, int] = {}
    for p in pieces:
        for k, v in p["located"].items():
            located[k] = located.get(k, 0) + int(v)
    st = pd.concat([p["segment_tier"] for p in pieces], ignore_index=True)
    bs = pd.concat([p["by_store"] for p in pieces], ignore_index=True)
    return {
        "n": sum(p["n"] for p in pieces),
        "revenue": sum(p["revenue"] for p in pieces),
        "overlaps": sum(p["overlaps"] for p in pieces),
        "segment_tier": st.groupby(["tier_label", "segment"], observed=False, sort=True)[list(SUMS)]
        .sum()
        .reset_index(),
        "by_store": bs.groupby(["store_id", "tier_label", "segment"], observed=False, sort=True)[
            list(SUMS)
        ]
        .sum()
        .reset_index(),
        "penetration": pd.concat([p["penetration"] for p in pieces]).groupby(level=[0, 1]).sum(),
        "winback": _link.winback_list(pd.concat([p["winback"] for p in pieces], ignore_index=True)),
        "pareto": tuple(sum(x) for x in zip(*(p["pareto"] for p in pieces), strict=True)),
        "located": located,
    }


def finish_segment_tier(
    counts: pd.DataFrame, *, total_customers: int, total_revenue: float, by_store: bool
) -> pd.DataFrame:
    """Turn summed segment x tier counts into :func:`tradearea.crm.segment_tier_table`'s table."""
    keys = ["store_id", "tier_label", "segment"] if by_store else ["tier_label", "segment"]
    table = counts.copy()
    table["tier_label"] = pd.Categorical(table["tier_label"].astype(str), categories=TIER_ORDER)
    table["segment"] = pd.Categorical(table["segment"].astype(str), categories=SEGMENTS)
    table = table.sort_values(keys).reset_index(drop=True)
    per_tier = table.groupby(keys[:-1], observed=False)["customers"].transform("sum")
    table["share_of_tier"] = table["customers"] / per_tier.where(per_tier > 0)
    table["share_of_customers"] = table["customers"] / max(total_customers, 1)
    table["share_of_revenue"] = table["revenue"] / total_revenue if total_revenue else np.nan
    table["customers"] = table["customers"].astype("int64")
    return table


def finish_penetration(
    counts: pd.DataFrame, areas: gpd.GeoDataFrame, tiered_meta: pd.DataFrame
) -> pd.DataFrame:
    """Turn summed (store, tier) counts into :func:`tradearea.crm.valuable_penetration`'s table."""
    base = _link.valuable_penetration(tiered_meta.iloc[:0], areas)
    keyed = base.set_index(["store_id", "tier"])
    found = counts.reindex(keyed.index).fillna(0)
    keyed["customers"] = found["customers"].astype("int64").to_numpy()
    keyed["valuable"] = found["valuable"].astype("int64").to_numpy()
    keyed["valuable_share"] = keyed["valuable"] / keyed["customers"].where(keyed["customers"] > 0)
    keyed["valuable_per_1000_households"] = (
        1000 * keyed["valuable"] / keyed["households"].where(keyed["households"] > 0)
    )
    keyed["valuable_per_km2"] = keyed["valuable"] / keyed["area_km2"].where(keyed["area_km2"] > 0)
    return keyed.reset_index()[list(base.columns)]


# ---- per-customer work of one partition ---------------------------------------------------


def _tier_customers(
    frame: pd.DataFrame, areas: gpd.GeoDataFrame, opts: dict[str, Any]
) -> tuple[pd.DataFrame, int]:
    ref = opts["as_of"]
    valued = _value.customer_value(
        frame,
        as_of=ref,
        retention_rate=opts["retention_rate"],
        discount_rate=opts["discount_rate"],
        horizon=opts["horizon"],
    )
    rfm = rfm_with_cuts(valued, as_of=ref, cuts=opts["cuts"]).drop(columns="recency_days")
    valued = pd.concat([valued, rfm], axis=1)
    valued["lifecycle"] = _value.lifecycle_stage(valued, as_of=ref)
    tiered, overlaps = _link.assign_tiers(valued, areas, stores=opts["stores"])
    tiered = text_store_ids(tiered.drop(columns=[c for c in PERSONAL_FIELDS if c in tiered]))
    return tiered, overlaps


def _partition_work(
    frame: pd.DataFrame, areas: gpd.GeoDataFrame, opts: dict[str, Any], path: str | None
) -> dict[str, Any]:
    tiered, overlaps = _tier_customers(frame, areas, opts)
    if path is not None:
        tiered.to_parquet(path, index=False)
    return table_pieces(tiered, overlaps=overlaps, pareto_cut=opts["pareto_cut"])


def _partition_frame(
    frame: pd.DataFrame, areas: gpd.GeoDataFrame, opts: dict[str, Any]
) -> pd.DataFrame:
    return _tier_customers(frame, areas, opts)[0]


def analyse_customers(
    customers: Any,
    areas: gpd.GeoDataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    retention_rate: float | None = None,
    discount_rate: float = 0.10,
    horizon: int | None = 3,
    stores: pd.DataFrame | None = None,
    out: str | Path | None = None,
) -> CustomerTables:
    """Value, segment and tier every customer, then build the CRM tables (pandas or Dask).

    The steps of :func:`tradearea.crm.analyse_crm` after import: CLV, RFM, lifecycle, the store
    and tier of each home (point in polygon), the segment x tier tables, valuable penetration,
    the win-back list and the Pareto share. A pandas frame runs through the CRM functions
    directly. A Dask frame runs out of core in a few passes, each holding one partition per
    worker: the reference date and retention rate, exact global RFM cut values (two passes,
    :mod:`tradearea.scale.select`), then the per-customer work with the tables summed from
    additive pieces in a tree reduction. Both give the same tables.

    Parameters
    ----------
    customers : pandas.DataFrame or dask.dataframe.DataFrame
        One row per customer: customer_id, first_purchase, last_purchase, orders, revenue,
        optional costs, lat, lon (see :func:`tradearea.crm.read_crm`).
    areas : geopandas.GeoDataFrame
        Trade areas (store_id, tier, geometry), shared with every partition.
    as_of : timestamp, optional
        Reference date; default the latest purchase.
    retention_rate : float, optional
        Retention per year; default estimated from the customers.
    discount_rate, horizon :
        CLV settings.
    stores : pandas.DataFrame, optional
        store_id, lat, lon to break overlaps by distance.
    out : path, optional
        Folder to write the customers to as Parquet (``part.NNNNN.parquet`` files; emptied
        first). With Dask this keeps the result without computing it twice.

    Returns
    -------
    CustomerTables
        The customers and the tables.
    """
    if is_dask(customers):
        return _analyse_dask(
            customers,
            areas,
            as_of=as_of,
            retention_rate=retention_rate,
            discount_rate=discount_rate,
            horizon=horizon,
            stores=stores,
            out=out,
        )
    valued = _value.customer_value(
        customers,
        as_of=as_of,
        retention_rate=retention_rate,
        discount_rate=discount_rate,
        horizon=horizon,
    )
    ref = pd.Timestamp(valued.attrs["as_of"])
    rate = valued.attrs["retention_rate"]
    rfm = _value.rfm_scores(valued, as_of=ref).drop(columns="recency_days")
    valued = pd.concat([valued, rfm], axis=1)
    valued["lifecycle"] = _value.lifecycle_stage(valued, as_of=ref)
    tiered, overlaps = _link.assign_tiers(valued, areas, stores=stores)
    tiered = tiered.drop(columns=[c for c in PERSONAL_FIELDS if c in tiered])
    if out is not None:
        tiered.to_parquet(empty_folder(out) / "part.00000.parquet", index=False)
    located = (
        {str(k): int(v) for k, v in tiered["location_source"].value_counts().items()}
        if "location_source" in tiered
        else {}
    )
    return CustomerTables(
        customers=tiered,
        overlaps=overlaps,
        segment_tier=_link.segment_tier_table(tiered),
        segment_tier_by_store=_link.segment_tier_table(tiered, by_store=True),
        penetration=_link.valuable_penetration(tiered, areas),
        winback=_link.winback_list(tiered),
        pareto_share=_value.pareto_share(tiered["revenue"]),
        located=located,
        settings=_settings(ref, rate, discount_rate, horizon),
        engine="pandas",
    )


def _settings(
    ref: pd.Timestamp, rate: float, discount_rate: float, horizon: int | None
) -> dict[str, Any]:
    return {
        "as_of": ref.date().isoformat(),
        "retention_rate": float(rate),
        "discount_rate": discount_rate,
        "horizon": horizon,
    }


def _analyse_dask(
    customers: Any,
    areas: gpd.GeoDataFrame,
    *,
    as_of: Any,
    retention_rate: float | None,
    discount_rate: float,
    horizon: int | None,
    stores: pd.DataFrame | None,
    out: str | Path | None,
) -> CustomerTables:
    import dask.dataframe as dd  # optional heavy dependency (scale extra)
    from dask import delayed  # optional heavy dependency (scale extra)

    # Check the areas once, here, so bad input fails before any partition runs.
    _link.assign_tiers(meta_of(customers), areas)
    ref = reference_date(customers, as_of)
    parts = partitions(customers)
    # the ranking passes read only the columns they rank (Parquet reads just those)
    narrow = partitions(customers[list(RANKED)])
    extract = _RfmExtract(ref)
    period = 365.0
    sketches, sizes, counts = compute(
        [delayed(sketch)(p, extract) for p in narrow],
        [delayed(len)(p) for p in narrow],
        [delayed(retention_counts)(p, ref, period) for p in narrow]
        if retention_rate is None
        else [],
    )
    n = int(sum(sizes))
    rate = (
        _retention_from_counts(sum(c[0] for c in counts), sum(c[1] for c in counts))
        if retention_rate is None
        else retention_rate
    )
    n_top, pareto_at = pareto_rank(n)
    extra = {"m": [pareto_at]} if pareto_at is not None else {}
    cuts = rfm_cuts(narrow, ref, n=n, sketches=sketches, extra=extra)
    pareto_cut = float(cuts["m"][4]) if pareto_at is not None else np.inf
    cuts = {k: v[:4] for k, v in cuts.items()}
    opts = {
        "as_of": ref,
        "retention_rate": rate,
        "discount_rate": discount_rate,
        "horizon": horizon,
        "cuts": cuts,
        "stores": stores,
        "pareto_cut": pareto_cut,
    }
    shared_areas, shared_opts = broadcast(areas), broadcast(opts)
    folder = empty_folder(out) if out is not None else None
    work = delayed(_partition_work, pure=True)
    pieces = [
        work(
            p, shared_areas, shared_opts, str(folder / f"part.{i:05d}.parquet") if folder else None
        )
        for i, p in enumerate(parts)
    ]
    total = compute(tree_reduce(pieces, combine_pieces))[0]
    frame_meta = infer_meta(_partition_frame, meta_of(customers), areas, opts)
    with dask_config():
        if folder is not None:
            result = dd.read_parquet(str(folder))
        else:
            part_frame = delayed(_partition_frame, pure=True)
            result = dd.from_delayed(
                [part_frame(p, shared_areas, shared_opts) for p in parts], meta=frame_meta
            )
    above, above_sum = total["pareto"]
    return CustomerTables(
        customers=result,
        overlaps=total["overlaps"],
        segment_tier=finish_segment_tier(
            total["segment_tier"], total_customers=n, total_revenue=total["revenue"], by_store=False
        ),
        segment_tier_by_store=finish_segment_tier(
            total["by_store"], total_customers=n, total_revenue=total["revenue"], by_store=True
        ),
        penetration=finish_penetration(total["penetration"], areas, frame_meta),
        winback=total["winback"],
        pareto_share=pareto_from_pieces(n, n_top, pareto_cut, above, above_sum, total["revenue"]),
        located=dict(total["located"]),
        settings=_settings(ref, rate, discount_rate, horizon),
        engine="dask",
    )


# ---- the tables alone, for customers already tiered -----------------------------------


def _pieces_of(customers: Any) -> dict[str, Any]:
    from dask import delayed  # optional heavy dependency (scale extra)

    parts = partitions(customers)
    return compute(tree_reduce([delayed(table_pieces)(p) for p in parts], combine_pieces))[0]


@register_dask_twin()
def segment_tier_table(customers: Any, *, by_store: bool = False) -> pd.DataFrame:
    """Cross-tabulate segments by tier (see :func:`tradearea.crm.segment_tier_table`).

    With Dask, partition counts are summed in a tree reduction, then the shares computed.
    """
    if not is_dask(customers):
        return _link.segment_tier_table(customers, by_store=by_store)
    total = _pieces_of(customers)
    return finish_segment_tier(
        total["by_store" if by_store else "segment_tier"],
        total_customers=total["n"],
        total_revenue=total["revenue"],
        by_store=by_store,
    )


@register_dask_twin()
def valuable_penetration(
    customers: Any, areas: gpd.GeoDataFrame, *, segments: Iterable[str] = VALUABLE
) -> pd.DataFrame:
    """Valuable customers per store and tier (see :func:`tradearea.crm.valuable_penetration`)."""
    if not is_dask(customers) or set(segments) != set(VALUABLE):
        if is_dask(customers):
            customers = compute(customers)[0]
        return _link.valuable_penetration(customers, areas, segments=segments)
    total = _pieces_of(customers)
    return finish_penetration(total["penetration"], areas, meta_of(customers))


@register_dask_twin()
def winback_list(
    customers: Any, *, tiers: Iterable[int] = (1,), segments: Iterable[str] = ("at risk",)
) -> pd.DataFrame:
    """Customers to win back, highest CLV first (see :func:`tradearea.crm.winback_list`).

    With Dask every partition is filtered, and the (small) remainder sorted once.
    """
    tiers, segments = list(tiers), list(segments)
    if not is_dask(customers):
        return _link.winback_list(customers, tiers=tiers, segments=segments)
    meta = _link.winback_list(meta_of(customers), tiers=tiers, segments=segments)
    picked = customers.map_partitions(_link.winback_list, tiers=tiers, segments=segments, meta=meta)
    return _link.winback_list(compute(picked)[0], tiers=tiers, segments=segments)
