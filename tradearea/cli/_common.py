"""Shared plumbing for CLI commands: summaries, --json output, exit codes."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from tradearea.errors import InputError

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1

# Library option names whose command-line flag is not ``--`` + the name with dashes.
OPTION_FLAGS: dict[str, str] = {
    "radii_m": "--radii",
    "retail_format": "--format",
    "kind": "--method",
    "buffer_m": "--buffer",
    "weight": "--weight-col",
}

JSON_OPTION = typer.Option(False, "--json", help="Print a machine-readable JSON summary on stdout.")
DATUMS = ("wgs84", "gcj02", "bd09")
DATUM_HELP = (
    "Datum of the input coordinates: wgs84 (GPS, OpenStreetMap), gcj02 (Amap, Tencent) or bd09 "
    "(Baidu); only points inside China are converted."
)


def datum_option(*names: str) -> Any:
    """A ``--datum wgs84|gcj02|bd09`` option (more flag names may be given)."""
    return typer.Option("wgs84", "--datum", *names, help=DATUM_HELP)


def check_datum(value: str) -> str:
    """Return the datum's canonical name, or raise :class:`InputError` naming the option."""
    name = value.lower().replace("-", "").replace("_", "")
    if name not in DATUMS:
        msg = f"--datum {value!r}: use one of {', '.join(DATUMS)}"
        raise InputError(msg, option="datum")
    return name


def datum_warnings(summary: Summary, warnings: list[str]) -> str:
    """Record non-empty warnings in the JSON summary and return them for the summary line."""
    found = [w for w in warnings if w]
    if found:
        summary.update(warnings=[*summary.fields.get("warnings", []), *found])
    return "".join(f"; warning: {w}" for w in found)


@dataclass
class Summary:
    """What a command reports: a one-line text for stderr and fields for ``--json``."""

    command: str
    line: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    def update(self, **kwargs: Any) -> None:
        """Add fields to the JSON summary."""
        self.fields.update(kwargs)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def option_flag(option: str) -> str:
    """Return the command-line flag of a library option (``radii_m`` -> ``--radii``)."""
    return OPTION_FLAGS.get(option, "--" + option.replace("_", "-"))


def fail(message: str) -> None:
    """Print an error for bad input on stderr and exit with code 2."""
    typer.echo(f"tradearea: error: {message}", err=True)
    raise typer.Exit(code=EXIT_BAD_INPUT)


@contextmanager
def cli_run(command: str, *, as_json: bool = False) -> Iterator[Summary]:
    """Run a command body; turn bad input into exit 2 and print the summary.

    Parameters
    ----------
    command : str
        The command's name, as typed.
    as_json : bool
        Also print the summary as JSON on stdout.

    Yields
    ------
    Summary
        Filled in by the command body.
    """
    summary = Summary(command=command)
    try:
        yield summary
    except typer.Exit:
        raise
    except InputError as exc:
        _emit_error(
            summary,
            exc.describe(option_label=option_flag),
            as_json,
            file=exc.file,
            row=exc.row,
            column=exc.column,
            option=option_flag(exc.option) if exc.option else None,
        )
        raise typer.Exit(code=EXIT_BAD_INPUT) from None
    except (OSError, UnicodeError) as exc:  # disk full, read-only folder, name too long ...
        _emit_error(summary, _os_error_text(exc), as_json)
        raise typer.Exit(code=EXIT_BAD_INPUT) from None
    except (ValueError, KeyError) as exc:
        if os.environ.get("TRADEAREA_DEBUG"):
            traceback.print_exc()
        _emit_error(summary, f"bad input: {exc}", as_json)
        raise typer.Exit(code=EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        typer.echo("tradearea: interrupted", err=True)
        raise typer.Exit(code=130) from None
    except Exception as exc:
        if os.environ.get("TRADEAREA_DEBUG"):
            traceback.print_exc()
        _emit_error(summary, f"internal error ({type(exc).__name__}): {exc}", as_json)
        raise typer.Exit(code=EXIT_INTERNAL) from None
    line = summary.line or f"{command}: done"
    typer.echo(f"tradearea {line}", err=True)
    if as_json:
        payload = {"command": command, "ok": True, "summary": line, **summary.fields}
        sys.stdout.write(json.dumps(_jsonable(payload), ensure_ascii=False, default=str) + "\n")


def _os_error_text(exc: OSError | UnicodeError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"file {exc.filename!s}: not found"
    if isinstance(exc, IsADirectoryError):
        return f"file {exc.filename!s}: is a folder, expected a file"
    if isinstance(exc, PermissionError):
        return f"file {exc.filename!s}: permission denied"
    if isinstance(exc, UnicodeError):
        return f"cannot decode input: {exc}"
    where = f"file {exc.filename!s}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc} (nothing was written over the previous output)"


def _emit_error(summary: Summary, message: str, as_json: bool, **where: Any) -> None:
    typer.echo(f"tradearea {summary.command}: error: {message}", err=True)
    if as_json:
        payload = {"command": summary.command, "ok": False, "error": message, **where}
        sys.stdout.write(json.dumps(_jsonable(payload), ensure_ascii=False, default=str) + "\n")


def parse_latlon(text: str, *, option: str = "--store") -> tuple[float, float]:
    """Parse ``"LAT,LON"`` into floats with range checks; exit 2 with a message otherwise."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    if len(parts) != 2:
        fail(f"{option} {text!r}: expected LAT,LON, e.g. 60.1699,24.9384")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        fail(f"{option} {text!r}: LAT and LON must be numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        fail(f"{option} {text!r}: latitude must be in [-90, 90] and longitude in [-180, 180]")
    return lat, lon
