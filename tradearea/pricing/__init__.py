"""Shop pricing for lease and sale: prices, rents, investment returns and scenarios."""

from __future__ import annotations

# the format keys and their lookup live in tradearea.formats; pricing.FORMATS and
# pricing.canonical_format name them for scenario files
from tradearea.formats import FORMAT_KEYS as FORMATS
from tradearea.formats import format_key as canonical_format
from tradearea.pricing.finance import equity_multiple, irr, irr_count, npv, payback_period
from tradearea.pricing.model import METRICS, PROJECT_LINES, Evaluation, evaluate
from tradearea.pricing.rent import (
    OCCUPANCY_COST_RATIOS,
    YIELD_RANGE,
    floor_multiplier,
    position_multiplier,
    rent_capacity,
    rent_from_yield,
    tenant_sales_from_survey,
    yield_from_payback,
)
from tradearea.pricing.report import (
    analyse,
    comparables_table,
    floor_table,
    json_ready,
    price_and_rent,
    tenant_sales,
)
from tradearea.pricing.scenario import (
    ENGINE_KEYS,
    GROUPS,
    NUMERIC_KEYS,
    Scenario,
    bounds,
    defaults_used,
    describe_range,
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
    with_inputs,
)
from tradearea.pricing.sensitivity import (
    TORNADO_KEYS,
    compare,
    grid_pivot,
    parse_grid_spec,
    scenario_grid,
    swing_values,
    tornado,
)
from tradearea.pricing.valuation import (
    CostPrice,
    MarketComparison,
    Reconciliation,
    cost_price,
    market_comparison,
    price_from_rent,
    read_comparables,
    reconcile,
)

__all__ = [
    "ENGINE_KEYS",
    "FORMATS",
    "GROUPS",
    "METRICS",
    "NUMERIC_KEYS",
    "OCCUPANCY_COST_RATIOS",
    "PROJECT_LINES",
    "TORNADO_KEYS",
    "YIELD_RANGE",
    "CostPrice",
    "Evaluation",
    "MarketComparison",
    "Reconciliation",
    "Scenario",
    "analyse",
    "bounds",
    "canonical_format",
    "comparables_table",
    "compare",
    "cost_price",
    "defaults_used",
    "describe_range",
    "equity_multiple",
    "evaluate",
    "floor_multiplier",
    "floor_table",
    "grid_pivot",
    "irr",
    "irr_count",
    "json_ready",
    "load_scenario",
    "market_comparison",
    "npv",
    "parse_grid_spec",
    "payback_period",
    "position_multiplier",
    "price_and_rent",
    "price_from_rent",
    "read_comparables",
    "reconcile",
    "rent_capacity",
    "rent_from_yield",
    "scenario_from_dict",
    "scenario_grid",
    "scenario_to_dict",
    "swing_values",
    "tenant_sales",
    "tenant_sales_from_survey",
    "tornado",
    "with_inputs",
    "yield_from_payback",
]
