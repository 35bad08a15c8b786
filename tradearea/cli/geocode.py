"""CLI: `tradearea geocode` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `geocode` command to the CLI."""
    app.command(
        "geocode", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(not_built("geocode", "Geocode a survey or CRM file offline against a region pack.", 3))
