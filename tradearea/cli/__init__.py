"""The ``tradearea`` command line: a thin face over the library."""

from __future__ import annotations

import importlib

import typer

from tradearea import __version__

app = typer.Typer(
    name="tradearea",
    help=(
        "Offline-first retail trade-area analysis: geocode surveys, draw trade areas, measure "
        "saturation, forecast sales, value customers, price shop space and export site reports.\n\n"
        "Every command prints a one-line summary on stderr, a JSON summary on stdout with --json, "
        "and exits 0 on success or 2 on bad input (naming the file, row and column)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

# One module per command; each defines ``register(app)``. Order = order in --help.
_COMMANDS = (
    "app_cmd",
    "region",
    "geocode",
    "areas",
    "huff",
    "saturation",
    "crm",
    "pricing",
    "report",
    "summary",
    "run",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tradearea {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """tradearea command line."""


for _name in _COMMANDS:
    importlib.import_module(f"tradearea.cli.{_name}").register(app)


def main() -> None:
    """Entry point of the ``tradearea`` console script."""
    app()


__all__ = ["app", "main"]
