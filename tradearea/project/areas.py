"""The trade areas a report shows for a site: saved ones, survey shares, or Huff contours."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    from tradearea.project.analysis import SiteAnalysis

WGS84 = "EPSG:4326"
TIER_NAMES = {1: "primary", 2: "secondary", 3: "tertiary"}
AREA_COLUMNS = (
    "store_id", "tier", "tier_name", "method", "threshold", "cutoff", "cutoff_unit",
    "customers", "weight_share", "area_m2", "geometry",
)  # fmt: skip
CANDIDATE_METHODS = ("huff", "walk", "drive", "rings")


def _share_function() -> Any:
    try:
        from tradearea.tradeareas import trade_areas_by_share
    except ImportError:
        from tradearea.tradeareas.share import trade_areas_by_share
    return trade_areas_by_share


def _time_function() -> Any:
    try:
        from tradearea.tradeareas import trade_areas_by_time
    except ImportError:
        from tradearea.tradeareas.rings import trade_areas_by_time
    return trade_areas_by_time


def _rings_function() -> Any:
    try:
        from tradearea.tradeareas import trade_areas_by_rings
    except ImportError:
        from tradearea.tradeareas.rings import trade_areas_by_rings
    return trade_areas_by_rings


def site_trade_areas(sa: SiteAnalysis) -> gpd.GeoDataFrame:
    """Return the site's tiers as disjoint polygons with the DESIGN.md attributes.

    In order of preference: the project's ``trade_areas`` layer rows of the site; for an own
    store with survey customers, the share-threshold tiers (75 / 90 / 95 % by default, setting
    ``share_thresholds``); for a candidate, Huff contours at 30 / 10 / 5 % market share
    (setting ``candidate_trade_area``: ``huff``, ``walk``, ``drive`` or ``rings``).

    Parameters
    ----------
    sa : SiteAnalysis
        The site's analysis.

    Returns
    -------
    geopandas.GeoDataFrame
        store_id, tier, tier_name, method, threshold, cutoff, cutoff_unit, customers,
        weight_share, area_m2, geometry (EPSG:4326); ``attrs['account']`` for survey tiers.
    """
    site, ctx = sa.site, sa.ctx
    layer = ctx.project.layers.get("trade_areas")
    if layer is not None and len(layer) and "store_id" in layer and "tier" in layer:
        mine = layer[layer["store_id"].astype(str) == site.site_id]
        if len(mine):
            return _finish(mine.copy(), sa, method="saved")
    customers = _site_customers(sa)
    if site.kind == "store" and customers is not None and len(customers):
        thresholds = ctx.settings.get("share_thresholds", (0.75, 0.90, 0.95))
        stores = pd.DataFrame(
            [{"store_id": site.site_id, "name": site.name, "lat": site.lat, "lon": site.lon}]
        )
        result = _share_function()(
            customers, stores, thresholds=thresholds, region=ctx.region(), weight="annual_spend"
        )
        areas = _finish(result.areas.copy(), sa, method="share")
        areas.attrs["account"] = {
            k: v for k, v in result.account.items() if isinstance(v, int | float | str)
        }
        return areas
    method = str(ctx.settings.get("candidate_trade_area", "huff"))
    if method not in CANDIDATE_METHODS:
        method = "huff"
    if method == "huff" and not len(sa.existing()):
        method = "rings"  # Huff contours need competitors; without them, the format's rings
    if method == "huff":
        return _finish(_huff_tiers(sa), sa, method="huff")
    point = (site.lat, site.lon)
    if method in ("walk", "drive"):
        result = _time_function()(None, point, kind=method, region=ctx.region())
    else:
        from tradearea.competition import FORMATS

        name = FORMATS[site.format].name_en.lower() if site.format in FORMATS else None
        result = _rings_function()(
            None, point, retail_format=name if _ring_preset(name) else None, region=ctx.region()
        )
    return _finish(result.areas.copy(), sa, method=method)


def _ring_preset(name: str | None) -> bool:
    from tradearea.tradeareas.presets import RING_PRESETS

    return name in RING_PRESETS


def _site_customers(sa: SiteAnalysis) -> pd.DataFrame | None:
    customers = sa.ctx.customers()
    if not len(customers) or "lat" not in customers:
        return None
    if "store_id" in customers:
        mine = customers[customers["store_id"].astype(str) == sa.site.site_id]
        return mine if len(mine) else None
    own = sa.ctx.own_stores()
    return customers if len(own) == 1 and own["store_id"].iloc[0] == sa.site.site_id else None


def _huff_tiers(sa: SiteAnalysis) -> gpd.GeoDataFrame:
    from tradearea.huff import huff_contours, straight_line_m
    from tradearea.project.analysis import PENETRATION_THRESHOLDS

    site = sa.site
    record = site.store_record()
    stores = pd.concat([sa.existing(), pd.DataFrame([record])], ignore_index=True)
    region = sa.ctx.region()
    x0, y0, x1, y1 = region.boundary.total_bounds
    corners = straight_line_m(
        np.array([y0, y0, y1, y1]), np.array([x0, x1, x0, x1]), site.lat, site.lon
    )
    radius = float(min(max(corners.max() + 200.0, 500.0), 3_000.0))
    alpha, beta = sa.ctx.huff_parameters
    tiers = huff_contours(
        stores,
        site.site_id,
        alpha=alpha,
        beta=beta,
        thresholds=PENETRATION_THRESHOLDS,
        resolution=10,
        radius_m=radius,
    )
    tiers["cutoff"] = tiers["threshold"]
    tiers["cutoff_unit"] = "market share"
    return tiers


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
