"""Dask engine (layer 4): Dask twins of the analysis functions, registered on import (docs/scale.md).

An optional plugin: the pandas library never imports it. Importing it registers each twin with
:mod:`tradearea._core.dispatch`, which loads it by name when a Dask frame first reaches a pandas
function.
"""

from __future__ import annotations

from tradearea.scale._dask import is_dask, to_dask
from tradearea.scale.candidates import forecast_candidates, irs_for_candidates
from tradearea.scale.cluster import dask_client
from tradearea.scale.crm import (
    customer_value,
    customers_from_transactions,
    lifecycle_stage,
    pareto_share,
    reference_date,
    retention_rate_estimate,
    rfm_scores,
)
from tradearea.scale.crm_tables import (
    CustomerTables,
    analyse_customers,
    segment_tier_table,
    valuable_penetration,
    winback_list,
)
from tradearea.scale.geocoding import geocode_frame
from tradearea.scale.huff import huff_model, huff_model_to_parquet, huff_probabilities
from tradearea.scale.irs import irs_by_trade_area
from tradearea.scale.select import order_statistics
from tradearea.scale.tiers import assign_tiers

__all__ = [
    "CustomerTables",
    "analyse_customers",
    "assign_tiers",
    "customer_value",
    "customers_from_transactions",
    "dask_client",
    "forecast_candidates",
    "geocode_frame",
    "huff_model",
    "huff_model_to_parquet",
    "huff_probabilities",
    "irs_by_trade_area",
    "irs_for_candidates",
    "is_dask",
    "lifecycle_stage",
    "order_statistics",
    "pareto_share",
    "reference_date",
    "retention_rate_estimate",
    "rfm_scores",
    "segment_tier_table",
    "to_dask",
    "valuable_penetration",
    "winback_list",
]
