"""CRM value on pandas or Dask frames: transactions to customers, CLV, RFM, lifecycle, Pareto."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tradearea._core.dispatch import register_dask_twin
from tradearea.crm import value as _value
from tradearea.crm.value import (
    DAY,
    SEGMENTS,
    rfm_segment,  # one home for the segment rules
)
from tradearea.scale._dask import broadcast, compute, dask_config, is_dask, meta_of, partitions
from tradearea.scale.select import (
    best_tie_ranks,
    bracket_values,
    brackets,
    order_statistics,
    quintile_ranks,
    resolve,
    scores_from_cuts,
    sketch,
)

ORDER_COLUMNS = ("_tradearea_part", "_tradearea_row")


def reference_date(customers: Any, as_of: pd.Timestamp | str | None = None) -> pd.Timestamp:
    """Return the reference date the CRM functions use: ``as_of``, else the latest purchase.

    Parameters
    ----------
    customers : pandas.DataFrame or dask.dataframe.DataFrame
        With ``last_purchase``.
    as_of : timestamp, optional
        Given reference date.

    Returns
    -------
    pandas.Timestamp
        Normalised to midnight (today when there are no customers), as in
        :func:`tradearea.crm.customer_value`.
    """
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    latest = (
        compute(customers["last_purchase"].max())[0]
        if is_dask(customers)
        else customers["last_purchase"].max()
    )
    if latest is None or pd.isna(latest):
        return pd.Timestamp.today().normalize()
    return pd.Timestamp(latest).normalize()


# ---- transactions -> one row per customer -------------------------------------------------


def _tag_order(frame: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    return frame.assign(
        _tradearea_part=np.full(len(frame), number, dtype=np.int64),
        _tradearea_row=np.arange(len(frame), dtype=np.int64),
    )


def _summarise(frame: pd.DataFrame, *, as_of: pd.Timestamp, window_days: int) -> pd.DataFrame:
    ordered = frame.sort_values(list(ORDER_COLUMNS), kind="stable").drop(
        columns=list(ORDER_COLUMNS)
    )
    return _value.customers_from_transactions(ordered, as_of=as_of, window_days=window_days)


@register_dask_twin()
def customers_from_transactions(
    transactions: Any,
    *,
    as_of: pd.Timestamp | str | None = None,
    window_days: int = 180,
) -> Any:
    """Summarise transactions to one row per customer, on a pandas or a Dask frame.

    With Dask the transactions are shuffled so each customer's rows meet in one partition
    (their original order kept), then :func:`tradearea.crm.customers_from_transactions` runs on
    every partition. Without ``as_of`` the latest transaction date is found first; give
    ``as_of`` to save that pass (dates with a time of day are compared at midnight of it).

    Parameters
    ----------
    transactions : pandas.DataFrame or dask.dataframe.DataFrame
        ``customer_id``, ``date``, ``amount``, optional ``store_id``, costs and coordinates.
    as_of : timestamp, optional
        Reference date for the trend windows.
    window_days : int
        Length of the recent and prior windows.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        One row per customer (see the pandas function). The Dask result has as many
        partitions as the input and is sorted by ``customer_id`` within each partition only.
    """
    if not is_dask(transactions):
        return _value.customers_from_transactions(
            transactions, as_of=as_of, window_days=window_days
        )
    if as_of is None:
        latest = compute(transactions["date"].max())[0]
        ref = pd.Timestamp.today().normalize() if pd.isna(latest) else pd.Timestamp(latest)
    else:
        ref = pd.Timestamp(as_of).normalize()
    meta = _value.customers_from_transactions(meta_of(transactions), as_of=ref)
    with dask_config():
        tagged = transactions.map_partitions(_tag_order, meta=_tag_order(meta_of(transactions)))
        shuffled = tagged.shuffle(on="customer_id", npartitions=transactions.npartitions)
        return shuffled.map_partitions(_summarise, as_of=ref, window_days=window_days, meta=meta)


# ---- value, retention ---------------------------------------------------------------------


@register_dask_twin()
def retention_rate_estimate(
    customers: Any, *, as_of: pd.Timestamp | str | None = None, period_days: float = 365.0
) -> float:
    """Estimate the retention rate per period (see :func:`tradearea.crm.retention_rate_estimate`).

    With Dask, the two counts it needs are summed over partitions.
    """
    if not is_dask(customers):
        return _value.retention_rate_estimate(customers, as_of=as_of, period_days=period_days)
    ref = reference_date(customers, as_of)
    old, kept = compute(*_retention_counts_lazy(customers, ref, period_days))
    return _retention_from_counts(int(old), int(kept))


def _retention_counts_lazy(customers: Any, ref: pd.Timestamp, period_days: float) -> list[Any]:
    start = ref - pd.Timedelta(days=period_days)
    old = customers["first_purchase"] < start
    return [old.sum(), (old & (customers["last_purchase"] >= start)).sum()]


def retention_counts(
    frame: pd.DataFrame, ref: pd.Timestamp, period_days: float = 365.0
) -> tuple[int, int]:
    """Return (customers older than a period, of whom bought within the last period)."""
    start = ref - pd.Timedelta(days=period_days)
    old = (frame["first_purchase"] < start).to_numpy()
    kept = (frame["last_purchase"] >= start).to_numpy() & old
    return int(old.sum()), int(kept.sum())


def _retention_from_counts(old: int, kept: int) -> float:
    if old == 0:
        return 0.5
    return float(np.clip(kept / old, 0.05, 0.95))


@register_dask_twin()
def customer_value(
    customers: Any,
    *,
    as_of: pd.Timestamp | str | None = None,
    retention_rate: float | None = None,
    discount_rate: float = 0.10,
    horizon: int | None = 3,
    period_days: float = 365.0,
    gross_margin: float = 1.0,
) -> Any:
    """Add the CLV and profitability columns (see :func:`tradearea.crm.customer_value`).

    With Dask the reference date and the retention rate are settled over all customers first,
    then the pandas function runs on every partition with them.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        The customers with the value columns.
    """
    options: dict[str, Any] = {
        "discount_rate": discount_rate,
        "horizon": horizon,
        "period_days": period_days,
        "gross_margin": gross_margin,
    }
    if not is_dask(customers):
        return _value.customer_value(
            customers, as_of=as_of, retention_rate=retention_rate, **options
        )
    ref = reference_date(customers, as_of)
    rate = (
        retention_rate_estimate(customers, as_of=ref, period_days=period_days)
        if retention_rate is None
        else retention_rate
    )
    meta = _value.customer_value(meta_of(customers), as_of=ref, retention_rate=rate, **options)
    return customers.map_partitions(
        _value.customer_value, as_of=ref, retention_rate=rate, **options, meta=meta
    )


# ---- RFM ----------------------------------------------------------------------------------


def rfm_columns(frame: pd.DataFrame, ref: pd.Timestamp) -> dict[str, np.ndarray]:
    """The three values RFM ranks, computed as :func:`tradearea.crm.rfm_scores` does."""
    recency = ((ref - frame["last_purchase"]) / DAY).astype(float)
    return {
        "r": (-recency).to_numpy(dtype=float),
        "f": frame["orders"].astype(float).to_numpy(),
        "m": frame["revenue"].astype(float).to_numpy(),
    }


def rfm_with_cuts(
    customers: pd.DataFrame, *, as_of: pd.Timestamp, cuts: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Score RFM with quintile cut values found over all customers (see :func:`rfm_cuts`).

    Gives exactly what :func:`tradearea.crm.rfm_scores` gives on the whole table, one
    partition at a time.
    """
    ref = pd.Timestamp(as_of)
    recency = ((ref - customers["last_purchase"]) / DAY).astype(float)
    r = scores_from_cuts(-recency, cuts["r"], ties="best")
    f = scores_from_cuts(customers["orders"].astype(float), cuts["f"])
    m = scores_from_cuts(customers["revenue"].astype(float), cuts["m"])
    fm = (f + m + 1) // 2
    return pd.DataFrame(
        {
            "recency_days": recency,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "fm_score": fm,
            "rfm": r.astype(str) + f.astype(str) + m.astype(str),
            "segment": pd.Categorical(
                rfm_segment(r, fm, customers["orders"].to_numpy()), categories=SEGMENTS
            ),
        },
        index=customers.index,
    )


def rfm_cuts(
    parts: list[Any],
    ref: pd.Timestamp,
    *,
    n: int,
    sketches: list[Any] | None = None,
    extra: dict[str, list[int]] | None = None,
) -> dict[str, np.ndarray]:
    """Find the quintile cut values of recency, frequency and money over all partitions.

    Parameters
    ----------
    parts : list of dask.delayed.Delayed
        Customer partitions.
    ref : pandas.Timestamp
        Reference date.
    n : int
        Number of customers.
    sketches : list, optional
        :func:`tradearea.scale.select.sketch` results computed already.
    extra : dict, optional
        More 0-based ranks to find (``{"m": [k]}`` for the Pareto cut), returned after the
        four quintile cuts.

    Returns
    -------
    dict
        ``{"r": 4 cuts, "f": 4 cuts, "m": 4 cuts (+ extra)}``.
    """
    from dask import delayed  # optional heavy dependency (scale extra)

    if n == 0:
        return {name: np.zeros(4 + len((extra or {}).get(name, []))) for name in ("r", "f", "m")}
    ranks = {"r": best_tie_ranks(n), "f": quintile_ranks(n), "m": quintile_ranks(n)}
    positions = {name: ranks[name] + list((extra or {}).get(name, [])) for name in ("r", "f", "m")}
    extract = _RfmExtract(ref)
    if sketches is None:
        sketches = compute([delayed(sketch)(p, extract) for p in parts])[0]
    bounds = broadcast(brackets(sketches, positions))
    pieces = compute([delayed(bracket_values)(p, extract, bounds) for p in parts])[0]
    return resolve(pieces, positions)


class _RfmExtract:
    """Picklable ``extract`` for the order-statistics passes (a closure would not ship)."""

    def __init__(self, ref: pd.Timestamp) -> None:
        self.ref = ref

    def __call__(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return rfm_columns(frame, self.ref)


@register_dask_twin()
def rfm_scores(customers: Any, *, as_of: pd.Timestamp | str | None = None) -> Any:
    """Score recency, frequency and money in quintiles over all customers; name the segment.

    Pandas frames go to :func:`tradearea.crm.rfm_scores`. With Dask the quintiles are global
    (not per partition): the four cut values of each score are found exactly in two passes
    (:mod:`tradearea.scale.select`), then every partition is scored against them.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        ``recency_days, r_score, f_score, m_score, fm_score, rfm, segment``.
    """
    if not is_dask(customers):
        return _value.rfm_scores(customers, as_of=as_of)
    from dask import delayed  # optional heavy dependency (scale extra)

    ref = reference_date(customers, as_of)
    parts = partitions(customers[["last_purchase", "orders", "revenue"]])
    extract = _RfmExtract(ref)
    sketches, sizes = compute(
        [delayed(sketch)(p, extract) for p in parts], [delayed(len)(p) for p in parts]
    )
    cuts = rfm_cuts(parts, ref, n=int(sum(sizes)), sketches=sketches)
    meta = rfm_with_cuts(meta_of(customers), as_of=ref, cuts=cuts)
    return customers.map_partitions(rfm_with_cuts, as_of=ref, cuts=cuts, meta=meta)


@register_dask_twin()
def lifecycle_stage(
    customers: Any,
    *,
    as_of: pd.Timestamp | str | None = None,
    acquisition_days: float = 90,
    lapse_days: float = 365,
    growth_days: float = 365,
    trend_band: float = 0.2,
) -> Any:
    """Place customers in lifecycle stages (see :func:`tradearea.crm.lifecycle_stage`).

    Every rule looks at one customer only, so with Dask each partition is staged against the
    reference date settled over all customers.
    """
    options = {
        "acquisition_days": acquisition_days,
        "lapse_days": lapse_days,
        "growth_days": growth_days,
        "trend_band": trend_band,
    }
    if not is_dask(customers):
        return _value.lifecycle_stage(customers, as_of=as_of, **options)
    ref = reference_date(customers, as_of)
    meta = _value.lifecycle_stage(meta_of(customers), as_of=ref, **options)
    return customers.map_partitions(_value.lifecycle_stage, as_of=ref, **options, meta=meta)


# ---- Pareto -------------------------------------------------------------------------------


def pareto_rank(n: int, top: float = 0.2) -> tuple[int, int | None]:
    """Return (size of the top group, 0-based ascending rank of its smallest value or None)."""
    n_top = int(np.ceil(top * n - 1e-9))
    return n_top, (n - n_top if 0 < n_top <= n else None)


def pareto_pieces(revenue: np.ndarray, cut: float) -> tuple[int, float, float]:
    """Return (values above ``cut``, their sum, the sum of all values) of one partition."""
    v = np.asarray(revenue, dtype=float)
    above = v > cut
    return int(above.sum()), float(v[above].sum()), float(v.sum())


def pareto_from_pieces(
    n: int, n_top: int, cut: float, above: int, above_sum: float, total: float
) -> float:
    """Share of revenue of the top ``n_top`` customers, ties at the cut value shared exactly."""
    if n == 0 or total <= 0:
        return float("nan")
    if n_top == 0:
        return 0.0
    return float((above_sum + (n_top - above) * cut) / total)


@register_dask_twin()
def pareto_share(revenue: Any, *, top: float = 0.2) -> float:
    """Return the share of revenue from the top ``top`` share of customers.

    See :func:`tradearea.crm.pareto_share`; with a Dask series the cut value is found exactly
    (:mod:`tradearea.scale.select`) and the rest summed over partitions.
    """
    if not is_dask(revenue):
        return _value.pareto_share(revenue, top=top)
    from dask import delayed  # optional heavy dependency (scale extra)

    frame = revenue.to_frame(name="m")
    parts = partitions(frame)
    sizes = compute([delayed(len)(p) for p in parts])[0]
    n = int(sum(sizes))
    n_top, rank = pareto_rank(n, top)
    if rank is None:
        total = float(compute(revenue.sum())[0])
        return pareto_from_pieces(n, n_top, 0.0, 0, 0.0, total)
    cut = float(order_statistics(parts, _money, {"m": [rank]})["m"][0])
    pieces = compute([delayed(pareto_pieces)(p["m"].to_numpy(), cut) for p in parts])[0]
    above, above_sum, total = (sum(x) for x in zip(*pieces, strict=True))
    return pareto_from_pieces(n, n_top, cut, int(above), float(above_sum), float(total))


def _money(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {"m": frame["m"].to_numpy(dtype=float)}
