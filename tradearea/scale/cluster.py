"""Connect to a Dask cluster (any scheduler address) or start a local one for out-of-core runs."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tradearea.scale._dask import DASK_CONFIG


def _apply_config() -> None:
    import dask  # optional heavy dependency (scale extra)

    dask.config.set(DASK_CONFIG)


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    threads_per_worker: int = 1,
    memory_limit: str | float = "auto",
    local_directory: str | Path | None = None,
    processes: bool = True,
) -> Iterator[Any]:
    """Yield a ``distributed.Client``: connected to ``scheduler``, else on a new LocalCluster.

    Nothing here is tied to one machine: ``scheduler`` is whatever address the cluster gives
    (``tcp://10.0.0.5:8786``, a ``scheduler.json`` file written by ``dask scheduler
    --scheduler-file`` or dask-jobqueue, a Kubernetes service address). Without it a local
    cluster is started whose workers spill to ``local_directory`` when their memory fills up,
    so data larger than memory runs out of core.

    Parameters
    ----------
    scheduler : str, optional
        Scheduler address or scheduler file.
    workers : int, optional
        Local workers (default: one per core).
    threads_per_worker : int
        Threads per local worker (1 keeps shapely and pandas work off the GIL: one process per
        core).
    memory_limit : str or float
        Memory per local worker (``"4GiB"``, bytes, or ``"auto"``: the machine's memory shared
        among the workers).
    local_directory : path, optional
        Where local workers spill (default: Dask's temporary folder).
    processes : bool
        Local workers as processes (True) or threads in this process.

    Yields
    ------
    distributed.Client
        The client; closed (and the local cluster shut down) when the block ends.
    """
    try:
        from distributed import Client, LocalCluster  # optional heavy dependency (scale extra)
    except ImportError:  # pragma: no cover - installed with the scale extra
        msg = "the Dask engine needs the 'scale' extra: pip install 'tradearea[scale]'"
        raise ImportError(msg) from None
    _apply_config()
    if scheduler:
        if scheduler.endswith(".json") and Path(scheduler).exists():
            client = Client(scheduler_file=scheduler)
        else:
            client = Client(scheduler)
        try:
            client.run(_apply_config)
            yield client
        finally:
            client.close()
        return
    import dask  # optional heavy dependency (scale extra)

    # No dashboard here, so no use for the workers' statistical profiler (about 10 % of CPU).
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=threads_per_worker,
            memory_limit=memory_limit,
            local_directory=str(local_directory) if local_directory else None,
            processes=processes,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    try:
        client.run(_apply_config)
        yield client
    finally:
        client.close()
        cluster.close()
