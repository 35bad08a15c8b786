"""AppTest of the app shell: navigation in journey order and the Project page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tradearea._core.escaping import escape_markdown
from tradearea.settings import REPO_DIR


def _app() -> AppTest:
    return AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=120)


def test_project_page_shows_demo_project_and_region() -> None:
    at = _app().run()
    assert not at.exception
    assert at.header[0].value == "Project"
    # issue 20: a project name is shown as text (Markdown escaped), so compare the escaped name
    assert at.subheader[0].value == escape_markdown("Demo: Lidl, Helsinki centre")
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


def test_save_and_reopen_project_from_the_page(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path))
    at = _app().run()
    at.text_input(key="save_name").set_value("../../etc/My shop").run()
    at.button(key="save_btn").click().run()
    assert not at.exception
    saved = tmp_path / "etc_My shop.gpkg"
    assert saved.exists(), list(tmp_path.iterdir())
    assert any("Saved to" in s.value for s in at.success)
    # reopen from the recent list
    at.selectbox(key="recent_choice").set_value(saved.resolve())
    at.button(key="open_recent").click().run()
    assert not at.exception
    assert at.session_state["project"].path == saved.resolve()
    # status strip says where it is saved (the file name as text: Markdown escaped, issue 20)
    assert escape_markdown("etc_My shop.gpkg") in at.caption[0].value


def test_status_strip_shows_progress() -> None:
    at = _app().run()
    strip = at.caption[0].value
    assert escape_markdown("Demo: Lidl, Helsinki centre") in strip and "Competitors" in strip


def test_currency_is_a_project_setting() -> None:
    at = _app().run()
    assert at.text_input(key="project_currency").value == "EUR"
    at.text_input(key="project_currency").set_value("CNY").run()
    assert not at.exception
    assert at.session_state["project"].settings.currency == "CNY"
    assert at.session_state["project"].log[-1]["what"] == "settings"
