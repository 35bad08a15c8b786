"""Trade areas: hand-made cases with known answers, the account, penetration, several stores."""

from __future__ import annotations

import math

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from tradearea.errors import InputError
from tradearea.privacy import DEFAULT_K
from tradearea.tradeareas import (
    RING_PRESETS,
    SHARE_PRESETS,
    households_in,
    parse_thresholds,
    ring_presets,
    share_cutoffs,
    trade_areas,
    trade_areas_by_penetration,
    trade_areas_by_rings,
    trade_areas_by_share,
    trade_areas_by_time,
    unreachable_thresholds,
)
from tradearea.tradeareas.overlap import FOOTPRINT_H3_RESOLUTION

UTM = "EPSG:32635"
TO_LL = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
TO_XY = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
STORE = (60.1699, 24.9420)
SX, SY = TO_XY.transform(STORE[1], STORE[0])


def at_distances(distances, *, weights=None, store=(SX, SY), prefix="R", seed=0) -> pd.DataFrame:
    """Customers at exact straight-line distances (m) from a store, spread over bearings."""
    d = np.asarray(distances, float)
    rng = np.random.default_rng(seed)
    bearing = rng.uniform(0, 2 * np.pi, len(d))
    lon, lat = TO_LL.transform(store[0] + d * np.sin(bearing), store[1] + d * np.cos(bearing))
    frame = pd.DataFrame(
        {"respondent_id": [f"{prefix}{i + 1:03d}" for i in range(len(d))], "lat": lat, "lon": lon}
    )
    if weights is not None:
        frame["visits_per_month"] = 1.0
        frame["spend_per_visit"] = np.asarray(weights, float) / 12.0
    return frame


def recount(result) -> None:
    """Assert every area's counts equal a point-in-polygon recount of its store's customers."""
    cust = result.customers
    placed = cust[cust["tier_name"] != "not placed"]
    for row in result.areas.itertuples():
        mine = placed[placed["store_id"] == row.store_id]
        inside = shapely.intersects_xy(row.geometry, mine["lon"], mine["lat"])
        assert inside.sum() == row.customers, (row.store_id, row.tier)
        assert mine["weight"][inside].sum() == pytest.approx(row.weight)
        assert (mine["tier"][inside] == row.tier).all()


def test_customers_on_known_rings_share_by_customers() -> None:
    cust = at_distances([200] * 75 + [800] * 15 + [1500] * 5 + [3000] * 5)
    r = trade_areas_by_share(cust, STORE, weight="customers")
    a = r.areas
    assert a["tier_name"].tolist() == ["primary", "secondary", "tertiary"]
    assert a["customers"].tolist() == [75, 15, 5]
    assert a["cutoff"].to_numpy() == pytest.approx([200, 800, 1500], abs=1e-6)
    assert a["cumulative_share"].to_numpy() == pytest.approx([0.75, 0.90, 0.95])
    assert a["threshold"].tolist() == [0.75, 0.90, 0.95]
    assert (a["cutoff_unit"] == "m").all() and (a["method"] == "share").all()
    # discs: primary is pi r^2, secondary the annulus between 200 and 800 m
    assert a["area_m2"].iloc[0] == pytest.approx(math.pi * 200**2, rel=1e-3)
    assert a["area_m2"].iloc[1] == pytest.approx(math.pi * (800**2 - 200**2), rel=1e-3)
    assert r.account["outliers"] == 5 and len(r.outliers) == 5
    assert set(r.outliers["reason"]) == {"beyond the last threshold (95%, cut-off 1,500 m)"}
    assert r.outliers["distance_m"].to_numpy() == pytest.approx(3000)
    assert r.account["input_rows"] == r.account["in_tiers"] + r.account["outliers"] == 100
    recount(r)


def test_annual_spend_weights_move_the_cuts() -> None:
    # 4 heavy spenders near the store carry 80 % of sales: they alone make the primary area
    spend = [2000.0] * 4 + [100.0] * 20
    cust = at_distances([100, 150, 200, 250, *list(np.linspace(400, 2000, 20))], weights=spend)
    r = trade_areas_by_share(cust, STORE)
    a = r.areas
    assert a["customers"].iloc[0] == 4
    assert a["weight"].iloc[0] == pytest.approx(8000.0)
    assert a["weight_share"].iloc[0] == pytest.approx(0.8)
    assert a["cutoff"].iloc[0] == pytest.approx(250, abs=1e-6)
    assert "annual spend" in r.account["weight_basis"]
    # visits x spend x 12 by default; a named column gives the same here
    cust["sales"] = spend
    same = trade_areas_by_share(cust, STORE, weight="sales")
    assert same.areas["customers"].tolist() == a["customers"].tolist()
    recount(r)


def test_presets_and_percent_thresholds() -> None:
    assert parse_thresholds("Applebaum 65/85/95") == (0.65, 0.85, 0.95)
    assert parse_thresholds("75,90,95") == (0.75, 0.90, 0.95)
    assert parse_thresholds([30, 50, 70]) == (0.30, 0.50, 0.70)
    assert parse_thresholds("30,10,5", kind="penetration") == (0.30, 0.10, 0.05)
    assert set(SHARE_PRESETS) == {"75/90/95", "Applebaum 65/85/95", "30/50/70"}
    for bad in ("90,75", "0,50", "abc", "75,90,120"):
        with pytest.raises(InputError):
            parse_thresholds(bad)
    cust = at_distances(np.arange(1, 101) * 10.0)
    r = trade_areas_by_share(cust, STORE, thresholds="Applebaum 65/85/95", weight="customers")
    assert r.areas["customers"].tolist() == [65, 20, 10]
    assert r.areas["cutoff"].to_numpy() == pytest.approx([650, 850, 950], abs=1e-6)


def test_ties_at_the_cut_fall_inside() -> None:
    cust = at_distances([100, 300, 300, 300, 900])
    r = trade_areas_by_share(cust, STORE, thresholds=[0.5], weight="customers")
    assert r.areas["customers"].tolist() == [4]
    assert r.areas["cumulative_share"].iloc[0] == pytest.approx(0.8)


def test_share_cutoffs_skip_unreachable_customers() -> None:
    values = np.array([10.0, 20.0, np.inf, 30.0])
    assert share_cutoffs(values, np.ones(4), [0.5, 0.75, 0.95]).tolist() == [20.0, 30.0, 30.0]
    assert np.isnan(share_cutoffs(np.array([np.inf]), np.ones(1), [0.5])).all()
    # all weights zero: count customers instead
    assert share_cutoffs(np.array([1.0, 2.0]), np.zeros(2), [0.5]).tolist() == [1.0]


def test_every_row_is_accounted_for() -> None:
    cust = at_distances([100, 200, 300, 400, 5000])
    extra = pd.DataFrame(
        {
            "respondent_id": ["X1", "X2", "X3"],
            "lat": [np.nan, 60.17, ""],
            "lon": [np.nan, 24.94, ""],
            "status": ["unmatched", "rejected", "accepted"],
        }
    )
    frame = pd.concat([cust, extra], ignore_index=True)
    r = trade_areas_by_share(frame, STORE, thresholds=[0.8], weight="customers")
    acc = r.account
    assert acc["input_rows"] == 8
    assert acc["not_placed"] == 3 and acc["placed"] == 5
    assert acc["not_placed_reasons"] == {
        "not geocoded (unmatched)": 1,
        "not geocoded (rejected)": 1,
        "no coordinates": 1,
    }
    assert acc["in_tiers"] + acc["outliers"] + acc["not_placed"] == acc["input_rows"]
    c = r.customers.set_index("respondent_id")
    assert c.loc["X2", "tier_name"] == "not placed" and pd.isna(c.loc["X2", "tier"])
    assert c.loc["R005", "tier_name"] == "outlier"
    assert len(r.customers) == 8


def test_missing_weights_are_counted_not_dropped() -> None:
    cust = at_distances([100, 200, 300], weights=[1200, 1200, 1200])
    cust.loc[1, "spend_per_visit"] = np.nan
    r = trade_areas_by_share(cust, STORE, thresholds=[1.0])
    assert r.account["weight_missing"] == 1
    assert r.areas["customers"].iloc[0] == 3  # still in the area, with weight 0
    assert r.areas["weight"].iloc[0] == pytest.approx(2400)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("lat", "north", "not a number"),
        ("lat", 95.0, "outside"),
        ("spend_per_visit", -5.0, "negative"),
        ("visits_per_month", "often", "not a number"),
    ],
)
def test_bad_cells_name_row_and_column(column: str, value: object, message: str) -> None:
    cust = at_distances([100, 200, 300], weights=[12, 12, 12]).astype(object)
    cust.loc[1, column] = value
    with pytest.raises(InputError, match=message) as info:
        trade_areas_by_share(cust, STORE, file="survey.csv")
    assert info.value.row == 2 and info.value.column == column
    assert info.value.file == "survey.csv"


def test_missing_columns_and_weight_column() -> None:
    with pytest.raises(InputError, match="lat") as info:
        trade_areas_by_share(pd.DataFrame({"address": ["x"]}), STORE)
    assert info.value.column == "lat"
    with pytest.raises(InputError, match="weight column 'sales'"):
        trade_areas_by_share(at_distances([1, 2]), STORE, weight="sales")
    no_spend = trade_areas_by_share(at_distances([100, 200]), STORE)
    assert no_spend.account["weight_basis"].startswith("customers")
    with pytest.raises(InputError, match="drive"):
        trade_areas_by_share(at_distances([1, 2]), STORE, metric="drive")
    with pytest.raises(InputError, match="method"):
        trade_areas(at_distances([1, 2]), STORE, method="magic")


# --------------------------------------------------------------------------------------------
# Rings and time areas


def test_rings_count_known_customers() -> None:
    cust = at_distances([500, 2000, 4000, 6000])
    r = trade_areas_by_rings(cust, STORE, weight="customers")
    a = r.areas
    assert a["cutoff"].tolist() == [1000, 3000, 5000]
    assert a["customers"].tolist() == [1, 1, 1]
    assert a["threshold"].isna().all() and (a["method"] == "rings").all()
    assert a["area_m2"].to_numpy() == pytest.approx(
        [math.pi * 1e6, math.pi * 8e6, math.pi * 16e6], rel=1e-3
    )
    assert r.outliers["reason"].tolist() == ["beyond the outer ring (5,000 m)"]
    recount(r)


def test_ring_presets_cover_the_ten_formats() -> None:
    presets = ring_presets()
    assert len(presets) == 10
    # one key set: the format keys of tradearea.formats
    assert {"convenience", "hypermarket", "warehouse_club", "specialty_market"} <= set(presets)
    assert all(a < b < c for a, b, c in presets.values())
    r = trade_areas_by_rings(None, STORE, retail_format="convenience store")
    assert r.areas["cutoff"].tolist() == list(RING_PRESETS["convenience store"])
    assert r.areas["cutoff"].tolist() == list(RING_PRESETS["convenience"]) == [300, 500, 1000]
    assert r.areas["customers"].sum() == 0 and r.account["input_rows"] == 0
    with pytest.raises(InputError, match="unknown format"):
        trade_areas_by_rings(None, STORE, retail_format="kiosk")
    with pytest.raises(InputError, match="increasing"):
        trade_areas_by_rings(None, STORE, radii_m=[3000, 1000])


def test_walk_time_areas_on_the_demo_network(demo_region: object) -> None:
    truth = pd.read_csv("surveys/demo_survey_truth.csv")
    r = trade_areas_by_time(truth, STORE, kind="walk", minutes=[3, 6, 9], region=demo_region)
    a = r.areas
    assert a["cutoff"].tolist() == [180, 360, 540] and (a["cutoff_unit"] == "s").all()
    assert (a["households"] > 0).all() and a.is_valid.all()
    assert r.account["weight_basis"].startswith("customers")
    recount(r)
    c = r.customers
    for k, cut in ((1, 180), (2, 360), (3, 540)):
        times = c.loc[c["tier"] == k, "time_s"]
        assert (times <= cut * 1.01).all() and len(times) > 0
    assert (c.loc[c["tier_name"] == "outlier", "time_s"] > 540).all()
    # a drive area reaches further in the same time than a walk area
    d = trade_areas_by_time(truth, STORE, kind="drive", minutes=[1], region=demo_region)
    w = trade_areas_by_time(truth, STORE, kind="walk", minutes=[1], region=demo_region)
    assert d.areas["area_m2"].iloc[0] > 3 * w.areas["area_m2"].iloc[0]


def test_share_by_walk_time_cuts_where_the_customers_are(demo_region: object) -> None:
    truth = pd.read_csv("surveys/demo_survey_truth.csv")
    survey = pd.read_csv("surveys/demo_survey.csv")
    cust = survey.merge(truth[["respondent_id", "lat", "lon"]], on="respondent_id")
    r = trade_areas_by_share(cust, STORE, metric="walk", region=demo_region)
    a = r.areas
    assert (a["cumulative_share"].to_numpy() >= [0.75, 0.90, 0.95]).all()
    assert (a["cumulative_share"].to_numpy() < [0.80, 0.95, 0.99]).all()
    assert (np.diff(a["cutoff"]) > 0).all() and (a["metric"] == "walk").all()
    recount(r)
    c = r.customers
    last = a["cutoff"].iloc[-1]
    beyond = c[c["tier_name"] == "outlier"]
    assert ((beyond["time_s"] > last * 0.999) | ~np.isfinite(beyond["time_s"])).all()
    assert r.account["store_snap_m"]["S1"] < 30


# --------------------------------------------------------------------------------------------
# Penetration and households


def _square(x: float, y: float, size: float) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


def _zones_and_customers() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    size = 500.0
    squares = [_square(SX + i * size, SY, size) for i in range(4)]
    zones = gpd.GeoDataFrame(
        {"zone_id": ["A", "B", "C", "D"], "households": [10, 100, 1000, 0]},
        geometry=squares,
        crs=UTM,
    ).to_crs("EPSG:4326")
    counts = {"A": 5, "B": 15, "C": 60, "D": 2}
    rows = []
    rng = np.random.default_rng(3)
    for i, (zone, n) in enumerate(counts.items()):
        x = SX + i * size + rng.uniform(50, size - 50, n)
        y = SY + rng.uniform(50, size - 50, n)
        lon, lat = TO_LL.transform(x, y)
        rows += [
            {"respondent_id": f"{zone}{j}", "lat": la, "lon": lo}
            for j, (la, lo) in enumerate(zip(lat, lon, strict=True))
        ]
    lon, lat = TO_LL.transform(SX - 1000, SY - 1000)
    rows.append({"respondent_id": "far", "lat": lat, "lon": lon})
    return zones, pd.DataFrame(rows)


def test_penetration_tiers_on_uploaded_zones() -> None:
    zones, cust = _zones_and_customers()
    r = trade_areas_by_penetration(cust, STORE, zones=zones, weight="customers")
    a = r.areas
    # A: 5/10 = 50 % (primary), B: 15/100 = 15 % (secondary), C: 60/1000 = 6 % (tertiary)
    assert a["customers"].tolist() == [5, 15, 60]
    assert a["households"].tolist() == [10, 100, 1000]
    assert a["penetration"].to_numpy() == pytest.approx([0.5, 0.15, 0.06])
    assert a["cutoff"].tolist() == [0.30, 0.10, 0.05]
    assert (a["cutoff_unit"] == "penetration").all()
    z = r.zones.set_index("zone_id")
    assert z.loc["A", "tier"] == 1 and z.loc["C", "tier"] == 3 and pd.isna(z.loc["D", "tier"])
    reasons = r.outliers.set_index("respondent_id")["reason"]
    assert reasons["far"] == "outside every zone"
    assert reasons["D0"] == "zone has fewer than 1 households"
    assert r.account["in_tiers"] == 80 and r.account["outliers"] == 3
    recount(r)
    # each respondent standing for 2 customers doubles penetration: B reaches 30 % (primary)
    # and C 12 % (secondary)
    doubled = trade_areas_by_penetration(cust, STORE, zones=zones, expansion=2.0)
    assert doubled.areas["customers"].tolist() == [20, 60, 0]
    with pytest.raises(InputError, match="households"):
        trade_areas_by_penetration(cust, STORE, zones=zones.drop(columns="households"))


def test_penetration_on_h3_cells_with_region_households(demo_region: object) -> None:
    truth = pd.read_csv("surveys/demo_survey_truth.csv")
    r = trade_areas_by_penetration(
        truth, STORE, region=demo_region, thresholds=[0.02, 0.01], expansion=1.0
    )
    z = r.zones
    assert z["zone_id"].str.len().eq(15).all()  # H3 indexes
    assert z["customers"].sum() == len(truth)
    assert households_in(z, region=demo_region) == pytest.approx(z["households"].to_numpy())
    pen = z["customers"] / z["households"]
    tier1 = z["tier"] == 1
    assert (pen[tier1] >= 0.02).all() and (pen[z["tier"] == 2] < 0.02).all()
    assert r.areas["households"].iloc[0] == pytest.approx(z.loc[tier1, "households"].sum())
    recount(r)
    with pytest.raises(InputError, match="households"):
        trade_areas_by_penetration(truth, STORE)


def test_households_in_apportions_by_area(demo_region: object) -> None:
    houses = demo_region.residential_buildings.iloc[:3]
    full = households_in(houses.geometry, region=demo_region)
    assert full == pytest.approx(houses["dwellings"].to_numpy())
    metric = houses.to_crs(UTM)
    b = metric.geometry.iloc[0]
    minx, miny, maxx, maxy = b.bounds
    half = gpd.GeoSeries([shapely.box(minx - 1, miny - 1, (minx + maxx) / 2, maxy + 1)], crs=UTM)
    part = b.intersection(half.iloc[0]).area / b.area
    got = households_in(half, region=demo_region)[0]
    # the half box may also touch neighbours; at least this building's share is there
    assert got >= houses["dwellings"].iloc[0] * part - 1e-9
    zones = gpd.GeoDataFrame({"households": [100.0]}, geometry=[_square(SX, SY, 1000)], crs=UTM)
    quarter = gpd.GeoSeries([_square(SX, SY, 500)], crs=UTM)
    assert households_in(quarter, zones=zones)[0] == pytest.approx(25.0)
    assert np.isnan(households_in(quarter)).all()


# --------------------------------------------------------------------------------------------
# Several stores


def _two_stores() -> pd.DataFrame:
    lon, lat = TO_LL.transform([SX, SX + 1000], [SY, SY])
    return pd.DataFrame(
        {"store_id": ["A", "B"], "name": ["North", "South"], "lat": lat, "lon": lon}
    )


def test_several_stores_overlap_report() -> None:
    stores = _two_stores()
    near_a = at_distances([100, 200, 300], prefix="a", store=(SX, SY))
    near_b = at_distances([100, 200], prefix="b", store=(SX + 1000, SY))
    lon, lat = TO_LL.transform([SX + 500, SX + 500], [SY, SY + 50])  # between the two
    middle = pd.DataFrame({"respondent_id": ["m1", "m2"], "lat": lat, "lon": lon})
    cust = pd.concat([near_a, near_b, middle], ignore_index=True)
    cust["store_id"] = ["A", "", "A", "", "", "South", ""]  # names resolve, blanks go nearest
    r = trade_areas_by_rings(cust, stores, radii_m=[700, 1500, 2000], weight="customers")
    c = r.customers.set_index("respondent_id")
    assert c.loc["a002", "store_id"] == "A" and c.loc["b001", "store_id"] == "B"
    assert c.loc["b002", "store_id"] == "B"  # named by its store name
    assert r.account["assigned_nearest_store"] == 4
    assert r.areas.groupby("store_id")["tier"].count().tolist() == [3, 3]
    recount(r)
    o = r.overlap.iloc[0]
    assert (o["store_a"], o["store_b"]) == ("A", "B")
    # tiers <= 2 of each store are discs of 1,500 m, 1,000 m apart: the lens area
    rad, d = 1500.0, 1000.0
    lens = 2 * rad**2 * math.acos(d / (2 * rad)) - d / 2 * math.sqrt(4 * rad**2 - d**2)
    assert o["shared_area_m2"] == pytest.approx(lens, rel=2e-3)
    assert o["shared_customers"] == 7  # every customer lives within 1.5 km of both stores
    assert o["shared_customers_a"] + o["shared_customers_b"] == 7
    with pytest.raises(InputError, match="not one of the stores") as info:
        trade_areas_by_rings(cust.assign(store_id="Z"), stores)
    assert info.value.row == 1 and info.value.column == "store_id"


def test_single_store_and_no_overlap() -> None:
    r = trade_areas_by_rings(at_distances([10]), STORE)
    assert r.overlap is None
    assert r.stores["store_id"].tolist() == ["S1"]


def test_footprints_are_tighter_and_recounted() -> None:
    cust = at_distances([*list(np.linspace(50, 400, 40)), 900, 1200], seed=5)
    r = trade_areas_by_share(cust, STORE, weight="customers", footprint="concave")
    f = r.footprints
    assert f["tier"].tolist() == [1, 2, 3]
    assert f.is_valid.all()
    assert f["area_m2"].iloc[0] < r.areas["area_m2"].iloc[0]
    for row in f.itertuples():
        mine = r.customers
        assert shapely.intersects_xy(row.geometry, mine["lon"], mine["lat"]).sum() == row.customers
    hexes = trade_areas_by_share(cust, STORE, weight="customers", footprint="h3").footprints
    # issue 20: only H3 cells of at least k customers shape a footprint (privacy), so the tier-1
    # footprint holds exactly the tier-1 customers who live in such cells (it held >= 90% of
    # the tier before, when a cell of one customer was drawn too)
    tier1 = r.customers[r.customers["tier"] == 1]
    cells = pd.Series(
        [h3.latlng_to_cell(a, b, FOOTPRINT_H3_RESOLUTION)
         for a, b in zip(tier1["lat"], tier1["lon"], strict=True)]
    ).value_counts()  # fmt: skip
    assert hexes["customers"].iloc[0] == int(cells[cells >= DEFAULT_K].sum())


def test_unreachable_share_thresholds_are_named() -> None:
    values = np.array([10.0, 20.0, np.inf, 30.0])
    note = unreachable_thresholds(values, np.ones(4), [0.5, 0.75, 0.95], metric="walk")
    assert "only 75%" in note and "the 95% threshold" in note
    assert unreachable_thresholds(values[[0, 1, 3]], np.ones(3), [0.5, 0.75, 0.95]) == ""


def test_share_tiers_with_many_customers_off_the_network_say_so(demo_region: object) -> None:
    # issue 18: half the customers cannot be reached on foot; the 75 % primary threshold cannot
    # be reached and every reachable customer silently became "primary"
    truth = pd.read_csv("surveys/demo_survey_truth.csv")
    survey = pd.read_csv("surveys/demo_survey.csv")
    cust = survey.merge(truth[["respondent_id", "lat", "lon"]], on="respondent_id")
    off = cust.sample(frac=0.5, random_state=18).index
    cust.loc[off, "lat"] = cust.loc[off, "lat"] - 0.6  # out in the Gulf of Finland, no streets
    r = trade_areas_by_share(cust, STORE, metric="walk", region=demo_region)
    warnings = r.account["warnings"]
    assert len(warnings) == 1 and "cannot be reached" in warnings[0]
    assert "75%" in warnings[0] and "off the walk network" in warnings[0]
    ok = trade_areas_by_share(cust.drop(index=off), STORE, metric="walk", region=demo_region)
    assert ok.account["warnings"] == []
