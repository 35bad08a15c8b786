"""Between own stores: shared customers and shared area (cannibalisation); customer footprints."""

from __future__ import annotations

from itertools import combinations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from tradearea._core.crs import WGS84, utm_crs
from tradearea._core.geometry import EMPTY_POLYGON, polygonal
from tradearea.errors import InputError
from tradearea.privacy import DEFAULT_K
from tradearea.tiers import tier_name
from tradearea.tradeareas import _base

FOOTPRINT_BUFFER_M = 25.0
FOOTPRINT_H3_RESOLUTION = 10
CONCAVE_RATIO = 0.4


def _metric(result: _base.TradeAreaResult, crs: str | None) -> str:
    if crs:
        return crs
    return utm_crs(result.stores["lon"], result.stores["lat"])


def overlap_report(
    result: _base.TradeAreaResult, *, max_tier: int = 2, crs: str | None = None
) -> pd.DataFrame:
    """Report how much each pair of own stores' inner trade areas overlap.

    A customer is shared when they live inside tier ≤ ``max_tier`` of both stores (whichever
    store they named); the shared area is the intersection of the two stores' tier
    ≤ ``max_tier`` areas.

    Parameters
    ----------
    result : TradeAreaResult
        Trade areas of several stores.
    max_tier : int
        Tiers counted (2: primary and secondary).
    crs : str, optional
        Metric CRS for areas (UTM of the stores by default).

    Returns
    -------
    pandas.DataFrame
        store_a, store_b, max_tier, shared_customers, shared_customers_a, shared_customers_b,
        shared_weight, area_a_m2, area_b_m2, shared_area_m2, shared_area_share_a,
        shared_area_share_b. Empty with one store.
    """
    crs = _metric(result, crs)
    areas = result.areas[result.areas["tier"] <= max_tier]
    inner = {
        sid: polygonal(shapely.union_all(group.geometry.values), default=EMPTY_POLYGON)
        for sid, group in areas.groupby("store_id", sort=False)
    }
    cust = result.customers[result.customers["tier_name"] != _base.NOT_PLACED]
    lon, lat = cust["lon"].to_numpy(float), cust["lat"].to_numpy(float)
    rows = []
    for a, b in combinations(result.stores["store_id"], 2):
        ga, gb = inner.get(a, shapely.Polygon()), inner.get(b, shapely.Polygon())
        both = polygonal(shapely.intersection(ga, gb), default=EMPTY_POLYGON)
        inside = (
            shapely.intersects_xy(both, lon, lat)
            if not both.is_empty
            else np.zeros(len(cust), bool)
        )
        metric = gpd.GeoSeries([ga, gb, both], crs=WGS84).to_crs(crs).area.to_numpy()
        rows.append(
            {
                "store_a": a,
                "store_b": b,
                "max_tier": max_tier,
                "shared_customers": int(inside.sum()),
                "shared_customers_a": int((inside & (cust["store_id"] == a).to_numpy()).sum()),
                "shared_customers_b": int((inside & (cust["store_id"] == b).to_numpy()).sum()),
                "shared_weight": float(cust["weight"].to_numpy(float)[inside].sum()),
                "area_a_m2": float(metric[0]),
                "area_b_m2": float(metric[1]),
                "shared_area_m2": float(metric[2]),
                "shared_area_share_a": float(metric[2] / metric[0]) if metric[0] > 0 else 0.0,
                "shared_area_share_b": float(metric[2] / metric[1]) if metric[1] > 0 else 0.0,
            }
        )
    columns = [
        "store_a",
        "store_b",
        "max_tier",
        "shared_customers",
        "shared_customers_a",
        "shared_customers_b",
        "shared_weight",
        "area_a_m2",
        "area_b_m2",
        "shared_area_m2",
        "shared_area_share_a",
        "shared_area_share_b",
    ]
    return pd.DataFrame(rows, columns=columns)


def footprints(
    result: _base.TradeAreaResult,
    *,
    kind: str = "concave",
    crs: str | None = None,
    buffer_m: float = FOOTPRINT_BUFFER_M,
    resolution: int = FOOTPRINT_H3_RESOLUTION,
    ratio: float = CONCAVE_RATIO,
    k: int = DEFAULT_K,
) -> gpd.GeoDataFrame:
    """Draw tighter polygons around where each tier's customers actually live, without homes.

    Customers are first coarsened to the H3 cells (``resolution``) they live in, and only cells
    holding at least ``k`` of them are used, so no footprint reveals a home or a cell of fewer
    than ``k`` customers. ``concave``: the concave hull (shapely, ``ratio``) of those cells'
    centres for the customers of tiers ≤ t, widened by ``buffer_m`` (its rounded corners are
    centred on cell centres, never on a customer); ``h3``: the cells
    themselves. Tier t excludes the inner footprints, and ``customers`` is recounted inside each
    polygon.

    Parameters
    ----------
    result : TradeAreaResult
        Any method's result.
    kind : {'concave', 'h3'}
        Footprint shape.
    crs : str, optional
        Metric CRS (UTM of the stores by default).
    buffer_m : float
        Widening of concave hulls (customers sit on the hull's corners).
    resolution : int
        H3 resolution for ``h3``.
    ratio : float
        shapely ``concave_hull`` ratio (0 = tightest, 1 = convex hull).
    k : int
        Fewest customers a cell must hold to shape a footprint (the report's privacy k).

    Returns
    -------
    geopandas.GeoDataFrame
        store_id, tier, tier_name, footprint, customers, weight, weight_share, area_m2, geometry.
    """
    if kind not in ("concave", "h3"):
        msg = f"footprint must be 'concave' or 'h3', not {kind!r}"
        raise InputError(msg, column="footprint")
    crs = _metric(result, crs)
    cust = result.customers
    n_tiers = int(result.areas["tier"].max()) if len(result.areas) else 0
    tables = []
    for sid in result.stores["store_id"]:
        mine = (cust["store_id"] == sid).to_numpy() & (
            cust["tier_name"] != _base.NOT_PLACED
        ).to_numpy()
        tier = cust["tier"].fillna(0).to_numpy(int)
        nested = []
        for t in range(1, n_tiers + 1):
            sel = mine & (tier >= 1) & (tier <= t)
            lat, lon = cust["lat"].to_numpy(float)[sel], cust["lon"].to_numpy(float)[sel]
            nested.append(_footprint(lat, lon, kind, crs, buffer_m, resolution, ratio, k))
        rings = _base.disjoint_rings(nested)
        prepared = pd.DataFrame(
            {"store_id": cust["store_id"], "placed": mine, "lat": cust["lat"], "lon": cust["lon"]}
        )
        recount = _base.assign_tiers(prepared, sid, rings)
        w = cust["weight"].to_numpy(float)
        total = w[mine].sum()
        for k, geom in enumerate(rings, start=1):
            sel = recount == k
            tables.append(
                {
                    "store_id": sid,
                    "tier": k,
                    "tier_name": tier_name(k),
                    "footprint": kind,
                    "customers": int(sel.sum()),
                    "weight": float(w[sel].sum()),
                    "weight_share": float(w[sel].sum() / total) if total > 0 else 0.0,
                    "geometry": geom,
                }
            )
    frame = gpd.GeoDataFrame(tables, geometry="geometry", crs=WGS84)
    frame["area_m2"] = frame.to_crs(crs).area if len(frame) else []
    return frame


def _footprint(
    lat: np.ndarray,
    lon: np.ndarray,
    kind: str,
    crs: str,
    buffer_m: float,
    resolution: int,
    ratio: float,
    k: int,
) -> shapely.Geometry:
    if len(lat) == 0:
        return shapely.Polygon()
    counts: dict[str, int] = {}
    for a, b in zip(lat, lon, strict=True):
        cell = h3.latlng_to_cell(a, b, resolution)
        counts[cell] = counts.get(cell, 0) + 1
    cells = sorted(c for c, n in counts.items() if n >= max(1, int(k)))
    if not cells:
        return shapely.Polygon()
    if kind == "h3":
        polys = [shapely.Polygon([(y, x) for x, y in h3.cell_to_boundary(c)]) for c in cells]
        return polygonal(shapely.union_all(polys), default=EMPTY_POLYGON)
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    x, y = _base._project(centres[:, 1], centres[:, 0], crs)
    hull = shapely.concave_hull(shapely.multipoints(np.column_stack([x, y])), ratio=ratio)
    geom = shapely.buffer(hull, buffer_m * _base.DISC_CIRCUMSCRIBE, quad_segs=16)
    return _base.to_wgs84([geom], crs)[0]
