"""One scenario's full pricing answer: price, rent, cash flows, returns, grid and tornado."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.pricing.model import evaluate
from tradearea.pricing.rent import (
    OCCUPANCY_COST_RATIOS,
    YIELD_RANGE,
    rent_capacity,
    tenant_sales_from_survey,
)
from tradearea.pricing.scenario import Scenario, scenario_to_dict
from tradearea.pricing.sensitivity import scenario_grid, tornado
from tradearea.pricing.valuation import (
    cost_price,
    market_comparison,
    price_from_rent,
    read_comparables,
    reconcile,
)


def comparables_table(scenario: Scenario) -> tuple[pd.DataFrame | None, str | None]:
    """The scenario's comparable shops: inline ``market.comparables`` or ``comparables_file``.

    Returns
    -------
    tuple of (pandas.DataFrame or None, str or None)
        The table (None if the scenario has none) and the file it came from.
    """
    market = scenario.market
    if market.comparables:
        return pd.DataFrame(market.comparables), None
    if market.comparables_file:
        path = Path(market.comparables_file)
        if not path.is_file():
            msg = f"comparables file not found: {path}"
            raise InputError(msg, column="market.comparables_file")
        return read_comparables(path), str(path)
    return None, None


def tenant_sales(scenario: Scenario) -> tuple[float | None, str | None]:
    """Yearly tenant sales: the given forecast (e.g. Huff) or the survey estimate, with source."""
    market = scenario.market
    if market.tenant_sales_per_year is not None:
        return market.tenant_sales_per_year, "forecast"
    if market.households is not None and market.monthly_spending_per_household is not None:
        sales = tenant_sales_from_survey(
            market.households,
            market.monthly_spending_per_household,
            capture_share=market.capture_share,
        )
        return float(sales), "survey estimate"
    return None, None


def price_and_rent(scenario: Scenario) -> dict[str, Any]:
    """Sale price by three methods reconciled, and rent by yield, market and capacity.

    Every value is per m² of the base unit (ground floor, standard position); multiply by a
    floor's multiplier for that floor. The cost price spreads land and building costs over the
    price-weighted net area, so that selling every floor at its multiplier recovers the cost.

    Returns
    -------
    dict
        ``price`` (cost, market, income, weights, reconciled), ``rent`` (yield, yield range for
        a 6–12 year payback, market, capacity, the scenario's rent) and ``floors``.
    """
    site, costs, rents, market = scenario.site, scenario.costs, scenario.rents, scenario.market
    floors = site.floors
    net_area = sum(f.area_m2 for f in floors)
    value_area = sum(f.area_m2 * f.price_factor() for f in floors)
    rent_area = sum(f.area_m2 * f.rent_factor() for f in floors)
    gfa = site.gross_floor_area_m2 or net_area / site.efficiency
    land = costs.land_cost_per_m2 * gfa / value_area
    build = costs.construction_cost_per_m2 * (1 + costs.soft_cost_ratio) * gfa / value_area
    cost = cost_price(
        land,
        build,
        promotion_ratio=costs.sales_cost_ratio,
        leasing_ratio=costs.leasing_cost_ratio,
        nurturing_ratio=costs.nurturing_cost_ratio,
    )
    comps, comps_file = comparables_table(scenario)
    market_price = market_rent = None
    if comps is not None and "price_per_m2" in comps.columns:
        market_price = market_comparison(comps, value_column="price_per_m2", file=comps_file)
    if comps is not None and "rent_per_m2_month" in comps.columns:
        market_rent = market_comparison(comps, value_column="rent_per_m2_month", file=comps_file)
    income = price_from_rent(rents.base_rent_per_m2_month * 12, scenario.finance.market_yield)
    reconciliation = reconcile(
        {
            "cost": cost.long_term,
            "market": market_price.value if market_price else None,
            "income": income,
        },
        weights={
            "cost": market.weight_cost,
            "market": market.weight_market,
            "income": market.weight_income,
        },
    )
    sales, sales_source = tenant_sales(scenario)
    ratio = market.occupancy_cost_ratio or OCCUPANCY_COST_RATIOS[site.format]
    capacity = None
    if sales is not None:
        capacity = rent_capacity(sales, occupancy_cost_ratio=ratio) / rent_area / 12
    price = rents.sale_price_per_m2
    return {
        "price": {
            "cost_short_term": cost.short_term,
            "cost_long_term": cost.long_term,
            "cost_items": {
                "land": land,
                "construction": build,
                "promotion": cost.promotion,
                "leasing": cost.leasing,
                "nurturing": cost.nurturing,
            },
            "market": market_price.value if market_price else None,
            "income": income,
            "weights": reconciliation.weights,
            "reconciled": reconciliation.value,
            "scenario": price,
            "comparables": _records(market_price.table) if market_price else [],
        },
        "rent": {
            "yield": price * scenario.finance.market_yield / 12,
            "yield_range": [price * YIELD_RANGE[0] / 12, price * YIELD_RANGE[1] / 12],
            "market_yield": scenario.finance.market_yield,
            "market": market_rent.value if market_rent else None,
            "capacity": capacity,
            "tenant_sales_per_year": sales,
            "tenant_sales_source": sales_source,
            "occupancy_cost_ratio": ratio,
            "scenario": rents.base_rent_per_m2_month,
            "affordable": None if capacity is None else rents.base_rent_per_m2_month <= capacity,
            "comparables": _records(market_rent.table) if market_rent else [],
        },
        "floors": floor_table(scenario).to_dict(orient="records"),
    }


def floor_table(scenario: Scenario) -> pd.DataFrame:
    """Per floor (or unit): area, multipliers, rent and price per m², and whether it is sold."""
    model = scenario.business_model
    rows = []
    for floor in scenario.site.floors:
        sold = model.mode == "sell" or (model.mode == "mixed" and floor.name in model.sold_floors)
        rows.append(
            {
                "floor": floor.name,
                "level": floor.level,
                "area_m2": floor.area_m2,
                "rent_multiplier": floor.rent_factor(),
                "price_multiplier": floor.price_factor(),
                "rent_per_m2_month": scenario.rents.base_rent_per_m2_month * floor.rent_factor(),
                "price_per_m2": scenario.rents.sale_price_per_m2 * floor.price_factor(),
                "sold": sold,
            }
        )
    return pd.DataFrame(rows)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def analyse(
    scenario: Scenario,
    *,
    grid: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    with_tornado: bool = True,
) -> dict[str, Any]:
    """Everything the CLI writes for one scenario, as JSON-ready data.

    Parameters
    ----------
    scenario : Scenario
        The inputs.
    grid : mapping of str to sequence of float, optional
        Inputs to vary together (see :func:`scenario_grid`).
    with_tornado : bool
        Include the tornado of IRR.

    Returns
    -------
    dict
        ``scenario`` (inputs), ``price``, ``rent``, ``floors``, ``investment`` (``years``,
        ``cash_flows`` by line, ``metrics``), optionally ``grid`` and ``tornado``. NaN is None.
    """
    result: dict[str, Any] = {"scenario": scenario_to_dict(scenario)}
    result.update(price_and_rent(scenario))
    evaluation = evaluate(scenario)
    table = evaluation.cash_flow_table()
    result["investment"] = {
        "years": [int(y) for y in table.index],
        "cash_flows": {col: table[col].tolist() for col in table.columns},
        "metrics": evaluation.summary(),
    }
    if grid:
        frame = scenario_grid(scenario, grid)
        result["grid"] = {"keys": list(grid), "size": len(frame), "rows": _records(frame)}
    if with_tornado:
        result["tornado"] = _records(tornado(scenario))
    return json_ready(result)


def json_ready(value: Any) -> Any:
    """Turn numpy scalars into Python numbers and NaN/inf into None, recursively."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
