"""IRS: the DOMAIN.md example, per trade-area tier with and without a candidate, the surface."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from tradearea.saturation import (
    irs,
    irs_breakdown,
    irs_by_trade_area,
    rule_of_thumb_rings,
    saturation_surface,
)

UTM = "EPSG:32635"
CENTRE = (60.1699, 24.9420)


def test_domain_worked_example() -> None:
    # DOMAIN.md §2: 100,000 households × 25 yuan/week, 15 stores with 144,000 m² -> 17.36.
    assert round(irs(100_000, 25, 144_000), 2) == 17.36
    assert irs(100_000, 25, 144_000) == pytest.approx(2_500_000 / 144_000, rel=1e-15)


def test_breakdown_with_and_without_the_proposed_store() -> None:
    areas = np.full(15, 144_000 / 15)
    b = irs_breakdown(100_000, 25, areas, candidate_floor_area=6_000)
    assert b["customers"] == 100_000 and b["spend"] == 25 and b["potential"] == 2_500_000
    assert b["floor_area"] == pytest.approx(144_000) and b["stores"] == 15
    assert b["irs"] == pytest.approx(17.3611, abs=1e-4)
    assert b["stores_with_candidate"] == 16
    assert b["irs_with_candidate"] == pytest.approx(2_500_000 / 150_000)
    assert b["irs_change"] == pytest.approx(2_500_000 / 150_000 - 2_500_000 / 144_000)


def test_edge_values() -> None:
    assert irs(10, 5, 0) == math.inf  # spending and no competing floor area
    assert math.isnan(irs(0, 5, 0))
    with pytest.raises(ValueError, match="floor_area"):
        irs(10, 5, -1)
    with pytest.raises(ValueError, match="customers"):
        irs(float("nan"), 5, 1)


def _offset(dx: float, dy: float) -> tuple[float, float]:
    p = gpd.GeoSeries([Point(CENTRE[1], CENTRE[0])], crs=4326).to_crs(UTM).iloc[0]
    q = gpd.GeoSeries([Point(p.x + dx, p.y + dy)], crs=UTM).to_crs(4326).iloc[0]
    return q.y, q.x


def _areas() -> gpd.GeoDataFrame:
    p = gpd.GeoSeries([Point(CENTRE[1], CENTRE[0])], crs=4326).to_crs(UTM).iloc[0]
    r1, r2, r3 = (p.buffer(r) for r in (500, 1000, 1500))
    return gpd.GeoDataFrame(
        {"store_id": "S1", "tier": [1, 2, 3], "tier_name": ["primary", "secondary", "tertiary"],
         "method": "rings", "households": [3000.0, 5000.0, 2000.0]},
        geometry=[r1, r2.difference(r1), r3.difference(r2)], crs=UTM,
    ).to_crs(4326)  # fmt: skip


def _stores() -> pd.DataFrame:
    rows = [
        ("A", "supermarket", (100, 0), 1200.0),  # tier 1
        ("B", "convenience", (0, 300), 200.0),  # tier 1 (same grocery category)
        ("C", "specialty_store", (200, 0), 900.0),  # tier 1, other category: not counted
        ("D", "hypermarket", (0, -800), 6000.0),  # tier 2
        ("E", "supermarket", (3000, 0), 2000.0),  # outside
    ]
    out = []
    for sid, fmt, (dx, dy), area in rows:
        lat, lon = _offset(dx, dy)
        out.append(
            {
                "store_id": sid,
                "name": sid,
                "format": fmt,
                "lat": lat,
                "lon": lon,
                "floor_area_m2": area,
            }
        )
    return pd.DataFrame(out)


def test_irs_per_tier_by_hand() -> None:
    t = irs_by_trade_area(_areas(), _stores(), format="supermarket", spend=25.0).set_index("tier")
    assert list(t["stores"]) == [2, 1, 0]
    assert list(t["floor_area"]) == [1400.0, 6000.0, 0.0]
    assert t.loc[1, "irs"] == pytest.approx(3000 * 25 / 1400)
    assert t.loc[2, "irs"] == pytest.approx(5000 * 25 / 6000)
    assert t.loc[3, "irs"] == math.inf and t.loc[3, "status"] == "no_competition"
    assert list(t["scope"].unique()) == ["ring"]


def test_irs_with_a_candidate_and_cumulative() -> None:
    lat, lon = _offset(-200, 0)
    cand = {"lat": lat, "lon": lon, "floor_area_m2": 1600.0}
    t = irs_by_trade_area(_areas(), _stores(), spend=25.0, candidate=cand).set_index("tier")
    assert t.loc[1, "candidate_inside"] and not t.loc[2, "candidate_inside"]
    assert t.loc[1, "irs_with_candidate"] == pytest.approx(3000 * 25 / 3000)
    assert t.loc[1, "stores_with_candidate"] == 3
    assert t.loc[2, "irs_with_candidate"] == pytest.approx(t.loc[2, "irs"])
    c = irs_by_trade_area(
        _areas(), _stores(), spend=25.0, candidate=cand, cumulative=True
    ).set_index("tier")
    assert c.loc[2, "customers"] == 8000 and c.loc[2, "floor_area"] == 7400
    assert c.loc[3, "irs"] == pytest.approx(10000 * 25 / 7400)
    assert c.loc[3, "irs_with_candidate"] == pytest.approx(10000 * 25 / 9000)


def test_irs_default_spend_and_zones() -> None:
    t = irs_by_trade_area(_areas(), _stores(), format="supermarket")
    assert t["spend"].iloc[0] == 90.0  # grocery default per household per week
    # Zones instead of the areas' households: one zone point of 700 households in tier 2.
    lat, lon = _offset(0, 750)
    zones = gpd.GeoDataFrame({"households": [700.0]}, geometry=[Point(lon, lat)], crs=4326)
    z = irs_by_trade_area(_areas(), _stores(), spend=10.0, zones=zones).set_index("tier")
    assert list(z["customers"]) == [0.0, 700.0, 0.0]
    assert z.loc[1, "status"] == "no_customers"


def test_surface_by_radius_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    homes = pd.DataFrame({"lat": 60.17 + rng.uniform(-0.01, 0.01, 300), "lon": 24.94 + rng.uniform(-0.02, 0.02, 300),
                          "households": rng.integers(1, 50, 300).astype(float)})  # fmt: skip
    stores = _stores()
    s = saturation_surface(homes, stores, spend=25.0, radius_m=600, resolution=9)
    assert len(s) > 5 and s["h3"].is_unique
    from tradearea.distance import great_circle_m

    grocery = stores[stores["format"].isin(["supermarket", "convenience", "hypermarket"])]
    for row in s.sample(5, random_state=1).itertuples():
        dh = great_circle_m(homes["lat"], homes["lon"], row.lat, row.lon)
        ds = great_circle_m(grocery["lat"], grocery["lon"], row.lat, row.lon)
        # UTM vs great-circle differ by < 0.1 %: compare away from the radius edge
        if np.any(np.abs(dh - 600) < 2) or np.any(np.abs(ds - 600) < 2):
            continue
        assert row.customers == pytest.approx(homes["households"][dh <= 600].sum())
        assert row.floor_area == pytest.approx(grocery["floor_area_m2"][ds <= 600].sum())
    ok = s[s["status"] == "ok"]
    np.testing.assert_allclose(ok["irs"], ok["customers"] * 25.0 / ok["floor_area"])
    open_cells = s[s["status"] == "no_competition"]
    assert (open_cells["irs_rank"] == 1.0).all()
    assert s["irs_rank"].between(0, 1).all()


def test_surface_by_walk_time_grows_with_minutes(demo_region: object) -> None:
    from tradearea.competition import competitors_from_region
    from tradearea.demand import zones_from_buildings
    from tradearea.regions.network import load_network

    homes = zones_from_buildings(demo_region.residential_buildings, zone="building")
    comp = competitors_from_region(demo_region, category="grocery")
    net = load_network(demo_region, "walk")
    extent = demo_region.boundary.geometry.iloc[0]
    short = saturation_surface(homes, comp, catchment="walk", minutes=3, network=net, extent=extent)
    long = saturation_surface(homes, comp, catchment="walk", minutes=8, network=net, extent=extent)
    assert (long["customers"].to_numpy() >= short["customers"].to_numpy() - 1e-9).all()
    assert long["customers"].max() <= homes["households"].sum() + 1e-6
    assert long["catchment"].iloc[0] == "walk 8 min"
    with pytest.raises(ValueError, match="network"):
        saturation_surface(homes, comp, catchment="drive")


def test_rule_of_thumb_rings() -> None:
    rings = rule_of_thumb_rings(
        pd.DataFrame({"store_id": ["S1"], "lat": [CENTRE[0]], "lon": [CENTRE[1]]})
    )
    area = rings.to_crs(UTM).area.to_numpy()
    np.testing.assert_allclose(area, [math.pi * 1e6, math.pi * 8e6, math.pi * 16e6], rtol=2e-3)
    assert list(rings["tier_name"]) == ["primary", "secondary", "tertiary"]
