"""Distance- and travel-time-based tiers: customer values, nested polygons, the result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tradearea._core.crs import utm_crs
from tradearea.errors import InputError
from tradearea.regions.network import EDGE_BUFFER_M, isochrone_polygons, load_network, travel_times
from tradearea.tradeareas import _base
from tradearea.tradeareas.households import households_in

if TYPE_CHECKING:
    from tradearea.regions.network import RoadNetwork
    from tradearea.regions.packs import Region

METRICS = ("distance", "drive", "walk")
NEAR_REGION_M = 100_000.0


def metric_crs(stores: pd.DataFrame, region: Region | None) -> str:
    """The metric CRS: the region's if the stores are near it, else the stores' UTM zone."""
    if region is not None:
        lat, lon = region.center
        x, y = _base._project(
            stores["lon"].to_numpy(float), stores["lat"].to_numpy(float), region.utm_crs
        )
        cx, cy = _base._project(np.array([lon]), np.array([lat]), region.utm_crs)
        if np.hypot(x - cx[0], y - cy[0]).max() < NEAR_REGION_M:
            return region.utm_crs
    return utm_crs(stores["lon"], stores["lat"])


class Reach:
    """Distances or travel times from each store, and the nested areas they draw."""

    def __init__(
        self,
        stores: pd.DataFrame,
        metric: str,
        *,
        crs: str,
        region: Region | None,
        buffer_m: float | None,
        limit: float = np.inf,
    ) -> None:
        if metric not in METRICS:
            msg = f"metric must be one of {', '.join(METRICS)}, not {metric!r}"
            raise InputError(msg, option="metric")
        self.metric, self.crs, self.stores = metric, crs, stores
        self.sx, self.sy = _base._project(
            stores["lon"].to_numpy(float), stores["lat"].to_numpy(float), crs
        )
        self.net: RoadNetwork | None = None
        self.node_times: np.ndarray | None = None
        self.buffer_m = 0.0
        self.store_snap_m: dict[str, float] = {}
        if metric != "distance":
            if region is None:
                msg = f"{metric} times need a region with a {metric} network (pass region=...)"
                raise InputError(msg, option="region")

            self.net = load_network(region, metric)  # type: ignore[arg-type]
            self.buffer_m = EDGE_BUFFER_M[metric] if buffer_m is None else float(buffer_m)
            pos, dist = self.net.nearest(stores["lat"], stores["lon"])

            self.node_times = travel_times(self.net.csr, pos, limit=limit)
            self.store_snap_m = {
                str(k): round(float(d), 1) for k, d in zip(stores["store_id"], dist, strict=True)
            }

    @property
    def unit(self) -> str:
        """``m`` for distances, ``s`` for travel times."""
        return "m" if self.metric == "distance" else "s"

    def values(self, prepared: pd.DataFrame) -> np.ndarray:
        """Each placed customer's distance (m) or reach time (s) from their own store."""
        if self.metric == "distance":
            return prepared["distance_m"].to_numpy(float)
        out = np.full(len(prepared), np.nan)
        placed = prepared["placed"].to_numpy()
        if not placed.any():
            return out
        x, y = prepared["x"].to_numpy()[placed], prepared["y"].to_numpy()[placed]
        times = self.net.reach_times(self.node_times, x, y, buffer_m=self.buffer_m)  # type: ignore[union-attr]
        own = pd.Index(self.stores["store_id"]).get_indexer(prepared["store_id"][placed])
        out[placed] = times[own, np.arange(len(own))]
        return out

    def polygons(self, store: int, cutoffs: Any) -> list[shapely.Geometry]:
        """Nested areas (metric CRS) within each cut-off of store number ``store``."""
        cut = np.asarray(cutoffs, float)
        if self.metric == "distance":
            return [
                _base.disc(self.sx[store], self.sy[store], c)
                if np.isfinite(c)
                else shapely.Polygon()
                for c in cut
            ]

        finite = np.isfinite(cut)
        polys = [shapely.Polygon()] * len(cut)
        if finite.any():
            drawn = isochrone_polygons(
                self.net,  # type: ignore[arg-type]
                self.node_times[store],  # type: ignore[index]
                cut[finite],
                buffer_m=self.buffer_m,
            )
            for i, geom in zip(np.flatnonzero(finite), drawn, strict=True):
                polys[i] = geom
        return polys


def build_result(
    prepared: pd.DataFrame,
    account: dict[str, Any],
    stores: pd.DataFrame,
    reach: Reach,
    cutoffs: dict[str, np.ndarray],
    *,
    method: str,
    thresholds: Any,
    region: Region | None,
    zones: gpd.GeoDataFrame | None,
    values: np.ndarray,
    beyond: str,
) -> _base.TradeAreaResult:
    """Draw each store's tiers at its cut-offs, recount customers by point-in-polygon."""
    tier = np.zeros(len(prepared), dtype=np.int64)
    tables = []
    boundary = None
    if region is not None:
        boundary = region.boundary.to_crs(reach.crs).union_all()
    for s, sid in enumerate(stores["store_id"]):
        cut = cutoffs[sid]
        nested = reach.polygons(s, cut)
        metric_tiers = _base.disjoint_rings(nested)
        wgs_tiers = _base.to_wgs84(metric_tiers, reach.crs)
        mine_tier = _base.assign_tiers(prepared, sid, wgs_tiers)
        tier = np.where(mine_tier > 0, mine_tier, tier)
        households = households_in(
            gpd.GeoSeries(metric_tiers, crs=reach.crs), region=region, zones=zones
        )
        tables.append(
            _base.tier_table(
                prepared,
                mine_tier,
                store_id=sid,
                tiers_wgs84=wgs_tiers,
                tiers_metric=metric_tiers,
                method=method,
                metric=reach.metric,
                thresholds=thresholds,
                cutoffs=cut,
                cutoff_unit=reach.unit,
                households=households,
                boundary=boundary,
            )
        )
    off = ~np.isfinite(values)
    net_text = f"more than {reach.buffer_m:g} m from any street of the {reach.metric} network"
    reason = np.where(off, f"not reachable: {net_text}", beyond)
    account = dict(account)
    account["metric"] = reach.metric
    if reach.store_snap_m:
        account["store_snap_m"] = reach.store_snap_m
    result = _base.finish(
        prepared,
        tier,
        tables,
        account,
        stores,
        outlier_reason=reason,
        time_s=None if reach.metric == "distance" else values,
    )
    return result
