"""A batch run (``tradearea run``) of the demo's inputs gives the demo project's figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradearea.batch.pipeline import load_config, run_pipeline
from tradearea.formats import FORMATS
from tradearea.project import open_project, project_summary
from tradearea.project.demo import DEMO_CANDIDATE, DEMO_SURVEY, demo_project, demo_stores

FIGURES = ("households", "population", "demand", "irs_before", "irs_after", "expected_sales",
           "market_share", "customers")  # fmt: skip


def _pipeline(tmp: Path) -> Path:
    demo_stores().to_csv(tmp / "stores.csv", index=False)
    site = DEMO_CANDIDATE
    rings = ", ".join(str(r) for r in FORMATS[site.format].rings_m)
    text = f"""
[run]
name = "Demo inputs as a batch run"
output = "out"
engine = "pandas"
currency = "EUR"

[region]
name = "helsinki-center"

[inputs]
survey = "{DEMO_SURVEY.as_posix()}"
stores = "stores.csv"

[[candidates]]
id = "{site.site_id}"
name = "{site.name}"
lat = {site.lat}
lon = {site.lon}
floor_area_m2 = {site.floor_area_m2}
format = "{site.format}"

[trade_areas]
method = "share"
thresholds = [75, 90, 95]
weight = "annual_spend"
rings_m = [{rings}]
"""
    path = tmp / "pipeline.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run_summary(tmp_path_factory: pytest.TempPathFactory, demo_region: object) -> pd.DataFrame:
    tmp = tmp_path_factory.mktemp("run")
    config = load_config(_pipeline(tmp))
    run_pipeline(config)
    return pd.read_parquet(config.output / "summary.parquet")


def test_a_run_of_the_demos_inputs_has_the_demos_figures(run_summary: pd.DataFrame) -> None:
    demo = project_summary(demo_project())
    assert list(run_summary["site_id"]) == list(demo["site_id"])
    assert list(run_summary["tier"]) == list(demo["tier"])
    for col in FIGURES:
        np.testing.assert_allclose(
            run_summary[col].to_numpy(float), demo[col].to_numpy(float), rtol=1e-9, err_msg=col
        )


def test_the_run_is_a_project_the_app_opens(
    run_summary: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = next(Path(tmp_path_factory.getbasetemp()).glob("run*/out/project.gpkg"))
    project = open_project(out)
    assert project.settings.currency == "EUR"
    assert project.log[-1]["what"] in ("batch_run", "save")
    again = project_summary(project)
    np.testing.assert_allclose(
        again["households"].to_numpy(float), run_summary["households"].to_numpy(float), rtol=1e-9
    )
