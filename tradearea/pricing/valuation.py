"""Sale price of shop space: cost, market-comparison and income methods, and reconciliation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.io.tables import SynonymTable, read_table, rename_columns

ADJUSTMENT_COLUMNS = (
    "location_adj",
    "floor_adj",
    "frontage_adj",
    "size_adj",
    "age_adj",
    "time_adj",
)
# Comparable columns and their English / Chinese spellings, for the one header-mapping engine.
COMPARABLE_COLUMNS = SynonymTable(
    {
        "price_per_m2": ("price", "售价", "单价", "成交单价"),
        "rent_per_m2_month": ("rent", "租金", "月租金"),
        "location_adj": ("区位修正", "位置修正"),
        "floor_adj": ("楼层修正",),
        "frontage_adj": ("临街修正", "面宽修正"),
        "size_adj": ("面积修正",),
        "age_adj": ("楼龄修正", "新旧修正"),
        "time_adj": ("时间修正", "交易日期修正"),
        "weight": ("权重",),
        "name": ("名称",),
    }
)


# --- sale price -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostPrice:
    """Sale price by the cost method (per m² or in total, as the inputs were)."""

    short_term: float
    long_term: float
    promotion: float
    leasing: float
    nurturing: float


def cost_price(
    land_cost: float,
    construction_cost: float,
    *,
    promotion_ratio: float = 0.02,
    leasing_ratio: float = 0.04,
    nurturing_ratio: float = 0.09,
) -> CostPrice:
    """Sale price by the cost method (成本法), short and long term (DOMAIN.md §4).

    Short term = land + construction. Long term adds the promotion (sales), leasing-agency and
    market-nurturing (旺场费) costs, each a share of the value itself, so
    ``long = short + (promotion + leasing + nurturing) × long``, i.e.
    ``long = short / (1 - promotion - leasing - nurturing)``.

    Parameters
    ----------
    land_cost, construction_cost : float
        Per m² (or totals); include soft costs in ``construction_cost``.
    promotion_ratio, leasing_ratio, nurturing_ratio : float
        Shares of value; DOMAIN.md defaults 2 %, 4 % and 9 %.

    Returns
    -------
    CostPrice
        ``short_term``, ``long_term`` and the three cost items inside the long-term price.
    """
    ratios = promotion_ratio + leasing_ratio + nurturing_ratio
    if min(promotion_ratio, leasing_ratio, nurturing_ratio) < 0 or ratios >= 1:
        msg = f"promotion, leasing and nurturing ratios must be >= 0 and sum below 1; got {ratios}"
        raise ValueError(msg)
    short = float(land_cost) + float(construction_cost)
    long = short / (1.0 - ratios)
    return CostPrice(
        short_term=short,
        long_term=long,
        promotion=promotion_ratio * long,
        leasing=leasing_ratio * long,
        nurturing=nurturing_ratio * long,
    )


def price_from_rent(annual_rent: Any, yield_rate: Any) -> Any:
    """Sale price by the income method: annual rent ÷ yield.

    Parameters
    ----------
    annual_rent : float or array_like
        Rent per year (per m² or total).
    yield_rate : float or array_like
        Gross yield, e.g. 0.1 for a 10-year payback.

    Returns
    -------
    float or numpy.ndarray
        The price.
    """
    yields = np.asarray(yield_rate, dtype=float)
    if np.any(yields <= 0):
        msg = "yield must be positive"
        raise ValueError(msg)
    out = np.asarray(annual_rent, dtype=float) / yields
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class MarketComparison:
    """Result of the market-comparison method: the adjusted comparables and their weighted value."""

    value: float
    value_column: str
    table: pd.DataFrame = field(repr=False)


def read_comparables(path: str | Path) -> pd.DataFrame:
    """Read a CSV of comparable shops (UTF-8 or GB18030; English or Chinese headers).

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV with ``price_per_m2`` and/or ``rent_per_m2_month``, optional adjustment columns
        (:data:`ADJUSTMENT_COLUMNS`), ``weight`` and ``name``.

    Returns
    -------
    pandas.DataFrame
        With canonical column names.
    """
    # the shared hardened reader: size limit, encodings, delimiter, column limit
    return read_table(Path(path), aliases=COMPARABLE_COLUMNS)


def market_comparison(
    comparables: pd.DataFrame, *, value_column: str = "price_per_m2", file: str | None = None
) -> MarketComparison:
    """Value a shop from comparable shops (市场比较法), adjusted and weighted.

    Each comparable's value is multiplied by ``(1 + adj)`` for every adjustment column
    (location, floor, frontage, size, age and time; missing columns count as 0). An
    adjustment is positive when the subject shop is better than the comparable on that factor:
    ``location_adj = 0.05`` means the subject's location is worth 5 % more. The result is the
    weighted mean of the adjusted values (``weight`` column, equal weights if absent).

    Parameters
    ----------
    comparables : pandas.DataFrame
        One row per comparable shop.
    value_column : str
        ``"price_per_m2"`` (sale price) or ``"rent_per_m2_month"`` (rent).
    file : str, optional
        The file the table came from, for error messages.

    Returns
    -------
    MarketComparison
        ``value`` and the ``table`` with ``adjustment``, ``adjusted`` and ``weight_share``.
    """
    frame = rename_columns(comparables, COMPARABLE_COLUMNS)
    if value_column not in frame.columns:
        msg = f"comparables need a {value_column!r} column"
        raise InputError(msg, file=file, column=value_column)
    frame = frame.reset_index(drop=True)
    if frame.empty:
        raise InputError("no comparable has a value", file=file, column=value_column)
    values = _numeric_column(frame, value_column, file=file, low=0.0, low_open=True)
    factor = np.ones(len(frame))
    for column in ADJUSTMENT_COLUMNS:
        if column in frame.columns:
            adj = _numeric_column(frame, column, file=file, low=-1.0, low_open=True, high=1.0)
            factor *= 1.0 + adj
    weights = (
        _numeric_column(frame, "weight", file=file, low=0.0)
        if "weight" in frame.columns
        else np.ones(len(frame))
    )
    if weights.sum() <= 0:
        raise InputError("the weights of the comparables sum to zero", file=file, column="weight")
    adjusted = values * factor
    frame["adjustment"] = factor - 1.0
    frame["adjusted"] = adjusted
    frame["weight_share"] = weights / weights.sum()
    value = float((adjusted * frame["weight_share"].to_numpy()).sum())
    return MarketComparison(value=value, value_column=value_column, table=frame)


def _numeric_column(
    frame: pd.DataFrame,
    column: str,
    *,
    file: str | None,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> np.ndarray:
    """Parse a column as numbers in range; blanks are 0 in adjustment columns, else an error."""
    raw = frame[column]
    numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    blank = raw.isna().to_numpy()
    if column in ADJUSTMENT_COLUMNS:
        numbers = np.where(blank, 0.0, numbers)
    bad = ~np.isfinite(numbers)
    if low is not None:
        bad |= (numbers <= low) if low_open else (numbers < low)
    if high is not None:
        bad |= numbers >= high
    if bad.any():
        row = int(np.argmax(bad))
        expected = "a number"
        if low is not None:
            expected += f" {'>' if low_open else '>='} {low:g}"
        if high is not None:
            expected += f" and < {high:g}"
        msg = f"{raw.iloc[row]!r} is not valid; expected {expected}"
        raise InputError(msg, file=file, row=int(frame.index[row]) + 1, column=column)
    return numbers


@dataclass(frozen=True)
class Reconciliation:
    """Several estimates of one value, the weights used (summing to 1) and the weighted result."""

    values: dict[str, float]
    weights: dict[str, float]
    value: float


def reconcile(
    estimates: dict[str, float | None], *, weights: dict[str, float] | None = None
) -> Reconciliation:
    """Combine estimates of one value (e.g. cost, market and income prices) by weights.

    Parameters
    ----------
    estimates : dict of str to float or None
        Method name -> estimate; ``None`` or NaN entries are left out.
    weights : dict of str to float, optional
        Method name -> weight; renormalised over the available methods. Equal weights if omitted.

    Returns
    -------
    Reconciliation
        Each estimate, the normalised weights and the weighted value.
    """
    values = {k: float(v) for k, v in estimates.items() if v is not None and np.isfinite(v)}
    if not values:
        msg = "no estimate to reconcile"
        raise ValueError(msg)
    raw = {k: (1.0 if weights is None else float(weights.get(k, 0.0))) for k in values}
    if any(w < 0 for w in raw.values()) or sum(raw.values()) <= 0:
        msg = f"weights must be >= 0 with a positive sum over the methods used; got {raw}"
        raise ValueError(msg)
    total = sum(raw.values())
    shares = {k: w / total for k, w in raw.items()}
    return Reconciliation(
        values=values, weights=shares, value=sum(values[k] * shares[k] for k in values)
    )
