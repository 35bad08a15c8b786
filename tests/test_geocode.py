"""The offline geocoder: normalisation, the chain, coordinates, fixes, account, online opt-in."""

from __future__ import annotations

import math
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradearea.distance import great_circle_m as distance_m
from tradearea.geocode import (
    MATCH_LEVELS,
    OUTPUT_COLUMNS,
    STATUSES,
    account,
    account_table,
    add_fix,
    address_key,
    bd09_to_wgs84,
    build_index,
    candidates,
    datum_warning,
    fold,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    geocode_frame,
    in_china,
    parse_address,
    review_rows,
    wgs84_to_gcj02,
)
from tradearea.geocode.cache import GeocodeCache
from tradearea.geocode.chinese import _adcodes, bd09_to_gcj02
from tradearea.geocode.normalise import HouseNumber, parse_housenumber
from tradearea.geocode.online import OnlineGeocoder, make_online

# A small hand-made region: every expected point below is computed by hand from these rows.
ROWS = [
    ("Testikatu", "1", "00100", "Helsinki", 24.9400, 60.1700),
    ("Testikatu", "3", "00100", "Helsinki", 24.9410, 60.1700),
    ("Testikatu", "9", "00100", "Helsinki", 24.9440, 60.1700),
    ("Testikatu", "13-15", "00100", "Helsinki", 24.9450, 60.1700),
    ("Testikatu", "2", "00100", "Helsinki", 24.9400, 60.1705),
    ("Koulukatu", "5 A", "00100", "Helsinki", 24.9500, 60.1710),
    ("Koulukatu", "5 B", "00100", "Helsinki", 24.9501, 60.1711),
    ("Koulukatu", "7", "00100", "Helsinki", 24.9503, 60.1710),
    ("Kluuvikatu", "4", "00100", "Helsinki", 24.9470, 60.1686),
    ("Kluuvinkatu", "1", "00100", "Helsinki", 24.9477, 60.1680),
    ("Mäkelänkatu", "10", "00500", "Helsinki", 24.9510, 60.1900),
    ("Main Street", "12", "02100", "Espoo", 24.8000, 60.1800),
    ("南京东路", "100", None, None, 121.4800, 31.2350),
    ("南京东路", "102", None, None, 121.4802, 31.2351),
]


@pytest.fixture(scope="module")
def small() -> object:
    frame = pd.DataFrame(ROWS, columns=["street", "housenumber", "postcode", "city", "lon", "lat"])
    return build_index(frame, name="small")


def _one(address: str, index: object, **kwargs: object) -> pd.Series:
    return geocode_frame(pd.DataFrame({"address": [address]}), region=index, **kwargs).iloc[0]


# ---- normalisation ---------------------------------------------------------------------------


def test_fold_handles_case_diacritics_full_width_and_spaces() -> None:
    assert fold("  MÄKELÄNKATU   10 ") == "makelankatu 10"
    assert fold("Åbo Café Øster") == "abo cafe oster"
    assert fold("南京東路１００號") == "南京东路100号"
    assert address_key("Uudenmaank. 9-11, 00120 Helsinki") == "uudenmaank 9 11 00120 helsinki"


@pytest.mark.parametrize(
    ("text", "street_key", "house", "postcode", "city"),
    [
        (
            "Mannerheimintie 14 A, 00100 Helsinki",
            "mannerheimintie",
            (14, "a", None),
            "00100",
            "helsinki",
        ),
        (
            "00100 Helsinki, Mannerheimintie 14",
            "mannerheimintie",
            (14, "", None),
            "00100",
            "helsinki",
        ),
        ("Helsinki Mannerheimintie 14", "mannerheimintie", (14, "", None), None, None),
        ("Uudenmaank. 9-11, 00120 Helsinki", "uudenmaankatu", (9, "", 11), "00120", "helsinki"),
        ("Mannerheimint. 5", "mannerheimintie", (5, "", None), None, None),
        ("12 b Main St.", "mainstreet", (12, "b", None), None, None),
        ("Main Rd 3", "mainroad", (3, "", None), None, None),
        ("Mannerheimintie, 14", "mannerheimintie", (14, "", None), None, None),
        ("Mannerheimintie, Helsinki", "mannerheimintie", None, None, "helsinki"),
        ("Aleksanterinkatu 13 A, 5. krs./Floor 5", "aleksanterinkatu", (13, "a", None), None, None),
        ("上海市黄浦区南京东路100号", "南京东路", (100, "", None), None, None),
        ("北京市朝阳区建国路88-90号3楼", "建国路", (88, "", 90), None, None),
    ],
)
def test_parse_address_splits_street_number_postcode_city(
    text: str, street_key: str, house: tuple | None, postcode: str | None, city: str | None
) -> None:
    parsed = parse_address(text, cities=frozenset({"helsinki"}), postcodes=frozenset({"00100"}))
    assert street_key in parsed.street_keys
    assert parsed.house == (HouseNumber(*house) if house else None)
    assert parsed.postcode == postcode
    assert parsed.city == city


def test_house_numbers_letters_ranges_and_floor_words() -> None:
    assert parse_housenumber("13 A, 5. krs./Floor 5") == (HouseNumber(13, "a"), "5krsfloor5")
    assert parse_housenumber("36a")[0] == HouseNumber(36, "a")
    assert parse_housenumber("29-27")[0] == HouseNumber(27, "", 29)
    assert parse_housenumber("6 - 10")[0] == HouseNumber(6, "", 10)
    assert parse_housenumber("")[0] is None
    assert parse_address("Kauppakatu").house is None


# ---- the chain on the small region ------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "level", "score", "lat", "lon"),
    [
        ("Testikatu 3, 00100 Helsinki", "address", 100.0, 60.1700, 24.9410),
        ("  testikatu   3 ", "address", 100.0, 60.1700, 24.9410),
        ("Koulukatu 5", "address", 95.0, 60.1710, 24.9500),  # 5 -> 5 A
        ("Koulukatu 5 b", "address", 100.0, 60.1711, 24.9501),
        ("Koulukatu 5 C", "address", 90.0, 60.1710, 24.9500),  # letter C unknown -> 5 A
        ("Koulukatu 7 B", "address", 90.0, 60.1710, 24.9503),  # letter B unknown -> 7
        ("Testikatu 13-15", "address", 100.0, 60.1700, 24.9450),
        ("Testikatu 15", "address", 95.0, 60.1700, 24.9450),  # inside the range 13-15
        ("MÄKELÄNKATU 10", "address", 100.0, 60.1900, 24.9510),
        ("makelankatu 10, 00500", "address", 100.0, 60.1900, 24.9510),
        ("12 Main St., Espoo", "address", 100.0, 60.1800, 24.8000),
        ("上海市黄浦区南京东路100号", "address", 100.0, 31.2350, 121.4800),
        ("南京東路１００號", "address", 100.0, 31.2350, 121.4800),
        # number missing on the street: interpolated between 3 and 9 (t = 4/6), never 'address'
        ("Testikatu 7", "street", 70.0, 60.1700, 24.9410 + 4 / 6 * 0.0030),
        ("Testikatu 10", "street", 65.0, 60.1705, 24.9400),  # nearest even number: 2
        ("南京东路101号", "street", 65.0, 31.2350, 121.4800),  # nearest number 100
        ("00100 Helsinki", "postcode", 40.0, None, None),
        ("Espoo", "district", 20.0, 60.1800, 24.8000),
    ],
)
def test_chain_levels_scores_and_points(
    small: object, address: str, level: str, score: float, lat: float | None, lon: float | None
) -> None:
    row = _one(address, small)
    assert row["match_level"] == level
    assert row["match_score"] == pytest.approx(score)
    assert row["status"] == "geocoded"
    if lat is None:
        code = small.postcode_points["00100"]
        lat, lon = code[0], code[1]
    assert row["lat"] == pytest.approx(lat, abs=1e-7)
    assert row["lon"] == pytest.approx(lon, abs=1e-7)


def test_street_without_number_lands_on_the_street_never_at_address_level(small: object) -> None:
    row = _one("Testikatu, Helsinki", small)
    assert (row["match_level"], row["match_score"], row["matched_address"]) == (
        "street",
        60.0,
        "Testikatu",
    )
    assert "no house number" in row["reason"]


def test_transposition_typo_is_repaired_and_said(small: object) -> None:
    row = _one("Tsetikatu 3", small)
    assert (row["match_level"], row["status"], row["match_score"]) == ("address", "repaired", 90.0)
    assert "read as 'Testikatu'" in row["reason"]
    assert (row["lat"], row["lon"]) == (60.1700, 24.9410)


def test_look_alike_streets_tie_broken_by_house_number_else_unmatched(small: object) -> None:
    # 'kluuviakatu' is one edit from both Kluuvikatu and Kluuvinkatu; only Kluuvikatu has a 4.
    row = _one("Kluuviakatu 4", small)
    assert row["matched_address"].startswith("Kluuvikatu 4")
    row = _one("Kluuviakatu 8", small)
    assert row["status"] == "unmatched"
    assert "ambiguous" in row["reason"]


@pytest.mark.parametrize(
    "address", ["Olematonkatu 3, 00100 Helsinki", "Testitie 3", "Koulupolku 5", "Kasarmikatu 2"]
)
def test_unknown_street_is_unmatched_not_snapped_nor_postcode(small: object, address: str) -> None:
    row = _one(address, small)
    assert (row["status"], row["match_level"], row["match_score"]) == ("unmatched", "unmatched", 0)
    assert math.isnan(row["lat"]) and math.isnan(row["lon"])
    assert "not found" in row["reason"]


def test_chinese_district_centroid_from_cpca_and_unknown_road(small: object) -> None:
    row = _one("上海市徐汇区", small)
    assert row["match_level"] == "district"
    assert row["match_score"] == 25.0
    assert "徐汇区" in row["matched_address"]
    # cpca's bundled centroid of Xuhui district (adcode 310104)
    assert row["lat"] == pytest.approx(31.188, abs=0.05)
    assert row["lon"] == pytest.approx(121.437, abs=0.05)
    assert _one("上海市浦东新区不存在路5号", small)["status"] == "unmatched"


def test_rejections_duplicates_and_empty_addresses(small: object) -> None:
    frame = pd.DataFrame(
        {
            "respondent_id": ["R1", "R2", "R1", "R3", " "],
            "address": ["Testikatu 3", "", "Testikatu 1", "  ,  ", "Testikatu 9"],
        }
    )
    out = geocode_frame(frame, region=small)
    assert out["status"].tolist() == ["geocoded", "rejected", "rejected", "rejected", "geocoded"]
    assert out.loc[1, "reason"] == "empty address"
    assert out.loc[2, "reason"] == "duplicate respondent id R1 (first at row 1)"
    assert list(out.columns) == ["respondent_id", "address", *OUTPUT_COLUMNS]


def test_input_coordinates_pass_swapped_out_of_range_and_unreadable(small: object) -> None:
    frame = pd.DataFrame(
        {
            "address": ["", "", "", "Testikatu 3", "", "", "Testikatu 1"],
            "lat": ["60.17", "24.94", "95", "95", "0", "abc", ""],
            "lon": ["24.94", "60.17", "24.94", "24.94", "0", "24.9", ""],
        }
    )
    out = geocode_frame(frame, region=small, lat_col="lat", lon_col="lon")
    assert out["status"].tolist() == [
        "geocoded",
        "repaired",
        "rejected",
        "repaired",
        "rejected",
        "rejected",
        "geocoded",
    ]
    assert out["match_level"].tolist()[:4] == [
        "input_coords",
        "input_coords",
        "unmatched",
        "address",
    ]
    assert (out.loc[1, "lat"], out.loc[1, "lon"]) == (60.17, 24.94)
    assert "swapped" in out.loc[1, "reason"]
    assert out.loc[2, "reason"] == "coordinates out of range (lat 95, lon 24.94)"
    assert out.loc[3, "reason"].startswith(
        "coordinates out of range (lat 95, lon 24.94): placed from"
    )
    assert "0,0" in out.loc[4, "reason"]
    assert "unreadable" in out.loc[5, "reason"]
    assert out.loc[6, "match_level"] == "address"


def test_decimal_commas_and_gcj02_input_coordinates(small: object) -> None:
    frame = pd.DataFrame({"address": [""], "lat": ["31,2304"], "lon": ["121,4737"]})
    out = geocode_frame(frame, region=small, lat_col="lat", lon_col="lon", coord_system="gcj02")
    w_lat, w_lon = gcj02_to_wgs84(31.2304, 121.4737)
    assert out.loc[0, "lat"] == pytest.approx(float(w_lat), abs=1e-9)
    assert out.loc[0, "lon"] == pytest.approx(float(w_lon), abs=1e-9)
    assert "converted from GCJ-02" in out.loc[0, "reason"]
    shift = distance_m(31.2304, 121.4737, w_lat, w_lon)
    assert 100 < float(shift) < 800  # GCJ-02 shifts Shanghai by a few hundred metres


def test_gcj02_and_bd09_match_published_vectors_and_round_trip() -> None:
    # wandergis/coordtransform README: wgs84togcj02 / gcj02tobd09 / bd09togcj02 of (116.404, 39.915)
    g_lat, g_lon = wgs84_to_gcj02(39.915, 116.404)
    assert (float(g_lat), float(g_lon)) == pytest.approx(
        (39.91640428150164, 116.41024449916938), abs=1e-12
    )
    b_lat, b_lon = gcj02_to_bd09(39.915, 116.404)
    assert (float(b_lat), float(b_lon)) == pytest.approx(
        (39.92133699351021, 116.41036949371029), abs=1e-12
    )
    c_lat, c_lon = bd09_to_gcj02(39.915, 116.404)
    assert (float(c_lat), float(c_lon)) == pytest.approx(
        (39.90865673957631, 116.39762729119315), abs=2e-6
    )
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(18, 53, 2000), rng.uniform(74, 134, 2000)
    # the shifts apply inside China's outline only (issue 18): round trips hold for points
    # that stay inside it when shifted (not those within a shift of the outline's edge)
    g = wgs84_to_gcj02(lat, lon)
    keep = in_china(lat, lon) & in_china(*g) & in_china(*gcj02_to_bd09(*g))
    assert keep.sum() > 600
    lat, lon = lat[keep], lon[keep]
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
    assert distance_m(lat, lon, *back).max() < 0.5
    back = bd09_to_wgs84(*gcj02_to_bd09(*wgs84_to_gcj02(lat, lon)))
    assert distance_m(lat, lon, *back).max() < 0.5
    # outside China nothing moves
    assert tuple(map(float, wgs84_to_gcj02(60.17, 24.94))) == (60.17, 24.94)


# ---- fixes, account, review, candidates -------------------------------------------------------


def test_fixes_by_respondent_and_by_address_are_applied_first(small: object) -> None:
    fixes = add_fix(None, respondent_id="R1", lat=60.18, lon=24.95, how="placed")
    fixes = add_fix(fixes, address="OLEMATONKATU 3", lat=60.171, lon=24.941, how="pick",
                    matched_address="Testikatu 3", match_score=88)  # fmt: skip
    fixes = add_fix(fixes, respondent_id="R1", lat=60.19, lon=24.96, how="placed")  # replaces
    assert len(fixes) == 2
    assert fixes.crs.to_epsg() == 4326
    frame = pd.DataFrame(
        {
            "respondent_id": ["R1", "R2", "R3"],
            "address": ["Testikatu 3", "olematonkatu  3", "Testikatu 1"],
        }
    )
    out = geocode_frame(frame, region=small, fixes=fixes)
    assert out["status"].tolist() == ["repaired", "repaired", "geocoded"]
    assert (out.loc[0, "lat"], out.loc[0, "lon"], out.loc[0, "match_level"]) == (
        60.19,
        24.96,
        "input_coords",
    )
    assert out.loc[0, "reason"] == "fixed by analyst (placed)"
    assert (out.loc[1, "match_level"], out.loc[1, "match_score"]) == ("address", 88.0)
    with pytest.raises(ValueError, match="out of range"):
        add_fix(None, respondent_id="R1", lat=91, lon=0, how="placed")


def test_account_adds_up_and_review_lists_unmatched_and_low_scores(small: object) -> None:
    frame = pd.DataFrame(
        {"address": ["Testikatu 3", "Tsetikatu 9", "Olematonkatu 1", "", "Testikatu", "00100"]}
    )
    out = geocode_frame(frame, region=small)
    acc = account(out)
    assert acc == {
        "rows": 6,
        "geocoded": 3,
        "repaired": 1,
        "unmatched": 1,
        "rejected": 1,
        "placed": 4,
        "by_match_level": {
            "input_coords": 0,
            "address": 2,
            "street": 1,
            "postcode": 1,
            "district": 0,
            "online": 0,
            "unmatched": 2,
        },
        "low_score": 2,
    }
    table = account_table(out)
    assert table["count"].tolist() == [3, 1, 1, 1, 6]
    assert review_rows(out)["address"].tolist() == ["Olematonkatu 1", "Testikatu", "00100"]


def test_candidates_rank_the_likely_address_first(small: object) -> None:
    cands = candidates("Koulkuatu 7", region=small, k=3)
    assert cands.loc[0, "matched_address"].startswith("Koulukatu 7")
    assert list(cands.columns) == [
        "matched_address",
        "lat",
        "lon",
        "match_level",
        "match_score",
        "street_similarity",
    ]
    assert len(cands) <= 3
    assert cands["match_score"].is_monotonic_decreasing


def test_progress_reports_rows_up_to_the_total(small: object) -> None:
    calls: list[tuple[int, int]] = []
    frame = pd.DataFrame({"address": ["Testikatu 1", "Testikatu 3", "", "Testikatu 1"] * 50})
    geocode_frame(frame, region=small, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (200, 200)
    done = [d for d, _ in calls]
    assert done == sorted(done)


def test_missing_address_column_names_the_column(small: object) -> None:
    from tradearea.errors import InputError

    with pytest.raises(InputError) as err:
        geocode_frame(pd.DataFrame({"addr_x": ["a"]}), region=small)
    assert err.value.column == "address"
    twice = pd.DataFrame([["Testikatu 1", "x"]], columns=["address", "address"])
    with pytest.raises(InputError, match="column names repeat: address"):
        geocode_frame(twice, region=small)


def test_empty_tables_and_empty_regions() -> None:
    empty_region = build_index(pd.DataFrame(columns=["street", "housenumber", "lon", "lat"]))
    out = geocode_frame(pd.DataFrame({"address": ["Testikatu 1", "00100"]}), region=empty_region)
    assert out["status"].tolist() == ["unmatched", "unmatched"]
    assert account(geocode_frame(pd.DataFrame({"address": []}), region=empty_region))["rows"] == 0


ADDRESS_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Testikatu 3", "Tsetikatu 9", "Olematonkatu 1", "", "00100", "南京东路100号"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["R1", "R2", "R3", "", "R4"]),
            ADDRESS_TEXT,
            st.one_of(
                st.just(""),
                st.floats(allow_nan=True, allow_infinity=True).map(str),
                st.text(max_size=6),
            ),
            st.one_of(st.just(""), st.floats(-200, 200).map(str)),
        ),
        max_size=25,
    )
)
def test_property_the_account_always_adds_up(small: object, rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=["respondent_id", "address", "lat", "lon"])
    out = geocode_frame(frame, region=small, lat_col="lat", lon_col="lon")
    assert len(out) == len(frame)
    acc = account(out)
    assert sum(acc[s] for s in STATUSES) == len(frame)
    assert sum(acc["by_match_level"].values()) == len(frame)
    assert set(out["match_level"]) <= set(MATCH_LEVELS)
    placed = out["status"].isin(["geocoded", "repaired"])
    assert np.isfinite(out.loc[placed, ["lat", "lon"]].to_numpy(float)).all()
    assert out.loc[~placed, "lat"].isna().all()
    assert out["match_score"].between(0, 100).all()
    assert (out.loc[out["status"] == "rejected", "reason"] != "").all()


# ---- online: off by default, rate limited, cached, retried -----------------------------------


class FakeGeocoder:
    """Stands in for a geopy geocoder; records when it was asked (on a fake clock)."""

    def __init__(self, clock: list[float], answers: dict[str, tuple[float, float] | None]) -> None:
        self.clock = clock
        self.answers = answers
        self.calls: list[tuple[float, str]] = []
        self.fail_first = 0

    def geocode(self, query: str, exactly_one: bool = True) -> object:
        from geopy.exc import GeocoderTimedOut
        from geopy.location import Location

        self.calls.append((self.clock[0], query))
        if self.fail_first:
            self.fail_first -= 1
            raise GeocoderTimedOut("slow")
        got = self.answers.get(query)
        if got is None:
            return None
        return Location(f"{query} (online)", got, {"importance": 0.5})


def _fake(tmp_path: object, answers: dict) -> tuple[OnlineGeocoder, FakeGeocoder, list[float]]:
    clock = [1000.0]
    fake = FakeGeocoder(clock, answers)

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    online = OnlineGeocoder(
        fake,
        provider="nominatim",
        cache=GeocodeCache(tmp_path / "cache.sqlite"),
        clock=lambda: clock[0],
        sleep=sleep,
    )
    return online, fake, clock


def test_online_is_off_by_default_and_never_touches_the_network(
    small: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr("geopy.geocoders.get_geocoder_for_service", refuse)
    out = _one("Olematonkatu 3", small)
    assert out["status"] == "unmatched"
    assert make_online(False) is None and make_online(None) is None
    code = (
        "import sys, tradearea.geocode, tradearea.surveys; print('geopy.geocoders' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_online_rate_limit_cache_and_dedup(small: object, tmp_path: object) -> None:
    answers = {"Olematonkatu 3": (60.2, 24.9), "Foo 1": (60.3, 24.8), "Bar 2": None}
    online, fake, _ = _fake(tmp_path, answers)
    frame = pd.DataFrame(
        {"address": ["Olematonkatu 3", "Foo 1", "Bar 2", "Olematonkatu 3", "Testikatu 3"]}
    )
    out = geocode_frame(frame, region=small, online=online)
    assert out["match_level"].tolist() == ["online", "online", "unmatched", "online", "address"]
    assert (out.loc[1, "lat"], out.loc[1, "lon"], out.loc[1, "match_score"]) == (60.3, 24.8, 75.0)
    assert [q for _, q in fake.calls] == ["Olematonkatu 3", "Foo 1", "Bar 2"]
    gaps = np.diff([t for t, _ in fake.calls])
    assert (gaps >= 1.0).all()  # the public Nominatim allows one request per second
    # a second run asks nothing: answers, and "not found", come from the SQLite cache
    out2 = geocode_frame(frame, region=small, online=online)
    assert len(fake.calls) == 3
    assert out2["lat"].equals(out["lat"])
    assert online.cache.journal_mode == "wal"
    assert len(online.cache) == 3


def test_online_retries_timeouts_with_backoff(tmp_path: object) -> None:
    online, fake, _ = _fake(tmp_path, {"Foo 1": (60.3, 24.8)})
    fake.fail_first = 1
    got = online.lookup("Foo 1")
    assert got is not None and (got["lat"], got["lon"]) == (60.3, 24.8)
    assert len(fake.calls) == 2
    assert fake.calls[1][0] - fake.calls[0][0] >= 2.0  # waited before retrying


def test_default_online_geocoder_is_nominatim_with_user_agent_and_cache_dir(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEAREA_CACHE", str(tmp_path))
    online = make_online(True)
    assert online.provider == "nominatim" and online.min_delay_s == 1.0
    assert online.cache.path == tmp_path / "geocode_cache.sqlite"
    assert online.cache.path.exists()
    geocoder = online.geocoder  # created lazily, no request made
    assert type(geocoder).__name__ == "Nominatim"
    assert "tradearea" in geocoder.headers["User-Agent"]


def test_coordinates_far_outside_the_region_are_flagged_for_review() -> None:
    # issue 18: Chinese coordinates in a Helsinki project came out "geocoded, score 100"
    helsinki = build_index(
        pd.DataFrame(
            ROWS[:12], columns=["street", "housenumber", "postcode", "city", "lon", "lat"]
        ),
        name="helsinki",
    )
    frame = pd.DataFrame(
        {
            "address": ["", "Testikatu 3", ""],
            "lat": ["31.2304", "31.2304", "60.18"],
            "lon": ["121.4737", "121.4737", "24.95"],
        }
    )
    out = geocode_frame(frame, region=helsinki, lat_col="lat", lon_col="lon")
    assert out.loc[0, "match_score"] < 80 and "far outside the region" in out.loc[0, "reason"]
    assert (out.loc[0, "lat"], out.loc[0, "lon"]) == (31.2304, 121.4737)  # kept, for review
    assert out.loc[1, "match_level"] == "address" and out.loc[1, "status"] == "repaired"
    assert out.loc[1, "reason"].startswith("coordinates far outside the region")
    assert (out.loc[2, "status"], out.loc[2, "match_score"]) == ("geocoded", 100.0)
    assert review_rows(out).index.tolist() == [0]
    assert account(out)["low_score"] == 1


CITIES_OUTSIDE = {  # (lat, lon): none of them uses GCJ-02 or BD-09
    "Seoul": (37.5665, 126.9780),
    "Ulaanbaatar": (47.8864, 106.9057),
    "Hanoi": (21.0278, 105.8342),
    "Helsinki": (60.1699, 24.9384),
    "Taipei": (25.0330, 121.5654),
    "Pyongyang": (39.0392, 125.7625),
}
CITIES_INSIDE = {
    "Shanghai": (31.2304, 121.4737),
    "Beijing": (39.9042, 116.4074),
    "Urumqi": (43.8256, 87.6168),
    "Sanya": (18.2528, 109.5119),
    "Qingdao": (36.0671, 120.3826),
}


def test_gcj02_and_bd09_apply_only_inside_china() -> None:
    # issue 18: "China" was a rectangle (Seoul, Ulaanbaatar, Hanoi moved ~450 m under gcj02) and
    # bd09 moved every point on Earth (Helsinki by 762 m)
    lat, lon = (np.array(v) for v in zip(*CITIES_OUTSIDE.values(), strict=True))
    assert not in_china(lat, lon).any()
    for convert in (wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, bd09_to_wgs84):
        c_lat, c_lon = convert(lat, lon)
        assert float(np.abs(distance_m(lat, lon, c_lat, c_lon)).max()) == 0.0, convert.__name__
    lat, lon = (np.array(v) for v in zip(*CITIES_INSIDE.values(), strict=True))
    assert in_china(lat, lon).all()
    shift = distance_m(lat, lon, *bd09_to_wgs84(lat, lon))
    assert (np.asarray(shift) > 100).all()


def test_a_whole_file_declared_gcj02_outside_china_warns() -> None:
    lat, lon = zip(*CITIES_OUTSIDE.values(), strict=True)
    message = datum_warning(lat, lon, system="gcj02", what="survey.csv")
    assert message.startswith("survey.csv is declared GCJ-02") and "left unchanged" in message
    assert datum_warning(lat, lon, system="wgs84") == ""
    assert datum_warning([31.23, 60.17], [121.47, 24.94], system="bd09") == ""


def test_declared_gcj02_rows_outside_china_are_left_and_said(small: object) -> None:
    frame = pd.DataFrame(
        {"address": ["", ""], "lat": ["60.1705", "31.2304"], "lon": ["24.9400", "121.4737"]}
    )
    out = geocode_frame(frame, region=small, lat_col="lat", lon_col="lon", coord_system="gcj02")
    assert (out.loc[0, "lat"], out.loc[0, "lon"]) == (60.1705, 24.94)
    assert "outside China: left unchanged" in out.loc[0, "reason"]
    assert "converted from GCJ-02" in out.loc[1, "reason"] and out.loc[1, "lat"] != 31.2304


def test_bundled_district_centroids_are_converted_from_gcj02() -> None:
    name, lat, lon = _adcodes()["110000"]
    w_lat, w_lon = gcj02_to_wgs84(39.904211, 116.407394)  # cpca's raw value, GCJ-02
    assert name == "北京市" and (lat, lon) == pytest.approx((float(w_lat), float(w_lon)), abs=1e-9)


def test_a_rejected_row_with_an_empty_address_can_be_placed_by_a_fix(small: object) -> None:
    # issue 18: rows rejected for an empty address were not offered for review nor fixable
    frame = pd.DataFrame(
        {
            "respondent_id": ["A", "B", "B"],
            "address": ["", "Testikatu 1", "Testikatu 3"],
            "status": ["rejected", "", ""],
            "reason": ["empty address", "", ""],
        }
    )
    out = geocode_frame(frame, region=small)
    assert out.loc[0, "status"] == "rejected"
    listed = review_rows(out, rejected=True).index.tolist()
    assert listed == [0]  # not the repeated id B (a fix by id would go to the first B)
    assert review_rows(out).index.tolist() == []
    fixes = add_fix(None, respondent_id="A", lat=60.17, lon=24.94, how="placed")
    fixed = geocode_frame(frame, region=small, fixes=fixes)
    assert (fixed.loc[0, "status"], fixed.loc[0, "lat"]) == ("repaired", 60.17)
