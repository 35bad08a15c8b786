"""The site scorecard: market, site and tenant factors in the total; the landlord's return apart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

# Who a factor speaks for (DOMAIN.md §3 and §6), in English and Chinese. The total ranks sites
# on the market, the site and the tenant's side; the landlord's return is scored on its own and
# never counts in the total, so a rent the trade area cannot carry never lifts a site's rank.
SIDES: dict[str, tuple[str, str]] = {
    "market": ("Market", "市场"),
    "site": ("Site", "店址"),
    "tenant": ("Tenant", "租户"),
    "landlord": ("Landlord", "业主"),
}
SIDES_IN_TOTAL: tuple[str, ...] = ("market", "site", "tenant")

# ASSUMPTION: a tenant is comfortable while its occupancy cost stays at or below 80 % of what
# its format carries (the threshold behind the rent capacity, tradearea.pricing's
# OCCUPANCY_COST_RATIOS); the score falls to 0 at the threshold itself.
OCCUPANCY_COMFORT = 0.8

# Factors the tool measures per site: their side, the direction in which a factor is better
# (+1 more is better, -1 less is better), a default weight, and how a value becomes 0–100:
# ``relative`` (min–max across the sites), ``share_of_best`` (positive values as a share of
# the best one; 0 and below score 0) or ``threshold`` (the occupancy-cost ratio against the
# format's threshold, absolute); ``kind`` says how its value is shown (int, money, pct ...).
SCORECARD_FACTORS: dict[str, dict[str, Any]] = {
    "households_primary": {
        "label": "Market: households in the primary area",
        "label_zh": "市场：第一商圈户数",
        "side": "market",
        "direction": 1,
        "weight": 15,
        "scale": "relative",
        "kind": "int",
    },
    "expected_sales": {
        "label": "Market: expected sales (Huff)",
        "label_zh": "市场：预计销售额",
        "side": "market",
        "direction": 1,
        "weight": 20,
        "scale": "relative",
        "kind": "money",
    },
    "irs_after": {
        "label": "Market: IRS after opening",
        "label_zh": "市场：开业后零售饱和指数",
        "side": "market",
        "direction": 1,
        "weight": 15,
        "scale": "relative",
        "kind": "money2",
    },
    "competitors_primary": {
        "label": "Market: competitors in the primary area",
        "label_zh": "市场：第一商圈竞争店数",
        "side": "market",
        "direction": -1,
        "weight": 10,
        "scale": "relative",
        "kind": "int",
    },
    "transit_stops": {
        "label": "Site: transit stops within 300 m",
        "label_zh": "店址：300米内公交站",
        "side": "site",
        "direction": 1,
        "weight": 5,
        "scale": "relative",
        "kind": "int",
    },
    "taboos": {
        "label": "Site: taboos found",
        "label_zh": "店址：选址禁忌数",
        "side": "site",
        "direction": -1,
        "weight": 10,
        "scale": "relative",
        "kind": "int",
    },
    "rent_headroom": {
        "label": "Tenant: rent headroom (capacity − tested rent)",
        "label_zh": "租户：租金余量（承受力 − 测试租金）",
        "side": "tenant",
        "direction": 1,
        "weight": 15,
        "scale": "share_of_best",
        "kind": "money2",
    },
    "occupancy_cost_ratio": {
        "label": "Tenant: occupancy-cost ratio (rent ÷ sales)",
        "label_zh": "租户：租售比（租金 ÷ 销售额）",
        "side": "tenant",
        "direction": -1,
        "weight": 10,
        "scale": "threshold",
        "kind": "pct",
    },
    "irr": {
        "label": "Landlord: IRR",
        "label_zh": "业主：内部收益率",
        "side": "landlord",
        "direction": 1,
        "weight": 10,
        "scale": "relative",
        "kind": "pct",
    },
    "payback_years": {
        "label": "Landlord: payback period",
        "label_zh": "业主：投资回收期",
        "side": "landlord",
        "direction": -1,
        "weight": 5,
        "scale": "relative",
        "kind": "years",
    },
}


def rent_factors(table: pd.DataFrame) -> pd.DataFrame:
    """Return the tenant's rent figures of each site, derived from its rent and rent capacity.

    ``rent_headroom = rent_capacity − scenario_rent`` (money per m² per month: how far the
    tested rent could rise before the trade area's sales stop carrying it),
    ``rent_to_capacity = scenario_rent / rent_capacity``, ``carries_rent`` (True when the rent
    is at most the capacity; missing when either is unknown) and ``occupancy_cost_ratio =
    occupancy_threshold × rent_to_capacity``, which is rent ÷ tenant sales because the capacity
    is tenant sales × threshold (DOMAIN.md §6). Columns the table already has are kept.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per site with some of ``rent_capacity``, ``scenario_rent`` (both per m² per
        month), ``occupancy_threshold`` (the format's occupancy-cost ratio),
        ``occupancy_cost_ratio``, ``rent_headroom``.

    Returns
    -------
    pandas.DataFrame
        ``rent_headroom``, ``rent_to_capacity``, ``occupancy_cost_ratio``,
        ``occupancy_threshold`` (float, NaN where unknown) and ``carries_rent`` (object: True,
        False or None), same index.
    """

    def col(name: str) -> pd.Series:
        if name not in table:
            return pd.Series(np.nan, index=table.index, dtype=float)
        values = pd.to_numeric(table[name], errors="coerce").astype(float)
        return values.where(np.isfinite(values))

    capacity, rent = col("rent_capacity"), col("scenario_rent")
    threshold = col("occupancy_threshold")
    with np.errstate(divide="ignore", invalid="ignore"):
        to_capacity = pd.Series(
            np.where(capacity > 0, rent / capacity, np.where(rent > 0, np.inf, np.nan)),
            index=table.index,
        )
    headroom = col("rent_headroom").fillna(capacity - rent)
    ratio = col("occupancy_cost_ratio").fillna(threshold * to_capacity)
    to_capacity = to_capacity.fillna(ratio / threshold)
    known = to_capacity.notna() | headroom.notna()
    fits = (to_capacity <= 1.0).where(to_capacity.notna(), headroom >= 0)
    carries = pd.Series(
        [bool(f) if k else None for f, k in zip(fits, known, strict=True)],
        index=table.index,
        dtype=object,
    )
    return pd.DataFrame(
        {
            "rent_headroom": headroom,
            "rent_to_capacity": to_capacity,
            "occupancy_cost_ratio": ratio,
            "occupancy_threshold": threshold,
            "carries_rent": carries,
        },
        index=table.index,
    )


def _relative(values: pd.Series, direction: int) -> pd.Series:
    lo, hi = values.min(), values.max()
    if not np.isfinite(lo) or hi == lo:
        return pd.Series(np.where(values.notna(), 100.0, 0.0), index=values.index)
    scaled = (values - lo) / (hi - lo) * 100.0
    if direction < 0:
        scaled = 100.0 - scaled
    return scaled.fillna(0.0)


def _share_of_best(values: pd.Series) -> pd.Series:
    positive = values.clip(lower=0.0).fillna(0.0)
    best = float(positive.max()) if len(positive) else 0.0
    if best <= 0:
        return pd.Series(0.0, index=values.index)
    return positive / best * 100.0


def _against_threshold(to_threshold: pd.Series, comfort: float) -> pd.Series:
    """100 at or below ``comfort`` × the threshold, 0 at or above it, linear in between."""
    scaled = (1.0 - to_threshold) / (1.0 - comfort) * 100.0
    return scaled.clip(lower=0.0, upper=100.0).fillna(0.0)


def scorecard(
    candidates: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
    factors: dict[str, dict[str, Any]] | None = None,
    comfort: float = OCCUPANCY_COMFORT,
    rent_gate: bool = True,
) -> pd.DataFrame:
    """Score sites on weighted factors, the tenant's side and the landlord's return apart.

    Each factor becomes a 0–100 score (100 is best). ``relative`` factors are scaled min–max
    across the sites (equal values all score 100). The tenant's rent headroom (rent capacity
    − tested rent) scores its positive part as a share of the best site's headroom: a site
    whose rent is at or above its capacity scores 0. The occupancy-cost ratio (rent ÷ expected
    sales) scores against the format's threshold: 100 up to ``comfort`` × the threshold, 0 at
    the threshold and above. Missing values score 0.

    ``tenant_score`` and ``landlord_score`` are the weighted means of each side's factors.
    ``total`` is the weighted mean of the market, site and tenant factors; the landlord's
    return (IRR, payback) is **never** in it, because it rises with the rent: raising the
    tested rent of a site never raises its tenant score, its total or its rank. With
    ``rent_gate``, sites whose rent is above what their trade area carries rank after every
    site that carries its rent (or whose capacity is unknown).

    Parameters
    ----------
    candidates : pandas.DataFrame
        One row per site (index = site id) with a column per factor. The tenant's factors are
        derived by :func:`rent_factors` from ``rent_capacity`` and ``scenario_rent`` (and
        ``occupancy_threshold``) when the table has those instead.
    weights : dict, optional
        Factor -> weight (default: the weights in :data:`SCORECARD_FACTORS`). A weight of 0
        drops the factor.
    factors : dict, optional
        Factor definitions (default :data:`SCORECARD_FACTORS`).
    comfort : float
        Share of the occupancy-cost threshold up to which the occupancy-cost ratio scores 100
        (default :data:`OCCUPANCY_COMFORT`).
    rent_gate : bool
        Rank sites that cannot carry their rent after the others.

    Returns
    -------
    pandas.DataFrame
        ``score_<factor>`` per weighted factor present, ``tenant_score``, ``landlord_score``
        (NaN when the side has no factor), ``total`` (0–100), ``carries_rent`` (True, False or
        None) and ``rank`` (1 = best), same index.

    Raises
    ------
    ValueError
        On a negative weight, a ``comfort`` outside [0, 1), or no market, site or tenant factor
        with a positive weight in the table.
    """
    factors = factors or SCORECARD_FACTORS
    weights = {k: float(v["weight"]) for k, v in factors.items()} | dict(weights or {})
    if any(w < 0 for w in weights.values()):
        msg = "scorecard weights must not be negative"
        raise ValueError(msg)
    if not 0 <= comfort < 1:
        msg = f"comfort must be at least 0 and below 1, not {comfort!r}"
        raise ValueError(msg)
    rent = rent_factors(candidates)
    table = candidates.copy()
    for key in ("rent_headroom", "occupancy_cost_ratio"):
        given = key in table and pd.to_numeric(table[key], errors="coerce").notna().any()
        if not given and rent[key].notna().any():
            table[key] = rent[key]
    used = [k for k in factors if k in table.columns and weights.get(k, 0) > 0]
    counted = [k for k in used if factors[k].get("side", "market") in SIDES_IN_TOTAL]
    if not counted:
        msg = (
            "no scorecard factor with a positive weight is present in the candidates table "
            "(the landlord's return is scored apart and never counts in the total)"
        )
        raise ValueError(msg)
    out = pd.DataFrame(index=candidates.index)
    for key in used:
        spec = factors[key]
        values = pd.to_numeric(table[key], errors="coerce").astype(float)
        scale = spec.get("scale", "relative")
        if scale == "share_of_best":
            scaled = _share_of_best(values if spec["direction"] > 0 else -values)
        elif scale == "threshold":
            scaled = _against_threshold(rent["rent_to_capacity"], comfort)
            if rent["rent_to_capacity"].isna().all():
                scaled = _relative(values, spec["direction"])
        else:
            scaled = _relative(values, spec["direction"])
        out[f"score_{key}"] = scaled.round(2)
    for side in ("tenant", "landlord"):
        keys = [k for k in used if factors[k].get("side") == side]
        out[f"{side}_score"] = _weighted(out, keys, weights) if keys else np.nan
    out["total"] = _weighted(out, counted, weights)
    out["carries_rent"] = rent["carries_rent"]
    gate = out["carries_rent"].map(lambda v: v is False) if rent_gate else False
    ordering = out["total"] - np.where(gate, 1000.0, 0.0)
    out["rank"] = ordering.rank(ascending=False, method="min").astype(int)
    return out


def _weighted(scores: pd.DataFrame, keys: list[str], weights: dict[str, float]) -> pd.Series:
    total = sum(scores[f"score_{k}"] * weights[k] for k in keys)
    return (total / sum(weights[k] for k in keys)).round(2)


def factor_label(key: str, *, lang: str = "en") -> str:
    """Return the label of scorecard factor ``key`` in English (``en``) or Chinese (``zh``)."""
    spec = SCORECARD_FACTORS.get(key)
    if spec is None:
        return key
    return str(spec["label_zh"] if lang == "zh" else spec["label"])


def scorecard_table(
    values: Mapping[str, Any],
    scores: Mapping[str, Any] | None = None,
    *,
    factors: dict[str, dict[str, Any]] | None = None,
) -> pd.DataFrame:
    """Return one site's scorecard as a table a person reads: one row per factor, then totals.

    Parameters
    ----------
    values : mapping
        The site's factor values (NaN or absent where unknown).
    scores : mapping, optional
        The site's row of :func:`scorecard` (``score_<factor>``, ``tenant_score``,
        ``landlord_score``, ``total``); scores are NaN without it.
    factors : dict, optional
        Factor definitions (default :data:`SCORECARD_FACTORS`).

    Returns
    -------
    pandas.DataFrame
        side, factor, factor_zh, value, weight, score and kind (how ``value`` is shown), one
        row per factor in side order, then "Tenant score", "Landlord score (not in the
        total)" and "Total" rows.
    """
    factors = factors or SCORECARD_FACTORS
    scores = scores or {}

    def score(key: str) -> float:
        value = pd.to_numeric(pd.Series([scores.get(key)]), errors="coerce").iloc[0]
        return float(value)

    rows = [
        {
            "side": SIDES[spec["side"]][0],
            "factor": spec["label"],
            "factor_zh": spec["label_zh"],
            "value": values.get(key, np.nan),
            "weight": float(spec["weight"]),
            "score": score(f"score_{key}"),
            "kind": spec.get("kind", "float2"),
        }
        for key, spec in factors.items()
    ]
    for key, side, label, label_zh in (
        ("tenant_score", "Tenant", "Tenant score", "租户得分"),
        (
            "landlord_score",
            "Landlord",
            "Landlord score (not in the total)",
            "业主得分（不计入总分）",
        ),
        ("total", "Total", "Total: market, site and tenant", "综合得分：市场、店址与租户"),
    ):
        rows.append(
            {"side": side, "factor": label, "factor_zh": label_zh, "value": np.nan,
             "weight": np.nan, "score": score(key), "kind": "float1"}
        )  # fmt: skip
    out = pd.DataFrame(rows)
    out["value"] = out["value"].astype(object)
    return out
