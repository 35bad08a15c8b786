"""Travel-time graphs: CSR building, batched Dijkstra vs networkx, nearest nodes, isochrones."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from tradearea.regions import network
from tradearea.regions.network import (
    MIN_WEIGHT,
    graph_csr,
    isochrone_polygons,
    isochrones,
    load_network,
    nearest_nodes,
    road_network,
    travel_times,
)

UTM = "EPSG:32635"
TO_LL = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
ORIGIN_XY = (385_000.0, 6_672_000.0)  # central Helsinki in UTM 35N


def _toy(edges: list[tuple[int, int, float]], n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    nodes = pd.DataFrame({"node_id": np.arange(n) * 10 + 100})
    frame = pd.DataFrame(edges, columns=["u", "v", "travel_time_s"])
    frame["u"] = frame["u"] * 10 + 100
    frame["v"] = frame["v"] * 10 + 100
    return nodes, frame


def _geo_network(xy: dict[int, tuple[float, float]], links: list[tuple[int, int, float]]):
    """A network from projected node positions and (u, v, seconds) links, both directions."""
    ids = sorted(xy)
    lon, lat = TO_LL.transform([xy[i][0] for i in ids], [xy[i][1] for i in ids])
    ll = dict(zip(ids, zip(lon, lat, strict=True), strict=True))
    nodes = gpd.GeoDataFrame(
        {"node_id": ids, "lon": lon, "lat": lat},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    rows = []
    for u, v, t in links:
        for a, b in ((u, v), (v, u)):
            rows.append(
                {"u": a, "v": b, "travel_time_s": t, "geometry": shapely.LineString([ll[a], ll[b]])}
            )
    edges = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return road_network(nodes, edges, kind="walk", crs=UTM)


# --------------------------------------------------------------------------------------------
# CSR


def test_graph_csr_keeps_cheapest_parallel_edge_and_drops_self_loops() -> None:
    nodes, edges = _toy([(0, 1, 5.0), (0, 1, 2.0), (0, 1, 9.0), (1, 1, 1.0), (1, 2, 3.0)], 3)
    csr, index = graph_csr(nodes, edges)
    assert list(index) == [100, 110, 120]
    assert csr[0, 1] == 2.0
    assert csr[1, 1] == 0.0 and csr.nnz == 2
    assert travel_times(csr, [0])[0].tolist() == [0.0, 2.0, 5.0]


def test_zero_travel_time_edges_still_connect() -> None:
    nodes, edges = _toy([(0, 1, 0.0), (1, 2, 4.0)], 3)
    csr, _ = graph_csr(nodes, edges)
    assert csr[0, 1] == MIN_WEIGHT
    times = travel_times(csr, [0])[0]
    assert times[2] == pytest.approx(4.0 + MIN_WEIGHT)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ([(0, 1, -1.0)], "finite and >= 0"),
        ([(0, 1, float("nan"))], "finite and >= 0"),
        ([(0, 7, 1.0)], "not in the nodes table"),
    ],
)
def test_graph_csr_rejects_bad_edges(edges: list, message: str) -> None:
    nodes, frame = _toy(edges, 2)
    with pytest.raises(ValueError, match=message):
        graph_csr(nodes, frame)


def test_graph_csr_rejects_duplicate_nodes() -> None:
    nodes = pd.DataFrame({"node_id": [1, 1]})
    with pytest.raises(ValueError, match="unique"):
        graph_csr(nodes, pd.DataFrame({"u": [1], "v": [1], "travel_time_s": [1.0]}))


def test_travel_times_limit_is_inclusive_and_batches_origins() -> None:
    nodes, edges = _toy([(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)], 3)
    csr, _ = graph_csr(nodes, edges)
    times = travel_times(csr, [0, 1, 2], limit=1.0)
    assert times.tolist() == [[0, 1, np.inf], [np.inf, 0, 1], [1, np.inf, 0]]
    assert travel_times(csr, [0, 1], min_only=True).tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="within the graph"):
        travel_times(csr, [3])
    with pytest.raises(ValueError, match="limit"):
        travel_times(csr, [0], limit=-1)


# --------------------------------------------------------------------------------------------
# Against networkx on the real Helsinki drive network


@pytest.fixture(scope="module")
def drive(demo_region: object) -> network.RoadNetwork:
    return load_network(demo_region, "drive")


def _nx_graph(net: network.RoadNetwork) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(net.nodes["node_id"])
    e = net.edges
    g.add_edges_from(
        (u, v, {"travel_time": t})
        for u, v, t in zip(e["u"], e["v"], e["travel_time_s"], strict=True)
    )
    return g


def test_reached_nodes_match_networkx_ego_graph(drive: network.RoadNetwork) -> None:
    g = _nx_graph(drive)
    rng = np.random.default_rng(4)
    origins = rng.choice(len(drive.node_index), size=12, replace=False)
    for radius in (20.0, 60.0, 120.0):
        times = travel_times(drive.csr, origins, limit=radius)
        for row, o in zip(times, origins, strict=True):
            ours = set(drive.node_index[np.flatnonzero(np.isfinite(row))])
            theirs = set(
                nx.ego_graph(g, drive.node_index[o], radius=radius, distance="travel_time")
            )
            assert ours == theirs
    # the times agree too, not only the sets
    lengths = nx.single_source_dijkstra_path_length(
        g, drive.node_index[origins[0]], weight="travel_time"
    )
    row = travel_times(drive.csr, origins[:1])[0]
    ours = dict(zip(drive.node_index, row, strict=True))
    assert all(ours[n] == pytest.approx(t) for n, t in lengths.items())
    assert len(lengths) == len(drive.node_index)  # strongly connected: everything reached


def test_nearest_nodes_match_brute_force(drive: network.RoadNetwork) -> None:
    nodes = drive.nodes
    rng = np.random.default_rng(1)
    lat = rng.uniform(nodes["lat"].min(), nodes["lat"].max(), 200)
    lon = rng.uniform(nodes["lon"].min(), nodes["lon"].max(), 200)
    ids, dist = nearest_nodes(nodes, lat, lon, crs=UTM, return_distance=True)
    to_xy = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
    nx_, ny_ = to_xy.transform(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
    px, py = to_xy.transform(lon, lat)
    d = np.hypot(px[:, None] - nx_[None, :], py[:, None] - ny_[None, :])
    assert (nodes["node_id"].to_numpy()[d.argmin(1)] == ids).all()
    assert np.allclose(d.min(1), dist)
    # without a CRS the UTM zone is estimated and gives the same answer here
    assert (nearest_nodes(nodes, lat, lon) == ids).all()


def test_load_network_is_cached_and_sized(demo_region: object) -> None:
    a = load_network("helsinki-center", "walk")
    assert load_network(demo_region, "walk") is a
    assert a.csr.shape == (5262, 5262)
    with pytest.raises(ValueError, match="drive"):
        load_network("helsinki-center", "bike")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Polygons


def test_partial_edge_is_cut_in_proportion() -> None:
    x0, y0 = ORIGIN_XY
    net = _geo_network({1: (x0, y0), 2: (x0 + 1000, y0)}, [(1, 2, 100.0)])
    times = travel_times(net.csr, [0])[0]
    (poly,) = isochrone_polygons(net, times, [50.0], buffer_m=20)
    # a 500 m stretch buffered by 20 m: 500 x 40 + a disc of radius 20 (two end caps)
    assert poly.area == pytest.approx(500 * 40 + np.pi * 20**2, rel=0.01)
    assert poly.contains(shapely.Point(x0 + 515, y0))
    assert not poly.contains(shapely.Point(x0 + 525, y0))
    assert not poly.contains(shapely.Point(x0 + 100, y0 + 25))


def test_holes_are_kept() -> None:
    x0, y0 = ORIGIN_XY
    xy = {1: (x0, y0), 2: (x0 + 1000, y0), 3: (x0 + 1000, y0 + 1000), 4: (x0, y0 + 1000)}
    net = _geo_network(xy, [(1, 2, 60.0), (2, 3, 60.0), (3, 4, 60.0), (4, 1, 60.0)])
    times = travel_times(net.csr, [0])[0]
    ring, partial = isochrone_polygons(net, times, [1000.0, 90.0], buffer_m=50)
    assert ring.geom_type == "Polygon" and len(ring.interiors) == 1
    assert not ring.contains(shapely.Point(x0 + 500, y0 + 500))
    assert ring.contains(shapely.Point(x0 + 500, y0 + 40))
    # after 90 s: the two streets from the origin in full, half of the next two
    assert partial.contains(shapely.Point(x0 + 1000, y0 + 480))
    assert not partial.contains(shapely.Point(x0 + 1000, y0 + 600))
    assert partial.within(ring.buffer(1e-6))


def test_reach_times_agree_with_polygons(demo_region: object) -> None:
    walk = load_network(demo_region, "walk")
    times = walk.times_from([60.1699], [24.9420])[0]
    rng = np.random.default_rng(7)
    xy = walk.node_xy
    x = rng.uniform(xy[:, 0].min(), xy[:, 0].max(), 3000)
    y = rng.uniform(xy[:, 1].min(), xy[:, 1].max(), 3000)
    cutoffs = [60.0, 180.0, 420.0]
    polys = isochrone_polygons(walk, times, cutoffs, buffer_m=50)
    exact = walk.reach_times(times, x, y, buffer_m=50)
    widened = walk.reach_times(times, x, y, buffer_m=50 * network._CIRCUMSCRIBE)
    for cut, poly in zip(cutoffs, polys, strict=True):
        inside = shapely.intersects_xy(poly, x, y)
        assert inside[exact <= cut].all()  # reached => inside
        assert (widened[inside] <= cut + 1e-6).all()  # inside => reached (polygon tolerance)
        assert (exact <= cut).sum() > 20
    # nested up to floating-point noise of the unions
    assert polys[0].difference(polys[1]).area < 1e-3
    assert polys[1].difference(polys[2]).area < 1e-3
    # several origins in one call give each origin's own times
    both = walk.reach_times(walk.times_from([60.1699, 60.175], [24.942, 24.945]), x, y, buffer_m=50)
    assert np.array_equal(both[0], exact)


def test_isochrones_frame_is_banded_and_growing(demo_region: object) -> None:
    walk = load_network(demo_region, "walk")
    bands = isochrones(walk, 60.1699, 24.9420, [2, 4, 6])
    assert bands.crs.to_epsg() == 4326
    assert bands["cutoff_s"].tolist() == [120, 240, 360]
    assert bands.is_valid.all() and (bands["area_m2"] > 0).all()
    metric = bands.to_crs(UTM)
    for i in range(3):
        for j in range(i + 1, 3):
            assert metric.geometry.iloc[i].intersection(metric.geometry.iloc[j]).area < 1.0
    with pytest.raises(ValueError, match="increasing"):
        isochrones(walk, 60.1699, 24.9420, [5, 3])
