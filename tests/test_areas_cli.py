"""`tradearea areas`: outputs, JSON summary, exit codes and messages for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from tradearea.cli import app

STORE = "60.169922,24.941997"
REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def geocoded(tmp_path_factory: pytest.TempPathFactory, demo_region: object) -> Path:
    """The demo survey placed at its true addresses, with one row not placed."""
    survey = pd.read_csv(REPO / "surveys" / "demo_survey.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(REPO / "surveys" / "demo_survey_truth.csv")
    frame = survey.merge(truth[["respondent_id", "lat", "lon"]], on="respondent_id")
    frame.loc[0, "respondent_id"] = "=HYPERLINK(1)"
    frame.loc[5, ["lat", "lon"]] = None
    path = tmp_path_factory.mktemp("cli") / "geocoded.csv"
    frame.to_csv(path, index=False)
    return path


def _run(*args: str) -> tuple[int, dict | None, str]:
    result = runner.invoke(app, ["areas", *args])
    out = result.stdout.strip().splitlines()
    payload = json.loads(out[-1]) if out and out[-1].startswith("{") else None
    return result.exit_code, payload, result.stderr


def test_help_shows_examples() -> None:
    result = runner.invoke(app, ["areas", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--thresholds" in result.stdout


def test_share_writes_geojson_that_recounts(geocoded: Path, tmp_path: Path) -> None:
    out = tmp_path / "areas.geojson"
    cust_out = tmp_path / "customers.csv"
    code, payload, err = _run(
        str(geocoded),
        "--store",
        STORE,
        "--out",
        str(out),
        "--customers-out",
        str(cust_out),
        "--json",
    )
    assert code == 0, err
    assert payload["ok"] and payload["method"] == "share"
    tiers = payload["tiers"]
    assert [t["tier_name"] for t in tiers] == ["primary", "secondary", "tertiary"]
    acc = payload["account"]
    assert acc["input_rows"] == 150 and acc["not_placed"] == 1
    assert sum(t["customers"] for t in tiers) + acc["outliers"] + acc["not_placed"] == 150
    assert tiers[0]["cumulative_share"] >= 0.75 and tiers[2]["cumulative_share"] >= 0.95
    assert "areas: share" in err and "primary" in err
    # the file a GIS opens: same counts by point-in-polygon
    areas = gpd.read_file(out)
    assert areas.crs.to_epsg() == 4326 and len(areas) == 3
    assert {
        "store_id",
        "tier",
        "tier_name",
        "threshold",
        "cutoff",
        "cutoff_unit",
        "customers",
        "weight_share",
        "households",
    } <= set(areas.columns)
    points = pd.read_csv(geocoded).dropna(subset=["lat"])
    for row in areas.itertuples():
        assert (
            shapely.intersects_xy(row.geometry, points["lon"], points["lat"]).sum() == row.customers
        )
    # per-customer tiers, formula-safe
    cust = pd.read_csv(cust_out)
    assert len(cust) == 150
    assert cust["respondent_id"].iloc[0] == "'=HYPERLINK(1)"
    assert set(cust["tier_name"]) <= {"primary", "secondary", "tertiary", "outlier", "not placed"}


def test_walk_metric_with_preset(geocoded: Path, tmp_path: Path) -> None:
    out = tmp_path / "walk.geojson"
    code, payload, err = _run(
        str(geocoded),
        "--store",
        STORE,
        "--metric",
        "walk",
        "--thresholds",
        "Applebaum 65/85/95",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0, err
    assert [t["threshold"] for t in payload["tiers"]] == [0.65, 0.85, 0.95]
    assert all(t["cutoff_unit"] == "s" for t in payload["tiers"])


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        (["--method", "rings", "--format", "supermarket"], lambda t: t[0]["cutoff"] == 1000),
        (["--method", "rings", "--radii", "0.5,1,2"], lambda t: t[2]["cutoff"] == 2000),
        (["--method", "drive", "--minutes", "1,2"], lambda t: t[1]["cutoff"] == 120),
        (["--method", "penetration", "--thresholds", "3,1"], lambda t: len(t) == 2),
    ],
)
def test_other_methods(geocoded: Path, tmp_path: Path, extra: list[str], check) -> None:
    code, payload, err = _run(
        str(geocoded), "--store", STORE, *extra, "--out", str(tmp_path / "o.geojson"), "--json"
    )
    assert code == 0, err
    assert check(payload["tiers"])


def test_two_stores_report_overlap(geocoded: Path, tmp_path: Path) -> None:
    code, payload, err = _run(
        str(geocoded),
        "--store",
        STORE,
        "--store",
        "60.1720,24.9480",
        "--method",
        "rings",
        "--radii",
        "0.3,0.6,1",
        "--out",
        str(tmp_path / "two.geojson"),
        "--json",
    )
    assert code == 0, err
    assert {t["store_id"] for t in payload["tiers"]} == {"S1", "S2"}
    (overlap,) = payload["overlap"]
    assert overlap["shared_area_m2"] > 0 and overlap["shared_customers"] > 0


def test_zones_file_for_penetration(geocoded: Path, tmp_path: Path) -> None:
    zone = shapely.box(24.935, 60.164, 24.954, 60.180)
    zones = gpd.GeoDataFrame(
        {"zone_id": ["all"], "households": [1000]}, geometry=[zone], crs="EPSG:4326"
    )
    zpath = tmp_path / "zones.geojson"
    zones.to_file(zpath, driver="GeoJSON")
    code, payload, err = _run(
        str(geocoded),
        "--store",
        STORE,
        "--method",
        "penetration",
        "--zones",
        str(zpath),
        "--thresholds",
        "10,5",
        "--weight-col",
        "customers",
        "--out",
        str(tmp_path / "z.geojson"),
        "--json",
    )
    assert code == 0, err
    # 149 placed customers / 1,000 households = 14.9 %: one zone, primary
    assert payload["tiers"][0]["customers"] == 149
    assert payload["tiers"][0]["households"] == 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--thresholds", "90,75"], "must increase"),
        (["--thresholds", "abc"], "expected percents"),
        (["--method", "magic"], "--method"),
        (["--metric", "bike"], "--metric"),
        (["--weight-col", "nope"], "weight column 'nope'"),
        (["--method", "rings", "--radii", "3,1"], "increasing"),
        (["--method", "walk", "--region", "atlantis"], "not built"),
    ],
)
def test_bad_options_exit_2(geocoded: Path, tmp_path: Path, args: list[str], message: str) -> None:
    code, payload, err = _run(
        str(geocoded), "--store", STORE, *args, "--out", str(tmp_path / "x.geojson"), "--json"
    )
    assert code == 2
    assert message in err
    assert payload is None or payload["ok"] is False
    assert "Traceback" not in err


def test_bad_rows_name_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("respondent_id,lat,lon\nA,60.17,24.94\nB,sixty,24.94\n", encoding="utf-8")
    code, payload, err = _run(
        str(path), "--store", STORE, "--out", str(tmp_path / "o.geojson"), "--json"
    )
    assert code == 2
    assert "bad.csv" in err and "row 2" in err and "'lat'" in err
    assert payload["row"] == 2 and payload["column"] == "lat"


def test_missing_store_and_file(tmp_path: Path, geocoded: Path) -> None:
    code, _, err = _run(str(geocoded), "--out", str(tmp_path / "o.geojson"))
    assert code == 2 and "--store" in err
    code, _, err = _run(str(geocoded), "--store", "91,0", "--out", str(tmp_path / "o.geojson"))
    assert code == 2 and "latitude" in err
    code, _, err = _run(str(tmp_path / "nope.csv"), "--store", STORE, "--out", "o.geojson")
    assert code == 2 and "not found" in err


def test_addresses_are_geocoded_offline_before_the_tiers(
    tmp_path: Path, demo_region: object
) -> None:
    """A file of addresses only is placed by the offline geocoder, then tiered."""
    path = tmp_path / "addresses.csv"
    rows = "".join(f"R{i},Mannerheimintie {i}\n" for i in range(2, 30, 2))
    path.write_text("respondent_id,address\n" + rows, encoding="utf-8")
    code, payload, err = _run(
        str(path), "--store", STORE, "--method", "rings", "--region", "helsinki-center",
        "--out", str(tmp_path / "o.geojson"), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert payload is not None and payload["ok"] is True
    assert (tmp_path / "o.geojson").is_file()
