"""App page "Sites" (AppTest): add by click or coordinates, evaluate, compare, rent, taboos."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tradearea._core.escaping import escape_markdown
from tradearea.project.demo import demo_project
from tradearea.project.workspace import Project

DEMO_LABEL = "K1 · Liisankatu 27 (Kruununhaka)"


def _script() -> None:
    from tradearea.ui.sites_page import page

    page()


@pytest.fixture(scope="module")
def demo(demo_region: object) -> Project:
    """The demo without its stored candidate, to add one the way a planner does."""
    project = demo_project()
    project.layers["candidates"] = project.layers["candidates"].iloc[0:0]
    return project


def test_the_demo_opens_with_its_candidate_evaluated(demo_region: object) -> None:
    """The demo's candidate is data in the project: the page shows its figures at once."""
    from tradearea import project as proj

    project = demo_project()
    at = _app(project)
    assert not at.exception
    assert _candidates(at) == [_col(DEMO_LABEL, 1)]
    ev = proj.evaluate_candidates(project)[0]
    shown = _figure(at, "Households, primary")[0]
    assert shown == f"{ev.figures['households_primary']:,.0f}"


def _app(project: Project, *, lang: str = "en") -> AppTest:
    at = AppTest.from_function(_script, default_timeout=120)
    at.session_state["project"] = project
    at.session_state["lang"] = lang
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _comparison(at: AppTest) -> object:
    """The comparison table: one column per candidate ("K1 · name (#1)"), one row per figure."""
    return at.table[0].value


def _col(label: str, rank: int) -> str:
    """A comparison column header: the label escaped for Markdown, then the rank."""
    return escape_markdown(label) + f" (#{rank})"


def _candidates(at: AppTest) -> list[str]:
    return list(_comparison(at).columns)


def _figure(at: AppTest, label: str) -> list[str]:
    return _comparison(at).loc[label].tolist()


def _add_demo_candidate(at: AppTest) -> AppTest:
    """Type the demo's candidate into the form (the demo project itself already has it)."""
    from tradearea import project as proj

    demo = proj.demo_candidate()
    at.number_input(key="sites.lat").set_value(demo["lat"])
    at.number_input(key="sites.lon").set_value(demo["lon"])
    at.text_input(key="sites.name").set_value(demo["name"])
    at.number_input(key="sites.area").set_value(demo["floor_area_m2"])
    at.run()
    at.button(key="sites.add").click().run()
    assert not at.exception
    return at


@pytest.fixture()
def added(demo: Project) -> AppTest:
    return _add_demo_candidate(_app(demo.copy()))


def test_empty_page_in_both_languages(demo: Project) -> None:
    at = _app(demo.copy())
    assert not at.exception
    assert at.header[0].value == "Sites"
    assert [s.value for s in at.subheader] == ["Add a candidate", "Comparison and scorecard"]
    assert any("No candidates yet" in i.value for i in at.info)
    assert at.button(key="sites.add").disabled  # no location yet
    zh = _app(demo.copy(), lang="zh")
    assert not zh.exception
    assert zh.header[0].value == "选址"
    assert "添加候选店址" in [s.value for s in zh.subheader]
    assert "超市" in zh.selectbox(key="sites.format").options


def test_demo_candidate_evaluated_compared_repriced_and_checked(added: AppTest) -> None:
    assert _candidates(added) == [_col(DEMO_LABEL, 1)]
    assert _figure(added, "Households, primary") == ["7,711"]
    assert _figure(added, "Expected sales a year") == ["3.3 M EUR"]
    metrics = _metrics(added)
    assert metrics["Households, primary"] == "7,711"
    assert metrics["Rent tested, per m² a month"] == "9.00 EUR"
    assert metrics["Rent capacity, per m² a month"] == "9.11 EUR"
    assert any("can carry this rent" in s.value for s in added.success)
    project = added.session_state["project"]
    layer = project.layers["candidates"]
    assert layer["candidate_id"].tolist() == ["K1"] and layer["method"].tolist() == ["rings"]
    assert layer["households_primary"].iloc[0] == pytest.approx(7710.98, abs=0.01)
    # the form is cleared for the next candidate
    assert added.number_input(key="sites.lat").value is None

    # a rent above the capacity: the returns go up, the warning shows
    irr_before = _metrics(added)["IRR"]
    added.number_input(key="sites.rent.K1").set_value(14.0).run()
    assert not added.exception
    metrics = _metrics(added)
    assert metrics["Rent tested, per m² a month"] == "14.00 EUR" and metrics["IRR"] != irr_before
    assert float(metrics["IRR"].rstrip(" %")) > float(irr_before.rstrip(" %"))
    assert any("above what the trade area can carry" in w.value for w in added.warning)
    assert _figure(added, "Rent tested") == ["14.00 EUR/m²/month"]
    project = added.session_state["project"]
    assert project.scenarios[DEMO_LABEL[5:]]["rents"]["base_rent_per_m2_month"] == 14.0

    # a taboo ticked on site counts in the comparison
    assert _figure(added, "Taboos") == ["0"]
    added.checkbox(key="sites.tick.K1.slope").check().run()
    assert not added.exception
    assert _figure(added, "Taboos") == ["1"]
    project = added.session_state["project"]
    assert project.settings.taboo_ticks == {"K1": {"slope": True}}
    assert project.layers["candidates"]["taboos"].tolist() == [1.0]
    assert project.layers["candidates"]["scenario_rent"].tolist() == [14.0]  # rent kept


def test_typed_coordinates_a_second_candidate_and_weights(added: AppTest) -> None:
    added.number_input(key="sites.lat").set_value(60.1775)
    added.number_input(key="sites.lon").set_value(24.9505)
    added.text_input(key="sites.name").set_value("Hakaniemi corner")
    added.selectbox(key="sites.format").set_value("convenience").run()
    added.button(key="sites.add").click().run()
    assert not added.exception
    assert _candidates(added) == [_col(DEMO_LABEL, 1), _col("K2 · Hakaniemi corner", 2)]
    # weigh competitors only: the convenience site has fewer in its primary area and wins
    for slider in added.slider:
        slider.set_value(10 if slider.key == "sites.w.competitors_primary" else 0)
    added.run()
    assert _candidates(added)[0] == _col("K2 · Hakaniemi corner", 1)
    assert added.session_state["project"].settings.scorecard_weights["households_primary"] == 0

    # another trade-area method: both are evaluated again; then one is removed
    added.selectbox(key="sites.method").set_value("walk").run()
    assert not added.exception
    again = added.button(key="sites.reevaluate")
    assert "Evaluate 2 candidate(s) again" in again.label
    again.click().run()
    assert not added.exception
    project = added.session_state["project"]
    assert project.layers["candidates"]["method"].tolist() == ["walk", "walk"]
    assert _comparison(added).loc["Households, primary"].filter(like="K1").tolist() == ["981"]
    added.selectbox(key="sites.selected").set_value("K1").run()
    added.button(key="sites.remove.K1").click().run()
    assert not added.exception
    assert project.layers["candidates"]["candidate_id"].tolist() == ["K2"]
    assert _candidates(added) == [_col("K2 · Hakaniemi corner", 1)]


def test_a_map_click_fills_the_form(demo: Project) -> None:
    at = _app(demo.copy())
    at.session_state["sites.map"] = {"last_clicked": {"lat": 60.17245, "lng": 24.95107}}
    at.run()
    assert not at.exception
    assert at.number_input(key="sites.lat").value == pytest.approx(60.17245)
    assert at.number_input(key="sites.lon").value == pytest.approx(24.95107)
    assert at.text_input(key="sites.name").value  # the nearest address, or the coordinates
    assert not at.button(key="sites.add").disabled


def test_a_site_outside_the_region_is_refused(demo: Project) -> None:
    at = _app(demo.copy())
    at.number_input(key="sites.lat").set_value(61.5)
    at.number_input(key="sites.lon").set_value(24.95).run()
    at.button(key="sites.add").click().run()
    assert not at.exception
    assert any("outside the region" in e.value and "column lat" in e.value for e in at.error)
    assert not len(at.session_state["project"].layers["candidates"])


def test_candidates_placed_elsewhere_are_evaluated_on_demand(demo: Project) -> None:
    from tradearea import project as proj

    project = demo.copy()
    proj.place_candidate(
        project, {"lat": 60.1675, "lon": 24.945, "format": "supermarket"}, source="competition"
    )
    at = _app(project)
    assert not at.exception
    # evaluated on every page the same way: the comparison and the details show one figure
    shown = _figure(at, "Households, primary")
    assert shown != ["—"]
    assert _metrics(at)["Households, primary"] == shown[0]


def test_user_names_cannot_become_links(demo: Project) -> None:
    from tradearea import project as proj

    project = demo.copy()
    name = "[win](http://evil.example) **now** <b>x</b>"
    proj.place_candidate(
        project, {"lat": 60.1675, "lon": 24.945, "name": name, "format": "convenience"},
        source="competition",
    )  # fmt: skip
    at = _app(project)
    assert not at.exception
    header = _candidates(at)[0]
    assert header == _col(f"K1 · {name}", 1)
    assert "\\[win\\]\\(http" in header and "\\*\\*now" in header and "\\<b\\>" in header


@pytest.mark.parametrize(
    ("language", "code", "expected"),
    [
        ("en", "EUR", ["3,279,917 EUR", "3.3 M EUR", "9.11 EUR/m²/month", "1.2 bn EUR"]),
        ("zh", "EUR", ["3,279,917 欧元", "328 万 欧元", "9.11 欧元/m²/month", "12.3 亿 欧元"]),
        ("zh", "CNY", ["3,279,917 元", "328 万 元", "9.11 元/m²/month", "12.3 亿 元"]),
        ("en", "", ["3,279,917", "3.3 M", "9.11 m²/month", "1.2 bn"]),
    ],
)
def test_money_in_the_language_and_currency(language: str, code: str, expected: list) -> None:
    from tradearea.ui._format import money

    kw = {"code": code, "language": language}
    assert [
        money(3_279_916.8, **kw),
        money(3_279_916.8, short=True, **kw),
        money(9.11088, 2, per="m²/month", **kw),
        money(1.234e9, short=True, **kw),
    ] == expected


def test_numbers_and_percentages() -> None:
    from tradearea.ui._format import DASH, compact, money, number, percent

    assert number(7710.98) == "7,711" and number(-0.2) == "0"  # never "-0"
    assert number(0.0) == "0" and number(62.3027, 1) == "62.3"
    assert percent(0.0745775) == "7.5 %" and percent(None) == DASH
    assert number(float("nan")) == DASH and number(float("inf")) == DASH and number("x") == DASH
    assert money(None, code="EUR") == DASH
    assert compact(5_000, language="zh") == "5,000" and compact(-2.5e6, language="en") == "-2.5 M"


def test_shared_evaluations_never_carry_another_projects_scenario(demo: Project) -> None:
    """The evaluation cache is shared by every session; pricing comes from each project."""
    from tradearea import project as proj
    from tradearea.ui.sites_page import evaluation

    inputs = proj.demo_candidate() | {"method": "huff"}
    mine, theirs = demo.copy(), demo.copy()
    first = evaluation(mine, inputs)
    proj.put_candidate(mine, proj.with_rent(mine, first, 14.0))  # my scenario: rent 14
    again = evaluation(mine, inputs)
    assert again is evaluation(mine, inputs)  # cached on every input it reads
    assert again.figures["households_primary"] == first.figures["households_primary"]
    assert again.pricing["price_and_rent"]["rent"]["scenario"] == 14.0
    other = evaluation(theirs, inputs)
    assert other.pricing["price_and_rent"]["rent"]["scenario"] == 9.0  # the demo's scenario
    assert other.pricing["source"] == "project scenario 'Liisankatu 27 (Kruununhaka)'"


def test_the_comparison_gives_each_site_a_verdict_with_its_reasons(demo_region: object) -> None:
    """Each candidate gets a plain verdict and the reasons, the same as the report's."""
    from tradearea.project.decision import site_decision

    project = demo_project()
    at = _app(project)
    assert not at.exception
    from tradearea import project as proj

    ev = proj.evaluate_candidates(project)[0]
    verdict = site_decision(ev.analysis)["verdict"]
    assert _figure(at, "Verdict") == [verdict.label_en]
    reasons = [m.value for m in at.markdown if m.value.startswith("**K1")]
    assert reasons and verdict.reasons[0][0].split(":")[0][:20] in reasons[0].replace("\\", "")
    tenant = _figure(at, "Tenant score")[0]
    landlord = _figure(at, "Landlord score (not in the total)")[0]
    assert tenant != "–" and landlord != "–"


def test_typed_coordinates_take_a_datum(demo: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed GCJ-02 coordinates are converted with the library's datum rule before evaluation."""
    from tradearea.geocode import chinese

    calls: list[str] = []
    real = chinese.to_wgs84

    def spy(lat: object, lon: object, *, system: str) -> object:
        calls.append(system)
        return real(lat, lon, system=system)

    monkeypatch.setattr("tradearea.ui.sites_page.to_wgs84", spy)
    at = _app(demo.copy())
    at.radio(key="sites.datum").set_value("gcj02")
    at = _add_demo_candidate(at)
    assert calls == ["gcj02"]
    layer = at.session_state["project"].layers["candidates"]
    # Helsinki is outside China: GCJ-02 leaves the point where it was typed
    assert layer["lat"].iloc[-1] == pytest.approx(60.1741836, abs=1e-9)
