"""The Pricing page (租售定价) in Streamlit's AppTest, on the demo project."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tradearea import pricing
from tradearea.settings import REPO_DIR

EXAMPLE = REPO_DIR / "data" / "examples" / "scenario.toml"


def _script() -> None:
    from tradearea.ui.pricing_page import page

    page()


def _app(lang: str = "en", *, source: str | None = "example") -> AppTest:
    """The page; ``source``: load that scenario first (the shipped CNY example by default)."""
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if source is not None:
        at.selectbox(key="pricing.source").set_value(source)
        at.button(key="pricing.load").click()
        at.run()
    return at


def test_the_demo_starts_from_a_template_that_fits_its_currency() -> None:
    """A EUR project opens on the EUR lease template, named a template; never the CNY podium."""
    at = _app(source=None)
    assert not at.exception
    assert at.text_input(key="pricing.name").value.startswith("Template (lease)")
    assert at.number_input(key="pricing.rents.base_rent_per_m2_month").value == 9.0
    options = at.selectbox(key="pricing.source").options
    assert options[0] == "Template for this project (EUR)"
    assert "Example: CNY shopping podium" in options


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def test_page_shows_the_example_scenario_returns_and_charts() -> None:
    at = _app()
    assert not at.exception
    assert not at.error
    assert [h.value for h in at.header] == ["Pricing"]
    expected = pricing.evaluate(pricing.load_scenario(EXAMPLE)).summary()
    metrics = _metrics(at)
    assert metrics["IRR"] == _percent(expected["irr"])
    assert metrics["NPV · EUR"] == f"{expected['npv'] / 1e6:,.1f} M"  # the demo works in EUR
    assert metrics["Payback (years)"] == f"{expected['payback_years']:.2f}"
    assert metrics["Equity multiple"] == f"{expected['equity_multiple']:.2f}"
    assert "Reconciled sale price" in metrics
    subheaders = [s.value for s in at.subheader]
    for title in ("Returns", "Sale price (base unit, per m²)", "Scenarios", "Sensitivity"):
        assert title in subheaders
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3  # cash flows, heat map, tornado
    # every input group a leasing team thinks in has its tab
    tabs = [t.label for t in at.tabs]
    assert tabs == ["Site", "Costs", "Rents & prices", "Timing", "Finance", "Market"]


def test_live_results_follow_the_inputs_and_bad_input_is_explained() -> None:
    at = _app()
    before = _metrics(at)["IRR"]
    at.number_input(key="pricing.rents.base_rent_per_m2_month").set_value(300.0).run()
    changed = pricing.with_inputs(
        pricing.load_scenario(EXAMPLE), {"rents.base_rent_per_m2_month": 300.0}
    )
    after = _metrics(at)["IRR"]
    assert after == _percent(pricing.evaluate(changed).metrics["irr"][0])
    assert float(after.rstrip(" %")) > float(before.rstrip(" %"))
    at.radio(key="pricing.mode").set_value("lease").run()
    lease = changed.model_copy(
        update={"business_model": pricing.scenario.BusinessModel(mode="lease")}
    )
    assert _metrics(at)["IRR"] == _percent(pricing.evaluate(lease).metrics["irr"][0])
    # bad input: an error naming the input in its own words and units, not a traceback
    at.number_input(key="pricing.site.efficiency").set_value(0.0).run()
    assert not at.exception
    # messages are Markdown with user text escaped; read them as shown
    messages = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]
    assert any(
        "Net-to-gross efficiency" in m and "percentage in (0 %, 100 %]" in m for m in messages
    )
    assert not at.metric  # no results for inputs that do not validate


def test_save_compare_and_reload_scenarios() -> None:
    at = _app()
    at.text_input(key="pricing.save_name").set_value("High rent")
    at.number_input(key="pricing.rents.base_rent_per_m2_month").set_value(280.0)
    at.button(key="pricing.save").click().run()
    assert not at.exception
    project = at.session_state["project"]
    saved = project.scenarios["High rent"]
    assert saved["rents"]["base_rent_per_m2_month"] == 280.0
    assert saved["name"] == "High rent"
    assert pricing.scenario_from_dict(saved).business_model.mode == "mixed"
    assert any(s.value.startswith("Saved scenario") for s in at.success)
    # a name written as Markdown is shown as typed, never turned into a link or an image
    at.text_input(key="pricing.save_name").set_value("![x](http://example.com/x.png)")
    at.button(key="pricing.save").click().run()
    assert any("\\!\\[x\\]\\(http" in s.value for s in at.success)
    at.run()  # the compare box picks up the saved scenario
    assert "High rent" in at.multiselect(key="pricing.compare").value
    compared = [d for d in at.dataframe if "High rent" in d.value.columns]
    assert compared, "the side-by-side table shows the saved scenario"
    # load the defaults, then the saved scenario back
    at.selectbox(key="pricing.source").set_value("defaults")
    at.button(key="pricing.load").click().run()
    default_irr = pricing.evaluate(pricing.Scenario()).metrics["irr"][0]
    assert _metrics(at)["IRR"] == _percent(default_irr)
    at.selectbox(key="pricing.source").set_value("High rent")
    at.button(key="pricing.load").click().run()
    assert at.number_input(key="pricing.rents.base_rent_per_m2_month").value == 280.0


@pytest.mark.parametrize(("lang", "header", "irr_label"), [("zh", "租售定价", "内部收益率 (IRR)")])
def test_chinese_labels(lang: str, header: str, irr_label: str) -> None:
    at = _app(lang)
    assert not at.exception
    assert [h.value for h in at.header] == [header]
    labels = _metrics(at)
    assert irr_label in labels and "投资回收期（年）" in labels
    npv = pricing.evaluate(pricing.load_scenario(EXAMPLE)).metrics["npv"][0]
    assert labels["净现值 (NPV) · EUR"] == f"{npv / 1e4:,.0f} 万"
    assert "租金与售价" in [t.label for t in at.tabs]


def test_tenant_sales_from_the_project_forecast_and_survey() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from tradearea.project.workspace import Project

    areas = gpd.GeoDataFrame(
        {"store_id": ["S1", "S1"], "tier": [1, 2], "households": [3000, 5000]},
        geometry=[Point(24.94, 60.17).buffer(0.01), Point(24.94, 60.17).buffer(0.02)],
        crs="EPSG:4326",
    )
    customers = gpd.GeoDataFrame(
        {"visits_per_month": [4, 2], "spend_per_visit": [50, 100]},
        geometry=[Point(24.94, 60.17), Point(24.95, 60.17)],
        crs="EPSG:4326",
    )
    project = Project(
        name="t",
        region="helsinki-center",
        settings={
            "currency": "CNY",
            "sales_forecast": {"candidate_id": "K1", "expected_sales_per_year": 104_000_000},
        },
        layers={"trade_areas": areas, "customers": customers},
    )
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["project"] = project
    at.run()
    assert not at.exception
    assert "NPV · CNY" in _metrics(at)
    huff, survey = (b for b in at.button if b.label.startswith("Use the"))
    assert huff.label == "Use the Huff forecast: 104,000,000 a year"
    huff.click().run()
    assert at.number_input(key="pricing.market.tenant_sales_per_year").value == 104_000_000
    scenario = pricing.with_inputs(
        pricing.load_scenario(EXAMPLE), {"market.tenant_sales_per_year": 104_000_000}
    )
    capacity = pricing.price_and_rent(scenario)["rent"]["capacity"]
    rent_table = next(d.value for d in at.dataframe if "Rent" in d.value.columns)
    assert rent_table["Rent"].tolist()[2] == f"{capacity:,.1f}"
    # survey: 8,000 households spending (4 × 50 + 2 × 100) / 2 = 200 a month each
    assert survey.label == "Use the survey estimate: 8,000 households in the trade areas"
    at.button(key=survey.key).click().run()
    assert at.number_input(key="pricing.market.households").value == 8000
    assert at.number_input(key="pricing.market.monthly_spending_per_household").value == 200
    assert at.number_input(key="pricing.market.tenant_sales_per_year").value is None
