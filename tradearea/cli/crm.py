"""CLI: `tradearea crm` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `crm` command to the CLI."""
    app.command("crm", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
        not_built("crm", "Link CRM customers to trade-area tiers: value, segments, win-back.", 6)
    )
