"""The geocoding chain over a table: fixes, input coordinates, offline matching, online opt-in."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradearea._core.dispatch import dask_aware
from tradearea.errors import InputError
from tradearea.geocode.chinese import chinese_districts, in_china, to_wgs84
from tradearea.geocode.fixes import normalise_fixes
from tradearea.geocode.index import AddressIndex, region_index
from tradearea.geocode.matcher import (
    SCORE_DISTRICT,
    Match,
    match_address,
)
from tradearea.geocode.normalise import address_key, parse_address
from tradearea.geocode.online import ONLINE_SCORE, make_online

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

MATCH_LEVELS = ("input_coords", "address", "street", "postcode", "district", "online", "unmatched")
STATUSES = ("geocoded", "repaired", "unmatched", "rejected")
OUTPUT_COLUMNS = ("lat", "lon", "match_level", "match_score", "matched_address", "status", "reason")
LOW_SCORE = 80.0
# Rejections that an analyst's fix (a point placed by hand) resolves: the row lacks a place only.
PLACEABLE_REJECTIONS = ("empty address", "coordinates")
_REGION_MARGIN_DEG = 0.5
_FAR_MARGIN_DEG = 1.0  # ~100 km beyond the region's bounds: not a customer of this region
FAR_SCORE = 30.0  # kept where given but below LOW_SCORE, so the row is listed for review


@dask_aware("geocode_frame")
def geocode_frame(
    frame: pd.DataFrame,
    *,
    region: Region | str | AddressIndex,
    address_col: str = "address",
    lat_col: str | None = None,
    lon_col: str | None = None,
    online: Any = False,
    fixes: pd.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
    id_col: str | None = None,
    coord_system: str = "wgs84",
    source_rows: Any = None,
) -> pd.DataFrame:
    """Geocode every row of a survey or CRM table and account for each one.

    The chain, per row: an analyst's fix -> input coordinates (range-checked, swapped lat/lon
    put back, GCJ-02/BD-09 converted when ``coord_system`` says so; coordinates more than about
    100 km outside the region are placed from the address when there is one, else kept with
    score ``FAR_SCORE`` so the row is listed for review) -> house-level match in the
    region -> street level (number not found: interpolated or the nearest number) -> postcode
    centroid -> district centroid (city; Chinese districts via cpca) -> online (only when
    ``online`` is on) -> unmatched. A named street that the region does not have is unmatched.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (text or numbers).
    region : Region, str or AddressIndex
        The region pack (or its name).
    address_col : str
        Column with the address.
    lat_col, lon_col : str, optional
        Columns with coordinates given in the file.
    online : bool, str or OnlineGeocoder
        Off by default. ``True`` uses Nominatim; see :func:`tradearea.geocode.online.make_online`.
    fixes : pandas.DataFrame, optional
        Analysts' fixes (respondent_id or address_key -> lat, lon ...), applied first.
    progress : callable, optional
        Called as ``progress(done, total)`` in rows.
    id_col : str, optional
        Respondent id column (default ``respondent_id`` when present): later duplicates are
        rejected.
    coord_system : str
        ``wgs84`` (default), ``gcj02`` or ``bd09`` for the input coordinates.
    source_rows : sequence of int, optional
        Row numbers in the file, for messages (default: a ``source_row`` column, else 1..n).

    Returns
    -------
    pandas.DataFrame
        All input columns plus lat, lon, match_level, match_score, matched_address, status,
        reason (one row per input row, same order and index).

    Raises
    ------
    InputError
        If neither the address column nor coordinate columns exist.
    """
    index = region_index(region)
    n = len(frame)
    columns = set(frame.columns)
    if frame.columns.duplicated().any():
        names = ", ".join(map(str, frame.columns[frame.columns.duplicated()]))
        raise InputError(
            f"column names repeat: {names}; give each column its own name", column=names
        )
    has_address = address_col in columns
    has_coords = bool(lat_col and lon_col)
    for col in (lat_col, lon_col):
        if col and col not in columns:
            raise InputError(f"coordinate column {col!r} not found", column=col)
    if not has_address and not has_coords:
        found = ", ".join(map(str, frame.columns[:12]))
        msg = f"no address column {address_col!r} (columns: {found}); name the address column"
        raise InputError(msg, column=address_col)
    if id_col is None and "respondent_id" in columns:
        id_col = "respondent_id"
    res = _Results(n)
    rows = _source_rows(frame) if source_rows is None else np.asarray(source_rows, dtype=int)
    report = progress or (lambda done, total: None)

    if "status" in columns:
        prior = frame["status"].astype(str).to_numpy() == "rejected"
        reasons = frame["reason"] if "reason" in columns else pd.Series([""] * n)
        for i in np.flatnonzero(prior):
            reason = str(reasons.iloc[i]) if pd.notna(reasons.iloc[i]) else "rejected"
            if not reason.startswith(PLACEABLE_REJECTIONS):  # these wait for a fix, below
                res.reject(i, reason)
    if id_col and id_col in columns:
        for i, reason in duplicate_ids(frame[id_col], rows).items():
            if res.open(i):
                res.reject(i, reason)

    addresses = (
        frame[address_col].map(_clean_text).to_numpy(dtype=object)
        if has_address
        else np.array([""] * n, dtype=object)
    )
    _apply_fixes(res, frame, addresses, fixes, id_col)
    forced: dict[int, str] = {}
    if has_coords:
        forced = _apply_coords(res, frame[lat_col], frame[lon_col], addresses, index, coord_system)
    for i in range(n):
        if res.open(i) and not addresses[i]:
            res.reject(i, "empty address" + (" and no coordinates" if has_coords else ""))
    pending = [i for i in range(n) if res.open(i)]
    report(n - len(pending), n)
    _match_addresses(res, pending, addresses, index, report, n)
    geocoder = make_online(online)
    if geocoder is not None:
        _match_online(res, addresses, geocoder, report, n)
    for i, note in forced.items():
        if res.status[i] in ("geocoded", "repaired"):
            res.status[i] = "repaired"
            res.reason[i] = f"{note}; {res.reason[i]}" if res.reason[i] else note
        elif res.status[i] == "unmatched":
            res.reason[i] = f"{note}; {res.reason[i]}"
    report(n, n)
    return res.attach(frame)


def duplicate_ids(ids: pd.Series, rows: np.ndarray | None = None) -> dict[int, str]:
    """Return ``{position: reason}`` for rows whose respondent id repeats an earlier row's."""
    text = ids.map(_clean_text)
    rows = np.arange(1, len(ids) + 1) if rows is None else rows
    first: dict[str, int] = {}
    out: dict[int, str] = {}
    for i, value in enumerate(text.to_numpy()):
        if not value:
            continue
        if value in first:
            out[i] = f"duplicate respondent id {value} (first at row {rows[first[value]]})"
        else:
            first[value] = i
    return out


# ---- internals -----------------------------------------------------------------------------


class _Results:
    """Per-row outputs, filled in by the steps of the chain."""

    def __init__(self, n: int) -> None:
        self.lat = np.full(n, np.nan)
        self.lon = np.full(n, np.nan)
        self.level = np.array(["unmatched"] * n, dtype=object)
        self.score = np.zeros(n)
        self.matched = np.array([""] * n, dtype=object)
        self.status = np.array([""] * n, dtype=object)
        self.reason = np.array([""] * n, dtype=object)

    def open(self, i: int) -> bool:
        return self.status[i] == ""

    def reject(self, i: int, reason: str) -> None:
        self.status[i], self.reason[i], self.level[i] = "rejected", reason, "unmatched"

    def place(self, i: int, m: Match) -> None:
        self.lat[i], self.lon[i], self.level[i] = m.lat, m.lon, m.level
        self.score[i] = round(max(0.0, min(100.0, m.score)), 1)
        self.matched[i], self.status[i], self.reason[i] = m.matched, m.status, m.reason
        if m.level == "unmatched":
            self.lat[i] = self.lon[i] = np.nan
            self.score[i] = 0.0

    def attach(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        values = {
            "lat": self.lat,
            "lon": self.lon,
            "match_level": self.level.astype(str),
            "match_score": self.score,
            "matched_address": self.matched.astype(str),
            "status": self.status.astype(str),
            "reason": self.reason.astype(str),
        }
        for col in OUTPUT_COLUMNS:
            out[col] = values[col]
        return out


def _clean_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    if text.lower() in ("nan", "none", "null", "n/a", "na", "-"):
        return ""
    return text if any(ch.isalnum() for ch in text) else ""


def _source_rows(frame: pd.DataFrame) -> np.ndarray:
    if "source_row" in frame:
        got = pd.to_numeric(frame["source_row"], errors="coerce")
        if got.notna().all():
            return got.astype(int).to_numpy()
    return np.arange(1, len(frame) + 1)


def _apply_fixes(
    res: _Results,
    frame: pd.DataFrame,
    addresses: np.ndarray,
    fixes: pd.DataFrame | None,
    id_col: str | None,
) -> None:
    table = normalise_fixes(fixes)
    if not len(table):
        return
    by_id: dict[str, dict[str, Any]] = {}
    by_key: dict[str, dict[str, Any]] = {}
    for rec in table.drop(columns="geometry").to_dict("records"):
        rid, akey = _clean_text(rec["respondent_id"]), _clean_text(rec["address_key"])
        if rid:
            by_id[rid] = rec
        elif akey:
            by_key[akey] = rec
    ids = (
        frame[id_col].map(_clean_text).to_numpy()
        if id_col and id_col in frame
        else np.array([""] * len(frame), dtype=object)
    )
    for i in range(len(frame)):
        if not res.open(i):
            continue
        rec = by_id.get(ids[i]) if ids[i] else None
        if rec is None and addresses[i]:
            rec = by_key.get(address_key(addresses[i]))
        if rec is None:
            continue
        level = rec.get("match_level") if rec.get("match_level") in MATCH_LEVELS else "address"
        score = pd.to_numeric(rec.get("match_score"), errors="coerce")
        res.place(
            i,
            Match(
                float(rec["lat"]),
                float(rec["lon"]),
                level,
                100.0 if pd.isna(score) else float(score),
                str(rec.get("matched_address") or ""),
                "repaired",
                f"fixed by analyst ({rec.get('how') or 'fix'})",
            ),
        )


def parse_coordinate(value: Any) -> float:
    """Read one coordinate: ``60.17``, ``"60,17"``, ``"60.17°N"``, ``"24.9 E"``, ``"33.8 S"``."""
    if value is None:
        return math.nan
    if isinstance(value, int | float | np.number):
        return float(value)
    text = str(value).strip().upper().replace("°", "").replace(" ", "")
    if not text:
        return math.nan
    sign = 1.0
    if text[-1] in "NSEW":
        sign = -1.0 if text[-1] in "SW" else 1.0
        text = text[:-1]
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return sign * float(text)
    except ValueError:
        return math.nan


def _apply_coords(
    res: _Results,
    lat_values: pd.Series,
    lon_values: pd.Series,
    addresses: np.ndarray,
    index: AddressIndex,
    coord_system: str,
) -> dict[int, str]:
    lat = np.array([parse_coordinate(v) for v in lat_values], dtype=float)
    lon = np.array([parse_coordinate(v) for v in lon_values], dtype=float)
    given_lat = lat_values.map(_clean_text).to_numpy() != ""
    given_lon = lon_values.map(_clean_text).to_numpy() != ""
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    ok &= ~((lat == 0) & (lon == 0))
    swap_ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
    w, s, e, nb = index.bounds
    m = _REGION_MARGIN_DEG

    def inside(la: np.ndarray, lo: np.ndarray) -> np.ndarray:
        return (la >= s - m) & (la <= nb + m) & (lo >= w - m) & (lo <= e + m)

    # Swapped only when the swapped point falls in the region and the given one does not.
    swap = swap_ok & inside(lon, lat) & ~(ok & inside(lat, lon))
    swap &= ~((lat == 0) & (lon == 0))
    lat2 = np.where(swap, lon, lat)
    lon2 = np.where(swap, lat, lon)
    good = ok | swap
    system = coord_system.lower().replace("-", "").replace("_", "")
    china = np.zeros(len(lat), dtype=bool)
    if system != "wgs84" and good.any():
        china[good] = in_china(lat2[good], lon2[good])
        c_lat, c_lon = to_wgs84(lat2[good], lon2[good], system=system)
        lat2[good], lon2[good] = c_lat, c_lon
    label = {"gcj02": "GCJ-02", "bd09": "BD-09"}.get(system, "")
    f = _FAR_MARGIN_DEG
    near = (lat2 >= s - f) & (lat2 <= nb + f) & (lon2 >= w - f) & (lon2 <= e + f)
    forced: dict[int, str] = {}
    for i in range(len(lat)):
        if not res.open(i):
            continue
        if good[i] and not near[i]:
            what = f"coordinates far outside the region (lat {lat2[i]:.5g}, lon {lon2[i]:.5g})"
            if addresses[i]:
                forced[i] = f"{what}: placed from the address"
            else:
                res.place(
                    i,
                    Match(
                        float(lat2[i]),
                        float(lon2[i]),
                        "input_coords",
                        FAR_SCORE,
                        "",
                        "geocoded",
                        f"{what}: check them",
                    ),
                )
            continue
        if good[i]:
            notes = []
            if swap[i]:
                notes.append("latitude and longitude were swapped")
            if label and china[i]:
                notes.append(f"converted from {label} to WGS84")
            elif label:
                notes.append(f"declared {label} but outside China: left unchanged")
            res.place(
                i,
                Match(
                    float(lat2[i]),
                    float(lon2[i]),
                    "input_coords",
                    100.0,
                    "",
                    "repaired" if swap[i] else "geocoded",
                    "; ".join(notes),
                ),
            )
            continue
        if not (given_lat[i] or given_lon[i]):
            continue
        what = _coordinate_problem(lat_values.iloc[i], lon_values.iloc[i], lat[i], lon[i])
        if addresses[i]:
            forced[i] = f"{what}: placed from the address"
        else:
            res.reject(i, what)
    return forced


def _coordinate_problem(raw_lat: Any, raw_lon: Any, lat: float, lon: float) -> str:
    if not (np.isfinite(lat) and np.isfinite(lon)):
        return (
            f"coordinates unreadable (lat {_clean_text(raw_lat)!r}, lon {_clean_text(raw_lon)!r})"
        )
    if lat == 0 and lon == 0:
        return "coordinates are 0,0 (no position)"
    return f"coordinates out of range (lat {lat:g}, lon {lon:g})"


def _match_addresses(
    res: _Results,
    pending: list[int],
    addresses: np.ndarray,
    index: AddressIndex,
    report: Callable[[int, int], None],
    total: int,
) -> None:
    groups: dict[str, list[int]] = {}
    for i in pending:
        groups.setdefault(addresses[i], []).append(i)
    parsed = {
        text: parse_address(text, cities=index.cities, postcodes=index.postcodes) for text in groups
    }
    chinese = [t for t, p in parsed.items() if p.chinese]
    districts = dict(zip(chinese, chinese_districts(chinese), strict=True)) if chinese else {}
    for text, info in districts.items():
        rest = info.get("rest") if info else None
        p = parsed[text]
        if rest and p.has_street:
            extra = parse_address(rest)
            p.street_keys = p.street_keys + tuple(
                k for k in extra.street_keys if k not in p.street_keys
            )
    done = total - len(pending)
    step = max(1, len(groups) // 100)
    for g, (text, rows) in enumerate(groups.items()):
        p = parsed[text]
        m = match_address(p, index)
        info = districts.get(text)
        if m.level == "unmatched" and not p.has_street and info and "lat" in info:
            name = "".join(v for v in (info["province"], info["city"], info["district"]) if v)
            m = Match(
                info["lat"],
                info["lon"],
                "district",
                SCORE_DISTRICT,
                name.replace("市辖区", ""),
                "geocoded",
                f"no street given: placed at the centre of {info['district']} (cpca)",
            )
        for i in rows:
            res.place(i, m)
        done += len(rows)
        if g % step == 0:
            report(done, total)


def _match_online(
    res: _Results,
    addresses: np.ndarray,
    geocoder: Any,
    report: Callable[[int, int], None],
    total: int,
) -> None:
    todo = [
        i
        for i in range(len(addresses))
        if addresses[i]
        and (res.status[i] == "unmatched" or res.level[i] in ("postcode", "district"))
    ]
    answers: dict[str, dict[str, Any] | None] = {}
    for count, i in enumerate(todo, start=1):
        text = addresses[i]
        if text not in answers:
            answers[text] = geocoder.lookup(text)
        got = answers[text]
        if got is not None:
            res.place(
                i,
                Match(
                    got["lat"],
                    got["lon"],
                    "online",
                    ONLINE_SCORE,
                    got.get("matched_address") or "",
                    "geocoded",
                    f"placed online by {geocoder.provider}",
                ),
            )
        report(total - len(todo) + count, total)
