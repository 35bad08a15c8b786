"""`tradearea run`: the demo pipeline, resumability, reruns of what changed, exit codes, --json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from typer.testing import CliRunner

from tradearea import crm, huff
from tradearea.cli import app
from tradearea.demand import read_demand

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "data" / "examples"
PIPELINE = EXAMPLES / "pipeline.toml"
STEPS = [
    "survey", "geocode", "stores", "trade_areas", "crm", "huff", "irs", "project", "report",
]  # fmt: skip
runner = CliRunner()


def _run(*args: str) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(app, ["run", *args, "--json"])
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    payload = json.loads(lines[-1]) if lines else {}
    return result.exit_code, payload, result.stderr


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, demo_region: object) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("pipeline") / "out"
    code, payload, err = _run(str(PIPELINE), "--out", str(out))
    assert code == 0, err
    return out, payload


def _copy_demo(folder: Path) -> Path:
    """The example pipeline with its inputs in a folder of its own (safe to edit)."""
    for name in ("competitors.csv", "crm_customers.csv", "zones.geojson"):
        shutil.copy(EXAMPLES / name, folder / name)
    shutil.copy(REPO / "surveys" / "demo_survey.csv", folder / "demo_survey.csv")
    text = PIPELINE.read_text("utf-8").replace("../../surveys/demo_survey.csv", "demo_survey.csv")
    text = text.replace('output = "../../pipeline-out"', 'output = "out"')
    (folder / "pipeline.toml").write_text(text, "utf-8")
    return folder / "pipeline.toml"


def test_demo_pipeline_runs_every_step(demo_run: tuple[Path, dict]) -> None:
    out, payload = demo_run
    assert payload["ok"] is True and payload["engine"] == "pandas"
    assert payload["ran"] == STEPS and payload["skipped"] == []
    for step in payload["steps"]:
        for name in step["outputs"]:
            assert (out / name).exists(), name
    crm = next(s for s in payload["steps"] if s["name"] == "crm")["summary"]
    assert crm["customers"] == 248 and crm["rows"] == 248
    assert sum(crm["tiers"].values()) == 248
    areas = gpd.read_parquet(out / "trade_areas.parquet")
    assert areas.crs.to_epsg() == 4326  # GeoParquet keeps the CRS
    methods = areas.groupby("store_id")["method"].first().to_dict()
    assert methods == {"S1": "share", "K1": "rings", "K2": "rings"}
    s1 = areas[areas["store_id"] == "S1"].sort_values("tier")
    assert s1["tier"].tolist() == [1, 2, 3]
    assert s1["cumulative_share"].iloc[0] >= 0.75  # the primary area carries 75 % of sales
    html = (out / "report.html").read_text("utf-8")
    assert "Helsinki centre: stores and candidates" in html and "<script" not in html
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert {s["store_id"] for s in summary["stores"]} == {"S1", "K1", "K2"}


def test_pipeline_tables_equal_the_library_functions(demo_run: tuple[Path, dict]) -> None:
    out, _ = demo_run
    areas = gpd.read_parquet(out / "trade_areas.parquet")
    direct = crm.analyse_crm(
        EXAMPLES / "crm_customers.csv",
        areas[areas["store_id"] == "S1"].reset_index(drop=True),
        as_of="2024-12-31",
    )
    got = pd.read_parquet(out / "crm_segment_tier.parquet")
    assert_frame_equal(got, direct.segment_tier, check_categorical=False)
    assert len(pd.read_parquet(out / "crm_winback.parquet")) == len(direct.winback)
    stores = pd.read_parquet(out / "stores.parquet")
    existing = stores[stores["role"] != "candidate"].reset_index(drop=True)
    zones = pd.DataFrame(read_demand(EXAMPLES / "zones.geojson", spend=90).drop(columns="geometry"))
    sales = huff.huff_model(zones, existing, focus=["S1"]).sales
    assert_frame_equal(pd.read_parquet(out / "huff_sales.parquet"), sales)
    cands = pd.read_parquet(out / "huff_candidates.parquet").set_index("store_id")
    assert cands.loc["K1", "floor_area_m2"] == 1200.0
    assert cands.loc["K1", "expected_sales"] == pytest.approx(
        cands.loc["K1", "from_own"] + cands.loc["K1", "from_competitors"]
    )


def test_second_run_skips_every_step(demo_run: tuple[Path, dict]) -> None:
    out, _ = demo_run
    before = (out / "crm_segment_tier.parquet").stat().st_mtime_ns
    code, payload, err = _run(str(PIPELINE), "--out", str(out))
    assert code == 0
    assert payload["ran"] == [] and payload["skipped"] == STEPS
    assert "up to date, skipped" in err
    assert (out / "crm_segment_tier.parquet").stat().st_mtime_ns == before


def test_changes_rerun_only_the_steps_that_depend_on_them(
    tmp_path: Path, demo_region: object
) -> None:
    toml = _copy_demo(tmp_path)
    code, payload, _ = _run(str(toml))
    assert code == 0 and payload["ran"] == STEPS
    zones = json.loads((tmp_path / "zones.geojson").read_text("utf-8"))
    zones["features"][1]["properties"]["households"] += 250
    (tmp_path / "zones.geojson").write_text(json.dumps(zones), "utf-8")
    code, payload, _ = _run(str(toml))
    assert payload["ran"] == ["huff", "irs", "project", "report"]  # the zones feed all three
    toml.write_text(toml.read_text("utf-8").replace("horizon = 3", "horizon = 5"), "utf-8")
    code, payload, _ = _run(str(toml))
    assert payload["ran"] == ["crm", "report"]
    # a damaged output is redone; identical results leave the report alone
    (tmp_path / "out" / "crm_winback.parquet").unlink()
    code, payload, _ = _run(str(toml))
    assert payload["ran"] == ["crm"]
    code, payload, _ = _run(str(toml), "--force")
    assert payload["ran"] == STEPS


def test_a_failed_step_resumes_where_it_stopped(tmp_path: Path, demo_region: object) -> None:
    toml = _copy_demo(tmp_path)
    good = (tmp_path / "crm_customers.csv").read_text("utf-8")
    (tmp_path / "crm_customers.csv").write_text(good.replace("customer_id", "kunde", 1), "utf-8")
    code, payload, _ = _run(str(toml))
    assert code == 2 and payload["ok"] is False
    assert "customer id" in payload["error"] and payload["file"] == "crm_customers.csv"
    (tmp_path / "crm_customers.csv").write_text(good, "utf-8")
    code, payload, _ = _run(str(toml))
    assert code == 0
    assert payload["skipped"] == ["survey", "geocode", "stores", "trade_areas"]
    assert payload["ran"] == ["crm", "huff", "irs", "project", "report"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t + "\n[huff]\ngamma = 2\n", "Cannot declare ('huff',) twice"),
        (
            lambda t: t.replace("[report]", "[report]\ncolour = 'red'"),
            "unknown key 'colour' in [report]",
        ),
        (lambda t: t.replace("[irs]", "[irss]"), "unknown table [irss]"),
        (
            lambda t: t.replace('crm = "crm_customers.csv"', 'crm = "missing.csv"'),
            "missing.csv not found",
        ),
        (lambda t: t.replace("lat = 60.1685", "lat = 160.1685"), "lat must be a number"),
        (lambda t: t.replace("beta = 2.0", "beta = 'steep'"), "[huff] beta"),
        (lambda t: t.replace('engine = "pandas"', 'engine = "spark"'), "engine 'spark'"),
        (lambda t: "this is = = not toml", "not a valid TOML file"),
    ],
)
def test_bad_pipeline_files_exit_2_naming_the_problem(
    tmp_path: Path, edit: Any, message: str
) -> None:
    toml = _copy_demo(tmp_path)
    toml.write_text(edit(toml.read_text("utf-8")), "utf-8")
    code, payload, err = _run(str(toml))
    assert code == 2
    assert message in payload["error"]
    assert "Traceback" not in err
    assert not (tmp_path / "out" / ".pipeline" / "state.json").exists()


def test_bad_options_and_help() -> None:
    result = runner.invoke(app, ["run", str(PIPELINE), "--engine", "spark"])
    assert result.exit_code == 2 and "--engine 'spark'" in result.stderr
    result = runner.invoke(app, ["run", "no/such/pipeline.toml", "--json"])
    assert result.exit_code == 2 and json.loads(result.stdout)["ok"] is False
    result = runner.invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert "tradearea run data/examples/pipeline.toml" in result.stdout
    assert "--scheduler" in result.stdout


@pytest.mark.slow
def test_dask_engine_gives_the_pandas_tables(tmp_path: Path, demo_region: object) -> None:
    toml = _copy_demo(tmp_path)
    text = toml.read_text("utf-8").replace('survey = "demo_survey.csv"', "# no survey")
    text = text.replace(
        "# workers = 2", "workers = 2\nprocesses = false  # threads: quick to start"
    )
    toml.write_text(text, "utf-8")
    code, _, err = _run(str(toml), "--out", str(tmp_path / "p"))
    assert code == 0, err
    code, payload, err = _run(str(toml), "--engine", "dask", "--out", str(tmp_path / "d"))
    assert code == 0, err
    assert payload["engine"] == "dask" and "dask: connected" in err
    for name in (
        "crm_segment_tier_by_store",
        "crm_penetration",
        "huff_sales",
        "huff_candidates",
        "irs",
    ):
        a = pd.read_parquet(tmp_path / "p" / f"{name}.parquet")
        b = pd.read_parquet(tmp_path / "d" / f"{name}.parquet")
        assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    a = pd.read_parquet(tmp_path / "p" / "crm_customers").sort_values("customer_id")
    b = pd.read_parquet(tmp_path / "d" / "crm_customers").sort_values("customer_id")
    assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False, rtol=1e-9
    )
