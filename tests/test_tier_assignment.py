"""Tier assignment of customers (crm.link.assign_tiers) against a point-by-point recount."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tradearea.crm import link
from tradearea.distance import great_circle_m


def _areas(
    centres: list[tuple[float, float]], radii: tuple[float, float, float]
) -> gpd.GeoDataFrame:
    rows = []
    for i, (x, y) in enumerate(centres):
        inner = None
        for t, r in enumerate(radii, start=1):
            disc = shapely.Point(x, y).buffer(r, quad_segs=4)
            rows.append({"store_id": f"S{i}", "tier": t,
                         "geometry": disc if inner is None else disc.difference(inner)})  # fmt: skip
            inner = disc
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def _recount(customers: pd.DataFrame, areas: gpd.GeoDataFrame) -> tuple[list, int]:
    where = link._store_points(areas, None)
    out, overlaps = [], 0
    for lat, lon in zip(customers["lat"], customers["lon"], strict=True):
        p = shapely.Point(lon, lat)
        hits = [(int(t), float(great_circle_m(lat, lon, where.at[s, "lat"], where.at[s, "lon"])), s)
                for s, t, g in zip(areas["store_id"], areas["tier"], areas.geometry, strict=True)
                if g.intersects(p)]  # fmt: skip
        overlaps += len({h[2] for h in hits}) > 1
        out.append((min(hits)[0], min(hits)[2]) if hits else (0, None))
    return out, overlaps


@settings(max_examples=25, deadline=None)
@given(
    centres=st.lists(
        st.tuples(st.floats(24.90, 24.96), st.floats(60.15, 60.19)), min_size=1, max_size=4
    ),
    seed=st.integers(0, 10_000),
)
def test_every_customer_gets_the_lowest_tier_then_the_nearest_store(
    centres: list[tuple[float, float]], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame(
        {"lat": rng.uniform(60.14, 60.20, 60), "lon": rng.uniform(24.88, 24.98, 60)}
    )
    customers.loc[::7, "lat"] = np.nan  # some without a location
    areas = _areas(centres, (0.004, 0.008, 0.012))
    out, overlaps = link.assign_tiers(customers, areas)
    located = customers["lat"].notna().to_numpy()
    expected, expected_overlaps = _recount(customers[located], areas)
    got = list(zip(out.loc[located, "tier"].astype(int), out.loc[located, "store_id"], strict=True))
    assert [(t, s if isinstance(s, str) else None) for t, s in got] == expected
    assert overlaps == expected_overlaps
    assert out.loc[~located, "tier"].isna().all()
