"""The pricing part of a site report: which scenario, tenant sales from the forecast, analysis."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from tradearea.project.analysis import SiteAnalysis


def demo_scenario_inputs(name: str, floor_area_m2: float) -> dict[str, Any]:
    """Return the demo project's pricing scenario for a candidate unit (EUR, lease only).

    An investor buys and refits a ground-floor supermarket unit in central Helsinki and leases
    it to one grocer. Figures are round, documented assumptions for the demo, not market data:
    acquisition 700 EUR/m² of gross area, refit 300 EUR/m², base rent 9 EUR/m²/month (a
    grocer's rent, about 4 % of its sales), sale price 1,440 EUR/m² (the rent at a 7.5 %
    market yield), exit yield 6.5 %, discount rate 7 %, 10-year hold, no debt.

    Parameters
    ----------
    name : str
        The site name.
    floor_area_m2 : float
        Sales floor area of the unit.

    Returns
    -------
    dict
        Inputs for :func:`tradearea.pricing.scenario_from_dict`.
    """
    return {
        "name": f"Demo lease: {name}",
        "description": "Demo assumptions (docs/report.md); replace with the project's own.",
        "site": {
            "name": name,
            "format": "supermarket",
            "efficiency": 0.85,
            "floors": [{"name": "Ground floor", "level": 1, "area_m2": float(floor_area_m2)}],
        },
        "costs": {
            "land_cost_per_m2": 700.0,
            "construction_cost_per_m2": 300.0,
            "soft_cost_ratio": 0.10,
            "leasing_cost_ratio": 0.04,
            "nurturing_cost_ratio": 0.0,
            "nurturing_years": 0.0,
            "operating_cost_per_m2_month": 2.0,
            "cost_inflation": 0.02,
            "exit_cost_ratio": 0.02,
        },
        "rents": {
            "base_rent_per_m2_month": 9.0,
            "sale_price_per_m2": 1_440.0,
            "opening_rent_ratio": 1.0,
            "maturity_years": 0.0,
            "growth": 0.02,
            "step_every_years": 0.0,
            "step_increase": 0.0,
            "free_months": 3.0,
            "vacancy": 0.03,
            "collection_loss": 0.01,
        },
        "timing": {
            "construction_years": 1,
            "hold_years": 10,
            "leasing_start_months_before_opening": 6.0,
            "lease_up_months": 0.0,
            "occupancy_at_opening": 1.0,
        },
        "finance": {
            "discount_rate": 0.07,
            "market_yield": 0.075,
            "exit_yield": 0.065,
            "loan_to_cost": 0.0,
        },
        "business_model": {"mode": "lease"},
    }


def _choose(sa: SiteAnalysis) -> tuple[dict[str, Any], str]:
    """The site's scenario: named after it, else the Sites page's lease template, else none.

    The Sites page (:func:`tradearea.project.scenarios.candidate_scenario`) and the report must
    price a site the same way, so its choice is used when that module is there.
    """
    from tradearea.project.analysis import Unavailable, is_demo

    site = sa.site
    try:
        from tradearea.project.scenarios import candidate_scenario
    except ImportError:
        candidate_scenario = None
    if candidate_scenario is not None:
        record = {
            "candidate_id": site.site_id,
            "name": site.name,
            "format": site.format,
            "floor_area_m2": site.floor_area_m2,
        }
        scenario, source = candidate_scenario(sa.ctx.project, record)
        if source == "lease template" and is_demo(sa.ctx.project):
            source = "demo scenario"
        return scenario.model_dump(mode="json"), source
    scenarios = dict(sa.ctx.project.scenarios or {})
    names = {site.site_id.casefold(), site.name.casefold()}
    for key, data in scenarios.items():
        site_name = str((data.get("site") or {}).get("name", "")).casefold()
        if str(key).casefold() in names or site_name in names:
            return dict(data), f"project scenario {key!r}"
    if is_demo(sa.ctx.project):
        return demo_scenario_inputs(site.name, site.floor_area_m2), "demo scenario"
    msg = (
        "no pricing scenario for this site: save one named after the site on the Pricing page"
        if scenarios
        else "the project has no pricing scenario (add one on the Pricing page)"
    )
    raise Unavailable(msg)


def site_pricing(sa: SiteAnalysis) -> dict[str, Any]:
    """Return the site's pricing: scenario, analysis (price, rent, cash flows, tornado).

    Tenant sales come from the scenario, else from the site's Huff forecast.

    Returns
    -------
    dict
        ``scenario`` (Scenario), ``source`` (where it came from), ``result`` (from
        :func:`tradearea.pricing.analyse`), ``cash_flows`` (yearly table), ``tornado``
        (table), ``compare`` (project scenarios side by side, or None) and ``notes``.
    """
    from tradearea import pricing

    data, source = _choose(sa)
    scenario = pricing.scenario_from_dict(data, file=source)
    notes: list[str] = []
    market = scenario.market
    if market.tenant_sales_per_year is None and market.households is None:
        try:
            sales = float(sa.forecast().expected_sales)
        except Exception as exc:  # the forecast is its own section; say why here
            notes.append(f"no tenant sales: the Huff forecast is not available ({exc})")
        else:
            scenario = pricing.with_inputs(scenario, {"market.tenant_sales_per_year": sales})
            notes.append("tenant sales per year taken from the site's Huff forecast")
    result = pricing.analyse(scenario, with_tornado=True)
    evaluation = pricing.evaluate(scenario)
    cash_flows = evaluation.cash_flow_table().reset_index()
    tornado = pd.DataFrame(result.get("tornado") or [])
    compare = None
    scenarios = sa.ctx.project.scenarios or {}
    if len(scenarios) > 1:
        try:
            built = {k: pricing.scenario_from_dict(dict(v), file=k) for k, v in scenarios.items()}
            compare = pricing.compare(built).reset_index(names="metric")
        except Exception as exc:  # one broken scenario must not hide the others' figures
            notes.append(f"scenario comparison not available: {exc}")
    return {
        "scenario": scenario,
        "source": source,
        "result": result,
        "cash_flows": cash_flows,
        "tornado": tornado,
        "compare": compare,
        "notes": notes,
    }
