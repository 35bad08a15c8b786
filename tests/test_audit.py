"""Audit trail: imports, geocoding runs (online or not), merges and exports land in the project."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "data" / "examples"


def _page(module: str, project: Any) -> AppTest:
    at = AppTest.from_string(
        f"from tradearea.ui import {module}\n{module}.page()\n", default_timeout=120
    )
    at.session_state["project"] = project  # the pages share one open project
    return at


def _entries(project: Any, start: int) -> list[dict[str, Any]]:
    return project.log[start:]


@pytest.fixture()
def project(demo_region: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A copy of the demo project, saved under a temporary folder."""
    from tradearea.project.workspace import open_project

    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path / "projects"))
    monkeypatch.setenv("TRADEAREA_CACHE", str(tmp_path / "cache"))
    return open_project("demo").copy()


def test_demo_project_starts_with_its_import_and_offline_geocoding(project: Any) -> None:
    """The demo's own survey import and geocoding run are in its log, marked offline."""
    first = [e["what"] for e in project.log[:2]]
    assert first == ["import", "geocode"]
    assert project.log[0]["file"] == "demo_survey.csv" and project.log[0]["rows"] == 150
    assert project.log[1]["online"] is False and project.log[1]["rows"] == 150


def test_survey_page_records_import_and_geocoding_run(project: Any) -> None:
    """Survey page: the import and the geocoding run (online off) are recorded once each."""
    start = len(project.log)
    at = _page("survey_page", project)
    at.run()
    at.button(key="survey.demo").click().run()
    at.button(key="survey.run").click().run()
    assert not at.exception
    new = _entries(project, start)
    assert [e["what"] for e in new] == ["import", "geocode"]
    assert new[0]["file"] == "demo_survey.csv" and new[0]["rows"] == 150
    assert new[1]["online"] is False and new[1]["placed"] >= 140
    at.run()  # a rerun (any widget touched) records nothing more
    assert len(project.log) == start + 2


def test_online_geocoding_run_is_recorded_as_online(project: Any) -> None:
    """The audit entry says when addresses went to an online provider (a fake one here)."""
    from types import SimpleNamespace

    import pandas as pd

    from tradearea.geocode import geocode_frame
    from tradearea.geocode.online import OnlineGeocoder
    from tradearea.ui import survey_page

    class Provider:
        def geocode(self, query: str, exactly_one: bool = True) -> Any:
            return SimpleNamespace(latitude=60.17, longitude=24.94, address="Somewhere", raw={})

    online = OnlineGeocoder(Provider(), cache=False, min_delay_s=0)
    frame = pd.DataFrame({"address": ["Nowhere street 999, 99999 Atlantis"]})
    geocoded = geocode_frame(frame, region="helsinki-center", online=online)
    assert geocoded["match_level"].iloc[0] == "online"
    start = len(project.log)
    survey_page._save(project, geocoded, "upload.csv", True)
    new = _entries(project, start)
    assert [e["what"] for e in new] == ["import", "geocode"]
    assert new[1]["online"] is True and new[1]["placed"] == 1


def test_customers_page_records_import_merges_and_exports(project: Any) -> None:
    """Customers page: the CRM import and its merges once per file; each download."""
    from tradearea.ui import customers_page

    start = len(project.log)
    at = _page("customers_page", project)
    at.run()
    assert not at.exception
    new = _entries(project, start)
    assert [e["what"] for e in new] == ["import", "merge"]
    imported, merged = new
    assert imported["file"] == "crm_transactions.csv" and imported["layer"] == "crm"
    assert imported["rows"] == 2215 and imported["accepted"] + imported["rejected"] <= 2215
    assert merged["records"] == 8 and merged["decision"] == "auto"
    at.run()
    assert len(project.log) == start + 2  # reruns do not repeat them
    customers_page._record_export(project, "crm_segments", "xlsx")  # the download's on_click
    export = project.log[-1]
    assert export == {**export, "what": "export", "table": "crm_segments", "format": "xlsx",
                      "detailed": True, "personal_fields": False}  # fmt: skip


def test_competitor_upload_is_recorded_and_a_failed_one_is_not(project: Any) -> None:
    """Competition page: an accepted upload is an import entry; a refused one leaves no trace."""
    script = """
import streamlit as st
from pathlib import Path
from tradearea.ui import competition_page
from tradearea.ui._common import current_project

class Upload:
    def __init__(self, path):
        self.name, self._data = Path(path).name, Path(path).read_bytes()
    def getvalue(self):
        return self._data

for path in st.session_state["_files"]:
    competition_page._load_upload(current_project(), Upload(path))
"""
    start = len(project.log)
    at = AppTest.from_string(script, default_timeout=60)
    at.session_state["project"] = project
    bad = REPO / "tests" / "hostile" / "generated" / "nan_inf.csv"
    if not bad.exists():
        bad = EXAMPLES / "scenario.toml"
    at.session_state["_files"] = [str(EXAMPLES / "competitors.csv"), str(bad)]
    at.run()
    assert not at.exception
    new = _entries(project, start)
    assert len(new) == 1 and new[0]["what"] == "import"
    assert new[0]["file"] == "competitors.csv" and new[0]["layer"] == "competitors"
    assert new[0]["rows"] == len(project.layers["competitors"]) == 15  # the file's rows
    assert at.error  # the refused file got an error box


def test_report_exports_say_format_and_detail(project: Any) -> None:
    """Report page exports: what, which format, detailed or aggregated."""
    from tradearea import report as rep
    from tradearea.ui.report_page import export_bytes

    built = rep.build_report(project, sections=["summary"], charts=False)
    start = len(project.log)
    with contextlib.suppress(Exception):
        export_bytes(built, "xlsx", project)
    entry = _entries(project, start)[-1]
    assert entry["what"] == "export" and entry["format"] == "xlsx"
    assert entry["detailed"] is False  # aggregated: counts on map cells only
    assert entry["file"].endswith(".xlsx")


def test_audit_log_is_a_table_of_the_saved_project(project: Any, tmp_path: Path) -> None:
    """Saved, the trail is the ``audit_log`` table of the GeoPackage, in order, and reopens."""
    from tradearea.project.workspace import open_project, save_project

    project.record("import", file="crm.csv", layer="crm", rows=10)
    project.record("merge", records=2, customers=1, decision="reviewed")
    project.record("export", format="pdf", detailed=False, file="report.pdf")
    path = save_project(project, tmp_path / "shop.gpkg")
    with contextlib.closing(sqlite3.connect(path)) as con:
        rows = [json.loads(r[0]) for r in con.execute("SELECT entry FROM audit_log")]
    whats = [r["what"] for r in rows]
    assert whats[:2] == ["import", "geocode"]
    assert whats[-4:] == ["import", "merge", "export", "save"]
    assert all("at" in r for r in rows)
    assert open_project(path).log == rows
