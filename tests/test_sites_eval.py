"""Candidate evaluation in one step: numbers against the report, hand checks, the layer, errors."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from tradearea import project as proj
from tradearea import sites
from tradearea.errors import InputError
from tradearea.project.demo import demo_project
from tradearea.project.workspace import Project, open_project, save_project

HAKANIEMI = {"lat": 60.1775, "lon": 24.9505, "name": "Hakaniemi corner", "format": "convenience"}


@pytest.fixture(scope="module")
def demo(demo_region: object) -> Project:
    return demo_project()


@pytest.fixture(scope="module")
def rings(demo: Project) -> proj.CandidateEvaluation:
    return proj.evaluate_candidate(demo.copy(), method="rings", **proj.demo_candidate())


@pytest.fixture(scope="module")
def walk(demo: Project) -> proj.CandidateEvaluation:
    return proj.evaluate_candidate(demo.copy(), method="walk", candidate_id="K2", **HAKANIEMI)


def test_demo_candidate_is_the_reports(demo: Project) -> None:
    from tradearea.project.demo import DEMO_CANDIDATE

    kw = proj.demo_candidate()
    assert (kw["lat"], kw["lon"], kw["candidate_id"]) == (
        DEMO_CANDIDATE.lat,
        DEMO_CANDIDATE.lon,
        DEMO_CANDIDATE.site_id,
    )
    assert kw["name"] == "Liisankatu 27 (Kruununhaka)" and kw["floor_area_m2"] == 1200.0


@pytest.mark.parametrize("method", ["rings", "huff"])
def test_figures_agree_with_the_report(demo: Project, method: str) -> None:
    """The Sites page, the CLI report and the app report give the same numbers for a site."""
    from tradearea.project.analysis import ProjectAnalysis
    from tradearea.project.decision import scorecard_factors
    from tradearea.project.demo import DEMO_CANDIDATE

    project = demo.copy()
    project.settings.candidate_trade_area = method
    ev = proj.evaluate_candidate(project, **proj.demo_candidate())
    report = scorecard_factors(ProjectAnalysis(project, draw=False).site(DEMO_CANDIDATE))
    for key, value in report.items():
        assert ev.factors[key] == pytest.approx(value, rel=1e-9, nan_ok=True), key


def test_rings_follow_the_format_preset(rings: proj.CandidateEvaluation) -> None:
    areas = rings.trade_areas.sort_values("tier")
    assert areas["cutoff"].tolist() == [1000.0, 2000.0, 3000.0]  # supermarket: 1 / 2 / 3 km
    assert areas["area_m2"].iloc[0] == pytest.approx(math.pi * 1000**2, rel=0.01)
    # disjoint rings: the secondary ring is the 2 km disc minus the 1 km disc
    assert areas["area_m2"].iloc[1] == pytest.approx(math.pi * (2000**2 - 1000**2), rel=0.01)
    assert set(areas["store_id"]) == {"K1"} and set(areas["method"]) == {"rings"}


def test_households_per_tier_add_up_to_the_region(
    rings: proj.CandidateEvaluation, demo_region: object
) -> None:
    dwellings = float(demo_region.residential_buildings["dwellings"].sum())
    # the 3 km disc covers the whole extract: every dwelling is in one of the tiers
    assert sum(rings.households.values()) == pytest.approx(dwellings, rel=1e-6)
    assert rings.households[1] == pytest.approx(7710.98, abs=0.01)


def test_irs_is_households_times_spend_over_floor_area(rings: proj.CandidateEvaluation) -> None:
    last = rings.irs.sort_values("tier").iloc[-1]
    households = sum(rings.households.values())
    assert last["spend"] == 90.0  # grocery, per household per week (DOMAIN.md IRS in a week)
    assert last["irs"] == pytest.approx(households * 90.0 / last["floor_area"])
    assert last["floor_area_with_candidate"] == pytest.approx(last["floor_area"] + 1200.0)
    assert rings.factors["irs_after"] == pytest.approx(
        households * 90.0 / (last["floor_area"] + 1200)
    )
    row = rings.row()
    assert row["irs_before"] > row["irs_after"]  # a new store saturates the area a little


def test_huff_sales_come_from_own_stores_and_competitors(rings: proj.CandidateEvaluation) -> None:
    fc = rings.forecast
    assert fc.expected_sales == pytest.approx(fc.from_own + fc.from_competitors, rel=1e-9)
    assert rings.row()["cannibalisation_share"] == pytest.approx(fc.from_own / fc.expected_sales)
    assert fc.stores.loc[fc.stores["role"] == "own", "store_id"].tolist() == ["S1"]
    assert 0 < rings.market_share_primary < 1


def test_rent_capacity_is_sales_times_occupancy_cost(rings: proj.CandidateEvaluation) -> None:
    rent = rings.pricing["price_and_rent"]["rent"]
    sales = rings.forecast.expected_sales
    assert rent["tenant_sales_per_year"] == pytest.approx(sales)
    assert rent["occupancy_cost_ratio"] == 0.04  # supermarket
    # per m² a month over the 1,200 m² ground floor, times 12 months
    assert rent["capacity"] * 1200 * 12 == pytest.approx(sales * 0.04)
    assert rings.pricing["rent_capacity_year"] == pytest.approx(sales * 0.04)
    # the demo project stores its candidate's lease scenario (the EUR template's figures)
    assert rings.pricing["source"] == "project scenario 'Liisankatu 27 (Kruununhaka)'"
    assert rent["scenario"] == 9.0  # the template's base rent


def test_a_higher_rent_raises_the_irr_until_the_area_cannot_carry_it(
    demo: Project, rings: proj.CandidateEvaluation
) -> None:
    capacity = rings.pricing["price_and_rent"]["rent"]["capacity"]
    low = proj.with_rent(demo, rings, capacity - 1)
    high = proj.with_rent(demo, rings, capacity + 1)
    assert low.factors["irr"] < rings.factors["irr"] < high.factors["irr"]
    assert low.row()["rent_affordable"] is True and high.row()["rent_affordable"] is False
    assert high.trade_areas is rings.trade_areas  # nothing but pricing is recomputed
    assert rings.pricing["price_and_rent"]["rent"]["scenario"] == 9.0  # the original is unchanged


def test_taboos_from_street_data_and_ticks(demo: Project, rings: proj.CandidateEvaluation) -> None:
    table = rings.taboos
    assert table["auto"].sum() == 6 and (~table["auto"]).sum() == 7
    assert rings.factors["transit_stops"] == 5.0
    assert (table.loc[table["key"] == "no_transit", "status"] == "ok").all()
    ticked = proj.with_ticks(rings, {"slope": True, "wind_tunnel": False})
    status = dict(zip(ticked.taboos["key"], ticked.taboos["status"], strict=True))
    assert status["slope"] == "taboo" and status["wind_tunnel"] == "ok"
    assert ticked.factors["taboos"] == rings.factors["taboos"] + 1
    assert ticked.row()["unchecked"] == rings.row()["unchecked"] - 2


def test_ticks_come_from_the_project_settings(demo: Project) -> None:
    project = demo.copy()
    project.settings.taboo_ticks = {"K9": {"narrow_frontage": True}}
    ev = proj.evaluate_candidate(project, candidate_id="K9", method="huff", **HAKANIEMI)
    assert ev.taboos.set_index("key").at["narrow_frontage", "status"] == "taboo"


def test_compare_and_weights(
    rings: proj.CandidateEvaluation, walk: proj.CandidateEvaluation
) -> None:
    table = proj.compare_candidates([rings, walk])
    assert list(table.index) == ["K1", "K2"] and table["rank"].tolist() == [1, 2]
    assert table.loc["K1", "score_households_primary"] == 100.0
    assert table.loc["K2", "score_households_primary"] == 0.0
    # only transit stops and competitors count: K2 has fewer competitors in its primary area
    assert walk.factors["competitors_primary"] < rings.factors["competitors_primary"]
    only = {k: 0 for k in sites.SCORECARD_FACTORS} | {"competitors_primary": 10}
    flipped = proj.compare_candidates([rings, walk], only)
    assert flipped.index[0] == "K2" and flipped.loc["K2", "total"] == 100.0
    with pytest.raises(ValueError, match="positive weight"):
        proj.compare_candidates([rings, walk], {k: 0 for k in sites.SCORECARD_FACTORS})
    with pytest.raises(ValueError, match="share the id"):
        proj.compare_candidates([rings, rings])


def test_layer_add_replace_remove_and_reopen(
    tmp_path, monkeypatch, demo: Project, rings: proj.CandidateEvaluation, walk
) -> None:
    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path))
    project = demo.copy()
    proj.put_candidate(project, rings)
    proj.put_candidate(project, walk)
    assert proj.next_candidate_id(project) == "K3"
    dearer = proj.with_rent(project, rings, 12.0)
    proj.put_candidate(project, dearer, change="rent")  # replaced in place, order kept
    layer = project.layers["candidates"]
    assert layer["candidate_id"].tolist() == ["K1", "K2"]
    assert layer["scenario_rent"].tolist() == [12.0, 9.0]
    assert (
        project.scenarios["Liisankatu 27 (Kruununhaka)"]["rents"]["base_rent_per_m2_month"] == 12.0
    )
    assert project.settings.candidate_trade_area == "rings"  # the method of the last put
    assert [e["change"] for e in project.log if e["what"] == "candidate"] == [
        "evaluate", "evaluate", "rent",
    ]  # fmt: skip
    before = proj.compare_candidates(layer)
    path = save_project(project, tmp_path / "sites.gpkg")
    reopened = open_project(path)
    after = proj.compare_candidates(reopened.layers["candidates"])
    pd.testing.assert_frame_equal(before, after, check_dtype=False)
    inputs = proj.candidate_inputs(reopened)
    assert inputs[0] | {"lat": 0, "lon": 0} == {
        "lat": 0, "lon": 0, "name": "Liisankatu 27 (Kruununhaka)", "format": "supermarket",
        "floor_area_m2": 1200.0, "candidate_id": "K1", "rent_per_m2_month": 12.0,
    }  # fmt: skip
    assert inputs[0]["lat"] == pytest.approx(60.1741836)
    assert proj.remove_candidate(reopened, "K1") and not proj.remove_candidate(reopened, "K1")
    assert reopened.layers["candidates"]["candidate_id"].tolist() == ["K2"]


def test_the_report_uses_the_candidates_scenario(
    demo: Project, rings: proj.CandidateEvaluation
) -> None:
    from tradearea.report import build_report

    project = demo.copy()
    proj.put_candidate(project, proj.with_rent(project, rings, 11.0))
    report = build_report(project, sections=["pricing"], charts=False)
    sec = report.section("pricing", "K1")
    assert sec.figure("scenario_rent") == 11.0
    assert sec.figure("irr") == pytest.approx(proj.with_rent(project, rings, 11.0).factors["irr"])


def test_a_candidate_from_the_competition_page_keeps_the_others(
    demo: Project, rings: proj.CandidateEvaluation
) -> None:
    project = demo.copy()
    proj.put_candidate(project, rings)
    record = {"lat": 60.1675, "lon": 24.945, "name": "Candidate", "format": "supermarket"}
    assert proj.place_candidate(project, record, source="competition") == "K2"
    assert proj.place_candidate(project, record, source="competition") == "K2"  # same site
    moved = dict(record, lat=60.168)
    assert proj.place_candidate(project, moved, source="competition") == "K2"
    layer = project.layers["candidates"]
    assert layer["candidate_id"].tolist() == ["K1", "K2"]
    assert layer["lat"].tolist() == [pytest.approx(60.1741836), 60.168]


def test_no_market_means_no_forecast_and_rings(demo_region: object) -> None:
    project = Project(name="Empty", region="helsinki-center")
    ev = proj.evaluate_candidate(project, method="huff", **HAKANIEMI)
    assert ev.forecast is None and ev.method == "rings"
    assert math.isnan(ev.factors["expected_sales"])
    assert any("no stores" in n for n in ev.notes)
    # the whole area has no competing floor area: IRS without the candidate is infinite
    assert math.isnan(ev.row()["irs_before"]) and ev.factors["irs_after"] > 0
    assert ev.trade_areas["cutoff"].tolist() == [300.0, 500.0, 1000.0]  # convenience rings


def test_chinese_format_name_and_project_scenario(demo: Project) -> None:
    project = demo.copy()
    base = proj.lease_template("Shop", 600.0, format="convenience")
    project.scenarios["Hakaniemi corner"] = base | {"market": {"tenant_sales_per_year": 2e6}}
    ev = proj.evaluate_candidate(
        project, **(HAKANIEMI | {"format": "便利店"}), floor_area_m2=600.0, method="huff"
    )
    assert ev.candidate["format"] == "convenience"
    assert ev.pricing["source"] == "project scenario 'Hakaniemi corner'"
    # the scenario's own tenant sales are kept, not replaced by the Huff forecast
    assert ev.pricing["price_and_rent"]["rent"]["tenant_sales_per_year"] == 2e6


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"lat": 61.5}, "lat"),
        ({"format": "bakery"}, "format"),
        ({"floor_area_m2": -5.0}, "floor_area_m2"),
        ({"scenario": "nope"}, "scenario"),
        ({"method": "teleport"}, "method"),
        ({"rent_per_m2_month": -1.0}, "rent_per_m2_month"),
    ],
)
def test_bad_input_names_the_field(demo: Project, change: dict, column: str) -> None:
    kw = proj.demo_candidate() | change
    with pytest.raises(InputError) as err:
        proj.evaluate_candidate(demo, **kw)
    # an option of the evaluation: named as such (the app shows its label, the CLI its flag)
    assert (err.value.option or err.value.column) == column


def test_layer_ids_read_as_the_report_reads_them() -> None:
    layer = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"], "candidate_id": ["X7", None, np.nan]},
        geometry=[Point(0, 0)] * 3,
        crs="EPSG:4326",
    )
    assert proj.layer_ids(layer) == ["X7", "K2", "K3"]


def test_report_uses_the_calibrated_huff_parameters(demo: Project) -> None:
    """The Competition page keeps α and β calibrated on the survey: both faces use them."""
    from tradearea.project.analysis import ProjectAnalysis
    from tradearea.project.decision import scorecard_factors
    from tradearea.project.demo import DEMO_CANDIDATE

    project = demo.copy()
    project.settings.huff = {"alpha": 1.0, "beta": 1.4, "source": "survey_ml"}
    ev = proj.evaluate_candidate(project, **proj.demo_candidate())
    assert proj.huff_parameters(project.settings) == (1.0, 1.4)
    report = scorecard_factors(ProjectAnalysis(project, draw=False).site(DEMO_CANDIDATE))
    assert ev.factors["expected_sales"] == pytest.approx(report["expected_sales"], rel=1e-9)
