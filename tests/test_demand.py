"""Demand: spending defaults, zones from buildings and uploads, income scaling, apportioning."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from tradearea.demand import (
    apportion,
    read_demand,
    read_zones,
    spend_per_household,
    zone_demand,
    zones_from_buildings,
)
from tradearea.errors import InputError

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"


def test_spending_defaults_periods_and_settings() -> None:
    assert spend_per_household("supermarket") == 90.0
    assert spend_per_household("convenience") == spend_per_household("grocery")
    assert spend_per_household("supermarket", period="month") == pytest.approx(90.0 * 52 / 12)
    assert spend_per_household("home_centre", period="year") == pytest.approx(12.0 * 52)
    assert (
        spend_per_household("supermarket", settings={"spend_per_household": {"grocery": 25}})
        == 25.0
    )
    with pytest.raises(ValueError, match="unknown format"):
        spend_per_household("bakery")
    with pytest.raises(ValueError, match="period"):
        spend_per_household("supermarket", period="day")  # type: ignore[arg-type]


def test_zones_from_region_buildings(demo_region: object) -> None:
    import h3

    res = demo_region.residential_buildings
    zones = zones_from_buildings(res)
    assert zones["households"].sum() == pytest.approx(res["dwellings"].sum(), abs=0.1 * len(zones))
    assert zones["estimated"].all() and zones["origin_id"].is_unique
    assert all(h3.is_valid_cell(c) for c in zones["origin_id"])
    np.testing.assert_allclose(zones["population"], zones["households"] * 2.0, atol=0.2)
    assert zones.geometry.geom_type.eq("Polygon").all()
    # each zone's point lies inside its hexagon
    assert all(
        g.buffer(1e-9).contains(Point(lon, lat))
        for g, lat, lon in zip(zones.geometry, zones["lat"], zones["lon"], strict=True)
    )
    per_building = zones_from_buildings(res, zone="building")
    assert len(per_building) == len(res)


def test_read_the_example_zones() -> None:
    zones = read_zones(EXAMPLES / "zones.geojson")
    assert len(zones) == 29 and zones["origin_id"].iloc[0] == "Z01"
    assert {"households", "population", "income"} <= set(zones.columns)
    assert not zones["estimated"].any() and zones.crs.to_epsg() == 4326
    assert (zones["households_source"] == "input").all()


def test_read_zones_formats_and_population_only(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame(
        {"人口": [400, 1000], "收入": [40000, 60000]},
        geometry=[box(24.93, 60.16, 24.94, 60.17), box(24.94, 60.16, 24.95, 60.17)],
        crs=4326,
    ).to_crs(3067)  # a national grid: read back in WGS84
    for name in ("z.gpkg", "z.shp"):
        g.to_file(tmp_path / name)
        zones = read_zones(tmp_path / name)
        assert list(zones["households"]) == [200.0, 500.0]  # population / 2.0
        assert (zones["households_source"] == "population").all()
        assert zones.crs.to_epsg() == 4326 and 60.16 < zones["lat"].iloc[0] < 60.17
    (tmp_path / "z.csv").write_text(
        "zone_id,lat,lon,households,income\nA,60.17,24.94,120,50000\nB,60.18,24.95,80,\n",
        encoding="utf-8",
    )
    csv = read_zones(tmp_path / "z.csv")
    assert list(csv["origin_id"]) == ["A", "B"] and np.isnan(csv["income"].iloc[1])


def test_read_zones_errors_name_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(
        "zone_id,lat,lon,households\nA,60.17,24.94,120\nB,60.18,24.95,lots\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        read_zones(tmp_path / "bad.csv")
    assert (e.value.row, e.value.column) == (2, "households")
    (tmp_path / "none.csv").write_text("zone_id,lat,lon,shops\nA,60.17,24.94,3\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_zones(tmp_path / "none.csv")
    assert e.value.column == "households"
    (tmp_path / "neg.csv").write_text(
        "zone_id,lat,lon,population\nA,60.17,24.94,-5\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="at least 0"):
        read_zones(tmp_path / "neg.csv")
    with pytest.raises(InputError, match="not found"):
        read_zones(tmp_path / "missing.geojson")


def test_income_scales_spending() -> None:
    zones = pd.DataFrame({"households": [100.0, 100.0, 50.0], "income": [40_000, 60_000, None]})
    out = zone_demand(zones, spend=100.0, elasticity=0.5)
    # households-weighted mean income of zones with income: 50,000
    np.testing.assert_allclose(out["income_scale"], [0.8**0.5, 1.2**0.5, 1.0])
    np.testing.assert_allclose(
        out["demand"], [100 * 100 * 0.8**0.5, 100 * 100 * 1.2**0.5, 50 * 100]
    )
    flat = zone_demand(zones, spend=100.0, elasticity=0.0)
    assert list(flat["demand"]) == [10_000.0, 10_000.0, 5_000.0]
    with pytest.raises(ValueError, match="spending"):
        zone_demand(zones, spend=-1)


def _area() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"store_id": ["S1"], "tier": [1]}, geometry=[box(0, 0, 1000, 2000)], crs=32635
    ).to_crs(4326)


def test_areal_interpolation_shares_by_area() -> None:
    zone = gpd.GeoDataFrame(
        {"households": [400.0], "demand": [4000.0]}, geometry=[box(500, 0, 1500, 1000)], crs=32635
    ).to_crs(4326)
    out = apportion(zone, _area())
    assert out["households"].iloc[0] == pytest.approx(200.0, rel=1e-3)  # half the zone inside
    assert out["demand"].iloc[0] == pytest.approx(2000.0, rel=1e-3)
    pts = gpd.GeoDataFrame(
        {"households": [7.0, 5.0]}, geometry=[Point(100, 100), Point(5000, 5000)], crs=32635
    ).to_crs(4326)
    assert apportion(pts, _area())["households"].iloc[0] == 7.0


def test_address_apportioning() -> None:
    zone = gpd.GeoDataFrame(
        {"households": [400.0]}, geometry=[box(500, 0, 1500, 1000)], crs=32635
    ).to_crs(4326)
    addresses = gpd.GeoDataFrame(
        geometry=[Point(600, 100), Point(700, 200), Point(800, 300), Point(1400, 500)], crs=32635
    ).to_crs(4326)
    out = apportion(zone, _area(), method="address", addresses=addresses)
    assert out["households"].iloc[0] == pytest.approx(300.0)  # 3 of 4 addresses inside
    with pytest.raises(ValueError, match="address"):
        apportion(zone, _area(), method="address")


def test_read_demand_needs_demand_or_spend(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(
        "origin_id,lat,lon,households\nA,60.17,24.94,100\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="spend"):
        read_demand(tmp_path / "d.csv")
    assert read_demand(tmp_path / "d.csv", spend=90.0)["demand"].iloc[0] == 9000.0
