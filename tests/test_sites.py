"""Candidate sites: taboo checklist on hand-made streets and the real region; the scorecard."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
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
