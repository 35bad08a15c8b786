"""CLI: `tradearea areas` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `areas` command to the CLI."""
    app.command(
        "areas", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(not_built("areas", "Draw primary/secondary/tertiary trade areas around a store.", 4))
