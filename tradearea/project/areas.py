"""The trade areas of a site: saved ones, survey shares, or the candidate method (one rule)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tradearea.sites.areas import candidate_trade_areas
from tradearea.tiers import TIER_NAMES
from tradearea.tradeareas import trade_areas_by_share

if TYPE_CHECKING:
    from tradearea.project.analysis import SiteAnalysis

WGS84 = "EPSG:4326"
AREA_COLUMNS = (
    "store_id", "tier", "tier_name", "method", "threshold", "cutoff", "cutoff_unit",
    "customers", "weight_share", "area_m2", "geometry",
)  # fmt: skip


def site_trade_areas(sa: SiteAnalysis) -> gpd.GeoDataFrame:
    """Return the site's tiers as disjoint polygons with the DESIGN.md attributes.

    In order of preference: the project's ``trade_areas`` layer rows of the site; for an own
    store with survey customers, the share-threshold tiers (setting ``share_thresholds``);
    otherwise the candidate method (the analysis' ``method``, else the setting
    ``candidate_trade_area``: ``rings``, ``walk``, ``drive`` or ``huff``) of
    :func:`tradearea.sites.candidate_trade_areas`, the same for every page and the report.

    Parameters
    ----------
    sa : SiteAnalysis
        The site's analysis.

    Returns
    -------
    geopandas.GeoDataFrame
        store_id, tier, tier_name, method, threshold, cutoff, cutoff_unit, customers,
        weight_share, area_m2, geometry (EPSG:4326).
    """
    site, ctx = sa.site, sa.ctx
    layer = ctx.project.layers.get("trade_areas")
    if (
        sa.method is None
        and layer is not None
        and len(layer)
        and "store_id" in layer
        and "tier" in layer
    ):
        mine = layer[layer["store_id"].astype(str) == site.site_id]
        if len(mine):
            return _finish(mine.copy(), sa, method="saved")
    customers = _site_customers(sa)
    if sa.method is None and site.kind == "store" and customers is not None and len(customers):
        stores = pd.DataFrame(
            [{"store_id": site.site_id, "name": site.name, "lat": site.lat, "lon": site.lon}]
        )
        result = trade_areas_by_share(
            customers,
            stores,
            thresholds=ctx.settings.share_thresholds,
            region=ctx.region(),
            weight="annual_spend",
        )
        return _finish(result.areas.copy(), sa, method="share")
    method = str(sa.method or ctx.settings.candidate_trade_area)
    existing = sa.existing()
    areas = candidate_trade_areas(
        sa.record(), method=method, region=ctx.region(), market=existing,
        huff=ctx.huff_parameters,
    )  # fmt: skip
    return _finish(areas, sa, method=str(areas["method"].iloc[0]) if len(areas) else method)


def _site_customers(sa: SiteAnalysis) -> pd.DataFrame | None:
    customers = sa.ctx.customers()
    if not len(customers) or "lat" not in customers:
        return None
    if "store_id" in customers:
        mine = customers[customers["store_id"].astype(str) == sa.site.site_id]
        return mine if len(mine) else None
    own = sa.ctx.own_stores()
    return customers if len(own) == 1 and own["store_id"].iloc[0] == sa.site.site_id else None


def _finish(areas: gpd.GeoDataFrame, sa: SiteAnalysis, *, method: str) -> gpd.GeoDataFrame:
    """Clip to the region, fill the contract's columns and recount customers per tier."""
    if areas.crs is None:
        areas = areas.set_crs(WGS84)
    areas = areas.to_crs(WGS84).reset_index(drop=True)
    areas["store_id"] = sa.site.site_id
    areas["tier"] = pd.to_numeric(areas["tier"], errors="coerce").astype(int)
    areas = areas.sort_values("tier").reset_index(drop=True)
    if "tier_name" not in areas:
        areas["tier_name"] = [TIER_NAMES.get(t, f"tier {t}") for t in areas["tier"]]
    if "method" not in areas or areas["method"].isna().all():
        areas["method"] = method
    for col in ("threshold", "cutoff", "weight_share"):
        if col not in areas:
            areas[col] = np.nan
    if "cutoff_unit" not in areas:
        areas["cutoff_unit"] = ""
    geoms = [g if g is not None else shapely.Polygon() for g in areas.geometry]
    try:
        boundary = sa.ctx.region().boundary.geometry.union_all()
    except Exception:  # no region: keep the polygons as they are
        boundary = None
    if boundary is not None and method == "huff":
        geoms = [shapely.intersection(g, boundary) for g in geoms]
    areas = areas.set_geometry(gpd.GeoSeries(geoms, crs=WGS84))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        utm = areas.estimate_utm_crs() if len(areas) else WGS84
    areas["area_m2"] = areas.to_crs(utm).area.to_numpy()
    if "customers" not in areas or method == "huff":
        areas["customers"] = _count_customers(sa, areas)
    keep = [c for c in AREA_COLUMNS if c in areas]
    extra = [c for c in ("cumulative_share", "households", "penetration") if c in areas]
    return gpd.GeoDataFrame(areas[keep[:-1] + extra + ["geometry"]], crs=WGS84)


def _count_customers(sa: SiteAnalysis, areas: gpd.GeoDataFrame) -> np.ndarray:
    customers = sa.ctx.customers()
    out = np.zeros(len(areas), dtype=np.int64)
    if not len(customers) or "lat" not in customers:
        return out
    lat = pd.to_numeric(customers["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(customers["lon"], errors="coerce").to_numpy(float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    for i, geom in enumerate(areas.geometry):
        if geom is not None and not geom.is_empty:
            out[i] = int(shapely.intersects_xy(geom, lon[ok], lat[ok]).sum())
    return out
