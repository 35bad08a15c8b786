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
    assert metrics["Households (estimated)"] == "11,739"
    irs = _irs_table(app)
    assert list(irs["Tier"]) == ["primary", "secondary", "tertiary"]
    first = irs.iloc[0]
    assert first["IRS"] == pytest.approx(first["Households (C)"] * first["RE"] / first["RF m²"])
    assert not any("Huff sales forecast" in h for h in subheaders)  # no candidate yet
    assert any("Click the map" in i.value for i in app.info)


def test_candidate_forecast_and_layer(app: AppTest) -> None:
    app.session_state["competition_candidate"] = (60.1675, 24.945)
    app.run()
    assert not app.exception
    assert "Huff sales forecast for the candidate" in [h.value for h in app.subheader]
    metrics = _metrics(app)
    sales = float(metrics["Expected sales per week"].replace(",", ""))
    own = float(metrics["From own stores (cannibalisation)"].replace(",", ""))
    comp = float(metrics["From competitors"].replace(",", ""))
    assert sales > 0 and own > 0 and abs(own + comp - sales) <= 2  # rounding of shown figures
    irs = _irs_table(app)
    assert "IRS with candidate" in irs.columns
    assert (
        irs.iloc[0]["IRS with candidate"] < irs.iloc[0]["IRS"]
    )  # candidate sits in the primary ring
    project = app.session_state["project"]
    cands = project.layers["candidates"]
    assert len(cands) == 1 and cands["lat"].iloc[0] == 60.1675
    assert project.settings["huff"]["source"] in ("survey_ml", "default")


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
    assert "Households (estimated)" not in metrics
    assert metrics["Households"] == f"{zones['households'].sum():,.0f}"
