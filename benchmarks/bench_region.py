"""Region pack build time on both extracts pyrosm ships, next to pyrosm + osmnx graph building."""

from __future__ import annotations

import tempfile
import time
import warnings


def _peer(pbf: str) -> float:
    """pyrosm networks turned into osmnx graphs with speeds and travel times (drive and walk)."""
    import osmnx as ox
    import pyrosm

    t = time.perf_counter()
    osm = pyrosm.OSM(pbf)
    for net in ("driving", "walking"):
        nodes, edges = osm.get_network(network_type=net, nodes=True)
        g = osm.to_graph(nodes, edges, graph_type="networkx")
        g = ox.add_edge_speeds(g)
        ox.add_edge_travel_times(g)
    osm.get_buildings()
    osm.get_pois(custom_filter={"shop": True, "amenity": True})
    return time.perf_counter() - t


def main() -> list[dict[str, object]]:
    """Build the packs in a temporary folder and time them against the peer."""
    import os

    import pyrosm

    from tradearea.regions import packs as regions

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TRADEAREA_DATA"] = tmp
        for key in ("test_pbf", "helsinki_pbf"):
            pbf = pyrosm.get_data(key)
            t = time.perf_counter()
            meta = regions.build_region(pbf, name=key.replace("_", "-"), force=True)
            ours = time.perf_counter() - t
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                peer = _peer(pbf)
            print(
                f"region build {key}: ours {ours:.2f} s (all layers, target < 10 s), "
                f"peer pyrosm+osmnx graphs {peer:.2f} s, ratio {peer / ours:.2f}"
            )
            rows.append(
                {
                    "task": f"region build ({key})",
                    "size": f"{meta['counts']['walk_edges']} walk edges",
                    "ours_s": round(ours, 3),
                    "peer_s": round(peer, 3),
                    "ratio": round(peer / ours, 2),
                    "peer": "pyrosm+osmnx networks",
                }
            )
    return rows


if __name__ == "__main__":
    main()
