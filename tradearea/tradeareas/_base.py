"""Shared machinery of the trade-area methods: inputs, tier assignment, the tier table."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from tradearea._core.crs import WGS84, project_lonlat
from tradearea._core.geometry import EMPTY_POLYGON, polygonal
from tradearea.errors import InputError
from tradearea.regions.packs import load_region
from tradearea.tiers import tier_name
from tradearea.tradeareas.presets import SHARE_PRESETS

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

OUTLIER = "outlier"
NOT_PLACED = "not placed"
UNPLACED_STATUS = frozenset({"unmatched", "rejected", "failed", "error"})
DISC_QUAD_SEGS = 64
# Disc polygons are circumscribed so a customer at exactly the cut-off distance is inside.
DISC_CIRCUMSCRIBE = 1.0 / math.cos(math.pi / (4 * DISC_QUAD_SEGS)) * (1 + 1e-9)
AREA_COLUMNS = (
    "store_id",
    "tier",
    "tier_name",
    "method",
    "metric",
    "threshold",
    "cutoff",
    "cutoff_unit",
    "customers",
    "weight",
    "weight_share",
    "cumulative_share",
    "households",
    "penetration",
    "area_m2",
    "region_share",
    "geometry",
)


@dataclass
class TradeAreaResult:
    """Trade areas of one or several stores and where every survey row ended up.

    Attributes
    ----------
    areas : geopandas.GeoDataFrame
        One row per store and tier (EPSG:4326): store_id, tier, tier_name, method, metric,
        threshold, cutoff, cutoff_unit, customers, weight, weight_share, cumulative_share,
        households, penetration, area_m2, region_share, geometry. Tiers are disjoint rings.
    customers : geopandas.GeoDataFrame
        One row per input row: respondent_id, store_id, tier (nullable), tier_name (primary,
        secondary, tertiary, outlier or 'not placed'), reason, distance_m, time_s, weight,
        lat, lon, geometry.
    account : dict
        Row counts that add up: input_rows = in_tiers + outliers + not_placed, with reasons.
    outliers : geopandas.GeoDataFrame
        The placed customers beyond the last tier, with the reason.
    stores : pandas.DataFrame
        store_id, name, lat, lon of the stores used.
    zones : geopandas.GeoDataFrame, optional
        Penetration method: the zones with customers, households, penetration and tier.
    footprints : geopandas.GeoDataFrame, optional
        Tighter customer-footprint polygons per tier, if asked for.
    overlap : pandas.DataFrame, optional
        Shared customers and area between own stores (several stores only).
    """

    areas: gpd.GeoDataFrame
    customers: gpd.GeoDataFrame
    account: dict[str, Any]
    outliers: gpd.GeoDataFrame
    stores: pd.DataFrame = field(default_factory=pd.DataFrame)
    zones: gpd.GeoDataFrame | None = None
    footprints: gpd.GeoDataFrame | None = None
    overlap: pd.DataFrame | None = None


def parse_thresholds(value: str | Any, *, kind: str = "share") -> tuple[float, ...]:
    """Turn thresholds given as a preset name, percent text or numbers into fractions.

    Parameters
    ----------
    value : str or sequence of float
        ``"75,90,95"`` (percent), ``"Applebaum 65/85/95"`` (a preset of ``SHARE_PRESETS``),
        or numbers: fractions (0.75) or percents (75) — a sequence with any value above 1 is
        read as percents.
    kind : {'share', 'penetration'}
        Share thresholds must increase; penetration thresholds must decrease.

    Returns
    -------
    tuple of float
        Fractions in (0, 1].
    """
    if isinstance(value, str):
        if value in SHARE_PRESETS:
            return SHARE_PRESETS[value]
        parts = [p for p in value.replace("/", ",").replace(";", ",").split(",") if p.strip()]
        try:
            numbers = [float(p.strip().rstrip("%")) / 100.0 for p in parts]
        except ValueError:
            msg = f"thresholds {value!r}: expected percents such as 75,90,95 or a preset name"
            raise InputError(msg, option="thresholds") from None
    else:
        numbers = [float(v) for v in value]
        if any(v > 1 for v in numbers):
            numbers = [v / 100.0 for v in numbers]
    return check_thresholds(numbers, kind=kind)


def check_thresholds(values: Any, *, kind: str = "share") -> tuple[float, ...]:
    """Validate thresholds (fractions): share ones increase, penetration ones decrease."""
    vals = tuple(float(v) for v in values)
    if not vals:
        msg = "give at least one threshold"
        raise InputError(msg, column="thresholds")
    if any(not (0 < v <= 1) or math.isnan(v) for v in vals):
        msg = f"thresholds {list(vals)} must lie in (0, 1] (or (0, 100] as percents)"
        raise InputError(msg, column="thresholds")
    steps = np.diff(vals)
    if kind == "share" and (steps <= 0).any():
        msg = f"share thresholds {list(vals)} must increase (e.g. 75, 90, 95 %)"
        raise InputError(msg, column="thresholds")
    if kind == "penetration" and (steps >= 0).any():
        msg = f"penetration thresholds {list(vals)} must decrease (e.g. 30, 10, 5 %)"
        raise InputError(msg, column="thresholds")
    return vals


def resolve_region(region: str | Region | None) -> Region | None:
    """Load a region by name; pass a loaded one or None through."""
    if region is None or not isinstance(region, str):
        return region

    return load_region(region)


# --------------------------------------------------------------------------------------------
# Inputs


def prepare_stores(stores: Any) -> pd.DataFrame:
    """Return stores as a frame: store_id, name, lat, lon.

    Parameters
    ----------
    stores : tuple, list of tuples or pandas.DataFrame
        ``(lat, lon)``, several of them, or a frame with lat, lon and optionally store_id, name.

    Returns
    -------
    pandas.DataFrame
        One row per store; ids ``S1``, ``S2``… when none are given.
    """
    if isinstance(stores, pd.DataFrame):
        frame = pd.DataFrame(stores).copy()
        for col in ("lat", "lon"):
            if col not in frame.columns:
                msg = f"the stores table needs a {col!r} column"
                raise InputError(msg, column=col)
    else:
        pairs = [stores] if np.ndim(stores) == 1 else list(stores)
        frame = pd.DataFrame([(float(a), float(b)) for a, b in pairs], columns=["lat", "lon"])
    if frame.empty:
        msg = "give at least one store"
        raise InputError(msg, column="store")
    for col in ("lat", "lon"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    bad = ~(frame["lat"].between(-90, 90) & frame["lon"].between(-180, 180))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        msg = "store coordinates are missing or out of range"
        raise InputError(msg, row=row, column="lat")
    if "store_id" not in frame.columns:
        frame["store_id"] = [f"S{i + 1}" for i in range(len(frame))]
    frame["store_id"] = frame["store_id"].astype(str)
    if frame["store_id"].duplicated().any():
        dup = frame["store_id"][frame["store_id"].duplicated()].iloc[0]
        msg = f"store_id {dup!r} appears twice"
        raise InputError(msg, column="store_id")
    if "name" not in frame.columns:
        frame["name"] = frame["store_id"]
    return frame[["store_id", "name", "lat", "lon"]].reset_index(drop=True)


def _numeric(frame: pd.DataFrame, col: str, *, file: str | None) -> pd.Series:
    raw = frame[col]
    values = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    bad = values.isna() & text.notna() & (text != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        msg = f"{raw.iloc[row - 1]!r} is not a number"
        raise InputError(msg, file=file, row=row, column=col)
    return values.astype(float)


def prepare_customers(
    customers: pd.DataFrame | None,
    stores: pd.DataFrame,
    *,
    weight: str = "annual_spend",
    crs: str,
    file: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Validate customers, compute their weight and assign each to a store.

    Returns the frame (respondent_id, lat, lon, x, y, placed, reason, weight, store_id,
    store_source, distance_m) and the first part of the account.
    """
    if customers is None:
        customers = pd.DataFrame({"lat": [], "lon": []})
    frame = pd.DataFrame(customers).reset_index(drop=True)
    for col in ("lat", "lon"):
        if col not in frame.columns:
            msg = f"customers need {col!r} and 'lon'/'lat' columns (geocode the survey first)"
            raise InputError(msg, file=file, column=col)
    out = pd.DataFrame(index=frame.index)
    if "respondent_id" in frame.columns:
        out["respondent_id"] = frame["respondent_id"].astype("string").fillna("")
    else:
        out["respondent_id"] = [f"row {i + 1}" for i in range(len(frame))]
    lat, lon = _numeric(frame, "lat", file=file), _numeric(frame, "lon", file=file)
    for col, values, bound in (("lat", lat, 90), ("lon", lon, 180)):
        off = values.notna() & (values.abs() > bound)
        if off.any():
            row = int(np.flatnonzero(off.to_numpy())[0]) + 1
            msg = f"{values.iloc[row - 1]} is outside [-{bound}, {bound}]"
            raise InputError(msg, file=file, row=row, column=col)
    out["lat"], out["lon"] = lat, lon
    reason = pd.Series("", index=frame.index, dtype=object)
    for col in ("status", "match_level"):
        if col in frame.columns:
            st = frame[col].astype("string").str.strip().str.lower().fillna("")
            hit = st.isin(UNPLACED_STATUS) & (reason == "")
            reason[hit] = "not geocoded (" + st[hit].astype(str) + ")"
    reason[(lat.isna() | lon.isna()) & (reason == "")] = "no coordinates"
    out["placed"] = reason == ""
    out["reason"] = reason
    out["weight"], basis, missing = _weights(frame, weight, file=file)
    x, y = _project(lon.fillna(0).to_numpy(), lat.fillna(0).to_numpy(), crs)
    out["x"], out["y"] = np.where(out["placed"], x, np.nan), np.where(out["placed"], y, np.nan)
    out["store_id"], out["store_source"] = _assign_stores(frame, out, stores, crs, file=file)
    placed = out["placed"].to_numpy()
    sx, sy = _project(stores["lon"].to_numpy(float), stores["lat"].to_numpy(float), crs)
    pos = pd.Index(stores["store_id"]).get_indexer(out["store_id"])
    dist = np.full(len(out), np.nan)
    ok = placed & (pos >= 0)
    dist[ok] = np.hypot(
        out["x"].to_numpy()[ok] - sx[pos[ok]], out["y"].to_numpy()[ok] - sy[pos[ok]]
    )
    out["distance_m"] = dist
    account = {
        "input_rows": len(out),
        "placed": int(placed.sum()),
        "not_placed": int((~placed).sum()),
        "not_placed_reasons": dict(Counter(reason[~out["placed"]])),
        "weight_basis": basis,
        "weight_missing": int((missing & out["placed"]).sum()),
        "assigned_nearest_store": int((out["store_source"] == "nearest").sum()),
    }
    return out, account


def _weights(frame: pd.DataFrame, weight: str, *, file: str | None) -> tuple[pd.Series, str, Any]:
    if weight == "customers":
        return (
            pd.Series(1.0, index=frame.index),
            "customers (each counts 1)",
            np.zeros(len(frame), bool),
        )
    if weight == "annual_spend":
        cols = ("visits_per_month", "spend_per_visit")
        if not all(c in frame.columns for c in cols):
            basis = "customers (no visits_per_month and spend_per_visit columns for annual spend)"
            return pd.Series(1.0, index=frame.index), basis, np.zeros(len(frame), bool)
        visits, spend = (_numeric(frame, c, file=file) for c in cols)
        _no_negatives(visits, cols[0], file=file)
        _no_negatives(spend, cols[1], file=file)
        values = visits * spend * 12.0
        basis = "annual spend = visits_per_month x spend_per_visit x 12"
    else:
        if weight not in frame.columns:
            msg = f"weight column {weight!r} is not in the customers table"
            raise InputError(msg, file=file, column=weight)
        values, basis = _numeric(frame, weight, file=file), f"column {weight}"
        _no_negatives(values, weight, file=file)
    missing = values.isna().to_numpy()
    return values.fillna(0.0), basis, missing


def _no_negatives(values: pd.Series, col: str, *, file: str | None) -> None:
    negative = values < 0
    if negative.any():
        row = int(np.flatnonzero(negative.to_numpy())[0]) + 1
        msg = f"must not be negative ({values.iloc[row - 1]})"
        raise InputError(msg, file=file, row=row, column=col)


def _project(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    return project_lonlat(lon, lat, crs)


def _assign_stores(
    frame: pd.DataFrame, out: pd.DataFrame, stores: pd.DataFrame, crs: str, *, file: str | None
) -> tuple[np.ndarray, np.ndarray]:
    n = len(out)
    ids = np.full(n, stores["store_id"].iloc[0], dtype=object)
    source = np.full(n, "only store", dtype=object)
    if len(stores) == 1:
        return ids, source
    named = pd.Series("", index=frame.index, dtype=object)
    if "store_id" in frame.columns:
        named = frame["store_id"].astype("string").str.strip().fillna("").astype(object)
        by_name = dict(zip(stores["name"].astype(str), stores["store_id"], strict=True))
        known = set(stores["store_id"])
        for i, value in enumerate(named):
            if value and value not in known:
                if value in by_name:
                    named.iloc[i] = by_name[value]
                else:
                    msg = f"store {value!r} is not one of the stores ({', '.join(sorted(known))})"
                    raise InputError(msg, file=file, row=i + 1, column="store_id")
    sx, sy = _project(stores["lon"].to_numpy(float), stores["lat"].to_numpy(float), crs)
    tree = cKDTree(np.column_stack([sx, sy]))
    placed = out["placed"].to_numpy()
    nearest = np.zeros(n, dtype=np.int64)
    if placed.any():
        _, nearest[placed] = tree.query(np.column_stack([out["x"][placed], out["y"][placed]]))
    has = (named != "").to_numpy()
    ids = np.where(has, named.to_numpy(), stores["store_id"].to_numpy()[nearest])
    source = np.where(has, "survey", np.where(placed, "nearest", "unassigned"))
    return ids, source


# --------------------------------------------------------------------------------------------
# Polygons and the tier table


def disc(x: float, y: float, radius: float) -> shapely.Geometry:
    """A circumscribed disc polygon: every point within ``radius`` is inside."""
    return shapely.buffer(shapely.Point(x, y), radius * DISC_CIRCUMSCRIBE + 1e-6, quad_segs=64)


def disjoint_rings(cumulative: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """Turn nested areas into disjoint rings (tier k excludes tiers < k)."""
    out = []
    inner = shapely.Polygon()
    for geom in cumulative:
        out.append(
            polygonal(shapely.difference(geom, inner), default=EMPTY_POLYGON)
            if not inner.is_empty
            else geom
        )
        inner = shapely.union(inner, geom) if not inner.is_empty else geom
    return out


def to_wgs84(geoms: list[shapely.Geometry], crs: str) -> list[shapely.Geometry]:
    """Project metric polygons to EPSG:4326, valid and polygonal."""
    series = gpd.GeoSeries(geoms, crs=crs).to_crs(WGS84)
    return [polygonal(g, default=EMPTY_POLYGON) for g in series.values]


def assign_tiers(
    prepared: pd.DataFrame, store_id: str, tiers_wgs84: list[shapely.Geometry]
) -> np.ndarray:
    """Return the tier (1-based, 0 = none) of each of the store's customers by point-in-polygon."""
    mine = (prepared["store_id"] == store_id).to_numpy() & prepared["placed"].to_numpy()
    tier = np.zeros(len(prepared), dtype=np.int64)
    lon, lat = prepared["lon"].to_numpy(float), prepared["lat"].to_numpy(float)
    left = mine.copy()
    for k, geom in enumerate(tiers_wgs84, start=1):
        if geom.is_empty or not left.any():
            continue
        shapely.prepare(geom)
        hit = np.zeros(len(prepared), dtype=bool)
        hit[left] = shapely.intersects_xy(geom, lon[left], lat[left])
        tier[hit] = k
        left &= ~hit
    return tier


def tier_table(
    prepared: pd.DataFrame,
    tier: np.ndarray,
    *,
    store_id: str,
    tiers_wgs84: list[shapely.Geometry],
    tiers_metric: list[shapely.Geometry],
    method: str,
    metric: str,
    thresholds: Any,
    cutoffs: Any,
    cutoff_unit: str,
    households: Any,
    boundary: shapely.Geometry | None,
) -> pd.DataFrame:
    """One store's tier rows with counts recounted from the point-in-polygon assignment."""
    mine = (prepared["store_id"] == store_id).to_numpy() & prepared["placed"].to_numpy()
    w = prepared["weight"].to_numpy(float)
    total = float(w[mine].sum())
    rows = []
    for k in range(1, len(tiers_wgs84) + 1):
        sel = mine & (tier == k)
        rows.append({"customers": int(sel.sum()), "weight": float(w[sel].sum())})
    table = pd.DataFrame(rows)
    table["weight_share"] = table["weight"] / total if total > 0 else 0.0
    table["cumulative_share"] = table["weight_share"].cumsum()
    area = shapely.area(tiers_metric)
    inside = (
        shapely.area(shapely.intersection(tiers_metric, boundary)) if boundary is not None else None
    )
    table.insert(0, "store_id", store_id)
    table.insert(1, "tier", np.arange(1, len(tiers_wgs84) + 1))
    table.insert(2, "tier_name", [tier_name(k) for k in table["tier"]])
    table.insert(3, "method", method)
    table.insert(4, "metric", metric)
    table.insert(5, "threshold", np.asarray(thresholds, float))
    table.insert(6, "cutoff", np.asarray(cutoffs, float))
    table.insert(7, "cutoff_unit", cutoff_unit)
    table["households"] = np.asarray(households, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["penetration"] = np.where(
            table["households"] > 0, table["customers"] / table["households"], np.nan
        )
        table["region_share"] = (
            np.where(area > 0, inside / area, np.nan) if inside is not None else np.nan
        )
    table["area_m2"] = area
    table["geometry"] = tiers_wgs84
    return table


def finish(
    prepared: pd.DataFrame,
    tier: np.ndarray,
    tables: list[pd.DataFrame],
    account: dict[str, Any],
    stores: pd.DataFrame,
    *,
    outlier_reason: np.ndarray,
    time_s: np.ndarray | None = None,
) -> TradeAreaResult:
    """Assemble the result: areas, per-customer assignment, outliers and the account."""
    areas = gpd.GeoDataFrame(pd.concat(tables, ignore_index=True), geometry="geometry", crs=WGS84)
    areas = areas[list(AREA_COLUMNS)]
    placed = prepared["placed"].to_numpy()
    names = np.where(
        ~placed, NOT_PLACED, np.where(tier > 0, [tier_name(max(t, 1)) for t in tier], OUTLIER)
    )
    reason = np.where(~placed, prepared["reason"], np.where(tier > 0, "", outlier_reason))
    cust = pd.DataFrame(
        {
            "respondent_id": prepared["respondent_id"],
            "store_id": np.where(placed, prepared["store_id"], None),
            "tier": pd.array(np.where(tier > 0, tier, 0), dtype="Int64"),
            "tier_name": names,
            "reason": reason,
            "distance_m": prepared["distance_m"],
            "time_s": np.nan if time_s is None else time_s,
            "weight": prepared["weight"],
            "lat": prepared["lat"],
            "lon": prepared["lon"],
        }
    )
    cust.loc[tier == 0, "tier"] = pd.NA
    points = gpd.points_from_xy(prepared["lon"], prepared["lat"])
    points = np.where(placed, points, None)
    customers = gpd.GeoDataFrame(cust, geometry=list(points), crs=WGS84)
    outliers = customers[customers["tier_name"] == OUTLIER].copy()
    account = dict(account)
    account["in_tiers"] = int((tier > 0).sum())
    account["outliers"] = len(outliers)
    account["outlier_reasons"] = dict(Counter(outliers["reason"]))
    account["per_store"] = {
        sid: {
            "customers": int(((prepared["store_id"] == sid) & prepared["placed"]).sum()),
            "in_tiers": int(((customers["store_id"] == sid) & (tier > 0)).sum()),
            "outliers": int((outliers["store_id"] == sid).sum()),
        }
        for sid in stores["store_id"]
    }
    return TradeAreaResult(
        areas=areas, customers=customers, account=account, outliers=outliers, stores=stores
    )
