"""Where tradearea keeps region packs, projects, caches and served static assets."""

from __future__ import annotations

import os
from pathlib import Path

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
