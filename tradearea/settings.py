"""Settings read from the environment (TRADEAREA_*): folders, limits of one command."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from tradearea.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
STATIC_DIR = PACKAGE_DIR / "ui" / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
STATIC_URL = "/app/static"


def data_dir() -> Path:
    """Return the data folder (``TRADEAREA_DATA``, else ``data/`` of the checkout, else the user's).

    Returns
    -------
    pathlib.Path
        The folder holding ``regions/`` and ``examples/``.
    """
    env = os.environ.get("TRADEAREA_DATA")
    if env:
        return Path(env).expanduser().resolve()
    if (REPO_DIR / "pyproject.toml").exists() and (REPO_DIR / "data").is_dir():
        return REPO_DIR / "data"
    home = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return home / "tradearea"


def regions_dir() -> Path:
    """Return the folder holding one sub-folder per region pack."""
    return data_dir() / "regions"


def cache_dir() -> Path:
    """Return the folder for caches (geocoding cache, derived tables); created on demand."""
    env = os.environ.get("TRADEAREA_CACHE")
    path = Path(env) if env else data_dir() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def projects_dir() -> Path:
    """Return the default folder for project files; created on demand."""
    env = os.environ.get("TRADEAREA_PROJECTS")
    path = Path(env) if env else data_dir() / "projects"
    path.mkdir(parents=True, exist_ok=True)
    return path


ENV_INPUT_MB = "TRADEAREA_MAX_INPUT_MB"


def max_input_bytes() -> int:
    """Largest file read, in bytes (``TRADEAREA_MAX_INPUT_MB``, default 100 MB)."""
    try:
        mb = float(os.environ.get(ENV_INPUT_MB, "100"))
    except ValueError:
        mb = 100.0
    return int(mb * 2**20)


ENV_MEMORY_MB = "TRADEAREA_MAX_MEMORY_MB"
DEFAULT_MEMORY_MB = 1024


def max_memory_bytes() -> int:
    """Memory budget of one input once read, in bytes (``TRADEAREA_MAX_MEMORY_MB``, default 1024).

    A table, polygon layer, grid or Huff problem whose size (known only after parsing) would
    need more is refused with a message naming this setting, before the work is done.
    """
    try:
        mb = float(os.environ.get(ENV_MEMORY_MB, str(DEFAULT_MEMORY_MB)))
    except ValueError:
        mb = float(DEFAULT_MEMORY_MB)
    return int(max(mb, 1.0) * 2**20)


def memory_refusal(what: str, needed_bytes: float) -> str:
    """Return the message that refuses ``what`` for needing ``needed_bytes`` (over the budget)."""
    budget = max_memory_bytes()
    return (
        f"{what} would need about {needed_bytes / 2**20:,.0f} MB of memory, more than the "
        f"{budget / 2**20:,.0f} MB budget (set {ENV_MEMORY_MB} to raise it)"
    )


# Memory a grid cell takes while a surface or contour is built: its hexagon, centre and row.
GRID_CELL_BYTES = 2_048


def check_grid(what: str, cells: float, *, per_cell_bytes: float = GRID_CELL_BYTES) -> None:
    """Refuse a grid of ``cells`` cells that would not fit the memory budget, before building it.

    Parameters
    ----------
    what : str
        What the grid is for, for the message.
    cells : float
        The number of cells (an estimate from the extent and resolution is enough).
    per_cell_bytes : float
        Memory one cell needs while the grid is used.

    Raises
    ------
    InputError
        Naming the budget setting and, as the option, ``resolution``.
    """
    needed = float(cells) * float(per_cell_bytes)
    if needed > max_memory_bytes():
        msg = (
            memory_refusal(f"{what} ({cells:,.0f} cells)", needed) + "; or use a coarser resolution"
        )
        raise InputError(msg, option="resolution")


ENV_TIME = "TRADEAREA_MAX_SECONDS"


def max_seconds() -> float | None:
    """Longest run of one command, in seconds (``TRADEAREA_MAX_SECONDS``; unset or 0 = none).

    Returns
    -------
    float or None
        The limit, or None for no limit.
    """
    try:
        value = float(os.environ.get(ENV_TIME, "0") or 0)
    except ValueError:
        return None
    return value if value > 0 else None


@contextlib.contextmanager
def time_limit(seconds: float | None = None, *, what: str = "the command") -> Iterator[None]:
    """Stop the block with an InputError once it has run ``seconds`` (default :func:`max_seconds`).

    Uses a real-time alarm, so it only works in the main thread of a process on a system with
    ``SIGALRM`` (Linux, macOS); elsewhere, or with no limit set, it does nothing. Work inside
    C code (a single huge regular expression, a GDAL read) is interrupted when it returns to
    Python.

    Parameters
    ----------
    seconds : float, optional
        The limit; default ``TRADEAREA_MAX_SECONDS`` (none if unset).
    what : str
        What is running, for the message.

    Raises
    ------
    InputError
        ``"<what> took longer than N s ..."`` when the limit is reached.
    """
    limit = max_seconds() if seconds is None else seconds
    usable = (
        limit is not None
        and limit > 0
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        msg = (
            f"{what} took longer than {limit:g} s and was stopped; the input may be too large "
            f"or malformed (raise the limit with {ENV_TIME})"
        )
        raise InputError(msg)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, float(limit))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
