"""CLI: `tradearea run` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `run` command to the CLI."""
    app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
        not_built("run", "Run a batch pipeline (pandas or Dask engine).", 10)
    )
