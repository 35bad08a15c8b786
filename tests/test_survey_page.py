"""The Survey page (问卷调查) in Streamlit's AppTest: upload, mapping, geocode, account, fixes."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

XSS = '<img src=x onerror=alert(1)><script>alert("x")</script>'


def _script() -> None:
    from tradearea.ui.survey_page import page

    page()


def _app(lang: str = "en", source: dict | None = None) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=120)
    at.session_state["lang"] = lang
    if source is not None:
        at.session_state["survey.source"] = source
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def geocoded_demo(demo_region: object) -> AppTest:
    at = _app()
    at.button(key="survey.demo").click().run()
    assert not at.exception
    at.button(key="survey.run").click().run()
    assert not at.exception
    return at


def test_page_opens_on_the_demo_project_account(demo_region: object) -> None:
    at = _app()
    assert not at.exception
    assert [h.value for h in at.header] == ["Survey"]
    metrics = _metrics(at)
    assert (metrics["Rows"], metrics["Unmatched"], metrics["Rejected"]) == ("150", "1", "1")


def test_demo_survey_preview_mapping_and_geocode(geocoded_demo: AppTest) -> None:
    at = geocoded_demo
    assert at.selectbox(key="survey.map.address").value == "address"
    assert at.selectbox(key="survey.map.lat").value == "—"
    assert any(
        "demo_survey.csv: 150 rows, encoding utf-8, header row 1" in t.value for t in at.text
    )
    assert _metrics(at) == {
        "Rows": "150",
        "Geocoded": "147",
        "Repaired": "1",
        "Unmatched": "1",
        "Rejected": "1",
    }
    assert {"Columns", "Row account", "Review"} <= {s.value for s in at.subheader}
    project = at.session_state["project"]
    customers = project.layers["customers"]
    assert len(customers) == 150 and customers.crs.to_epsg() == 4326
    assert customers.geometry.notna().sum() == 148
    assert customers["visits_per_month"].dtype == float
    assert project.log[-1]["what"] == "geocode" and project.log[-1]["placed"] == 148
    account = at.dataframe[1].value  # the status table
    assert account["count"].tolist() == [147, 1, 1, 1, 150]


def test_review_place_a_point_fixes_the_unmatched_row(geocoded_demo: AppTest) -> None:
    at = geocoded_demo
    rows = at.selectbox(key="survey.review.row")
    # street level, unmatched, and (issue 18) the rejected row with an empty address
    assert [o.split(" · ")[0] for o in rows.options] == ["R084", "R091", "R135"]
    rows.set_value(next(o for o in rows.options if o.startswith("R091"))).run()
    assert any("not found in region helsinki-center" in t.value for t in at.text)
    at.radio(key="survey.review.how").set_value("Place by lat,lon").run()
    at.text_input(key="survey.review.latlon").set_value("60.1688053,24.9465155").run()
    at.button(key="survey.review.save").click().run()
    assert not at.exception
    project = at.session_state["project"]
    fixes = project.layers["fixes"]
    assert fixes["respondent_id"].tolist() == ["R091"]
    assert fixes["how"].tolist() == ["placed"]
    customers = pd.DataFrame(project.layers["customers"].drop(columns="geometry"))
    row = customers.set_index("respondent_id").loc["R091"]
    assert (row["status"], row["reason"], row["lat"]) == (
        "repaired",
        "fixed by analyst (placed)",
        60.1688053,
    )
    assert _metrics(at)["Unmatched"] == "0"
    assert _metrics(at)["Repaired"] == "2"


def test_chinese_headers_gbk_upload_weekly_visits(demo_region: object) -> None:
    text = "问卷编号,住址,来店频率（次/周）,消费金额\nR1,Mannerheimintie 14,2,￥30\nR2,Olematonkatu 1,1,20元\n"
    at = _app(lang="zh", source={"name": "问卷.csv", "data": text.encode("gbk")})
    assert not at.exception
    assert [h.value for h in at.header] == ["问卷调查"]
    assert at.selectbox(key="survey.map.address").value == "住址"
    assert at.selectbox(key="survey.map.visits_per_week").value == "来店频率（次/周）"
    at.button(key="survey.run").click().run()
    assert not at.exception
    customers = at.session_state["project"].layers["customers"]
    assert customers["visits_per_month"].round(4).tolist() == [
        round(2 * 52 / 12, 4),
        round(52 / 12, 4),
    ]
    assert customers["spend_per_visit"].tolist() == [30.0, 20.0]
    assert customers["status"].tolist() == ["geocoded", "unmatched"]
    assert _metrics(at)["未匹配"] == "1"


def test_unreadable_upload_shows_an_error_box_not_a_traceback(demo_region: object) -> None:
    at = _app(source={"name": "broken.xlsx", "data": b"this is not a workbook"})
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # markdown-escaped by show_error
    assert any(
        "broken.xlsx" in e and "is named .xlsx but is not an Excel workbook" in e for e in shown
    )


def test_hostile_text_is_never_rendered_as_html(demo_region: object) -> None:
    text = (
        f"respondent_id,address\n{XSS.replace(chr(34), chr(39))},{XSS.replace(chr(34), chr(39))}\n"
    )
    at = _app(source={"name": "xss.csv", "data": text.encode()})
    at.button(key="survey.run").click().run()
    assert not at.exception
    for element in (*at.markdown, *at.caption, *at.info, *at.success, *at.warning):
        assert "<script" not in element.value and "<img" not in element.value


def _demo_geocoded() -> AppTest:
    at = _app()
    at.button(key="survey.demo").click().run()
    at.button(key="survey.run").click().run()
    assert not at.exception
    return at


def _pick_row(at: AppTest, rid: str) -> None:
    rows = at.selectbox(key="survey.review.row")
    rows.set_value(next(o for o in rows.options if o.startswith(rid))).run()


def test_after_save_fix_the_form_is_empty_and_the_account_refreshes(demo_region: object) -> None:
    # issue 18: the form kept the last row's point; rejected rows could not be placed
    at = _demo_geocoded()
    _pick_row(at, "R091")
    at.radio(key="survey.review.how").set_value("Place by lat,lon").run()
    at.text_input(key="survey.review.latlon").set_value("60.1688053,24.9465155").run()
    at.button(key="survey.review.save").click().run()
    assert not at.exception
    assert at.radio(key="survey.review.how").value == "Pick a candidate"
    assert at.success and any(t.value == "Fixed: R091" for t in at.text)
    assert (_metrics(at)["Unmatched"], _metrics(at)["Repaired"]) == ("0", "2")
    options = [o.split(" · ")[0] for o in at.selectbox(key="survey.review.row").options]
    assert options == ["R084", "R135"]
    # the rejected row with an empty address, placed by hand
    _pick_row(at, "R135")
    at.radio(key="survey.review.how").set_value("Place by lat,lon").run()
    assert at.text_input(key="survey.review.latlon").value == ""  # empty for the next row
    at.text_input(key="survey.review.latlon").set_value("60.1700,24.9400").run()
    at.button(key="survey.review.save").click().run()
    assert not at.exception
    metrics = _metrics(at)
    assert (metrics["Rejected"], metrics["Repaired"], metrics["Geocoded"]) == ("0", "3", "147")
    customers = pd.DataFrame(
        at.session_state["project"].layers["customers"].drop(columns="geometry")
    )
    row = customers.set_index("respondent_id").loc["R135"]
    assert (row["status"], row["lat"], row["lon"]) == ("repaired", 60.17, 24.94)
    account = at.dataframe[1].value
    assert account["count"].tolist() == [147, 3, 0, 0, 150]


def test_clicking_the_map_fills_lat_lon_and_marks_the_row(
    demo_region: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tradearea.ui import survey_page

    at = _demo_geocoded()
    _pick_row(at, "R091")
    click = {"last_clicked": {"lat": 60.17012, "lng": 24.94021}}
    monkeypatch.setattr(survey_page, "show_map", lambda m, **kwargs: click)
    at.run()
    assert not at.exception
    assert at.radio(key="survey.review.how").value == "Place by lat,lon"
    assert at.text_input(key="survey.review.latlon").value == "60.170120,24.940210"
    assert any(t.value == "Under review: R091 → 60.170120, 24.940210" for t in at.text)
    at.run()  # the same click again does not overwrite what the analyst typed
    at.text_input(key="survey.review.latlon").set_value("60.1701,24.9403").run()
    assert at.text_input(key="survey.review.latlon").value == "60.1701,24.9403"
    at.button(key="survey.review.save").click().run()
    customers = pd.DataFrame(
        at.session_state["project"].layers["customers"].drop(columns="geometry")
    )
    assert customers.set_index("respondent_id").loc["R091", "lat"] == 60.1701


def test_counts_read_one_row_in_the_singular(demo_region: object) -> None:
    text = "respondent_id,address\nR1,Olematonkatu 1\n"
    at = _app(source={"name": "one.csv", "data": text.encode()})
    assert any(t.value.startswith("one.csv: 1 row,") for t in at.text)
    at.button(key="survey.run").click().run()
    assert not at.exception
    assert any(c.value.startswith("1 row unmatched") for c in at.caption)


def test_survey_declared_gcj02_outside_china_warns_and_leaves_points(demo_region: object) -> None:
    text = "respondent_id,address,lat,lon\nR1,Mannerheimintie 14,60.1699,24.9384\n"
    at = _app(source={"name": "gps.csv", "data": text.encode()})
    at.radio(key="survey.coords").set_value("GCJ-02 (Amap / Tencent)").run()
    at.button(key="survey.run").click().run()
    assert not at.exception
    assert any("none is in China" in w.value for w in at.warning)
    assert any(t.value.startswith("gps.csv is declared GCJ-02") for t in at.text)
    customers = at.session_state["project"].layers["customers"]
    assert (customers["lat"].iloc[0], customers["lon"].iloc[0]) == (60.1699, 24.9384)
