"""Travel-time graphs as CSR matrices: nearest nodes, batched isochrones and their polygons."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from tradearea._core.crs import WGS84, utm_crs
from tradearea._core.geometry import EMPTY_POLYGON, polygonal
from tradearea.regions.packs import load_region

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

NetworkKind = Literal["drive", "walk"]
# csgraph reads an explicit 0 as "no edge" in some code paths: zero weights become this (s).
MIN_WEIGHT = 1e-6
# How far either side of a reached street the reachable area extends (m), per network kind.
# Drive areas get a wider band: homes in pedestrian streets sit up to ~150 m from a road.
EDGE_BUFFER_M: dict[str, float] = {"drive": 150.0, "walk": 50.0}
QUAD_SEGS = 8
# A buffer polygon's chords lie inside the true circle; widen it so every point within the
# buffer distance is inside the polygon (chord midpoint distance = r * cos(pi / (4 q))).
_CIRCUMSCRIBE = 1.0 / math.cos(math.pi / (4 * QUAD_SEGS)) * (1 + 1e-9)


def graph_csr(
    nodes: pd.DataFrame, edges: pd.DataFrame, *, weight: str = "travel_time_s"
) -> tuple[csr_matrix, pd.Index]:
    """Build a directed sparse adjacency matrix of the network.

    Parallel edges keep their minimum weight; zero weights become ``MIN_WEIGHT`` so the sparse
    solver does not read them as missing edges; self-loops are dropped (they never shorten a path).

    Parameters
    ----------
    nodes : pandas.DataFrame
        With a unique ``node_id`` column; row order defines the matrix index.
    edges : pandas.DataFrame
        Directed edges with ``u``, ``v`` (node ids) and the ``weight`` column.
    weight : str
        The edge column holding the cost (``travel_time_s`` or ``length_m``).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``n x n`` matrix; entry (i, j) is the cost of the cheapest edge i -> j.
    pandas.Index
        The node ids; position ``i`` in the matrix is ``node_index[i]``.

    Raises
    ------
    ValueError
        If node ids repeat, an edge names an unknown node, or a weight is negative or missing.
    """
    node_index = pd.Index(np.asarray(nodes["node_id"]))
    if not node_index.is_unique:
        msg = "node_id values must be unique"
        raise ValueError(msg)
    if weight not in edges.columns:
        msg = f"edges have no column {weight!r}"
        raise ValueError(msg)
    u = node_index.get_indexer(np.asarray(edges["u"]))
    v = node_index.get_indexer(np.asarray(edges["v"]))
    if (u < 0).any() or (v < 0).any():
        bad = int(np.flatnonzero((u < 0) | (v < 0))[0])
        msg = f"edge {bad} joins a node that is not in the nodes table"
        raise ValueError(msg)
    w = pd.to_numeric(edges[weight], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any():
        msg = f"edge weights ({weight}) must be finite and >= 0"
        raise ValueError(msg)
    w = np.maximum(w, MIN_WEIGHT)
    keep = u != v
    u, v, w = u[keep], v[keep], w[keep]
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    n = len(node_index)
    csr = csr_matrix((w[first], (u[first], v[first])), shape=(n, n))
    csr.sort_indices()
    return csr, node_index


def travel_times(
    csr: csr_matrix,
    origins: Any,
    *,
    limit: float = np.inf,
    min_only: bool = False,
) -> np.ndarray:
    """Return the least travel cost from each origin to every node, in one batched call.

    Parameters
    ----------
    csr : scipy.sparse.csr_matrix
        From :func:`graph_csr`.
    origins : array_like of int
        Matrix positions of the origins (not node ids; see :func:`graph_csr`).
    limit : float
        Do not search beyond this cost; farther nodes get ``inf``. A node at exactly ``limit``
        is reached.
    min_only : bool
        Return one row: the cost from the nearest of the origins.

    Returns
    -------
    numpy.ndarray
        ``(len(origins), n_nodes)`` costs, or ``(n_nodes,)`` with ``min_only``; ``inf`` where
        not reached.
    """
    idx = np.atleast_1d(np.asarray(origins, dtype=np.int64))
    if idx.size and (idx.min() < 0 or idx.max() >= csr.shape[0]):
        msg = "origin positions must lie within the graph"
        raise ValueError(msg)
    if not limit >= 0:
        msg = f"limit must be >= 0, not {limit}"
        raise ValueError(msg)
    if idx.size == 0:
        return np.full(csr.shape[0] if min_only else (0, csr.shape[0]), np.inf)
    return dijkstra(csr, directed=True, indices=idx, limit=limit, min_only=min_only)


def nearest_nodes(
    nodes: pd.DataFrame,
    lat: Any,
    lon: Any,
    *,
    crs: str | None = None,
    return_distance: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Return the node nearest to each point (vectorised, on projected coordinates).

    Parameters
    ----------
    nodes : pandas.DataFrame
        With ``node_id``, ``lat`` and ``lon``.
    lat, lon : array_like of float
        The points (WGS84).
    crs : str, optional
        The metric CRS; estimated from the nodes (UTM) if not given.
    return_distance : bool
        Also return the straight-line distance to that node in metres.

    Returns
    -------
    numpy.ndarray
        The node ids; with ``return_distance`` also the distances (m).
    """
    crs = crs or utm_crs(nodes["lon"], nodes["lat"])
    to_xy = Transformer.from_crs(WGS84, crs, always_xy=True)
    nx_, ny_ = to_xy.transform(np.asarray(nodes["lon"], float), np.asarray(nodes["lat"], float))
    tree = cKDTree(np.column_stack([nx_, ny_]))
    px, py = to_xy.transform(np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(lat))
    dist, pos = tree.query(np.column_stack([px, py]))
    ids = np.asarray(nodes["node_id"])[pos]
    return (ids, dist) if return_distance else ids


@dataclass(eq=False)
class RoadNetwork:
    """A network ready for isochrones: CSR matrix, projected nodes and edge segments.

    Build it with :func:`road_network` (from frames) or :func:`load_network` (cached per region).

    Attributes
    ----------
    kind : str
        ``drive`` or ``walk`` (sets the default buffer).
    nodes, edges : geopandas.GeoDataFrame
        The region's tables (WGS84).
    crs : str
        The metric CRS used for distances and polygons.
    csr : scipy.sparse.csr_matrix
        Travel times in seconds.
    node_index : pandas.Index
        Node ids by matrix position.
    """

    kind: str
    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    crs: str
    csr: csr_matrix = field(repr=False)
    node_index: pd.Index = field(repr=False)

    @cached_property
    def _to_xy(self) -> Transformer:
        return Transformer.from_crs(WGS84, self.crs, always_xy=True)

    @cached_property
    def node_xy(self) -> np.ndarray:
        """Projected node coordinates, shape ``(n_nodes, 2)``."""
        x, y = self._to_xy.transform(self.nodes["lon"].to_numpy(float), self.nodes["lat"])
        return np.column_stack([x, y])

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(self.node_xy)

    @cached_property
    def segments(self) -> dict[str, np.ndarray]:
        """Every edge cut into straight segments, with its position along the edge (projected)."""
        geoms = gpd.GeoSeries(self.edges.geometry.values, crs=WGS84).to_crs(self.crs).values
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        same = owner[1:] == owner[:-1]
        a, b = coords[:-1][same], coords[1:][same]
        edge = owner[:-1][same]
        seg_len = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
        edge_len = np.bincount(edge, weights=seg_len, minlength=len(geoms))
        cum = np.cumsum(seg_len)
        start_of_edge = np.r_[0.0, np.cumsum(edge_len)][edge]
        s1 = cum - start_of_edge
        u = self.node_index.get_indexer(self.edges["u"].to_numpy())
        tt = np.maximum(self.edges["travel_time_s"].to_numpy(float), MIN_WEIGHT)
        return {
            "x0": a[:, 0],
            "y0": a[:, 1],
            "x1": b[:, 0],
            "y1": b[:, 1],
            "edge": edge,
            "s0": s1 - seg_len,
            "s1": s1,
            "len": seg_len,
            "edge_len": np.maximum(edge_len[edge], 1e-9),
            "u": u[edge],
            "tt": tt[edge],
        }

    @cached_property
    def _segment_tree(self) -> shapely.STRtree:
        s = self.segments
        lines = shapely.linestrings(
            np.stack([np.column_stack([s["x0"], s["y0"]]), np.column_stack([s["x1"], s["y1"]])], 1)
        )
        return shapely.STRtree(lines)

    def project(self, lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return projected (x, y) of WGS84 points."""
        x, y = self._to_xy.transform(np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(lat))
        return np.asarray(x, float), np.asarray(y, float)

    def nearest(self, lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return matrix positions of the nearest nodes and the distances to them (m)."""
        x, y = self.project(lat, lon)
        dist, pos = self._tree.query(np.column_stack([x, y]))
        return np.asarray(pos, np.int64), np.asarray(dist, float)

    def times_from(self, lat: Any, lon: Any, *, limit: float = np.inf) -> np.ndarray:
        """Travel times (s) from the nodes nearest to each origin: ``(n_origins, n_nodes)``."""
        pos, _ = self.nearest(lat, lon)
        return travel_times(self.csr, pos, limit=limit)

    def reach_times(self, node_times: np.ndarray, x: Any, y: Any, *, buffer_m: float) -> np.ndarray:
        """Return when each point first falls inside the isochrone polygon.

        A point is reached at time ``T`` when some street reached by ``T`` passes within
        ``buffer_m`` of it: the time of the first street position within ``buffer_m``
        (travel along an edge is prorated by length). This is the same rule the polygons of
        :func:`isochrone_polygons` are drawn with, so counts and polygons agree.

        Parameters
        ----------
        node_times : numpy.ndarray
            ``(n_nodes,)`` or ``(n_origins, n_nodes)`` from :func:`travel_times`.
        x, y : array_like of float
            Projected points.
        buffer_m : float
            The buffer either side of the streets.

        Returns
        -------
        numpy.ndarray
            ``(n_points,)`` or ``(n_origins, n_points)`` seconds; ``inf`` if no reached street
            passes within ``buffer_m``.
        """
        times = np.atleast_2d(node_times)
        x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
        out = np.full((times.shape[0], len(x)), np.inf)
        if len(x):
            pts = shapely.points(x, y)
            pi, si = self._segment_tree.query(pts, predicate="dwithin", distance=buffer_m)
            if len(pi):
                s = self.segments
                dx, dy = s["x1"][si] - s["x0"][si], s["y1"][si] - s["y0"][si]
                seg_len = np.maximum(s["len"][si], 1e-12)
                px, py = x[pi] - s["x0"][si], y[pi] - s["y0"][si]
                proj = (px * dx + py * dy) / seg_len
                h2 = np.maximum(px * px + py * py - proj * proj, 0.0)
                half = np.sqrt(np.maximum(buffer_m * buffer_m - h2, 0.0))
                first = s["s0"][si] + np.clip(proj - half, 0.0, s["len"][si])
                along = first / s["edge_len"][si] * s["tt"][si]
                pair_t = times[:, s["u"][si]] + along
                order = np.argsort(pi, kind="stable")
                pi_sorted = pi[order]
                starts = np.flatnonzero(np.r_[True, pi_sorted[1:] != pi_sorted[:-1]])
                out[:, pi_sorted[starts]] = np.minimum.reduceat(pair_t[:, order], starts, axis=1)
        return out if np.ndim(node_times) == 2 else out[0]


def road_network(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    kind: str = "drive",
    crs: str | None = None,
) -> RoadNetwork:
    """Prepare a network (nodes and directed edges as in a region pack) for isochrones.

    Parameters
    ----------
    nodes : pandas.DataFrame
        node_id, lon, lat.
    edges : geopandas.GeoDataFrame
        u, v, travel_time_s, geometry (WGS84 lines from u to v).
    kind : str
        ``drive`` or ``walk``.
    crs : str, optional
        Metric CRS; estimated (UTM) if not given.

    Returns
    -------
    RoadNetwork
        The prepared network.
    """
    csr, index = graph_csr(nodes, edges)
    crs = crs or utm_crs(nodes["lon"], nodes["lat"])
    return RoadNetwork(kind=kind, nodes=nodes, edges=edges, crs=crs, csr=csr, node_index=index)


def load_network(region: str | Region, kind: NetworkKind = "drive") -> RoadNetwork:
    """Return the prepared ``drive`` or ``walk`` network of a region (cached).

    The cache is keyed by the region's name and the pack's modification time, so a rebuilt
    pack is picked up.

    Parameters
    ----------
    region : str or tradearea.regions.packs.Region
        A region name or a loaded region.
    kind : {'drive', 'walk'}
        Which network.

    Returns
    -------
    RoadNetwork
        The prepared network.
    """
    reg = load_region(region) if isinstance(region, str) else region
    if kind not in ("drive", "walk"):
        msg = f"network kind must be 'drive' or 'walk', not {kind!r}"
        raise ValueError(msg)
    mtime = (reg.path / "meta.json").stat().st_mtime_ns
    return _load_network_cached(str(reg.path), reg.name, mtime, kind)


@lru_cache(maxsize=8)
def _load_network_cached(path: str, name: str, mtime_ns: int, kind: str) -> RoadNetwork:
    reg = load_region(name)
    nodes, edges = reg.network(kind)  # type: ignore[arg-type]
    return road_network(nodes, edges, kind=kind, crs=reg.utm_crs)


def isochrone_polygons(
    network: RoadNetwork,
    node_times: np.ndarray,
    cutoffs: Any,
    *,
    buffer_m: float | None = None,
) -> list[shapely.Geometry]:
    """Draw the area reachable within each cut-off: reached streets, buffered, holes kept.

    A street segment reached only part-way (its start within the cut-off, its end not) is cut
    in proportion to the time left. Polygons are in the network's metric CRS and nested
    (each contains the previous one); every point whose :meth:`RoadNetwork.reach_times` is at
    most the cut-off lies inside.

    Parameters
    ----------
    network : RoadNetwork
        The network.
    node_times : numpy.ndarray
        ``(n_nodes,)`` travel times from the origin(s), e.g. one row of :func:`travel_times`.
    cutoffs : array_like of float
        Cut-offs in seconds.
    buffer_m : float, optional
        Buffer either side of reached streets; ``EDGE_BUFFER_M[kind]`` by default.

    Returns
    -------
    list of shapely geometry
        One (Multi)Polygon per cut-off (empty if nothing is reached).
    """
    buffer_m = EDGE_BUFFER_M.get(network.kind, 50.0) if buffer_m is None else float(buffer_m)
    t = np.asarray(node_times, float)
    s = network.segments
    t0_u = t[s["u"]]
    start_t = t0_u + s["s0"] / s["edge_len"] * s["tt"]
    end_t = t0_u + s["s1"] / s["edge_len"] * s["tt"]
    cut = np.atleast_1d(np.asarray(cutoffs, float))
    out: list[shapely.Geometry] = [shapely.Polygon()] * len(cut)
    # Ascending cut-offs: each area is the previous one plus the pieces newly reached, so
    # segments already drawn in full are not buffered and unioned again.
    done = np.zeros(len(start_t), dtype=bool)
    previous = shapely.Polygon()
    for i in np.argsort(cut, kind="stable"):
        limit = cut[i] * (1 + 1e-9) + 1e-6
        reached = (start_t <= limit) & ~done
        full = reached & (end_t <= limit)
        frac = np.ones(len(start_t))
        part = reached & ~full
        span = np.maximum(end_t[part] - start_t[part], 1e-12)
        frac[part] = np.clip((limit - start_t[part]) / span, 0.0, 1.0)
        x0, y0 = s["x0"][reached], s["y0"][reached]
        x1 = x0 + (s["x1"][reached] - x0) * frac[reached]
        y1 = y0 + (s["y1"][reached] - y0) * frac[reached]
        # Two-way streets appear twice (once per direction): keep one copy of each piece.
        _, uniq = np.unique(_undirected_key(x0, y0, x1, y1), axis=0, return_index=True)
        added = _buffer_segments(x0[uniq], y0[uniq], x1[uniq], y1[uniq], buffer_m)
        previous = added if previous.is_empty else shapely.union(previous, added)
        out[i] = previous
        done |= full
    return out


def _undirected_key(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> np.ndarray:
    a = np.round(np.column_stack([x0, y0]), 3)
    b = np.round(np.column_stack([x1, y1]), 3)
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    first = np.where(swap[:, None], b, a)
    second = np.where(swap[:, None], a, b)
    return np.column_stack([first, second])


def _buffer_segments(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, buffer_m: float
) -> shapely.Geometry:
    if len(x0) == 0:
        return shapely.Polygon()
    lines = shapely.linestrings(np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], 1))
    # Join segments into paths between junctions, buffer each path and take the cascaded
    # union: far faster in GEOS than buffering one MultiLineString of overlapping segments.
    paths = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines)))
    pieces = shapely.buffer(paths, buffer_m * _CIRCUMSCRIBE, quad_segs=QUAD_SEGS)
    return shapely.union_all(pieces)


def isochrones(
    network: RoadNetwork,
    lat: float,
    lon: float,
    minutes: Any = (5, 10, 15),
    *,
    buffer_m: float | None = None,
    disjoint: bool = True,
) -> gpd.GeoDataFrame:
    """Return the drive or walk time areas around one point as WGS84 polygons.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`load_network`.
    lat, lon : float
        The origin (snapped to the nearest node).
    minutes : array_like of float
        Increasing cut-offs in minutes.
    buffer_m : float, optional
        Buffer either side of reached streets.
    disjoint : bool
        Bands (each excludes the inner ones) instead of nested areas.

    Returns
    -------
    geopandas.GeoDataFrame
        minutes, cutoff_s, area_m2, geometry (EPSG:4326).
    """
    mins = np.asarray(minutes, float)
    if mins.size == 0 or (np.diff(mins) <= 0).any() or (mins <= 0).any():
        msg = "minutes must be positive and increasing"
        raise ValueError(msg)
    times = network.times_from([lat], [lon], limit=float(mins.max() * 60))[0]
    polys = isochrone_polygons(network, times, mins * 60, buffer_m=buffer_m)
    if disjoint:
        polys = [polys[0]] + [shapely.difference(b, a) for a, b in itertools.pairwise(polys)]
    frame = gpd.GeoDataFrame(
        {"minutes": mins, "cutoff_s": mins * 60, "area_m2": shapely.area(polys)},
        geometry=polys,
        crs=network.crs,
    )
    out = frame.to_crs(WGS84)
    return out.set_geometry([polygonal(g, default=EMPTY_POLYGON) for g in out.geometry.values])
