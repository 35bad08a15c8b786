"""CLI: `tradearea saturation` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `saturation` command to the CLI."""
    app.command(
        "saturation", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(not_built("saturation", "Index of Retail Saturation per trade area.", 5))
