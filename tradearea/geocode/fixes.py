"""Analysts' fixes for rows the geocoder could not place: pick, typed address, or a point."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd

from tradearea._core.crs import WGS84
from tradearea.geocode.normalise import address_key

FIX_COLUMNS = (
    "respondent_id",
    "address_key",
    "address",
    "lat",
    "lon",
    "matched_address",
    "how",
    "match_level",
    "match_score",
)
FIX_HOWS = ("pick", "typed", "placed")
_LEVEL_BY_HOW = {"pick": "address", "typed": "address", "placed": "input_coords"}


def empty_fixes() -> gpd.GeoDataFrame:
    """Return an empty fixes layer (the project's ``fixes``), EPSG:4326."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in FIX_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def add_fix(
    fixes: pd.DataFrame | None,
    *,
    lat: float,
    lon: float,
    how: str,
    respondent_id: Any = None,
    address: Any = None,
    matched_address: str = "",
    match_level: str | None = None,
    match_score: float | None = None,
) -> gpd.GeoDataFrame:
    """Return ``fixes`` with one fix added (replacing an older fix for the same row or address).

    Parameters
    ----------
    fixes : pandas.DataFrame or None
        The current fixes layer.
    lat, lon : float
        Where the row goes (WGS84).
    how : str
        ``pick`` (a candidate chosen), ``typed`` (a corrected address geocoded) or ``placed``
        (a point given by hand).
    respondent_id : Any, optional
        The respondent the fix is for; without it the fix applies to every row with the same
        normalised address.
    address : Any, optional
        The address as it was in the survey.
    matched_address : str
        What the point is (the picked address, the corrected address ...).
    match_level : str, optional
        Level of the chosen point (default: ``address`` for pick/typed, ``input_coords`` for
        placed).
    match_score : float, optional
        Score of the chosen point (default 100).

    Returns
    -------
    geopandas.GeoDataFrame
        The updated fixes layer (EPSG:4326).

    Raises
    ------
    ValueError
        If ``how`` is unknown, the point is out of range, or neither id nor address is given.
    """
    if how not in FIX_HOWS:
        msg = f"how must be one of {', '.join(FIX_HOWS)}, not {how!r}"
        raise ValueError(msg)
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"fix point ({lat}, {lon}) is out of range"
        raise ValueError(msg)
    rid = _text(respondent_id)
    akey = address_key(address)
    if not rid and not akey:
        msg = "a fix needs a respondent id or the address it replaces"
        raise ValueError(msg)
    row = {
        "respondent_id": rid,
        "address_key": akey,
        "address": _text(address),
        "lat": lat,
        "lon": lon,
        "matched_address": matched_address,
        "how": how,
        "match_level": match_level or _LEVEL_BY_HOW[how],
        "match_score": 100.0 if match_score is None else float(match_score),
    }
    base = normalise_fixes(fixes)
    if len(base):
        same = (
            (base["respondent_id"] == rid)
            if rid
            else (base["respondent_id"].isna() & (base["address_key"] == akey))
        )
        base = base[~same.fillna(False).astype(bool)]
    frame = pd.concat([base.drop(columns="geometry"), pd.DataFrame([row])], ignore_index=True)
    return gpd.GeoDataFrame(
        frame[list(FIX_COLUMNS)],
        geometry=gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float)),
        crs=WGS84,
    )


def normalise_fixes(fixes: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """Return ``fixes`` with the expected columns (missing ones filled), as a GeoDataFrame."""
    if fixes is None or len(fixes) == 0:
        return empty_fixes()
    frame = pd.DataFrame(fixes).copy()
    if "lat" not in frame or "lon" not in frame:
        if "geometry" in frame:
            geom = gpd.GeoSeries(frame["geometry"])
            frame["lat"], frame["lon"] = geom.y, geom.x
        else:
            msg = "fixes need lat and lon columns"
            raise ValueError(msg)
    for col in FIX_COLUMNS:
        if col not in frame:
            frame[col] = None
    frame["respondent_id"] = frame["respondent_id"].map(_text).astype(object)
    keys = frame["address_key"].map(lambda v: _text(v) or "")
    from_address = frame["address"].map(address_key)
    frame["address_key"] = keys.where(keys != "", from_address)
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    frame = frame[frame["lat"].notna() & frame["lon"].notna()]
    return gpd.GeoDataFrame(
        frame[list(FIX_COLUMNS)].reset_index(drop=True),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs=WGS84,
    )


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
