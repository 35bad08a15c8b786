"""A project: the layers, settings and scenarios of one study, kept in one GeoPackage."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from tradearea import __version__
from tradearea._core.atomic import fsync_folder
from tradearea.errors import InputError
from tradearea.project.settings import ProjectSettings, load_settings
from tradearea.settings import REPO_DIR

try:  # POSIX: saves take turns with flock; Windows has no flock (the version check remains)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LAYERS = ("customers", "stores", "competitors", "candidates", "trade_areas", "zones", "fixes")
TABLES = ("project_meta", "settings", "scenarios", "audit_log")
DEMO = "demo"
DEMO_REGION = "helsinki-center"
SCHEMA_VERSION = 2
RECENT_FILE = "recent.json"
RECENT_MAX = 10


def _empty_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs="EPSG:4326")}, crs="EPSG:4326")


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 (seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_user() -> str:
    """Return the login name of whoever runs tradearea (``unknown`` when there is none)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class ProjectChangedError(InputError):
    """The project file changed on disk since this project was opened (another save)."""


class ProjectExistsError(InputError):
    """Saving would replace another project file: ask first, then save with ``overwrite``."""


SAVE_LOCK_SECONDS = 30.0


@dataclass
class Project:
    """One study: a region, its layers, settings, scenarios and an audit log.

    Attributes
    ----------
    name : str
        A display name.
    region : str
        The region pack the project uses (``tradearea.regions.packs.load_region``).
    path : pathlib.Path or None
        Where the project is saved; ``None`` for an unsaved or the demo project.
    layers : dict of str to geopandas.GeoDataFrame
        ``customers``, ``stores``, ``competitors``, ``candidates``, ``trade_areas``, ``zones``,
        ``fixes`` (WGS84).
    settings : ProjectSettings
        Typed project settings (currency, thresholds, Huff, spending, ...); a dict given here is
        validated (and old keys migrated) by :func:`tradearea.project.settings.load_settings`.
    scenarios : dict
        Named pricing scenarios: name -> dict of inputs; JSON-serialisable.
    log : list of dict
        Audit trail entries: ``at`` (UTC time), ``what`` (import, geocode, merge, export, save,
        ...) and details.
    """

    name: str
    region: str
    path: Path | None = None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    settings: ProjectSettings = field(default_factory=ProjectSettings)
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    revision: str | None = None  # of the file this was opened from or last saved to

    def __post_init__(self) -> None:
        for name in LAYERS:
            self.layers.setdefault(name, _empty_layer())

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "settings":  # a dict given later is validated like one given at creation
            value = load_settings(value)
        super().__setattr__(name, value)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return layer ``name`` (an empty frame if the project has none yet)."""
        if name not in LAYERS:
            msg = f"unknown layer {name!r}; expected one of {', '.join(LAYERS)}"
            raise KeyError(msg)
        return self.layers[name]

    def copy(self) -> Project:
        """Return a copy whose frames and dicts can be changed without touching this one."""
        return Project(
            name=self.name,
            region=self.region,
            path=self.path,
            layers={k: v.copy() for k, v in self.layers.items()},
            settings=self.settings.model_copy(deep=True),
            scenarios=json.loads(json.dumps(self.scenarios, default=str)),
            log=[dict(e) for e in self.log],
            revision=self.revision,
        )

    def record(self, what: str, **details: Any) -> dict[str, Any]:
        """Append an entry to the audit log and return it.

        Parameters
        ----------
        what : str
            The kind of event (``import``, ``geocode``, ``merge``, ``export``, ``save`` ...).
        **details
            What else to keep (file, rows, format, online provider, detailed or aggregated ...).
        """
        entry = {"at": now_iso(), "what": what, "user": current_user(), **details}
        self.log.append(entry)
        return entry


def project_problems(project: Project) -> list[str]:
    """Return what in ``project`` keeps pages from working, in words for the user.

    A region pack that is not built on this computer, and stores, competitors or candidates
    without usable coordinates (missing, NaN or outside longitude/latitude). Each page shows
    these instead of failing.

    Parameters
    ----------
    project : Project
        The open project.

    Returns
    -------
    list of str
        Empty when the project can be shown.
    """
    from tradearea.regions.packs import list_regions  # L2; imported late: region list on disk

    problems = []
    if project.region not in list_regions():
        problems.append(
            f"region {project.region!r} is not built on this computer: build it with "
            f"`tradearea region build FILE.osm.pbf --name {project.region}`, or open another "
            "project on the Project page"
        )
    for name in ("stores", "competitors", "candidates"):
        frame = project.layers.get(name)
        if frame is None or not len(frame):
            continue
        bad = ~located_rows(frame)
        if bad.any():
            problems.append(
                f"{int(bad.sum())} of {len(frame)} {name} have no usable coordinates (missing "
                "or NaN); they are left off maps and figures until fixed"
            )
    return problems


def located_rows(frame: pd.DataFrame) -> pd.Series:
    """Return a boolean Series: rows whose ``lat``/``lon`` are finite and in range."""
    if "lat" not in frame or "lon" not in frame:
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
            geom = frame.geometry
            ok = geom.notna() & ~geom.is_empty
            return pd.Series(ok.to_numpy(), index=frame.index)
        return pd.Series(False, index=frame.index)
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    return lat.between(-90, 90) & lon.between(-180, 180)


def points_frame(frame: pd.DataFrame, *, lat: str = "lat", lon: str = "lon") -> gpd.GeoDataFrame:
    """Return ``frame`` as a WGS84 point GeoDataFrame; rows without coordinates get no geometry.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with latitude and longitude columns.
    lat, lon : str
        Their names.

    Returns
    -------
    geopandas.GeoDataFrame
        Every input row is kept.
    """
    la = pd.to_numeric(frame[lat], errors="coerce")
    lo = pd.to_numeric(frame[lon], errors="coerce")
    ok = la.notna() & lo.notna()
    geom = gpd.GeoSeries([None] * len(frame), index=frame.index, crs="EPSG:4326")
    geom[ok] = gpd.points_from_xy(lo[ok], la[ok], crs="EPSG:4326")
    return gpd.GeoDataFrame(frame.copy(), geometry=geom, crs="EPSG:4326")


# --------------------------------------------------------------------------------------------
# Open and save


def open_project(target: str | Path) -> Project:
    """Open a project file (read-only until saved), or the demo project for ``"demo"``.

    Parameters
    ----------
    target : str or pathlib.Path
        A ``.gpkg`` project file or ``demo``.

    Returns
    -------
    Project
        The project; older schema versions are migrated in memory.

    Raises
    ------
    InputError
        If the file is missing, not a GeoPackage, or not a tradearea project.
    """
    if str(target) == DEMO:
        # the demo is built by demo.py, which builds on this module
        from tradearea.project.demo import demo_project

        return demo_project()
    path = Path(target)
    if not path.is_file():
        raise InputError("project file not found", file=str(path))
    with _read_only_view(path) as source:
        return _open_file(path, source)


@contextlib.contextmanager
def _read_only_view(path: Path) -> Iterator[Path]:
    """Yield a file to read ``path`` from without changing it.

    SQLite and GDAL fold a write-ahead log (``-wal``) into the main file when they close a
    WAL-mode database, so a plain read would change it (and fails in a read-only folder). A
    WAL-mode project is read from a private copy of its files instead.
    """
    with open(path, "rb") as f:
        header = f.read(20)
    if len(header) < 20 or header[18] != 2:  # not WAL mode: SQLite reads it as it is
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="tradearea-open-") as folder:
        copy = Path(folder) / "project.gpkg"
        for suffix in ("", "-wal"):
            src = Path(f"{path}{suffix}")
            if src.exists():
                Path(f"{copy}{suffix}").write_bytes(src.read_bytes())
        yield copy


def _open_file(path: Path, source: Path) -> Project:
    """Open the project ``path`` by reading ``source`` (the file itself, or a copy)."""
    try:
        tables = _read_tables(source)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a GeoPackage project file ({exc})", file=str(path)) from exc
    meta = tables.get("project_meta")
    if meta is None:
        raise InputError("not a tradearea project (no project_meta table)", file=str(path))
    try:
        meta = dict(zip(meta["key"], meta["value"], strict=True))
        version = int(meta.get("schema_version", 1))
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(
            f"damaged project file: bad project_meta ({exc})", file=str(path)
        ) from None
    if version < 1:
        msg = f"project schema version {version} is not one tradearea ever wrote (1 to {SCHEMA_VERSION})"
        raise InputError(msg, file=str(path))
    if version > SCHEMA_VERSION:
        msg = (
            f"project schema version {version} is newer than this tradearea understands "
            f"({SCHEMA_VERSION}); upgrade tradearea"
        )
        raise InputError(msg, file=str(path))
    try:
        raw_settings = {r.key: json.loads(r.value) for r in tables["settings"].itertuples()}
        scenarios = {r.name: json.loads(r.inputs) for r in tables["scenarios"].itertuples()}
        log = [json.loads(r.entry) for r in tables["audit_log"].itertuples()]
    except (AttributeError, ValueError, TypeError, RecursionError) as exc:
        msg = f"damaged project file: settings, scenarios or audit log unreadable ({exc})"
        raise InputError(msg, file=str(path)) from None
    try:
        layers = _read_layers(source)
    except Exception as exc:  # pyogrio/GDAL raise their own error types for damaged layers
        msg = f"damaged project file: a layer cannot be read ({exc})"
        raise InputError(msg, file=str(path)) from None
    project = Project(
        name=meta.get("name", path.stem),
        region=meta.get("region", DEMO_REGION),
        path=path,
        layers=layers,
        settings=load_settings(raw_settings, file=str(path)),
        scenarios=scenarios,
        log=log,
        revision=_meta_revision(meta),
    )
    for step in range(version, SCHEMA_VERSION):
        _MIGRATIONS[step](project)
    return project


def project_data_file(project: Project, value: str, *, setting: str) -> Path:
    """Return the file a project setting names, only if it lies inside the project's folder.

    A project file is data, not an instruction: a setting such as ``crm_file`` never makes
    tradearea read a file elsewhere on this computer (``/etc/passwd``, ``~/.aws/credentials``).
    Besides the project's folder, only the tool's own example data (``data/examples``, the
    demo's CRM file) may be named. The message names the setting, never the file's content.

    Parameters
    ----------
    project : Project
        The project (its folder, when saved, is where its files may be).
    value : str
        The setting's value (a name relative to the project's folder).
    setting : str
        The setting's name, for the message.

    Returns
    -------
    pathlib.Path
        The resolved file.

    Raises
    ------
    InputError
        Outside those folders, or not a regular file.
    """
    shown = Path(str(value)).name
    # the tool's own example data (the demo's CRM file) is no file of this computer's user
    folders = [(REPO_DIR / "data" / "examples").resolve()]
    if project.path is not None:
        folders.insert(0, Path(project.path).resolve().parent)
    folder = folders[0]
    candidate = (folder / str(value)).resolve()
    if not any(candidate.is_relative_to(f) for f in folders):
        msg = (
            f"setting {setting} names a file outside the project's folder ({shown!r}); it is "
            "not read: choose the file on its page"
        )
        raise InputError(msg, file=str(project.path), column=setting)
    if not candidate.is_file():
        msg = f"setting {setting}: the file {shown!r} is not found beside the project"
        raise InputError(msg, file=str(project.path), column=setting)
    return candidate


def _read_tables(path: Path) -> dict[str, pd.DataFrame]:
    uri = f"file:{path.resolve()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as con:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "gpkg_contents" not in names:
            raise sqlite3.DatabaseError("no gpkg_contents table")
        out = {}
        for table in TABLES:
            if table in names:
                out[table] = pd.read_sql_query(f'SELECT * FROM "{table}"', con)
        for table, cols in (
            ("settings", ["key", "value"]),
            ("scenarios", ["name", "inputs"]),
            ("audit_log", ["entry"]),
        ):
            out.setdefault(table, pd.DataFrame(columns=cols))
        return out


def _read_layers(path: Path) -> dict[str, gpd.GeoDataFrame]:
    import pyogrio

    present = {str(n) for n, _ in pyogrio.list_layers(path)}
    layers = {}
    for name in LAYERS:
        if name in present:
            frame = gpd.read_file(path, layer=name, engine="pyogrio")
            if frame.crs is None:
                frame = frame.set_crs("EPSG:4326")
            layers[name] = _decode_columns(frame)
    return layers


def save_project(
    project: Project, path: str | Path | None = None, *, overwrite: bool = False
) -> Path:
    """Save ``project`` as one GeoPackage, atomically, without losing another session's save.

    The file is written next to the target under a unique temporary name, flushed to disk, then
    renamed over the target: a crash mid-save leaves the previous version intact. Saves of one
    file take turns (a lock on its folder); a save over a file that changed since this project
    was opened or saved is refused (:class:`ProjectChangedError`: reload, or save as), and so is
    a save over another existing file unless ``overwrite`` (:class:`ProjectExistsError`). The
    file is readable by its owner only. A failed save leaves no ``save`` entry in the log.

    Parameters
    ----------
    project : Project
        The project.
    path : str or pathlib.Path, optional
        Where to save (``project.path`` by default; "save as" when given).
    overwrite : bool
        Replace an existing file this project was not opened from (the user said yes).

    Returns
    -------
    pathlib.Path
        The saved file; ``project.path`` and ``project.revision`` are set to it.

    Raises
    ------
    ProjectChangedError, ProjectExistsError
        As above; nothing is written.
    InputError
        When there is no target, or the folder cannot be written (read-only, disk full).
    """
    target = Path(path) if path is not None else project.path
    if target is None:
        raise InputError("the project has no file yet: choose where to save it (save as)")
    target = target.with_suffix(".gpkg") if target.suffix.lower() != ".gpkg" else target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _save_lock(target):
            _check_not_lost(project, target, overwrite=overwrite)
            revision = _write_project(project, target)
    except OSError as exc:
        msg = f"cannot save the project: {exc.strerror or exc}"
        raise InputError(msg, file=str(target)) from None
    project.path = target
    project.revision = revision
    remember_recent(target)
    return target


@contextlib.contextmanager
def _save_lock(target: Path) -> Iterator[None]:
    """Hold the save lock of ``target``'s folder (waits at most :data:`SAVE_LOCK_SECONDS`).

    The lock is taken on the folder itself (``flock``), so no lock file is left beside the
    projects; saves of different files in one folder take turns too, which costs little.
    """
    if fcntl is None:  # pragma: no cover - Windows: the revision check alone guards saves
        yield
        return
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        deadline = time.monotonic() + SAVE_LOCK_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    msg = "another save of this project is still running; try again"
                    raise InputError(msg, file=str(target)) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def _meta_revision(meta: dict[str, Any]) -> str | None:
    value = meta.get("revision") or meta.get("saved_at")
    return None if value is None else str(value)


def _file_revision(path: Path) -> str | None:
    """Return the revision stored in a project file (``None`` if it has none or is no project)."""
    try:
        with _read_only_view(path) as source:
            meta = _read_tables(source).get("project_meta")
        return (
            None
            if meta is None
            else _meta_revision(dict(zip(meta["key"], meta["value"], strict=True)))
        )
    except (sqlite3.DatabaseError, KeyError, ValueError):
        return None


def _check_not_lost(project: Project, target: Path, *, overwrite: bool) -> None:
    if not target.exists():
        return
    same = project.path is not None and Path(project.path).resolve() == target.resolve()
    if not same:
        if not overwrite:
            msg = (
                f"a project named {target.name} already exists: replace it, or save under "
                "another name"
            )
            raise ProjectExistsError(msg, file=str(target))
        return
    on_disk = _file_revision(target)
    if project.revision is not None and on_disk != project.revision:
        msg = (
            "the project file changed since you opened it (saved from another session): "
            "reload it, or save yours under another name"
        )
        raise ProjectChangedError(msg, file=str(target))


def _write_project(project: Project, target: Path) -> str:
    """Write ``project`` over ``target`` (caller holds the lock); return the new revision."""
    import pyogrio

    for stale in target.parent.glob(f".{glob_escape(target.stem)}.*.tmp.gpkg*"):
        stale.unlink(missing_ok=True)  # left by an interrupted save (saves hold the lock)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=".tmp.gpkg", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    revision = uuid.uuid4().hex
    entry = project.record("save", file=target.name)
    try:
        written: list[str] = []
        for name in LAYERS:
            frame = project.layers.get(name)
            if frame is None:
                continue
            frame = _encode_columns(frame)
            kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG"}
            if frame.geometry.isna().all():
                kwargs["geometry_type"] = "Unknown"
            pyogrio.write_dataframe(frame, tmp, **kwargs)
            if not written:
                os.chmod(tmp, 0o600)  # personal data: the owner only, from the first layer on
            written.append(name)
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "name": project.name,
            "region": project.region,
            "tradearea_version": __version__,
            "saved_at": now_iso(),
            "revision": revision,
            "layers": json.dumps(written),
        }
        tables = {
            "project_meta": pd.DataFrame({"key": list(meta), "value": list(meta.values())}),
            "settings": pd.DataFrame(
                {
                    "key": list(project.settings.to_json()),
                    "value": [
                        json.dumps(v, default=str, ensure_ascii=False)
                        for v in project.settings.to_json().values()
                    ],
                }
            ),
            "scenarios": pd.DataFrame(
                {
                    "name": list(project.scenarios),
                    "inputs": [
                        json.dumps(v, default=str, ensure_ascii=False)
                        for v in project.scenarios.values()
                    ],
                }
            ),
            "audit_log": pd.DataFrame(
                {"entry": [json.dumps(e, default=str, ensure_ascii=False) for e in project.log]}
            ),
        }
        for table, frame in tables.items():
            pyogrio.write_dataframe(
                frame.astype(str) if len(frame) else frame.astype(object),
                tmp,
                layer=table,
                driver="GPKG",
            )
        os.chmod(tmp, 0o600)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        fsync_folder(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        with contextlib.suppress(ValueError):
            project.log.remove(entry)  # a failed save is not logged as a save
        raise
    return revision


def glob_escape(text: str) -> str:
    """Escape glob wildcards in ``text``."""
    return re.sub(r"([*?\[\]])", r"[\1]", text)


def _encode_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make columns GeoPackage-friendly: lists/dicts as JSON text, bools kept, NaN kept."""
    out = frame.copy()
    if not isinstance(out, gpd.GeoDataFrame) or out.geometry.name not in out:
        out = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries([None] * len(out), crs="EPSG:4326"))
    if out.crs is None:
        out = out.set_crs("EPSG:4326")
    for col in out.columns:
        if col == out.geometry.name:
            continue
        series = out[col]
        if series.dtype == object and series.map(lambda v: isinstance(v, dict | list)).any():
            out[col] = series.map(
                lambda v: (
                    "json:" + json.dumps(v, default=str, ensure_ascii=False)
                    if isinstance(v, dict | list)
                    else v
                )
            )
    return out


def _decode_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    for col in frame.columns:
        series = frame[col]
        if (
            series.dtype == object
            and series.map(lambda v: isinstance(v, str) and v.startswith("json:")).any()
        ):
            frame[col] = series.map(
                lambda v: json.loads(v[5:]) if isinstance(v, str) and v.startswith("json:") else v
            )
    return frame


# Migrations: schema version N -> N + 1, applied in memory when an older project opens.
def _migrate_1_to_2(project: Project) -> None:
    """Version 1 kept no audit log entries for saves and no currency setting."""
    # the currency setting defaults to EUR in ProjectSettings
    project.record("migrate", from_version=1, to_version=2)


_MIGRATIONS = {1: _migrate_1_to_2}


# --------------------------------------------------------------------------------------------
# Recent projects and safe names


def safe_project_filename(name: str) -> str:
    """Return a file name for a project name; path separators and dots cannot escape the folder.

    Parameters
    ----------
    name : str
        What the user typed (may be ``../../etc/passwd``).

    Returns
    -------
    str
        A plain ``.gpkg`` file name.
    """
    stem = re.sub(r"[^\w\- ]+", "_", name, flags=re.UNICODE).strip(" ._")
    stem = re.sub(r"_+", "_", stem)[:80] or "project"
    return f"{stem}.gpkg"


def _recent_path() -> Path:
    from tradearea.settings import projects_dir

    return projects_dir() / RECENT_FILE


def recent_projects() -> list[Path]:
    """Return recently saved or opened project files that still exist, newest first."""
    path = _recent_path()
    try:
        entries = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return [Path(p) for p in entries if isinstance(p, str) and Path(p).is_file()]


def remember_recent(project_file: Path) -> None:
    """Put ``project_file`` first in the recent projects list (atomic write)."""
    entries = [str(Path(project_file).resolve())]
    entries += [str(p) for p in recent_projects() if str(p) != entries[0]]
    path = _recent_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries[:RECENT_MAX], ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


def new_project(name: str, *, region: str, currency: str = "EUR") -> Project:
    """Return a new, empty project on ``region``.

    Parameters
    ----------
    name : str
        Display name.
    region : str
        A built region pack.
    currency : str
        Currency code shown with money figures.
    """
    from tradearea.regions.packs import load_region

    load_region(region)  # fail early, with the "how to build" hint
    project = Project(name=name, region=region, settings=load_settings({"currency": currency}))
    project.record("new", region=region)
    return project


def layer_summary(project: Project) -> pd.DataFrame:
    """Return one row per layer: name and feature count (for status strips and reports)."""
    return pd.DataFrame(
        {
            "layer": list(LAYERS),
            "features": [len(project.layers[n]) for n in LAYERS],
        }
    )


__all__ = [
    "DEMO",
    "LAYERS",
    "SCHEMA_VERSION",
    "Project",
    "layer_summary",
    "new_project",
    "now_iso",
    "open_project",
    "points_frame",
    "recent_projects",
    "remember_recent",
    "safe_project_filename",
    "save_project",
]
