"""Great-circle distance on the WGS84 mean sphere: one haversine, vectorised."""

from __future__ import annotations

from typing import Any

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius of the WGS84 ellipsoid


def great_circle_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Return great-circle (haversine) distances in metres; arguments broadcast.

    ``d = 2 R asin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) )`` with ``R`` =
    :data:`EARTH_RADIUS_M`.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Degrees (WGS84).

    Returns
    -------
    numpy.ndarray
        Distances in metres.
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: Any, lon: Any) -> np.ndarray:
    """Return points on the unit sphere, shape ``(n, 3)``, for :func:`chord_distance_m`."""
    p, lam = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    c = np.cos(p)
    return np.column_stack([c * np.cos(lam), c * np.sin(lam), np.sin(p)])


def chord_distance_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return great-circle distances (m) between unit vectors ``a`` (n, 3) and ``b`` (m, 3).

    Same sphere and result as :func:`great_circle_m` (to ~1e-11 relative) from the chord
    length, 2 R asin(|a − b| / 2), with no trigonometry per pair but one arcsine: about twice
    as fast, which matters for 10^8 zone-store pairs.
    """
    out = np.subtract(a[:, 0, None], b[None, :, 0])
    out *= out
    tmp = np.subtract(a[:, 1, None], b[None, :, 1])
    tmp *= tmp
    out += tmp
    np.subtract(a[:, 2, None], b[None, :, 2], out=tmp)
    tmp *= tmp
    out += tmp
    np.sqrt(out, out=out)
    out *= 0.5
    np.minimum(out, 1.0, out=out)
    np.arcsin(out, out=out)
    out *= 2 * EARTH_RADIUS_M
    return out
