"""The pricing of a site: its scenario, the rent tested, tenant sales from its Huff forecast."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from tradearea import pricing
from tradearea.errors import InputError
from tradearea.project.scenarios import candidate_scenario, project_scenario

if TYPE_CHECKING:
    from tradearea.project.analysis import SiteAnalysis

__all__ = ["site_pricing"]


def _base(sa: SiteAnalysis) -> tuple[pricing.Scenario, str, list[str]]:
    """The scenario of the site with the tested rent and the forecast's tenant sales."""
    from tradearea.project.analysis import Unavailable  # analysis imports this module

    site = sa.site
    record = {
        "candidate_id": site.site_id,
        "name": site.name,
        "format": site.format,
        "floor_area_m2": site.floor_area_m2,
    }
    scenario, source = candidate_scenario(sa.ctx.project, record, scenario=sa.scenario)
    notes: list[str] = []
    changes: dict[str, Any] = {}
    if sa.rent_per_m2_month is not None:
        rent = float(sa.rent_per_m2_month)
        if not (math.isfinite(rent) and rent >= 0):
            msg = f"rent must be a number of at least 0, not {sa.rent_per_m2_month!r}"
            raise InputError(msg, option="rent_per_m2_month")
        changes["rents.base_rent_per_m2_month"] = rent
    market = scenario.market
    if market.tenant_sales_per_year is None and market.households is None:
        try:
            sales = float(sa.forecast().expected_sales)
        except Unavailable as exc:  # the forecast is its own figure; say why here
            notes.append(f"no tenant sales: the Huff forecast is not available ({exc})")
        else:
            changes["market.tenant_sales_per_year"] = sales
            notes.append("tenant sales per year taken from the site's Huff forecast")
    if changes:
        scenario = pricing.with_inputs(scenario, changes)
    if source == "template":
        notes.append(f"priced on the template scenario {scenario.name!r}: replace its assumptions")
    return scenario, source, notes


def site_pricing(sa: SiteAnalysis) -> dict[str, Any]:
    """Return the site's pricing: scenario, price and rent, returns, cash flows, tornado.

    Parameters
    ----------
    sa : SiteAnalysis
        The site's analysis (its scenario and tested rent options).

    Returns
    -------
    dict
        ``scenario`` (Scenario), ``source``, ``price_and_rent`` (per m²:
        :func:`tradearea.pricing.price_and_rent`), ``metrics`` (IRR, NPV, payback ...),
        ``rent_capacity_year`` (tenant sales × occupancy-cost ratio), ``rent_year`` (the
        tested rent a year), ``result`` (:func:`tradearea.pricing.analyse`), ``cash_flows``,
        ``tornado``, ``compare`` (project scenarios side by side, or None) and ``notes``.
    """
    try:
        scenario, source, notes = _base(sa)
        price_and_rent = pricing.price_and_rent(scenario)
        evaluation = pricing.evaluate(scenario)
        metrics = evaluation.summary()
        result = pricing.analyse(scenario, with_tornado=True)
    except ValueError as exc:  # pydantic and the pricing model say what is wrong
        if isinstance(exc, InputError):
            raise
        raise InputError(f"pricing: {exc}", option="scenario") from None
    rent = price_and_rent["rent"]
    tenant_sales = rent.get("tenant_sales_per_year")
    capacity = (
        pricing.rent_capacity(tenant_sales, occupancy_cost_ratio=rent["occupancy_cost_ratio"])
        if tenant_sales is not None
        else None
    )
    compare = None
    scenarios = sa.ctx.project.scenarios or {}
    if len(scenarios) > 1:
        try:
            project = sa.ctx.project
            built = {k: project_scenario(project, dict(v), name=k) for k, v in scenarios.items()}
            compare = pricing.compare(built).reset_index(names="metric")
        except ValueError as exc:  # one broken scenario must not hide the others' figures
            notes.append(f"scenario comparison not available: {exc}")
    return {
        "scenario": scenario,
        "source": source,
        "price_and_rent": price_and_rent,
        "metrics": metrics,
        "rent_capacity_year": capacity,
        "result": result,
        "cash_flows": evaluation.cash_flow_table().reset_index(),
        "tornado": pd.DataFrame(result.get("tornado") or []),
        "compare": compare,
        "notes": notes,
    }
