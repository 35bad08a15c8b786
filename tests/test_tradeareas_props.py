"""Properties of trade-area tiers (hypothesis): one tier each, recounts, monotone thresholds."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from tradearea.tradeareas import trade_areas_by_penetration, trade_areas_by_share
from tradearea.tradeareas._base import DISC_CIRCUMSCRIBE

UTM = "EPSG:32635"
TO_LL = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
SX, SY = 385_000.0, 6_672_000.0
STORE_LON, STORE_LAT = TO_LL.transform(SX, SY)
STORE = (STORE_LAT, STORE_LON)
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def surveys(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 35))
    dist = draw(st.lists(st.floats(0, 3000), min_size=n, max_size=n))
    # few distinct distances make ties likely
    dist = np.round(np.asarray(dist), draw(st.sampled_from([-2, 0, 6])))
    bearing = np.asarray(draw(st.lists(st.floats(0, 6.283), min_size=n, max_size=n)))
    spend = draw(st.lists(st.one_of(st.just(0.0), st.floats(0.5, 500)), min_size=n, max_size=n))
    lon, lat = TO_LL.transform(SX + dist * np.sin(bearing), SY + dist * np.cos(bearing))
    return pd.DataFrame(
        {
            "respondent_id": [f"R{i}" for i in range(n)],
            "lat": lat,
            "lon": lon,
            "visits_per_month": 1.0,
            "spend_per_visit": spend,
            "true_distance": dist,
        }
    )


thresholds = (
    st.lists(st.integers(1, 100), min_size=1, max_size=3, unique=True)
    .map(sorted)
    .map(lambda v: [x / 100 for x in v])
)


def _check_consistent(r) -> None:
    c = r.customers
    placed = c[c["tier_name"] != "not placed"]
    # every placed customer is in exactly one tier or is an outlier
    in_tiers = placed["tier"].notna()
    assert (placed.loc[~in_tiers, "tier_name"] == "outlier").all()
    assert r.areas["customers"].sum() == in_tiers.sum()
    assert r.account["in_tiers"] + r.account["outliers"] + r.account["not_placed"] == len(c)
    hits = np.zeros(len(placed), dtype=int)
    for row in r.areas.itertuples():
        assert shapely.is_valid(row.geometry)
        assert row.geometry.geom_type in ("Polygon", "MultiPolygon")
        inside = shapely.intersects_xy(row.geometry, placed["lon"], placed["lat"])
        hits += inside
        assert inside.sum() == row.customers  # the recount matches the table
        assert (placed.loc[inside, "tier"] == row.tier).all()
    assert (hits == in_tiers.astype(int)).all()  # disjoint: never counted twice


def _tier_sets(r) -> dict[int, set[str]]:
    c = r.customers
    return {k: set(c.loc[c["tier"] == k, "respondent_id"]) for k in r.areas["tier"]}


@SETTINGS
@given(surveys(), thresholds)
def test_share_tiers_are_consistent(survey: pd.DataFrame, thr: list[float]) -> None:
    r = trade_areas_by_share(survey, STORE, thresholds=thr)
    _check_consistent(r)
    a = r.areas
    cum = a["cumulative_share"].to_numpy()
    assert (np.diff(cum) >= -1e-12).all()
    if survey["spend_per_visit"].sum() > 0:
        assert (cum >= np.asarray(thr) - 1e-9).all()
    # each tier holds the customers between its cut-off and the previous one
    d = r.customers["distance_m"].to_numpy()
    tier = r.customers["tier"].fillna(0).to_numpy(int)
    cut = a["cutoff"].to_numpy()
    assert np.allclose(d, survey["true_distance"], atol=1e-3)
    for k in range(1, len(cut) + 1):
        sel = tier == k
        assert (d[sel] <= cut[k - 1] * DISC_CIRCUMSCRIBE + 1e-5).all()
        if k > 1:
            assert (d[sel] > cut[k - 2] * (2 - DISC_CIRCUMSCRIBE) - 1e-5).all()
    assert (d[tier == 0] > cut[-1] * (2 - DISC_CIRCUMSCRIBE) - 1e-5).all()


@SETTINGS
@given(surveys(), thresholds, st.data())
def test_raising_a_threshold_never_shrinks_a_tier(
    survey: pd.DataFrame, thr: list[float], data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, len(thr) - 1))
    upper = thr[k + 1] if k + 1 < len(thr) else 1.0
    if upper - thr[k] < 1e-6:
        return
    raised = list(thr)
    raised[k] = data.draw(st.floats(thr[k], upper, exclude_min=True, exclude_max=k + 1 < len(thr)))
    before = trade_areas_by_share(survey, STORE, thresholds=thr)
    after = trade_areas_by_share(survey, STORE, thresholds=raised)
    old, new = _tier_sets(before), _tier_sets(after)
    assert old[k + 1] <= new[k + 1]  # the raised tier keeps all its customers
    cum_old, cum_new = set(), set()
    for t in sorted(old):
        cum_old |= old[t]
        cum_new |= new[t]
        assert cum_old <= cum_new  # and no cumulative area loses any
    a0, a1 = before.areas, after.areas
    assert a1["area_m2"].iloc[: k + 1].sum() >= a0["area_m2"].iloc[: k + 1].sum() * (1 - 1e-9)
    # cumulative shares are monotone in the thresholds
    assert (a1["cumulative_share"].to_numpy() >= a0["cumulative_share"].to_numpy() - 1e-12).all()


@st.composite
def zoned_surveys(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    size = 400.0
    households = draw(st.lists(st.integers(0, 60), min_size=9, max_size=9))
    boxes = [
        shapely.box(SX + i * size, SY + j * size, SX + (i + 1) * size, SY + (j + 1) * size)
        for i in range(3)
        for j in range(3)
    ]
    zones = gpd.GeoDataFrame({"households": households}, geometry=boxes, crs=UTM)
    n = draw(st.integers(1, 60))
    x = np.asarray(draw(st.lists(st.floats(-100, 3 * size + 100), min_size=n, max_size=n)))
    y = np.asarray(draw(st.lists(st.floats(-100, 3 * size + 100), min_size=n, max_size=n)))
    lon, lat = TO_LL.transform(SX + x, SY + y)
    frame = pd.DataFrame({"respondent_id": [f"P{i}" for i in range(n)], "lat": lat, "lon": lon})
    return zones.to_crs("EPSG:4326"), frame


@SETTINGS
@given(zoned_surveys(), st.sampled_from([[0.3, 0.1, 0.05], [0.5, 0.2], [0.02]]))
def test_penetration_tiers_are_consistent(
    zoned: tuple[gpd.GeoDataFrame, pd.DataFrame], thr: list[float]
) -> None:
    zones, survey = zoned
    r = trade_areas_by_penetration(survey, STORE, zones=zones, thresholds=thr)
    _check_consistent(r)
    z = r.zones
    pen = z["penetration"].to_numpy(float)
    tier = z["tier"].fillna(0).to_numpy(int)
    bounds = [np.inf, *thr]
    for k in range(1, len(thr) + 1):
        sel = tier == k
        assert (pen[sel] >= thr[k - 1] - 1e-12).all() and (pen[sel] < bounds[k - 1]).all()
    assert (np.nan_to_num(pen[tier == 0], nan=0.0) < thr[-1]).all()
    assert r.areas["households"].sum() == z.loc[tier > 0, "households"].sum()
