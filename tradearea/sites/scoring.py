"""The weighted site-selection scorecard: factors of DOMAIN.md §3 scaled 0–100 and weighted."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# Site-selection factors of DOMAIN.md §3 that the tool can measure per candidate, with the
# direction in which a factor is better (+1 more is better, -1 less is better) and a default weight.
SCORECARD_FACTORS: dict[str, dict[str, Any]] = {
    "households_primary": {
        "label": "Households in the primary area",
        "label_zh": "第一商圈户数",
        "direction": 1,
        "weight": 20,
    },
    "expected_sales": {
        "label": "Expected sales (Huff)",
        "label_zh": "预计销售额",
        "direction": 1,
        "weight": 25,
    },
    "irs_after": {
        "label": "IRS after opening",
        "label_zh": "开业后零售饱和指数",
        "direction": 1,
        "weight": 15,
    },
    "competitors_primary": {
        "label": "Competitors in the primary area",
        "label_zh": "第一商圈竞争店数",
        "direction": -1,
        "weight": 10,
    },
    "transit_stops": {
        "label": "Transit stops within 300 m",
        "label_zh": "300米内公交站",
        "direction": 1,
        "weight": 10,
    },
    "irr": {"label": "Project IRR", "label_zh": "内部收益率", "direction": 1, "weight": 10},
    "taboos": {"label": "Taboos found", "label_zh": "选址禁忌数", "direction": -1, "weight": 10},
}


def scorecard(
    candidates: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
    factors: dict[str, dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Score candidates on weighted site-selection factors (0–100 each, weighted total).

    Each factor is scaled across the candidates to 0–100 (min–max; 100 is the best candidate
    for that factor given its direction; equal values all score 100). Missing values score 0.
    The total is the weighted mean of the factor scores; weights need not add up to 100.

    Parameters
    ----------
    candidates : pandas.DataFrame
        One row per candidate (index = candidate name or id) with a column per factor.
    weights : dict, optional
        Factor -> weight (default: the weights in :data:`SCORECARD_FACTORS`). A weight of 0
        drops the factor.
    factors : dict, optional
        Factor definitions (default :data:`SCORECARD_FACTORS`).

    Returns
    -------
    pandas.DataFrame
        ``score_<factor>`` columns, ``total`` and ``rank`` (1 = best), same index.
    """
    factors = factors or SCORECARD_FACTORS
    weights = {k: float(v["weight"]) for k, v in factors.items()} | dict(weights or {})
    if any(w < 0 for w in weights.values()):
        msg = "scorecard weights must not be negative"
        raise ValueError(msg)
    used = [k for k in factors if k in candidates.columns and weights.get(k, 0) > 0]
    if not used:
        msg = "no scorecard factor with a positive weight is present in the candidates table"
        raise ValueError(msg)
    out = pd.DataFrame(index=candidates.index)
    total = np.zeros(len(candidates))
    for key in used:
        values = pd.to_numeric(candidates[key], errors="coerce").astype(float)
        lo, hi = values.min(), values.max()
        if not np.isfinite(lo) or hi == lo:
            scaled = pd.Series(np.where(values.notna(), 100.0, 0.0), index=values.index)
        else:
            scaled = (values - lo) / (hi - lo) * 100.0
            if factors[key]["direction"] < 0:
                scaled = 100.0 - scaled
            scaled = scaled.fillna(0.0)
        out[f"score_{key}"] = scaled.round(2)
        total += scaled.to_numpy() * weights[key]
    out["total"] = np.round(total / sum(weights[k] for k in used), 2)
    out["rank"] = out["total"].rank(ascending=False, method="min").astype(int)
    return out
