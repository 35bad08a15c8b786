"""Vectorised NPV, IRR, payback period and equity multiple over many cash-flow series at once."""

from __future__ import annotations

from typing import Any

import numpy as np

# IRR search: NPV is evaluated at ``u = 1 / (2 + r)`` (so ``u / (1 - u) = 1 / (1 + r)``) on a
# grid of rates from -99.9999 % to +1e6 %, 0.5 % apart between -99 % and +100 %; every sign
# change brackets a root, refined by the Illinois (modified false position) method.
_RATE_GRID = np.unique(
    np.concatenate(
        [
            -1.0 + np.geomspace(1e-6, 1e-2, 16),
            np.linspace(-0.99, -0.5, 99),
            np.linspace(-0.5, 1.0, 301),
            [0.0],
            1.0 + np.geomspace(5e-3, 1e6, 96),
        ]
    )
)
_U_GRID = np.sort(1.0 / (2.0 + _RATE_GRID))
_REFINE_STEPS = 24
_ROWS_PER_CHUNK = 8192


def _as_flows(cash_flows: Any) -> tuple[np.ndarray, bool]:
    flows = np.asarray(cash_flows, dtype=float)
    if flows.ndim == 0 or flows.ndim > 2:
        msg = f"cash_flows must be 1-D (years) or 2-D (scenarios x years); got {flows.ndim}-D"
        raise ValueError(msg)
    one = flows.ndim == 1
    return np.atleast_2d(flows), one


def npv(rate: Any, cash_flows: Any) -> Any:
    """Net present value, first flow at t = 0 (the numpy-financial convention).

    Parameters
    ----------
    rate : float or array_like
        Discount rate per period; one per scenario (shape ``(n,)``) for 2-D flows.
    cash_flows : array_like
        Flows per period, shape ``(years,)`` or ``(n_scenarios, years)``; ``cash_flows[..., 0]``
        is not discounted, ``cash_flows[..., t]`` is divided by ``(1 + rate) ** t``.

    Returns
    -------
    float or numpy.ndarray
        A float for 1-D flows, else an array of shape ``(n_scenarios,)``.

    Examples
    --------
    >>> round(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]), 5)
    3065.22267
    """
    flows, one = _as_flows(cash_flows)
    rates = np.asarray(rate, dtype=float)
    if rates.ndim > 1 or (rates.ndim == 1 and rates.shape[0] not in (1, flows.shape[0])):
        msg = f"rate must be a number or one rate per scenario ({flows.shape[0]}); got shape {rates.shape}"
        raise ValueError(msg)
    if np.any(rates <= -1):
        msg = "rate must be greater than -1 (-100 %)"
        raise ValueError(msg)
    years = np.arange(flows.shape[1], dtype=float)
    factors = (1.0 + rates.reshape(-1, 1)) ** -years
    values = (flows * factors).sum(axis=1)
    return float(values[0]) if one else values


def _horner_form(flows: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (Horner order) and side of each bracket, ``u <= 1/2`` or ``u > 1/2``.

    Grid brackets never straddle ``u = 1/2`` (r = 0 is a grid point). For ``u <= 1/2`` the NPV
    polynomial ``sum v_t x**t`` is evaluated in ``x = u / (1 - u) <= 1``; above, the same
    polynomial divided by ``x**(T - 1)`` in ``1 / x < 1``: same sign and roots, and every power
    stays at most 1, so nothing overflows.
    """
    low = hi <= 0.5
    return np.where(low[:, None], flows[:, ::-1], flows), low


def _value_at(coefficients: np.ndarray, low: np.ndarray, u: np.ndarray) -> np.ndarray:
    z = np.where(low, u / (1.0 - u), (1.0 - u) / u)
    acc = coefficients[:, 0].copy()
    for step in range(1, coefficients.shape[1]):
        acc *= z
        acc += coefficients[:, step]
    return acc


def _refine(flows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Roots in brackets ``[lo, hi]`` (in ``u``) by the Illinois method, all rows at once."""
    coefficients, low = _horner_form(flows, hi)
    f_lo, f_hi = _value_at(coefficients, low, lo), _value_at(coefficients, low, hi)
    side = np.zeros(lo.shape)
    estimate = np.where(f_lo == 0, lo, hi)
    for _ in range(_REFINE_STEPS):
        span = f_hi - f_lo
        safe = np.where(span != 0, span, 1.0)
        mid = np.where(span != 0, (lo * f_hi - hi * f_lo) / safe, 0.5 * (lo + hi))
        mid = np.clip(mid, lo, hi)
        f_mid = _value_at(coefficients, low, mid)
        done = (f_lo == 0) | (f_hi == 0)
        right = (np.sign(f_mid) == np.sign(f_lo)) & ~done
        left = ~right & ~done
        moved = np.abs(np.where(done, 0.0, mid - estimate))
        estimate = np.where(done, estimate, mid)
        lo, f_lo = np.where(right, mid, lo), np.where(right, f_mid, f_lo)
        hi, f_hi = np.where(left, mid, hi), np.where(left, f_mid, f_hi)
        f_hi = np.where(right & (side > 0), 0.5 * f_hi, f_hi)
        f_lo = np.where(left & (side < 0), 0.5 * f_lo, f_lo)
        side = np.where(right, 1.0, np.where(left, -1.0, side))
        if moved.max(initial=0.0) <= 1e-15:
            break
    return estimate


def irr(cash_flows: Any) -> Any:
    """Internal rate of return of one or many cash-flow series, as numpy-financial defines it.

    The rate ``r > -1`` at which the NPV (first flow at t = 0) is zero. When several rates
    qualify (flows that change sign more than once), the one closest to zero is returned, as
    ``numpy_financial.irr`` does. All series are solved together: the NPV is evaluated on a
    grid of 510 rates from -99.9999 % to +1,000,000 % (0.5 % apart between -99 % and +100 %),
    every sign change brackets a root, and the brackets are refined by the Illinois method to
    machine precision. Two roots closer together than the grid spacing are missed (the NPV has
    the same sign on both sides), and rates below -99.9999 % or above +1,000,000 % are not
    searched (NaN); numpy-financial, which solves the polynomial, finds those.

    Parameters
    ----------
    cash_flows : array_like
        Shape ``(years,)`` or ``(n_scenarios, years)``.

    Returns
    -------
    float or numpy.ndarray
        The IRR as a fraction (0.1 = 10 %); ``nan`` where there is none (for example all flows
        of one sign).

    Examples
    --------
    >>> round(irr([-100, 39, 59, 55, 20]), 5)
    0.28095
    """
    flows, one = _as_flows(cash_flows)
    rates, _ = _irr_and_count(flows)
    return float(rates[0]) if one else rates


def irr_count(cash_flows: Any) -> Any:
    """How many distinct IRRs the flows have (more than 1: the IRR is ambiguous, prefer NPV).

    Parameters
    ----------
    cash_flows : array_like
        Shape ``(years,)`` or ``(n_scenarios, years)``.

    Returns
    -------
    int or numpy.ndarray
        Number of rates above -100 % where the NPV changes sign (found on the same grid as
        :func:`irr`).
    """
    flows, one = _as_flows(cash_flows)
    _, counts = _irr_and_count(flows)
    return int(counts[0]) if one else counts


def irr_with_count(cash_flows: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`irr` and :func:`irr_count` of 2-D flows in one pass (arrays of shape ``(n,)``)."""
    flows, _ = _as_flows(cash_flows)
    return _irr_and_count(flows)


def investment_irr(cash_flows: Any) -> tuple[np.ndarray, np.ndarray]:
    """The IRR of an investment: where the NPV falls from positive to negative as the rate rises.

    Flows that change sign more than once (an outlay, sales, then costs after the sales) have
    several IRRs; :func:`irr` returns the one closest to zero, which can be the rate at which
    the NPV *rises* through zero (a borrowing rate, often far below 0 %). This returns, among
    the rates where the NPV falls through zero, the one closest to zero; for conventional flows
    (one outlay, then income) it equals :func:`irr`.

    Parameters
    ----------
    cash_flows : array_like
        Shape ``(n_scenarios, years)`` (or ``(years,)``).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The rates (NaN where the NPV never falls through zero) and the number of all IRRs, as
        :func:`irr_count` counts them; arrays of shape ``(n,)``.
    """
    flows, _ = _as_flows(cash_flows)
    return _irr_and_count(flows, investment=True)


def _irr_and_count(flows: np.ndarray, *, investment: bool = False) -> tuple[np.ndarray, np.ndarray]:
    out = np.full(flows.shape[0], np.nan)
    counts = np.zeros(flows.shape[0], dtype=int)
    finite = np.nonzero(np.isfinite(flows).all(axis=1))[0]
    if flows.shape[1] < 2 or finite.size == 0:
        return out, counts
    years = flows.shape[1]
    powers = np.arange(years, dtype=float).reshape(-1, 1)
    # basis[t, k] = u_k**t (1 - u_k)**(T - 1 - t): the grid values are one matrix product
    basis = _U_GRID**powers * (1.0 - _U_GRID) ** (years - 1 - powers)
    for start in range(0, finite.size, _ROWS_PER_CHUNK):
        rows = finite[start : start + _ROWS_PER_CHUNK]
        chunk = flows[rows]
        positive = (chunk @ basis) > 0
        changes = positive[:, 1:] != positive[:, :-1]
        counts[rows] = np.count_nonzero(changes, axis=1)
        if investment:  # u rises as the rate falls: NPV negative at the higher rate
            changes &= positive[:, 1:]
        count = np.count_nonzero(changes, axis=1)
        # one bracket per row is the common case: argmax is much cheaper than nonzero
        single = np.nonzero(count == 1)[0]
        several = np.nonzero(count > 1)[0]
        several_row, col_several = np.nonzero(changes[several])
        row = np.concatenate([single, several[several_row]])
        col = np.concatenate([changes[single].argmax(axis=1), col_several])
        if row.size == 0:
            continue
        u = _refine(chunk[row], _U_GRID[col], _U_GRID[col + 1])
        rates = (1.0 - 2.0 * u) / u
        order = np.lexsort((np.abs(rates), row))
        row, rates = row[order], rates[order]
        first = np.r_[True, row[1:] != row[:-1]]
        out[rows[row[first]]] = rates[first]
    return out, counts


def payback_period(cash_flows: Any) -> Any:
    """Years until the cumulative cash flow turns non-negative for good, interpolated linearly.

    Flow ``t`` is counted at time ``t`` (the numpy-financial convention), so for
    ``[-100, 30, 30, 30, 30]`` the cumulative flow is -10 after year 3 and +20 after year 4 and
    the payback is ``3 + 10 / 30 = 3.33`` years. If the cumulative flow dips below zero again
    later (a refit, say), the payback is counted from the last time it turns non-negative.

    Parameters
    ----------
    cash_flows : array_like
        Shape ``(years,)`` or ``(n_scenarios, years)``.

    Returns
    -------
    float or numpy.ndarray
        Payback in years (fractional); ``0.0`` if the cumulative flow is never negative;
        ``nan`` if it is still negative at the end (never paid back).
    """
    flows, one = _as_flows(cash_flows)
    cumulative = np.cumsum(flows, axis=1)
    negative = cumulative < 0
    years = flows.shape[1]
    has_negative = negative.any(axis=1)
    last_negative = years - 1 - np.argmax(negative[:, ::-1], axis=1)
    out = np.zeros(flows.shape[0])
    never = has_negative & (last_negative == years - 1)
    crossing = has_negative & ~never
    rows = np.nonzero(crossing)[0]
    k = last_negative[rows]
    out[rows] = k + (-cumulative[rows, k]) / flows[rows, k + 1]
    out[never] = np.nan
    out[~np.isfinite(flows).all(axis=1)] = np.nan
    return float(out[0]) if one else out


def equity_multiple(cash_flows: Any) -> Any:
    """Money back per unit of money put in: sum of inflows ÷ sum of outflows.

    Parameters
    ----------
    cash_flows : array_like
        Equity cash flows, shape ``(years,)`` or ``(n_scenarios, years)``.

    Returns
    -------
    float or numpy.ndarray
        For example 2.1 means 2.1 returned for each 1 invested; ``nan`` if nothing was invested.
    """
    flows, one = _as_flows(cash_flows)
    inflow = np.where(flows > 0, flows, 0.0).sum(axis=1)
    outflow = -np.where(flows < 0, flows, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(outflow > 0, inflow / np.where(outflow > 0, outflow, 1.0), np.nan)
    return float(out[0]) if one else out
