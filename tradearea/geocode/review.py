"""The row-level account of a geocoded table, rows to review, and candidates for a fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from tradearea.geocode.chain import LOW_SCORE, MATCH_LEVELS, PLACEABLE_REJECTIONS, STATUSES
from tradearea.geocode.index import AddressIndex, region_index
from tradearea.geocode.matcher import SCORE_POSTCODE, Match, match_address, street_candidates
from tradearea.geocode.matcher import _house_match as house_match
from tradearea.geocode.normalise import parse_address

if TYPE_CHECKING:
    from tradearea.regions.packs import Region


def account(geocoded: pd.DataFrame) -> dict[str, Any]:
    """Count the rows of a geocoded table per status and per match level.

    Parameters
    ----------
    geocoded : pandas.DataFrame
        The result of :func:`geocode_frame`.

    Returns
    -------
    dict
        ``rows``, one count per status (geocoded, repaired, unmatched, rejected), ``placed``
        (geocoded + repaired), ``by_match_level`` (a count per level) and ``low_score``
        (placed rows scoring below 80). Statuses add up to ``rows``, and so do the levels.
    """
    if "status" not in geocoded:
        msg = "not a geocoded table: no 'status' column"
        raise ValueError(msg)
    status = geocoded["status"].astype(str)
    out: dict[str, Any] = {"rows": len(geocoded)}
    for s in STATUSES:
        out[s] = int((status == s).sum())
    out["placed"] = out["geocoded"] + out["repaired"]
    levels = geocoded["match_level"].astype(str)
    out["by_match_level"] = {lv: int((levels == lv).sum()) for lv in MATCH_LEVELS}
    scores = pd.to_numeric(geocoded["match_score"], errors="coerce")
    placed = status.isin(("geocoded", "repaired"))
    out["low_score"] = int((placed & (scores < LOW_SCORE)).sum())
    if sum(out[s] for s in STATUSES) != out["rows"]:
        msg = "status values outside geocoded/repaired/unmatched/rejected"
        raise ValueError(msg)
    return out


def account_table(geocoded: pd.DataFrame) -> pd.DataFrame:
    """Return the account as a table: status, count, share (%), with a total row."""
    acc = account(geocoded)
    rows = [(s, acc[s]) for s in STATUSES]
    total = max(acc["rows"], 1)
    table = pd.DataFrame(rows, columns=["status", "count"])
    table["share_pct"] = (100.0 * table["count"] / total).round(1)
    totals = pd.DataFrame([{"status": "total", "count": acc["rows"], "share_pct": 100.0}])
    return pd.concat([table, totals], ignore_index=True)


def review_rows(
    geocoded: pd.DataFrame, *, low_score: float = LOW_SCORE, rejected: bool = False
) -> pd.DataFrame:
    """Return the rows an analyst should look at: unmatched, and placed with a low score.

    Parameters
    ----------
    geocoded : pandas.DataFrame
        The result of :func:`geocode_frame`.
    low_score : float
        Placed rows scoring below this are listed.
    rejected : bool
        Also list rejected rows that a fix can place (an empty address, unusable coordinates:
        ``PLACEABLE_REJECTIONS``); not other rejections (a repeated respondent id, bad values).

    Returns
    -------
    pandas.DataFrame
        The rows, in table order.
    """
    scores = pd.to_numeric(geocoded["match_score"], errors="coerce")
    status = geocoded["status"].astype(str)
    mask = (status == "unmatched") | (status.isin(("geocoded", "repaired")) & (scores < low_score))
    if rejected:
        reason = geocoded["reason"].astype(str) if "reason" in geocoded else ""
        placeable = pd.Series(reason, index=geocoded.index).str.startswith(PLACEABLE_REJECTIONS)
        mask |= (status == "rejected") & placeable
    return geocoded[mask]


def candidates(address: str, *, region: Region | str | AddressIndex, k: int = 5) -> pd.DataFrame:
    """Return up to ``k`` places an address might be, best first, for the review page.

    Parameters
    ----------
    address : str
        The address as typed.
    region : Region, str or AddressIndex
        The region.
    k : int
        How many candidates.

    Returns
    -------
    pandas.DataFrame
        matched_address, lat, lon, match_level, match_score, street_similarity.
    """
    index = region_index(region)
    parsed = parse_address(address, cities=index.cities, postcodes=index.postcodes)
    found: list[dict[str, Any]] = []
    best = match_address(parsed, index)
    if best.level != "unmatched":
        found.append(_candidate(best, 100.0))
    for sid, similarity in street_candidates(index, parsed, k=k):
        m = house_match(parsed, index, sid)
        if m.level == "unmatched":
            continue
        m.score = round(m.score * similarity / 100.0, 1)
        found.append(_candidate(m, similarity))
    if parsed.postcode and parsed.postcode in index.postcode_points:
        lat, lon, _ = index.postcode_points[parsed.postcode]
        found.append(
            {
                "matched_address": f"postcode {parsed.postcode}",
                "lat": lat,
                "lon": lon,
                "match_level": "postcode",
                "match_score": SCORE_POSTCODE,
                "street_similarity": 0.0,
            }
        )
    cols = ["matched_address", "lat", "lon", "match_level", "match_score", "street_similarity"]
    table = pd.DataFrame(found, columns=cols)
    if table.empty:
        return table
    table = table.sort_values("match_score", ascending=False, kind="stable")
    return table.drop_duplicates("matched_address").head(k).reset_index(drop=True)


def _candidate(m: Match, similarity: float) -> dict[str, Any]:
    return {
        "matched_address": m.matched,
        "lat": m.lat,
        "lon": m.lon,
        "match_level": m.level,
        "match_score": m.score,
        "street_similarity": round(similarity, 1),
    }
