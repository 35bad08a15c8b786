"""Pricing of a candidate unit: which scenario, the rent to test, tenant sales from Huff."""

from __future__ import annotations

import math
from typing import Any

from tradearea.errors import InputError


def pricing_format(fmt: str) -> str:
    """Return the pricing module's name of retail format ``fmt`` (``supermarket`` ...)."""
    from tradearea.competition import FORMATS
    from tradearea.pricing import canonical_format

    names = [fmt.replace("_", " ")]
    if fmt in FORMATS:
        names.insert(0, FORMATS[fmt].name_en.replace(" / brand", ""))
    for name in names:
        try:
            return canonical_format(name)
        except ValueError:
            continue
    return "supermarket"


def lease_template(name: str, floor_area_m2: float, *, format: str = "supermarket") -> dict:
    """Return the lease scenario a candidate gets when the project has none for it.

    The figures are the demo project's documented assumptions (:mod:`tradearea.report`):
    acquisition 700 /m² of gross area, refit 300 /m², base rent 9 /m²/month, sale price
    1,440 /m², exit yield 6.5 %, discount rate 7 %, 10-year hold, no debt, in the project's
    currency. Replace them with the project's own on the Pricing page.

    Parameters
    ----------
    name : str
        The candidate's name (the scenario's and the unit's).
    floor_area_m2 : float
        Sales floor area of the unit.
    format : str
        Retail format key (:data:`tradearea.competition.FORMATS`).

    Returns
    -------
    dict
        Inputs for :func:`tradearea.pricing.scenario_from_dict`.
    """
    from tradearea.project.pricing import demo_scenario_inputs

    data = demo_scenario_inputs(name, floor_area_m2)
    data["name"] = name
    data["description"] = (
        "Lease template of a candidate site (docs/app.md): replace the assumptions with the "
        "project's own on the Pricing page."
    )
    data["site"]["format"] = pricing_format(format)
    return data


def candidate_scenario(project: Any, candidate: dict[str, Any], *, scenario: Any = None) -> tuple:
    """Return the pricing scenario of a candidate and where it came from.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project.
    candidate : dict
        candidate_id, name, format, floor_area_m2.
    scenario : Scenario, dict or str, optional
        Given scenario, inputs, or the name of a project scenario. By default the project
        scenario named after the candidate (its id or name, as the report looks it up), else
        :func:`lease_template`.

    Returns
    -------
    tuple of (tradearea.pricing.Scenario, str)
        The scenario and its source.
    """
    from tradearea import pricing

    if isinstance(scenario, pricing.Scenario):
        return scenario, "given scenario"
    if isinstance(scenario, dict):
        return pricing.scenario_from_dict(scenario, file="scenario"), "given scenario"
    scenarios = dict(project.scenarios or {})
    if isinstance(scenario, str) and scenario:
        if scenario not in scenarios:
            known = ", ".join(scenarios) or "none"
            msg = f"no pricing scenario {scenario!r} in the project (scenarios: {known})"
            raise InputError(msg, column="scenario")
        return pricing.scenario_from_dict(scenarios[scenario], file=scenario), (
            f"project scenario {scenario!r}"
        )
    keys = {str(candidate["candidate_id"]).casefold(), str(candidate["name"]).casefold()}
    for key, data in scenarios.items():
        site_name = str((data.get("site") or {}).get("name", "")).casefold()
        if str(key).casefold() in keys or site_name in keys:
            return pricing.scenario_from_dict(dict(data), file=str(key)), (
                f"project scenario {key!r}"
            )
    data = lease_template(
        str(candidate["name"]), float(candidate["floor_area_m2"]), format=candidate["format"]
    )
    return pricing.scenario_from_dict(data, file="lease template"), "lease template"


def price_candidate(
    project: Any,
    candidate: dict[str, Any],
    *,
    scenario: Any = None,
    rent_per_m2_month: float | None = None,
    sales: float | None = None,
) -> dict[str, Any]:
    """Price a candidate unit: sale price and rent by method, rent capacity, returns.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project.
    candidate : dict
        candidate_id, name, format, floor_area_m2.
    scenario : Scenario, dict or str, optional
        See :func:`candidate_scenario`.
    rent_per_m2_month : float, optional
        Base rent to test instead of the scenario's.
    sales : float, optional
        The candidate's expected sales per year (Huff); used as tenant sales when the scenario
        has neither a forecast nor survey figures.

    Returns
    -------
    dict
        ``scenario`` (the Scenario evaluated), ``source``, ``price_and_rent`` (per m²:
        :func:`tradearea.pricing.price_and_rent`), ``metrics`` (IRR, NPV, payback ...),
        ``rent_capacity_year`` (tenant sales × occupancy-cost ratio) and ``notes``.
    """
    from tradearea import pricing

    try:
        chosen, source = candidate_scenario(project, candidate, scenario=scenario)
        notes: list[str] = []
        changes: dict[str, Any] = {}
        if rent_per_m2_month is not None:
            rent = float(rent_per_m2_month)
            if not (math.isfinite(rent) and rent >= 0):
                raise InputError(
                    f"rent must be a number of at least 0, not {rent_per_m2_month!r}",
                    column="rent_per_m2_month",
                )
            changes["rents.base_rent_per_m2_month"] = rent
        market = chosen.market
        if (
            sales is not None
            and math.isfinite(sales)
            and market.tenant_sales_per_year is None
            and market.households is None
        ):
            changes["market.tenant_sales_per_year"] = float(sales)
            notes.append("tenant sales per year taken from the candidate's Huff forecast")
        if changes:
            chosen = pricing.with_inputs(chosen, changes)
        result = pricing.price_and_rent(chosen)
        metrics = pricing.evaluate(chosen).summary()
    except ValueError as exc:  # pydantic and the pricing model say what is wrong
        if isinstance(exc, InputError):
            raise
        raise InputError(f"pricing: {exc}", column="scenario") from None
    tenant_sales = result["rent"].get("tenant_sales_per_year")
    capacity = (
        pricing.rent_capacity(
            tenant_sales, occupancy_cost_ratio=result["rent"]["occupancy_cost_ratio"]
        )
        if tenant_sales is not None
        else None
    )
    return {
        "scenario": chosen,
        "source": source,
        "price_and_rent": result,
        "metrics": metrics,
        "rent_capacity_year": capacity,
        "notes": notes,
    }
