"""One project, one set of numbers: the summary, the report, the CLI and the pages agree."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from tradearea import project as proj
from tradearea.cli import app as cli_app
from tradearea.project.analysis import IRS_AFTER_LABEL, ProjectAnalysis
from tradearea.project.demo import demo_project
from tradearea.project.summary import project_summary, summary_records
from tradearea.project.workspace import Project, save_project
from tradearea.report import build_report, render

WGS84 = "EPSG:4326"


def _second_project() -> Project:
    """Another store and another survey: a competitor becomes the own store, half the survey."""
    demo = demo_project()
    comp = demo.layers["competitors"]
    chosen = comp[comp["format"] == "supermarket"].iloc[[0]]
    others = comp.drop(index=chosen.index)
    own = demo.layers["stores"].iloc[0:0]
    stores = gpd.GeoDataFrame(
        pd.concat([own, chosen.assign(store_id="S7")], ignore_index=True), crs=WGS84
    )
    rivals = gpd.GeoDataFrame(
        pd.concat([others, demo.layers["stores"]], ignore_index=True), crs=WGS84
    )
    customers = demo.layers["customers"].iloc[::2].reset_index(drop=True)
    cand = gpd.GeoDataFrame(
        {"candidate_id": ["K5"], "name": ["Hakaniemi corner"], "format": ["convenience"],
         "floor_area_m2": [350.0], "lat": [60.1775], "lon": [24.9505]},
        geometry=gpd.points_from_xy([24.9505], [60.1775], crs=WGS84), crs=WGS84,
    )  # fmt: skip
    return Project(
        name="Second: another store, another survey",
        region=demo.region,
        layers={"stores": stores, "competitors": rivals, "customers": customers,
                "candidates": cand},
        settings={"currency": "EUR", "candidate_trade_area": "huff",
                  "huff": {"alpha": 1.0, "beta": 1.6, "source": "user"}},
    )  # fmt: skip


@pytest.fixture(scope="module", params=["demo", "second"])
def project(request: pytest.FixtureRequest, demo_region: object) -> Project:
    return demo_project() if request.param == "demo" else _second_project()


@pytest.fixture(scope="module")
def summary(project: Project) -> pd.DataFrame:
    return project_summary(project)


def _whole(summary: pd.DataFrame, site_id: str) -> pd.Series:
    return summary[(summary["site_id"] == site_id) & (summary["tier"] == 0)].iloc[0]


def _tier(summary: pd.DataFrame, site_id: str, tier: int) -> pd.Series:
    return summary[(summary["site_id"] == site_id) & (summary["tier"] == tier)].iloc[0]


def _same(a: object, b: object) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == pytest.approx(b, rel=1e-12, abs=1e-9)


def test_every_site_and_tier_has_real_figures(summary: pd.DataFrame) -> None:
    sites = summary["site_id"].unique()
    assert len(sites) == 2  # one candidate and one own store
    for sid in sites:
        whole = _whole(summary, sid)
        assert whole["households"] > 0 and whole["demand"] > 0
        tiers = summary[(summary["site_id"] == sid) & (summary["tier"] > 0)]
        assert whole["households"] == pytest.approx(tiers["households"].sum())
        assert whole["irs_after"] <= whole["irs_before"]  # the site adds floor area
        assert 0 <= whole["coverage"] <= 1


def test_the_report_shows_the_summarys_figures(project: Project, summary: pd.DataFrame) -> None:
    every = list(summary["site_id"].unique())
    report = build_report(project.copy(), sites=every, charts=False)
    assert [s.site_id for s in report.sites] == every
    for site in report.sites:
        sid = site.site_id
        area = report.section("trade_area", sid)
        comp = report.section("competition", sid)
        huff = report.section("huff", sid)
        assert _same(area.figure("households_primary"), _tier(summary, sid, 1)["households"])
        assert _same(area.figure("households_total"), _whole(summary, sid)["households"])
        assert _same(comp.figure("irs_without"), _whole(summary, sid)["irs_before"])
        assert _same(comp.figure("irs_with"), _whole(summary, sid)["irs_after"])
        assert comp.figures["irs_with"].label == IRS_AFTER_LABEL[0]
        assert _same(huff.figure("expected_sales"), _whole(summary, sid)["expected_sales"])
        assert _same(huff.figure("market_share"), _whole(summary, sid)["market_share"])


def test_the_html_and_xlsx_reports_show_the_same_households(
    project: Project, summary: pd.DataFrame, tmp_path: object
) -> None:
    report = build_report(project.copy(), sites=list(summary["site_id"].unique()), charts=False)
    html = render(report, "html").decode("utf-8")
    xlsx = tmp_path / "r.xlsx"  # type: ignore[operator]
    render(report, "xlsx", xlsx)
    sheets = pd.read_excel(xlsx, sheet_name=None)
    numbers = np.concatenate(
        [
            pd.to_numeric(s.stack(), errors="coerce").dropna().to_numpy(float)
            for s in sheets.values()
        ]
    )
    for sid in summary["site_id"].unique():
        hh = float(_tier(summary, sid, 1)["households"])
        assert f"{hh:,.0f}" in html
        assert np.isclose(numbers, hh, rtol=1e-9).any()  # a number, not a string


def test_the_cli_summary_is_the_library_summary(
    project: Project, summary: pd.DataFrame, tmp_path: object
) -> None:
    path = tmp_path / "p.gpkg"  # type: ignore[operator]
    save_project(project.copy(), path)
    result = CliRunner().invoke(cli_app, ["summary", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    rows = payload["rows"]
    expected = summary_records(project_summary(project))
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        for key in ("site_id", "tier", "households", "demand", "irs_before", "irs_after",
                    "expected_sales", "market_share"):  # fmt: skip
            assert _same(got[key], want[key]), (key, got, want)


def test_a_saved_and_reopened_project_has_the_same_figures(
    project: Project, summary: pd.DataFrame, tmp_path: object
) -> None:
    path = tmp_path / "again.gpkg"  # type: ignore[operator]
    save_project(project.copy(), path)
    again = project_summary(proj.open_project(path))
    cols = ["households", "demand", "irs_before", "irs_after", "expected_sales"]
    pd.testing.assert_frame_equal(
        again[cols].reset_index(drop=True), summary[cols].reset_index(drop=True), rtol=1e-9
    )


def _sites_script() -> None:
    from tradearea.ui.sites_page import page

    page()


def test_the_sites_page_shows_the_summarys_figures(project: Project, summary: pd.DataFrame) -> None:
    at = AppTest.from_function(_sites_script, default_timeout=120)
    at.session_state["project"] = project.copy()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    table = at.table[0].value
    cand = next(s for s in ProjectAnalysis(project).sites() if s.kind == "candidate")
    hh = float(_tier(summary, cand.site_id, 1)["households"])
    assert table.loc["Households, primary"].tolist()[0] == f"{hh:,.0f}"


def _tradeareas_script() -> None:
    from tradearea.ui.tradeareas_page import page

    page()


def test_the_trade_areas_page_counts_households_as_the_summary(demo_region: object) -> None:
    """The Trade areas page's tier table shows the households every other face shows."""
    project = demo_project()
    summary = project_summary(project)
    at = AppTest.from_function(_tradeareas_script, default_timeout=120)
    at.session_state["project"] = project.copy()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Households" in d.value.columns)
    shown = table[table["Store"] == "S1"]["Households"].tolist()
    drawn = at.session_state["project"].layers["trade_areas"]
    assert list(drawn["store_id"].unique()) == ["S1"]
    # the page's defaults draw the demo's tiers (share of yearly spend, 75 / 90 / 95 %)
    assert drawn.geometry.geom_equals_exact(project.layers["trade_areas"].geometry, 1e-9).all()
    expected = summary[(summary["site_id"] == "S1") & (summary["tier"] > 0)]["households"]
    assert shown == [round(v) for v in expected]
