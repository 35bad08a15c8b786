"""Benchmark: our Huff model against the ``huff`` package (PyPI), and memory at 100,000 x 1,000.

Run: ``.venv/bin/python benchmarks/bench_huff.py`` (the peer comes with ``pip install .[bench]``).
"""

from __future__ import annotations

import contextlib
import io
import os
import time
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd

SEED = 20261122
PEER_ZONES, PEER_STORES = 10_000, 200
BIG_ZONES, BIG_STORES = 100_000, 1_000
ALPHA, BETA = 1.0, 2.0


def _inputs(n_zones: int, n_stores: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random zones and stores over a 20 x 20 km area around Helsinki."""
    rng = np.random.default_rng(seed)
    zones = pd.DataFrame(
        {
            "origin_id": [f"z{i}" for i in range(n_zones)],
            "demand": rng.uniform(100, 5_000, n_zones),
            "lat": 60.10 + rng.uniform(0, 0.18, n_zones),
            "lon": 24.80 + rng.uniform(0, 0.36, n_zones),
        }
    )
    stores = pd.DataFrame(
        {
            "store_id": [f"s{j}" for j in range(n_stores)],
            "lat": 60.10 + rng.uniform(0, 0.18, n_stores),
            "lon": 24.80 + rng.uniform(0, 0.36, n_stores),
            "floor_area_m2": rng.uniform(100, 8_000, n_stores),
        }
    )
    return zones, stores


def _ours(zones: pd.DataFrame, stores: pd.DataFrame, **options: Any) -> tuple[float, Any]:
    from tradearea.huff import huff_model

    t = time.perf_counter()
    result = huff_model(zones, stores, alpha=ALPHA, beta=BETA, **options)
    return time.perf_counter() - t, result


def _peer(zones: pd.DataFrame, stores: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """The ``huff`` package end to end: straight-line distances, utilities, probabilities, flows."""
    import geopandas as gpd
    from huff.data_management import load_geodata
    from huff.models import create_interaction_matrix

    z = gpd.GeoDataFrame(zones, geometry=gpd.points_from_xy(zones["lon"], zones["lat"]), crs=4326)
    s = gpd.GeoDataFrame(
        stores, geometry=gpd.points_from_xy(stores["lon"], stores["lat"]), crs=4326
    )
    with contextlib.redirect_stdout(io.StringIO()):
        t = time.perf_counter()
        origins = load_geodata(z, location_type="origins", unique_id="origin_id")
        origins.define_marketsize("demand")
        origins.define_transportcosts_weighting(param_lambda=-BETA)
        dest = load_geodata(s, location_type="destinations", unique_id="store_id")
        dest.define_attraction("floor_area_m2")
        dest.define_attraction_weighting(param_gamma=ALPHA)
        im = create_interaction_matrix(origins, dest)
        im.transport_costs(network=False, distance_unit="meters")
        im.utility()
        im.probabilities()
        im.flows()
        elapsed = time.perf_counter() - t
    return elapsed, im.get_interaction_matrix_df()


def _peer_available() -> bool:
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import huff.models  # noqa: F401
    except ImportError:
        return False
    return True


def compare_with_peer(n_zones: int = PEER_ZONES, n_stores: int = PEER_STORES) -> dict[str, Any]:
    """Time both on the same inputs and check that the probabilities agree.

    Agreement is checked on the same costs: the peer's straight-line distances (spherical law
    of cosines, R = 6378 km) fed to our model as a cost table, with our 50 m guard off (the
    peer has none). Our own haversine distances differ from the peer's by float rounding of
    ``acos`` near 1 (about 0.1 m), which moves probabilities by ~1e-7; that gap is reported too.
    """
    from tradearea.huff import huff_probabilities

    zones, stores = _inputs(n_zones, n_stores)
    ours_s, result = _ours(zones, stores)
    row: dict[str, Any] = {
        "task": "huff straight-line, expected sales",
        "size": f"{n_zones:,} zones x {n_stores:,} stores",
        "ours_s": round(ours_s, 4),
        "peer_s": None,
        "ratio": None,
        "peak_mb": None,
    }
    if not _peer_available():
        row["note"] = "peer `huff` not installed (pip install .[bench])"
        return row
    peer_s, im = _peer(zones, stores)
    p_peer = im.pivot(index="i", columns="j", values="p_ij").loc[
        zones["origin_id"], stores["store_id"]
    ]
    cost = im.pivot(index="i", columns="j", values="t_ij").loc[
        zones["origin_id"], stores["store_id"]
    ]
    same_costs = huff_probabilities(
        zones, stores, alpha=ALPHA, beta=BETA, costs=cost.to_numpy(float), min_cost=1e-9
    )
    own_costs = huff_probabilities(zones, stores, alpha=ALPHA, beta=BETA, min_cost=1e-9)
    flows = im.groupby("j")["E_ij"].sum().loc[stores["store_id"]].to_numpy(float)
    sales_same = zones["demand"].to_numpy() @ same_costs.to_numpy()
    row.update(
        peer_s=round(peer_s, 4),
        ratio=round(peer_s / ours_s, 1),
        max_abs_diff_same_costs=float(np.abs(same_costs.to_numpy() - p_peer.to_numpy(float)).max()),
        max_abs_diff_own_distances=float(
            np.abs(own_costs.to_numpy() - p_peer.to_numpy(float)).max()
        ),
        max_rel_diff_sales_same_costs=float(np.abs(sales_same / flows - 1).max()),
        max_rel_diff_sales_with_50m_guard=float(
            np.abs(result.sales["expected_sales"].to_numpy() / flows - 1).max()
        ),
    )
    return row


def peak_memory(n_zones: int = BIG_ZONES, n_stores: int = BIG_STORES) -> dict[str, Any]:
    """Run the chunked model on a large problem and report time and peak traced memory."""
    zones, stores = _inputs(n_zones, n_stores, seed=SEED + 1)
    ours_s, _ = _ours(zones, stores, focus=["s0"])  # timed without tracing
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    _, result = _ours(zones, stores, focus=["s0"])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    full_mb = n_zones * n_stores * 8 / 2**20
    assert (
        abs(result.sales["expected_sales"].sum() - zones["demand"].sum())
        < 1e-6 * zones["demand"].sum()
    )
    return {
        "task": "huff straight-line, expected sales (chunked)",
        "size": f"{n_zones:,} zones x {n_stores:,} stores",
        "ours_s": round(ours_s, 3),
        "peer_s": None,
        "ratio": None,
        "peak_mb": round((peak - base) / 2**20, 1),
        "note": f"one full probability matrix would take {full_mb:,.0f} MB",
    }


def main() -> list[dict[str, Any]]:
    """Run the benchmarks, print them, and return the rows.

    The peer needs about 7 minutes for 10,000 x 200 on two cores; set
    ``TRADEAREA_BENCH_QUICK=1`` for a smoke run on 1,000 x 50 and 10,000 x 100.
    """
    if os.environ.get("TRADEAREA_BENCH_QUICK"):
        rows = [compare_with_peer(1_000, 50), peak_memory(10_000, 100)]
    else:
        rows = [compare_with_peer(), peak_memory()]
    for r in rows:
        peer = f"{r['peer_s']:.3f} s" if r["peer_s"] is not None else "n/a"
        ratio = f"{r['ratio']}x faster" if r["ratio"] is not None else ""
        peak = f", peak {r['peak_mb']} MB" if r["peak_mb"] is not None else ""
        print(f"{r['task']} [{r['size']}]: ours {r['ours_s']:.3f} s, peer {peer} {ratio}{peak}")
        for key in (
            "max_abs_diff_same_costs",
            "max_abs_diff_own_distances",
            "max_rel_diff_sales_same_costs",
            "max_rel_diff_sales_with_50m_guard",
            "note",
        ):
            if key in r:
                print(f"    {key}: {r[key]}")
    return rows


if __name__ == "__main__":
    main()
