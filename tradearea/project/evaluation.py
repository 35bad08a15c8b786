"""Evaluate a candidate site in one step: trade areas, households, IRS, Huff, pricing, taboos."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from tradearea.errors import InputError
from tradearea.forecast import candidate_store
from tradearea.formats import FORMATS, normalise_format
from tradearea.project.analysis import ProjectAnalysis, SiteAnalysis, _finite
from tradearea.project.market import next_candidate_id
from tradearea.project.sites import Site
from tradearea.project.workspace import now_iso
from tradearea.regions.packs import Region, load_region
from tradearea.sites.areas import TRADE_AREA_METHODS
from tradearea.sites.taboos import apply_ticks

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

WGS84 = "EPSG:4326"
CANDIDATE_COLUMNS = (
    "candidate_id", "name", "format", "floor_area_m2", "floor_area_source", "lat", "lon",
    "method", "households_primary", "households_total", "expected_sales", "market_share_primary",
    "cannibalisation_share", "irs_before", "irs_after", "competitors_primary", "transit_stops",
    "rent_capacity", "scenario_rent", "occupancy_threshold", "rent_affordable", "irr", "npv",
    "payback_years", "taboos",
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
        The candidate's Huff market share of the primary tier's demand.
    notes : list of str
        What could not be computed, and why; assumptions used.
    figures : dict
        The site's key figures (:meth:`tradearea.project.analysis.SiteAnalysis.figures`).
    ticks : dict or None
        The taboo answers it was evaluated with.
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
    figures: dict[str, float] = field(default_factory=dict)
    ticks: dict[str, bool] | None = None
    analysis: SiteAnalysis | None = field(default=None, repr=False, compare=False)

    @property
    def candidate_id(self) -> str:
        """The candidate's id (``K1`` ...)."""
        return str(self.candidate["candidate_id"])

    def row(self) -> dict[str, Any]:
        """Return the candidate's key figures as one row of the ``candidates`` layer."""
        rent = self.pricing.get("price_and_rent", {}).get("rent", {}) if self.pricing else {}
        metrics = self.pricing.get("metrics", {}) if self.pricing else {}
        fig = self.figures
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
            "households_total": fig.get("households_total", np.nan),
            "expected_sales": self.factors["expected_sales"],
            "market_share_primary": self.market_share_primary,
            "cannibalisation_share": fig.get("cannibalisation_share", np.nan),
            "irs_before": _finite(fig.get("irs_before")),  # inf (no competition) kept as NaN
            "irs_after": self.factors["irs_after"],
            "competitors_primary": self.factors["competitors_primary"],
            "transit_stops": self.factors["transit_stops"],
            "rent_capacity": _finite(rent.get("capacity")),
            "scenario_rent": _finite(rent.get("scenario")),
            "occupancy_threshold": _finite(rent.get("occupancy_cost_ratio")),
            "rent_affordable": rent.get("affordable"),
            "irr": self.factors["irr"],
            "npv": _finite(metrics.get("npv")),
            "payback_years": _finite(metrics.get("payback_years")),
            "taboos": self.factors["taboos"],
            "unchecked": int((self.taboos["status"] == "unchecked").sum()),
            "scenario": getattr(self.pricing.get("scenario"), "name", None),
            "evaluated_at": now_iso(),
        }


# --------------------------------------------------------------------------------------------
# The one step

# Evaluations kept for this process, keyed on everything an evaluation reads (see _cache_key).
_CACHE: dict[str, CandidateEvaluation] = {}
_CACHE_MAX = 64


def _frame_digest(frame: pd.DataFrame | None) -> str:
    if frame is None or not len(frame):
        return "-"
    plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    h = hashlib.sha256()
    h.update(",".join(map(str, plain.columns)).encode())
    h.update(pd.util.hash_pandas_object(plain.astype(str), index=False).to_numpy().tobytes())
    if isinstance(frame, gpd.GeoDataFrame):
        h.update(b"".join(g.wkb if g is not None else b"-" for g in frame.geometry))
    return h.hexdigest()


def _project_digest(project: Project) -> str:
    """A digest of every input an evaluation reads from the project: layers, settings, scenarios."""
    h = hashlib.sha256()
    h.update(str(project.region).encode())
    for name in sorted(project.layers):
        if name in ("fixes",):
            continue
        h.update(name.encode())
        h.update(_frame_digest(project.layers[name]).encode())
    h.update(json.dumps(project.settings.to_json(), sort_keys=True, default=str).encode())
    h.update(json.dumps(project.scenarios, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _cache_key(digest: str, **inputs: Any) -> str:
    """The key of one evaluation: the project's digest and the evaluation's own arguments."""
    scenario = inputs.get("scenario")
    if scenario is not None and not isinstance(scenario, str | dict):
        inputs["scenario"] = scenario.model_dump(mode="json")
    payload = json.dumps(inputs, sort_keys=True, default=str).encode()
    return hashlib.sha256(digest.encode() + payload).hexdigest()


# Project analyses shared by the evaluations of one state of a project (the zones, stores and
# region are read once for all its candidates), keyed like the evaluations.
_ANALYSES: dict[str, ProjectAnalysis] = {}
_ANALYSES_MAX = 8


def _project_analysis(project: Project, digest: str) -> ProjectAnalysis:
    key = digest
    if key not in _ANALYSES:
        if len(_ANALYSES) >= _ANALYSES_MAX:
            _ANALYSES.pop(next(iter(_ANALYSES)))
        # a copy: later changes to the project make a new key, never a half-changed analysis
        _ANALYSES[key] = ProjectAnalysis(project.copy(), draw=False)
    return _ANALYSES[key]


def evaluate_candidate(
    project: Project,
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
    progress: Callable[[str], None] | None = None,
) -> CandidateEvaluation:
    """Evaluate a candidate site: trade areas, households, IRS, Huff, pricing and taboos.

    Built on :class:`tradearea.project.analysis.SiteAnalysis`, so its figures are the ones
    every page, the report and ``tradearea summary`` show. The result is cached on a key
    derived from every input it reads (the project's layers, settings and scenarios, and
    these arguments): evaluating the same candidate again costs nothing.

    Parameters
    ----------
    project : Project
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
        else the template for the project's currency
        (:func:`tradearea.project.scenarios.scenario_template`).
    rent_per_m2_month : float, optional
        Base rent to test (overrides the scenario's).
    method : {'rings', 'walk', 'drive', 'huff'}, optional
        How to draw its trade areas; default the project setting ``candidate_trade_area``.
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
    fmt = normalise_format(format) if str(format or "").strip() else None
    if fmt not in FORMATS:
        msg = f"unknown retail format {format!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg, option="format")
    if method is not None and method not in TRADE_AREA_METHODS:
        msg = f"trade-area method must be one of {', '.join(TRADE_AREA_METHODS)}, not {method!r}"
        raise InputError(msg, option="method")
    if floor_area_m2 is not None and not (np.isfinite(floor_area_m2) and floor_area_m2 > 0):
        raise InputError(
            f"floor area must be above 0 m², not {floor_area_m2}", option="floor_area_m2"
        )
    if rent_per_m2_month is not None:
        _check_rent(rent_per_m2_month)
    _check_scenario(project, scenario)
    cid = str(candidate_id or next_candidate_id(project))
    method = method or project.settings.candidate_trade_area
    digest = _project_digest(project)  # hashed once: the layers can be large
    key = _cache_key(
        digest, lat=lat, lon=lon, name=name, format=fmt, floor_area_m2=floor_area_m2,
        scenario=scenario, rent=rent_per_m2_month, method=method, cid=cid, ticks=ticks,
    )  # fmt: skip
    if key in _CACHE:
        return _CACHE[key]
    region = load_region(project.region)
    _check_location(lat, lon, region)
    cand = candidate_store(
        float(lat), float(lon), format=fmt, floor_area_m2=floor_area_m2, name=str(name),
        store_id=cid,
    )  # fmt: skip
    site = Site(
        site_id=cid,
        name=str(name),
        lat=float(lat),
        lon=float(lon),
        format=fmt,
        floor_area_m2=float(cand["floor_area_m2"]),
        kind="candidate",
        floor_area_source=str(cand.get("floor_area_source") or "input"),
    )
    sa = SiteAnalysis(
        _project_analysis(project, digest), site, method=method, scenario=scenario,
        rent_per_m2_month=rent_per_m2_month, ticks=ticks,
    )  # fmt: skip
    evaluation = evaluation_of(sa, progress=progress)
    evaluation.ticks = ticks
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = evaluation
    return evaluation


def evaluation_of(
    sa: SiteAnalysis, *, progress: Callable[[str], None] | None = None
) -> CandidateEvaluation:
    """Return the :class:`CandidateEvaluation` of a site's analysis (its figures, no others).

    Parameters
    ----------
    sa : SiteAnalysis
        The site's analysis.
    progress : callable, optional
        Called with a short English label before each step.

    Returns
    -------
    CandidateEvaluation
    """

    def step(label: str) -> None:
        if progress is not None:
            progress(label)

    notes: list[str] = []
    cand = sa.record()
    cand.pop("role")
    cand["candidate_id"] = sa.site.site_id
    step("Stores and demand")
    existing = sa.existing()
    step("Trade areas")
    memo_key = ("evaluation_areas",)
    if memo_key not in sa._memo:  # the tiers with their households, shared by re-pricings
        areas = sa.trade_areas().copy()
        areas["households"] = sa.tier_demand()["households"].to_numpy()
        sa._memo[memo_key] = (True, areas)
    areas = sa._memo[memo_key][1]
    method = str(areas["method"].iloc[0]) if len(areas) else str(sa.method)
    if (sa.method or sa.ctx.settings.candidate_trade_area) == "huff" and method != "huff":
        notes.append("no stores to share the market with: rings drawn instead of Huff contours")
    households = {int(t): float(h) for t, h in zip(areas["tier"], areas["households"], strict=True)}
    step("Saturation (IRS)")
    irs = sa.irs()
    step("Huff forecast")
    fc = None
    if len(existing):
        fc = sa.forecast()
    else:
        notes.append("no own stores or competitors: no Huff forecast (add them on Competition)")
    step("Pricing")
    priced = dict(sa.pricing())
    notes.extend(priced.get("notes", []))
    step("Taboo checklist")
    taboos = sa.taboos()
    fig = sa.figures()
    factors = {
        "households_primary": fig["households_primary"],
        "expected_sales": fig["expected_sales"],
        "irs_after": fig["irs_after"],
        "competitors_primary": fig["competitors_primary"],
        "transit_stops": fig["transit_stops"],
        "irr": _finite(priced["metrics"].get("irr")),
        "taboos": float((taboos["status"] == "taboo").sum()),
    }
    return CandidateEvaluation(
        candidate=cand,
        method=method,
        trade_areas=areas,
        households=households,
        irs=irs["cumulative"],
        irs_ring=irs["ring"],
        forecast=fc,
        pricing=priced,
        taboos=taboos,
        factors=factors,
        market_share_primary=fig["market_share_primary"],
        notes=notes,
        figures=fig,
        ticks=sa.ticks,
        analysis=sa,
    )


def _check_rent(rent: Any) -> None:
    try:
        value = float(rent)
    except (TypeError, ValueError):
        value = float("nan")
    if not (math.isfinite(value) and value >= 0):
        msg = f"rent must be a number of at least 0, not {rent!r}"
        raise InputError(msg, option="rent_per_m2_month")


def _check_scenario(project: Project, scenario: Any) -> None:
    if isinstance(scenario, str) and scenario and scenario not in project.scenarios:
        known = ", ".join(project.scenarios) or "none"
        msg = f"no pricing scenario {scenario!r} in the project (scenarios: {known})"
        raise InputError(msg, option="scenario")


def _check_location(lat: float, lon: float, region: Region) -> None:
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


def with_rent(
    project: Project,
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
    if rent_per_m2_month is not None:
        _check_rent(rent_per_m2_month)
    if scenario is None and evaluation.pricing and not from_project:
        scenario = evaluation.pricing["scenario"]
    old = evaluation.analysis
    if old is None:
        c = evaluation.candidate
        return evaluate_candidate(
            project, c["lat"], c["lon"], name=c["name"], format=c["format"],
            floor_area_m2=c["floor_area_m2"], scenario=scenario,
            rent_per_m2_month=rent_per_m2_month, method=evaluation.method,
            candidate_id=evaluation.candidate_id, ticks=evaluation.ticks,
        )  # fmt: skip
    sa = SiteAnalysis(
        old.ctx, old.site, method=old.method, scenario=scenario,
        rent_per_m2_month=rent_per_m2_month, ticks=old.ticks,
    )  # fmt: skip
    # nothing but the pricing is computed again
    sa._memo = {k: v for k, v in old._memo.items() if k[0] != "pricing"}
    _check_scenario(project, scenario)
    return evaluation_of(sa)


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
    table = apply_ticks(evaluation.taboos, ticks)
    factors = dict(evaluation.factors, taboos=float((table["status"] == "taboo").sum()))
    return replace(evaluation, taboos=table, factors=factors)
