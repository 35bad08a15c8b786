"""Huff model: hand-computed cases, the distance guard, blocks, cost tables, contours."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradearea.distance import EARTH_RADIUS_M, great_circle_m
from tradearea.errors import InputError
from tradearea.huff import (
    MIN_DISTANCE_M,
    cost_matrix,
    huff_contours,
    huff_model,
    huff_probabilities,
    network_costs,
)

# Two stores, three zones; distances chosen so the hand computation is exact.
STORES = pd.DataFrame(
    {
        "store_id": ["X", "Y"],
        "lat": [0.0, 0.0],
        "lon": [0.0, 0.0],
        "floor_area_m2": [1000.0, 4000.0],
    }
)
ZONES = pd.DataFrame(
    {"origin_id": ["A", "B", "C"], "demand": [100.0, 200.0, 300.0], "lat": 0.0, "lon": 0.0}
)
COSTS = np.array([[500.0, 1000.0], [1000.0, 1000.0], [2000.0, 500.0]])


def test_two_stores_lambda_2_by_hand() -> None:
    # A: 1000/500² = 0.004 vs 4000/1000² = 0.004 -> 1/2; B: 0.001 vs 0.004 -> 1/5;
    # C: 1000/2000² = 0.00025 vs 4000/500² = 0.016 -> 1/65.
    p = huff_probabilities(ZONES, STORES, alpha=1, beta=2, costs=COSTS)
    assert p.loc["A", "X"] == pytest.approx(0.5, abs=1e-12)
    assert p.loc["B", "X"] == pytest.approx(0.2, abs=1e-12)
    assert p.loc["C", "X"] == pytest.approx(1 / 65, abs=1e-12)
    assert p.loc["C", "Y"] == pytest.approx(64 / 65, abs=1e-12)
    res = huff_model(ZONES, STORES, alpha=1, beta=2, costs=COSTS)
    sales = res.sales.set_index("store_id")["expected_sales"]
    assert sales["X"] == pytest.approx(100 * 0.5 + 200 * 0.2 + 300 / 65, abs=1e-9)
    assert sales["Y"] == pytest.approx(100 * 0.5 + 200 * 0.8 + 300 * 64 / 65, abs=1e-9)
    assert sales.sum() == pytest.approx(600.0, abs=1e-9)


def test_two_stores_lambda_1_by_hand() -> None:
    # A: 2 vs 4 -> 1/3; B: 1 vs 4 -> 1/5; C: 0.5 vs 8 -> 1/17.
    p = huff_probabilities(ZONES, STORES, alpha=1, beta=1, costs=COSTS)
    np.testing.assert_allclose(p["X"].to_numpy(), [1 / 3, 1 / 5, 1 / 17], atol=1e-12)
    res = huff_model(ZONES, STORES, alpha=1, beta=1, costs=COSTS, focus=["X"])
    x = res.sales.set_index("store_id").loc["X", "expected_sales"]
    assert x == pytest.approx(100 / 3 + 200 / 5 + 300 / 17, abs=1e-9)
    np.testing.assert_allclose(res.zones["p_X"], [1 / 3, 1 / 5, 1 / 17], atol=1e-12)
    assert list(res.zones["top_store"]) == ["Y", "Y", "Y"]


def test_alpha_weights_attractiveness() -> None:
    # α = 2 on B: 1000²/1000² = 1 vs 4000²/1000² = 16 -> 1/17.
    p = huff_probabilities(ZONES, STORES, alpha=2, beta=2, costs=COSTS)
    assert p.loc["B", "X"] == pytest.approx(1 / 17, abs=1e-12)


def test_long_cost_table_equals_matrix() -> None:
    table = pd.DataFrame(
        [(o, s, COSTS[i, j]) for i, o in enumerate("ABC") for j, s in enumerate("XY")],
        columns=["origin_id", "store_id", "cost"],
    )
    a = huff_probabilities(ZONES, STORES, costs=table)
    b = huff_probabilities(ZONES, STORES, costs=COSTS)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=1e-15)


def test_straight_line_hand_case() -> None:
    # Stores due north (0.01°) and due south (0.02°): d_Y = 2 d_X, so with λ = 2
    # P_X = 1000 / (1000 + 4000 / 4) = 1/2 and with λ = 1, 1000 / (1000 + 2000) = 1/3.
    stores = pd.DataFrame(
        {
            "store_id": ["X", "Y"],
            "lat": [60.01, 59.98],
            "lon": [25.0, 25.0],
            "floor_area_m2": [1000.0, 4000.0],
        }
    )
    zone = pd.DataFrame({"origin_id": ["z"], "demand": [1.0], "lat": [60.0], "lon": [25.0]})
    assert huff_probabilities(zone, stores, beta=2).iloc[0, 0] == pytest.approx(0.5, abs=1e-9)
    assert huff_probabilities(zone, stores, beta=1).iloc[0, 0] == pytest.approx(1 / 3, abs=1e-9)
    d = great_circle_m(60.0, 25.0, 60.01, 25.0)
    assert d == pytest.approx(EARTH_RADIUS_M * math.radians(0.01), rel=1e-12)


def test_minimum_distance_guard() -> None:
    # A zone on top of store X: d = 0 counts as 50 m instead of taking P_X = 1.
    stores = pd.DataFrame(
        {
            "store_id": ["X", "Y"],
            "lat": [60.0, 60.001],
            "lon": [25.0, 25.0],
            "floor_area_m2": [1.0, 1.0],
        }
    )
    zone = pd.DataFrame({"origin_id": ["z"], "demand": [1.0], "lat": [60.0], "lon": [25.0]})
    d_y = EARTH_RADIUS_M * math.radians(0.001)  # ~111 m
    expected = MIN_DISTANCE_M**-2 / (MIN_DISTANCE_M**-2 + d_y**-2)
    p = huff_probabilities(zone, stores)
    assert p.iloc[0, 0] == pytest.approx(expected, abs=1e-9)
    assert p.iloc[0, 0] < 1
    p10 = huff_probabilities(zone, stores, min_cost=10.0)
    assert p10.iloc[0, 0] == pytest.approx(10.0**-2 / (10.0**-2 + d_y**-2), abs=1e-9)


def test_blocks_give_the_same_result() -> None:
    rng = np.random.default_rng(3)
    zones = pd.DataFrame(
        {"origin_id": [f"z{i}" for i in range(500)], "demand": rng.uniform(0, 100, 500),
         "lat": 60 + rng.uniform(0, 0.05, 500), "lon": 25 + rng.uniform(0, 0.1, 500)}
    )  # fmt: skip
    stores = pd.DataFrame(
        {"store_id": [f"s{j}" for j in range(30)], "lat": 60 + rng.uniform(0, 0.05, 30),
         "lon": 25 + rng.uniform(0, 0.1, 30), "floor_area_m2": rng.uniform(100, 5000, 30)}
    )  # fmt: skip
    big = huff_model(zones, stores, focus=["s3"])
    small = huff_model(zones, stores, focus=["s3"], block_bytes=2_000)  # 15 zones per block
    np.testing.assert_allclose(
        big.sales["expected_sales"], small.sales["expected_sales"], rtol=1e-12
    )
    np.testing.assert_allclose(big.zones["p_s3"], small.zones["p_s3"], rtol=1e-12)
    full = huff_probabilities(zones, stores)
    np.testing.assert_allclose(
        big.sales["expected_sales"], zones["demand"].to_numpy() @ full.to_numpy(), rtol=1e-12
    )
    assert big.sales["zones_led"].sum() == 500


def test_unreachable_pairs_and_zones() -> None:
    table = pd.DataFrame(
        {"origin_id": ["A", "A", "B"], "store_id": ["X", "Y", "Y"], "cost": [500.0, 1000.0, 700.0]}
    )
    res = huff_model(ZONES, STORES, costs=table, focus=["X"])
    p = res.zones.set_index("origin_id")["p_X"]
    assert p["A"] == pytest.approx(0.5)
    assert p["B"] == 0.0  # X unreachable from B
    assert p["C"] == 0.0  # C reaches nothing
    assert res.unallocated_demand == pytest.approx(300.0)
    assert res.sales["expected_sales"].sum() == pytest.approx(300.0)
    assert res.notes


def test_beta_zero_with_unreachable_pair_is_not_nan() -> None:
    table = pd.DataFrame(
        {
            "origin_id": ["A", "A", "B", "C"],
            "store_id": ["X", "Y", "Y", "X"],
            "cost": [1.0, 1.0, 1.0, 1.0],
        }
    )
    p = huff_probabilities(ZONES, STORES, beta=0, costs=table)
    assert not p.isna().any().any()
    assert p.loc["B", "Y"] == 1.0 and p.loc["C", "X"] == 1.0


@given(
    attr=st.lists(st.floats(1.0, 1e5), min_size=2, max_size=6),
    alpha=st.floats(0.0, 3.0),
    beta=st.floats(0.0, 4.0),
    scale=st.floats(0.1, 100.0),
)
@settings(max_examples=40, deadline=None)
def test_properties(attr: list[float], alpha: float, beta: float, scale: float) -> None:
    n = len(attr)
    rng = np.random.default_rng(n)
    stores = pd.DataFrame(
        {"store_id": [f"s{j}" for j in range(n)], "lat": 0.0, "lon": 0.0, "floor_area_m2": attr}
    )
    zones = pd.DataFrame({"origin_id": ["a", "b"], "demand": [1.0, 2.0], "lat": 0.0, "lon": 0.0})
    costs = rng.uniform(100, 5000, (2, n))
    p = huff_probabilities(
        zones, stores, alpha=alpha, beta=beta, costs=costs, min_cost=1.0
    ).to_numpy()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    # Distances in other units (all scaled) leave the probabilities unchanged.
    q = huff_probabilities(
        zones, stores, alpha=alpha, beta=beta, costs=costs * scale, min_cost=1e-6
    ).to_numpy()
    np.testing.assert_allclose(p, q, atol=1e-9)
    # A bigger store gets a larger (or, with α = 0, equal) share everywhere.
    bigger = stores.assign(floor_area_m2=stores["floor_area_m2"] * np.r_[2.0, np.ones(n - 1)])
    r = huff_probabilities(
        zones, bigger, alpha=alpha, beta=beta, costs=costs, min_cost=1.0
    ).to_numpy()
    assert np.all(r[:, 0] >= p[:, 0] - 1e-12)


def test_bad_inputs_name_row_and_column() -> None:
    dup = pd.concat([STORES, STORES.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError) as e:
        huff_model(ZONES, dup, costs=np.ones((3, 3)))
    assert e.value.row == 3 and e.value.column == "store_id"
    zero = STORES.assign(floor_area_m2=[1000.0, 0.0])
    with pytest.raises(InputError) as e:
        huff_model(ZONES, zero, costs=COSTS)
    assert e.value.row == 2 and e.value.column == "floor_area_m2"
    bad = pd.DataFrame({"origin_id": ["A", "Q"], "store_id": ["X", "X"], "cost": [1.0, 2.0]})
    with pytest.raises(InputError) as e:
        cost_matrix(bad, ["A", "B"], ["X", "Y"], file="od.csv")
    assert (e.value.row, e.value.column, e.value.file) == (2, "origin_id", "od.csv")
    neg = pd.DataFrame({"origin_id": ["A"], "store_id": ["X"], "cost": ["-3"]})
    with pytest.raises(InputError) as e:
        cost_matrix(neg, ["A"], ["X"])
    assert e.value.column == "cost"
    twice = pd.DataFrame({"origin_id": ["A", "A"], "store_id": ["X", "X"], "cost": [1, 2]})
    with pytest.raises(InputError, match="twice"):
        cost_matrix(twice, ["A"], ["X"])


def test_contours_are_disjoint_rings_around_the_store() -> None:
    stores = pd.DataFrame(
        {
            "store_id": ["X", "Y"],
            "lat": [60.17, 60.17],
            "lon": [24.93, 24.96],
            "floor_area_m2": [2000.0, 2000.0],
        }
    )
    rings = huff_contours(stores, "X", radius_m=2000)
    assert list(rings["tier"]) == [1, 2, 3]
    assert list(rings["threshold"]) == [0.30, 0.10, 0.05]
    from shapely.geometry import Point

    assert rings.geometry.iloc[0].contains(Point(24.93, 60.17))
    for i in range(3):
        for j in range(i + 1, 3):
            a, b = rings.geometry.iloc[i], rings.geometry.iloc[j]
            if a is not None and b is not None:
                assert a.intersection(b).area < 1e-12
    # Half-way between two equal stores P = 1/2: primary tier reaches the midpoint.
    assert rings.geometry.iloc[0].distance(Point(24.945, 60.17)) < 0.003
    with pytest.raises(ValueError, match="decreasing"):
        huff_contours(stores, "X", thresholds=(0.1, 0.3))


def test_network_travel_times_on_the_demo_region(demo_region: object) -> None:
    from tradearea.demand import zone_demand, zones_from_buildings
    from tradearea.regions.network import load_network

    zones = zone_demand(zones_from_buildings(demo_region.residential_buildings), spend=90.0)
    stores = STORES.assign(lat=[60.1699, 60.1652], lon=[24.9420, 24.9482])
    costs = network_costs(zones, stores, load_network(demo_region, "drive"))
    assert costs.shape == (len(zones), 2)
    block = costs[slice(0, 5)]
    assert block.shape == (5, 2) and np.all(block >= 0)
    res = huff_model(zones, stores, costs=costs)
    assert res.cost_kind == "network_drive_s" and res.min_cost == 60.0
    assert res.sales["expected_sales"].sum() == pytest.approx(
        zones["demand"].sum() - res.unallocated_demand
    )
