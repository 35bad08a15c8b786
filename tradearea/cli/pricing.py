"""CLI: `tradearea pricing` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `pricing` command to the CLI."""
    app.command(
        "pricing", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(not_built("pricing", "Lease and sale pricing, investment returns and scenario grids.", 7))
