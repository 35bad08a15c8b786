"""The address index of a region: street keys, house numbers, postcode and city centroids."""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from shapely.ops import nearest_points

from tradearea.geocode.normalise import (
    HouseNumber,
    fold,
    key,
    parse_address,
    parse_housenumber,
)
from tradearea.regions.packs import load_region

if TYPE_CHECKING:
    from tradearea.regions.packs import Region


@dataclass
class AddressIndex:
    """Everything the offline matcher looks up, built once per region.

    Attributes
    ----------
    name : str
        The region's name.
    lat, lon : numpy.ndarray
        Position of each address row.
    labels : list of str
        Display form of each address (``"Mannerheimintie 14, 00100 Helsinki"``).
    street_names : list of str
        Display name of each street (by street id).
    street_ids : dict
        Street key (and abbreviation variants) -> street id.
    houses : dict
        (street id, number, letter) -> address rows; ranges are keyed by their first number.
    """

    name: str
    lat: np.ndarray
    lon: np.ndarray
    labels: list[str]
    row_postcode: list[str | None]
    row_city: list[str | None]
    row_house: list[HouseNumber | None]
    row_context: list[str]
    row_street: np.ndarray
    street_names: list[str]
    street_ids: dict[str, int]
    street_lat: np.ndarray
    street_lon: np.ndarray
    houses: dict[tuple[int, int, str], list[int]]
    anchors: dict[int, tuple[np.ndarray, np.ndarray]]
    ranges: dict[int, list[tuple[int, int, int]]]
    street_areas: dict[int, frozenset[str]]
    buckets: dict[tuple[int, str], list[str]]
    postcode_points: dict[str, tuple[float, float, int]]
    city_points: dict[str, tuple[float, float, int]]
    cities: frozenset[str]
    postcodes: frozenset[str]
    bounds: tuple[float, float, float, float]
    fuzzy_cache: dict[str, list[tuple[int, int]]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def street_keys(self) -> list[str]:
        """All street keys, for candidate lists."""
        return list(self.street_ids)


_CACHE: weakref.WeakKeyDictionary[Any, AddressIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def region_index(region: Region | str | AddressIndex) -> AddressIndex:
    """Return the address index of ``region``, building it on first use (cached per region).

    Parameters
    ----------
    region : Region, str or AddressIndex
        A loaded region, a region name, an index, or any object with an ``addresses`` table
        (street, housenumber, postcode, city, lon, lat) and optionally ``streets`` (name, geometry).

    Returns
    -------
    AddressIndex
        The index.
    """
    if isinstance(region, AddressIndex):
        return region
    if isinstance(region, str):
        region = load_region(region)
    with _LOCK:
        cached = _CACHE.get(region)
        if cached is not None:
            return cached
    streets = getattr(region, "streets", None)
    index = build_index(
        region.addresses, streets=streets, name=str(getattr(region, "name", "region"))
    )
    with _LOCK:
        _CACHE[region] = index
    return index


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def build_index(
    addresses: pd.DataFrame, *, streets: pd.DataFrame | None = None, name: str = "region"
) -> AddressIndex:
    """Build the address index from an address table.

    Parameters
    ----------
    addresses : pandas.DataFrame
        Columns street, housenumber, lon, lat; optional postcode, city.
    streets : pandas.DataFrame, optional
        Named street lines (name, geometry): streets without addresses become street-level
        targets, and a street's centre point is taken on its line.
    name : str
        The region's name.

    Returns
    -------
    AddressIndex
        The index.
    """
    n = len(addresses)
    street_col = addresses["street"].tolist()
    number_col = addresses["housenumber"].tolist()
    postcode_col = [
        _text(v) for v in (addresses["postcode"] if "postcode" in addresses else [None] * n)
    ]
    city_col = [_text(v) for v in (addresses["city"] if "city" in addresses else [None] * n)]
    lat = addresses["lat"].to_numpy(dtype=float)
    lon = addresses["lon"].to_numpy(dtype=float)
    cities = frozenset(
        c
        for c in (fold(v) for v in set(city_col) if v)
        if len(c) >= 2 and any(ch.isalpha() for ch in c)
    )
    postcodes = frozenset(p for p in set(postcode_col) if p)

    street_ids: dict[str, int] = {}
    street_names: list[str] = []
    variants: list[tuple[str, int]] = []
    row_street = np.full(n, -1, dtype=np.int64)
    row_house: list[HouseNumber | None] = [None] * n
    row_context = [""] * n
    labels: list[str] = []
    houses: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    extra_entries: list[tuple[int, int, HouseNumber | None]] = []
    street_cache: dict[str, tuple[str, ...]] = {}

    def street_id(keys: tuple[str, ...], display: str) -> int:
        primary = keys[0]
        sid = street_ids.get(primary)
        if sid is None:
            sid = len(street_names)
            street_ids[primary] = sid
            street_names.append(display)
        variants.extend((k, sid) for k in keys[1:])
        return sid

    for i in range(n):
        street = _text(street_col[i]) or ""
        number = _text(number_col[i]) or ""
        labels.append(_label(street, number, postcode_col[i], city_col[i]))
        keys, house, context, display = _row_entry(street, number, street_cache)
        if not keys:
            continue
        sid = street_id(keys, display)
        row_street[i], row_house[i], row_context[i] = sid, house, context
        # A corner address tagged as housenumber "Keskuskatu 5" on street "Pohjoisesplanadi 33".
        if number[:1].isalpha():
            alias = parse_address(number)
            if alias.street_keys and alias.house is not None:
                extra_entries.append((street_id(alias.street_keys, number), i, alias.house))
    for k, sid in variants:
        street_ids.setdefault(k, sid)

    anchor_lists: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ranges: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    entries = [(int(row_street[i]), i, row_house[i]) for i in range(n) if row_street[i] >= 0]
    for sid, i, house in entries + extra_entries:
        if house is None:
            continue
        houses[(sid, house.number, house.letter)].append(i)
        anchor_lists[sid].append((house.number, i))
        if house.number_to is not None:
            ranges[sid].append((house.number, house.number_to, i))
            anchor_lists[sid].append((house.number_to, i))
    anchors = {}
    for sid, pairs in anchor_lists.items():
        pairs.sort()
        anchors[sid] = (
            np.array([p[0] for p in pairs], dtype=np.int64),
            np.array([p[1] for p in pairs], dtype=np.int64),
        )

    if streets is not None and len(streets) and "name" in streets:
        for street in pd.unique(streets["name"].dropna()):
            k = key(str(street))
            if k and k not in street_ids:
                street_ids[k] = len(street_names)
                street_names.append(str(street))
    street_lat, street_lon = _street_points(
        len(street_names), row_street, lat, lon, street_ids, streets
    )

    street_areas: dict[int, set[str]] = defaultdict(set)
    for i in np.flatnonzero(row_street >= 0):
        for value in (postcode_col[i], city_col[i]):
            if value:
                street_areas[int(row_street[i])].add(fold(value))
    buckets: dict[tuple[int, str], list[str]] = defaultdict(list)
    for k in street_ids:
        buckets[(len(k), k[0])].append(k)

    pc_points = _centroids(postcode_col, lat, lon)
    city_points = _centroids([fold(c) if c else None for c in city_col], lat, lon)
    finite = np.isfinite(lat) & np.isfinite(lon)
    bounds = (
        (
            float(lon[finite].min()),
            float(lat[finite].min()),
            float(lon[finite].max()),
            float(lat[finite].max()),
        )
        if finite.any()
        else (-180.0, -90.0, 180.0, 90.0)
    )
    return AddressIndex(
        name=name,
        lat=lat,
        lon=lon,
        labels=labels,
        row_postcode=postcode_col,
        row_city=city_col,
        row_house=row_house,
        row_context=row_context,
        row_street=row_street,
        street_names=street_names,
        street_ids=street_ids,
        street_lat=street_lat,
        street_lon=street_lon,
        houses=dict(houses),
        anchors=anchors,
        ranges=dict(ranges),
        street_areas={k: frozenset(v) for k, v in street_areas.items()},
        buckets=dict(buckets),
        postcode_points=pc_points,
        city_points=city_points,
        cities=cities,
        postcodes=postcodes,
        bounds=bounds,
    )


def _row_entry(
    street: str, number: str, cache: dict[str, tuple[str, ...]]
) -> tuple[tuple[str, ...], HouseNumber | None, str, str]:
    """Street keys, house number, context and display name of one region address."""
    if number[:1].isdigit() and "," not in street and not street[-1:].isdigit():
        # The common case: a plain street name and a number; the street is parsed once.
        keys = _plain_street(street, cache)
        house, context = parse_housenumber(number)
        if keys and house is not None:
            return keys, house, context, street
    parsed = parse_address(f"{street} {number}")
    if parsed.street_keys and parsed.house is not None:
        display = _display_street(street, parsed.street)
        return parsed.street_keys, parsed.house, parsed.context, display
    house, context = parse_housenumber(number)
    return ((key(street),) if key(street) else ()), house, context, street


def _plain_street(street: str, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    keys = cache.get(street)
    if keys is None:
        keys = cache[street] = parse_address(street).street_keys
    return keys


def _label(street: str, number: str, postcode: str | None, city: str | None) -> str:
    head = f"{street} {number}".strip()
    tail = " ".join(v for v in (postcode, city) if v)
    return f"{head}, {tail}" if tail else head


def _display_street(street: str, parsed_street: str) -> str:
    """The street's own name: the part of ``street`` after a building name, if any."""
    parts = [p.strip() for p in street.split(",") if p.strip()]
    for part in reversed(parts):
        if key(part).startswith(key(parsed_street)) or key(parsed_street).startswith(key(part)):
            words = part.split()
            while words and words[-1][:1].isdigit():
                words.pop()
            return " ".join(words) or part
    return street


def _centroids(
    labels: list[str | None], lat: np.ndarray, lon: np.ndarray
) -> dict[str, tuple[float, float, int]]:
    frame = pd.DataFrame({"k": labels, "lat": lat, "lon": lon}).dropna()
    if frame.empty:
        return {}
    grouped = frame.groupby("k", sort=True)
    mean = grouped[["lat", "lon"]].mean()
    count = grouped.size()
    return {
        str(k): (float(mean.at[k, "lat"]), float(mean.at[k, "lon"]), int(count[k]))
        for k in mean.index
    }


def _street_points(
    n_streets: int,
    row_street: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    street_ids: dict[str, int],
    streets: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray]:
    """A central point per street: on its line when known, else its most central address."""
    out_lat = np.full(n_streets, np.nan)
    out_lon = np.full(n_streets, np.nan)
    valid = row_street >= 0
    if valid.any():
        frame = pd.DataFrame({"sid": row_street[valid], "lat": lat[valid], "lon": lon[valid]})
        frame["mlat"] = frame.groupby("sid")["lat"].transform("mean")
        frame["mlon"] = frame.groupby("sid")["lon"].transform("mean")
        frame["d"] = (frame["lat"] - frame["mlat"]) ** 2 + (
            (frame["lon"] - frame["mlon"]) * np.cos(np.radians(frame["mlat"]))
        ) ** 2
        best = frame.loc[frame.groupby("sid")["d"].idxmin()]
        out_lat[best["sid"].to_numpy()] = best["lat"].to_numpy()
        out_lon[best["sid"].to_numpy()] = best["lon"].to_numpy()
    if streets is None or not len(streets) or "geometry" not in streets:
        return out_lat, out_lon

    named = streets[streets["name"].notna()]
    keys = named["name"].map(lambda s: key(str(s)))
    for k, group in named.groupby(keys.to_numpy(), sort=False):
        sid = street_ids.get(k)
        if sid is None:
            continue
        merged = shapely.line_merge(shapely.union_all(group.geometry.to_numpy()))
        if merged.is_empty:
            continue
        point = nearest_points(merged, merged.centroid)[0]
        out_lat[sid], out_lon[sid] = point.y, point.x
    return out_lat, out_lon
