"""CLI: `tradearea report` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `report` command to the CLI."""
    app.command(
        "report", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(not_built("report", "Export a site report (pdf, html, xlsx, gpkg).", 9))
