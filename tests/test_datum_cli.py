"""The --datum option on every command that reads coordinates, and datum= on the readers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradearea import competition, crm
from tradearea.cli import app
from tradearea.demand import read_demand
from tradearea.geocode import gcj02_to_wgs84

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "data" / "examples"
STORES = str(EXAMPLES / "competitors.csv")
ZONES = str(EXAMPLES / "zones.geojson")
runner = CliRunner()

SHANGHAI_STORES = (
    "store_id,name,format,lat,lon,floor_area_m2\n"
    "S1,a,supermarket,31.2304,121.4737,1200\n"
    "S2,b,supermarket,31.2400,121.4800,900\n"
)
SHANGHAI_ZONES = "origin_id,demand,lat,lon\nZ1,1000,31.2350,121.4750\nZ2,500,31.2250,121.4700\n"


def _json(result: object) -> dict:
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]  # type: ignore[attr-defined]
    return json.loads(lines[-1])


def test_readers_convert_gcj02_inside_china_only(tmp_path: Path) -> None:
    stores = tmp_path / "stores.csv"
    stores.write_text(SHANGHAI_STORES, encoding="utf-8")
    got = competition.read_competitors(stores, datum="gcj02")
    w_lat, w_lon = gcj02_to_wgs84(31.2304, 121.4737)
    assert (got.loc[0, "lat"], got.loc[0, "lon"]) == pytest.approx((float(w_lat), float(w_lon)))
    assert got.geometry.iloc[0].x == pytest.approx(float(w_lon))
    helsinki = competition.read_competitors(STORES, datum="gcj02")
    np.testing.assert_array_equal(helsinki["lat"], competition.read_competitors(STORES)["lat"])
    zones = tmp_path / "zones.csv"
    zones.write_text(SHANGHAI_ZONES, encoding="utf-8")
    z = read_demand(zones, datum="bd09")
    assert abs(z.loc[0, "lat"] - 31.2350) > 1e-3  # BD-09 moves by ~1 km in Shanghai
    table = crm.read_crm(EXAMPLES / "crm_customers.csv", datum="gcj02").table
    plain = crm.read_crm(EXAMPLES / "crm_customers.csv").table
    np.testing.assert_array_equal(table["lat"], plain["lat"])  # Helsinki: left unchanged


def test_huff_datum_converts_and_warns_for_a_file_outside_china(tmp_path: Path) -> None:
    stores, zones = tmp_path / "stores.csv", tmp_path / "zones.csv"
    stores.write_text(SHANGHAI_STORES, encoding="utf-8")
    zones.write_text(SHANGHAI_ZONES, encoding="utf-8")
    out = tmp_path / "sales.csv"
    base = ["huff", "--stores", str(stores), "--demand", str(zones), "--out", str(out), "--json"]
    plain = runner.invoke(app, base)
    shifted = runner.invoke(app, [*base, "--datum", "gcj02"])
    assert plain.exit_code == 0 and shifted.exit_code == 0, shifted.output
    assert "warnings" not in _json(shifted)
    # both files shift together by ~500 m: shares barely move, but they are recomputed
    assert _json(shifted)["total_demand"] == pytest.approx(1500.0)
    result = runner.invoke(
        app, ["huff", "--stores", STORES, "--demand", ZONES, "--out", str(out), "--json",
              "--datum", "gcj02"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    warnings = _json(result)["warnings"]
    assert len(warnings) == 2 and all("declared GCJ-02" in w for w in warnings)
    assert "warning:" in result.stderr
    bad = runner.invoke(app, [*base, "--datum", "mars"])
    assert bad.exit_code == 2 and "--datum" in bad.stderr


def test_saturation_areas_crm_geocode_take_the_datum(tmp_path: Path, demo_region: object) -> None:
    sat = runner.invoke(
        app, ["saturation", "--areas", str(EXAMPLES / "crm_areas.geojson"), "--competitors",
              STORES, "--spend", "25", "--out", str(tmp_path / "irs.csv"), "--json",
              "--datum", "bd09"],
    )  # fmt: skip
    assert sat.exit_code == 0, sat.output
    assert "declared BD-09" in _json(sat)["warnings"][0]
    customers = tmp_path / "c.csv"
    pd.DataFrame({"respondent_id": ["R1", "R2"], "lat": [60.170, 60.171],
                  "lon": [24.941, 24.942]}).to_csv(customers, index=False)  # fmt: skip
    areas = runner.invoke(
        app, ["areas", str(customers), "--store", "60.1699,24.9420", "--method", "rings",
              "--out", str(tmp_path / "a.geojson"), "--json", "--datum", "gcj02"],
    )  # fmt: skip
    assert areas.exit_code == 0, areas.output
    assert "declared GCJ-02" in _json(areas)["warnings"][0]
    out = runner.invoke(
        app, ["crm", str(EXAMPLES / "crm_customers.csv"), "--areas",
              str(EXAMPLES / "crm_areas.geojson"), "--out", str(tmp_path / "crm.csv"), "--json",
              "--datum", "gcj02"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "declared GCJ-02" in _json(out)["warnings"][0]
    geo = runner.invoke(
        app, ["geocode", str(customers), "--region", "helsinki-center", "--out",
              str(tmp_path / "g.csv"), "--json", "--datum", "gcj02"],
    )  # fmt: skip
    assert geo.exit_code == 0, geo.output
    assert "declared GCJ-02" in _json(geo)["warnings"][0]
    legacy = runner.invoke(
        app, ["geocode", str(customers), "--region", "helsinki-center", "--out",
              str(tmp_path / "g.csv"), "--json", "--coords", "gcj02"],
    )  # fmt: skip
    assert legacy.exit_code == 0 and _json(legacy)["warnings"]


def test_huff_calibration_inputs_take_the_datum(tmp_path: Path, demo_region: object) -> None:
    args = ["huff", "--stores", STORES, "--demand", ZONES, "--out", str(tmp_path / "s.csv"),
            "--json", "--calibrate", str(REPO / "surveys" / "demo_survey.csv"),
            "--coords", str(REPO / "surveys" / "demo_survey_truth.csv")]  # fmt: skip
    plain = runner.invoke(app, args)
    declared = runner.invoke(app, [*args, "--datum", "gcj02"])
    assert plain.exit_code == 0 and declared.exit_code == 0, declared.output
    # Helsinki points are outside China: the same fit, and a warning for the files
    assert _json(declared)["beta"] == pytest.approx(_json(plain)["beta"])
    assert _json(declared)["warnings"]
