"""Customers to trade-area tiers: a tree of the customers queried with the polygons, vs the peer.

The peer is the obvious method (and this tool's until issue 21): a shapely STRtree of the
trade-area polygons queried with every customer point, the best hit per customer picked with a
pandas sort and drop_duplicates. Both give the same store and tier to every customer; the
benchmark checks it, then prints both times and the ratio.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tradearea.crm import link
from tradearea.distance import great_circle_m

SEED = 21
N_CUSTOMERS = 1_000_000
N_STORES = 1_000  # three tiers each: 3,000 polygons


def _inputs(n: int, stores: int) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(SEED)
    cx, cy = rng.uniform(24.5, 25.5, stores), rng.uniform(60.0, 60.5, stores)
    rows = []
    for i in range(stores):
        inner = None
        for tier, radius in ((1, 0.005), (2, 0.01), (3, 0.02)):
            disc = shapely.Point(cx[i], cy[i]).buffer(radius)
            geom = disc if inner is None else disc.difference(inner)
            rows.append({"store_id": f"S{i:04d}", "tier": tier, "geometry": geom})
            inner = disc
    areas = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    customers = pd.DataFrame({"lat": rng.uniform(60.0, 60.5, n), "lon": rng.uniform(24.5, 25.5, n)})
    return customers, areas


def peer(customers: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """A polygon tree queried with every point; best hit by a pandas sort."""
    lat, lon = customers["lat"].to_numpy(), customers["lon"].to_numpy()
    tree = shapely.STRtree(areas.geometry.to_numpy())
    hit_pt, hit_poly = tree.query(shapely.points(lon, lat), predicate="intersects")
    where = link._store_points(areas, None)
    sid = areas["store_id"].to_numpy()[hit_poly]
    slat = where["lat"].reindex(sid).to_numpy(dtype=float)
    slon = where["lon"].reindex(sid).to_numpy(dtype=float)
    hits = pd.DataFrame(
        {
            "cust": hit_pt,
            "store_id": sid,
            "tier": areas["tier"].to_numpy()[hit_poly],
            "dist": great_circle_m(lat[hit_pt], lon[hit_pt], slat, slon),
        }
    )
    return hits.sort_values(["cust", "tier", "dist", "store_id"]).drop_duplicates("cust")


def main(*, quick: bool = False) -> dict[str, Any]:
    """Time ours and the peer on the same customers and polygons; print both and the ratio."""
    quick = quick or os.environ.get("TRADEAREA_BENCH_QUICK") == "1"
    n = N_CUSTOMERS // (10 if quick else 1)
    customers, areas = _inputs(n, N_STORES)
    t0 = time.perf_counter()
    theirs = peer(customers, areas)
    peer_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    mine, _overlaps = link.assign_tiers(customers, areas)
    ours_s = time.perf_counter() - t0
    got = mine.loc[theirs["cust"].to_numpy()]
    assert (got["store_id"].to_numpy() == theirs["store_id"].to_numpy()).all()
    assert (got["tier"].to_numpy() == theirs["tier"].to_numpy()).all()
    assert int((mine["tier"] > 0).sum()) == len(theirs)
    ratio = peer_s / ours_s
    print(f"tiers: {n:,} customers, {len(areas):,} trade-area polygons")
    print(f"  ours (tree of points, lexsort) {ours_s:8.2f} s")
    print(f"  peer (tree of polygons, pandas) {peer_s:7.2f} s")
    print(f"  ratio peer/ours                {ratio:8.1f} x   (same store and tier for everyone)")
    return {
        "task": "customers to tiers",
        "size": f"{n} customers / {len(areas)} polygons",
        "ours_s": round(ours_s, 3),
        "peer_s": round(peer_s, 3),
        "ratio": round(ratio, 1),
        "peer": "STRtree of polygons queried with every point + pandas sort/drop_duplicates",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1/10 of the full size")
    main(quick=parser.parse_args().quick)
