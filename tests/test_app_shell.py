"""AppTest of the app shell: navigation in journey order and the Project page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tradearea.paths import REPO_DIR


def _app() -> AppTest:
    return AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=120)


def test_project_page_shows_demo_project_and_region() -> None:
    at = _app().run()
    assert not at.exception
    assert at.header[0].value == "Project"
    assert at.subheader[0].value == "Demo: Lidl, Helsinki centre"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Addresses"] == "596"
    assert "OpenStreetMap contributors" in at.caption[-1].value


def test_chinese_interface() -> None:
    at = _app()
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.header[0].value == "项目"


def test_online_tiles_off_by_default() -> None:
    at = _app().run()
    assert at.toggle(key="online_tiles").value is False
