"""A persistent geocoding cache in SQLite (WAL mode), keyed by provider and normalised address."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from tradearea.settings import cache_dir

_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocode_cache (
    provider TEXT NOT NULL,
    address_key TEXT NOT NULL,
    found INTEGER NOT NULL,
    lat REAL,
    lon REAL,
    matched_address TEXT,
    raw TEXT,
    created REAL NOT NULL,
    PRIMARY KEY (provider, address_key)
)
"""
_MISSING = object()


def default_cache_path() -> Path:
    """Return the cache file under :func:`tradearea.settings.cache_dir`."""
    return cache_dir() / "geocode_cache.sqlite"


class GeocodeCache:
    """Answers of online geocoders, so no address is ever asked twice.

    "Not found" answers are cached too. Safe to share between threads.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The SQLite file (default: ``geocode_cache.sqlite`` in the cache folder).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # addresses are personal data: the owner only (SQLite gives -wal/-shm the same mode)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)
        self._conn.commit()

    @property
    def journal_mode(self) -> str:
        """The SQLite journal mode in use (``wal``)."""
        with self._lock:
            return str(self._conn.execute("PRAGMA journal_mode").fetchone()[0])

    def get(self, provider: str, address_key: str) -> Any:
        """Return the cached answer: a dict, ``None`` for a cached "not found", or ``MISSING``."""
        with self._lock:
            row = self._conn.execute(
                "SELECT found, lat, lon, matched_address, raw FROM geocode_cache "
                "WHERE provider = ? AND address_key = ?",
                (provider, address_key),
            ).fetchone()
        if row is None:
            return _MISSING
        found, lat, lon, matched, raw = row
        if not found:
            return None
        return {"lat": lat, "lon": lon, "matched_address": matched, "raw": json.loads(raw or "{}")}

    def put(self, provider: str, address_key: str, answer: dict[str, Any] | None) -> None:
        """Store an answer (``None`` = the provider found nothing)."""
        values = (
            provider,
            address_key,
            int(answer is not None),
            None if answer is None else answer.get("lat"),
            None if answer is None else answer.get("lon"),
            None if answer is None else answer.get("matched_address"),
            None if answer is None else json.dumps(answer.get("raw") or {}, default=str),
            time.time(),
        )
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO geocode_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values
            )
            self._conn.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM geocode_cache").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()


MISSING = _MISSING
