"""What a batch step sees (its context) and what a run reports of it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradearea.scale import dask_client, to_dask

if TYPE_CHECKING:
    from tradearea.batch.pipeline import PipelineConfig


@dataclass
class Step:
    """One step: what it reads, what it writes, how to run it."""

    name: str
    run: Callable[[Any], dict[str, Any]]
    outputs: tuple[str, ...]
    needs: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    uses_region: bool = False
    when: Callable[[PipelineConfig], bool] = lambda config: True


@dataclass
class StepReport:
    """What happened to one step in a run."""

    name: str
    status: str  # ran, skipped
    seconds: float
    outputs: list[str]
    summary: dict[str, Any]


class Context:
    """What a step sees: the configuration, the engine, its output paths, progress."""

    def __init__(self, config: PipelineConfig, progress: Callable[[str], None]) -> None:
        self.config = config
        self.engine = config.engine
        self.say = progress
        self._client_stack: contextlib.ExitStack | None = None
        self.client: Any = None

    def out(self, name: str) -> Path:
        """Path of an output in the output folder."""
        return self.config.output / name

    def input(self, name: str) -> Path:
        """Path of a configured input."""
        return self.config.inputs[name]

    def ensure_client(self) -> None:
        """Connect to the scheduler or start the local cluster, once, on first need."""
        if self.engine != "dask" or self.client is not None:
            return
        run = self.config.section("run")
        self._client_stack = contextlib.ExitStack()
        self.client = self._client_stack.enter_context(
            dask_client(
                self.config.scheduler,
                workers=run.get("workers"),
                memory_limit=run.get("memory_limit", "auto"),
                local_directory=run.get("local_directory"),
                processes=bool(run.get("processes", True)),
            )
        )
        where = (
            self.config.scheduler
            or f"local cluster, {len(self.client.scheduler_info()['workers'])} workers"
        )
        self.say(f"dask: connected ({where})")

    def frame(self, table: Any) -> Any:
        """Hand a pandas table to the engine: unchanged for pandas, partitioned for Dask."""
        if self.engine != "dask":
            return table
        return to_dask(table, partition_rows=self.config.partition_rows)

    def close(self) -> None:
        """Close the Dask client and local cluster, if any."""
        if self._client_stack is not None:
            self._client_stack.close()
            self._client_stack = None
            self.client = None
