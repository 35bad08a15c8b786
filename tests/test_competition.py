"""Competitors: OSM categories to formats, uploads, floor-area filling and marking."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from tradearea.competition import (
    FLOOR_AREA_SOURCES,
    combine_competitors,
    competitors_from_region,
    fill_floor_area,
    format_of_osm,
    read_competitors,
    remove_matches,
)
from tradearea.errors import InputError
from tradearea.formats import FORMATS, format_key, format_table, normalise_format

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "examples"


def test_ten_formats_of_domain_md() -> None:
    assert len(FORMATS) == 10
    t = format_table()
    assert (t["default_floor_area_m2"] < t["max_floor_area_m2"]).all()
    assert set(t["category"]) == {"grocery", "general_merchandise", "specialty", "home"}


@pytest.mark.parametrize(
    ("shop", "amenity", "name", "brand", "expected"),
    [
        ("supermarket", None, "S-Market", None, "supermarket"),
        ("supermarket", None, "Prisma Kamppi", None, "hypermarket"),
        ("supermarket", None, "家乐福", None, "hypermarket"),
        ("wholesale", None, "Costco", None, "warehouse_club"),
        ("convenience", None, "Alepa", None, "convenience"),
        ("kiosk", None, "R-Kioski", None, "convenience"),
        ("department_store", None, "Stockmann", None, "department_store"),
        ("mall", None, "Forum", None, "shopping_mall"),
        ("doityourself", None, "Clas Ohlson", None, "home_centre"),
        ("clothes", None, "Shop", "Marimekko", "exclusive_shop"),
        ("clothes", None, "Shop", None, "specialty_store"),
        ("books", None, "Akateeminen", None, "specialty_store"),
        (None, "marketplace", "Vanha Kauppahalli", None, "specialty_market"),
        ("hairdresser", None, "Salon", None, None),
        (None, "cafe", "Café", None, None),
        ("Helsinki", None, "?", None, None),
    ],
)
def test_osm_categories_map_to_formats(
    shop: str | None, amenity: str | None, name: str, brand: str | None, expected: str | None
) -> None:
    assert format_of_osm(shop, amenity, name, brand) == expected


def test_format_names_in_english_and_chinese() -> None:
    assert normalise_format("超市") == "supermarket"
    assert normalise_format("Convenience Store") == "convenience"
    assert normalise_format("home center") == "home_centre"
    assert normalise_format("Shopping-Mall") == "shopping_mall"
    assert normalise_format("专卖店") == "exclusive_shop"
    assert normalise_format("Supermarkets") == "supermarket"
    assert normalise_format("spaceport") is None and normalise_format("") is None


def test_one_key_set_for_competition_pricing_and_rings() -> None:
    """Pricing names ("shopping mall", "warehouse club") find the same keys as competition."""
    from tradearea import pricing
    from tradearea.tradeareas import RING_PRESETS

    assert set(pricing.FORMATS) == set(FORMATS) == set(RING_PRESETS)
    assert format_key("shopping mall") == "shopping_mall"
    assert format_key("warehouse club") == "warehouse_club"
    assert format_key("exclusive/brand shop") == "exclusive_shop"
    assert pricing.Scenario().site.format == "shopping_mall"
    assert all(FORMATS[k].primary_ring_m == RING_PRESETS[k][0] for k in FORMATS)


def test_unknown_format_is_an_error_naming_the_value_and_the_keys() -> None:
    """No silent fallback to "supermarket": the error names the value and every valid key."""
    with pytest.raises(InputError, match="unknown retail format 'bakery'") as err:
        format_key("bakery")
    assert all(k in err.value.message for k in FORMATS)
    assert err.value.option == "format"


def test_floor_area_rules() -> None:
    stores = pd.DataFrame(
        {"store_id": list("abcd"), "name": list("abcd"), "format": ["convenience", "convenience", "supermarket", "supermarket"],
         "lat": 60.17, "lon": 24.94, "floor_area_m2": [2900.0, 300.0, np.nan, 9000.0],
         "floor_area_source": ["osm_building", "osm_building", None, "input"]}
    )  # fmt: skip
    out = fill_floor_area(stores).set_index("store_id")
    # a building share above the format's plausible maximum -> the format default
    assert (
        out.loc["a", "floor_area_m2"] == 150.0
        and out.loc["a", "floor_area_source"] == "format_default"
    )
    assert (
        out.loc["b", "floor_area_m2"] == 300.0
        and out.loc["b", "floor_area_source"] == "osm_building"
    )
    assert (
        out.loc["c", "floor_area_m2"] == 1500.0
        and out.loc["c", "floor_area_source"] == "format_default"
    )
    # what the user typed is kept, even if large
    assert out.loc["d", "floor_area_m2"] == 9000.0 and out.loc["d", "floor_area_source"] == "input"
    assert out.crs.to_epsg() == 4326 and (out["category"] == "grocery").all()


def test_floor_area_from_the_containing_building() -> None:
    building = gpd.GeoDataFrame(
        {"floor_area_m2": [1800.0]}, geometry=[box(24.939, 60.169, 24.941, 60.171)], crs=4326
    )
    stores = pd.DataFrame(
        {"store_id": ["a", "b", "c"], "format": ["supermarket", "convenience", "supermarket"],
         "lat": [60.170, 60.1701, 60.2], "lon": [24.940, 24.9401, 24.9], "floor_area_m2": np.nan}
    )  # fmt: skip
    out = fill_floor_area(stores, buildings=building).set_index("store_id")
    # two stores share the building: 900 m² each
    assert (
        out.loc["a", "floor_area_m2"] == 900.0
        and out.loc["a", "floor_area_source"] == "osm_building"
    )
    # 900 m² is more than a convenience store's plausible 600 m²: the format default instead
    assert (
        out.loc["b", "floor_area_m2"] == 150.0
        and out.loc["b", "floor_area_source"] == "format_default"
    )
    assert out.loc["c", "floor_area_source"] == "format_default"


def test_region_shops_as_competitors(demo_region: object) -> None:
    comp = competitors_from_region(demo_region)
    assert set(comp["format"]) <= set(FORMATS)
    assert set(comp["floor_area_source"]) <= set(FLOOR_AREA_SOURCES)
    assert comp["store_id"].is_unique and comp["floor_area_m2"].gt(0).all()
    maxima = comp["format"].map(lambda f: FORMATS[f].max_floor_area_m2)
    assert (comp["floor_area_m2"] <= maxima).all()
    grocery = competitors_from_region(demo_region, category="grocery")
    assert {"Lidl", "S-Market Hakaniemi", "Alepa"} <= set(grocery["name"])
    assert set(grocery["format"]) <= {"convenience", "supermarket", "hypermarket", "warehouse_club"}
    restaurants = demo_region.shops["category"].eq("amenity=restaurant").sum()
    assert restaurants > 100 and len(comp) < len(demo_region.shops) - restaurants


def test_read_the_example_competitors() -> None:
    comp = read_competitors(EXAMPLES / "competitors.csv")
    assert len(comp) == 15
    row = comp.set_index("store_id").loc["C08"]
    assert row["floor_area_m2"] == 150.0 and row["floor_area_source"] == "format_default"
    assert (comp.set_index("store_id").drop(index="C08")["floor_area_source"] == "input").all()
    assert comp.set_index("store_id").loc["S1", "role"] == "own"


def test_read_competitors_chinese_headers_and_gbk(tmp_path: Path) -> None:
    text = "名称,品牌,业态,纬度,经度,营业面积\n华联超市,华联,超市,39.91,116.40,2500\n全家,全家,便利店,39.92,116.41,\n"
    (tmp_path / "c.csv").write_bytes(text.encode("gbk"))
    comp = read_competitors(tmp_path / "c.csv")
    assert list(comp["format"]) == ["supermarket", "convenience"]
    assert list(comp["floor_area_source"]) == ["input", "format_default"]
    assert list(comp["store_id"]) == ["U001", "U002"]


def test_read_competitors_errors_name_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        "name,format,lat,lon\nA,supermarket,60.1,24.9\nB,spaceport,60.1,24.9\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        read_competitors(tmp_path / "a.csv")
    assert (e.value.row, e.value.column) == (2, "format")
    (tmp_path / "b.csv").write_text(
        "name,format,lat,lon\nA,supermarket,95,24.9\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        read_competitors(tmp_path / "b.csv")
    assert (e.value.row, e.value.column) == (1, "lat")
    (tmp_path / "c.csv").write_text(
        "name,format,lat,lon,floor_area_m2\nA,supermarket,60,24.9,-10\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        read_competitors(tmp_path / "c.csv")
    assert e.value.column == "floor_area_m2"
    (tmp_path / "d.csv").write_text("format,lat,lon\nsupermarket,60,24.9\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_competitors(tmp_path / "d.csv")
    assert e.value.column == "name"


def test_uploads_replace_matching_region_shops(demo_region: object) -> None:
    region = competitors_from_region(demo_region, category="grocery")
    lidl = region[region["name"] == "Lidl"].iloc[0]
    upload = pd.DataFrame({"store_id": ["U1"], "name": ["Lidl City"], "format": ["supermarket"],
                           "lat": [lidl["lat"] + 0.0001], "lon": [lidl["lon"]], "floor_area_m2": [1300.0]})  # fmt: skip
    both = combine_competitors(region, upload)
    assert "Lidl" not in set(both["name"]) and "Lidl City" in set(both["name"])
    assert len(both) == len(region)
    assert both.set_index("store_id").loc["U1", "source"] == "upload"
    assert len(remove_matches(region, upload)) == len(region) - 1
    far = upload.assign(lat=upload["lat"] + 0.01)
    assert len(combine_competitors(region, far)) == len(region) + 1
