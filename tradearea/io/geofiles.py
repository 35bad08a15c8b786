"""Read user polygon files (GeoJSON, GeoPackage, Shapefile): size limit, CRS, repaired geometry."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from tradearea._core.crs import WGS84
from tradearea._core.geometry import POLYGONAL as _POLYGONAL
from tradearea._core.geometry import polygonal
from tradearea.errors import InputError
from tradearea.io.decode import ZIP_MAGIC
from tradearea.io.tables import numeric_column
from tradearea.settings import max_input_bytes, max_memory_bytes, memory_refusal

GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb", ".parquet")


def read_polygons(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    what: str = "areas",
    layer: str | None = None,
    polygons: bool = True,
    numeric: tuple[str, ...] = ("households",),
) -> gpd.GeoDataFrame:
    """Read a polygon layer a user supplies, checked and in WGS84.

    Guards, in order: the size limit (``TRADEAREA_MAX_INPUT_MB``), the zip-bomb check for
    zipped Shapefiles, a readable file, at least one feature, a usable CRS (a projected CRS is
    reprojected to WGS84; a file without CRS must be in longitude/latitude), finite
    coordinates, a geometry on every feature, polygons only (when ``polygons``). Invalid
    polygons (self-intersections, bow ties, holes outside their shell) are repaired with
    ``shapely.make_valid`` keeping their polygonal part; each repair is listed in
    ``frame.attrs["repairs"]`` (and the reprojection in ``frame.attrs["crs_note"]``).

    Parameters
    ----------
    source : str, pathlib.Path or bytes
        The file, or an upload's bytes (then ``name`` gives its name; it is never used as a path).
    name : str, optional
        The file's name for messages (default: the path).
    what : str
        What the features are, for messages (``areas``, ``zones``).
    layer : str, optional
        Layer of a multi-layer file (GeoPackage); default the layer named like ``what``
        (``trade_areas``, ``zones``) if present, else the first.
    polygons : bool
        Require polygons (otherwise any geometry type is kept).
    numeric : tuple of str
        Columns that, when present, must hold numbers of at least 0 (empty allowed); they are
        converted to floats.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4326, index 0..n-1.

    Raises
    ------
    InputError
        Naming the file, and the feature (as ``row``, 1-based) and ``geometry`` column at fault.
    """
    if isinstance(source, bytes | bytearray):
        file = name or "upload"
        suffix = Path(file).suffix.lower()
        suffix = suffix if suffix in GEO_SUFFIXES else ".geojson"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"  # the upload's own name is never a path
            path.write_bytes(bytes(source))
            return read_polygons(
                path, name=file, what=what, layer=layer, polygons=polygons, numeric=numeric
            )
    path = Path(source)
    file = name or str(source)
    _check_file(path, file)
    raw = _read(path, file, what=what, layer=layer)
    if not len(raw):
        raise InputError(f"the file has no {what} (no features)", file=file)
    raw = raw.reset_index(drop=True)
    _check_vertices(raw, file)
    frame, note = _to_wgs84(raw, file=file)
    frame = _check_geometry(frame, file=file, polygons=polygons, what=what)
    for column in numeric:
        if column in frame.columns:
            frame[column] = numeric_column(frame, column, file=file, minimum=0, allow_missing=True)
    if note:
        frame.attrs["crs_note"] = note
    return frame


def repairs(frame: Any) -> list[str]:
    """Return the repairs :func:`read_polygons` made (``[]`` if none), for summaries.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A frame read by :func:`read_polygons` (or derived from one, keeping ``attrs``).

    Returns
    -------
    list of str
        The CRS conversion, then one line per repaired feature.
    """
    attrs = getattr(frame, "attrs", {}) or {}
    out = [str(x) for x in attrs.get("repairs", [])]
    if attrs.get("crs_note"):
        out.insert(0, str(attrs["crs_note"]))
    return out


def _check_file(path: Path, file: str) -> None:
    if not path.exists():
        raise InputError("not found", file=file)
    if not path.is_file():
        raise InputError("is not a regular file (expected GeoJSON or GeoPackage)", file=file)
    size = path.stat().st_size
    limit = max_input_bytes()
    if size > limit:
        msg = (
            f"is {size / 2**20:.0f} MB, more than the {limit / 2**20:.0f} MB limit "
            "(simplify or split it, or set TRADEAREA_MAX_INPUT_MB)"
        )
        raise InputError(msg, file=file)
    if size == 0:
        raise InputError("the file is empty", file=file)
    with path.open("rb") as f:
        head = f.read(4)
    if head == ZIP_MAGIC:
        _check_zip(path, file=file, max_bytes=5 * limit)


def _check_zip(path: Path, *, file: str, max_bytes: int) -> None:
    """Refuse a zipped Shapefile whose members would inflate past ``max_bytes`` (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a readable zip archive ({exc})", file=file) from None
    if total > max_bytes:
        msg = (
            f"the zip archive inflates to {total / 2**20:.0f} MB, more than the "
            f"{max_bytes / 2**20:.0f} MB limit"
        )
        raise InputError(msg, file=file)


SQLITE_MAGIC = b"SQLite format 3\x00"
# Memory a vertex takes once read and checked (coordinates, their copies in shapely, make_valid).
VERTEX_BYTES = 1000  # measured: make_valid of a 4M-vertex polygon took over 2.2 GB


def _check_geopackage(path: Path, file: str) -> None:
    """Refuse a GeoPackage whose layers are SQL that expands: views and generated columns.

    A few kilobytes of ``CREATE VIEW ... WITH RECURSIVE`` or ``GENERATED ALWAYS AS
    (printf('%.*c', 400000000, 'x'))`` become billions of rows or gigabytes per row when read;
    a layer must be a plain table. Its geometry bytes are summed and checked against the memory
    budget before GDAL reads it.
    """
    uri = f"file:{path.resolve()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as con:
            kinds = dict(con.execute("SELECT name, type FROM sqlite_master"))
            tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
            for table in tables:
                if kinds.get(table) == "view":
                    msg = f"layer {table!r} is an SQL view; only plain tables are read"
                    raise InputError(msg, file=file)
                sql = " ".join(
                    str(r[0])
                    for r in con.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,))
                ).upper()
                if "GENERATED" in sql or " AS (" in sql:
                    msg = f"layer {table!r} has computed (generated) columns; they are not read"
                    raise InputError(msg, file=file)
    except sqlite3.DatabaseError:
        return  # not a GeoPackage after all: GDAL says what it is
    size = path.stat().st_size  # every geometry blob is inside the file
    needed = size / 16 * VERTEX_BYTES  # a vertex takes 16 bytes in a GeoPackage blob
    if needed > max_memory_bytes():
        raise InputError(memory_refusal("the layer's geometries", needed), file=file)


def _check_vertices(frame: gpd.GeoDataFrame, file: str) -> None:
    """Refuse polygons whose vertices (known once parsed) would exceed the memory budget."""
    vertices = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
    needed = vertices * VERTEX_BYTES
    if needed > max_memory_bytes():
        what = f"{vertices:,} vertices (simplify the polygons)"
        raise InputError(memory_refusal(what, needed), file=file, column="geometry")


def _read(path: Path, file: str, *, what: str, layer: str | None) -> gpd.GeoDataFrame:
    target: str | Path = path
    if path.suffix.lower() == ".zip":
        target = f"/vsizip/{path}"
    with path.open("rb") as f:
        if f.read(16) == SQLITE_MAGIC:
            _check_geopackage(path, file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if layer is None:
                names = [str(n) for n, _ in pyogrio.list_layers(target)]
                wanted = "trade_areas" if "areas" in what else what
                layer = wanted if wanted in names else (names[0] if names else None)
            frame = pyogrio.read_dataframe(target, layer=layer, on_invalid="ignore")
    except Exception as exc:  # pyogrio/GDAL raise their own error types for unreadable files
        text = str(exc).replace(f"'{path}'", "it").replace(str(path), "it")
        text = text.splitlines()[0].split(";")[0][:160] if text else type(exc).__name__
        msg = f"cannot read the {what} (expected GeoJSON or GeoPackage): {text}"
        raise InputError(msg, file=file) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(f"has no geometry: not a file of {what}", file=file)
    return frame


def _to_wgs84(frame: gpd.GeoDataFrame, *, file: str) -> tuple[gpd.GeoDataFrame, str]:
    geoms = frame.geometry
    present = ~(geoms.isna() | geoms.is_empty).to_numpy()
    coords = shapely.get_coordinates(geoms[present].to_numpy()) if present.any() else None
    if coords is not None and len(coords):
        bad = ~np.isfinite(coords).all(axis=1)
        if bad.any():
            first = _feature_with_bad_coordinates(geoms, present)
            msg = "has coordinates that are not numbers (NaN or infinity)"
            raise InputError(msg, file=file, row=first, column="geometry")
    crs = frame.crs
    if crs is not None and not crs.is_geographic:
        try:
            out = frame.to_crs(WGS84)
        except Exception as exc:
            msg = f"cannot convert from {crs.to_string()} to WGS84: {exc}"
            raise InputError(msg, file=file) from None
        return out, f"reprojected from {_crs_name(crs)} to WGS84 (EPSG:4326)"
    if coords is not None and len(coords):
        x, y = coords[:, 0], coords[:, 1]
        if np.abs(x).max() > 180 or np.abs(y).max() > 90:
            msg = (
                f"coordinates (x {x.min():,.0f} to {x.max():,.0f}, y {y.min():,.0f} to "
                f"{y.max():,.0f}) are not longitude/latitude, and the file does not say which "
                "projected coordinate system (CRS) they are in: save it with its CRS or in WGS84"
            )
            raise InputError(msg, file=file, column="geometry")
    if crs is None:
        return frame.set_crs(WGS84), ""
    if crs.to_epsg() != 4326:
        try:
            return frame.to_crs(WGS84), f"converted from {_crs_name(crs)} to WGS84 (EPSG:4326)"
        except Exception as exc:
            msg = f"cannot convert from {crs.to_string()} to WGS84: {exc}"
            raise InputError(msg, file=file) from None
    return frame, ""


def _crs_name(crs: Any) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.name)


def _feature_with_bad_coordinates(geoms: gpd.GeoSeries, present: np.ndarray) -> int:
    for i, geom in enumerate(geoms):
        if present[i] and not np.isfinite(shapely.get_coordinates(geom)).all():
            return i + 1
    return 1


def _check_geometry(
    frame: gpd.GeoDataFrame, *, file: str, polygons: bool, what: str
) -> gpd.GeoDataFrame:
    geoms = frame.geometry
    missing = (geoms.isna() | geoms.is_empty).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        msg = "has no geometry, or a geometry that cannot be read (e.g. a ring of one point)"
        raise InputError(msg, file=file, row=i + 1, column="geometry")
    kinds = geoms.geom_type.to_numpy()
    if polygons:
        require_polygons(frame, file=file, what=what)
    invalid = ~geoms.is_valid.to_numpy() & np.isin(kinds, _POLYGONAL)
    notes: list[str] = []
    if invalid.any():
        fixed = geoms.to_numpy().copy()
        for i in np.flatnonzero(invalid):
            reason = shapely.is_valid_reason(fixed[i])
            repaired = polygonal(shapely.make_valid(fixed[i]))
            if repaired is None:
                msg = f"invalid polygon ({reason}) that cannot be repaired"
                raise InputError(msg, file=file, row=int(i) + 1, column="geometry")
            fixed[i] = repaired
            notes.append(f"feature {i + 1}: invalid polygon ({reason}) repaired with make_valid")
        frame = frame.set_geometry(gpd.GeoSeries(fixed, index=frame.index, crs=frame.crs))
    frame.attrs["repairs"] = notes
    return frame


def require_polygons(frame: gpd.GeoDataFrame, *, file: str | None, what: str = "areas") -> None:
    """Raise an InputError naming the first feature that is not a polygon.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Features (from :func:`read_polygons` with ``polygons=False``).
    file : str, optional
        The file's name for the message.
    what : str
        What the features are, for the message.
    """
    kinds = frame.geometry.geom_type.to_numpy()
    wrong = ~np.isin(kinds, _POLYGONAL)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        msg = f"is a {kinds[i]}, but {what} must be polygons"
        raise InputError(msg, file=file, row=i + 1, column="geometry")


__all__ = ["GEO_SUFFIXES", "read_polygons", "repairs", "require_polygons"]
