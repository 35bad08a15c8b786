"""Candidate sites: taboo checklist on hand-made streets and the real region; the scorecard."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from tradearea import sites

CRS = "EPSG:32635"
X0, Y0 = 385_000.0, 6_672_000.0  # a point in UTM 35N near Helsinki


def _wgs(x: float, y: float) -> tuple[float, float]:
    p = gpd.GeoSeries([Point(x, y)], crs=CRS).to_crs("EPSG:4326").iloc[0]
    return p.y, p.x


def _edges(lines: list[dict]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(lines, geometry=[d.pop("geometry") for d in lines], crs=CRS)
    return frame.to_crs("EPSG:4326")


@dataclass
class FakeRegion:
    drive: gpd.GeoDataFrame
    walk: gpd.GeoDataFrame
    transit: gpd.GeoDataFrame
    shops: gpd.GeoDataFrame
    utm_crs: str = CRS

    def network(self, kind: str):
        return None, self.drive if kind == "drive" else self.walk


def _region(
    *,
    oneway: bool,
    highway: str = "residential",
    street_dx: float = 0.0,
    street_dy: float = 20.0,
    bridge: bool = False,
    stops: int = 1,
    parking: int = 1,
) -> FakeRegion:
    # a straight street 20 m north of the site (or west when street_dx < 0)
    if street_dx:
        geom = LineString([(X0 + street_dx, Y0 - 200), (X0 + street_dx, Y0 + 200)])
    else:
        geom = LineString([(X0 - 200, Y0 + street_dy), (X0 + 200, Y0 + street_dy)])
    edge = {
        "name": "Testikatu",
        "highway": highway,
        "oneway": oneway,
        "bridge": bridge,
        "geometry": geom,
    }
    drive = _edges([dict(edge)])
    walk = _edges([dict(edge, oneway=False)])
    stop_pts = [Point(X0 + 100 + 10 * i, Y0) for i in range(stops)] + [Point(X0 + 900, Y0)]
    transit = gpd.GeoDataFrame(
        {"name": [f"Stop {i}" for i in range(len(stop_pts))]}, geometry=stop_pts, crs=CRS
    ).to_crs("EPSG:4326")
    park_pts = [Point(X0 - 150, Y0 - 10 * i) for i in range(parking)] + [Point(X0 - 800, Y0)]
    shops = gpd.GeoDataFrame(
        {"amenity": ["parking"] * len(park_pts)}, geometry=park_pts, crs=CRS
    ).to_crs("EPSG:4326")
    return FakeRegion(drive, walk, transit, shops)


def _status(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["key"], table["status"], strict=True))


def test_one_way_street_in_front_is_a_taboo() -> None:
    lat, lon = _wgs(X0, Y0)
    assert (
        _status(sites.taboo_checks(lat, lon, region=_region(oneway=True)))["one_way_frontage"]
        == "taboo"
    )
    assert (
        _status(sites.taboo_checks(lat, lon, region=_region(oneway=False)))["one_way_frontage"]
        == "ok"
    )


def test_street_beyond_frontage_radius_does_not_count() -> None:
    lat, lon = _wgs(X0, Y0)
    far = _region(oneway=True, street_dy=55.0)
    assert _status(sites.taboo_checks(lat, lon, region=far))["one_way_frontage"] == "ok"


def test_trunk_road_and_flyover() -> None:
    lat, lon = _wgs(X0, Y0)
    status = _status(
        sites.taboo_checks(lat, lon, region=_region(oneway=False, highway="trunk", bridge=True))
    )
    assert status["expressway_frontage"] == "taboo"
    assert status["footbridge_or_flyover"] == "taboo"


def test_west_facing_estimate_from_street_side() -> None:
    lat, lon = _wgs(X0, Y0)
    north = sites.taboo_checks(lat, lon, region=_region(oneway=False))
    west = sites.taboo_checks(lat, lon, region=_region(oneway=False, street_dx=-20.0))
    assert _status(north)["west_facing"] == "ok"
    assert _status(west)["west_facing"] == "taboo"
    assert "bearing 270" in west.set_index("key").loc["west_facing", "evidence"]


def test_transit_and_parking_within_300_m() -> None:
    lat, lon = _wgs(X0, Y0)
    none = _status(sites.taboo_checks(lat, lon, region=_region(oneway=False, stops=0, parking=0)))
    assert none["no_transit"] == "taboo" and none["no_parking"] == "taboo"
    some = sites.taboo_checks(lat, lon, region=_region(oneway=False, stops=3, parking=2))
    ev = some.set_index("key")["evidence"]
    assert ev["no_transit"].startswith("3 ") and ev["no_parking"].startswith("2 ")


def test_user_ticks_override_and_manual_items() -> None:
    lat, lon = _wgs(X0, Y0)
    table = sites.taboo_checks(
        lat, lon, region=_region(oneway=True), ticks={"slope": True, "one_way_frontage": False}
    )
    status = _status(table)
    assert status["slope"] == "taboo" and status["one_way_frontage"] == "ok"
    assert status["wind_tunnel"] == "unchecked"
    assert len(table) == len(sites.TABOO_ITEMS)
    assert table["item_zh"].str.len().gt(0).all()


def test_real_region_checks(demo_region) -> None:
    table = sites.taboo_checks(60.1713, 24.9478, region=demo_region)
    status = _status(table)
    assert status["one_way_frontage"] == "taboo"  # Kaisaniemenkatu is one-way
    assert status["no_transit"] == "ok"


def test_bearings() -> None:
    assert sites.bearing_deg((0, 0), (0, 1)) == pytest.approx(0)
    assert sites.bearing_deg((0, 0), (1, 0)) == pytest.approx(90)
    assert sites.bearing_deg((0, 0), (-1, 0)) == pytest.approx(270)


def test_scorecard_by_hand() -> None:
    table = pd.DataFrame(
        {"expected_sales": [100.0, 200.0, 150.0], "taboos": [0, 2, 1]}, index=["A", "B", "C"]
    )
    score = sites.scorecard(table, weights={"expected_sales": 3, "taboos": 1})
    # sales: A 0, B 100, C 50; taboos (fewer better): A 100, B 0, C 50
    assert score.loc["A", "total"] == pytest.approx((0 * 3 + 100 * 1) / 4)
    assert score.loc["B", "total"] == pytest.approx((100 * 3 + 0) / 4)
    assert score.loc["C", "total"] == pytest.approx((50 * 3 + 50) / 4)
    assert score["rank"].tolist() == [3, 1, 2]


def test_scorecard_equal_values_and_missing() -> None:
    table = pd.DataFrame({"irr": [0.1, 0.1], "expected_sales": [np.nan, 5.0]}, index=["A", "B"])
    score = sites.scorecard(table)
    assert score["score_irr"].tolist() == [100.0, 100.0]
    assert score.loc["A", "score_expected_sales"] == 0.0


def test_scorecard_refuses_bad_weights() -> None:
    table = pd.DataFrame({"irr": [0.1, 0.2]})
    with pytest.raises(ValueError, match="negative"):
        sites.scorecard(table, weights={"irr": -1})
    with pytest.raises(ValueError, match="no scorecard factor"):
        sites.scorecard(pd.DataFrame({"x": [1]}))


# --------------------------------------------------------------------------------------------
# The scorecard: the tenant's side and the landlord's return apart (DOMAIN.md §6)


def test_tenant_side_by_hand() -> None:
    table = pd.DataFrame(
        {
            "expected_sales": [100.0, 100.0, 100.0],
            "rent_capacity": [10.0, 10.0, 8.0],
            "scenario_rent": [5.0, 9.0, 10.0],
            "occupancy_threshold": [0.04, 0.04, 0.04],
            "irr": [0.05, 0.09, 0.12],
        },
        index=["A", "B", "C"],
    )
    rent = sites.rent_factors(table)
    assert rent["rent_headroom"].tolist() == [5.0, 1.0, -2.0]
    assert rent["occupancy_cost_ratio"].tolist() == pytest.approx([0.02, 0.036, 0.05])
    assert rent["carries_rent"].tolist() == [True, True, False]
    score = sites.scorecard(table)
    # headroom as a share of the best (5): 100, 20, 0; occupancy cost against the 4 % threshold:
    # 100 up to 80 % of it, 0 at it: A 50 % -> 100, B 90 % -> 50, C 125 % -> 0
    assert score["score_rent_headroom"].tolist() == [100.0, 20.0, 0.0]
    assert score["score_occupancy_cost_ratio"].tolist() == [100.0, 50.0, 0.0]
    assert score["tenant_score"].tolist() == pytest.approx(
        [100.0, (20 * 15 + 50 * 10) / 25, 0.0], abs=0.01
    )
    # the landlord's IRR rises with the rent: scored, but never in the total
    assert score["landlord_score"].tolist() == pytest.approx([0.0, 400 / 7, 100.0], abs=0.01)
    sales = 100.0  # equal: every site scores 100 on it
    assert score.loc["A", "total"] == pytest.approx((sales * 20 + 100 * 15 + 100 * 10) / 45)
    assert score["rank"].tolist() == [1, 2, 3]
    assert score["carries_rent"].tolist() == [True, True, False]


def test_landlord_weights_do_not_move_the_total() -> None:
    table = pd.DataFrame(
        {"expected_sales": [1.0, 2.0], "irr": [0.2, 0.01], "payback_years": [5.0, 30.0]},
        index=["A", "B"],
    )
    heavy = sites.scorecard(table, weights={"irr": 50, "payback_years": 50})
    light = sites.scorecard(table, weights={"irr": 1, "payback_years": 0})
    assert heavy["total"].tolist() == light["total"].tolist() == [0.0, 100.0]
    assert heavy["landlord_score"].tolist() == [100.0, 0.0]
    assert np.isnan(heavy["tenant_score"]).all()
    with pytest.raises(ValueError, match="landlord"):
        sites.scorecard(table[["irr"]])


def test_rent_gate_ranks_a_site_that_cannot_carry_its_rent_last() -> None:
    table = pd.DataFrame(
        {
            "households_primary": [5000.0, 1000.0],
            "expected_sales": [9e6, 1e6],
            "rent_capacity": [10.0, 10.0],
            "scenario_rent": [10.5, 6.0],
        },
        index=["big", "small"],
    )
    gated = sites.scorecard(table)
    assert gated.loc["big", "total"] > gated.loc["small", "total"]
    assert gated["rank"].tolist() == [2, 1]  # the bigger site does not carry its rent
    assert sites.scorecard(table, rent_gate=False)["rank"].tolist() == [1, 2]
    with pytest.raises(ValueError, match="comfort"):
        sites.scorecard(table, comfort=1.0)


def test_every_factor_is_labelled_with_its_side() -> None:
    for key, spec in sites.SCORECARD_FACTORS.items():
        en, zh = sites.SIDES[spec["side"]]
        assert spec["label"].startswith(f"{en}: "), key
        assert spec["label_zh"].startswith(f"{zh}："), key
        assert sites.factor_label(key, lang="zh") == spec["label_zh"]
    assert {spec["side"] for spec in sites.SCORECARD_FACTORS.values()} == set(sites.SIDES)
    assert "landlord" not in sites.SIDES_IN_TOTAL


_SITE = st.fixed_dictionaries(
    {
        "households_primary": st.floats(0, 1e5),
        "expected_sales": st.floats(0, 1e8),
        "irs_after": st.floats(0, 500),
        "competitors_primary": st.integers(0, 20).map(float),
        "transit_stops": st.integers(0, 10).map(float),
        "taboos": st.integers(0, 5).map(float),
        "rent_capacity": st.floats(0.5, 100),
        "scenario_rent": st.floats(0, 150),
        "occupancy_threshold": st.sampled_from([0.03, 0.04, 0.08, 0.13]),
        "irr": st.floats(-0.5, 0.5),
        "payback_years": st.floats(1, 40),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(_SITE, min_size=2, max_size=6),
    pick=st.integers(0, 5),
    raise_by=st.floats(0.01, 100),
    gate=st.booleans(),
)
def test_raising_the_rent_never_raises_a_site(rows, pick, raise_by, gate) -> None:
    """Everything else fixed, a higher tested rent (and so a higher landlord IRR) never raises
    a site's tenant score, its total or its rank."""
    before = pd.DataFrame(rows, index=[f"S{i}" for i in range(len(rows))])
    site = before.index[pick % len(before)]
    after = before.copy()
    after.loc[site, "scenario_rent"] += raise_by
    after.loc[site, "irr"] += raise_by / 10  # the landlord gains from the higher rent
    after.loc[site, "payback_years"] = max(1.0, after.loc[site, "payback_years"] - 1)
    old = sites.scorecard(before, rent_gate=gate).loc[site]
    new = sites.scorecard(after, rent_gate=gate).loc[site]
    assert new["tenant_score"] <= old["tenant_score"]
    assert new["total"] <= old["total"]
    assert new["rank"] >= old["rank"]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(_SITE, min_size=0, max_size=4),
    twin=_SITE,
    over=st.floats(0.01, 2.0),
    under=st.floats(0.0, 1.0),
    gate=st.booleans(),
)
def test_a_site_over_its_capacity_never_outranks_its_twin_that_carries_the_rent(
    rows, twin, over, under, gate
) -> None:
    """Two otherwise identical sites: the one whose rent is above its capacity (with the higher
    landlord IRR) never ranks above the one that carries its rent."""
    carry = dict(twin, scenario_rent=twin["rent_capacity"] * under)
    exceed = dict(twin, scenario_rent=twin["rent_capacity"] * (1 + over), irr=twin["irr"] + 0.3)
    table = pd.DataFrame(
        [*rows, carry, exceed], index=[*(f"S{i}" for i in range(len(rows))), "carry", "exceed"]
    )
    score = sites.scorecard(table, rent_gate=gate)
    assert score.loc["exceed", "rank"] >= score.loc["carry", "rank"]
    assert score.loc["exceed", "tenant_score"] <= score.loc["carry", "tenant_score"]
    if gate:
        assert score.loc["exceed", "rank"] > score.loc["carry", "rank"]
