"""Travel costs for the Huff model: straight lines, network travel times, user cost tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.regions.network import travel_times

# A zone on top of a store would get d -> 0 and take the whole probability (d^-beta -> inf).
# Straight-line distances below MIN_DISTANCE_M count as MIN_DISTANCE_M (about the distance from
# a front door to a shop's entrance); network travel times below MIN_TRAVEL_TIME_S likewise.
MIN_DISTANCE_M = 50.0
MIN_TRAVEL_TIME_S = 60.0


@dataclass
class NetworkCosts:
    """Network travel times (s) from zones to stores, computed block by block on demand.

    Holds the times from every network node to each store (one reverse Dijkstra per store),
    so memory grows with stores x nodes, not with zones x stores.

    Attributes
    ----------
    kind : str
        ``drive`` or ``walk``.
    zone_nodes : numpy.ndarray
        Matrix position of the node nearest to each zone.
    node_to_store : numpy.ndarray
        ``(n_stores, n_nodes)`` travel times from each node to each store (``inf``: no route).
    """

    kind: str
    zone_nodes: np.ndarray
    node_to_store: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(zones, stores)."""
        return len(self.zone_nodes), self.node_to_store.shape[0]

    def __getitem__(self, rows: slice) -> np.ndarray:
        return self.node_to_store[:, self.zone_nodes[rows]].T


def network_costs(zones: pd.DataFrame, stores: pd.DataFrame, network: Any) -> NetworkCosts:
    """Return network travel times from each zone to each store (nearest nodes, in seconds).

    Parameters
    ----------
    zones, stores : pandas.DataFrame
        With ``lat`` and ``lon``.
    network : tradearea.regions.network.RoadNetwork
        From :func:`tradearea.regions.network.load_network` (``drive`` or ``walk``).

    Returns
    -------
    NetworkCosts
        A lazy zones x stores matrix for :func:`huff_model`; times below
        :data:`MIN_TRAVEL_TIME_S` count as that minimum there.
    """
    zone_pos, _ = network.nearest(zones["lat"].to_numpy(float), zones["lon"].to_numpy(float))
    store_pos, _ = network.nearest(stores["lat"].to_numpy(float), stores["lon"].to_numpy(float))
    reverse = network.csr.T.tocsr()
    times = travel_times(reverse, store_pos)
    return NetworkCosts(kind=network.kind, zone_nodes=zone_pos, node_to_store=np.atleast_2d(times))


def cost_matrix(
    costs: pd.DataFrame,
    origin_ids: Sequence[str],
    store_ids: Sequence[str],
    *,
    file: str | None = None,
) -> np.ndarray:
    """Turn a long cost table (origin_id, store_id, cost) into a zones x stores matrix.

    Parameters
    ----------
    costs : pandas.DataFrame
        One row per origin-store pair: ``origin_id``, ``store_id``, ``cost`` (>= 0; time,
        distance or generalised cost, one unit throughout).
    origin_ids, store_ids : sequence of str
        Row and column order.
    file : str, optional
        The cost file, for messages.

    Returns
    -------
    numpy.ndarray
        Costs; ``inf`` where the table has no row for a pair (unreachable: probability 0).

    Raises
    ------
    InputError
        On an unknown id, a repeated pair or a bad cost (named by row and column).
    """
    for col in ("origin_id", "store_id", "cost"):
        if col not in costs.columns:
            raise InputError(
                f"cost table: required column {col!r} is missing", file=file, column=col
            )
    o_index = pd.Index(np.asarray(origin_ids, dtype=str))
    s_index = pd.Index(np.asarray(store_ids, dtype=str))
    rows = o_index.get_indexer(costs["origin_id"].astype(str))
    cols = s_index.get_indexer(costs["store_id"].astype(str))
    for pos, col, name in ((rows, "origin_id", "demand zones"), (cols, "store_id", "stores")):
        if (pos < 0).any():
            i = int(np.flatnonzero(pos < 0)[0])
            msg = f"{col} {costs[col].iloc[i]!r} is not in the {name}"
            raise InputError(msg, file=file, row=i + 1, column=col)
    value = pd.to_numeric(costs["cost"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(value) | (value < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        msg = f"cost {costs['cost'].iloc[i]!r} is not a number of at least 0 (leave unreachable pairs out)"
        raise InputError(msg, file=file, row=i + 1, column="cost")
    flat = rows.astype(np.int64) * len(s_index) + cols
    dup = pd.Series(flat).duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        msg = f"pair {costs['origin_id'].iloc[i]!r} -> {costs['store_id'].iloc[i]!r} appears twice"
        raise InputError(msg, file=file, row=i + 1, column="store_id")
    matrix = np.full((len(o_index), len(s_index)), np.inf)
    matrix[rows, cols] = value
    return matrix
