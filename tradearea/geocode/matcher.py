"""Offline matching of one parsed address against a region's address index."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from tradearea.geocode.index import AddressIndex
from tradearea.geocode.normalise import HouseNumber, ParsedAddress

# Scores (0-100) by how the address was placed; see docs/geocoding.md.
SCORE_EXACT = 100.0
SCORE_IN_RANGE = 95.0
SCORE_OTHER_LETTER = 90.0
SCORE_INTERPOLATED = 70.0
SCORE_NEAREST_NUMBER = 65.0
SCORE_STREET = 60.0
SCORE_POSTCODE = 40.0
SCORE_DISTRICT = 25.0
SCORE_CITY = 20.0
PENALTY_PER_EDIT = 10.0
PENALTY_AMBIGUOUS = 10.0
PENALTY_POSTCODE = 5.0
# Interpolate between numbers at most this far apart; nearest number at most this far.
MAX_INTERPOLATION_GAP = 30
MAX_NEAREST_GAP = 10


@dataclass(slots=True)
class Match:
    """Where an address was placed, how, and how sure the matcher is."""

    lat: float = math.nan
    lon: float = math.nan
    level: str = "unmatched"
    score: float = 0.0
    matched: str = ""
    status: str = "unmatched"
    reason: str = ""


def max_edits(street_key: str) -> int:
    """Return how many typing errors a street key of this length may carry and still match.

    One edit (a transposition counts as one) for keys of 5 characters or more, two for keys of
    15 or more; shorter keys must match exactly. A name further from every street of the region
    is treated as a street the region does not have.
    """
    n = len(street_key)
    if n < 5:
        return 0
    return 1 if n < 15 else 2


def fuzzy_streets(index: AddressIndex, street_key: str, *, edits: int | None = None) -> list:
    """Return ``[(street_id, edits), ...]`` for streets within ``edits`` of ``street_key``.

    Blocked: only keys of similar length whose first letter is the key's first or second
    letter (a transposition of the first two letters still matches) are compared.
    """
    limit = max_edits(street_key) if edits is None else edits
    if limit <= 0 or len(street_key) < 2:
        return []
    cache_key = f"{limit}:{street_key}"
    hit = index.fuzzy_cache.get(cache_key)
    if hit is not None:
        return hit
    firsts = {street_key[0], street_key[1]}
    choices: list[str] = []
    n = len(street_key)
    for length in range(n - limit, n + limit + 1):
        for first in firsts:
            choices.extend(index.buckets.get((length, first), ()))
    found = process.extract(
        street_key, choices, scorer=OSA.distance, score_cutoff=limit, limit=None
    )
    seen: dict[int, int] = {}
    for choice, dist, _ in found:
        sid = index.street_ids[choice]
        seen[sid] = min(dist, seen.get(sid, dist))
    result = sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))
    if len(index.fuzzy_cache) < 200_000:
        index.fuzzy_cache[cache_key] = result
    return result


def match_address(parsed: ParsedAddress, index: AddressIndex) -> Match:
    """Place one parsed address: house, street, postcode or city level, or unmatched.

    A street that is not in the region (not even within the allowed typing errors) comes back
    unmatched, never snapped to a look-alike nor to the postcode centroid.

    Parameters
    ----------
    parsed : ParsedAddress
        From :func:`tradearea.geocode.normalise.parse_address`.
    index : AddressIndex
        The region's index.

    Returns
    -------
    Match
        The result.
    """
    if not parsed.has_street:
        return _area_match(parsed, index)
    sid, edits, note = _find_street(parsed, index)
    if sid is None:
        return Match(reason=note)
    match = _house_match(parsed, index, sid)
    if edits:
        match.score = max(match.score - PENALTY_PER_EDIT * edits, 1.0)
        match.status = "repaired"
        shown = parsed.street or parsed.street_keys[0]
        fix = f"street '{shown}' read as '{index.street_names[sid]}'"
        match.reason = f"{fix}; {match.reason}" if match.reason else fix
    return match


def _area_match(parsed: ParsedAddress, index: AddressIndex) -> Match:
    if parsed.postcode and parsed.postcode in index.postcode_points:
        lat, lon, count = index.postcode_points[parsed.postcode]
        return Match(
            lat,
            lon,
            "postcode",
            SCORE_POSTCODE,
            parsed.postcode,
            "geocoded",
            f"no street given: placed at the centre of postcode {parsed.postcode} "
            f"({count} addresses)",
        )
    if parsed.city and parsed.city in index.city_points:
        lat, lon, count = index.city_points[parsed.city]
        return Match(
            lat,
            lon,
            "district",
            SCORE_CITY,
            parsed.city.title(),
            "geocoded",
            f"no street given: placed at the centre of {parsed.city.title()} ({count} addresses)",
        )
    if parsed.postcode:
        return Match(reason=f"no street given and postcode {parsed.postcode} not in the region")
    return Match(reason="no street, postcode or city recognised")


def _find_street(parsed: ParsedAddress, index: AddressIndex) -> tuple[int | None, int, str]:
    for k in parsed.street_keys:
        sid = index.street_ids.get(k)
        if sid is not None:
            return sid, 0, ""
    for k in parsed.street_keys[:2]:
        found = fuzzy_streets(index, k)
        if not found:
            continue
        best = found[0][1]
        tied = [sid for sid, d in found if d == best]
        for area in (parsed.postcode, parsed.city):
            if len(tied) > 1 and area:
                local = [s for s in tied if area in index.street_areas.get(s, ())]
                tied = local or tied
        if len(tied) > 1 and parsed.house is not None:
            with_number = [
                s for s in tied if (s, parsed.house.number, parsed.house.letter) in index.houses
            ]
            if len(with_number) == 1:
                tied = with_number
        if len(tied) == 1:
            return tied[0], best, ""
        names = " or ".join(f"'{index.street_names[s]}'" for s in tied[:3])
        return None, 0, f"street '{parsed.street}' is ambiguous: {names}"
    shown = parsed.street or parsed.street_keys[0]
    return None, 0, f"street '{shown}' not found in region {index.name}"


def _house_match(parsed: ParsedAddress, index: AddressIndex, sid: int) -> Match:
    street = index.street_names[sid]
    house = parsed.house
    if house is None:
        return _street_point(index, sid, SCORE_STREET, "no house number: placed on the street")
    rows, score, note = _house_rows(index, sid, house)
    if rows:
        row, ambiguous = _pick_row(index, rows, parsed)
        match = Match(
            float(index.lat[row]),
            float(index.lon[row]),
            "address",
            score,
            index.labels[row],
            "geocoded",
            note,
        )
        if ambiguous:
            match.score -= PENALTY_AMBIGUOUS
            match.reason = _join(match.reason, f"{len(rows)} addresses share this number")
        postcode = index.row_postcode[row]
        if parsed.postcode and postcode and parsed.postcode != postcode:
            match.score -= PENALTY_POSTCODE
            match.reason = _join(
                match.reason, f"postcode {parsed.postcode} differs from {postcode}"
            )
        return match
    return _interpolate(index, sid, house, street)


def _house_rows(index: AddressIndex, sid: int, house: HouseNumber) -> tuple[list[int], float, str]:
    rows = index.houses.get((sid, house.number, house.letter), [])
    if rows:
        if house.number_to is not None:
            same = [
                r
                for r in rows
                if index.row_house[r] and index.row_house[r].number_to == house.number_to
            ]
            rows = same or rows
        return rows, SCORE_EXACT, ""
    if house.letter:
        rows = index.houses.get((sid, house.number, ""), [])
        if rows:
            note = f"letter {house.letter.upper()} not found: placed at {house.number}"
            return rows, SCORE_OTHER_LETTER, note
    for letter in "abcdefghijklmnopqrstuvwxyz":
        rows = index.houses.get((sid, house.number, letter), [])
        if rows:
            if house.letter:
                note = f"letter {house.letter.upper()} not found: placed at {house.number} {letter.upper()}"
                return rows, SCORE_OTHER_LETTER, note
            return rows, SCORE_IN_RANGE, f"placed at {house.number} {letter.upper()}"
    for low, high, row in index.ranges.get(sid, ()):
        if low <= house.number <= high and (house.number - low) % 2 == 0:
            return [row], SCORE_IN_RANGE, f"{house.number} is within {low}-{high}"
    return [], 0.0, ""


def _pick_row(index: AddressIndex, rows: list[int], parsed: ParsedAddress) -> tuple[int, bool]:
    if len(rows) == 1:
        return rows[0], False
    context = parsed.context
    exact = [r for r in rows if index.row_context[r] == context]
    if len(exact) == 1:
        return exact[0], False
    pool = exact or rows
    if parsed.postcode:
        same = [r for r in pool if index.row_postcode[r] == parsed.postcode]
        if same:
            pool = same
    if context:
        similar = [(fuzz.ratio(context, index.row_context[r]), r) for r in pool]
        best_sim, best_row = max(similar)
        if best_sim >= 80:
            return best_row, False
    plain = [r for r in pool if not index.row_context[r]]
    if plain:
        pool = plain
    if len(pool) == 1:
        return pool[0], False
    spread = np.hypot(
        index.lat[pool] - index.lat[pool].mean(),
        (index.lon[pool] - index.lon[pool].mean()) * math.cos(math.radians(index.lat[pool[0]])),
    )
    # Several entrances of one building are not an ambiguity; different places are.
    return pool[0], bool(spread.max() * 111_320 > 100)


def _street_point(index: AddressIndex, sid: int, score: float, reason: str) -> Match:
    lat, lon = float(index.street_lat[sid]), float(index.street_lon[sid])
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return Match(reason=f"street '{index.street_names[sid]}' has no position in the region")
    return Match(lat, lon, "street", score, index.street_names[sid], "geocoded", reason)


def _interpolate(index: AddressIndex, sid: int, house: HouseNumber, street: str) -> Match:
    number = house.number
    got = index.anchors.get(sid)
    if got is None:
        return _street_point(
            index, sid, SCORE_STREET, f"house number {house.text} not found: street has no numbers"
        )
    numbers, rows = got
    same = (numbers % 2) == (number % 2)
    lower = np.flatnonzero(same & (numbers < number))
    upper = np.flatnonzero(same & (numbers > number))
    if len(lower) and len(upper):
        lo, hi = lower[-1], upper[0]
        n_lo, n_hi = int(numbers[lo]), int(numbers[hi])
        if n_hi - n_lo <= MAX_INTERPOLATION_GAP:
            t = (number - n_lo) / (n_hi - n_lo)
            r_lo, r_hi = rows[lo], rows[hi]
            lat = float(index.lat[r_lo] + t * (index.lat[r_hi] - index.lat[r_lo]))
            lon = float(index.lon[r_lo] + t * (index.lon[r_hi] - index.lon[r_lo]))
            return Match(
                lat,
                lon,
                "street",
                SCORE_INTERPOLATED,
                f"{street} {house.text} (interpolated)",
                "geocoded",
                f"house number {house.text} not found: interpolated between {n_lo} and {n_hi}",
            )
    candidates = np.flatnonzero(same) if same.any() else np.arange(len(numbers))
    gaps = np.abs(numbers[candidates] - number)
    best = candidates[int(np.argmin(gaps))]
    gap = int(abs(numbers[best] - number))
    if gap <= MAX_NEAREST_GAP:
        row = rows[best]
        return Match(
            float(index.lat[row]),
            float(index.lon[row]),
            "street",
            SCORE_NEAREST_NUMBER,
            f"{street} {int(numbers[best])} (nearest number)",
            "geocoded",
            f"house number {house.text} not found: placed at the nearest number {int(numbers[best])}",
        )
    return _street_point(
        index,
        sid,
        SCORE_STREET,
        f"house number {house.text} not found (numbers run {int(numbers.min())}-{int(numbers.max())}): "
        "placed on the street",
    )


def street_candidates(
    index: AddressIndex, parsed: ParsedAddress, *, k: int = 5
) -> list[tuple[int, float]]:
    """Return up to ``k`` streets resembling the parsed street, with a 0-100 similarity."""
    scores: dict[int, float] = {}
    for key_ in parsed.street_keys:
        sid = index.street_ids.get(key_)
        if sid is not None:
            scores[sid] = 100.0
    if parsed.street_keys:
        query = parsed.street_keys[0]
        for choice, score, _ in process.extract(
            query, index.street_ids.keys(), scorer=fuzz.WRatio, limit=3 * k, score_cutoff=50
        ):
            sid = index.street_ids[choice]
            scores[sid] = max(scores.get(sid, 0.0), float(score))
    return sorted(scores.items(), key=lambda kv: -kv[1])[:k]


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b
