"""Placeholder for commands whose capability has not landed yet."""

from __future__ import annotations

import typer

from tradearea.cli._common import EXIT_BAD_INPUT


def not_built(name: str, summary: str, issue: int) -> typer.models.CommandInfo:
    """Return a callback that says the command is not built yet (exit 2)."""

    def _cmd(ctx: typer.Context) -> None:
        typer.echo(f"tradearea {name}: not built yet (tracked in issue {issue})", err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT)

    _cmd.__doc__ = f"{summary} [not built yet]"
    return _cmd
