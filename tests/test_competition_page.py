"""App page "Competition": runs on the demo project, shows IRS, and forecasts a placed candidate."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _script() -> None:
    from tradearea.ui.competition_page import page

    page()


@pytest.fixture(scope="module")
def app(demo_region: object) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=180)
    at.run()
    return at


def _irs_table(at: AppTest) -> object:
    return next(d.value for d in at.dataframe if "IRS" in d.value.columns)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_shows_competitors_and_irs(app: AppTest) -> None:
    assert not app.exception
    assert [h.value for h in app.header] == ["Competition and saturation"]
    subheaders = [h.value for h in app.subheader]
    assert "Competitors and white space" in subheaders
    assert "Index of Retail Saturation by tier" in subheaders
    metrics = _metrics(app)
    assert int(metrics["Competing stores"].replace(",", "")) >= 14
    assert metrics["Households in the region (estimated)"] == "11,739"
    irs = _irs_table(app)
    assert list(irs["Tier"]) == ["primary", "secondary", "tertiary"]
    first = irs.iloc[0]
    assert first["IRS"] == pytest.approx(first["Households (C)"] * first["RE"] / first["RF m²"])
    assert not any("Huff sales forecast" in h for h in subheaders)  # no candidate yet
    assert any("Click the map" in i.value for i in app.info)


def _amount(text: str) -> float:
    return float(text.split()[0].replace(",", ""))


def test_candidate_forecast_and_layer(app: AppTest) -> None:
    from tradearea import project as proj
    from tradearea.project.analysis import IRS_AFTER_LABEL

    app.session_state["competition_candidate"] = (60.1675, 24.945)
    app.run()
    assert not app.exception
    assert "Huff sales forecast for the candidate" in [h.value for h in app.subheader]
    metrics = _metrics(app)
    sales = _amount(metrics["Expected sales per year"])
    own = _amount(metrics["From own stores (cannibalisation)"])
    comp = _amount(metrics["From competitors"])
    assert sales > 0 and own > 0 and abs(own + comp - sales) <= 2  # rounding of shown figures
    project = app.session_state["project"]
    cands = project.layers["candidates"]
    placed = cands[cands["placed_on"] == "competition"]
    assert len(placed) == 1 and placed["lat"].iloc[0] == 60.1675
    # the page shows the project layer's evaluation of that candidate: the Sites page's figures
    item = next(
        i
        for i in proj.candidate_inputs(project)
        if i["candidate_id"] == placed["candidate_id"].iloc[0]
    )
    ev = proj.evaluate_candidate(project, **item)
    assert sales == round(ev.figures["expected_sales"])
    assert metrics[IRS_AFTER_LABEL[0]] == f"{ev.figures['irs_after']:,.1f}"
    assert ev.figures["irs_after"] < ev.figures["irs_before"]  # the candidate adds floor area
    assert project.settings.huff.source == "default"  # drawing the page changes no setting


def test_changing_the_format_changes_the_spend(app: AppTest) -> None:
    app.selectbox(key="comp_format").set_value("home_centre")
    app.run()
    assert not app.exception
    spend = next(n for n in app.number_input if n.key.startswith("comp_spend_"))
    assert spend.value == 12.0


def test_uploaded_zones_replace_the_building_estimate(app: AppTest) -> None:
    from pathlib import Path

    from tradearea.demand import read_zones

    zones = read_zones(
        Path(__file__).resolve().parent.parent / "data" / "examples" / "zones.geojson"
    )
    app.session_state["project"].layers["zones"] = zones
    app.run()
    assert not app.exception
    metrics = _metrics(app)
    assert "Households in the region (estimated)" not in metrics
    assert metrics["Households in the zones"] == f"{zones['households'].sum():,.0f}"


def test_competitor_upload_takes_the_datum(app: AppTest) -> None:
    # issue 18: every input with coordinates offers the datum (GCJ-02 converted inside China)
    from types import SimpleNamespace

    from tradearea.geocode import gcj02_to_wgs84
    from tradearea.ui import competition_page

    assert app.radio(key="comp_datum").options == [
        "WGS84 (GPS)",
        "GCJ-02 (Amap / Tencent)",
        "BD-09 (Baidu)",
    ]
    text = "store_id,name,format,lat,lon,floor_area_m2\nS1,a,supermarket,31.2304,121.4737,1200\n"
    upload = SimpleNamespace(name="shanghai.csv", getvalue=lambda: text.encode())
    project = app.session_state["project"]
    competition_page._load_upload(project, upload, "gcj02")
    got = project.layers["competitors"]
    w_lat, w_lon = gcj02_to_wgs84(31.2304, 121.4737)
    assert (got["lat"].iloc[0], got["lon"].iloc[0]) == pytest.approx((float(w_lat), float(w_lon)))
