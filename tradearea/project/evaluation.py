"""Evaluate a candidate site in one step: trade areas, households, IRS, Huff, pricing, taboos."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.project.market import (
    demand_zones,
    huff_parameters,
    market_stores,
    next_candidate_id,
)
from tradearea.project.scenarios import price_candidate
from tradearea.sites.areas import (
    DEFAULT_METHOD,
    TRADE_AREA_METHODS,
    candidate_trade_areas,
    transit_stops_near,
)
from tradearea.sites.taboos import ACCESS_RADIUS_M, taboo_checks

WGS84 = "EPSG:4326"
CANDIDATE_COLUMNS = (
    "candidate_id", "name", "format", "floor_area_m2", "floor_area_source", "lat", "lon",
    "method", "households_primary", "households_total", "expected_sales", "market_share_primary",
    "cannibalisation_share", "irs_before", "irs_after", "competitors_primary", "transit_stops",
    "rent_capacity", "scenario_rent", "rent_affordable", "irr", "npv", "payback_years", "taboos",
    "unchecked", "scenario", "evaluated_at",
)  # fmt: skip


@dataclass
class CandidateEvaluation:
    """Everything the tool says about one candidate site.

    Attributes
    ----------
    candidate : dict
        The candidate as modelled: store_id (= candidate_id), candidate_id, name, format, lat,
        lon, floor_area_m2, floor_area_source.
    method : str
        How its trade areas were drawn (``rings``, ``walk``, ``drive`` or ``huff``).
    trade_areas : geopandas.GeoDataFrame
        Disjoint tiers (store_id, tier, tier_name, method, cutoff, households, area_m2, geometry).
    households : dict of int to float
        Households per tier (1 primary, 2 secondary, 3 tertiary).
    irs : pandas.DataFrame
        IRS per tier, cumulative (tier k covers tiers 1..k), with and without the candidate.
    irs_ring : pandas.DataFrame
        IRS per tier ring alone.
    forecast : tradearea.forecast.Forecast or None
        The Huff forecast with and without the candidate (None if the market has no store).
    pricing : dict
        ``scenario`` (the Scenario used), ``source``, ``price_and_rent`` (per m² results),
        ``metrics`` (IRR, NPV, payback ...), ``rent_capacity_year`` (what the sales can pay a
        year).
    taboos : pandas.DataFrame
        The taboo checklist (:func:`tradearea.sites.taboo_checks`).
    factors : dict
        The scorecard inputs (keys of :data:`SCORECARD_FACTORS`; NaN where unknown).
    market_share_primary : float
        The candidate's Huff market share over the demand whose zone centre is in tier 1.
    notes : list of str
        What could not be computed, and why; assumptions used.
    """

    candidate: dict[str, Any]
    method: str
    trade_areas: gpd.GeoDataFrame
    households: dict[int, float]
    irs: pd.DataFrame
    irs_ring: pd.DataFrame
    forecast: Any
    pricing: dict[str, Any]
    taboos: pd.DataFrame
    factors: dict[str, float]
    market_share_primary: float = float("nan")
    notes: list[str] = field(default_factory=list)

    @property
    def candidate_id(self) -> str:
        """The candidate's id (``K1`` ...)."""
        return str(self.candidate["candidate_id"])

    def row(self) -> dict[str, Any]:
        """Return the candidate's key figures as one row of the ``candidates`` layer."""
        from tradearea.project.workspace import now_iso

        rent = self.pricing.get("price_and_rent", {}).get("rent", {}) if self.pricing else {}
        metrics = self.pricing.get("metrics", {}) if self.pricing else {}
        fc = self.forecast
        last = self.irs.sort_values("tier").iloc[-1] if len(self.irs) else None
        return {
            "candidate_id": self.candidate_id,
            "name": self.candidate["name"],
            "format": self.candidate["format"],
            "floor_area_m2": float(self.candidate["floor_area_m2"]),
            "floor_area_source": self.candidate["floor_area_source"],
            "lat": float(self.candidate["lat"]),
            "lon": float(self.candidate["lon"]),
            "method": self.method,
            "households_primary": self.factors["households_primary"],
            "households_total": float(sum(self.households.values())),
            "expected_sales": self.factors["expected_sales"],
            "market_share_primary": self.market_share_primary,
            "cannibalisation_share": fc.cannibalisation_share if fc is not None else np.nan,
            "irs_before": _finite(last["irs"]) if last is not None else np.nan,
            "irs_after": self.factors["irs_after"],
            "competitors_primary": self.factors["competitors_primary"],
            "transit_stops": self.factors["transit_stops"],
            "rent_capacity": _num(rent.get("capacity")),
            "scenario_rent": _num(rent.get("scenario")),
            "rent_affordable": rent.get("affordable"),
            "irr": self.factors["irr"],
            "npv": _num(metrics.get("npv")),
            "payback_years": _num(metrics.get("payback_years")),
            "taboos": self.factors["taboos"],
            "unchecked": int((self.taboos["status"] == "unchecked").sum()),
            "scenario": self.pricing.get("scenario").name if self.pricing else None,
            "evaluated_at": now_iso(),
        }


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return out if math.isfinite(out) else float("nan")


def _finite(value: Any) -> float:
    """A number, with inf (no competing floor area) and missing values as NaN."""
    return _num(value)


# --------------------------------------------------------------------------------------------
# The one step


def evaluate_candidate(
    project: Any,
    lat: float,
    lon: float,
    *,
    name: str = "Candidate",
    format: str = "supermarket",
    floor_area_m2: float | None = None,
    scenario: Any = None,
    rent_per_m2_month: float | None = None,
    method: str | None = None,
    candidate_id: str | None = None,
    ticks: dict[str, bool] | None = None,
    progress: Any = None,
) -> CandidateEvaluation:
    """Evaluate a candidate site: trade areas, households, IRS, Huff, pricing and taboos.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project (its region, own stores, competitors, zones, settings and scenarios).
    lat, lon : float
        The site (WGS84); it must lie in the project's region.
    name : str
        Display name.
    format : str
        Retail format (a key of :data:`tradearea.competition.FORMATS`, or an English or
        Chinese name such as ``超市``).
    floor_area_m2 : float, optional
        Sales floor area; the format's default when not given.
    scenario : Scenario, dict or str, optional
        The pricing scenario: a :class:`tradearea.pricing.Scenario`, a dict of inputs, or the
        name of a project scenario. By default the project scenario named after the candidate,
        else the lease template of :func:`tradearea.project.candidate_scenario`.
    rent_per_m2_month : float, optional
        Base rent to test (overrides the scenario's).
    method : {'rings', 'walk', 'drive', 'huff'}, optional
        How to draw its trade areas; default the project setting ``candidate_trade_area``, else
        ``rings`` (the format's rule-of-thumb radii).
    candidate_id : str, optional
        Its id; the next free ``K<n>`` by default.
    ticks : dict of str to bool, optional
        Taboo checklist answers; default the project setting ``taboo_ticks[candidate_id]``.
    progress : callable, optional
        Called with a short English label before each step (for progress displays).

    Returns
    -------
    CandidateEvaluation
        Its trade areas, households per tier, IRS with and without it, Huff forecast and
        cannibalisation, pricing, taboo checklist and scorecard factors.

    Raises
    ------
    InputError
        For a location outside the region, an unknown format or method, a bad floor area or
        rent, or an unknown scenario name.
    """
    from tradearea.competition import FORMATS, normalise_format
    from tradearea.forecast import candidate_store, forecast_candidate
    from tradearea.regions.packs import load_region
    from tradearea.saturation import irs_by_trade_area
    from tradearea.tradeareas import households_in

    def step(label: str) -> None:
        if progress is not None:
            progress(label)

    settings = dict(project.settings or {})
    fmt = normalise_format(format) if str(format or "").strip() else None
    if fmt not in FORMATS:
        msg = f"unknown retail format {format!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg, column="format")
    method = str(method or settings.get("candidate_trade_area") or DEFAULT_METHOD)
    if method not in TRADE_AREA_METHODS:
        msg = f"trade-area method must be one of {', '.join(TRADE_AREA_METHODS)}, not {method!r}"
        raise InputError(msg, column="method")
    region = load_region(project.region)
    _check_location(lat, lon, region)
    if floor_area_m2 is not None and not (np.isfinite(floor_area_m2) and floor_area_m2 > 0):
        raise InputError(
            f"floor area must be above 0 m², not {floor_area_m2}", column="floor_area_m2"
        )
    cid = str(candidate_id or next_candidate_id(project))
    cand = candidate_store(
        float(lat),
        float(lon),
        format=fmt,
        floor_area_m2=floor_area_m2,
        name=str(name),
        store_id=cid,
    )
    cand.pop("role")
    cand["candidate_id"] = cid
    notes: list[str] = []
    alpha_beta = huff_parameters(settings)

    step("Stores and demand")
    market = market_stores(project, region)
    market = market[market["store_id"] != cid].reset_index(drop=True)
    zones = demand_zones(project, region, fmt)

    step("Trade areas")
    if method == "huff" and not len(market):
        notes.append("no stores to share the market with: rings drawn instead of Huff contours")
    areas = candidate_trade_areas(
        cand, method=method, region=region, market=market, huff=alpha_beta
    )
    method = str(areas["method"].iloc[0]) if len(areas) else method
    user_zones = project.layers.get("zones")
    has_zones = user_zones is not None and len(user_zones) and "households" in user_zones
    areas["households"] = households_in(
        areas, region=region, zones=user_zones if has_zones else None
    )
    households = {int(t): float(h) for t, h in zip(areas["tier"], areas["households"], strict=True)}

    step("Saturation (IRS)")
    period = str(settings.get("irs_period", "week"))
    period = period if period in ("week", "month", "year") else "week"
    kw: dict[str, Any] = {
        "format": fmt, "customers_column": "households", "candidate": cand,
        "period": period, "settings": settings,
    }  # fmt: skip
    table = areas[["store_id", "tier", "households", "geometry"]]
    irs_cum = irs_by_trade_area(table, market, cumulative=True, **kw)
    irs_ring = irs_by_trade_area(table, market, cumulative=False, **kw)

    step("Huff forecast")
    fc = None
    share = float("nan")
    if len(market):
        own = market.loc[market["role"] == "own", "store_id"].tolist()
        fc = forecast_candidate(
            zones, market, cand, own=own, alpha=alpha_beta[0], beta=alpha_beta[1]
        )
        share = _share_in(fc, zones, areas, tier=1)
    else:
        notes.append("no own stores or competitors: no Huff forecast (add them on Competition)")

    step("Pricing")
    sales = fc.expected_sales if fc is not None else None
    priced = price_candidate(
        project, cand, scenario=scenario, rent_per_m2_month=rent_per_m2_month, sales=sales
    )
    notes.extend(priced.pop("notes"))

    step("Taboo checklist")
    if ticks is None:
        ticks = (settings.get("taboo_ticks") or {}).get(cid)
    taboos = taboo_checks(float(lat), float(lon), region=region, ticks=ticks)

    tier1 = irs_ring[irs_ring["tier"] == 1]
    last = irs_cum.sort_values("tier").iloc[-1] if len(irs_cum) else None
    factors = {
        "households_primary": float(households.get(1, np.nan)),
        "expected_sales": float(sales) if sales is not None else float("nan"),
        "irs_after": _finite(last["irs_with_candidate"]) if last is not None else float("nan"),
        "competitors_primary": float(tier1["stores"].sum()) if len(tier1) else float("nan"),
        "transit_stops": float(
            transit_stops_near(float(lat), float(lon), region=region, radius_m=ACCESS_RADIUS_M)
        ),
        "irr": _num(priced["metrics"].get("irr")),
        "taboos": float((taboos["status"] == "taboo").sum()),
    }
    evaluation = CandidateEvaluation(
        candidate=cand,
        method=method,
        trade_areas=areas,
        households=households,
        irs=irs_cum,
        irs_ring=irs_ring,
        forecast=fc,
        pricing=priced,
        taboos=taboos,
        factors=factors,
        market_share_primary=share,
        notes=notes,
    )
    return evaluation


def _check_location(lat: float, lon: float, region: Any) -> None:
    from shapely.geometry import Point

    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InputError(f"not a latitude/longitude: {lat!r}, {lon!r}", column="lat") from None
    if not (np.isfinite(la) and np.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        raise InputError(f"not a latitude/longitude: {lat!r}, {lon!r}", column="lat")
    boundary = region.boundary.to_crs(region.utm_crs).union_all()
    site = gpd.GeoSeries([Point(lo, la)], crs=WGS84).to_crs(region.utm_crs).iloc[0]
    if boundary.distance(site) > 250.0:
        msg = (
            f"the site {la:.5f}, {lo:.5f} is outside the region {region.name} "
            "(pick a point on the map of the region)"
        )
        raise InputError(msg, column="lat")


def _share_in(fc: Any, zones: pd.DataFrame, areas: gpd.GeoDataFrame, *, tier: int) -> float:
    """The candidate's Huff market share over the zones whose centre lies in ``tier``."""
    geom = areas.loc[areas["tier"] == tier].geometry.union_all()
    if geom is None or geom.is_empty:
        return float("nan")
    merged = fc.zones.merge(pd.DataFrame(zones[["origin_id", "lat", "lon"]]), on="origin_id")
    pts = gpd.points_from_xy(merged["lon"], merged["lat"], crs=WGS84)
    inside = np.asarray(pts.intersects(geom))
    demand = merged["demand"].to_numpy(float)[inside]
    if demand.sum() <= 0:
        return float("nan")
    return float((demand * merged["candidate_share"].to_numpy(float)[inside]).sum() / demand.sum())


def with_rent(
    project: Any,
    evaluation: CandidateEvaluation,
    rent_per_m2_month: float | None = None,
    *,
    scenario: Any = None,
    from_project: bool = False,
) -> CandidateEvaluation:
    """Return ``evaluation`` priced again (trade areas, Huff and checklist kept).

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project.
    evaluation : CandidateEvaluation
        A candidate's evaluation.
    rent_per_m2_month : float, optional
        The base rent to test (the scenario's own when None).
    scenario : Scenario, dict or str, optional
        Another scenario (see :func:`tradearea.project.candidate_scenario`); the evaluation's
        own by default.
    from_project : bool
        Look the scenario up in the project now (the one named after the candidate, else the
        lease template) instead of keeping the evaluation's.

    Returns
    -------
    CandidateEvaluation
        A copy with new ``pricing`` and the ``irr`` factor updated.
    """
    sales = evaluation.forecast.expected_sales if evaluation.forecast is not None else None
    if scenario is None and evaluation.pricing and not from_project:
        scenario = evaluation.pricing["scenario"]
    priced = price_candidate(
        project,
        evaluation.candidate,
        scenario=scenario,
        rent_per_m2_month=rent_per_m2_month,
        sales=sales,
    )
    priced.pop("notes")
    if evaluation.pricing and priced["source"] == "given scenario":
        priced["source"] = evaluation.pricing.get("source", priced["source"])
    factors = dict(evaluation.factors, irr=_num(priced["metrics"].get("irr")))
    return replace(evaluation, pricing=priced, factors=factors)


def with_ticks(
    evaluation: CandidateEvaluation, ticks: dict[str, bool] | None
) -> CandidateEvaluation:
    """Return ``evaluation`` with the user's taboo answers applied to its automatic checklist.

    Parameters
    ----------
    evaluation : CandidateEvaluation
        Evaluated without ticks (``ticks={}``).
    ticks : dict of str to bool, optional
        Item key -> whether the taboo is present.

    Returns
    -------
    CandidateEvaluation
        A copy with ``taboos`` and the ``taboos`` factor updated.
    """
    from tradearea.sites.taboos import apply_ticks

    table = apply_ticks(evaluation.taboos, ticks)
    factors = dict(evaluation.factors, taboos=float((table["status"] == "taboo").sum()))
    return replace(evaluation, taboos=table, factors=factors)
