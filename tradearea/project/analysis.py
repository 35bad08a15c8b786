"""The analysis of a project and of each site: every face reads its figures from here."""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import warnings
from collections.abc import Callable
from dataclasses import astuple
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tradearea import geocode
from tradearea.distance import great_circle_m
from tradearea.errors import InputError
from tradearea.forecast import forecast_candidate
from tradearea.formats import FORMATS
from tradearea.privacy import DEFAULT_K, customer_cells
from tradearea.project import market as mk
from tradearea.project.settings import ProjectSettings
from tradearea.project.sites import PENETRATION_THRESHOLDS, Site, choose_sites, project_sites
from tradearea.regions.packs import Region, load_region
from tradearea.saturation import irs_by_trade_area
from tradearea.sites.taboos import ACCESS_RADIUS_M, taboo_checks
from tradearea.tiers import TIER_NAMES
from tradearea.tradeareas.households import apportion

if TYPE_CHECKING:
    from tradearea.forecast import Forecast
    from tradearea.project.workspace import Project

__all__ = [
    "IRS_AFTER_LABEL",
    "IRS_BEFORE_LABEL",
    "PENETRATION_THRESHOLDS",
    "ProjectAnalysis",
    "SiteAnalysis",
    "Unavailable",
    "choose_sites",
    "project_sites",
    "share_out",
    "step",
    "tier_households",
]

LOG = logging.getLogger("tradearea.project")
WGS84 = "EPSG:4326"
T = TypeVar("T")
# One definition of "IRS after opening", labelled the same on every page and in every report:
# the IRS of the site's whole trade area (primary to tertiary tier) with the site trading.
IRS_AFTER_LABEL = ("IRS after opening (whole trade area)", "开业后零售饱和指数（整个商圈）")
IRS_BEFORE_LABEL = ("IRS before opening (whole trade area)", "开业前零售饱和指数（整个商圈）")


class Unavailable(Exception):  # noqa: N818 - reads as "figure unavailable"
    """A step cannot run: its data is absent or it failed (the message says why)."""


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
            except InputError as exc:
                memo[key] = (False, Unavailable(str(exc)))
            except Exception as exc:  # one failing figure must not sink the others
                LOG.warning("analysis step %s failed: %s", func.__name__, exc, exc_info=True)
                memo[key] = (False, Unavailable(f"{func.__name__} failed: {exc}"))
        ok, value = memo[key]
        if not ok:
            raise value
        return value

    return wrapper


def share_out(
    zones: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, columns: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Share zone totals among areas: polygons by overlapping area, points where they lie.

    This is the one way the project layer counts households, people, demand and sales in a
    trade-area tier, so every page and report shows the same figure.

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


def tier_households(project: Project, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Return the households in each polygon, counted the way every site figure counts them.

    The project's demand zones (its zones layer, else the region's residential buildings)
    shared out by area (:func:`share_out`): what the Trade areas page shows for tiers it draws,
    so they equal the tiers' households in the report and ``tradearea summary``.

    Parameters
    ----------
    project : Project
        The project.
    areas : geopandas.GeoDataFrame
        The polygons (WGS84).

    Returns
    -------
    numpy.ndarray
        Households per polygon.
    """
    if not len(areas):
        return np.zeros(0)
    zones = ProjectAnalysis(project, draw=False).zones(mk.DEFAULT_FORMAT)
    return share_out(zones, areas.to_crs(WGS84), ("households",))["households"]


def _finite(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out if math.isfinite(out) else float("nan")


def _irs_value(value: Any) -> float:
    """An IRS as a float: ``inf`` (no competing floor area) kept, anything unknown NaN."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


class ProjectAnalysis:
    """Project-wide inputs of every figure: region, stores, competitors, demand zones, customers.

    Parameters
    ----------
    project : Project
        The project.
    k : int, optional
        Smallest customer count shown on a map cell (default: the project's ``privacy_k``).
    draw : bool
        Draw the report's charts (not needed for XLSX and GeoPackage exports).
    """

    def __init__(self, project: Project, *, k: int | None = None, draw: bool = True) -> None:
        self.project = project
        self.draw = draw
        self.settings: ProjectSettings = project.settings
        self.k = int(k if k is not None else project.settings.privacy_k or DEFAULT_K)
        self._memo: dict[Any, Any] = {}
        self._sites: dict[Any, SiteAnalysis] = {}
        self.crm_customers: pd.DataFrame | None = None

    # -- sites ----------------------------------------------------------------------------
    def sites(self) -> list[Site]:
        """Every site of the project: candidates first, then own stores."""
        return project_sites(self.project)

    def site(self, site: Site, **options: Any) -> SiteAnalysis:
        """Return the (cached) analysis of ``site`` (options: see :class:`SiteAnalysis`)."""
        key = (astuple(site), tuple(sorted((k, _hashable(v)) for k, v in options.items())))
        if key not in self._sites:
            self._sites[key] = SiteAnalysis(self, site, **options)
        return self._sites[key]

    def site_by_id(self, site_id: str) -> SiteAnalysis:
        """Return the analysis of the project's site with id ``site_id``."""
        for s in self.sites():
            if s.site_id == site_id:
                return self.site(s)
        msg = f"no site {site_id!r} in the project"
        raise InputError(msg, column="site")

    # -- settings -------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        """The project's currency code."""
        return self.settings.currency

    @property
    def huff_parameters(self) -> tuple[float, float]:
        """α and β of the Huff model (settings ``huff``)."""
        return mk.huff_parameters(self.settings)

    @property
    def irs_period(self) -> str:
        """Period of the IRS (``week`` as in DOMAIN.md, or the ``irs_period`` setting)."""
        return self.settings.irs_period

    # -- inputs ---------------------------------------------------------------------------
    @step
    def region(self) -> Region:
        """The project's region pack."""
        return load_region(self.project.region)

    def _region_or_none(self) -> Region | None:
        try:
            return self.region()
        except Unavailable:
            return None

    @step
    def customers(self) -> gpd.GeoDataFrame:
        """The customers layer (survey rows, geocoded); empty if the project has none."""
        frame = self.project.layers.get("customers")
        return frame if frame is not None else gpd.GeoDataFrame(geometry=[], crs=WGS84)

    @step
    def own_stores(self) -> pd.DataFrame:
        """The own stores with formats and floor areas checked."""
        return mk.own_stores(self.project, self._region_or_none())

    @step
    def competitors(self, category: str | None = None) -> pd.DataFrame:
        """The competitors (of one spending category, or all), floor areas filled."""
        return mk.competitors(self.project, self._region_or_none(), category=category)

    @step
    def market(self, category: str | None = None) -> pd.DataFrame:
        """Every existing store (own and competitors) of ``category`` (or all), ids unique."""
        return mk.market_stores(self.project, self._region_or_none(), category=category)

    @property
    def zone_source(self) -> str:
        """Where households come from (the project's zones, or the region's buildings)."""
        return mk.zone_source(self.project)

    @step
    def zones(self, fmt: str) -> gpd.GeoDataFrame:
        """Demand zones with yearly spending on the category of format ``fmt``."""
        return mk.demand_zones(self.project, self.region(), fmt)

    def spend(self, fmt: str, period: str = "year") -> float:
        """Spending per household per ``period`` on what format ``fmt`` sells."""
        return mk.spend(self.settings, fmt, period=period)

    @step
    def geocode_account(self) -> dict[str, Any]:
        """The geocoding row account of the customers layer."""
        customers = self.customers()
        if not len(customers):
            raise Unavailable("the project has no survey customers")
        if "status" not in customers:
            raise Unavailable("the customers layer was not geocoded (no status column)")
        return geocode.account(customers)

    @step
    def customer_cells(self) -> gpd.GeoDataFrame:
        """Customers counted on H3 cells, cells under k suppressed."""
        return customer_cells(self.customers(), k=self.k)

    # -- every site at once ---------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Return the key figures of every site and tier (what ``tradearea summary`` prints).

        Returns
        -------
        pandas.DataFrame
            One row per site and tier (tier 0 = the whole trade area): see
            :meth:`SiteAnalysis.tier_figures`.
        """
        frames = [self.site(s).tier_figures() for s in self.sites()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


class SiteAnalysis:
    """The analyses of one site, each computed once and failing on its own.

    Parameters
    ----------
    ctx : ProjectAnalysis
        The project's analysis.
    site : Site
        The site.
    method : str, optional
        How a candidate's tiers are drawn (default the setting ``candidate_trade_area``).
    scenario : Scenario, dict or str, optional
        Its pricing scenario (default: the project scenario named after it, else the
        template for the project's currency).
    rent_per_m2_month : float, optional
        Base rent to test instead of the scenario's.
    ticks : dict of str to bool, optional
        Taboo answers (default: the setting ``taboo_ticks`` of the site).
    """

    def __init__(
        self,
        ctx: ProjectAnalysis,
        site: Site,
        *,
        method: str | None = None,
        scenario: Any = None,
        rent_per_m2_month: float | None = None,
        ticks: dict[str, bool] | None = None,
    ) -> None:
        self.ctx = ctx
        self.site = site
        self.method = method
        self.scenario = scenario
        self.rent_per_m2_month = rent_per_m2_month
        self.ticks = ticks
        self._memo: dict[Any, Any] = {}

    @property
    def category(self) -> str:
        """The spending category the site's format sells (what it competes for)."""
        return FORMATS[self.site.format].category

    def record(self) -> dict[str, Any]:
        """The site as a store record (store columns, role ``candidate`` or ``own``)."""
        return self.site.store_record()

    @step
    def existing(self) -> pd.DataFrame:
        """The existing stores of the site's category, without the site itself."""
        market = self.ctx.market(self.category)
        return market[market["store_id"] != self.site.site_id].reset_index(drop=True)

    @step
    def zones(self) -> gpd.GeoDataFrame:
        """Demand zones for the site's format."""
        return self.ctx.zones(self.site.format)

    @step
    def trade_areas(self) -> gpd.GeoDataFrame:
        """The site's tiers: the project's layer, survey shares, or the candidate method."""
        from tradearea.project.areas import site_trade_areas  # areas reads this class

        return site_trade_areas(self)

    @step
    def tier_demand(self) -> pd.DataFrame:
        """Households, people and spending per tier (zones shared by area overlap)."""
        areas = self.trade_areas()
        shared = share_out(self.zones(), areas, ("households", "population", "demand"))
        table = pd.DataFrame(
            {
                "tier": areas["tier"].astype(int).to_numpy(),
                "tier_name": areas["tier_name"].to_numpy(),
            }
        )
        for col in ("households", "population", "demand"):
            table[col] = shared.get(col, np.full(len(areas), np.nan))
        with np.errstate(divide="ignore", invalid="ignore"):
            table["spend_per_household"] = np.where(
                table["households"] > 0, table["demand"] / table["households"], np.nan
            )
        table["area_m2"] = areas["area_m2"].to_numpy(dtype=float)
        table["area_km2"] = table["area_m2"] / 1e6
        table["coverage"] = self._coverage(areas)
        return table

    def _coverage(self, areas: gpd.GeoDataFrame) -> np.ndarray:
        """Share of each tier's area that lies inside the region's data."""
        try:
            boundary = self.ctx.region().boundary.to_crs(WGS84).geometry.union_all()
        except Unavailable:
            return np.full(len(areas), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            crs = areas.estimate_utm_crs() if len(areas) else "EPSG:3857"
        geoms = areas.to_crs(crs).geometry.to_numpy()
        inside = gpd.GeoSeries([boundary], crs=WGS84).to_crs(crs).iloc[0]
        total = shapely.area(geoms)
        part = shapely.area(shapely.intersection(geoms, inside))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total > 0, part / np.where(total > 0, total, 1.0), np.nan)

    @step
    def irs(self) -> dict[str, pd.DataFrame]:
        """IRS per tier ring and cumulative (tiers 1..k), without and with the site."""
        areas = self.trade_areas()[["store_id", "tier", "geometry"]].copy()
        areas["households"] = self.tier_demand()["households"].to_numpy()
        kw: dict[str, Any] = {
            "format": self.site.format,
            "customers_column": "households",
            "candidate": self.record(),
            "period": self.ctx.irs_period,
            "spend": self.ctx.spend(self.site.format, self.ctx.irs_period),
        }
        return {
            "ring": irs_by_trade_area(areas, self.existing(), cumulative=False, **kw),
            "cumulative": irs_by_trade_area(areas, self.existing(), cumulative=True, **kw),
        }

    @step
    def forecast(self) -> Forecast:
        """Huff forecast with and without the site (:func:`tradearea.forecast.forecast_candidate`)."""
        alpha, beta = self.ctx.huff_parameters
        existing = self.existing()
        if not len(existing):
            raise Unavailable(
                "the project has no competitors or other stores to share the market with "
                "(add competitors on the Competition page)"
            )
        own = existing.loc[existing["role"] == "own", "store_id"].tolist()
        record = self.record()
        record.pop("role")
        return forecast_candidate(self.zones(), existing, record, own=own, alpha=alpha, beta=beta)

    @step
    def tier_sales(self) -> pd.DataFrame:
        """Expected sales and market share of the site per tier (zones shared by area)."""
        fc = self.forecast()
        zones = self.zones()[["origin_id", "geometry"]].merge(
            fc.zones[["origin_id", "demand", "candidate_share"]], on="origin_id", how="left"
        )
        zones["sales"] = zones["demand"].fillna(0.0) * zones["candidate_share"].fillna(0.0)
        zones = gpd.GeoDataFrame(zones, geometry="geometry", crs=WGS84)
        areas = self.trade_areas()
        shared = share_out(zones, areas, ("demand", "sales"))
        demand = shared["demand"]
        sales = shared["sales"]
        rows = [
            {
                "tier": int(t),
                "tier_name": name,
                "demand": float(d),
                "expected_sales": float(s),
                "market_share": float(s / d) if d > 0 else np.nan,
            }
            for t, name, d, s in zip(areas["tier"], areas["tier_name"], demand, sales, strict=True)
        ]
        total_d = float(zones["demand"].fillna(0.0).sum())
        total_s = float(fc.expected_sales)
        out_d, out_s = total_d - float(demand.sum()), total_s - float(sales.sum())
        rows.append(
            {
                "tier": 0,
                "tier_name": "outside",
                "demand": out_d,
                "expected_sales": out_s,
                "market_share": out_s / out_d if out_d > 0 else np.nan,
            }
        )
        return pd.DataFrame(rows)

    @step
    def pricing(self) -> dict[str, Any]:
        """The pricing analysis of the site's scenario (:mod:`tradearea.pricing`)."""
        from tradearea.project.pricing import site_pricing  # pricing reads this class

        return site_pricing(self)

    @step
    def taboos(self) -> pd.DataFrame:
        """The site taboo checklist (:func:`tradearea.sites.taboo_checks`)."""
        ticks = self.ticks
        if ticks is None:
            ticks = self.ctx.settings.taboo_ticks.get(self.site.site_id)
        return taboo_checks(self.site.lat, self.site.lon, region=self.ctx.region(), ticks=ticks)

    @step
    def transit_stops(self) -> int:
        """Public transport stops within 300 m (a stop mapped twice counts once)."""
        stops = self.ctx.region().transit
        if not len(stops):
            return 0
        d = great_circle_m(stops["lat"], stops["lon"], self.site.lat, self.site.lon)
        near = stops[d <= ACCESS_RADIUS_M]
        return int(near["name"].nunique() + near["name"].isna().sum())

    # -- the key figures ------------------------------------------------------------------
    def figures(self) -> dict[str, float]:
        """Return the site's key figures (NaN where a figure is not available).

        Returns
        -------
        dict of str to float
            households_primary, households_total, population_total, demand_total (a year),
            irs_before, irs_after (whole trade area: see :data:`IRS_AFTER_LABEL`; ``inf``
            where no store competes),
            irs_primary_after, competitors_primary, expected_sales (a year),
            market_share_primary, market_share_total, cannibalisation_share, transit_stops,
            coverage (share of the trade area inside the region's data).
        """
        out: dict[str, float] = dict.fromkeys(
            (
                "households_primary", "households_total", "population_total", "demand_total",
                "irs_before", "irs_after", "irs_primary_after", "competitors_primary",
                "expected_sales", "market_share_primary", "market_share_total",
                "cannibalisation_share", "from_own", "from_competitors", "transit_stops",
                "coverage",
            ),
            float("nan"),
        )  # fmt: skip
        try:
            td = self.tier_demand()
            out["households_primary"] = float(td.loc[td["tier"] == 1, "households"].sum())
            out["households_total"] = float(td["households"].sum())
            out["population_total"] = float(td["population"].sum())
            out["demand_total"] = float(td["demand"].sum())
            area = td["area_m2"].to_numpy(float)
            cov = td["coverage"].to_numpy(float)
            known = np.isfinite(cov) & (area > 0)
            if known.any():  # a tier of no area (an empty ring) has no coverage
                out["coverage"] = float((area[known] * cov[known]).sum() / area[known].sum())
        except Unavailable:
            pass
        try:
            irs = self.irs()
            cum = irs["cumulative"].sort_values("tier")
            ring = irs["ring"]
            if len(cum):
                out["irs_before"] = _irs_value(cum["irs"].iloc[-1])
                out["irs_after"] = _irs_value(cum["irs_with_candidate"].iloc[-1])
                first = cum[cum["tier"] == 1]
                out["irs_primary_after"] = (
                    _irs_value(first["irs_with_candidate"].iloc[0]) if len(first) else np.nan
                )
            tier1 = ring[ring["tier"] == 1]
            out["competitors_primary"] = float(tier1["stores"].sum()) if len(tier1) else np.nan
        except Unavailable:
            pass
        try:
            fc = self.forecast()
            out["expected_sales"] = float(fc.expected_sales)
            out["cannibalisation_share"] = _finite(fc.cannibalisation_share)
            out["from_own"] = float(fc.from_own)
            out["from_competitors"] = float(fc.from_competitors)
            ts = self.tier_sales()
            first = ts[ts["tier"] == 1]
            out["market_share_primary"] = (
                _finite(first["market_share"].iloc[0]) if len(first) else np.nan
            )
            inside = ts[ts["tier"] > 0]
            d = float(inside["demand"].sum())
            out["market_share_total"] = float(inside["expected_sales"].sum()) / d if d else np.nan
        except Unavailable:
            pass
        with contextlib.suppress(Unavailable):
            out["transit_stops"] = float(self.transit_stops())
        return out

    def tier_figures(self) -> pd.DataFrame:
        """Return the site's figures per tier and for the whole trade area (tier 0).

        Returns
        -------
        pandas.DataFrame
            site_id, name, kind, tier, tier_name, method, customers, households, population,
            demand (a year), irs_before, irs_after (with the site, cumulative to the tier),
            expected_sales (a year), market_share, area_km2, coverage.
        """
        base = {"site_id": self.site.site_id, "name": self.site.name, "kind": self.site.kind}
        try:
            areas = self.trade_areas()
        except Unavailable as exc:
            return pd.DataFrame([{**base, "tier": 0, "tier_name": "whole", "note": str(exc)}])
        td = self.tier_demand()
        table = pd.DataFrame(
            {
                **base,
                "tier": areas["tier"].astype(int).to_numpy(),
                "tier_name": areas["tier_name"].to_numpy(),
                "method": areas["method"].to_numpy(),
                "customers": pd.to_numeric(areas.get("customers"), errors="coerce").to_numpy(),
                "households": td["households"].to_numpy(),
                "population": td["population"].to_numpy(),
                "demand": td["demand"].to_numpy(),
                "area_km2": td["area_km2"].to_numpy(),
                "coverage": td["coverage"].to_numpy(),
            }
        )
        try:
            cum = self.irs()["cumulative"].set_index("tier")
            table["irs_before"] = [_irs_value(cum["irs"].get(t)) for t in table["tier"]]
            table["irs_after"] = [
                _irs_value(cum["irs_with_candidate"].get(t)) for t in table["tier"]
            ]
        except Unavailable:
            table["irs_before"] = table["irs_after"] = np.nan
        try:
            ts = self.tier_sales().set_index("tier")
            table["expected_sales"] = [_finite(ts["expected_sales"].get(t)) for t in table["tier"]]
            table["market_share"] = [_finite(ts["market_share"].get(t)) for t in table["tier"]]
        except Unavailable:
            table["expected_sales"] = table["market_share"] = np.nan
        fig = self.figures()
        whole = {
            **base,
            "tier": 0,
            "tier_name": "whole",
            "method": table["method"].iloc[0] if len(table) else None,
            "customers": float(np.nansum(table["customers"])),
            "households": fig["households_total"],
            "population": fig["population_total"],
            "demand": fig["demand_total"],
            "area_km2": float(table["area_km2"].sum()),
            "coverage": fig["coverage"],
            "irs_before": fig["irs_before"],
            "irs_after": fig["irs_after"],
            "expected_sales": fig["expected_sales"],
            "market_share": fig["market_share_total"],
            "cannibalisation_share": fig["cannibalisation_share"],
        }
        table["tier_name"] = [
            TIER_NAMES.get(int(t), n)
            for t, n in zip(table["tier"], table["tier_name"], strict=True)
        ]
        return pd.concat([table, pd.DataFrame([whole])], ignore_index=True)
