"""CLI: `tradearea huff` (not built yet)."""

from __future__ import annotations

import typer

from tradearea.cli._stub import not_built


def register(app: typer.Typer) -> None:
    """Add the `huff` command to the CLI."""
    app.command(
        "huff", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(not_built("huff", "Huff model: store choice probabilities and expected sales.", 5))
