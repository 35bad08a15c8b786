"""The pricing scenario of a site: the project's own, or a template that fits its currency."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from tradearea import pricing
from tradearea.errors import InputError
from tradearea.formats import FORMATS
from tradearea.formats import format_key as canonical_format
from tradearea.project.workspace import project_data_file
from tradearea.settings import data_dir

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

__all__ = [
    "candidate_scenario",
    "lease_template",
    "pricing_format",
    "scenario_template",
]

# A ground-floor shop unit leased to one retailer, in a European city (EUR magnitudes):
# acquisition 700 /m² of gross area, refit 300 /m², base rent 9 /m²/month (a grocer's rent,
# about 4 % of its sales), sale price 1,440 /m² (the rent at a 7.5 % market yield), exit yield
# 6.5 %, discount rate 7 %, 10-year hold, no debt. Round, documented assumptions.
_LEASE_TEMPLATE: dict[str, Any] = {
    "site": {
        "format": "supermarket",
        "efficiency": 0.85,
        "floors": [{"name": "Ground floor", "level": 1, "area_m2": 1_200.0}],
    },
    "costs": {
        "land_cost_per_m2": 700.0, "construction_cost_per_m2": 300.0, "soft_cost_ratio": 0.10,
        "leasing_cost_ratio": 0.04, "nurturing_cost_ratio": 0.0, "nurturing_years": 0.0,
        "operating_cost_per_m2_month": 2.0, "cost_inflation": 0.02, "exit_cost_ratio": 0.02,
    },
    "rents": {
        "base_rent_per_m2_month": 9.0, "sale_price_per_m2": 1_440.0, "opening_rent_ratio": 1.0,
        "maturity_years": 0.0, "growth": 0.02, "step_every_years": 0.0, "step_increase": 0.0,
        "free_months": 3.0, "vacancy": 0.03, "collection_loss": 0.01,
    },
    "timing": {
        "construction_years": 1, "hold_years": 10, "leasing_start_months_before_opening": 6.0,
        "lease_up_months": 0.0, "occupancy_at_opening": 1.0,
    },
    "finance": {
        "discount_rate": 0.07, "market_yield": 0.075, "exit_yield": 0.065, "loan_to_cost": 0.0,
    },
    "business_model": {"mode": "lease"},
}  # fmt: skip
# Currencies whose magnitudes the lease template is written in (rents a month per m²).
_EUR_LIKE = ("EUR", "USD", "GBP", "CHF", "SGD", "HKD")


def pricing_format(fmt: str) -> str:
    """Return the pricing module's name of retail format ``fmt`` (``supermarket`` ...).

    Raises
    ------
    InputError
        If the format has no pricing name.
    """
    names = [fmt.replace("_", " ")]
    if fmt in FORMATS:
        names.insert(0, FORMATS[fmt].name_en.replace(" / brand", ""))
    for name in names:
        try:
            return canonical_format(name)
        except ValueError:
            continue
    msg = f"retail format {fmt!r} has no pricing defaults"
    raise InputError(msg, option="format")


def scenario_template(
    currency: str, *, name: str, floor_area_m2: float, format: str = "supermarket"
) -> dict[str, Any]:
    """Return the pricing template of a site for a project in ``currency``.

    CNY projects get the shipped shopping-podium example (``data/examples/scenario.toml``,
    yuan magnitudes) with the site's floor area; other currencies get a ground-floor lease
    template in EUR magnitudes (the description says so for a currency other than EUR). The
    name says it is a template: replace the assumptions with the project's own.

    Parameters
    ----------
    currency : str
        The project's currency code.
    name : str
        The site's name.
    floor_area_m2 : float
        Sales floor area of the unit.
    format : str
        Retail format key.

    Returns
    -------
    dict
        Inputs for :func:`tradearea.pricing.scenario_from_dict`.
    """
    code = str(currency).upper()
    example = data_dir() / "examples" / "scenario.toml"
    if code == "CNY" and example.is_file():
        data = pricing.scenario_to_dict(pricing.load_scenario(example))
        data["name"] = f"Template (CNY podium): {name}"
        data["description"] = (
            "Template: the shipped shopping-podium example in yuan; replace every assumption "
            "with the project's own on the Pricing page."
        )
        data["site"]["name"] = name
        return data
    data = copy.deepcopy(_LEASE_TEMPLATE)
    data["name"] = f"Template (lease): {name}"
    note = "" if code == "EUR" else f" The figures are EUR magnitudes, not {code}: replace them."
    data["description"] = (
        "Template: a ground-floor unit leased to one retailer (docs/pricing.md); replace the "
        f"assumptions with the project's own on the Pricing page.{note}"
    )
    data["site"]["name"] = name
    data["site"]["format"] = pricing_format(format)
    data["site"]["floors"][0]["area_m2"] = float(floor_area_m2)
    return data


def lease_template(name: str, floor_area_m2: float, *, format: str = "supermarket") -> dict:
    """Return the EUR lease template of a site (see :func:`scenario_template`)."""
    data = scenario_template("EUR", name=name, floor_area_m2=floor_area_m2, format=format)
    data["name"] = name
    return data


def project_scenario(project: Project, data: dict[str, Any], *, name: str) -> pricing.Scenario:
    """Build a scenario kept in ``project``: data, so a comparables file is read only beside it.

    ``market.comparables_file`` is resolved inside the project's folder
    (:func:`tradearea.project.workspace.project_data_file`); a path elsewhere on this computer
    is refused with a message that shows none of that file.

    Parameters
    ----------
    project : Project
        The project the scenario is kept in.
    data : dict
        The scenario's inputs as stored.
    name : str
        Its name, for messages.

    Returns
    -------
    tradearea.pricing.Scenario
    """
    data = dict(data)
    market = data.get("market")
    if isinstance(market, dict) and market.get("comparables_file"):
        setting = f"scenario {name!r} market.comparables_file"
        resolved = project_data_file(project, str(market["comparables_file"]), setting=setting)
        data["market"] = {**market, "comparables_file": str(resolved)}
    return pricing.scenario_from_dict(data, file=name)


def candidate_scenario(
    project: Project, candidate: dict[str, Any], *, scenario: Any = None
) -> tuple[pricing.Scenario, str]:
    """Return the pricing scenario of a site and where it came from.

    Parameters
    ----------
    project : Project
        The project.
    candidate : dict
        candidate_id (or store_id), name, format, floor_area_m2.
    scenario : Scenario, dict or str, optional
        Given scenario, inputs, or the name of a project scenario. By default the project
        scenario named after the site (its id or name), else :func:`scenario_template` for
        the project's currency.

    Returns
    -------
    tuple of (tradearea.pricing.Scenario, str)
        The scenario and its source (``given scenario``, ``project scenario 'X'`` or
        ``template``).
    """
    if isinstance(scenario, pricing.Scenario):
        return scenario, "given scenario"
    if isinstance(scenario, dict):
        return pricing.scenario_from_dict(scenario, file="scenario"), "given scenario"
    scenarios = dict(project.scenarios or {})
    if isinstance(scenario, str) and scenario:
        if scenario not in scenarios:
            known = ", ".join(scenarios) or "none"
            msg = f"no pricing scenario {scenario!r} in the project (scenarios: {known})"
            raise InputError(msg, option="scenario")
        return project_scenario(project, scenarios[scenario], name=scenario), (
            f"project scenario {scenario!r}"
        )
    sid = candidate.get("candidate_id", candidate.get("store_id"))
    keys = {str(sid).casefold(), str(candidate["name"]).casefold()}
    for key, data in scenarios.items():
        site_name = str((data.get("site") or {}).get("name", "")).casefold()
        if str(key).casefold() in keys or site_name in keys:
            return project_scenario(project, dict(data), name=str(key)), (
                f"project scenario {key!r}"
            )
    data = scenario_template(
        project.settings.currency,
        name=str(candidate["name"]),
        floor_area_m2=float(candidate["floor_area_m2"]),
        format=str(candidate["format"]),
    )
    return pricing.scenario_from_dict(data, file="template"), "template"
