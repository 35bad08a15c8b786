"""The machine's log of personal-data exports made outside a project (CLI files), written first."""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tradearea.settings import cache_dir

EXPORTS_LOG = "exports.log"


def exports_log_path() -> Path:
    """Return the JSON-lines log of personal-data exports (``TRADEAREA_CACHE/exports.log``)."""
    return cache_dir() / EXPORTS_LOG


def log_personal_export(command: str, *, file: str | Path, **details: Any) -> dict[str, Any]:
    """Append an entry for a personal-data export, before the file is written.

    The entry (``at`` UTC time, ``user``, ``command``, ``file`` and ``details``) is flushed to
    disk first; the log is readable by its owner only. If it cannot be written the OSError
    propagates, so the caller writes no export (a failure to log blocks the export).

    Parameters
    ----------
    command : str
        What exports (``geocode``, ``crm``).
    file : str or pathlib.Path
        The output about to be written.
    **details
        What it holds (rows, columns with personal data ...).

    Returns
    -------
    dict
        The entry written.
    """
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": user,
        "command": command,
        "file": str(Path(file).resolve()),
        **details,
    }
    fd = os.open(exports_log_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(entry, default=str, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


__all__ = ["EXPORTS_LOG", "exports_log_path", "log_personal_export"]
