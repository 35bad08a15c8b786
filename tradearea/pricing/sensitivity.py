"""Scenario grids, tornado charts and side-by-side comparison of pricing scenarios."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.pricing.model import METRICS, evaluate
from tradearea.pricing.scenario import ENGINE_KEYS, INTEGER_KEYS, Scenario, bounds

# The inputs a tornado swings by default: what leasing teams argue about.
TORNADO_KEYS = (
    "rents.base_rent_per_m2_month",
    "rents.sale_price_per_m2",
    "rents.vacancy",
    "rents.growth",
    "rents.opening_rent_ratio",
    "rents.maturity_years",
    "rents.free_months",
    "costs.land_cost_per_m2",
    "costs.construction_cost_per_m2",
    "costs.operating_cost_per_m2_month",
    "costs.nurturing_cost_ratio",
    "timing.lease_up_months",
    "timing.occupancy_at_opening",
    "finance.exit_yield",
)
MAX_GRID = 1_000_000
CHUNK = 25_000


def parse_grid_spec(spec: str) -> tuple[str, np.ndarray]:
    """Parse ``KEY=a:b:n`` (n evenly spaced values from a to b) or ``KEY=v1,v2,...``.

    Parameters
    ----------
    spec : str
        For example ``"rents.vacancy=0:0.2:5"``.

    Returns
    -------
    tuple of (str, numpy.ndarray)
        The dotted key and its values.
    """
    key, sep, values = spec.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        msg = f"expected KEY=a:b:n, e.g. rents.vacancy=0:0.2:5; got {spec!r}"
        raise InputError(msg, column=key or None)
    try:
        if ":" in values:
            parts = values.split(":")
            if len(parts) != 3:
                raise ValueError
            start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
            if count < 1:
                raise ValueError
            grid = np.linspace(start, stop, count)
        else:
            grid = np.array([float(v) for v in values.split(",")])
    except ValueError:
        msg = f"expected KEY=a:b:n with numbers a, b and a whole n >= 1; got {spec!r}"
        raise InputError(msg, column=key) from None
    if key in INTEGER_KEYS:
        grid = np.round(grid)
    return key, grid


def scenario_grid(
    scenario: Scenario,
    axes: Mapping[str, Sequence[float] | np.ndarray],
    *,
    floors: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Evaluate every combination of the given input values (a full factorial grid).

    Parameters
    ----------
    scenario : Scenario
        The base inputs; inputs not in ``axes`` keep their values.
    axes : mapping of str to sequence of float
        Dotted key -> values, e.g. ``{"rents.base_rent_per_m2_month": [200, 250, 300],
        "rents.vacancy": [0.05, 0.1]}`` gives 6 scenarios.
    floors : sequence of str, optional
        Restrict to these floors.

    Returns
    -------
    pandas.DataFrame
        One row per combination: the varied inputs, then :data:`METRICS` and totals.
    """
    if not axes:
        return evaluate(scenario, floors=floors).metrics_frame()
    values = [np.atleast_1d(np.asarray(v, dtype=float)) for v in axes.values()]
    size = int(np.prod([v.size for v in values]))
    if size > MAX_GRID:
        msg = f"the grid has {size:,} scenarios; the limit is {MAX_GRID:,}"
        raise InputError(msg)
    mesh = np.meshgrid(*values, indexing="ij")
    overrides = {k: m.ravel() for k, m in zip(axes, mesh, strict=True)}
    # evaluated in slices so memory stays bounded (a loop per slice, not per scenario)
    frames = [
        evaluate(
            scenario, {k: v[start : start + CHUNK] for k, v in overrides.items()}, floors=floors
        ).metrics_frame()
        for start in range(0, size, CHUNK)
    ]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def grid_pivot(frame: pd.DataFrame, rows: str, columns: str, metric: str = "irr") -> pd.DataFrame:
    """Reshape a two-input grid into a table (a heat map): ``rows`` × ``columns`` → ``metric``."""
    return frame.pivot_table(index=rows, columns=columns, values=metric, aggfunc="mean")


def swing_values(key: str, base: float, swing: float) -> tuple[float, float]:
    """Low and high values of input ``key``: ``base × (1 ∓ swing)`` within its allowed range."""
    low, high = base * (1 - swing), base * (1 + swing)
    lo_bound, lo_inc, hi_bound, hi_inc = bounds(key)
    eps = 1e-9
    if lo_bound is not None:
        low = max(low, lo_bound if lo_inc else lo_bound + eps)
    if hi_bound is not None:
        high = min(high, hi_bound if hi_inc else hi_bound - eps)
    if key in INTEGER_KEYS:
        low, high = float(np.floor(low)), float(np.ceil(high))
    return min(low, high), max(low, high)


def tornado(
    scenario: Scenario,
    *,
    keys: Sequence[str] | None = None,
    swing: float = 0.2,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    metric: str = "irr",
) -> pd.DataFrame:
    """How much each input moves a metric when swung low and high, largest first.

    Each input is set to ``base × (1 - swing)`` and ``base × (1 + swing)`` (clipped to its
    allowed range; inputs whose base is 0 do not move) or to the ``(low, high)`` given in
    ``ranges``, one at a time; all ``2 × len(keys)`` variants are evaluated in one batch.

    Parameters
    ----------
    scenario : Scenario
        The base case.
    keys : sequence of str, optional
        Inputs to swing; :data:`TORNADO_KEYS` by default.
    swing : float
        Relative swing, 0.2 = ±20 %.
    ranges : mapping of str to (float, float), optional
        Explicit low and high values for some inputs.
    metric : str
        One of :data:`tradearea.pricing.METRICS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``input``, ``low_value``, ``high_value``, ``base``, ``low``, ``high``
        (the metric at the low and high value) and ``range`` (absolute spread), sorted by
        ``range`` descending.
    """
    if metric not in METRICS:
        msg = f"metric must be one of {', '.join(METRICS)}; got {metric!r}"
        raise ValueError(msg)
    if not 0 < swing < 1:
        msg = f"swing must be in (0, 1); got {swing}"
        raise ValueError(msg)
    ranges = dict(ranges or {})
    chosen = list(keys) if keys is not None else list(TORNADO_KEYS)
    chosen += [k for k in ranges if k not in chosen]
    unknown = [k for k in chosen if k not in ENGINE_KEYS]
    if unknown:
        raise InputError(f"cannot swing {unknown[0]!r}: not a cash-flow input", column=unknown[0])
    lows, highs = [], []
    for key in chosen:
        group, _, name = key.partition(".")
        base = getattr(getattr(scenario, group), name)
        base = float("nan") if base is None else float(base)
        if key in ranges:
            low, high = (float(v) for v in ranges[key])
        elif np.isnan(base):
            low = high = base
        else:
            low, high = swing_values(key, base, swing)
        lows.append(low)
        highs.append(high)
    count = len(chosen)
    overrides = {}
    for i, key in enumerate(chosen):
        group, _, name = key.partition(".")
        base = getattr(getattr(scenario, group), name)
        column = np.full(2 * count + 1, np.nan if base is None else float(base))
        column[i], column[count + i] = lows[i], highs[i]
        if not np.isnan(column).all():
            overrides[key] = column
    result = evaluate(scenario, overrides).metrics[metric]
    frame = pd.DataFrame(
        {
            "input": chosen,
            "low_value": lows,
            "high_value": highs,
            "base": result[-1],
            "low": result[:count],
            "high": result[count : 2 * count],
        }
    )
    frame["range"] = (frame["high"] - frame["low"]).abs()
    return frame.sort_values("range", ascending=False, kind="stable").reset_index(drop=True)


def compare(scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """Side-by-side metrics of named scenarios (one column per scenario).

    Parameters
    ----------
    scenarios : mapping of str to Scenario
        Name -> scenario; each may differ in anything (floors, business model, ...).

    Returns
    -------
    pandas.DataFrame
        Rows: the metrics and totals; columns: the scenario names, in the given order.
    """
    columns = {name: evaluate(s).summary() for name, s in scenarios.items()}
    return pd.DataFrame(columns)
