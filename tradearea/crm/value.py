"""Customer value: profitability, CLV, ROI, RFM segments, lifecycle stages and Pareto share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradearea._core.dispatch import dask_aware

SEGMENTS = ("champions", "loyal", "potential", "new", "at risk", "hibernating", "lost")
LIFECYCLE = ("acquisition", "growth", "stable", "decline", "lapsed")
DAY = np.timedelta64(1, "D")


def net_profitability(revenue: float, costs: float) -> float:
    """Return net customer profitability: revenue from the customer minus its attributable costs.

    Parameters
    ----------
    revenue : float
        Revenue from the customer in the period.
    costs : float
        Acquisition, retention and support costs attributable to the customer.

    Returns
    -------
    float
        ``revenue - costs``. DOMAIN.md: customer A 12,000,000 - 1,000,000 = 11,000,000.
    """
    return float(revenue) - float(costs)


def clv_simple(
    average_purchase_value: float,
    purchases_per_period: float,
    retention_periods: float,
    *,
    acquisition_cost: float = 0.0,
) -> float:
    """Return CLV = average purchase value x purchases per period x retention periods (- CAC).

    Parameters
    ----------
    average_purchase_value : float
        Mean value of one purchase.
    purchases_per_period : float
        Purchases per period (usually a year).
    retention_periods : float
        How many periods the customer stays.
    acquisition_cost : float
        Subtracted to give net CLV; 0 gives gross CLV.

    Returns
    -------
    float
        The customer lifetime value.
    """
    gross = average_purchase_value * purchases_per_period * retention_periods
    return float(gross - acquisition_cost)


def clv_discounted(
    value_per_period: float,
    *,
    retention_rate: float,
    discount_rate: float,
    horizon: int | None = None,
) -> float:
    """Return CLV with retention and discounting: ``sum m r^(t-1) / (1+d)^t`` for t = 1..horizon.

    The customer is active in period 1 and survives each later period with probability ``r``;
    value arrives at the end of each period. With ``horizon=None`` the sum is infinite:
    ``m / (1 + d - r)``. With ``r = 1`` and ``d = 0`` it equals :func:`clv_simple`.

    Parameters
    ----------
    value_per_period : float
        Expected value per period while the customer is active (m).
    retention_rate : float
        Share of customers retained from one period to the next (r), in [0, 1].
    discount_rate : float
        Discount rate per period (d), > -1.
    horizon : int, optional
        Number of periods; ``None`` for an infinite horizon (needs ``r < 1 + d``).

    Returns
    -------
    float
        The discounted lifetime value.
    """
    return float(_discount_factor(retention_rate, discount_rate, horizon) * value_per_period)


def _discount_factor(r: float, d: float, horizon: int | None) -> float:
    if not 0 <= r <= 1:
        msg = f"retention rate {r} must be between 0 and 1"
        raise ValueError(msg)
    if d <= -1:
        msg = f"discount rate {d} must be greater than -1"
        raise ValueError(msg)
    if horizon is None:
        if r >= 1 + d:
            msg = "an infinite horizon needs retention rate < 1 + discount rate"
            raise ValueError(msg)
        return 1.0 / (1.0 + d - r)
    if horizon < 0:
        msg = f"horizon {horizon} must be ≥ 0 periods"
        raise ValueError(msg)
    t = np.arange(1, int(horizon) + 1, dtype=float)
    return float(np.sum(r ** (t - 1) / (1.0 + d) ** t))


def _as_of(customers: pd.DataFrame, as_of: pd.Timestamp | str | None) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    if customers.empty:
        return pd.Timestamp.today().normalize()
    return pd.Timestamp(customers["last_purchase"].max()).normalize()


@dask_aware("customers_from_transactions")
def customers_from_transactions(
    transactions: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    window_days: int = 180,
) -> pd.DataFrame:
    """Summarise transactions to one row per customer (vectorised groupby, no apply).

    Parameters
    ----------
    transactions : pandas.DataFrame
        ``customer_id``, ``date``, ``amount``, optional ``store_id``, cost and coordinate columns.
    as_of : timestamp, optional
        Reference date for the trend windows; default the latest transaction date.
    window_days : int
        Length of the recent and prior windows compared for the lifecycle trend.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, first_purchase, last_purchase, orders, revenue, recent_revenue,
        prior_revenue``, plus ``home_store_id`` (the store with the most spend), the costs (last
        value given per customer) and ``lat, lon`` when present.
    """
    tx = transactions
    ref = pd.Timestamp(as_of).normalize() if as_of is not None else tx["date"].max()
    age = (ref - tx["date"]) / DAY
    amount = tx["amount"].to_numpy(dtype=float)
    work = pd.DataFrame(
        {
            "customer_id": tx["customer_id"].to_numpy(),
            "date": tx["date"].to_numpy(),
            "amount": amount,
            "purchase": amount > 0,
            "recent": np.where((age >= 0) & (age < window_days), amount, 0.0),
            "prior": np.where((age >= window_days) & (age < 2 * window_days), amount, 0.0),
        }
    )
    out = work.groupby("customer_id", sort=True).agg(
        first_purchase=("date", "min"),
        last_purchase=("date", "max"),
        orders=("purchase", "sum"),
        revenue=("amount", "sum"),
        recent_revenue=("recent", "sum"),
        prior_revenue=("prior", "sum"),
    )
    out["orders"] = out["orders"].clip(lower=1).astype("int64")
    if "store_id" in tx:
        spend = pd.DataFrame(
            {
                "customer_id": work["customer_id"],
                "store_id": tx["store_id"].to_numpy(),
                "amount": amount,
            }
        )
        by_store = (
            spend.groupby(["customer_id", "store_id"], sort=False)["amount"].sum().reset_index()
        )
        by_store = by_store.sort_values(
            ["customer_id", "amount", "store_id"], ascending=[True, False, True]
        )
        home = by_store.drop_duplicates("customer_id").set_index("customer_id")["store_id"]
        out["home_store_id"] = home.reindex(out.index)
    extra = [c for c in ("acquisition_cost", "service_cost", "risk_cost", "lat", "lon") if c in tx]
    if extra:
        last = tx[["customer_id", *extra]].groupby("customer_id", sort=True).last()
        out = out.join(last)
    return out.reset_index()


@dask_aware("customer_value")
def customer_value(
    customers: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    retention_rate: float | None = None,
    discount_rate: float = 0.10,
    horizon: int | None = 3,
    period_days: float = 365.0,
    gross_margin: float = 1.0,
) -> pd.DataFrame:
    """Add DOMAIN.md §5 value columns to a one-row-per-customer table.

    Added: ``recency_days``, ``tenure_days``, ``average_order_value`` (revenue / orders),
    ``orders_per_period`` (orders / max(tenure in periods, 1)), ``value_per_period``,
    ``clv_simple`` (value per period x horizon), ``clv`` (discounted with the retention rate),
    ``net_clv`` (clv - acquisition cost), ``customer_roi`` (clv / acquisition cost; NA without a
    cost), ``net_profit`` (revenue - acquisition - service cost), ``profit_margin`` (net profit /
    revenue x 100) and ``risk_adjusted_revenue`` (revenue - all costs including risk).

    Parameters
    ----------
    customers : pandas.DataFrame
        ``customer_id, first_purchase, last_purchase, orders, revenue`` and optional costs.
    as_of : timestamp, optional
        Reference date; default the latest ``last_purchase``.
    retention_rate : float, optional
        Share retained per period; default estimated with :func:`retention_rate_estimate`.
    discount_rate : float
        Discount rate per period.
    horizon : int, optional
        Retention periods counted in the CLV (``None``: infinite, discounted CLV only; the simple
        CLV then uses the expected lifetime ``1 / (1 - r)``).
    period_days : float
        Length of a period in days (365: CLV per year).
    gross_margin : float
        Share of revenue that is margin (1: revenue-based CLV as in DOMAIN.md).

    Returns
    -------
    pandas.DataFrame
        A copy with the value columns added.
    """
    out = customers.copy()
    ref = _as_of(out, as_of)
    rate = (
        retention_rate_estimate(out, as_of=ref, period_days=period_days)
        if retention_rate is None
        else retention_rate
    )
    for col in ("acquisition_cost", "service_cost", "risk_cost"):
        if col not in out:
            out[col] = 0.0
        out[col] = out[col].fillna(0.0).astype(float)
    revenue = out["revenue"].astype(float)
    orders = out["orders"].astype(float)
    out["recency_days"] = ((ref - out["last_purchase"]) / DAY).astype(float)
    out["tenure_days"] = ((ref - out["first_purchase"]) / DAY).astype(float)
    out["average_order_value"] = revenue / orders
    out["orders_per_period"] = orders / np.maximum(out["tenure_days"] / period_days, 1.0)
    out["value_per_period"] = out["average_order_value"] * out["orders_per_period"] * gross_margin
    periods = horizon if horizon is not None else (1.0 / (1.0 - rate) if rate < 1 else np.inf)
    out["clv_simple"] = out["value_per_period"] * periods
    out["clv"] = out["value_per_period"] * _discount_factor(rate, discount_rate, horizon)
    out["net_clv"] = out["clv"] - out["acquisition_cost"]
    cac = out["acquisition_cost"].where(out["acquisition_cost"] > 0)
    out["customer_roi"] = out["clv"] / cac
    out["net_profit"] = revenue - out["acquisition_cost"] - out["service_cost"]
    out["profit_margin"] = (out["net_profit"] / revenue.where(revenue > 0)) * 100.0
    out["risk_adjusted_revenue"] = revenue - (
        out["acquisition_cost"] + out["service_cost"] + out["risk_cost"]
    )
    out.attrs["retention_rate"] = float(rate)
    out.attrs["as_of"] = ref.isoformat()
    return out


@dask_aware("retention_rate_estimate")
def retention_rate_estimate(
    customers: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    period_days: float = 365.0,
) -> float:
    """Estimate the retention rate per period from one row per customer.

    Among customers whose first purchase is more than one period before ``as_of``, the share
    who bought again within the last period. Clipped to [0.05, 0.95]; 0.5 when nobody is old
    enough to tell.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``first_purchase`` and ``last_purchase`` per customer.
    as_of : timestamp, optional
        Reference date; default the latest ``last_purchase``.
    period_days : float
        Period length in days.

    Returns
    -------
    float
        The estimated retention rate.
    """
    ref = _as_of(customers, as_of)
    start = ref - pd.Timedelta(days=period_days)
    old = customers["first_purchase"] < start
    if not old.any():
        return 0.5
    retained = (customers.loc[old, "last_purchase"] >= start).mean()
    return float(np.clip(retained, 0.05, 0.95))


def _quintile(values: pd.Series, *, ties: str = "lowest") -> pd.Series:
    """1 + floor(5 (rank - 1) / n); ``ties="best"`` gives a tie group its best rank and the top 5."""
    rank = values.rank(method="max" if ties == "best" else "min")
    n = len(values)
    score = (1 + np.floor(5 * (rank - 1) / max(n, 1))).clip(1, 5)
    if ties == "best":
        score = score.mask(values == values.max(), 5.0)
    return score.astype("int64")


@dask_aware("rfm_scores")
def rfm_scores(customers: pd.DataFrame, *, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Score recency, frequency and monetary value in quintiles (1-5) and name the segment.

    Score = 1 + floor(5 x (rank - 1) / n), so equal values get equal scores. Frequency and money
    ties share the lowest rank. Recency is ranked on the negated days since the last purchase
    (recent = 5) and its ties share the best rank (the tie group's highest): customers who bought
    on the same day score as the best of them would, and those who bought on the most recent
    date always score R = 5 (a customer is never "lost" for buying on the reference date).
    ``fm_score`` = ceil((F + M) / 2). Segments, first rule that holds:

    =========== =====================================================
    champions   R ≥ 4 and FM ≥ 4
    new         R ≥ 4 and only one order
    loyal       R ≥ 3 and FM ≥ 3
    potential   R ≥ 3
    at risk     R = 2 and FM ≥ 3, or R = 1 and FM ≥ 4
    hibernating R = 2
    lost        otherwise (R = 1 and FM ≤ 3)
    =========== =====================================================

    Parameters
    ----------
    customers : pandas.DataFrame
        ``last_purchase``, ``orders``, ``revenue``.
    as_of : timestamp, optional
        Reference date; default the latest ``last_purchase``.

    Returns
    -------
    pandas.DataFrame
        Same index: ``recency_days, r_score, f_score, m_score, fm_score, rfm, segment``.
    """
    ref = _as_of(customers, as_of)
    recency = ((ref - customers["last_purchase"]) / DAY).astype(float)
    r = _quintile(-recency, ties="best")
    f = _quintile(customers["orders"].astype(float))
    m = _quintile(customers["revenue"].astype(float))
    fm = (f + m + 1) // 2
    segment = rfm_segment(r, fm, customers["orders"].to_numpy())
    return pd.DataFrame(
        {
            "recency_days": recency,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "fm_score": fm,
            "rfm": r.astype(str) + f.astype(str) + m.astype(str),
            "segment": pd.Categorical(segment, categories=SEGMENTS),
        },
        index=customers.index,
    )


@dask_aware("lifecycle_stage")
def lifecycle_stage(
    customers: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    acquisition_days: float = 90,
    lapse_days: float = 365,
    growth_days: float = 365,
    trend_band: float = 0.2,
) -> pd.Series:
    """Place each customer in a lifecycle stage: acquisition, growth, stable, decline, lapsed.

    First rule that holds: lapsed (no purchase for more than ``lapse_days``); acquisition (first
    purchase within ``acquisition_days``); then, when ``recent_revenue`` and ``prior_revenue``
    (two windows from transactions) exist: decline if recent < (1 - band) x prior, growth if
    recent > (1 + band) x prior, else stable. Without them (one row per customer): decline if
    the time since the last purchase exceeds twice the customer's mean interval between
    purchases (or ``acquisition_days`` for one-time buyers); growth if the customer is in the
    first ``growth_days`` and has bought more than once; else stable.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``first_purchase, last_purchase, orders`` and optionally the two revenue windows.
    as_of : timestamp, optional
        Reference date; default the latest ``last_purchase``.
    acquisition_days, lapse_days, growth_days : float
        Stage boundaries in days.
    trend_band : float
        Relative change between windows that counts as growth or decline.

    Returns
    -------
    pandas.Series
        Categorical stage per customer.
    """
    ref = _as_of(customers, as_of)
    recency = ((ref - customers["last_purchase"]) / DAY).astype(float).to_numpy()
    tenure = ((ref - customers["first_purchase"]) / DAY).astype(float).to_numpy()
    orders = customers["orders"].astype(float).to_numpy()
    if {"recent_revenue", "prior_revenue"} <= set(customers.columns):
        recent = customers["recent_revenue"].to_numpy(dtype=float)
        prior = customers["prior_revenue"].to_numpy(dtype=float)
        decline = (recent < (1 - trend_band) * prior) | ((recent <= 0) & (prior <= 0))
        growth = recent > (1 + trend_band) * prior
    else:
        span = (tenure - recency) / np.maximum(orders - 1, 1)
        interval = np.where(orders > 1, span, np.nan)
        limit = np.where(
            np.isnan(interval), acquisition_days, np.maximum(2 * interval, acquisition_days)
        )
        decline = recency > limit
        growth = (tenure <= growth_days) & (orders > 1)
    stage = np.select(
        [recency > lapse_days, tenure <= acquisition_days, decline, growth],
        ["lapsed", "acquisition", "decline", "growth"],
        default="stable",
    )
    return pd.Series(
        pd.Categorical(stage, categories=LIFECYCLE), index=customers.index, name="lifecycle"
    )


@dask_aware("pareto_share")
def pareto_share(revenue: pd.Series | np.ndarray, *, top: float = 0.2) -> float:
    """Return the share of revenue that comes from the top ``top`` share of customers.

    The top group is the ceil(top x n) customers with the highest revenue.

    Parameters
    ----------
    revenue : array-like
        Revenue per customer.
    top : float
        Share of customers in the top group (0.2 for the 80/20 rule).

    Returns
    -------
    float
        Between 0 and 1 (NaN when total revenue is not positive).
    """
    values = np.sort(np.asarray(revenue, dtype=float))[::-1]
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return float("nan")
    n_top = int(np.ceil(top * len(values) - 1e-9))
    return float(values[:n_top].sum() / total)


def rfm_segment(r: pd.Series, fm: pd.Series, orders: np.ndarray) -> np.ndarray:
    """Name the RFM segment from the R score, the mean FM score and the order count.

    Parameters
    ----------
    r, fm : pandas.Series
        Recency quintile and the rounded mean of frequency and monetary quintiles (1–5).
    orders : numpy.ndarray
        Orders per customer (one order and recent = "new").

    Returns
    -------
    numpy.ndarray
        champions, new, loyal, potential, at risk, hibernating or lost.
    """
    conditions = [
        (r >= 4) & (fm >= 4),
        (r >= 4) & (orders == 1),
        (r >= 3) & (fm >= 3),
        r >= 3,
        ((r == 2) & (fm >= 3)) | ((r == 1) & (fm >= 4)),
        r == 2,
    ]
    names = ["champions", "new", "loyal", "potential", "at risk", "hibernating"]
    return np.select(conditions, names, default="lost")
