"""Benchmark: RFM + CLV + lifecycle + tier assignment for 1,000,000 transactions of 100,000 customers.

Ours (vectorised groupby with named aggregations, rank-based quintiles, STRtree point in polygon)
against the plain pandas way (groupby.apply per customer, qcut, row-wise apply, a polygon loop per
customer). Both must agree on orders, revenue, CLV, lifecycle and tiers.

Run: ``.venv/bin/python benchmarks/bench_crm.py`` (``--quick`` for 1/10 of the size,
``--dedup N`` to also time duplicate matching on N generated contact records).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

SEED = 20261122
N_CUSTOMERS, N_TRANSACTIONS, N_STORES = 100_000, 1_000_000, 10
RADII_M = (1000, 3000, 5000)
AS_OF = "2024-12-31"
OPTIONS = {"retention_rate": 0.7, "discount_rate": 0.10, "horizon": 3}


def _inputs(
    n_customers: int, n_transactions: int
) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Transactions, customer homes over a 30 x 30 km area around Helsinki, and ring trade areas."""
    from tradearea.testing.crm import synthetic_transactions

    rng = np.random.default_rng(SEED)
    tx = synthetic_transactions(n_customers, n_transactions, n_stores=N_STORES, seed=SEED)
    homes = pd.DataFrame(
        {
            "customer_id": [f"C{i:07d}" for i in range(n_customers)],
            "lat": 60.05 + rng.uniform(0, 0.27, n_customers),
            "lon": 24.60 + rng.uniform(0, 0.54, n_customers),
        }
    )
    stores = gpd.GeoSeries(
        gpd.points_from_xy(
            24.70 + rng.uniform(0, 0.34, N_STORES), 60.10 + rng.uniform(0, 0.17, N_STORES)
        ),
        crs="EPSG:4326",
    ).to_crs("EPSG:3067")
    rows = []
    for j, centre in enumerate(stores):
        inner = None
        for tier, radius in enumerate(RADII_M, start=1):
            disc = centre.buffer(radius, quad_segs=16)
            rows.append(
                {
                    "store_id": f"S{j:02d}",
                    "tier": tier,
                    "geometry": disc if inner is None else disc.difference(inner),
                }
            )
            inner = disc
    areas = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:3067").to_crs("EPSG:4326")
    return tx, homes, areas


def ours(tx: pd.DataFrame, homes: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """The library: summary, value, RFM, lifecycle, tiers."""
    from tradearea import crm

    customers = crm.customers_from_transactions(tx, as_of=AS_OF).merge(
        homes, on="customer_id", how="left"
    )
    valued = crm.customer_value(customers, as_of=AS_OF, **OPTIONS)
    valued = pd.concat(
        [valued, crm.rfm_scores(valued, as_of=AS_OF).drop(columns="recency_days")], axis=1
    )
    valued["lifecycle"] = crm.lifecycle_stage(valued, as_of=AS_OF)
    tiered, _ = crm.assign_tiers(valued, areas)
    return tiered


def _segment_row(row: pd.Series) -> str:
    r, fm, orders = row["r"], (row["f"] + row["m"] + 1) // 2, row["orders"]
    if r >= 4 and fm >= 4:
        return "champions"
    if r >= 4 and orders == 1:
        return "new"
    if r >= 3 and fm >= 3:
        return "loyal"
    if r >= 3:
        return "potential"
    if (r == 2 and fm >= 3) or (r == 1 and fm >= 4):
        return "at risk"
    return "hibernating" if r == 2 else "lost"


def peer(tx: pd.DataFrame, homes: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Plain pandas: groupby.apply per customer, qcut quintiles, row-wise apply, a polygon loop."""
    as_of = pd.Timestamp(AS_OF)
    summary = tx.groupby("customer_id").apply(
        lambda g: pd.Series(
            {
                "first_purchase": g["date"].min(),
                "last_purchase": g["date"].max(),
                "orders": max(int((g["amount"] > 0).sum()), 1),
                "revenue": g["amount"].sum(),
                "recent": g.loc[(as_of - g["date"]).dt.days < 180, "amount"].sum(),
                "prior": g.loc[
                    ((as_of - g["date"]).dt.days >= 180) & ((as_of - g["date"]).dt.days < 360),
                    "amount",
                ].sum(),
            }
        )
    )
    c = summary.reset_index().merge(homes, on="customer_id", how="left")
    c["recency_days"] = (as_of - c["last_purchase"]).dt.days
    c["tenure_days"] = (as_of - c["first_purchase"]).dt.days
    c["r"] = pd.qcut(c["recency_days"].rank(method="first", ascending=False), 5, labels=False) + 1
    c["f"] = pd.qcut(c["orders"].rank(method="first"), 5, labels=False) + 1
    c["m"] = pd.qcut(c["revenue"].rank(method="first"), 5, labels=False) + 1
    c["segment"] = c.apply(_segment_row, axis=1)
    r, d, years = OPTIONS["retention_rate"], OPTIONS["discount_rate"], OPTIONS["horizon"]

    def clv(row: pd.Series) -> float:
        per_year = (
            row["revenue"] / row["orders"] * row["orders"] / max(row["tenure_days"] / 365.0, 1.0)
        )
        return sum(per_year * r ** (t - 1) / (1 + d) ** t for t in range(1, years + 1))

    c["clv"] = c.apply(clv, axis=1)

    def stage(row: pd.Series) -> str:
        if row["recency_days"] > 365:
            return "lapsed"
        if row["tenure_days"] <= 90:
            return "acquisition"
        if row["recent"] < 0.8 * row["prior"] or (row["recent"] <= 0 and row["prior"] <= 0):
            return "decline"
        return "growth" if row["recent"] > 1.2 * row["prior"] else "stable"

    c["lifecycle"] = c.apply(stage, axis=1)
    polys = areas.sort_values(["tier", "store_id"])[["store_id", "tier", "geometry"]].to_numpy()
    for geom in polys[:, 2]:
        shapely.prepare(geom)

    def tier(row: pd.Series) -> tuple[Any, int]:
        point = shapely.Point(row["lon"], row["lat"])
        for store_id, t, geom in polys:
            if geom.intersects(point):
                return store_id, t
        return None, 0

    found = c.apply(tier, axis=1, result_type="expand")
    c["store_id"], c["tier"] = found[0], found[1]
    return c


def _time(fn: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _dedup(n: int) -> float:
    from tradearea import crm
    from tradearea.testing.crm import synthetic_people

    people = synthetic_people(int(n / 1.24), seed=SEED)
    start = time.perf_counter()
    crm.duplicate_groups(crm.find_duplicates(people))
    seconds = time.perf_counter() - start
    print(f"dedup: {len(people):,} contact records in {seconds:.1f} s")
    return seconds


def main(*, quick: bool = False, dedup: int = 0, peer_share: float = 0.1) -> dict[str, Any]:
    """Time ours and the plain pandas peer; print both and the ratio; return the comparison row.

    The peer's groupby.apply costs a few milliseconds per customer, so by default it runs on a
    random ``peer_share`` of the customers (with all their transactions) and its time is scaled
    up linearly (its cost is per customer); ``peer_share=1`` runs it on everything.
    """
    scale = 10 if quick else 1
    n_c, n_t = N_CUSTOMERS // scale, N_TRANSACTIONS // scale
    tx, homes, areas = _inputs(n_c, n_t)
    ours_s, mine = _time(ours, tx, homes, areas)
    tracemalloc.start()
    ours(tx, homes, areas)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1024**2
    tracemalloc.stop()
    rng = np.random.default_rng(SEED + 1)
    sample = pd.Index(
        rng.choice(homes["customer_id"].to_numpy(), int(n_c * peer_share), replace=False)
    )
    tx_s = tx[tx["customer_id"].isin(sample)]
    sample = sample.intersection(pd.Index(tx_s["customer_id"].unique()))
    measured_s, theirs = _time(peer, tx_s, homes[homes["customer_id"].isin(sample)], areas)
    peer_s = measured_s * len(mine) / len(theirs)
    a = mine.set_index("customer_id").loc[theirs["customer_id"]]
    b = theirs.set_index("customer_id")
    assert (a["orders"].to_numpy() == b["orders"].to_numpy()).all()
    assert np.allclose(a["revenue"], b["revenue"])
    assert np.allclose(a["clv"], b["clv"])
    assert (a["tier"].fillna(0).astype(int).to_numpy() == b["tier"].astype(int).to_numpy()).all()
    assert (a["lifecycle"].astype(str).to_numpy() == b["lifecycle"].to_numpy()).all()
    ratio = peer_s / ours_s
    print(f"crm: {n_t:,} transactions, {n_c:,} customers, {len(areas)} trade-area polygons")
    print(f"  ours (vectorised)             {ours_s:8.2f} s   peak {peak_mb:,.0f} MB (tracemalloc)")
    print(
        f"  peer (pandas groupby/apply)   {peer_s:8.2f} s   ({measured_s:.1f} s measured on "
        f"{len(theirs):,} customers, scaled to {len(mine):,})"
    )
    print(
        f"  ratio peer/ours               {ratio:8.1f} x   (orders, revenue, CLV, lifecycle, tiers agree)"
    )
    result: dict[str, Any] = {
        "task": "crm rfm+clv+lifecycle+tiers",
        "size": f"{n_t} transactions / {n_c} customers",
        "ours_s": round(ours_s, 3),
        "peer_s": round(peer_s, 3),
        "ratio": round(ratio, 1),
        "peak_mb": round(peak_mb, 1),
        "peer": f"pandas groupby.apply + qcut + apply(axis=1), timed on {peer_share:.0%} of customers",
    }
    if dedup:
        result["dedup_s"] = round(_dedup(dedup), 2)
        result["dedup_records"] = dedup
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1/10 of the full size")
    parser.add_argument("--dedup", type=int, default=0, help="also time dedup on about N records")
    parser.add_argument(
        "--peer-share", type=float, default=0.1, help="share of customers the peer runs on"
    )
    args = parser.parse_args()
    main(quick=args.quick, dedup=args.dedup, peer_share=args.peer_share)
