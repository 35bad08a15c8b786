"""Rent of shop space: yield method, what the trade area can pay, floor and position multipliers."""

from __future__ import annotations

from typing import Any

import numpy as np

from tradearea.formats import FORMATS as _REGISTRY
from tradearea.formats import format_key

# Occupancy-cost ratio by retail format (业态): the share of a tenant's sales that goes to rent
# and service charges; the registry and its assumptions are in tradearea.formats.
OCCUPANCY_COST_RATIOS: dict[str, float] = {k: f.occupancy_cost_ratio for k, f in _REGISTRY.items()}

# Rent (and price) of a floor relative to the ground floor (1F = 1.0). ASSUMPTION: the common
# ground-floor premium of street and mall shops (2F about 60 % of 1F, falling higher up).
FLOOR_MULTIPLIERS: dict[int, float] = {-1: 0.6, 1: 1.0, 2: 0.6, 3: 0.45, 4: 0.35}
_UPPER_FLOOR_MULTIPLIER = 0.3
CORNER_PREMIUM = 0.15
STANDARD_FRONTAGE_M = 6.0
FRONTAGE_ELASTICITY = 0.3

# DOMAIN.md §4: payback usually 6–12 years, i.e. a gross yield of 8.3–16.7 %.
PAYBACK_RANGE_YEARS = (6.0, 12.0)
YIELD_RANGE = (1 / 12, 1 / 6)


def yield_from_payback(payback_years: float) -> float:
    """Gross yield that pays the price back in ``payback_years`` (6–12 years ⇔ 16.7–8.3 %)."""
    if payback_years <= 0:
        msg = f"payback years must be positive; got {payback_years}"
        raise ValueError(msg)
    return 1.0 / payback_years


def rent_from_yield(
    price: Any, yield_rate: float | None = None, *, payback_years: float | None = None
) -> Any:
    """Annual rent by the yield method (DOMAIN.md §4): price × yield.

    Parameters
    ----------
    price : float or array_like
        Sale price (per m² or total).
    yield_rate : float, optional
        Gross yield; give this or ``payback_years``.
    payback_years : float, optional
        Years to pay the price back; yield = 1 / payback (6–12 years ⇔ 8.3–16.7 %).

    Returns
    -------
    float or numpy.ndarray
        Rent per year; divide by 12 for a monthly rent.
    """
    if (yield_rate is None) == (payback_years is None):
        msg = "give exactly one of yield_rate or payback_years"
        raise ValueError(msg)
    rate = yield_from_payback(payback_years) if yield_rate is None else float(yield_rate)
    if rate <= 0:
        msg = f"yield must be positive; got {rate}"
        raise ValueError(msg)
    out = np.asarray(price, dtype=float) * rate
    return float(out) if out.ndim == 0 else out


# --- rent capacity -------------------------------------------------------------------------------------


def tenant_sales_from_survey(
    households: Any, monthly_spending: Any, *, capture_share: Any = 1.0
) -> Any:
    """Yearly sales of a shop from the survey estimate (DOMAIN.md §1).

    households × monthly spending per household × capture share × 12.

    Parameters
    ----------
    households : float or array_like
        Households in the trade area.
    monthly_spending : float or array_like
        Spending per household per month on what the shop sells.
    capture_share : float or array_like
        Share of that spending the shop captures (0–1).

    Returns
    -------
    float or numpy.ndarray
        Sales per year.
    """
    out = (
        np.asarray(households, dtype=float)
        * np.asarray(monthly_spending, dtype=float)
        * np.asarray(capture_share, dtype=float)
        * 12.0
    )
    return float(out) if out.ndim == 0 else out


def rent_capacity(
    tenant_sales: Any, *, format: str = "shopping mall", occupancy_cost_ratio: float | None = None
) -> Any:
    """Rent the trade area can pay: tenant sales × occupancy-cost ratio of the format.

    Parameters
    ----------
    tenant_sales : float or array_like
        Yearly sales of the tenant(s), from the Huff forecast or the survey estimate
        (:func:`tenant_sales_from_survey`).
    format : str
        Retail format (English or Chinese name, see :data:`FORMATS`); picks the default ratio
        from :data:`OCCUPANCY_COST_RATIOS` (documented assumptions).
    occupancy_cost_ratio : float, optional
        Rent and service charges as a share of sales; overrides the format's default.

    Returns
    -------
    float or numpy.ndarray
        Affordable rent per year (same unit as the sales).
    """
    ratio = (
        OCCUPANCY_COST_RATIOS[format_key(format)]
        if occupancy_cost_ratio is None
        else float(occupancy_cost_ratio)
    )
    if not 0 < ratio < 1:
        msg = f"occupancy_cost_ratio must be in (0, 1); got {ratio}"
        raise ValueError(msg)
    sales = np.asarray(tenant_sales, dtype=float)
    if np.any(sales < 0):
        msg = "tenant sales must be >= 0"
        raise ValueError(msg)
    out = sales * ratio
    return float(out) if out.ndim == 0 else out


def floor_multiplier(level: int) -> float:
    """Rent (or price) of floor ``level`` relative to the ground floor (1F = 1.0).

    Levels: 1 is the ground floor, 2 the first upper floor, -1 the first basement. Defaults
    (:data:`FLOOR_MULTIPLIERS`, an assumption to override): B1 0.6, 1F 1.0, 2F 0.6, 3F 0.45,
    4F 0.35, 5F and above 0.3.
    """
    if level in FLOOR_MULTIPLIERS:
        return FLOOR_MULTIPLIERS[level]
    return FLOOR_MULTIPLIERS[-1] if level < 0 else _UPPER_FLOOR_MULTIPLIER


def position_multiplier(
    *,
    level: int = 1,
    corner: bool = False,
    frontage_m: float | None = None,
    standard_frontage_m: float = STANDARD_FRONTAGE_M,
    corner_premium: float = CORNER_PREMIUM,
    frontage_elasticity: float = FRONTAGE_ELASTICITY,
) -> float:
    """Rent multiplier of a unit from its floor, corner position and frontage.

    ``floor_multiplier(level) × (1 + corner_premium if corner) ×
    clip((frontage / standard) ** elasticity, 0.8, 1.3)``. A ground-floor, mid-block unit with
    the standard 6 m frontage is 1.0; a ground-floor corner unit 1.15; a 12 m frontage adds
    about 23 %. All three defaults are assumptions to override.

    Returns
    -------
    float
        The multiplier to apply to the base (ground-floor) rent or price.
    """
    value = floor_multiplier(level)
    if corner:
        value *= 1.0 + corner_premium
    if frontage_m is not None:
        if frontage_m <= 0 or standard_frontage_m <= 0:
            msg = "frontage must be positive"
            raise ValueError(msg)
        value *= float(np.clip((frontage_m / standard_frontage_m) ** frontage_elasticity, 0.8, 1.3))
    return value
