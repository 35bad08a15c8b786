"""Limits on what one command may read and how long it may run (configurable by environment)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

from tradearea.errors import InputError

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


__all__ = ["ENV_TIME", "max_seconds", "time_limit"]
