"""What the report computes once per project and per site, each step cached and failing alone."""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tradearea.errors import InputError
from tradearea.privacy import DEFAULT_K
from tradearea.project.sites import (
    DEMO_CANDIDATE,
    PENETRATION_THRESHOLDS,
    Site,
    _format_key,
    _lat_lon,
    choose_sites,
    is_demo,
    project_sites,
)

__all__ = [
    "DEMO_CANDIDATE",
    "PENETRATION_THRESHOLDS",
    "ProjectAnalysis",
    "SiteAnalysis",
    "Unavailable",
    "apportion_zones",
    "choose_sites",
    "is_demo",
    "project_sites",
    "step",
]

LOG = logging.getLogger("tradearea.report")
WGS84 = "EPSG:4326"
T = TypeVar("T")


class Unavailable(Exception):  # noqa: N818 - reads as "section unavailable"
    """A step cannot run: its module is missing, its data absent, or it failed."""


def step(func: Callable[..., T]) -> Callable[..., T]:
    """Cache a method's result, or its failure as :class:`Unavailable`, per arguments."""

    @functools.wraps(func)
    def wrapper(self: Any, *args: Any) -> T:
        key = (func.__name__, *args)
        memo = self._memo
        if key not in memo:
            try:
                memo[key] = (True, func(self, *args))
            except Unavailable as exc:
                memo[key] = (False, exc)
            except ImportError as exc:
                memo[key] = (False, Unavailable(f"module not installed yet ({exc.name or exc})"))
            except Exception as exc:  # a library failure must not sink the report
                LOG.warning("report step %s failed: %s", func.__name__, exc, exc_info=True)
                memo[key] = (False, Unavailable(f"{func.__name__} failed: {exc}"))
        ok, value = memo[key]
        if not ok:
            raise value
        return value

    return wrapper


def apportion_zones(
    zones: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, columns: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Share zone totals among areas: polygons by overlapping area, points where they lie.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zones with the (extensive) columns, polygons or points.
    areas : geopandas.GeoDataFrame
        Target polygons.
    columns : tuple of str
        Columns to share (those present).

    Returns
    -------
    dict of str to numpy.ndarray
        One array per column, one value per area.
    """
    from tradearea.tradeareas.households import apportion

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        crs = areas.estimate_utm_crs() if len(areas) else "EPSG:3857"
    targets = areas.to_crs(crs).geometry.to_numpy()
    src = zones.to_crs(crs).reset_index(drop=True)
    poly = src.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    out = {}
    for col in columns:
        if col not in src:
            continue
        values = pd.to_numeric(src[col], errors="coerce").fillna(0.0).to_numpy(float)
        total = apportion(src.geometry.to_numpy()[poly], values[poly], targets)
        if (~poly).any():
            pts = src.geometry.to_numpy()[~poly]
            for i, geom in enumerate(targets):
                if geom is not None and not geom.is_empty:
                    total[i] += values[~poly][shapely.intersects(geom, pts)].sum()
        out[col] = total
    return out


class ProjectAnalysis:
    """Project-wide inputs of the report: region, stores, demand zones, customers.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project.
    k : int
        Smallest customer count shown on a map cell.
    draw : bool
        Draw the charts (not needed for XLSX and GeoPackage exports).
    """

    def __init__(self, project: Any, *, k: int = DEFAULT_K, draw: bool = True) -> None:
        self.project = project
        self.draw = draw
        self.settings: dict[str, Any] = dict(project.settings or {})
        self.k = k
        self._memo: dict[Any, Any] = {}
        self.sites: dict[str, SiteAnalysis] = {}
        self.crm_customers: pd.DataFrame | None = None

    def site(self, site: Site) -> SiteAnalysis:
        """Return the (cached) analysis of ``site``."""
        if site.site_id not in self.sites:
            self.sites[site.site_id] = SiteAnalysis(self, site)
        return self.sites[site.site_id]

    @property
    def currency(self) -> str:
        """The project's currency code."""
        return str(self.settings.get("currency") or "EUR")

    @property
    def huff_parameters(self) -> tuple[float, float]:
        """α and β: the calibrated ``huff`` setting, else ``huff_alpha``/``huff_beta``, defaults."""
        from tradearea.huff import DEFAULT_ALPHA, DEFAULT_BETA

        calibrated = self.settings.get("huff")
        if isinstance(calibrated, dict) and "alpha" in calibrated and "beta" in calibrated:
            return float(calibrated["alpha"]), float(calibrated["beta"])
        return (
            float(self.settings.get("huff_alpha", DEFAULT_ALPHA)),
            float(self.settings.get("huff_beta", DEFAULT_BETA)),
        )

    @property
    def irs_period(self) -> str:
        """Period of the IRS (``week`` as in DOMAIN.md, or the ``irs_period`` setting)."""
        period = str(self.settings.get("irs_period", "week"))
        return period if period in ("week", "month", "year") else "week"

    @step
    def region(self) -> Any:
        """The project's region pack."""
        from tradearea.regions.packs import load_region

        try:
            return load_region(self.project.region)
        except InputError as exc:
            raise Unavailable(str(exc)) from None

    @step
    def customers(self) -> gpd.GeoDataFrame:
        """The customers layer (survey rows, geocoded); empty if the project has none."""
        frame = self.project.layers.get("customers")
        return frame if frame is not None else gpd.GeoDataFrame(geometry=[], crs=WGS84)

    def _stores(self, layer: str, role: str) -> pd.DataFrame:
        from tradearea.competition import fill_floor_area

        frame = self.project.layers.get(layer)
        if frame is None or not len(frame):
            from tradearea.competition import STORE_COLUMNS

            empty = pd.DataFrame({c: pd.Series(dtype=object) for c in STORE_COLUMNS})
            for col in ("lat", "lon", "floor_area_m2"):
                empty[col] = empty[col].astype(float)
            return empty.assign(role=pd.Series(dtype=object))
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name, errors="ignore")).copy()
        latlon = [_lat_lon(r) for _, r in frame.iterrows()]
        table["lat"] = [a for a, _ in latlon]
        table["lon"] = [b for _, b in latlon]
        if "store_id" not in table:
            table["store_id"] = [f"{role[0].upper()}{i + 1:02d}" for i in range(len(table))]
        table["store_id"] = table["store_id"].astype(str)
        table["format"] = [_format_key(v) for v in table.get("format", [None] * len(table))]
        try:
            buildings = self.region().buildings
        except Unavailable:
            buildings = None
        filled = pd.DataFrame(fill_floor_area(table, buildings=buildings))
        filled["role"] = role
        return filled.drop(columns="geometry", errors="ignore")

    @step
    def own_stores(self) -> pd.DataFrame:
        """The own stores with formats and floor areas checked."""
        return self._stores("stores", "own")

    @step
    def competitors(self) -> pd.DataFrame:
        """The competitors with formats and floor areas checked (region buildings, defaults)."""
        return self._stores("competitors", "competitor")

    @step
    def market(self) -> pd.DataFrame:
        """Every existing store (own and competitors), ids unique."""
        frame = pd.concat([self.own_stores(), self.competitors()], ignore_index=True)
        return frame.drop_duplicates("store_id", keep="first").reset_index(drop=True)

    @step
    def base_zones(self) -> gpd.GeoDataFrame:
        """Demand zones: the project's ``zones`` layer, else one zone per residential building."""
        zones = self.project.layers.get("zones")
        if zones is not None and len(zones) and "households" in zones:
            out = zones.copy()
            if "origin_id" not in out:
                out["origin_id"] = [f"Z{i + 1:04d}" for i in range(len(out))]
            if "lat" not in out or "lon" not in out:
                rep = out.to_crs(out.estimate_utm_crs()).representative_point().to_crs(WGS84)
                out["lat"], out["lon"] = rep.y.to_numpy(), rep.x.to_numpy()
            out.attrs["source"] = "project zones layer"
            return out
        from tradearea.demand import zones_from_buildings

        out = zones_from_buildings(self.region().residential_buildings, zone="building")
        if not len(out):
            raise Unavailable("the region has no residential buildings to estimate households")
        out.attrs["source"] = "region residential buildings (estimated dwellings)"
        return out

    def spend(self, fmt: str, period: str = "year") -> float:
        """Spending per household per ``period`` on what format ``fmt`` sells."""
        from tradearea.demand import spend_per_household

        return float(spend_per_household(fmt, period=period, settings=self.settings))  # type: ignore[arg-type]

    @step
    def zones(self, fmt: str) -> gpd.GeoDataFrame:
        """Demand zones with yearly spending on the category of format ``fmt``."""
        from tradearea.demand import zone_demand

        base = self.base_zones()
        if "demand" in base and base.attrs.get("source") == "project zones layer":
            return base
        out = gpd.GeoDataFrame(zone_demand(base, spend=self.spend(fmt)), crs=WGS84)
        out.attrs.update(base.attrs)
        return out

    @step
    def geocode_account(self) -> dict[str, Any]:
        """The geocoding row account of the customers layer."""
        from tradearea import geocode

        customers = self.customers()
        if not len(customers):
            raise Unavailable("the project has no survey customers")
        if "status" not in customers:
            raise Unavailable("the customers layer was not geocoded (no status column)")
        return geocode.account(customers)

    @step
    def customer_cells(self) -> gpd.GeoDataFrame:
        """Customers counted on H3 cells, cells under k suppressed."""
        from tradearea.privacy import customer_cells

        return customer_cells(self.customers(), k=self.k)


class SiteAnalysis:
    """The analyses of one site, each computed once and failing on its own."""

    def __init__(self, ctx: ProjectAnalysis, site: Site) -> None:
        self.ctx = ctx
        self.site = site
        self._memo: dict[Any, Any] = {}

    @step
    def existing(self) -> pd.DataFrame:
        """The existing stores, without the site itself."""
        market = self.ctx.market()
        return market[market["store_id"] != self.site.site_id].reset_index(drop=True)

    @step
    def zones(self) -> gpd.GeoDataFrame:
        """Demand zones for the site's format."""
        return self.ctx.zones(self.site.format)

    @step
    def trade_areas(self) -> gpd.GeoDataFrame:
        """The site's tiers: the project's layer, survey shares, or Huff contours."""
        from tradearea.project import areas as _areas

        return _areas.site_trade_areas(self)

    @step
    def tier_demand(self) -> pd.DataFrame:
        """Households, people and spending per tier (zones shared by area overlap)."""
        areas = self.trade_areas()
        shared = apportion_zones(self.zones(), areas, ("households", "population", "demand"))
        table = pd.DataFrame(
            {
                "tier": areas["tier"].astype(int).to_numpy(),
                "tier_name": areas["tier_name"].to_numpy(),
            }
        )
        for col in ("households", "population", "demand"):
            table[col] = shared.get(col, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            table["spend_per_household"] = np.where(
                table["households"] > 0, table["demand"] / table["households"], np.nan
            )
        table["area_km2"] = areas["area_m2"].to_numpy(dtype=float) / 1e6
        return table

    @step
    def irs(self) -> dict[str, pd.DataFrame]:
        """IRS per tier ring and cumulative, with and without the site."""
        from tradearea.saturation import irs_by_trade_area

        areas = self.trade_areas()[["store_id", "tier", "geometry"]].copy()
        areas["households"] = self.tier_demand()["households"].to_numpy()
        kw = {
            "format": self.site.format,
            "customers_column": "households",
            "candidate": self.site.store_record(),
            "period": self.ctx.irs_period,
            "settings": self.ctx.settings,
        }
        return {
            "ring": irs_by_trade_area(areas, self.existing(), cumulative=False, **kw),
            "cumulative": irs_by_trade_area(areas, self.existing(), cumulative=True, **kw),
        }

    @step
    def forecast(self) -> Any:
        """Huff forecast with and without the site (tradearea.forecast)."""
        from tradearea.forecast import forecast_candidate

        alpha, beta = self.ctx.huff_parameters
        existing = self.existing()
        if not len(existing):
            raise Unavailable(
                "the project has no competitors or other stores to share the market with "
                "(add competitors on the Competition page)"
            )
        own = existing.loc[existing["role"] == "own", "store_id"].tolist()
        record = self.site.store_record()
        record.pop("role")
        return forecast_candidate(self.zones(), existing, record, own=own, alpha=alpha, beta=beta)

    @step
    def tier_sales(self) -> pd.DataFrame:
        """Expected sales and market share of the site per tier (zones by their centre)."""
        fc = self.forecast()
        zones = self.zones()[["origin_id", "lat", "lon"]]
        merged = fc.zones.merge(pd.DataFrame(zones), on="origin_id", how="left")
        areas = self.trade_areas()
        tier = np.zeros(len(merged), dtype=int)
        pts = gpd.points_from_xy(merged["lon"], merged["lat"], crs=WGS84)
        for t, geom in zip(areas["tier"].astype(int), areas.geometry, strict=True):
            if geom is None or geom.is_empty:
                continue
            hit = (tier == 0) & np.asarray(pts.intersects(geom))
            tier[hit] = t
        merged["tier"] = tier
        merged["sales"] = merged["demand"] * merged["candidate_share"]
        rows = []
        for t, name in zip(areas["tier"].astype(int), areas["tier_name"], strict=True):
            sel = merged["tier"] == t
            demand = float(merged.loc[sel, "demand"].sum())
            sales = float(merged.loc[sel, "sales"].sum())
            rows.append(
                {
                    "tier": t,
                    "tier_name": name,
                    "zones": int(sel.sum()),
                    "demand": demand,
                    "expected_sales": sales,
                    "market_share": sales / demand if demand > 0 else np.nan,
                }
            )
        out = merged["tier"] == 0
        demand_out = float(merged.loc[out, "demand"].sum())
        sales_out = float(merged.loc[out, "sales"].sum())
        rows.append(
            {
                "tier": 0,
                "tier_name": "outside",
                "zones": int(out.sum()),
                "demand": demand_out,
                "expected_sales": sales_out,
                "market_share": sales_out / demand_out if demand_out > 0 else np.nan,
            }
        )
        table = pd.DataFrame(rows)
        return table

    @step
    def pricing(self) -> dict[str, Any]:
        """The pricing analysis of the site's scenario (tradearea.pricing)."""
        from tradearea.project import pricing as _pricing

        return _pricing.site_pricing(self)

    @step
    def taboos(self) -> pd.DataFrame:
        """The site taboo checklist (tradearea.sites)."""
        from tradearea.sites import taboo_checks

        ticks = (self.ctx.settings.get("taboo_ticks") or {}).get(self.site.site_id)
        return taboo_checks(self.site.lat, self.site.lon, region=self.ctx.region(), ticks=ticks)

    @step
    def transit_stops(self) -> int:
        """Public transport stops within 300 m (a stop mapped twice counts once)."""
        from tradearea.huff import straight_line_m

        stops = self.ctx.region().transit
        if not len(stops):
            return 0
        d = straight_line_m(stops["lat"], stops["lon"], self.site.lat, self.site.lon)
        near = stops[d <= 300.0]
        return int(near["name"].nunique() + near["name"].isna().sum())
