"""Site report: the model, figures equal to the library's, and all four outputs read back."""

from __future__ import annotations

import io
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _report_support import demo_output, demo_project, demo_report
from hypothesis import given, settings
from hypothesis import strategies as st

from tradearea.errors import InputError
from tradearea.project.demo import DEMO_CANDIDATE
from tradearea.report import (
    SECTION_KEYS,
    build_report,
    choose_sites,
    customer_cells,
    format_value,
    project_sites,
    render,
)
from tradearea.report.model import PROJECT_SECTIONS, SITE_SECTIONS, column_kind

SPEND_YEAR = 90.0 * 52  # grocery spending per household, tradearea.demand default


@pytest.fixture(scope="module")
def library() -> dict:
    """The demo candidate's numbers computed straight from the library modules."""
    from tradearea import pricing
    from tradearea.competition import fill_floor_area
    from tradearea.demand import spend_per_household, zone_demand, zones_from_buildings
    from tradearea.forecast import candidate_store, forecast_candidate
    from tradearea.project.demo import demo_scenario_inputs, demo_stores
    from tradearea.regions.packs import load_region

    region = load_region("helsinki-center")
    raw = demo_stores()
    stores = pd.DataFrame(fill_floor_area(raw.drop(columns="role"), buildings=region.buildings))
    stores["role"] = raw["role"].to_numpy()
    zones = zone_demand(
        zones_from_buildings(region.residential_buildings, zone="building"),
        spend=spend_per_household("supermarket", period="year"),
    )
    site = DEMO_CANDIDATE
    cand = candidate_store(
        site.lat, site.lon, format="supermarket", floor_area_m2=1200.0, name=site.name,
        store_id="K1",
    )  # fmt: skip
    fc = forecast_candidate(zones, stores.drop(columns="geometry"), cand, own=["S1"])
    scenario = pricing.scenario_from_dict(demo_scenario_inputs(site.name, 1200.0))
    scenario = pricing.with_inputs(scenario, {"market.tenant_sales_per_year": fc.expected_sales})
    metrics = pricing.evaluate(scenario).summary()
    capacity = pricing.rent_capacity(fc.expected_sales, format="supermarket") / 1200.0 / 12.0
    return {"region": region, "forecast": fc, "metrics": metrics, "capacity": capacity}


# --------------------------------------------------------------------------------------------
# The model


def test_demo_report_has_every_section_in_order() -> None:
    report = demo_report(charts=False)
    assert [s.site_id for s in report.sites] == ["K1"]
    keys = [s.key for s in report.site_sections["K1"]]
    assert keys == list(SITE_SECTIONS)
    assert [s.key for s in report.project_sections] == list(PROJECT_SECTIONS)
    assert report.comparison is None
    # the demo project names its example CRM export: every section is available
    assert report.availability() == {}
    assert report.section("crm").available


def test_project_without_crm_says_why() -> None:
    project = demo_project().copy()
    project.settings.crm_file = None
    report = build_report(project, charts=False)
    missing = report.availability()
    assert list(missing) == ["crm (K1)"]
    assert "CRM" in missing["crm (K1)"]
    assert report.section("crm").reason == missing["crm (K1)"]


def test_decision_figures_equal_the_library(library: dict) -> None:
    summary = demo_report(charts=False).section("summary")
    fc = library["forecast"]
    assert summary.figure("expected_sales") == pytest.approx(fc.expected_sales, rel=1e-9)
    assert summary.figure("cannibalisation_share") == pytest.approx(fc.cannibalisation_share)
    assert summary.figure("irr") == pytest.approx(library["metrics"]["irr"], rel=1e-9)
    assert summary.figure("payback_years") == pytest.approx(library["metrics"]["payback_years"])
    assert summary.figure("npv") == pytest.approx(library["metrics"]["npv"], rel=1e-9)
    assert summary.figure("rent_capacity") == pytest.approx(library["capacity"], rel=1e-9)
    assert summary.figure("scenario_rent") == 9.0
    assert summary.figure("taboos") == 0


def test_households_and_irs_equal_the_library(library: dict) -> None:
    from tradearea.saturation import irs
    from tradearea.tradeareas.households import households_in

    report = demo_report(charts=False)
    areas = report.layers["trade_areas"]
    hh = households_in(areas.geometry, region=library["region"])
    summary = report.section("summary")
    assert summary.figure("households_primary") == pytest.approx(hh[0], rel=2e-3)
    assert summary.figure("households_total") == pytest.approx(hh.sum(), rel=2e-3)
    # no competing store lies inside the candidate's Huff tiers: RF is the candidate alone
    assert summary.figure("irs_without") == float("inf")
    expected = irs(summary.figure("households_total"), 90.0, 1200.0)
    assert summary.figure("irs_with") == pytest.approx(expected, rel=1e-9)
    assert summary.figure("irs_with") == pytest.approx(irs(hh.sum(), 90.0, 1200.0), rel=2e-3)


def test_tier_tables_add_up() -> None:
    report = demo_report(charts=False)
    demand = report.section("demand").tables["Demand per tier"]
    assert list(demand["tier"]) == [1, 2, 3]
    np.testing.assert_allclose(demand["demand"], demand["households"] * SPEND_YEAR, rtol=1e-9)
    assert report.section("demand").figure("demand_total") == pytest.approx(demand["demand"].sum())
    tiers = report.section("trade_area").tables["Tiers"]
    assert tiers["households"].sum() == pytest.approx(
        report.section("trade_area").figure("households_total")
    )
    assert (tiers["method"] == "huff").all()
    np.testing.assert_allclose(tiers["cutoff"], [0.30, 0.10, 0.05])
    huff = report.section("huff")
    sales = huff.tables["Sales and market share per tier"]
    # the site's sales per tier add up to its total forecast
    assert sales["expected_sales"].sum() == pytest.approx(huff.figure("expected_sales"))
    inside = sales[sales["tier"] > 0]
    assert huff.figure("market_share") == pytest.approx(
        inside["expected_sales"].sum() / inside["demand"].sum()
    )
    transfers = huff.tables["Where the sales come from"]
    assert transfers["transfer"].sum() == pytest.approx(huff.figure("expected_sales"))
    own = transfers.loc[transfers["role"] == "own", "transfer"].sum()
    assert huff.figure("from_own") == pytest.approx(own)


def test_trade_area_layer_and_customer_cells() -> None:
    report = demo_report(charts=False)
    areas = report.layers["trade_areas"]
    assert list(areas["tier"]) == [1, 2, 3]
    assert (areas["store_id"] == "K1").all()
    assert areas.crs.to_epsg() == 4326
    # tiers are disjoint rings
    union_area = areas.to_crs(3067).union_all().area
    assert union_area == pytest.approx(areas.to_crs(3067).area.sum(), rel=1e-6)
    cells = report.layers["customers_h3"]
    assert len(cells) > 0 and (cells["customers"] >= 5).all()
    located = cells.attrs["located"]
    assert cells["customers"].sum() + cells.attrs["suppressed_customers"] == located == 148


def test_pricing_tables() -> None:
    sec = demo_report(charts=False).section("pricing")
    flows = sec.tables["Yearly cash flows"]
    assert flows["cumulative"].iloc[-1] == pytest.approx(flows["net"].sum())
    tornado = sec.tables["Sensitivity of IRR (tornado)"]
    assert tornado["range"].is_monotonic_decreasing
    assert "Scenario inputs" in sec.xlsx_only


# --------------------------------------------------------------------------------------------
# Sections that cannot run


def test_a_failing_analysis_makes_a_not_available_section(monkeypatch: pytest.MonkeyPatch) -> None:
    """A part of the analysis that fails is shown as not available, with why; the rest stays."""
    import tradearea.project.analysis as analysis

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("saturation table unreadable")

    monkeypatch.setattr(analysis, "irs_by_trade_area", broken)
    report = build_report(demo_project().copy(), sections=["summary", "competition"], charts=False)
    sec = report.section("competition")
    assert not sec.available
    assert "saturation table unreadable" in sec.reason
    summary = report.section("summary")
    assert any("not available" in n for n in summary.notes)
    html = render(report, "html").decode()
    assert "Not available: irs failed: saturation table unreadable" in html


def test_failing_step_does_not_sink_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    import tradearea.project.analysis as analysis

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("street data unreadable")

    monkeypatch.setattr(analysis, "taboo_checks", broken)
    report = build_report(demo_project().copy(), sections=["scorecard", "sources"], charts=False)
    sec = report.section("scorecard")
    assert not sec.available and "street data unreadable" in sec.reason
    assert report.section("sources").available
    data = render(report, "xlsx")
    from openpyxl import load_workbook

    about = load_workbook(io.BytesIO(data))["About"]
    texts = [c.value for row in about.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("street data unreadable" in t for t in texts)


# --------------------------------------------------------------------------------------------
# Outputs


def test_html_is_self_contained() -> None:
    html = demo_output("html").decode("utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=\"(https?:)?//", html)
    assert not re.search(r"<link[^>]+href=\"(https?:)?//", html)
    assert 'sandbox="allow-scripts"' in html and "srcdoc=" in html
    assert "L.map(" in html.replace("&quot;", '"') or "L.map" in html
    assert html.count("data:image/png;base64,") >= 5
    for en, zh in list(SITE_SECTIONS.values()) + list(PROJECT_SECTIONS.values()):
        assert en in html and zh in html
    assert "© OpenStreetMap contributors" in html
    assert "3,279,917 EUR/year" in html


def test_xlsx_reads_back_with_formatted_numbers() -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(demo_output("xlsx")))
    for name in ("About", "Summary", "Tiers", "Demand per tier", "Yearly cash flows",
                 "Taboo checklist", "Parameters", "Sources"):  # fmt: skip
        assert name in wb.sheetnames
    summary = pd.read_excel(io.BytesIO(demo_output("xlsx")), sheet_name="Summary")
    report = demo_report(charts=False)
    row = summary[(summary["key"] == "expected_sales") & (summary["section"] == "Summary")]
    assert row["value"].iloc[0] == pytest.approx(report.section("summary").figure("expected_sales"))
    flows = wb["Yearly cash flows"]
    header = [c.value for c in flows[1]]
    net = flows.cell(row=3, column=header.index("net") + 1)
    assert isinstance(net.value, float) and net.number_format == "#,##0"
    share = wb["Sales and market share per tier"]
    head = [c.value for c in share[1]]
    assert share.cell(row=2, column=head.index("market_share") + 1).number_format == "0.0%"
    assert flows.freeze_panes == "A2"
    for ws in wb.worksheets:
        for r in ws.iter_rows():
            for c in r:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)


def test_gpkg_layers_read_back(tmp_path) -> None:
    import pyogrio

    path = tmp_path / "report.gpkg"
    path.write_bytes(demo_output("gpkg"))
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {
        "trade_areas", "candidates", "stores", "competitors", "customers_h3", "crm_h3",
        "report_info",
    }  # fmt: skip
    counts = {name: len(gpd.read_file(path, layer=name)) for name in layers}
    report = demo_report(charts=False)
    assert counts["trade_areas"] == 3
    assert counts["candidates"] == 1
    assert counts["stores"] == 1
    assert counts["competitors"] == 14
    assert counts["customers_h3"] == len(report.layers["customers_h3"]) > 0
    cells = gpd.read_file(path, layer="customers_h3")
    assert cells.crs.to_epsg() == 4326 and (cells["customers"] >= 5).all()
    crm_cells = gpd.read_file(path, layer="crm_h3")
    assert len(crm_cells) == counts["crm_h3"] > 0 and (crm_cells["customers"] >= 5).all()
    cand = gpd.read_file(path, layer="candidates")
    assert cand["expected_sales"].iloc[0] == pytest.approx(
        report.section("summary").figure("expected_sales")
    )
    import sqlite3

    with sqlite3.connect(path) as con:  # what QGIS reads: a valid GeoPackage in EPSG:4326
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
        srs = dict(con.execute("SELECT table_name, srs_id FROM gpkg_geometry_columns"))
    assert set(srs.values()) == {4326} and "trade_areas" in srs
    info = pyogrio.read_dataframe(path, layer="report_info")
    assert dict(zip(info["key"], info["value"], strict=True))["k"] == "5"


def test_render_rejects_unknown_format() -> None:
    with pytest.raises(InputError, match="docx"):
        render(demo_report(charts=False), "docx")


# --------------------------------------------------------------------------------------------
# Sites, comparison, bad input


def test_demo_sites_and_choice() -> None:
    project = demo_project()
    sites = project_sites(project)
    assert [(s.site_id, s.kind) for s in sites] == [("K1", "candidate"), ("S1", "store")]
    assert [s.site_id for s in choose_sites(project)] == ["K1"]
    assert [s.site_id for s in choose_sites(project, ["lidl", "k1"])] == ["S1", "K1"]
    with pytest.raises(InputError, match=r"no site 'Nowhere'.*K1"):
        choose_sites(project, ["Nowhere"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sections": ["summary", "weather"]}, "unknown section 'weather'"),
        ({"k": 0}, "at least 1"),
        ({"k": "five"}, "whole number"),
    ],
)
def test_bad_options_are_input_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        build_report(demo_project().copy(), charts=False, **kwargs)


def test_comparison_of_candidate_and_own_store() -> None:
    report = build_report(
        demo_project().copy(), sites=["K1", "Lidl"], sections=["summary", "huff", "scorecard"],
        charts=False,
    )  # fmt: skip
    table = report.comparison.tables["Sites side by side"]
    assert {"Liisankatu 27 (Kruununhaka)", "Lidl"} <= set(table.columns)
    scores = report.comparison.tables["Scorecard"]
    assert sorted(scores["rank"]) == [1, 2]
    store = report.section("huff", "S1")
    # for an own store, the forecast compares the market with and without it
    assert store.figure("expected_sales") > 0 and store.figure("from_own") == 0
    areas = report.layers["trade_areas"]
    assert set(areas.loc[areas["store_id"] == "S1", "method"]) == {"share"}
    assert set(areas.loc[areas["store_id"] == "K1", "method"]) == {"huff"}
    assert report.section("scorecard", "K1").figure("rank") in (1, 2)


def test_candidates_and_trade_areas_from_a_saved_project(tmp_path, monkeypatch) -> None:
    from shapely.geometry import Point

    from tradearea.project.workspace import open_project, save_project

    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path))
    project = demo_project().copy()
    project.name = "Shop study"
    project.layers["candidates"] = gpd.GeoDataFrame(
        {"name": ["Hakaniemi corner", "Erottaja"], "format": ["Supermarket", "便利店"],
         "floor_area_m2": [900.0, None]},
        geometry=[Point(24.9505, 60.1775), Point(24.9440, 60.1660)], crs="EPSG:4326",
    )  # fmt: skip
    ring = Point(24.941997, 60.169922).buffer(0.004)
    project.layers["trade_areas"] = gpd.GeoDataFrame(
        {"store_id": ["S1"], "tier": [1], "method": ["rings"]}, geometry=[ring], crs="EPSG:4326"
    )
    path = save_project(project, tmp_path / "shop.gpkg")
    reopened = open_project(path)
    sites = project_sites(reopened)
    assert [(s.site_id, s.name, s.format) for s in sites[:2]] == [
        ("K1", "Hakaniemi corner", "supermarket"),
        ("K2", "Erottaja", "convenience"),
    ]
    assert sites[1].floor_area_m2 == 150.0 and sites[1].floor_area_source == "format_default"
    report = build_report(
        reopened, sites=["K1", "S1"], sections=["trade_area", "pricing"], charts=False
    )
    assert report.section("trade_area", "S1").tables["Tiers"]["method"].tolist() == ["rings"]
    # no scenario is named after this candidate: the template of the project's currency prices
    # it, and the section says so
    pricing = report.section("pricing", "K1")
    assert pricing.available
    assert any("template scenario 'Template (lease): Hakaniemi corner'" in n for n in pricing.notes)


def test_report_agrees_with_the_sites_page_evaluation() -> None:
    """A candidate evaluated and kept by the Sites page shows the same figures in the report."""
    from tradearea import project as proj

    project = demo_project().copy()
    evaluation = proj.evaluate_candidate(project, **proj.demo_candidate(), method="rings")
    proj.put_candidate(project, evaluation)
    row = evaluation.row()
    report = build_report(project, sections=["summary", "trade_area", "huff", "competition",
                                             "pricing", "scorecard"], charts=False)  # fmt: skip
    assert report.availability() == {}
    summary = report.section("summary")
    assert set(report.layers["trade_areas"]["method"]) == {"rings"}
    for ours, theirs in (
        ("households_primary", "households_primary"), ("households_total", "households_total"),
        ("expected_sales", "expected_sales"), ("irs_with", "irs_after"),
        ("cannibalisation_share", "cannibalisation_share"), ("rent_capacity", "rent_capacity"),
        ("irr", "irr"), ("payback_years", "payback_years"), ("taboos", "taboos"),
    ):  # fmt: skip
        assert summary.figure(ours) == pytest.approx(row[theirs], rel=1e-9), ours


def test_crm_segments_by_tier_from_a_crm_analysis(tmp_path) -> None:
    import pyogrio

    from tradearea import crm
    from tradearea.testing.crm import synthetic_transactions

    tx = synthetic_transactions(300, 3000, n_stores=1, seed=1)
    rng = np.random.default_rng(2)
    profile = pd.DataFrame({"customer_id": sorted(tx["customer_id"].unique())})
    profile["lat"] = rng.uniform(60.165, 60.178, len(profile))
    profile["lon"] = rng.uniform(24.937, 24.953, len(profile))
    areas = demo_report(charts=False).layers["trade_areas"]
    result = crm.analyse_crm(tx, areas, profile=profile)
    report = build_report(
        demo_project().copy(), sections=["crm"], charts=False, crm=result.customers
    )
    sec = report.section("crm")
    assert sec.available
    pivot = sec.tables["Customers by segment and tier"]
    assert pivot["total"].sum() == len(result.customers) == sec.figure("crm_customers")
    assert pivot["primary"].sum() == sec.figure("crm_primary")
    assert sec.figure("crm_primary") == result.summary()["tiers"].get("primary", 0)
    path = tmp_path / "crm.gpkg"
    path.write_bytes(render(report, "gpkg"))
    hexes = pyogrio.read_dataframe(path, layer="crm_h3")
    assert (hexes["customers"] >= 5).all() and "customer_id" not in hexes.columns


def test_candidate_placed_on_the_competition_page_is_a_site() -> None:
    from shapely.geometry import Point

    from tradearea.forecast import candidate_store

    project = demo_project().copy()
    cand = candidate_store(60.1775, 24.9505, format="convenience", floor_area_m2=300.0)
    project.layers["candidates"] = gpd.GeoDataFrame(
        [{**cand, "candidate_id": "K1"}], geometry=[Point(24.9505, 60.1775)], crs="EPSG:4326"
    )
    sites = project_sites(project)
    assert [(s.site_id, s.name, s.format, s.floor_area_m2) for s in sites] == [
        ("K1", "Candidate", "convenience", 300.0),
        ("S1", "Lidl", "supermarket", pytest.approx(1150.6)),
    ]


def test_a_bare_project_still_reports(tmp_path) -> None:
    """A candidate alone, or a region not built: sections say why; every format renders."""
    from shapely.geometry import Point

    from tradearea.project.workspace import Project

    spot = gpd.GeoDataFrame(
        {"name": ["Spot"], "format": ["supermarket"]}, geometry=[Point(24.945, 60.170)],
        crs="EPSG:4326",
    )  # fmt: skip
    alone = build_report(
        Project(name="Alone", region="helsinki-center", layers={"candidates": spot}),
        sections=["trade_area", "huff", "competition"], charts=False,
    )  # fmt: skip
    # without competitors there is no Huff market to draw contours from: the format's rings
    assert set(alone.layers["trade_areas"]["method"]) == {"rings"}
    huff = alone.section("huff")
    assert not huff.available and "no competitors" in huff.reason
    assert alone.section("competition").figure("irs_without") == float("inf")
    nowhere = build_report(
        Project(name="Nowhere", region="atlantis", layers={"candidates": spot}), charts=False
    )
    assert "region 'atlantis' is not built" in nowhere.section("trade_area").reason
    assert nowhere.section("sources").available
    for fmt in ("html", "pdf", "xlsx", "gpkg"):
        assert len(render(nowhere, fmt)) > 1000


# --------------------------------------------------------------------------------------------
# Formatting and aggregation


@pytest.mark.parametrize(
    ("value", "kind", "unit", "text"),
    [
        (3279916.81, "money", "EUR/year", "3,279,917 EUR/year"),
        (0.3207, "pct", "", "32.1 %"),
        (9.1108, "money2", "EUR/m²/month", "9.11 EUR/m²/month"),
        (float("inf"), "money2", "EUR/m²/week", "∞ EUR/m²/week"),
        (None, "money", "EUR", "–"),
        (float("nan"), "int", "", "–"),
        (-0.0001, "money", "", "0"),
        ("<b>x</b>", "text", "", "<b>x</b>"),
    ],
)
def test_format_value(value: object, kind: str, unit: str, text: str) -> None:
    assert format_value(value, kind, unit=unit) == text


def test_column_kinds() -> None:
    assert column_kind("market_share") == "pct"
    assert column_kind("expected_sales") == "money"
    assert column_kind("households") == "int"
    assert column_kind("irs_with_candidate") == "money2"
    assert column_kind("name", pd.Series(["a"])) == "text"
    assert column_kind("tier") == "int"


def test_customer_cells_suppress_small_counts() -> None:
    import h3

    a = h3.cell_to_latlng(h3.latlng_to_cell(60.17, 24.94, 9))
    b = h3.cell_to_latlng(h3.latlng_to_cell(60.175, 24.95, 9))
    frame = pd.DataFrame(
        {"lat": [a[0]] * 7 + [b[0]] * 3 + [None], "lon": [a[1]] * 7 + [b[1]] * 3 + [None]}
    )
    cells = customer_cells(frame, k=5)
    assert cells["customers"].tolist() == [7]
    assert cells.attrs["suppressed_cells"] == 1 and cells.attrs["suppressed_customers"] == 3
    assert cells.attrs["located"] == 10
    assert len(customer_cells(frame, k=3)) == 2


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(60.16, 60.18), st.floats(24.93, 24.96)), min_size=0, max_size=60),
    st.integers(1, 8),
)
def test_customer_cells_account_for_everyone(points: list, k: int) -> None:
    frame = pd.DataFrame(points, columns=["lat", "lon"])
    cells = customer_cells(frame, k=k)
    assert (cells["customers"] >= k).all()
    assert int(cells["customers"].sum()) + cells.attrs["suppressed_customers"] == len(points)


def test_chart_tier_colours_match_the_app_maps() -> None:
    from tradearea.mapping import maps as mapping
    from tradearea.report import charts

    assert charts.TIER_COLOURS == mapping.TIER_COLOURS
    assert charts.TIER_NAMES == mapping.TIER_NAMES


def test_section_keys_are_the_documented_ones() -> None:
    assert SECTION_KEYS == (
        "summary", "trade_area", "demand", "competition", "huff", "crm", "pricing",
        "scorecard", "data_quality", "assumptions", "sources",
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# XLSX quality bar and the scorecard's sides (issue 14 item 4)

_NOT_NUMBERS = {"∞", "-∞", "−∞", "inf", "-inf", "infinity", "nan", "none"}
_JOINING = {"and", "&", "of", "per", "the", "a", "to", "by", "in", "with", "for", "-", "–"}


@pytest.fixture(scope="module")
def two_sites() -> tuple:
    """The demo candidate and the own store side by side, and their XLSX read back."""
    from openpyxl import load_workbook

    report = build_report(demo_project().copy(), sites=["K1", "Lidl"], charts=False)
    return report, load_workbook(io.BytesIO(render(report, "xlsx")))


def _index(wb) -> dict[str, str]:
    """Sheet -> full caption, from the About sheet's list of sheets."""
    rows = [[c.value for c in row] for row in wb["About"].iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[:2] == ["Sheet", "Contents"])
    out = {}
    for r in rows[start + 1 :]:
        if not r[0]:
            break
        out[r[0]] = r[1]
    return out


def test_xlsx_sheet_names_are_whole_and_listed(two_sites) -> None:
    _, wb = two_sites
    index = _index(wb)
    names = wb.sheetnames
    assert len({n.casefold() for n in names}) == len(names)
    assert set(names) - {"About"} == set(index)
    for name in names:
        assert len(name) <= 31, name
        if name in ("About", "Summary", "Sites") or ": " not in index[name]:
            continue  # fixed short names, described on the About sheet
        caption = index[name].split(": ", 1)[-1]
        words = re.sub(r"[()]", "", re.sub(r" \(\d+\)$", "", name)).split(" ")
        site = words[0] if re.fullmatch(r"[KS]\d+", words[0]) else None
        whole = set(re.sub(r"[()]", " ", caption).split()) | {"&", site}
        assert all(w in whole for w in words), (name, caption)  # never cut mid-word
        assert words[-1].casefold() not in _JOINING, name  # never ends on a joining word
    assert "K1 Sales & market share" in names  # "K1 Sales and market share per tier"
    assert index["K1 Sales & market share"].endswith("Sales and market share per tier")


def test_xlsx_numbers_are_numbers(two_sites) -> None:
    """Every numeric column's cells are numbers; no cell reads ∞, inf or nan."""
    from tradearea.report.model import ROW_FORMAT

    report, wb = two_sites
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.value.strip().casefold() not in _NOT_NUMBERS, (ws.title, c.coordinate)
                    assert "∞" not in c.value, (ws.title, c.coordinate, c.value)
    sheets = {v: k for k, v in _index(wb).items()}
    checked = 0
    for sec in report.sections():
        for caption, frame in sec.tables.items():
            site = report.site(sec.site_id).name if sec.site_id else ""
            ws = wb[sheets[f"{sec.title}: {caption}"]] if not site else None
            if ws is None:
                ws = next(
                    wb[s] for s, what in _index(wb).items()
                    if what == f"{sec.title}: {caption}" and s.startswith(f"{sec.site_id} ")
                )  # fmt: skip
            header = [c.value for c in ws[1]]
            assert ROW_FORMAT not in header
            kinds = frame[ROW_FORMAT].tolist() if ROW_FORMAT in frame else None
            for col in frame.columns:
                if col == ROW_FORMAT:
                    continue
                numeric = pd.api.types.is_numeric_dtype(frame[col]) and not (
                    pd.api.types.is_bool_dtype(frame[col])
                )
                j = header.index(str(col)) + 1
                for i, value in enumerate(frame[col].tolist()):
                    by_row = kinds is not None and kinds[i] != "text"
                    if not (numeric or by_row) or isinstance(value, str | bool):
                        continue
                    cell = ws.cell(row=i + 2, column=j).value
                    if value is None or not np.isfinite(float(value)):
                        assert cell is None, (ws.title, col, i)
                    else:
                        assert isinstance(cell, int | float), (ws.title, col, i, cell)
                        checked += 1
    assert checked > 500
    side = wb["Sites side by side"]
    rows = {r[0].value: [c.value for c in r[1:]] for r in side.iter_rows(min_row=2)}
    assert isinstance(rows["Tenant: rent headroom (capacity − tested rent)"][1], float)
    assert isinstance(rows["Landlord: project IRR"][1], float)
    assert side.cell(row=2, column=3).number_format == "#,##0"  # households, a whole number


def test_xlsx_undefined_irs_is_an_empty_cell_with_a_comment() -> None:
    from openpyxl import load_workbook

    from tradearea.report.model import Figure, Report, Section

    sec = Section(key="competition", title="Competitors and saturation (IRS)")
    sec.figures["irs_without"] = Figure(float("inf"), "IRS without the site", "", "money2")
    sec.figures["payback_years"] = Figure(float("inf"), "Payback period", "", "years")
    sec.tables["IRS per tier with a rather long caption (ring)"] = pd.DataFrame(
        {"tier": [1, 2, 3], "irs": [float("inf"), 12.5, float("nan")], "note": ["a", "inf", "b"]}
    )
    report = Report(title="t", project_name="p", region="r", generated_at="now",
                    project_sections=[sec])  # fmt: skip
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    ws = wb["IRS per tier with a rather long"]
    assert ws["B2"].value is None and "no competing selling floor area" in ws["B2"].comment.text
    assert ws["B3"].value == 12.5 and ws["B3"].comment is None
    assert ws["B4"].value is None and ws["B4"].comment is not None
    assert ws["C3"].value is None  # a text "inf" is not a number either
    summary = wb["Summary"]
    header = [c.value for c in summary[1]]
    rows = list(summary.iter_rows(min_row=2))
    irs = rows[0]
    assert irs[header.index("value")].value is None
    assert "no competing selling floor area" in irs[header.index("value")].comment.text
    assert irs[header.index("shown_as")].value == "not defined: no competing floor area"
    assert rows[1][header.index("shown_as")].value == "not defined"
    assert "infinite" in rows[1][header.index("value")].comment.text


def test_scorecard_scores_tenant_and_landlord_apart(two_sites) -> None:
    from tradearea.sites import SCORECARD_FACTORS, SIDES_IN_TOTAL, VERDICT_LABELS

    report, _ = two_sites
    scores = report.comparison.tables["Scorecard"].set_index("site_id")
    for sid, row in scores.iterrows():
        counted = [k for k, s in SCORECARD_FACTORS.items() if s["side"] in SIDES_IN_TOTAL]
        weights = [SCORECARD_FACTORS[k]["weight"] for k in counted]
        total = sum(row[f"score_{k}"] * w for k, w in zip(counted, weights, strict=True))
        assert row["total"] == pytest.approx(total / sum(weights), abs=0.01), sid
        assert row["rent_headroom"] == pytest.approx(row["rent_capacity"] - row["scenario_rent"])
        assert row["carries_rent"] == (row["scenario_rent"] <= row["rent_capacity"])
        assert row["verdict"] in VERDICT_LABELS and row["verdict_reasons"]
        assert 0 <= row["irs_percentile_region"] <= 1
        assert "populated cells" in row["irs_reading_region"]
    sec = report.section("scorecard", "K1")
    assert sec.figure("verdict") in {en for en, _ in VERDICT_LABELS.values()}
    assert "populated cells" in sec.figure("irs_reference")
    reasons = sec.tables["Verdict and reasons"]
    assert set(reasons["check"]) == {"rent", "saturation", "cannibalisation", "taboos"}
    assert reasons["reason_zh"].str.len().gt(0).all()
    rent = reasons.set_index("check").loc["rent"]
    capacity = report.section("pricing", "K1").figure("rent_capacity")
    assert ("does not carry" in rent["reason"]) == (capacity < 9.0)
    table = sec.tables["Scorecard"]
    assert set(table["side"]) == {"Market", "Site", "Tenant", "Landlord", "Total"}
    assert table.loc[table["side"] == "Landlord", "factor"].str.startswith("Landlord").all()
    side = report.comparison.display["Sites side by side"].set_index("figure")
    assert "Verdict" in side.index and "Tenant score (0–100)" in side.index
    assert "Landlord score (0–100, not in the total)" in side.index
    assert report.section("pricing", "K1").figures["irr"].label.startswith("Landlord")


def test_a_higher_rent_never_lifts_a_site_in_the_report() -> None:
    """The demo candidate tested at a rent above its capacity: lower tenant score, no better
    rank, a "do not open" verdict, and a landlord IRR that went up."""
    project = demo_project().copy()
    name = "Liisankatu 27 (Kruununhaka)"
    base = build_report(project, sites=["K1", "Lidl"], sections=["pricing", "scorecard"],
                        charts=False)  # fmt: skip
    scenario = dict(project.scenarios[name])
    scenario["rents"] = dict(scenario["rents"], base_rent_per_m2_month=30.0)
    project.scenarios[name] = scenario
    high = build_report(project, sites=["K1", "Lidl"], sections=["pricing", "scorecard"],
                        charts=False)  # fmt: skip
    before = base.comparison.tables["Scorecard"].set_index("site_id").loc["K1"]
    after = high.comparison.tables["Scorecard"].set_index("site_id").loc["K1"]
    assert after["scenario_rent"] == 30.0 > after["rent_capacity"]
    assert after["irr"] > before["irr"] and after["landlord_score"] >= before["landlord_score"]
    assert after["tenant_score"] <= before["tenant_score"] and after["tenant_score"] == 0
    assert after["rank"] >= before["rank"] and after["rank"] == 2
    assert after["verdict"] == "do_not_open" and not after["carries_rent"]
    assert high.section("scorecard", "K1").tables["Verdict and reasons"]["outcome"].iloc[0] == (
        "blocks"
    )
