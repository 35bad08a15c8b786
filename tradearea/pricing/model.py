"""Vectorised investment cash flows of a shop project over many scenarios at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.pricing.finance import (
    equity_multiple,
    investment_irr,
    irr_with_count,
    npv,
    payback_period,
)
from tradearea.pricing.scenario import (
    ENGINE_KEYS,
    INTEGER_KEYS,
    OPTIONAL_KEYS,
    Scenario,
    bounds,
    describe_range,
)

# Cash-flow lines, in the order they are shown; inflows positive, outflows negative.
PROJECT_LINES = (
    "land",
    "construction",
    "sales_proceeds",
    "sales_cost",
    "rent",
    "operating_cost",
    "leasing_cost",
    "nurturing_cost",
    "exit_value",
)
FINANCING_LINES = ("loan_draw", "interest", "loan_repayment")
METRICS = ("irr", "npv", "payback_years", "equity_irr", "equity_multiple")


@dataclass(frozen=True)
class Evaluation:
    """Yearly cash flows and returns of ``n`` scenarios (arrays shaped ``(n, years)``/``(n,)``).

    Year ``t`` holds the flows of months ``12 t`` to ``12 t + 11`` from the start (land
    purchase), discounted ``t`` years (numpy-financial's convention: the first year at t = 0).
    """

    years: np.ndarray
    lines: dict[str, np.ndarray]
    net: np.ndarray
    equity: np.ndarray
    metrics: dict[str, np.ndarray]
    totals: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Number of scenarios."""
        return int(self.net.shape[0])

    def cash_flow_table(self, index: int = 0) -> pd.DataFrame:
        """Yearly cash flows of scenario ``index``: one column per line, net, equity, cumulative."""
        table = pd.DataFrame({name: values[index] for name, values in self.lines.items()})
        table["net"] = self.net[index]
        table["cumulative"] = np.cumsum(self.net[index])
        table["equity"] = self.equity[index]
        table.index = pd.Index(self.years, name="year")
        return table

    def summary(self, index: int = 0) -> dict[str, float | None]:
        """Metrics and totals of scenario ``index`` (NaN as None, ready for JSON)."""
        out = {k: v[index] for k, v in {**self.metrics, **self.totals}.items()}
        return {k: (float(v) if np.isfinite(v) else None) for k, v in out.items()}

    def metrics_frame(self) -> pd.DataFrame:
        """One row per scenario: the varied inputs, then the metrics and totals."""
        data = {**self.inputs, **self.metrics, **self.totals}
        return pd.DataFrame({k: np.asarray(v) for k, v in data.items()})


@dataclass(frozen=True)
class _Space:
    """Area aggregates of the floors in scope (per m², weighted by rent or price multipliers)."""

    share_of_site: float
    net_area: float
    leased_area: float
    sold_area: float
    leased_rent_area: float
    leased_value_area: float
    sold_value_area: float
    value_area: float


def _space(scenario: Scenario, floors: Sequence[str] | None) -> _Space:
    all_floors = scenario.site.floors
    names = [f.name for f in all_floors]
    scope = names if floors is None else list(floors)
    if not scope:
        raise InputError("no floor chosen", column="site.floors")
    unknown = [n for n in scope if n not in names]
    if unknown:
        msg = f"unknown floor {unknown[0]!r}; floors are {', '.join(names)}"
        raise InputError(msg, column="site.floors")
    mode = scenario.business_model.mode
    sold_names = set(scenario.business_model.sold_floors)
    area = value_area = leased = sold_area = leased_rent = leased_value = sold_value = 0.0
    for floor in all_floors:
        if floor.name not in scope:
            continue
        sold = 1.0 if mode == "sell" or (mode == "mixed" and floor.name in sold_names) else 0.0
        a, rent, price = floor.area_m2, floor.rent_factor(), floor.price_factor()
        area += a
        sold_area += a * sold
        value_area += a * price
        leased += a * (1 - sold)
        leased_rent += a * rent * (1 - sold)
        leased_value += a * price * (1 - sold)
        sold_value += a * price * sold
    total = sum(f.area_m2 for f in all_floors)
    return _Space(
        share_of_site=area / total,
        net_area=area,
        leased_area=leased,
        sold_area=sold_area,
        leased_rent_area=leased_rent,
        leased_value_area=leased_value,
        sold_value_area=sold_value,
        value_area=value_area,
    )


def _base_value(scenario: Scenario, key: str) -> float:
    group, _, name = key.partition(".")
    value = getattr(getattr(scenario, group), name)
    return np.nan if value is None else float(value)


def _check_override(key: str, values: np.ndarray) -> None:
    if key not in ENGINE_KEYS:
        msg = f"cannot vary {key!r}; inputs that move the cash flows: {', '.join(ENGINE_KEYS)}"
        raise InputError(msg, column=key)
    low, low_inc, high, high_inc = bounds(key)
    # NaN means "not given" for optional inputs (a gross floor area derived from net area).
    bad = ~np.isfinite(values) & ~(np.isnan(values) & (key in OPTIONAL_KEYS))
    if low is not None:
        bad |= (values < low) if low_inc else (values <= low)
    if high is not None:
        bad |= (values > high) if high_inc else (values >= high)
    if key in INTEGER_KEYS:
        bad |= values != np.round(values)
    if bad.any():
        value = values[np.argmax(bad)]
        msg = f"{value:g} is not valid; expected {describe_range(key)}"
        raise InputError(msg, column=key)


def _parameters(
    scenario: Scenario, overrides: Mapping[str, Any] | None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], int]:
    given = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in (overrides or {}).items()}
    sizes = {v.size for v in given.values()} - {1}
    if len(sizes) > 1:
        msg = f"overrides must all have the same length (or length 1); got lengths {sorted(sizes)}"
        raise ValueError(msg)
    n = sizes.pop() if sizes else 1
    for key, values in given.items():
        if values.ndim != 1:
            msg = f"override {key!r} must be one value per scenario (1-D)"
            raise ValueError(msg)
        _check_override(key, values)
    # Varied inputs are (n, 1) columns, fixed ones (1, 1): arrays built from fixed inputs only
    # stay one row high, so a grid over two inputs costs little more than those two.
    params = {}
    for key in ENGINE_KEYS:
        values = given.get(key, np.array([_base_value(scenario, key)]))
        params[key] = values.reshape(-1, 1).astype(float)
    return params, {k: np.broadcast_to(v, (n,)).copy() for k, v in given.items()}, n


def _spread(total: np.ndarray, window: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Spread ``total`` evenly over the months of ``window`` (``fallback`` month if empty)."""
    count = window.sum(axis=1, keepdims=True)
    window = np.where(count > 0, window, fallback)
    count = np.maximum(window.sum(axis=1, keepdims=True), 1)
    return np.where(window, total / count, 0.0)


def _investment_irr(
    yearly: np.ndarray, monthly: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """IRR of the yearly flows, an investment's where there are several, else the monthly one.

    Where the yearly flows have several IRRs (outlay, sales, then costs), the rate where the NPV
    falls through zero is taken (:func:`tradearea.pricing.finance.investment_irr`), not one
    where it rises. A project whose sales during construction fall in its first year (one
    construction year, sold space) nets no outlay in year 0 although it starts with one: there
    the investment rate of the monthly flows (``monthly(rows)``) is used, compounded to a year,
    (1 + r_month)^12 - 1.
    """
    rates, counts = irr_with_count(yearly)
    rates, counts = rates.copy(), counts.copy()
    several = np.flatnonzero(counts > 1)
    if several.size:
        rates[several] = investment_irr(yearly[several])[0]
    first = yearly[:, 0] if yearly.shape[1] else np.zeros(len(yearly))
    candidates = np.flatnonzero(first >= 0)
    if not candidates.size:
        return rates, counts
    flows = monthly(candidates)
    nonzero = np.abs(flows) > 1e-9
    lead = flows[np.arange(len(flows)), nonzero.argmax(axis=1)]
    starts_out = nonzero.any(axis=1) & (lead < 0)
    if starts_out.any():
        month_rates, month_counts = investment_irr(flows[starts_out])
        redo = candidates[starts_out]
        rates[redo] = (1.0 + month_rates) ** 12 - 1.0
        counts[redo] = month_counts
    return rates, counts


def evaluate(
    scenario: Scenario,
    overrides: Mapping[str, Any] | None = None,
    *,
    floors: Sequence[str] | None = None,
) -> Evaluation:
    """Cash flows, NPV, IRR, payback and equity multiple of a scenario and its variants.

    Every numeric input (dotted key, see ``ENGINE_KEYS``) can be varied: pass one array of
    values per key, all of one length ``n``; the ``n`` variants are computed together as
    ``(n, months)`` arrays, with no Python loop per scenario.

    The model, month by month from the start (month 0 = land purchase):

    - land paid in month 0; construction (× (1 + soft costs)) spread over the construction
      years; both per m² of gross floor area (net area ÷ efficiency unless given);
    - sold space (sell or mixed model) is paid for evenly over ``sales_months_before_opening``
      (sales during construction), less the sales cost;
    - leased space: leasing cost (× value of the leased space at the sale price) over the
      leasing window, ``leasing_start_months_before_opening`` before to ``lease_up_months``
      after opening; occupancy rises linearly from ``occupancy_at_opening`` to
      ``1 - vacancy`` over the lease-up; each new lease pays no rent for ``free_months``;
      rent starts at ``opening_rent_ratio`` of the mature rent and matures linearly over
      ``maturity_years``; the mature rent grows yearly by ``growth`` and steps up by
      ``step_increase`` every ``step_every_years``; ``collection_loss`` is never collected;
      operating cost is paid on the whole leased area, growing by ``cost_inflation``;
    - market nurturing (× value of all space) over ``nurturing_years`` from opening;
    - exit at the end of the holding period: final-year NOI ÷ exit yield, less exit costs;
    - an optional interest-only loan (``loan_to_cost`` of land and construction), drawn with
      those costs, gives the equity flows; the part that financed sold space (by area) is
      repaid from the sales in the last month before opening, the rest at exit.

    The IRR is that of the yearly flows (where they have several, the rate where the NPV falls
    through zero: an investment's return), except where the first year nets no outlay (sales
    during a one-year construction pay for the land within the year): there it is the rate of
    the monthly flows compounded to a year, so a sell-only project still gets its IRR.

    Parameters
    ----------
    scenario : Scenario
        The base inputs.
    overrides : mapping of str to array_like, optional
        Dotted key -> values, one per variant (or one value for all).
    floors : sequence of str, optional
        Only these floors (land and building costs allocated by area share); all by default.

    Returns
    -------
    Evaluation
        Yearly lines, net and equity flows, metrics and totals per variant.
    """
    params, varied, n = _parameters(scenario, overrides)
    space = _space(scenario, floors)
    p = params
    build_years = p["timing.construction_years"]
    hold_years = p["timing.hold_years"]
    years = int((build_years + hold_years).max())
    month = np.arange(12 * years, dtype=float).reshape(1, -1)
    opening = 12 * build_years
    end = 12 * (build_years + hold_years)
    at_opening = month == opening
    in_horizon = month < end
    since_opening = month - opening
    operating = (since_opening >= 0) & in_horizon
    op_month = np.maximum(since_opening, 0.0)
    op_year = np.floor(op_month / 12.0)

    net_area = space.net_area
    gfa_site = p["site.gross_floor_area_m2"]
    total_net = net_area / space.share_of_site
    gfa = np.where(np.isnan(gfa_site), total_net / p["site.efficiency"], gfa_site)
    gfa = gfa * space.share_of_site

    lines: dict[str, np.ndarray] = {}
    land_total = p["costs.land_cost_per_m2"] * gfa
    build_total = p["costs.construction_cost_per_m2"] * (1 + p["costs.soft_cost_ratio"]) * gfa
    lines["land"] = np.where(month == 0, -land_total, 0.0)
    lines["construction"] = -_spread(build_total, month < opening, month == 0)

    price = p["rents.sale_price_per_m2"]
    sales_start = opening - p["timing.sales_months_before_opening"]
    sales_window = (month >= sales_start) & (month < opening)
    lines["sales_proceeds"] = _spread(price * space.sold_value_area, sales_window, at_opening)
    lines["sales_cost"] = -p["costs.sales_cost_ratio"] * lines["sales_proceeds"]

    growth = (1 + p["rents.growth"]) ** op_year
    step_every = p["rents.step_every_years"]
    steps = np.floor(op_month / (12.0 * np.where(step_every > 0, step_every, np.inf)))
    stepped = (1 + p["rents.step_increase"]) ** steps
    maturity = p["rents.maturity_years"]
    ramp_share = np.minimum(1.0, op_month / (12.0 * np.where(maturity > 0, maturity, 1.0)))
    start_ratio = p["rents.opening_rent_ratio"]
    ramp = np.where(maturity > 0, start_ratio + (1 - start_ratio) * ramp_share, 1.0)
    stabilised = 1 - p["rents.vacancy"]
    occ_open = p["timing.occupancy_at_opening"]
    lease_up = p["timing.lease_up_months"]
    paying_since = since_opening - p["rents.free_months"]
    fill = np.minimum(1.0, np.maximum(paying_since, 0) / np.where(lease_up > 0, lease_up, 1.0))
    occupancy = np.where(lease_up > 0, occ_open + (stabilised - occ_open) * fill, stabilised)
    paying = np.where((paying_since >= 0) & operating, occupancy, 0.0)
    potential = p["rents.base_rent_per_m2_month"] * space.leased_rent_area
    lines["rent"] = potential * growth * stepped * ramp * paying * (1 - p["rents.collection_loss"])
    inflation = (1 + p["costs.cost_inflation"]) ** op_year
    opex = p["costs.operating_cost_per_m2_month"] * space.leased_area * inflation
    lines["operating_cost"] = np.where(operating, -opex, 0.0)

    leasing_window = (
        (month >= opening - p["timing.leasing_start_months_before_opening"])
        & (month < opening + np.maximum(lease_up, 1.0))
        & in_horizon
    )
    leasing_total = p["costs.leasing_cost_ratio"] * price * space.leased_value_area
    lines["leasing_cost"] = -_spread(leasing_total, leasing_window, at_opening)
    nurturing_window = operating & (since_opening < 12.0 * p["costs.nurturing_years"])
    nurturing_total = p["costs.nurturing_cost_ratio"] * price * space.value_area
    lines["nurturing_cost"] = -_spread(nurturing_total, nurturing_window, at_opening)

    final_year = (month >= end - 12) & in_horizon
    noi = lines["rent"] + lines["operating_cost"]
    final_noi = np.where(final_year, noi, 0.0).sum(axis=1, keepdims=True)
    exit_value = (
        np.maximum(final_noi, 0.0) / p["finance.exit_yield"] * (1 - p["costs.exit_cost_ratio"])
    )
    lines["exit_value"] = np.where(month == end - 1, exit_value, 0.0)

    if np.any(p["finance.loan_to_cost"] > 0):
        draws = -p["finance.loan_to_cost"] * (lines["land"] + lines["construction"])
        loan = draws.sum(axis=1, keepdims=True)
        sold_share = space.sold_area / net_area
        repaid = np.where(month == opening - 1, loan * sold_share, 0.0) + np.where(
            month == end - 1, loan * (1 - sold_share), 0.0
        )
        balance = np.cumsum(draws - repaid, axis=1) - (draws - repaid)
        financing = {
            "loan_draw": draws,
            "interest": -np.where(in_horizon, balance * p["finance.interest_rate"] / 12.0, 0.0),
            "loan_repayment": -repaid,
        }
    else:
        financing = dict.fromkeys(FINANCING_LINES, np.zeros((1, 12 * years)))

    yearly = {
        k: np.broadcast_to(v.reshape(v.shape[0], years, 12).sum(axis=2), (n, years))
        for k, v in {**lines, **financing}.items()
    }
    net = sum(yearly[k] for k in PROJECT_LINES)
    equity = net + sum(yearly[k] for k in FINANCING_LINES)
    development = -(yearly["land"] + yearly["construction"]).sum(axis=1)
    final_noi = np.broadcast_to(final_noi.ravel(), (n,))
    with np.errstate(divide="ignore", invalid="ignore"):
        yield_on_cost = np.where(development > 0, final_noi / development, np.nan)
    monthly = {**lines, **financing}

    def monthly_flows(rows: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        shape = (n, 12 * years)
        return np.asarray(sum(np.broadcast_to(monthly[k], shape)[rows] for k in names))

    irr_net, roots_net = _investment_irr(
        np.asarray(net), lambda rows: monthly_flows(rows, PROJECT_LINES)
    )
    if np.any(equity != net):
        irr_equity, roots_equity = _investment_irr(
            np.asarray(equity), lambda rows: monthly_flows(rows, PROJECT_LINES + FINANCING_LINES)
        )
    else:
        irr_equity, roots_equity = irr_net, roots_net
    metrics = {
        "irr": irr_net,
        "npv": npv(np.broadcast_to(p["finance.discount_rate"].ravel(), (n,)), net),
        "payback_years": payback_period(net),
        "equity_irr": irr_equity,
        "equity_multiple": equity_multiple(equity),
    }
    totals = {
        "development_cost": development,
        "sales_proceeds": yearly["sales_proceeds"].sum(axis=1),
        "rent_collected": yearly["rent"].sum(axis=1),
        "final_year_noi": final_noi,
        "exit_value": yearly["exit_value"].sum(axis=1),
        "yield_on_cost": yield_on_cost,
        "peak_equity": -np.minimum(np.cumsum(equity, axis=1).min(axis=1), 0.0),
        "irr_count": roots_net.astype(float),
        "equity_irr_count": roots_equity.astype(float),
    }
    return Evaluation(
        years=np.arange(years),
        lines=yearly,
        net=net,
        equity=equity,
        metrics=metrics,
        totals=totals,
        inputs=varied,
    )
