"""Huff model: store choice probabilities, expected sales, market share and Huff contours."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.ops import unary_union

from tradearea._core.crs import WGS84
from tradearea._core.dispatch import dask_aware
from tradearea.demand import _hexagon
from tradearea.distance import chord_distance_m, great_circle_m, unit_vectors
from tradearea.errors import InputError
from tradearea.settings import GRID_CELL_BYTES, check_grid
from tradearea.tiers import tier_name
from tradearea.travel_costs import (
    MIN_DISTANCE_M,
    MIN_TRAVEL_TIME_S,
    NetworkCosts,
    cost_matrix,
    network_costs,
)

__all__ = [
    "MIN_DISTANCE_M",
    "MIN_TRAVEL_TIME_S",
    "HuffInputs",
    "HuffResult",
    "NetworkCosts",
    "cost_matrix",
    "huff_contours",
    "huff_model",
    "huff_probabilities",
    "network_costs",
    "prepare_inputs",
    "probability_blocks",
]

DEFAULT_ALPHA = 1.0
DEFAULT_BETA = 2.0
# Working memory for one block of zones x stores (several float64 arrays of this size live at
# once); bounds peak memory whatever the number of zones.
BLOCK_BYTES = 16 * 2**20
CONTOUR_THRESHOLDS = (0.30, 0.10, 0.05)  # DOMAIN.md §1 market-share tiers


@dataclass
class HuffInputs:
    """Checked arrays for the Huff model (zones in rows, stores in columns).

    Attributes
    ----------
    origin_ids, store_ids : numpy.ndarray
        Identifiers as text.
    demand : numpy.ndarray
        Spending per zone.
    households : numpy.ndarray or None
        Households per zone, if known.
    zone_lat, zone_lon, store_lat, store_lon : numpy.ndarray
        Coordinates (degrees).
    attractiveness : numpy.ndarray
        Store attractiveness (> 0).
    costs : numpy.ndarray, NetworkCosts or None
        A zones x stores cost matrix (``inf`` = unreachable); None for straight lines.
    min_cost : float
        The guard against zero cost.
    cost_kind : str
        ``straight_line_m``, ``table`` or ``matrix``.
    """

    origin_ids: np.ndarray
    store_ids: np.ndarray
    demand: np.ndarray
    households: np.ndarray | None
    zone_lat: np.ndarray
    zone_lon: np.ndarray
    store_lat: np.ndarray
    store_lon: np.ndarray
    attractiveness: np.ndarray
    costs: Any = None
    min_cost: float = MIN_DISTANCE_M
    cost_kind: str = "straight_line_m"
    _xyz: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def cost_block(self, rows: slice) -> np.ndarray:
        """Return the costs of zones ``rows`` to every store (before the minimum guard)."""
        if self.costs is not None:
            return self.costs[rows]
        if self._xyz is None:
            self._xyz = (
                unit_vectors(self.zone_lat, self.zone_lon),
                unit_vectors(self.store_lat, self.store_lon),
            )
        return chord_distance_m(self._xyz[0][rows], self._xyz[1])


def prepare_inputs(
    zones: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    attractiveness: str = "floor_area_m2",
    costs: pd.DataFrame | np.ndarray | NetworkCosts | None = None,
    min_cost: float | None = None,
    demand_column: str = "demand",
) -> HuffInputs:
    """Check zones, stores and costs and return them as arrays.

    Parameters
    ----------
    zones : pandas.DataFrame
        origin_id, demand, lat, lon (households optional).
    stores : pandas.DataFrame
        store_id, lat, lon and the attractiveness column.
    attractiveness : str
        Store column used as attractiveness (floor area by default; any positive column).
    costs : pandas.DataFrame or numpy.ndarray, optional
        Long table origin_id, store_id, cost (a pair missing from it is unreachable) or a
        zones x stores matrix. None: straight-line metres.
    min_cost : float, optional
        Costs below it count as it. Default: :data:`MIN_DISTANCE_M` for straight lines; for
        supplied costs, half the smallest positive cost.
    demand_column : str
        Zone column with spending.

    Returns
    -------
    HuffInputs
        The checked arrays.

    Raises
    ------
    InputError
        On a missing column, empty or repeated id, or a bad value (named by row and column).
    """
    for frame, cols, what in (
        (zones, ("origin_id", demand_column, "lat", "lon"), "demand zones"),
        (stores, ("store_id", "lat", "lon", attractiveness), "stores"),
    ):
        for col in cols:
            if col not in frame.columns:
                raise InputError(f"{what}: required column {col!r} is missing", column=col)
    origin_ids = _ids(zones["origin_id"], "origin_id", "demand zones")
    store_ids = _ids(stores["store_id"], "store_id", "stores")
    demand = _values(zones[demand_column], demand_column, "demand zones", minimum=0.0)
    attr = _values(stores[attractiveness], attractiveness, "stores", positive=True)
    households = None
    if "households" in zones.columns:
        households = pd.to_numeric(zones["households"], errors="coerce").to_numpy(dtype=float)
    inputs = HuffInputs(
        origin_ids=origin_ids,
        store_ids=store_ids,
        demand=demand,
        households=households,
        zone_lat=_values(zones["lat"], "lat", "demand zones"),
        zone_lon=_values(zones["lon"], "lon", "demand zones"),
        store_lat=_values(stores["lat"], "lat", "stores"),
        store_lon=_values(stores["lon"], "lon", "stores"),
        attractiveness=attr,
    )
    if costs is None:
        inputs.min_cost = MIN_DISTANCE_M if min_cost is None else float(min_cost)
        return inputs
    if isinstance(costs, NetworkCosts):
        if costs.shape != (len(origin_ids), len(store_ids)):
            msg = f"network costs have shape {costs.shape}, expected {(len(origin_ids), len(store_ids))}"
            raise ValueError(msg)
        inputs.costs = costs  # type: ignore[assignment]
        inputs.cost_kind = f"network_{costs.kind}_s"
        inputs.min_cost = MIN_TRAVEL_TIME_S if min_cost is None else float(min_cost)
        return inputs
    if isinstance(costs, pd.DataFrame):
        matrix = cost_matrix(costs, origin_ids, store_ids)
        inputs.cost_kind = "table"
    else:
        matrix = np.asarray(costs, dtype=float)
        if matrix.shape != (len(origin_ids), len(store_ids)):
            msg = f"cost matrix has shape {matrix.shape}, expected {(len(origin_ids), len(store_ids))}"
            raise ValueError(msg)
        if np.isnan(matrix).any() or (matrix < 0).any():
            msg = "cost matrix has negative or missing values (use inf for unreachable)"
            raise ValueError(msg)
        inputs.cost_kind = "matrix"
    inputs.costs = matrix
    if min_cost is None:
        positive = matrix[(matrix > 0) & np.isfinite(matrix)]
        min_cost = float(positive.min()) / 2 if positive.size else 1.0
    inputs.min_cost = float(min_cost)
    return inputs


def _ids(values: pd.Series, column: str, what: str) -> np.ndarray:
    ids = values.astype("string")
    bad = (ids.isna() | (ids.str.strip() == "")).to_numpy()
    if bad.any():
        raise InputError(f"{what}: id is empty", row=int(np.flatnonzero(bad)[0]) + 1, column=column)
    dup = ids.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"{what}: id {ids.iloc[i]!r} appears twice", row=i + 1, column=column)
    return ids.astype(str).to_numpy()


def _values(
    values: pd.Series,
    column: str,
    what: str,
    *,
    minimum: float | None = None,
    positive: bool = False,
) -> np.ndarray:
    out = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(out)
    if minimum is not None:
        bad |= out < minimum
    if positive:
        bad |= out <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        need = (
            "a number above 0"
            if positive
            else "a number" + (f" of at least {minimum:g}" if minimum is not None else "")
        )
        msg = f"{what}: value {values.iloc[i]!r} is not usable; expected {need}"
        raise InputError(msg, row=i + 1, column=column)
    return out


def block_rows(n_stores: int, *, block_bytes: int = BLOCK_BYTES) -> int:
    """Return how many zones to process at once so a block stays within ``block_bytes``."""
    return max(1, int(block_bytes // (8 * max(n_stores, 1) * 4)))


def probability_blocks(
    inputs: HuffInputs, *, alpha: float, beta: float, block_bytes: int = BLOCK_BYTES
) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield ``(rows, P)`` blocks of the probability matrix, zones in rows.

    P_ij = A_j^α · d_ij^(−β) / Σ_k A_k^α · d_ik^(−β), with d_ij = max(cost_ij, min_cost);
    computed in logs with the row maximum subtracted so that no power overflows. A zone that
    reaches no store gets probabilities of 0.

    Parameters
    ----------
    inputs : HuffInputs
        From :func:`prepare_inputs`.
    alpha, beta : float
        Attractiveness and distance-decay exponents.
    block_bytes : int
        Memory budget of one block.

    Yields
    ------
    tuple of (slice, numpy.ndarray)
        Zone rows and their probabilities (rows x stores).
    """
    log_attr = alpha * np.log(inputs.attractiveness)[None, :]
    n = len(inputs.origin_ids)
    step = block_rows(len(inputs.store_ids), block_bytes=block_bytes)
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        block = inputs.cost_block(rows)
        unreachable = np.isinf(block) if inputs.costs is not None else None
        util = np.maximum(block, inputs.min_cost)  # a new array: the caller's costs stay intact
        np.log(util, out=util)
        with np.errstate(invalid="ignore"):  # 0 * inf for beta = 0: set just below
            util *= -beta
        util += log_attr
        if unreachable is not None and unreachable.any():
            util[unreachable] = -np.inf  # whatever beta
        top = util.max(axis=1, keepdims=True)
        top[~np.isfinite(top)] = 0.0
        np.subtract(util, top, out=util)
        np.exp(util, out=util)
        total = util.sum(axis=1, keepdims=True)
        np.divide(util, total, out=util, where=total > 0)
        util[(total <= 0)[:, 0]] = 0.0
        yield rows, util


@dask_aware("huff_probabilities")
def huff_probabilities(
    zones: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    attractiveness: str = "floor_area_m2",
    costs: pd.DataFrame | np.ndarray | NetworkCosts | None = None,
    min_cost: float | None = None,
) -> pd.DataFrame:
    """Return the full matrix of Huff probabilities (zones x stores).

    For many zones and stores use :func:`huff_model`, which never holds the full matrix.

    Parameters
    ----------
    zones, stores : pandas.DataFrame
        See :func:`prepare_inputs` (``demand`` may be absent here).
    alpha, beta : float
        Exponents of attractiveness and of distance (λ in Huff's notation).
    attractiveness : str
        Store column used as attractiveness.
    costs : pandas.DataFrame or numpy.ndarray, optional
        Long cost table or matrix; None for straight-line metres.
    min_cost : float, optional
        Guard against zero cost (see :func:`prepare_inputs`).

    Returns
    -------
    pandas.DataFrame
        Index origin_id, columns store_id; rows sum to 1 (0 for a zone reaching no store).
    """
    if "demand" not in zones.columns:
        zones = zones.assign(demand=1.0)
    inputs = prepare_inputs(
        zones, stores, attractiveness=attractiveness, costs=costs, min_cost=min_cost
    )
    out = np.empty((len(inputs.origin_ids), len(inputs.store_ids)))
    for rows, p in probability_blocks(inputs, alpha=alpha, beta=beta):
        out[rows] = p
    return pd.DataFrame(
        out,
        index=pd.Index(inputs.origin_ids, name="origin_id"),
        columns=pd.Index(inputs.store_ids, name="store_id"),
    )


@dataclass
class HuffResult:
    """Expected sales per store and market shares per zone.

    Attributes
    ----------
    sales : pandas.DataFrame
        Per store: store_id, expected_sales, sales_share (of all demand), expected_households
        (if zones have households), zones_led (zones where it has the highest probability),
        plus the store columns passed in.
    zones : pandas.DataFrame
        Per zone: origin_id, demand, top_store, top_probability, ``p_<store_id>`` for each
        focus store and ``focus_share`` (their combined market share).
    alpha, beta, min_cost : float
        Parameters used.
    cost_kind : str
        ``straight_line_m``, ``table`` or ``matrix``.
    unallocated_demand : float
        Demand of zones that reach no store.
    """

    sales: pd.DataFrame
    zones: pd.DataFrame
    alpha: float
    beta: float
    min_cost: float
    cost_kind: str
    unallocated_demand: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Return the headline numbers as a plain dict."""
        return {
            "alpha": self.alpha,
            "beta": self.beta,
            "min_cost": self.min_cost,
            "cost_kind": self.cost_kind,
            "zones": len(self.zones),
            "stores": len(self.sales),
            "total_demand": float(self.zones["demand"].sum()),
            "total_expected_sales": float(self.sales["expected_sales"].sum()),
            "unallocated_demand": self.unallocated_demand,
        }


@dask_aware("huff_model")
def huff_model(
    zones: pd.DataFrame,
    stores: pd.DataFrame,
    *,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    attractiveness: str = "floor_area_m2",
    costs: pd.DataFrame | np.ndarray | NetworkCosts | None = None,
    min_cost: float | None = None,
    focus: Sequence[str] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> HuffResult:
    """Run the Huff model: expected sales per store and market share per zone, in blocks.

    Expected sales of store j = Σ_i demand_i · P_ij. Memory stays bounded by ``block_bytes``
    whatever the number of zones (100,000 zones x 1,000 stores run in about 100 MB).

    Parameters
    ----------
    zones : pandas.DataFrame
        origin_id, demand, lat, lon (households optional).
    stores : pandas.DataFrame
        store_id, lat, lon and the attractiveness column (other columns are carried along).
    alpha, beta : float
        Exponents of attractiveness and distance.
    attractiveness : str
        Store column used as attractiveness.
    costs : pandas.DataFrame or numpy.ndarray, optional
        Long cost table or matrix; None for straight-line metres.
    min_cost : float, optional
        Guard against zero cost (see :func:`prepare_inputs`).
    focus : sequence of str, optional
        Store ids whose probability per zone is reported (``p_<id>``) and combined
        (``focus_share``), e.g. the own stores or a candidate.
    block_bytes : int
        Memory budget of one block.

    Returns
    -------
    HuffResult
        Sales per store and shares per zone.
    """
    inputs = prepare_inputs(
        zones, stores, attractiveness=attractiveness, costs=costs, min_cost=min_cost
    )
    n_z, n_s = len(inputs.origin_ids), len(inputs.store_ids)
    focus = list(focus or [])
    focus_idx = pd.Index(inputs.store_ids).get_indexer([str(f) for f in focus])
    if (focus_idx < 0).any():
        missing = [f for f, i in zip(focus, focus_idx, strict=True) if i < 0]
        msg = f"focus store(s) {', '.join(map(str, missing))} not among the stores"
        raise ValueError(msg)
    sales = np.zeros(n_s)
    hh_sales = np.zeros(n_s)
    led = np.zeros(n_s, dtype=np.int64)
    top_store = np.empty(n_z, dtype=np.int64)
    top_p = np.empty(n_z)
    focus_p = np.empty((n_z, len(focus_idx)))
    hh = np.nan_to_num(inputs.households) if inputs.households is not None else None
    for rows, p in probability_blocks(inputs, alpha=alpha, beta=beta, block_bytes=block_bytes):
        sales += inputs.demand[rows] @ p
        if hh is not None:
            hh_sales += hh[rows] @ p
        best = p.argmax(axis=1)
        top_store[rows] = best
        top_p[rows] = p[np.arange(len(best)), best]
        reach = top_p[rows] > 0
        led += np.bincount(best[reach], minlength=n_s)
        focus_p[rows] = p[:, focus_idx]
    total = float(inputs.demand.sum())
    sales_frame = pd.DataFrame({"store_id": inputs.store_ids, "expected_sales": sales})
    sales_frame["sales_share"] = sales / total if total > 0 else 0.0
    if hh is not None:
        sales_frame["expected_households"] = hh_sales
    sales_frame["zones_led"] = led
    extra = [c for c in stores.columns if c not in sales_frame.columns and c != "geometry"]
    sales_frame = pd.concat([sales_frame, stores[extra].reset_index(drop=True)], axis=1)
    zone_frame = pd.DataFrame(
        {
            "origin_id": inputs.origin_ids,
            "demand": inputs.demand,
            "top_store": np.where(top_p > 0, inputs.store_ids[top_store], None),
            "top_probability": top_p,
        }
    )
    for k, sid in enumerate(inputs.store_ids[focus_idx]):
        zone_frame[f"p_{sid}"] = focus_p[:, k]
    if len(focus_idx):
        zone_frame["focus_share"] = focus_p.sum(axis=1)
    unallocated = float(inputs.demand[top_p <= 0].sum())
    notes = []
    if unallocated > 0:
        notes.append(
            f"{int((top_p <= 0).sum())} zone(s) reach no store; their demand is not allocated"
        )
    return HuffResult(
        sales=sales_frame,
        zones=zone_frame,
        alpha=float(alpha),
        beta=float(beta),
        min_cost=inputs.min_cost,
        cost_kind=inputs.cost_kind,
        unallocated_demand=unallocated,
        notes=notes,
    )


def huff_contours(
    stores: pd.DataFrame,
    store_id: str,
    *,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    attractiveness: str = "floor_area_m2",
    thresholds: Sequence[float] = CONTOUR_THRESHOLDS,
    resolution: int = 10,
    radius_m: float = 3_000.0,
    min_cost: float = MIN_DISTANCE_M,
) -> gpd.GeoDataFrame:
    """Draw Huff contour trade areas: where the store's probability is at least each threshold.

    The probability is evaluated at the centres of H3 cells within ``radius_m`` of the store
    (straight-line distances); tier k is the set of cells whose probability lies between
    threshold k and threshold k−1, so the tiers are disjoint rings as other trade areas.

    Parameters
    ----------
    stores : pandas.DataFrame
        All stores (store_id, lat, lon, attractiveness column).
    store_id : str
        The store whose contours are drawn.
    alpha, beta : float
        Exponents.
    attractiveness : str
        Store column used as attractiveness.
    thresholds : sequence of float
        Decreasing probabilities (default 0.30, 0.10, 0.05: DOMAIN.md tiers by market share).
    resolution : int
        H3 resolution of the evaluation grid (10: cells of about 0.015 km²).
    radius_m : float
        How far from the store to evaluate.
    min_cost : float
        Minimum distance guard in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        store_id, tier, tier_name, method ('huff'), threshold, cells, geometry (EPSG:4326).
    """
    import h3

    thresholds = [float(t) for t in thresholds]
    if any(b >= a for a, b in itertools.pairwise(thresholds)) or not all(
        0 < t <= 1 for t in thresholds
    ):
        msg = "thresholds must be decreasing probabilities in (0, 1]"
        raise ValueError(msg)
    match = stores["store_id"].astype(str) == str(store_id)
    if not match.any():
        msg = f"store {store_id!r} is not among the stores"
        raise ValueError(msg)
    row = stores[match].iloc[0]
    origin = h3.latlng_to_cell(float(row["lat"]), float(row["lon"]), resolution)
    k = int(np.ceil(radius_m / (h3.average_hexagon_edge_length(resolution, unit="m") * 1.5))) + 1
    # the grid disk has 3k(k+1)+1 cells, each evaluated against every store
    check_grid(
        "the Huff contours", 3 * k * (k + 1) + 1, per_cell_bytes=GRID_CELL_BYTES + 16 * len(stores)
    )
    cells = [c for c in h3.grid_disk(origin, k)]
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    keep = great_circle_m(centres[:, 0], centres[:, 1], row["lat"], row["lon"]) <= radius_m
    cells = [c for c, ok in zip(cells, keep, strict=True) if ok]
    centres = centres[keep]
    grid = pd.DataFrame(
        {"origin_id": cells, "demand": 1.0, "lat": centres[:, 0], "lon": centres[:, 1]}
    )
    p = huff_probabilities(
        grid, stores, alpha=alpha, beta=beta, attractiveness=attractiveness, min_cost=min_cost
    )[str(store_id)].to_numpy()

    rows = []
    upper = np.inf
    for tier, t in enumerate(thresholds, start=1):
        inside = (p >= t) & (p < upper)
        upper = t
        geom = unary_union([_hexagon(c) for c, ok in zip(cells, inside, strict=True) if ok])
        rows.append(
            {
                "store_id": str(store_id),
                "tier": tier,
                "tier_name": tier_name(tier),
                "method": "huff",
                "threshold": t,
                "cells": int(inside.sum()),
                "geometry": geom if not geom.is_empty else None,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
