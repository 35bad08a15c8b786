"""Dask plumbing for the scale engine: lazy imports, conversion, broadcasting, tree reductions."""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tradearea._core.dispatch import is_dask

# Keep text columns as pandas makes them: dask's own string conversion would give other dtypes
# than the pandas engine and break "same inputs, same tables".
DASK_CONFIG = {"dataframe.convert-string": False}
SPLIT_EVERY = 8
DEFAULT_PARTITION_ROWS = 250_000


def require_dask() -> Any:
    """Import and return ``dask.dataframe``, or fail with how to install the ``scale`` extra."""
    try:
        import dask.dataframe as dd  # optional heavy dependency (scale extra)
    except ImportError:  # pragma: no cover - the scale extra is installed in the test env
        msg = "the Dask engine needs the 'scale' extra: pip install 'tradearea[scale]'"
        raise ImportError(msg) from None
    return dd


@contextlib.contextmanager
def dask_config() -> Iterator[None]:
    """Apply :data:`DASK_CONFIG` for the duration of a block."""
    import dask  # optional heavy dependency (scale extra)

    with dask.config.set(DASK_CONFIG):
        yield


def to_dask(
    frame: pd.DataFrame,
    *,
    npartitions: int | None = None,
    partition_rows: int | None = None,
) -> Any:
    """Split a pandas (or GeoPandas) frame into a Dask (or dask-geopandas) frame.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The table; a Dask frame is returned unchanged.
    npartitions : int, optional
        Number of partitions.
    partition_rows : int, optional
        Rows per partition (used when ``npartitions`` is not given; default 250,000).

    Returns
    -------
    dask.dataframe.DataFrame or dask_geopandas.GeoDataFrame
        The same rows in the same order, text columns with the pandas dtypes.
    """
    if is_dask(frame):
        return frame
    dd = require_dask()
    if npartitions is None:
        rows = partition_rows or DEFAULT_PARTITION_ROWS
        npartitions = max(1, -(-len(frame) // rows))
    npartitions = max(1, min(int(npartitions), max(len(frame), 1)))
    with dask_config():
        if _is_geo(frame):
            import dask_geopandas  # optional heavy dependency (scale extra)

            return dask_geopandas.from_geopandas(frame, npartitions=npartitions, sort=False)
        return dd.from_pandas(frame, npartitions=npartitions, sort=False)


def _is_geo(frame: Any) -> bool:
    return "geopandas" in sys.modules and type(frame).__name__ == "GeoDataFrame"


def meta_of(ddf: Any) -> pd.DataFrame:
    """Return the empty pandas frame describing a Dask frame's columns and dtypes."""
    return ddf._meta


def broadcast(obj: Any) -> Any:
    """Share a small table (stores, trade areas, thresholds) with every task, sent once.

    On a distributed cluster the object is scattered to every worker once and tasks receive
    a future of it; with the local schedulers it becomes a single key of the task graph.
    Either way it is not copied into each partition's task.
    """
    if obj is None:
        return None
    client = _client()
    if client is not None:
        return client.scatter([obj], broadcast=True, hash=True)[0]
    from dask import delayed  # optional heavy dependency (scale extra)

    return delayed(obj, pure=True, traverse=False)


def _client() -> Any:
    if "distributed" not in sys.modules:
        return None
    from distributed import get_client  # optional heavy dependency (scale extra)

    try:
        return get_client()
    except ValueError:
        return None


def partitions(ddf: Any) -> list[Any]:
    """Return the partitions of a Dask frame as a list of Delayed pandas frames."""
    with dask_config():
        return list(ddf.to_delayed(optimize_graph=True))


def tree_reduce(
    pieces: Sequence[Any], combine: Callable[[list[Any]], Any], *, split_every: int = SPLIT_EVERY
) -> Any:
    """Combine Delayed per-partition pieces level by level (``split_every`` at a time).

    ``combine`` receives a list of pieces and returns one piece of the same kind, so memory on
    any worker stays bounded by ``split_every`` pieces whatever the number of partitions.
    """
    from dask import delayed  # optional heavy dependency (scale extra)

    level = list(pieces)
    if not level:
        msg = "nothing to reduce: the frame has no partitions"
        raise ValueError(msg)
    merge = delayed(combine, pure=True)
    while len(level) > 1:
        level = [merge(level[i : i + split_every]) for i in range(0, len(level), split_every)]
    if len(pieces) == 1:
        return merge(level)
    return level[0]


def compute(*objects: Any) -> tuple[Any, ...]:
    """Compute Dask objects together (shared tasks run once) with :data:`DASK_CONFIG`."""
    import dask  # optional heavy dependency (scale extra)

    with dask_config():
        return dask.compute(*objects)


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate partition results, keeping dtypes when some are empty."""
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame()
    full = [f for f in frames if len(f)]
    if not full:
        return frames[0]
    return pd.concat(full, ignore_index=True) if len(full) > 1 else full[0].reset_index(drop=True)


def sample_row(meta: pd.DataFrame) -> pd.DataFrame:
    """Return one made-up row with the dtypes of ``meta`` (text ``"a"``, numbers 1, ...)."""
    from dask.dataframe.utils import meta_nonempty  # optional heavy dependency (scale extra)

    row = meta_nonempty(meta).iloc[:1].copy()
    for col in row.columns[(row.dtypes == object).to_numpy()]:  # noqa: E721 - dtype compare
        row[col] = "a"
    return row


def infer_meta(
    func: Callable[..., Any],
    meta: pd.DataFrame,
    *args: Any,
    pick: Callable[[Any], Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Return the empty output of ``func`` for input like ``meta``, with real partition dtypes.

    ``func`` runs on one made-up row (so text columns come out with the dtype pandas gives real
    text, not the ``object`` of an empty frame); if that row is not valid input it runs on the
    empty frame. ``pick`` selects the frame from a tuple result.
    """
    choose = pick or (lambda result: result)
    try:
        out = choose(func(sample_row(meta), *args, **kwargs))
    except Exception:
        out = choose(func(meta.iloc[:0], *args, **kwargs))
    return out.iloc[:0]


def empty_folder(out: str | Path) -> Path:
    """Create ``out`` as an empty folder (removing what was there) for Parquet part files."""
    folder = Path(out)
    if folder.is_dir():
        shutil.rmtree(folder)
    elif folder.exists():
        folder.unlink()
    folder.mkdir(parents=True)
    return folder
