"""Benchmark: batched isochrones on a CSR matrix against osmnx's networkx recipe (ego_graph).

The peer is the isochrone example of osmnx: ``nx.ego_graph(G, node, radius=trip_time,
distance="travel_time")`` once per origin. Both run on the same synthetic 200 x 200 grid
(40,000 nodes, both directions, random speeds, a few parallel edges) and must reach identical
node sets. Run: ``.venv/bin/python benchmarks/bench_isochrones.py``.
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

SEED = 20261122
SIDE = 200  # 200 x 200 = 40,000 nodes
SPACING_M = 100.0
TRIP_S = 300.0  # a 5-minute drive time area (the osmnx example starts at 5 min)
PEER_SAMPLE = 100  # networkx origins timed for the 1,000-origin case (then scaled)


def grid_network(side: int = SIDE, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A street grid: nodes and directed edges (both directions) with random travel times."""
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side, dtype=np.int64)
    r, c = np.divmod(ids, side)
    nodes = pd.DataFrame({"node_id": ids, "x": c * SPACING_M, "y": r * SPACING_M})
    right = ids[c < side - 1]
    up = ids[r < side - 1]
    u = np.concatenate([right, right + 1, up, up + side])
    v = np.concatenate([right + 1, right, up + side, up])
    speed_kph = rng.uniform(20, 50, len(u))
    tt = SPACING_M / (speed_kph / 3.6)
    # 1 % parallel edges (a slower service road beside the street): the minimum must win
    dup = rng.choice(len(u), size=len(u) // 100, replace=False)
    u = np.concatenate([u, u[dup]])
    v = np.concatenate([v, v[dup]])
    tt = np.concatenate([tt, tt[dup] * rng.uniform(1.1, 3.0, len(dup))])
    edges = pd.DataFrame({"u": u, "v": v, "travel_time_s": tt})
    return nodes, edges


def _nx_graph(nodes: pd.DataFrame, edges: pd.DataFrame) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(nodes["node_id"].tolist())
    g.add_edges_from(
        (int(a), int(b), {"travel_time": float(t)})
        for a, b, t in zip(edges["u"], edges["v"], edges["travel_time_s"], strict=True)
    )
    return g


def _ours(csr: Any, origins: np.ndarray) -> tuple[float, np.ndarray]:
    from tradearea.regions.network import travel_times

    best, times = np.inf, None
    for _ in range(3):
        t = time.perf_counter()
        times = travel_times(csr, origins, limit=TRIP_S)
        best = min(best, time.perf_counter() - t)
    return best, times


def _ours_peak_mb(csr: Any, origins: np.ndarray) -> float:
    from tradearea.regions.network import travel_times

    tracemalloc.start()
    travel_times(csr, origins, limit=TRIP_S)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def _peer(g: nx.MultiDiGraph, node_ids: np.ndarray) -> tuple[float, list[set[int]]]:
    t = time.perf_counter()
    reached = [
        set(nx.ego_graph(g, int(n), radius=TRIP_S, distance="travel_time")) for n in node_ids
    ]
    return time.perf_counter() - t, reached


def _same_sets(times: np.ndarray, index: pd.Index, peer: list[set[int]]) -> bool:
    return all(
        set(index[np.flatnonzero(np.isfinite(row))].tolist()) == theirs
        for row, theirs in zip(times, peer, strict=True)
    )


def main() -> list[dict[str, Any]]:
    """Time ours and the peer for 100 and 1,000 origins; print and return the rows."""
    from tradearea.regions.network import graph_csr

    nodes, edges = grid_network()
    t = time.perf_counter()
    csr, index = graph_csr(nodes, edges)
    build_s = time.perf_counter() - t
    g = _nx_graph(nodes, edges)
    rng = np.random.default_rng(SEED)
    rows = []
    for n_origins in (100, 1000):
        origins = rng.choice(len(index), size=n_origins, replace=False)
        ours_s, times = _ours(csr, origins)
        sample = origins[: min(PEER_SAMPLE, n_origins)]
        peer_sample_s, peer_sets = _peer(g, index[sample].to_numpy())
        scale = n_origins / len(sample)
        peer_s = peer_sample_s * scale
        identical = _same_sets(times[: len(sample)], index, peer_sets)
        reached = float(np.isfinite(times).sum(axis=1).mean())
        note = (
            f"CSR build {build_s:.2f} s (once per network, cached); "
            f"mean {reached:,.0f} nodes reached per origin within {TRIP_S:.0f} s"
        )
        if scale > 1:
            note += (
                f"; networkx timed on {len(sample)} of the {n_origins} origins "
                f"({peer_sample_s:.1f} s) and scaled x{scale:g}; sets compared on that sample"
            )
        rows.append(
            {
                "task": "isochrones: csgraph batch vs networkx ego_graph",
                "size": f"{n_origins:,} origins, {len(index):,} nodes",
                "ours_s": round(ours_s, 4),
                "peer_s": round(peer_s, 2),
                "ratio": round(peer_s / ours_s, 1),
                "peak_mb": _ours_peak_mb(csr, origins),
                "identical_node_sets": identical,
                "peer": "networkx.ego_graph (osmnx isochrone example)",
                "note": note,
            }
        )
    for r in rows:
        print(
            f"{r['task']} [{r['size']}]: ours {r['ours_s']:.3f} s, peer {r['peer_s']:.2f} s, "
            f"{r['ratio']}x faster, identical node sets: {r['identical_node_sets']}, "
            f"ours peak {r['peak_mb']} MB"
        )
        print(f"    note: {r['note']}")
    return rows


if __name__ == "__main__":
    main()
