"""App page "Report" (AppTest): choose sites and sections, build, preview, downloads, audit."""

from __future__ import annotations

import pytest
from _report_support import demo_project, demo_report
from streamlit.testing.v1 import AppTest

SCRIPT = """
from tradearea.ui.report_page import page
page()
"""


@pytest.fixture()
def app(tmp_path) -> AppTest:
    script = tmp_path / "report_app.py"
    script.write_text(SCRIPT, "utf-8")
    return AppTest.from_file(str(script), default_timeout=180)


def test_page_offers_sites_sections_and_privacy_choices(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    assert at.header[0].value == "Report"
    sites = at.multiselect(key="report_sites")
    assert sites.value == ["K1"] and set(sites.options) >= {
        "Liisankatu 27 (Kruununhaka) · candidate",
        "Lidl · own store",
    }
    assert len(at.multiselect(key="report_sections").value) == 11
    assert at.number_input(key="report_k").value == 5
    assert at.checkbox(key="report_detailed").value is False
    at.checkbox(key="report_detailed").check().run()
    assert any("personal data" in w.value for w in at.warning)


def test_build_shows_figures_downloads_and_preview(app: AppTest) -> None:
    at = app.run()
    at.multiselect(key="report_sections").set_value(["summary", "huff", "sources"]).run()
    at.button(key="report_build").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expected sales"] == "3,279,917 EUR/year"
    assert metrics["Market share in the trade area"].endswith("%")
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        "PDF", "HTML (interactive, offline)", "Excel tables (XLSX)", "GIS layers (GeoPackage)",
    ]  # fmt: skip
    assert len(at.get("iframe")) == 1
    report = at.session_state["report"]
    assert [s.key for s in report.site_sections["K1"]] == ["summary", "huff"]
    from tradearea.report import file_name

    assert file_name(report, "pdf") == "report-Liisankatu-27-Kruununhaka.pdf"


def test_chinese_labels(app: AppTest) -> None:
    app.session_state["lang"] = "zh"
    at = app.run()
    assert not at.exception
    assert at.header[0].value == "报告"
    assert at.button(key="report_build").label == "生成报告"


def test_each_download_is_recorded_in_the_audit_log() -> None:
    from tradearea.ui.report_page import export_bytes

    project = demo_project().copy()
    report = demo_report(charts=False)
    data = export_bytes(report, "xlsx", project)
    assert data[:2] == b"PK"
    entry = project.log[-1]
    assert entry["what"] == "export" and entry["format"] == "xlsx"
    assert entry["detailed"] is False and entry["sites"] == ["K1"]
    assert entry["file"].endswith(".xlsx")
