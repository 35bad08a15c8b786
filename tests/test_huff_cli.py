"""CLI: ``tradearea huff`` and ``tradearea saturation`` (exit codes, --json, files)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from tradearea.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "data" / "examples"
STORES = str(EXAMPLES / "competitors.csv")
ZONES = str(EXAMPLES / "zones.geojson")
runner = CliRunner()


def _run(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, list(args))
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]
    return result.exit_code, (json.loads(lines[-1]) if lines else {})


def test_huff_on_the_example_files(tmp_path: Path) -> None:
    out = tmp_path / "sales.csv"
    code, summary = _run("huff", "--stores", STORES, "--demand", ZONES, "--out", str(out), "--json")
    assert code == 0, summary
    assert summary["ok"] and summary["parameters_source"] == "default"
    assert (summary["alpha"], summary["beta"]) == (1.0, 2.0)
    assert summary["spend_per_household"] == 90.0 and summary["zones"] == 29
    sales = pd.read_csv(out)
    assert len(sales) == 15 and sales["expected_sales"].is_monotonic_decreasing
    assert sales["expected_sales"].sum() == pytest.approx(summary["total_demand"], rel=1e-12)
    assert sales["sales_share"].sum() == pytest.approx(1.0)


def test_cost_table_equals_straight_lines(tmp_path: Path) -> None:
    from tradearea.demand import read_demand
    from tradearea.distance import great_circle_m

    zones = read_demand(ZONES, spend=90.0)
    stores = pd.read_csv(STORES)
    d = great_circle_m(
        zones["lat"].to_numpy()[:, None],
        zones["lon"].to_numpy()[:, None],
        stores["lat"].to_numpy()[None],
        stores["lon"].to_numpy()[None],
    )
    od = pd.DataFrame(
        [
            (o, s, d[i, j])
            for i, o in enumerate(zones["origin_id"])
            for j, s in enumerate(stores["store_id"])
        ],
        columns=["origin_id", "store_id", "cost"],
    )
    od.to_csv(tmp_path / "od.csv", index=False)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert (
        _run(
            "huff",
            "--stores",
            STORES,
            "--demand",
            ZONES,
            "--out",
            str(a),
            "--alpha",
            "0.9",
            "--beta",
            "1.7",
        )[0]
        == 0
    )
    code, summary = _run("huff", "--stores", STORES, "--demand", ZONES, "--costs", str(tmp_path / "od.csv"), "--min-cost", "50",
                         "--alpha", "0.9", "--beta", "1.7", "--out", str(b), "--json")  # fmt: skip
    assert code == 0 and summary["cost_kind"] == "table" and summary["parameters_source"] == "user"
    np.testing.assert_allclose(
        pd.read_csv(a)["expected_sales"], pd.read_csv(b)["expected_sales"], rtol=1e-9
    )


def test_calibrate_from_the_demo_survey(tmp_path: Path, demo_region: object) -> None:
    code, summary = _run(
        "huff", "--stores", STORES, "--demand", ZONES, "--out", str(tmp_path / "s.csv"), "--json",
        "--calibrate", str(REPO / "surveys" / "demo_survey.csv"), "--coords", str(REPO / "surveys" / "demo_survey_truth.csv"),
    )  # fmt: skip
    assert code == 0, summary
    cal = summary["calibration"]
    assert summary["parameters_source"] == "survey_ml" and summary["beta"] == cal["beta"]
    assert cal["n_respondents"] == 150 and cal["converged"] and cal["se_beta"] > 0
    assert summary["survey"]["own_store_id"] == "S1"
    code, summary = _run(
        "huff", "--stores", STORES, "--demand", ZONES, "--out", str(tmp_path / "s.csv"), "--json", "--method", "mci",
        "--calibrate", str(REPO / "surveys" / "demo_survey.csv"), "--coords", str(REPO / "surveys" / "demo_survey_truth.csv"),
        "--beta", "2",
    )  # fmt: skip
    assert code == 0 and summary["parameters_source"] == "survey_mci" and summary["beta"] == 2.0
    assert summary["calibration"]["r2"] is not None


def test_candidate_forecast(tmp_path: Path) -> None:
    code, summary = _run("huff", "--stores", STORES, "--demand", ZONES, "--out", str(tmp_path / "s.csv"), "--json",
                         "--candidate", "60.1675,24.945", "--candidate-area", "1200")  # fmt: skip
    assert code == 0
    fc = summary["forecast"]
    assert fc["candidate"]["floor_area_m2"] == 1200.0
    assert fc["expected_sales"] > 0
    assert fc["from_own"] + fc["from_competitors"] == pytest.approx(fc["expected_sales"], rel=1e-9)
    assert 0 < fc["cannibalisation_share"] < 1  # the own store S1 is 500 m away
    assert fc["irs"]["irs_with_candidate"] < fc["irs"]["irs"]


def test_huff_demand_with_origin_demand_lat_lon_and_no_households(tmp_path: Path) -> None:
    # issue 18: the help promises "origin_id, demand (or households), lat, lon"; without a
    # households column the command stopped with "required column 'households' is missing"
    zones = tmp_path / "zones.csv"
    zones.write_text(
        "origin_id,demand,lat,lon\nZ1,1000,60.170,24.940\nZ2,2000,60.180,24.950\n",
        encoding="utf-8",
    )
    out = tmp_path / "sales.csv"
    code, summary = _run(
        "huff", "--stores", STORES, "--demand", str(zones), "--out", str(out), "--json",
        "--candidate", "60.1675,24.945", "--candidate-area", "1200",
    )  # fmt: skip
    assert code == 0, summary
    assert summary["zones"] == 2 and summary["total_demand"] == pytest.approx(3000.0)
    assert pd.read_csv(out)["expected_sales"].sum() == pytest.approx(3000.0)
    assert "spend_per_household" not in summary  # the file's demand was used as given


def test_huff_bad_input_exits_2_naming_file_row_column(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    od.write_text("origin_id,store_id,cost\nZ01,C01,100\nZ01,NOPE,200\n", encoding="utf-8")
    code, summary = _run(
        "huff",
        "--stores",
        STORES,
        "--demand",
        ZONES,
        "--costs",
        str(od),
        "--out",
        str(tmp_path / "o.csv"),
        "--json",
    )
    assert code == 2 and not summary["ok"]
    assert (summary["file"], summary["row"], summary["column"]) == (str(od), 2, "store_id")
    bad = tmp_path / "stores.csv"
    bad.write_text(
        "store_id,name,format,lat,lon,floor_area_m2\nA,a,supermarket,60.17,24.94,1000\nB,b,supermarket,sixty,24.94,900\n",
        encoding="utf-8",
    )
    code, summary = _run(
        "huff", "--stores", str(bad), "--demand", ZONES, "--out", str(tmp_path / "o.csv"), "--json"
    )
    assert code == 2 and (summary["row"], summary["column"]) == (2, "lat")
    result = runner.invoke(
        app, ["huff", "--stores", STORES, "--demand", str(tmp_path / "none.csv"), "--out", "x.csv"]
    )
    assert result.exit_code == 2 and "not found" in result.stderr
    result = runner.invoke(app, ["huff", "--stores", STORES, "--demand", ZONES, "--out", "x.csv", "--method", "ols",
                                 "--calibrate", str(REPO / "surveys" / "demo_survey.csv")])  # fmt: skip
    assert result.exit_code == 2


def test_help_shows_examples() -> None:
    for cmd in ("huff", "saturation"):
        result = runner.invoke(app, [cmd, "--help"])
        assert (
            result.exit_code == 0
            and "Examples:" in result.stdout
            and f"tradearea {cmd}" in result.stdout
        )


def _areas(path: Path, *, households: bool = True) -> Path:
    p = gpd.GeoSeries([Point(24.942, 60.1699)], crs=4326).to_crs(32635).iloc[0]
    r1, r2 = p.buffer(500), p.buffer(1000)
    frame = gpd.GeoDataFrame(
        {"store_id": "S1", "tier": [1, 2]}, geometry=[r1, r2.difference(r1)], crs=32635
    ).to_crs(4326)
    if households:
        frame["households"] = [3000, 5000]
    frame.to_file(path, driver="GeoJSON")
    return path


def test_saturation_cli(tmp_path: Path) -> None:
    areas = _areas(tmp_path / "areas.geojson")
    out = tmp_path / "irs.csv"
    code, summary = _run("saturation", "--areas", str(areas), "--competitors", STORES, "--spend", "25",
                         "--candidate", "60.1675,24.945", "--candidate-area", "1200", "--out", str(out), "--json")  # fmt: skip
    assert code == 0, summary
    table = pd.read_csv(out)
    assert list(table["tier"]) == [1, 2]
    first = table.iloc[0]
    assert first["irs"] == pytest.approx(3000 * 25 / first["floor_area"])
    assert first["irs_with_candidate"] == pytest.approx(3000 * 25 / (first["floor_area"] + 1200))
    assert summary["rows"][0]["stores"] == first["stores"] and summary["spend"] == 25.0


def test_saturation_cli_zones_and_surface(tmp_path: Path, demo_region: object) -> None:
    areas = _areas(tmp_path / "areas.geojson", households=False)
    surface = tmp_path / "surface.geojson"
    code, summary = _run("saturation", "--areas", str(areas), "--competitors", STORES, "--zones", ZONES, "--cumulative",
                         "--surface", str(surface), "--region", "helsinki-center", "--out", str(tmp_path / "irs.csv"), "--json")  # fmt: skip
    assert code == 0, summary
    assert summary["rows"][0]["scope"] == "cumulative" and summary["rows"][0]["customers"] > 0
    cells = gpd.read_file(surface)
    assert len(cells) == summary["surface_cells"] and {"h3", "irs", "status", "irs_rank"} <= set(
        cells.columns
    )


def test_saturation_cli_bad_input(tmp_path: Path) -> None:
    areas = _areas(tmp_path / "areas.geojson", households=False)
    code, summary = _run(
        "saturation",
        "--areas",
        str(areas),
        "--competitors",
        STORES,
        "--out",
        str(tmp_path / "o.csv"),
        "--json",
    )
    assert code == 2 and summary["column"] == "households" and summary["file"] == str(areas)
    code, _ = _run(
        "saturation",
        "--areas",
        str(_areas(tmp_path / "b.geojson")),
        "--competitors",
        STORES,
        "--format",
        "spaceport",
        "--out",
        "o.csv",
    )
    assert code == 2
