"""Decisions about a site: scorecard factors, its IRS read against the region, its verdict.

What the report's scorecard and comparison and the Sites page show come from here, so both
say the same thing about a site.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tradearea.project.analysis import ProjectAnalysis, SiteAnalysis, Unavailable
from tradearea.project.sites import Site
from tradearea.saturation import saturation_surface
from tradearea.sites import (
    SCORECARD_FACTORS,
    IrsReference,
    irs_reference,
    rent_factors,
    scorecard,
    site_verdict,
)

__all__ = [
    "SURFACE_RADIUS_M",
    "decision_factors",
    "number_or_nan",
    "region_irs_cells",
    "rent_and_metrics",
    "score_sites",
    "scorecard_factors",
    "site_decision",
    "tenant_side",
]

# Catchment of the region's saturation surface cells that a site's IRS is read against.
SURFACE_RADIUS_M = 1_000.0


def rent_and_metrics(pr: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the rent figures (per m² a month) and the investment metrics of a site's pricing."""
    result = pr.get("result") or {}
    rent = dict(result.get("rent") or (pr.get("price_and_rent") or {}).get("rent") or {})
    metrics = pr.get("metrics") or (result.get("investment") or {}).get("metrics") or {}
    return rent, dict(metrics)


def tenant_side(rent: Mapping[str, Any]) -> dict[str, Any]:
    """Return the headroom, rent ÷ capacity, occupancy-cost ratio and threshold from the rent figures."""
    row = pd.DataFrame(
        {
            "rent_capacity": [number_or_nan(rent.get("capacity"))],
            "scenario_rent": [number_or_nan(rent.get("scenario"))],
            "occupancy_threshold": [number_or_nan(rent.get("occupancy_cost_ratio"))],
        }
    )
    return rent_factors(row).iloc[0].to_dict()


def number_or_nan(value: Any) -> float:
    """A number, or NaN for None and what is not a number."""
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


# --------------------------------------------------------------------------------------------
# Scorecard, IRS in context and verdict

_SURFACES: weakref.WeakKeyDictionary[ProjectAnalysis, dict[Any, Any]] = weakref.WeakKeyDictionary()


def _get(func: Callable[[], Any]) -> float:
    try:
        value = func()
        return float(value) if value is not None else float("nan")
    except Exception:  # a missing figure scores 0, as tradearea.sites.scorecard does
        return float("nan")


def scorecard_factors(sa: SiteAnalysis) -> dict[str, float]:
    """Return the factors a site evaluation also gives (NaN where a figure is not available).

    The keys of ``CandidateEvaluation.factors``: households_primary, expected_sales, irs_after,
    competitors_primary, transit_stops, irr, taboos. :func:`decision_factors` adds the
    tenant's side and what the verdict reads.
    """

    def primary_stores() -> float:
        ring = sa.irs()["ring"]
        return float(ring.loc[ring["tier"] == 1, "stores"].sum())

    return {
        "households_primary": _get(
            lambda: sa.tier_demand().loc[lambda t: t["tier"] == 1, "households"].sum()
        ),
        "expected_sales": _get(lambda: sa.forecast().expected_sales),
        "irs_after": _get(
            lambda: sa.irs()["cumulative"].sort_values("tier")["irs_with_candidate"].iloc[-1]
        ),
        "competitors_primary": _get(primary_stores),
        "transit_stops": _get(sa.transit_stops),
        "irr": _get(lambda: rent_and_metrics(sa.pricing())[1].get("irr")),
        "taboos": _get(lambda: int((sa.taboos()["status"] == "taboo").sum())),
    }


def decision_factors(sa: SiteAnalysis) -> dict[str, float]:
    """Return every figure the scorecard and the verdict read for a site (NaN where unknown).

    Returns
    -------
    dict of str to float
        :func:`scorecard_factors`, plus rent_capacity and scenario_rent (money per m² a
        month), occupancy_threshold (the format's occupancy-cost ratio), rent_headroom,
        rent_to_capacity, occupancy_cost_ratio (rent ÷ tenant sales), payback_years, npv,
        cannibalisation_share, irs_before, unchecked (taboo items to check on site).
    """
    out = scorecard_factors(sa)
    try:
        rent, metrics = rent_and_metrics(sa.pricing())
    except Unavailable:
        rent, metrics = {}, {}
    tenant = tenant_side(rent)
    out["rent_capacity"] = number_or_nan(rent.get("capacity"))
    out["scenario_rent"] = number_or_nan(rent.get("scenario"))
    for key in ("occupancy_threshold", "rent_headroom", "rent_to_capacity", "occupancy_cost_ratio"):
        out[key] = number_or_nan(tenant[key])
    out["payback_years"] = number_or_nan(metrics.get("payback_years"))
    out["npv"] = number_or_nan(metrics.get("npv"))
    out["cannibalisation_share"] = _get(lambda: sa.forecast().cannibalisation_share)
    out["irs_before"] = _get(lambda: sa.irs()["cumulative"].sort_values("tier")["irs"].iloc[-1])
    out["unchecked"] = _get(lambda: int((sa.taboos()["status"] == "unchecked").sum()))
    return out


def region_irs_cells(sa: SiteAnalysis) -> np.ndarray:
    """Return the IRS of the region's populated cells for the site's format (the reference).

    The saturation surface (:func:`tradearea.saturation.saturation_surface`: H3 cells, IRS of
    the existing stores within :data:`SURFACE_RADIUS_M` of each cell, the project's IRS period
    and spending) over the region, cells without households left out and ``inf`` where a cell
    has households but no competing floor area. Computed once per project analysis and format.

    Raises
    ------
    Unavailable
        When the region, its zones or the surface cannot be computed.
    """
    ctx = sa.ctx
    key = (sa.site.format, ctx.irs_period)
    cache = _SURFACES.setdefault(ctx, {})
    if key not in cache:
        try:
            zones = sa.zones()
            stores = ctx.market()
            extent = ctx.region().boundary.geometry.union_all()
            surface = saturation_surface(
                pd.DataFrame(zones[["lat", "lon", "households"]]),
                stores,
                format=sa.site.format,
                spend=ctx.spend(sa.site.format, ctx.irs_period),
                radius_m=SURFACE_RADIUS_M,
                extent=extent,
                period=ctx.irs_period,  # type: ignore[arg-type]
            )
            populated = surface[surface["status"] != "no_households"]
            cache[key] = np.where(
                populated["status"] == "no_competition", np.inf, populated["irs"]
            ).astype(float)
        except Exception as exc:  # the reference is optional: say why it is missing
            cache[key] = Unavailable(f"no saturation surface of the region: {exc}")
    value = cache[key]
    if isinstance(value, Unavailable):
        raise value
    return value


def site_decision(
    sa: SiteAnalysis, *, others: Sequence[float] = (), factors: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """Read a site's IRS against the region and the other sites, and give its verdict.

    Parameters
    ----------
    sa : SiteAnalysis
        The site's analysis.
    others : sequence of float
        The other sites' IRS after opening (the project reference; empty for none).
    factors : mapping, optional
        The site's :func:`decision_factors` (computed when not given).

    Returns
    -------
    dict
        ``factors``; ``irs_region`` and ``irs_sites`` (:class:`tradearea.sites.IrsReference`
        of the IRS after opening, or None); ``verdict`` (:class:`tradearea.sites.Verdict`,
        the saturation check on the region reference, else the other sites); ``notes``.
    """
    factors = dict(factors if factors is not None else decision_factors(sa))
    notes: list[str] = []
    value = factors.get("irs_after", math.nan)
    region: IrsReference | None = None
    try:
        region = irs_reference(value, region_irs_cells(sa), against="region")
    except Unavailable as exc:
        notes.append(str(exc))
    sites = irs_reference(value, list(others), against="sites") if len(others) else None
    use = region if region is not None and region.n else sites
    try:
        taboos = sa.taboos()
        found = taboos[taboos["status"] == "taboo"]
        names = list(zip(found["item"], found["item_zh"], strict=True))
    except Unavailable:
        names = []
    verdict = site_verdict(factors, irs=use, currency=sa.ctx.currency, taboos_found=names)
    return {
        "factors": factors,
        "irs_region": region,
        "irs_sites": sites,
        "verdict": verdict,
        "notes": notes,
    }


def score_sites(ctx: ProjectAnalysis, sites: list[Site]) -> pd.DataFrame | None:
    """Score the sites against each other, with their IRS in context and verdict.

    The weights are the project's ``scorecard_weights`` (the Sites page's), else the defaults
    of :data:`tradearea.sites.SCORECARD_FACTORS`.

    Returns
    -------
    pandas.DataFrame or None
        Indexed by site id: :func:`decision_factors`, the :func:`tradearea.sites.scorecard`
        columns (``score_<factor>``, ``tenant_score``, ``landlord_score``, ``total``,
        ``carries_rent``, ``rank``), ``irs_percentile_region``, ``irs_reading_region``,
        ``irs_percentile_sites``, ``irs_reading_sites``, ``verdict`` (code),
        ``verdict_label`` and ``verdict_reasons``. None for fewer than two sites.
    """
    if len(sites) < 2:
        return None
    analyses = {s.site_id: ctx.site(s) for s in sites}
    factors = pd.DataFrame({sid: decision_factors(sa) for sid, sa in analyses.items()}).T
    factors = factors.astype(float)
    weights = getattr(ctx.settings, "scorecard_weights", None) or {}
    known = {k: float(v) for k, v in dict(weights).items() if k in SCORECARD_FACTORS}
    scores = scorecard(factors.replace([np.inf, -np.inf], np.nan), weights=known)
    extra = []
    for sid, sa in analyses.items():
        others = factors["irs_after"].drop(index=sid).to_numpy(float)
        d = site_decision(sa, others=others, factors=factors.loc[sid].to_dict())
        region, near, verdict = d["irs_region"], d["irs_sites"], d["verdict"]
        extra.append(
            {
                "irs_percentile_region": region.below if region else np.nan,
                "irs_reading_region": region.label_en if region else "; ".join(d["notes"]),
                "irs_percentile_sites": near.below if near else np.nan,
                "irs_reading_sites": near.label_en if near else "",
                "verdict": verdict.code,
                "verdict_label": verdict.label_en,
                "verdict_reasons": "; ".join(en for en, _ in verdict.reasons),
            }
        )
    return pd.concat(
        [factors, scores, pd.DataFrame(extra, index=factors.index)], axis=1
    ).rename_axis(None)
