"""CRM link: customer value, RFM segments, lifecycle, dedup, tied to the trade-area tiers."""

from __future__ import annotations

from tradearea.crm.dedup import (
    candidate_pairs,
    find_duplicates,
    match_keys,
    normalise_addresses,
    normalise_emails,
    normalise_names,
    normalise_phones,
    score_pairs,
)
from tradearea.crm.export import (
    EXPORT_COLUMNS,
    crm_export_bytes,
    crm_export_table,
    write_crm_export,
)
from tradearea.crm.io import PERSONAL_FIELDS, SYNONYMS, CrmImport, map_columns, read_crm
from tradearea.crm.link import (
    TIER_LABELS,
    TIER_ORDER,
    assign_tiers,
    crm_hex_layer,
    segment_tier_pivot,
    segment_tier_table,
    valuable_penetration,
    winback_list,
)
from tradearea.crm.merge import (
    duplicate_groups,
    link_respondents,
    merge_customers,
    merge_log,
    remap_customer_ids,
)
from tradearea.crm.pipeline import CrmResult, analyse_crm
from tradearea.crm.value import (
    LIFECYCLE,
    SEGMENTS,
    clv_discounted,
    clv_simple,
    customer_value,
    customers_from_transactions,
    lifecycle_stage,
    net_profitability,
    pareto_share,
    retention_rate_estimate,
    rfm_scores,
)

rfm = rfm_scores

__all__ = [
    "EXPORT_COLUMNS",
    "LIFECYCLE",
    "PERSONAL_FIELDS",
    "SEGMENTS",
    "SYNONYMS",
    "TIER_LABELS",
    "TIER_ORDER",
    "CrmImport",
    "CrmResult",
    "analyse_crm",
    "assign_tiers",
    "candidate_pairs",
    "clv_discounted",
    "clv_simple",
    "crm_export_bytes",
    "crm_export_table",
    "crm_hex_layer",
    "customer_value",
    "customers_from_transactions",
    "duplicate_groups",
    "find_duplicates",
    "lifecycle_stage",
    "link_respondents",
    "map_columns",
    "match_keys",
    "merge_customers",
    "merge_log",
    "net_profitability",
    "normalise_addresses",
    "normalise_emails",
    "normalise_names",
    "normalise_phones",
    "pareto_share",
    "read_crm",
    "remap_customer_ids",
    "retention_rate_estimate",
    "rfm",
    "rfm_scores",
    "score_pairs",
    "segment_tier_pivot",
    "segment_tier_table",
    "valuable_penetration",
    "winback_list",
    "write_crm_export",
]
