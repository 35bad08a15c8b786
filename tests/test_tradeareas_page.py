"""App page "Trade areas" (AppTest): methods, thresholds, map layers, the project layer."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tradearea.project.workspace import Project
from tradearea.settings import REPO_DIR

STORE = {"store_id": "S1", "name": "Lidl <b>", "lat": 60.169922, "lon": 24.941997}


def _script() -> None:
    from tradearea.ui.tradeareas_page import page

    page()


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


def _project(customers: pd.DataFrame | None = None) -> Project:
    if customers is None:
        survey = pd.read_csv(REPO_DIR / "surveys" / "demo_survey.csv")
        truth = pd.read_csv(REPO_DIR / "surveys" / "demo_survey_truth.csv")
        customers = survey.merge(truth[["respondent_id", "lat", "lon"]], on="respondent_id")
    layers = {"stores": _points(pd.DataFrame([STORE]))}
    if len(customers):
        layers["customers"] = _points(customers)
    return Project(name="Test", region="helsinki-center", layers=layers)


def _app(project: Project, *, lang: str = "en") -> AppTest:
    at = AppTest.from_function(_script, default_timeout=120)
    at.session_state["project"] = project
    at.session_state["lang"] = lang
    return at.run()


def _map_script(at: AppTest) -> str:
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)["script"]


@pytest.fixture(scope="module")
def survey_project(demo_region: object) -> Project:
    return _project()


def test_share_tiers_table_map_and_project_layer(survey_project: Project) -> None:
    at = _app(survey_project)
    assert not at.exception
    assert at.header[0].value == "Trade areas"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Survey rows"] == "150" and metrics["Not placed"] == "0"
    table = at.dataframe[0].value
    assert table["Tier"].tolist() == ["Primary", "Secondary", "Tertiary"]
    assert (table["Cumulative %"].to_numpy() >= [75, 90, 95]).all()
    assert int(metrics["In trade areas"]) == table["Customers"].sum()
    layer = at.session_state["project"].layers["trade_areas"]
    assert layer["customers"].tolist() == table["Customers"].tolist()
    script = _map_script(at)
    assert "markerClusterGroup" in script and "Primary" in script
    assert '"maxZoom": 19' in script  # the cluster plugin fails on a map without one
    assert "Lidl &lt;b&gt;" in script and "Lidl <b>" not in script  # escaped


def test_threshold_preset_and_custom_thresholds_update_the_table(survey_project: Project) -> None:
    at = _app(survey_project)
    before = at.dataframe[0].value["Customers"].tolist()
    at.selectbox(key="ta_preset").set_value("30/50/70").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert (table["Cumulative %"].to_numpy() >= [30, 50, 70]).all()
    assert table["Customers"].sum() < sum(before)
    at.selectbox(key="ta_preset").set_value("custom").run()
    at.number_input(key="ta_thr_0").set_value(50.0).run()
    assert not at.exception
    assert 50 <= at.dataframe[0].value["Cumulative %"].iloc[0] < 60
    at.checkbox(key="ta_footprint").check().run()
    assert not at.exception
    assert "Customer footprints" in _map_script(at)
    at.number_input(key="ta_thr_1").set_value(40.0).run()  # 50, 40, 95: not increasing
    assert not at.exception
    assert any("must increase" in e.value for e in at.error)


def test_methods_and_ring_presets(survey_project: Project) -> None:
    at = _app(survey_project)
    expected = {"penetration": "≥ 30 %", "rings": "1,000 m", "walk": "5.0 min", "drive": "5.0 min"}
    for method, first_cutoff in expected.items():
        at.radio(key="ta_method").set_value(method).run()
        assert not at.exception and not at.error, method
        table = at.dataframe[0].value
        assert table["Cut-off"].iloc[0] == first_cutoff, method
        assert len(table) == 3
        assert at.session_state["project"].layers["trade_areas"]["method"].iloc[0] == method
    at.radio(key="ta_method").set_value("rings").run()
    at.selectbox(key="ta_format").set_value("convenience").run()  # the format key
    assert not at.exception
    assert at.dataframe[0].value["Cut-off"].tolist() == ["300 m", "500 m", "1,000 m"]


def test_chinese_labels(survey_project: Project) -> None:
    at = _app(survey_project, lang="zh")
    assert not at.exception
    assert at.header[0].value == "商圈"
    assert at.dataframe[0].value["商圈"].tolist() == ["第一商圈", "第二商圈", "第三商圈"]


def test_without_customers_only_rings_and_time_areas(demo_region: object) -> None:
    at = _app(_project(pd.DataFrame({"lat": [], "lon": []})))
    assert not at.exception
    assert any("No geocoded customers" in i.value for i in at.info)
    assert at.radio(key="ta_method").options == ["Rings", "Drive time", "Walk time"]
    assert at.dataframe[0].value["Customers"].sum() == 0


def test_many_customers_become_a_heat_layer(demo_region: object) -> None:
    rng = np.random.default_rng(0)
    n = 2100
    many = pd.DataFrame(
        {
            "respondent_id": [f"C{i}" for i in range(n)],
            "lat": STORE["lat"] + rng.normal(0, 0.003, n),
            "lon": STORE["lon"] + rng.normal(0, 0.006, n),
        }
    )
    at = _app(_project(many))
    assert not at.exception
    script = _map_script(at)
    assert "heatLayer" in script and "markerClusterGroup" not in script
