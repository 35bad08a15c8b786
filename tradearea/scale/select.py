"""Exact order statistics (k-th smallest values) of partitioned data in two bounded passes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tradearea.scale._dask import broadcast, compute

SKETCH_POINTS = 1024
MAX_CANDIDATES = 65_536

Extract = Callable[[pd.DataFrame], Mapping[str, np.ndarray]]
Sketch = dict[str, tuple[np.ndarray, np.ndarray, int]]


def sketch(frame: pd.DataFrame, extract: Extract, *, points: int = SKETCH_POINTS) -> Sketch:
    """Summarise one partition: for each named column, sorted values at evenly spaced ranks.

    Parameters
    ----------
    frame : pandas.DataFrame
        One partition.
    extract : callable
        ``extract(frame) -> {name: values}``; missing values are ignored.
    points : int
        Ranks kept per column (the first and the last are always kept).

    Returns
    -------
    dict
        ``{name: (ranks, values at those ranks, number of values)}``.
    """
    out: Sketch = {}
    for name, values in extract(frame).items():
        v = np.sort(_finite(values))
        n = len(v)
        if n == 0:
            out[name] = (np.zeros(0, np.int64), v, 0)
            continue
        ranks = np.unique(np.linspace(0, n - 1, min(points, n)).round().astype(np.int64))
        out[name] = (ranks, v[ranks], n)
    return out


def _finite(values: Any) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[~np.isnan(v)]


def brackets(
    sketches: Sequence[Sketch], positions: Mapping[str, Sequence[int]]
) -> dict[str, list[tuple[float, float]]]:
    """Return for each wanted rank an interval ``[lo, hi]`` certain to hold its value.

    From the partition sketches, the number of values below a candidate is known within
    bounds; ``lo`` is the largest candidate with certainly at most k values below it and ``hi``
    the smallest with certainly more than k values at or below it.

    Parameters
    ----------
    sketches : sequence of dict
        From :func:`sketch`, one per partition.
    positions : mapping
        ``{name: 0-based ranks}`` wanted (the k-th smallest value, k from 0).

    Returns
    -------
    dict
        ``{name: [(lo, hi), ...]}`` in the order of ``positions[name]``.
    """
    out: dict[str, list[tuple[float, float]]] = {}
    for name, ranks in positions.items():
        parts = [s[name] for s in sketches if s[name][2] > 0]
        if not parts:
            out[name] = [(-np.inf, np.inf) for _ in ranks]
            continue
        cands = np.unique(np.concatenate([vals for _, vals, _ in parts]))
        if len(cands) > MAX_CANDIDATES:
            cands = cands[np.linspace(0, len(cands) - 1, MAX_CANDIDATES).astype(np.int64)]
        most_below = np.zeros(len(cands))  # upper bound of #values < candidate
        least_upto = np.zeros(len(cands))  # lower bound of #values <= candidate
        for idx, vals, n in parts:
            j = np.searchsorted(vals, cands, side="left")
            most_below += np.where(j < len(vals), idx[np.minimum(j, len(vals) - 1)], n)
            j = np.searchsorted(vals, cands, side="right")
            least_upto += np.where(j > 0, idx[np.maximum(j - 1, 0)] + 1, 0)
        pairs = []
        for k in ranks:
            low_ok = most_below <= k
            high_ok = least_upto >= k + 1
            lo = float(cands[low_ok][-1]) if low_ok.any() else -np.inf
            hi = float(cands[high_ok][0]) if high_ok.any() else np.inf
            pairs.append((lo, hi))
        out[name] = pairs
    return out


def bracket_values(
    frame: pd.DataFrame, extract: Extract, bounds: Mapping[str, Sequence[tuple[float, float]]]
) -> dict[str, list[tuple[int, np.ndarray]]]:
    """For one partition: per interval, the count of values below it and the values inside it."""
    columns = extract(frame)
    out: dict[str, list[tuple[int, np.ndarray]]] = {}
    for name, pairs in bounds.items():
        v = _finite(columns[name])
        out[name] = [(int((v < lo).sum()), v[(v >= lo) & (v <= hi)]) for lo, hi in pairs]
    return out


def resolve(
    pieces: Sequence[Mapping[str, Sequence[tuple[int, np.ndarray]]]],
    positions: Mapping[str, Sequence[int]],
) -> dict[str, np.ndarray]:
    """Combine the partitions' :func:`bracket_values` into the exact values at the ranks."""
    out: dict[str, np.ndarray] = {}
    for name, ranks in positions.items():
        values = []
        for i, k in enumerate(ranks):
            below = sum(p[name][i][0] for p in pieces)
            inside = np.sort(np.concatenate([p[name][i][1] for p in pieces]))
            at = int(k) - below
            if not 0 <= at < len(inside):  # pragma: no cover - guarded by the bracket bounds
                msg = f"order statistic {k} of {name!r} fell outside its bracket"
                raise RuntimeError(msg)
            values.append(inside[at])
        out[name] = np.asarray(values, dtype=float)
    return out


def order_statistics(
    parts: Sequence[Any],
    extract: Extract,
    positions: Mapping[str, Sequence[int]],
    *,
    sketches: Sequence[Sketch] | None = None,
) -> dict[str, np.ndarray]:
    """Return exact k-th smallest values of columns spread over Dask partitions.

    Two passes over the data, each holding one partition and small summaries: a sketch pass
    (skipped if ``sketches`` are given, e.g. computed alongside other figures) and a pass
    collecting the few values inside each rank's bracket. Equal to sorting everything, without
    ever holding everything.

    Parameters
    ----------
    parts : sequence of dask.delayed.Delayed
        The partitions (see :func:`tradearea.scale._dask.partitions`).
    extract : callable
        ``extract(frame) -> {name: values}``.
    positions : mapping
        ``{name: 0-based ranks}``; rank k is the (k+1)-th smallest value.
    sketches : sequence of dict, optional
        Already computed :func:`sketch` results, one per partition.

    Returns
    -------
    dict
        ``{name: values at the ranks}`` (float).
    """
    from dask import delayed  # optional heavy dependency (scale extra)

    if sketches is None:
        sketches = compute([delayed(sketch)(p, extract) for p in parts])[0]
    bounds = brackets(sketches, positions)
    wanted = broadcast_bounds(bounds)
    pieces = compute([delayed(bracket_values)(p, extract, wanted) for p in parts])[0]
    return resolve(pieces, positions)


def broadcast_bounds(bounds: dict[str, list[tuple[float, float]]]) -> Any:
    """Wrap the brackets for the bracket pass (one copy shared by all tasks)."""
    return broadcast(bounds)


def quintile_ranks(n: int) -> list[int]:
    """Return the 0-based ranks whose values cut the RFM quintiles of ``n`` customers.

    The CRM score is 1 + floor(5 (rank - 1) / n), ties sharing the lowest rank, so a value
    scores above k exactly when at least ceil(k n / 5) values are smaller than it, that is
    when it exceeds the value at 0-based rank ceil(k n / 5) - 1. The score is therefore 1 plus
    the number of these four cut values that it exceeds.
    """
    return [max((k * n + 4) // 5 - 1, 0) for k in range(1, 5)]


def best_tie_ranks(n: int) -> list[int]:
    """Return the 0-based ranks whose values cut the quintiles when ties share the best rank.

    With ties sharing the highest rank (the recency rule of :func:`tradearea.crm.rfm_scores`) a
    value scores above k exactly when at least ceil(k n / 5) + 1 values are at most it, that is
    when it reaches the value at 0-based rank ceil(k n / 5). Where that rank is past the end,
    the cut is the largest value, which always scores 5. The score is 1 plus the number of
    these four cut values that it reaches (``scores_from_cuts(..., ties="best")``).
    """
    return [min(-(-k * n // 5), max(n - 1, 0)) for k in range(1, 5)]


def scores_from_cuts(values: pd.Series, cuts: np.ndarray, *, ties: str = "lowest") -> pd.Series:
    """Return quintile scores (int64, 1-5): 1 + the number of cut values that ``values`` exceed.

    With ``ties="best"`` (cuts from :func:`best_tie_ranks`) a value reaching a cut counts.
    """
    v = values.to_numpy(dtype=float)
    c = np.asarray(cuts, float)[None, :]
    above = v[:, None] >= c if ties == "best" else v[:, None] > c
    score = 1 + above.sum(axis=1)
    return pd.Series(score.astype("int64"), index=values.index)
