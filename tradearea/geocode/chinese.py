"""Chinese map coordinates (GCJ-02, BD-09) to WGS84, and district centroids from cpca's data."""

from __future__ import annotations

import csv
import io
import json
import math
import warnings
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import shapely

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 obfuscation.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
COORD_SYSTEMS = ("wgs84", "gcj02", "bd09")


_OUTLINE = "china_outline.geojson"  # Natural Earth 1:110m, see tradearea/data/README.md


@lru_cache(maxsize=1)
def _china_outline() -> shapely.Geometry:
    """The bundled outline of mainland China (with Hainan, without Taiwan), prepared."""
    text = resources.files("tradearea").joinpath("data", _OUTLINE).read_text("utf-8")
    geometry = shapely.from_geojson(json.dumps(json.loads(text)["features"][0]["geometry"]))
    shapely.prepare(geometry)
    return geometry


def in_china(lat: Any, lon: Any) -> np.ndarray:
    """Whether points lie in mainland China, where GCJ-02 and BD-09 shift map coordinates.

    The outline is Natural Earth's 1:110m China (public domain) with a 0.3° seaward margin
    for the coast and islands the coarse coastline misses; land borders are kept as drawn
    (a few kilometres of error at that scale). Taiwan is outside; Hong Kong and Macau are
    inside. Seoul, Ulaanbaatar, Hanoi and everything beyond are outside.

    Parameters
    ----------
    lat, lon : array-like
        Degrees (WGS84, GCJ-02 or BD-09: the shifts are under 1 km).

    Returns
    -------
    numpy.ndarray
        Boolean, the shape of ``lat``.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    box = (lon >= 72.0) & (lon <= 137.9) & (lat >= 15.0) & (lat <= 55.9)
    out = np.zeros(np.broadcast(lat, lon).shape, dtype=bool)
    if box.any():
        la, lo = np.broadcast_arrays(lat, lon)
        out[box] = shapely.contains_xy(_china_outline(), lo[box], la[box])
    return out


def _outside_china(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return ~in_china(lat, lon)


def datum_warning(lat: Any, lon: Any, *, system: str, what: str = "the file") -> str:
    """A warning when coordinates declared GCJ-02 or BD-09 all lie outside China.

    Parameters
    ----------
    lat, lon : array-like
        The coordinates as given.
    system : str
        The declared datum (``wgs84``, ``gcj02``, ``bd09``).
    what : str
        What to name in the message.

    Returns
    -------
    str
        ``""`` when there is nothing to say.
    """
    name = system.lower().replace("-", "").replace("_", "")
    if name == "wgs84":
        return ""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    given = np.isfinite(lat) & np.isfinite(lon)
    if not given.any() or in_china(lat[given], lon[given]).any():
        return ""
    label = {"gcj02": "GCJ-02", "bd09": "BD-09"}.get(name, system)
    return (
        f"{what} is declared {label}, but none of its coordinates is in China: {label} is only "
        "used on Chinese maps, so they were left unchanged (declare wgs84 if they are GPS or "
        "OpenStreetMap coordinates)"
    )


def _delta(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * math.pi) + 320 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS84 coordinates to GCJ-02 (what Amap, Tencent and Google China show).

    Points outside China are returned unchanged.

    Parameters
    ----------
    lat, lon : array-like
        WGS84 degrees.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        GCJ-02 latitude and longitude.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    dlat, dlon = _delta(lat, lon)
    out = _outside_china(lat, lon)
    return np.where(out, lat, lat + dlat), np.where(out, lon, lon + dlon)


def gcj02_to_wgs84(lat: Any, lon: Any, *, tol_deg: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 coordinates to WGS84 by iterating the forward shift (error < 1 mm).

    Parameters
    ----------
    lat, lon : array-like
        GCJ-02 degrees.
    tol_deg : float
        Stop when the forward shift of the estimate is this close to the input.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        WGS84 latitude and longitude.
    """
    g_lat = np.asarray(lat, dtype=float)
    g_lon = np.asarray(lon, dtype=float)
    w_lat, w_lon = g_lat.copy(), g_lon.copy()
    for _ in range(30):
        f_lat, f_lon = wgs84_to_gcj02(w_lat, w_lon)
        e_lat, e_lon = f_lat - g_lat, f_lon - g_lon
        w_lat = w_lat - e_lat
        w_lon = w_lon - e_lon
        if np.nanmax(np.abs(np.concatenate([np.ravel(e_lat), np.ravel(e_lon), [0.0]]))) < tol_deg:
            break
    return w_lat, w_lon


def gcj02_to_bd09(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
    """Shift GCJ-02 coordinates to BD-09 (what Baidu Maps shows); outside China unchanged."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    out = _outside_china(lat, lon)
    return np.where(out, lat, z * np.sin(theta) + 0.006), np.where(
        out, lon, z * np.cos(theta) + 0.0065
    )


def bd09_to_gcj02(lat: Any, lon: Any, *, tol_deg: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 coordinates to GCJ-02 (closed-form inverse refined by iteration).

    Points outside China are returned unchanged.
    """
    b_lat = np.asarray(lat, dtype=float)
    b_lon = np.asarray(lon, dtype=float)
    outside = _outside_china(b_lat, b_lon)
    x, y = b_lon - 0.0065, b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lat, g_lon = z * np.sin(theta), z * np.cos(theta)
    for _ in range(10):
        f_lat, f_lon = gcj02_to_bd09(g_lat, g_lon)
        e_lat, e_lon = f_lat - b_lat, f_lon - b_lon
        g_lat, g_lon = g_lat - e_lat, g_lon - e_lon
        if np.nanmax(np.abs(np.concatenate([np.ravel(e_lat), np.ravel(e_lon), [0.0]]))) < tol_deg:
            break
    return np.where(outside, b_lat, g_lat), np.where(outside, b_lon, g_lon)


def bd09_to_wgs84(lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 coordinates to WGS84 (via GCJ-02)."""
    g_lat, g_lon = bd09_to_gcj02(lat, lon)
    return gcj02_to_wgs84(g_lat, g_lon)


def to_wgs84(lat: Any, lon: Any, *, system: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in ``system`` (``wgs84``, ``gcj02`` or ``bd09``) to WGS84.

    Parameters
    ----------
    lat, lon : array-like
        Degrees in ``system``.
    system : str
        The coordinate system the values are in.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        WGS84 latitude and longitude.
    """
    name = system.lower().replace("-", "").replace("_", "")
    if name == "wgs84":
        return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if name == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    if name == "bd09":
        return bd09_to_wgs84(lat, lon)
    msg = f"coordinate system {system!r} unknown: use one of {', '.join(COORD_SYSTEMS)}"
    raise ValueError(msg)


def frame_to_wgs84(frame: pd.DataFrame, *, datum: str = "wgs84") -> pd.DataFrame:
    """Return ``frame`` with its coordinates converted from ``datum`` to WGS84.

    The ``lat`` and ``lon`` columns are converted, and so is the geometry of a GeoDataFrame
    (points or polygons, vertex by vertex). Only coordinates inside China move (see
    :func:`in_china`); missing values stay missing.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        A table with ``lat``, ``lon`` and/or a geometry in degrees.
    datum : {'wgs84', 'gcj02', 'bd09'}
        The datum the coordinates are in.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A copy (the frame itself when ``datum`` is ``wgs84``).
    """
    name = datum.lower().replace("-", "").replace("_", "")
    if name not in COORD_SYSTEMS:
        msg = f"datum {datum!r} unknown: use one of {', '.join(COORD_SYSTEMS)}"
        raise ValueError(msg)
    if name == "wgs84":
        return frame
    out = frame.copy()
    if "lat" in out and "lon" in out:
        lat = pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype=float)
        w_lat, w_lon = to_wgs84(lat, lon, system=name)
        out["lat"], out["lon"] = w_lat, w_lon
    geometry = getattr(out, "geometry", None) if hasattr(out, "set_geometry") else None
    if geometry is not None:

        def shift(xy: np.ndarray) -> np.ndarray:
            w_lat, w_lon = to_wgs84(xy[:, 1], xy[:, 0], system=name)
            return np.column_stack([w_lon, w_lat])

        out = out.set_geometry(shapely.transform(geometry.to_numpy(), shift), crs=geometry.crs)
    return out


@lru_cache(maxsize=1)
def _adcodes() -> dict[str, tuple[str, float, float]]:
    """cpca's bundled table: 6-digit adcode -> (name, lat, lon), converted to WGS84.

    cpca's centroids are GCJ-02: they are Amap's (高德) district centres (北京市 116.407394,
    39.904211 in cpca; 116.407387, 39.904179 in Amap's district API), so they are shifted
    back to WGS84 here (a few hundred metres) like every other coordinate of the library.
    """
    text = resources.files("cpca.resources").joinpath("adcodes.csv").read_text("utf-8")
    names: dict[str, str] = {}
    lats: list[float] = []
    lons: list[float] = []
    for row in csv.DictReader(io.StringIO(text)):
        code = row.get("adcode", "")[:6]
        if code in names:
            continue
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (KeyError, ValueError):
            continue
        names[code] = row["name"]
        lats.append(lat)
        lons.append(lon)
    w_lat, w_lon = gcj02_to_wgs84(np.array(lats), np.array(lons))
    return {
        code: (name, float(la), float(lo))
        for (code, name), la, lo in zip(names.items(), w_lat, w_lon, strict=True)
    }


def chinese_districts(texts: list[str]) -> list[dict[str, Any] | None]:
    """Resolve Chinese addresses to province, city and district with cpca (loaded lazily).

    Parameters
    ----------
    texts : list of str
        Chinese addresses.

    Returns
    -------
    list of dict or None
        Per address: ``province``, ``city``, ``district``, ``adcode``, ``rest`` (the part after
        the district), and ``lat``/``lon`` of the district centroid when a district (区/县) was
        found; None when nothing was recognised.
    """
    if not texts:
        return []

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import cpca  # heavy: loads its national district tables on import; only when needed

        frame = cpca.transform(list(texts))
    table = _adcodes()
    out: list[dict[str, Any] | None] = []
    for rec in frame.to_dict("records"):
        adcode = rec.get("adcode")
        adcode = str(adcode)[:6] if isinstance(adcode, str) and adcode else None
        if not adcode:
            out.append(None)
            continue
        entry: dict[str, Any] = {
            "province": _clean(rec.get("省")),
            "city": _clean(rec.get("市")),
            "district": _clean(rec.get("区")),
            "adcode": adcode,
            "rest": _clean(rec.get("地址")) or "",
        }
        if entry["district"] and not adcode.endswith("00") and adcode in table:
            _, lat, lon = table[adcode]
            entry["lat"], entry["lon"] = lat, lon
        out.append(entry)
    return out


def _clean(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
