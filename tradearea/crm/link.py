"""Tie CRM customers to trade-area tiers: tier assignment, segment x tier tables, win-back, hex map."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from tradearea._core.crs import WGS84, frame_utm_crs
from tradearea._core.dispatch import dask_aware
from tradearea.crm.value import SEGMENTS
from tradearea.distance import great_circle_m
from tradearea.errors import InputError

# tier labels live in tradearea.tiers; crm.TIER_ORDER names the order of CRM tables
from tradearea.tiers import NO_LOCATION_NAME, OUTSIDE, TIER_LABELS, TIER_ORDER

VALUABLE = ("champions", "loyal")


def _check_areas(areas: gpd.GeoDataFrame, *, file: str | None = None) -> gpd.GeoDataFrame:
    missing = [c for c in ("store_id", "tier", "geometry") if c not in areas]
    if missing:
        msg = f"trade areas need columns store_id, tier, geometry; missing {', '.join(missing)}"
        raise InputError(msg, file=file, column=missing[0])
    out = areas.copy()
    if out.crs is None:
        out = out.set_crs(WGS84)
    elif not out.crs.equals(WGS84):
        out = out.to_crs(WGS84)
    tier = pd.to_numeric(out["tier"], errors="coerce")
    bad = tier.isna() | ~tier.isin([1, 2, 3])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        msg = f"tier must be 1 (primary), 2 (secondary) or 3 (tertiary), got {out['tier'].iloc[row - 1]!r}"
        raise InputError(msg, file=file, row=row, column="tier")
    out["tier"] = tier.astype("int64")
    out = out[out.geometry.notna() & ~out.geometry.is_empty]
    out["store_id"] = out["store_id"].astype(str)
    return out


def _store_points(areas: gpd.GeoDataFrame, stores: pd.DataFrame | None) -> pd.DataFrame:
    if stores is not None and {"store_id", "lat", "lon"} <= set(stores.columns):
        return stores.assign(store_id=stores["store_id"].astype(str)).set_index("store_id")[
            ["lat", "lon"]
        ]
    inner = areas.sort_values("tier").drop_duplicates("store_id")[["store_id", "geometry"]]
    inner = gpd.GeoDataFrame(inner, geometry="geometry", crs=WGS84)
    metric = inner.to_crs(frame_utm_crs(inner))
    cent = metric.geometry.centroid.to_crs(WGS84)
    return pd.DataFrame(
        {"lat": cent.y.to_numpy(), "lon": cent.x.to_numpy()}, index=inner["store_id"].to_numpy()
    )


@dask_aware("assign_tiers")
def assign_tiers(
    customers: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    stores: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, int]:
    """Give each customer the store and tier whose polygon holds its home (point in polygon).

    Vectorised with a shapely STRtree. A point on a boundary counts as inside. A point inside
    areas of two stores goes to the lower tier, then to the nearer store (``stores`` lat/lon, else
    the centroid of the store's innermost tier), then to the smaller store id; such customers are
    counted as overlaps. Customers outside every polygon get ``tier`` 0 and ``tier_label``
    "outside"; customers without coordinates get ``tier`` <NA> and "no location".

    Parameters
    ----------
    customers : pandas.DataFrame
        ``lat`` and ``lon`` per customer (WGS84; may be missing).
    areas : geopandas.GeoDataFrame
        Trade areas: ``store_id, tier (1, 2, 3), geometry`` (DESIGN.md contract).
    stores : pandas.DataFrame, optional
        ``store_id, lat, lon`` to measure the nearer store.

    Returns
    -------
    tuple
        The customers with ``store_id, tier (Int64), tier_label, store_distance_m`` added, and
        the number of customers inside areas of more than one store.
    """
    areas = _check_areas(areas)
    out = customers.copy()
    n = len(out)
    lat = pd.to_numeric(
        out.get("lat", pd.Series(np.nan, index=out.index)), errors="coerce"
    ).to_numpy(dtype=float)
    lon = pd.to_numeric(
        out.get("lon", pd.Series(np.nan, index=out.index)), errors="coerce"
    ).to_numpy(dtype=float)
    located = ~(np.isnan(lat) | np.isnan(lon))
    store_id = np.full(n, None, dtype=object)
    tier = np.where(located, OUTSIDE, -1)
    dist = np.full(n, np.nan)
    overlaps = 0
    if located.any() and len(areas):
        pos = np.flatnonzero(located)
        points = shapely.points(lon[pos], lat[pos])
        # a tree of the points, queried with the few polygons: many times faster than querying a
        # tree of the polygons with every point (benchmarks/bench_crm.py)
        tree = shapely.STRtree(points)
        hit_poly, hit_pt = tree.query(areas.geometry.to_numpy(), predicate="intersects")
        if len(hit_pt):
            where = _store_points(areas, stores)
            store_ids = areas["store_id"].to_numpy()
            codes, uniques = pd.factorize(store_ids, sort=True)  # integer store codes, id order
            sid_code = codes[hit_poly]
            slat = where["lat"].reindex(uniques).to_numpy(dtype=float)[sid_code]
            slon = where["lon"].reindex(uniques).to_numpy(dtype=float)[sid_code]
            cust = pos[hit_pt]
            tiers = areas["tier"].to_numpy(dtype=np.int64)[hit_poly]
            d = great_circle_m(lat[cust], lon[cust], slat, slon)
            # best hit per customer: lowest tier, then nearest store, then smallest store id
            order = np.lexsort((sid_code, d, tiers, cust))
            cust_sorted = cust[order]
            first = np.ones(len(order), dtype=bool)
            first[1:] = cust_sorted[1:] != cust_sorted[:-1]
            pick = order[first]
            # a customer in areas of more than one store is an overlap: its hits (one run of the
            # customer-sorted order) span more than one store code
            starts = np.flatnonzero(first)
            codes_sorted = sid_code[order]
            spread = np.maximum.reduceat(codes_sorted, starts) - np.minimum.reduceat(
                codes_sorted, starts
            )
            overlaps = int((spread > 0).sum())
            c = cust[pick]
            store_id[c] = uniques[sid_code[pick]]
            tier[c] = tiers[pick]
            dist[c] = d[pick]
    out["store_id"] = store_id
    out["tier"] = pd.array(np.where(tier < 0, 0, tier), dtype="Int64")
    out.loc[tier < 0, "tier"] = pd.NA
    label = pd.Series(tier).map(TIER_LABELS).fillna(NO_LOCATION_NAME).to_numpy()
    out["tier_label"] = pd.Categorical(label, categories=TIER_ORDER)
    out["store_distance_m"] = dist
    return out, overlaps


@dask_aware("segment_tier_table")
def segment_tier_table(customers: pd.DataFrame, *, by_store: bool = False) -> pd.DataFrame:
    """Cross-tabulate segments by tier: customers, revenue, CLV and shares.

    Parameters
    ----------
    customers : pandas.DataFrame
        With ``segment``, ``tier_label``, ``revenue``, ``clv`` (and ``store_id`` for
        ``by_store``).
    by_store : bool
        One block per store (customers outside every area are left out).

    Returns
    -------
    pandas.DataFrame
        Every tier x segment (zeros included): ``tier_label, segment, customers, revenue, clv,
        share_of_tier`` (segment's share of the tier's customers), ``share_of_customers`` and
        ``share_of_revenue`` (of all customers' revenue).
    """
    work = pd.DataFrame(
        {
            "tier_label": pd.Categorical(customers["tier_label"], categories=TIER_ORDER),
            "segment": pd.Categorical(customers["segment"], categories=SEGMENTS),
            "revenue": customers["revenue"].astype(float).to_numpy(),
            "clv": customers["clv"].astype(float).to_numpy(),
            "one": 1,
        }
    )
    keys = ["tier_label", "segment"]
    if by_store:
        work["store_id"] = customers["store_id"].to_numpy()
        work = work[work["store_id"].notna()]
        keys = ["store_id", *keys]
    table = (
        work.groupby(keys, observed=False, sort=True)
        .agg(customers=("one", "sum"), revenue=("revenue", "sum"), clv=("clv", "sum"))
        .reset_index()
    )
    total_customers = max(len(customers), 1)
    total_revenue = float(customers["revenue"].sum())
    tier_keys = keys[:-1]
    per_tier = table.groupby(tier_keys, observed=False)["customers"].transform("sum")
    table["share_of_tier"] = table["customers"] / per_tier.where(per_tier > 0)
    table["share_of_customers"] = table["customers"] / total_customers
    table["share_of_revenue"] = table["revenue"] / total_revenue if total_revenue else np.nan
    table["customers"] = table["customers"].astype("int64")
    return table


def segment_tier_pivot(table: pd.DataFrame, *, value: str = "customers") -> pd.DataFrame:
    """Return a segment (rows) x tier (columns) view of :func:`segment_tier_table`.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`segment_tier_table` (without ``by_store``).
    value : str
        Column to show: customers, revenue, clv or a share.

    Returns
    -------
    pandas.DataFrame
        Segments in RFM order, tiers from primary outward, with a ``total`` column.
    """
    wide = table.pivot_table(
        index="segment", columns="tier_label", values=value, aggfunc="sum", observed=False
    )
    wide = wide.reindex(index=list(SEGMENTS), columns=[t for t in TIER_ORDER if t in wide.columns])
    if not value.startswith("share"):
        wide["total"] = wide.sum(axis=1)
    wide.columns = [str(c) for c in wide.columns]
    return wide


@dask_aware("valuable_penetration")
def valuable_penetration(
    customers: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    segments: Iterable[str] = VALUABLE,
) -> pd.DataFrame:
    """Measure how many valuable customers each zone holds, per household and per km².

    Parameters
    ----------
    customers : pandas.DataFrame
        With ``store_id``, ``tier`` and ``segment``.
    areas : geopandas.GeoDataFrame
        Trade areas (``households`` used when present).
    segments : iterable of str
        Segments counted as valuable (default champions and loyal).

    Returns
    -------
    pandas.DataFrame
        Per ``store_id, tier``: ``customers, valuable, valuable_share, households,
        valuable_per_1000_households, area_km2, valuable_per_km2``.
    """
    areas = _check_areas(areas)
    wanted = set(segments)
    inside = customers[customers["tier"].fillna(0).astype(int) > 0]
    work = pd.DataFrame(
        {
            "store_id": inside["store_id"].astype(str).to_numpy(),
            "tier": inside["tier"].astype(int).to_numpy(),
            "one": 1,
            "valuable": inside["segment"].astype(str).isin(wanted).to_numpy().astype(int),
        }
    )
    counts = work.groupby(["store_id", "tier"]).agg(
        customers=("one", "sum"), valuable=("valuable", "sum")
    )
    zones = areas.dissolve(
        by=["store_id", "tier"], aggfunc={"households": "sum"} if "households" in areas else "first"
    )
    metric = zones.to_crs(frame_utm_crs(zones))
    out = pd.DataFrame(index=zones.index)
    out["households"] = zones["households"].astype(float) if "households" in zones else np.nan
    out["area_km2"] = metric.geometry.area.to_numpy() / 1e6
    out = out.join(counts).fillna({"customers": 0, "valuable": 0})
    out["customers"] = out["customers"].astype("int64")
    out["valuable"] = out["valuable"].astype("int64")
    out["valuable_share"] = out["valuable"] / out["customers"].where(out["customers"] > 0)
    out["valuable_per_1000_households"] = (
        1000 * out["valuable"] / out["households"].where(out["households"] > 0)
    )
    out["valuable_per_km2"] = out["valuable"] / out["area_km2"].where(out["area_km2"] > 0)
    cols = [
        "customers",
        "valuable",
        "valuable_share",
        "households",
        "valuable_per_1000_households",
        "area_km2",
        "valuable_per_km2",
    ]
    return out.reset_index()[["store_id", "tier", *cols]]


@dask_aware("winback_list")
def winback_list(
    customers: pd.DataFrame,
    *,
    tiers: Iterable[int] = (1,),
    segments: Iterable[str] = ("at risk",),
) -> pd.DataFrame:
    """Return the customers to win back: at-risk segments inside the given tiers, highest CLV first.

    Parameters
    ----------
    customers : pandas.DataFrame
        With ``tier``, ``segment``, ``clv`` and the RFM columns.
    tiers : iterable of int
        Tiers to include (default the primary area).
    segments : iterable of str
        Segments to include (default ``at risk``).

    Returns
    -------
    pandas.DataFrame
        ``customer_id, store_id, tier, segment, lifecycle, recency_days, orders, revenue, clv``
        (ids and numbers only).
    """
    keep = customers["tier"].isin(list(tiers)).fillna(False).to_numpy(dtype=bool)
    keep &= customers["segment"].astype(str).isin(set(segments)).to_numpy()
    cols = [
        c
        for c in (
            "customer_id",
            "store_id",
            "tier",
            "segment",
            "lifecycle",
            "recency_days",
            "orders",
            "revenue",
            "clv",
        )
        if c in customers
    ]
    return customers.loc[keep, cols].sort_values("clv", ascending=False).reset_index(drop=True)


def crm_hex_layer(customers: pd.DataFrame, *, resolution: int = 9, k: int = 5) -> gpd.GeoDataFrame:
    """Count customers per H3 cell and segment, suppressing cells with fewer than ``k`` customers.

    Small cells are dropped entirely (not blanked), so the map never shows a location where
    fewer than ``k`` customers live. ``attrs`` holds ``suppressed_cells`` and
    ``suppressed_customers``.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``lat``, ``lon`` and ``segment`` per customer.
    resolution : int
        H3 resolution (9: cells of about 0.1 km²).
    k : int
        Minimum customers for a cell to be shown.

    Returns
    -------
    geopandas.GeoDataFrame
        ``h3_cell, customers, <one count column per segment>, top_segment, geometry`` (EPSG:4326).
    """
    lat = pd.to_numeric(customers["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(customers["lon"], errors="coerce").to_numpy(dtype=float)
    ok = ~(np.isnan(lat) | np.isnan(lon))
    cells = np.array(
        [h3.latlng_to_cell(a, b, resolution) for a, b in zip(lat[ok], lon[ok], strict=True)],
        dtype=object,
    )
    work = pd.DataFrame(
        {
            "h3_cell": cells,
            "segment": pd.Categorical(
                customers.loc[ok, "segment"].astype(str), categories=SEGMENTS
            ),
        }
    )
    counts = pd.crosstab(work["h3_cell"], work["segment"], dropna=False).reindex(
        columns=list(SEGMENTS), fill_value=0
    )
    counts.columns = [str(c) for c in counts.columns]
    counts.insert(0, "customers", counts.sum(axis=1))
    small = counts["customers"] < k
    kept = counts[~small].reset_index().rename(columns={"index": "h3_cell"})
    kept["top_segment"] = (
        kept[list(SEGMENTS)].idxmax(axis=1) if len(kept) else pd.Series(dtype=object)
    )
    geoms = [shapely.Polygon([(b, a) for a, b in h3.cell_to_boundary(c)]) for c in kept["h3_cell"]]
    layer = gpd.GeoDataFrame(kept, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
    layer.attrs["suppressed_cells"] = int(small.sum())
    layer.attrs["suppressed_customers"] = int(counts.loc[small, "customers"].sum())
    return layer
